"""Ingest: read raw procurement files, check them and write canonical Parquet.

Records are checked twice: by the readers while reading (per record, naming the
file, record and field) and then at the raw/processed boundary by
:func:`keino_metrics.validation.validate` (schemas, keys and references across
tables), which adds one accounting line per table.

``keino ingest PATHS... --out DIR`` calls :func:`ingest` and prints
:func:`format_accounting`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from keino_metrics.dataset import Dataset, check_target
from keino_metrics.readers import read
from keino_metrics.validation import validate

__all__ = ["ingest", "format_accounting"]


def ingest(paths: str | os.PathLike | Iterable[str | os.PathLike], out_dir: str | os.PathLike,
           workers: int | None = None, progress: bool = True, *, overwrite: bool = False,
           **read_options) -> Dataset:
    """Read ``paths``, check every record and write the tables to ``out_dir``.

    The output is written by :meth:`~keino_metrics.dataset.Dataset.to_parquet`
    into a temporary sibling folder that is renamed into place when complete,
    with ``manifest.json`` (tables, rows, SHA-256) last: an interrupted ingest
    leaves nothing that reads as a dataset, and an earlier output is replaced
    whole, never mixed with the new tables.

    Parameters
    ----------
    paths : path, glob or list of them
        As for :func:`keino_metrics.readers.read`.
    out_dir : path
        Folder for ``<table>.parquet``, ``accounting.parquet``, extra tables,
        ``provenance.json`` and ``manifest.json``. It must be missing or
        empty unless ``overwrite``; it is checked before anything is read.
    workers : int, optional
        Worker processes (default: all cores).
    progress : bool
        Show a progress bar.
    overwrite : bool
        Replace an ``out_dir`` that already holds files.
    **read_options
        Passed to :func:`keino_metrics.readers.read` (for example ``fx_rates``).

    Returns
    -------
    Dataset
        The dataset written.

    Raises
    ------
    FileExistsError
        When ``out_dir`` is a file, or a folder holding files and
        ``overwrite`` is false.
    """
    out = Path(out_dir)
    check_target(out, overwrite)  # before anything is read
    data = validate(read(paths, workers=workers, progress=progress, **read_options))
    data.to_parquet(out, overwrite=overwrite)
    return data


def format_accounting(dataset: Dataset, max_reasons: int = 10) -> str:
    """The accounting of a read as text: per source, totals and quarantine reasons.

    Every line states rows in = accepted + quarantined and the field-level
    issues of the kept records; the most frequent quarantine and field-issue
    reasons follow (file, record and field are in the ``quarantine`` and
    ``field_issues`` tables).
    """
    lines = []
    summ = dataset.accounting_summary()
    if summ.empty:
        return "No input was read."
    width = max(len(str(s)) for s in summ["source"])
    lines.append(f"{'source':<{width}}  {'unit':<8}{'inputs':>8}{'rows in':>10}"
                 f"{'accepted':>10}{'quarant.':>10}{'issues':>8}  balance")
    def line(r) -> str:
        return (f"{r.source:<{width}}  {r.unit:<8}{r.inputs:>8,}{r.rows_in:>10,}"
                f"{r.rows_accepted:>10,}{r.rows_quarantined:>10,}{int(r.field_issues):>8,}  "
                f"{'ok' if r.balanced else 'UNBALANCED'}")

    is_check = summ["source"] == "validation"
    read_rows, checks = summ[~is_check], summ[is_check]
    lines += [line(r) for r in read_rows.itertuples()]
    tot = read_rows[["inputs", "rows_in", "rows_accepted", "rows_quarantined",
                     "field_issues"]].sum()
    lines.append(f"{'total':<{width}}  {'':<8}{tot['inputs']:>8,}{tot['rows_in']:>10,}"
                 f"{tot['rows_accepted']:>10,}{tot['rows_quarantined']:>10,}"
                 f"{int(tot['field_issues']):>8,}")
    if len(checks):
        lines.append("then, at the raw/processed boundary (rows of every table):")
        lines += [line(r) for r in checks.itertuples()]
    tables = ", ".join(f"{name} {len(df):,}" for name, df in dataset.tables().items()
                       if name not in ("quarantine", "field_issues"))
    lines.append(f"tables: {tables}")
    for title, frame in (("quarantine", dataset.quarantine),
                         ("field-level issues", dataset.field_issues)):
        if not len(frame):
            continue
        reasons = (frame["reason"].str.replace(r" from \S+$", " from <file>", regex=True)
                   .str.replace(r"'[^']*'", "'…'", regex=True)
                   .str.replace(r"\b\d+(?:[.,/-]\d+)*\b", "N", regex=True).value_counts())
        what = "records" if title == "quarantine" else "values (records kept)"
        lines.append(f"{title}: {len(frame):,} {what}; most frequent reasons:")
        for reason, n in reasons.head(max_reasons).items():
            lines.append(f"  {n:>7,}  {reason}")
    return "\n".join(lines)
