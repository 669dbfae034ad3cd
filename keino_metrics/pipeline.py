"""From ``data/raw`` to ``data/processed``: read, validate, write Parquet.

:func:`process` is the one step between immutable inputs and the tables that
indicators and reports use. Inputs are either a directory of canonical Parquet
tables (the generated demo corpus in ``data/raw/demo``, or the output of an
earlier ``keino ingest``) or raw procurement files (read by
:func:`keino_metrics.readers.read`). Every table is validated
(:func:`keino_metrics.validation.validate`); rejected rows go to the
quarantine table, and the accounting records rows in = rows accepted + rows
quarantined for each input and table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keino_metrics import paths
from keino_metrics.dataset import Dataset
from keino_metrics.validation import validate

__all__ = ["process", "processed_name"]


def processed_name(raw: Path) -> str:
    """Folder name under ``data/processed`` for a raw input directory."""
    raw = raw.resolve()
    try:
        rel = raw.relative_to(paths.raw_dir().resolve())
        return "-".join(rel.parts) or "raw"
    except ValueError:
        return raw.name or "input"


def _is_canonical(directory: Path) -> bool:
    return directory.is_dir() and any(directory.glob("*.parquet"))


def process(raw: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
            write: bool = True) -> Dataset:
    """Read ``raw``, validate it and (by default) write it to ``data/processed``.

    Parameters
    ----------
    raw : path-like
        A directory of canonical Parquet tables, or a file or directory of raw
        procurement files.
    out : path-like, optional
        Output directory; default ``data/processed/<name of raw>``.
    write : bool
        Write the validated tables as Parquet (with ``accounting.parquet``,
        ``quarantine.parquet`` and ``provenance.json``).

    Returns
    -------
    Dataset
        The validated dataset: accepted rows, quarantine and accounting.
    """
    raw = Path(raw)
    if not raw.exists():
        raise FileNotFoundError(f"{raw}: no such file or directory")
    if _is_canonical(raw):
        data = Dataset.from_parquet(raw)
    else:
        from keino_metrics.readers import read

        data = read([str(raw)])
    validated = validate(data)
    prov = dict(validated.provenance)
    prov["validated_from"] = str(raw)
    validated = validated.replace(provenance=prov)
    if write:
        target = Path(out) if out is not None else paths.processed_dir() / processed_name(raw)
        validated.to_parquet(target)
        (target / "accounting.json").write_text(
            json.dumps(validated.accounting.to_dict("records"), indent=2, default=str) + "\n",
            encoding="utf-8")
    return validated
