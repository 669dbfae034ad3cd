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

import os
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

import pandas as pd

from keino_metrics.dataset import Dataset
from keino_metrics.readers import detection
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


def parse_input(item: Input) -> ParseResult:
    """Detect the format of one input and parse it; never raises for bad data."""
    if item.error:
        res = ParseResult(item.label, "unknown", "file", records_in=1)
        res.quarantine.append(Quarantined(item.label, "file", None, item.error))
        return res
    try:
        data = item.read()
    except OSError as exc:
        res = ParseResult(item.label, "unknown", "file", records_in=1)
        res.quarantine.append(Quarantined(item.label, "file", None, f"cannot read: {exc}"))
        return res
    mod = detect(data)
    if mod is None:
        res = ParseResult(item.label, "unknown", "file", records_in=1)
        res.quarantine.append(Quarantined(
            item.label, "file", None, "format not recognised (not eForms, TED XML, TED CSV, "
            f"Hilma or OCDS by its structure: {detection.shape_of(data)!r})"))
        return res
    try:
        res = mod.parse(data, item.label)
    except Quarantined as q:  # a reader that quarantines the whole file
        res = ParseResult(item.label, getattr(mod, "FORMAT", "unknown"), "file", records_in=1)
        res.quarantine.append(q)
    if not res.bytes_in:  # readers that do not count parse the whole input
        res.bytes_in = res.bytes_parsed = len(data)
    return res


def _batches(it: Iterator[Input], size: int) -> Iterator[list[Input]]:
    while True:
        batch = list(islice(it, size))
        if not batch:
            return
        yield batch


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
            # few inputs: a pool would cost more to start than it saves
            take(map(parse_input, first))
            for batch in batches:
                take(map(parse_input, batch))
        else:
            import multiprocessing as mp

            ctx = mp.get_context("forkserver" if os.name == "posix" else "spawn")
            with ctx.Pool(workers) as pool:
                # two batches in flight: the workers parse the next batch while
                # this process takes the results of the current one (and no
                # worker waits for the last chunk of a batch); memory stays
                # bounded by two batches
                current = pool.imap(parse_input, first, chunksize=chunksize)
                for batch in batches:
                    following = pool.imap(parse_input, batch, chunksize=chunksize)
                    take(current)
                    current = following
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
                                                "bytes_parsed": bytes_parsed}})
