"""Readers: real procurement data in, canonical tables out.

The front door is :func:`read`::

    from keino_metrics.readers import read
    data = read(["downloads/ted/2024-09/", "hilma/*.json"], workers=4)
    data.summary()

Inputs are expanded by :mod:`.inputs` (files, folders, globs, ``.zip``,
``.gz``, ``.tar.gz``), each one's format is detected from its structure by
:mod:`.detection` (XML root element, JSON top-level keys), parsed in a process pool
(``imap`` in bounded batches, two in flight, so memory does not grow with
the number of files) and assembled and checked by :mod:`.assemble`.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator

import pandas as pd

from keino_metrics.dataset import Dataset
from keino_metrics.readers import detection, limits, xmlsafe
from keino_metrics.readers.assemble import Collector
from keino_metrics.readers.base import ParseResult, Quarantined
from keino_metrics.readers.fx import FxTable, load_rates
from keino_metrics.readers.inputs import Input, iter_inputs

__all__ = ["read", "parse_input", "detect"]

#: Below this many inputs ``read`` parses in the calling process.
SMALL_READ = 200


def detect(data: bytes):
    """The reader module for ``data`` (a whole file, or its first bytes), or ``None``.

    Decided by the document's structure (:func:`.detection.reader_for`), not
    by a window of bytes.
    """
    return detection.reader_for(data)


def _refused(item: Input, field: str | None, reason: str, fmt: str = "unknown") -> ParseResult:
    res = ParseResult(item.label, fmt, "file", records_in=1)
    res.quarantine.append(Quarantined(item.label, "file", field, reason))
    return res


def parse_input(item: Input) -> ParseResult:
    """Detect the format of one input and parse it; never raises for bad data.

    Whatever goes wrong inside a reader (an exception a reader did not
    foresee, nesting too deep for the interpreter, memory) quarantines the
    input naming the exception, so that one file never stops a read.
    """
    if item.error:
        return _refused(item, None, item.error)
    try:
        data = item.read()
    except OSError as exc:
        return _refused(item, None, f"cannot read: {exc}")
    try:
        data = xmlsafe.utf16_to_utf8(data, item.label)
    except Quarantined as q:
        return _refused(item, q.field, q.reason)
    mod = detect(data)
    if mod is None:
        if xmlsafe.looks_like_xml(data[:65536]):
            # XML of no known format: a refused DTD or encoding is the better reason
            try:
                xmlsafe.parse(data, item.label)
            except Quarantined as q:
                if q.field in ("DOCTYPE", "encoding"):
                    return _refused(item, q.field, q.reason)
        return _refused(item, None, "format not recognised (not eForms, TED XML, TED CSV, "
                                    "Hilma, OCDS or purchase invoices by its structure: "
                                    f"{detection.shape_of(data)!r})")
    fmt = getattr(mod, "FORMAT", "unknown")
    try:
        res = mod.parse(data, item.label)
    except Quarantined as q:  # a reader that quarantines the whole file
        return _refused(item, q.field, q.reason, fmt)
    except RecursionError:
        return _refused(item, None, "nested too deeply to be read", fmt)
    except MemoryError:
        return _refused(item, None, "not enough memory to read this input", fmt)
    except Exception as exc:  # one input must never stop the read
        return _refused(item, None, f"the {fmt} reader failed: {type(exc).__name__}: "
                                    f"{str(exc)[:200]}", fmt)
    if not res.bytes_in:  # readers that do not count parse the whole input
        res.bytes_in = res.bytes_parsed = len(data)
    return res


def _batches(it: Iterator[Input], size: int) -> Iterator[list[Input]]:
    """Lists of at most ``size`` inputs, ended early once they hold
    ``limits.BATCH_BYTES`` of archive members."""
    while True:
        batch: list[Input] = []
        held = 0
        for item in it:
            batch.append(item)
            held += item.size
            if len(batch) >= size or held >= limits.BATCH_BYTES:
                break
        item = None  # the batch's owner decides when its bytes are freed
        if not batch:
            return
        yield batch


def _heavy(batch: list[Input]) -> bool:
    return sum(i.size for i in batch) >= limits.BATCH_BYTES


def read(paths: str | os.PathLike | Iterable[str | os.PathLike], *,
         workers: int | None = None, progress: bool | None = None,
         fx_rates: str | os.PathLike | pd.DataFrame | FxTable | None = None,
         chunksize: int = 64,
         on_result: Callable[[ParseResult], None] | None = None) -> Dataset:
    """Read procurement data into a :class:`~keino_metrics.Dataset`.

    Parameters
    ----------
    paths : path, glob or list of them
        Files, folders, glob patterns and archives (``.zip``, ``.gz``,
        ``.tar.gz`` as TED's bulk packages come). The format of each file is
        detected from its content.
    workers : int, optional
        Processes to parse with. ``None`` uses all cores; ``1`` parses in
        this process (no pool). Fewer than :data:`SMALL_READ` inputs are
        always parsed in this process.
    progress : bool, optional
        Show a tqdm progress bar (default: when more than 200 inputs are
        read and stderr is a terminal).
    fx_rates : path, DataFrame or FxTable, optional
        Exchange-rate table replacing ``keino_metrics/data/fx_rates.csv``
        (columns ``currency``, ``year``, ``units_per_eur``).
    chunksize : int
        Inputs handed to a worker at a time.
    on_result : callable, optional
        Called with every file's :class:`~keino_metrics.readers.base.ParseResult`
        (for logging); the dataset is built regardless.

    Returns
    -------
    Dataset
        Canonical tables, ``quarantine`` (file, record, field, reason),
        ``accounting`` (one row per input, rows in = accepted + quarantined)
        and the extra table ``award_history`` when a lot result was
        published more than once. ``provenance["read"]`` records the
        inputs, workers, seconds, and the bytes read (``bytes_in``) and
        given to a parser (``bytes_parsed``).

    Raises
    ------
    FileNotFoundError
        When a named path does not exist or a pattern matches nothing.
    """
    fx = load_rates(fx_rates)
    if workers is None:
        workers = os.cpu_count() or 1
    collector = Collector(fx=fx)
    t0 = time.perf_counter()
    bar = None
    if progress or progress is None:
        from tqdm import tqdm
        bar = tqdm(unit="file", desc="reading", disable=None if progress is None else False,
                   mininterval=0.5)
    n = bytes_in = bytes_parsed = 0
    items = iter_inputs(paths)
    batch_size = max(chunksize * max(workers, 1) * 4, 256)
    try:
        def take(results: Iterable[ParseResult]) -> None:
            nonlocal n, bytes_in, bytes_parsed
            for res in results:
                collector.add(res)
                bytes_in += res.bytes_in
                bytes_parsed += res.bytes_parsed
                if on_result:
                    on_result(res)
                n += 1
                if bar is not None:
                    bar.update(1)

        batches = _batches(items, batch_size)
        first = next(batches, [])
        if workers <= 1 or len(first) < SMALL_READ:
            # few inputs: a pool would cost more to start than it saves. Each batch
            # is emptied once parsed, so that its members' bytes are freed before
            # the next batch is read
            take(map(parse_input, first))
            first.clear()
            for batch in batches:
                take(map(parse_input, batch))
                batch.clear()
        else:
            import multiprocessing as mp

            ctx = mp.get_context("forkserver" if os.name == "posix" else "spawn")
            with ctx.Pool(workers) as pool:
                # two batches in flight: the workers parse the next batch while
                # this process takes the results of the current one (and no
                # worker waits for the last chunk of a batch); memory stays
                # bounded by two batches. A batch heavy with archive members
                # (limits.BATCH_BYTES) is parsed here instead, at once, so that
                # its bytes are never copied to a worker, and emptied before the
                # next batch is read
                current: Iterable[ParseResult] = ()
                held: list[Input] = []
                for batch in itertools.chain([first], batches):
                    if _heavy(batch):
                        take(current)
                        held.clear()
                        take(map(parse_input, batch))
                        batch.clear()
                        current, held = (), []
                        continue
                    following = pool.imap(parse_input, batch, chunksize=chunksize)
                    take(current)
                    held.clear()
                    current, held = following, batch
                take(current)
    finally:
        if bar is not None:
            bar.close()
    parse_seconds = time.perf_counter() - t0
    paths_list = [os.fspath(paths)] if isinstance(paths, (str, os.PathLike)) else [
        os.fspath(p) for p in paths]
    return collector.build(provenance={"read": {"paths": paths_list, "inputs": n,
                                                "workers": workers, "fx_rates": fx.name,
                                                "parse_seconds": round(parse_seconds, 3),
                                                "bytes_in": bytes_in,
                                                "bytes_parsed": bytes_parsed,
                                                "limits": limits.describe()}})
