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

import hashlib
import json
import os
from pathlib import Path

from keino_metrics import paths
from keino_metrics.atomic import write_text
from keino_metrics.dataset import Dataset
from keino_metrics.validation import validate

__all__ = ["process", "prepare", "processed_name", "input_digest"]


def processed_name(raw: Path) -> str:
    """Folder name under ``data/processed`` for a raw input directory.

    Inside ``data/raw`` the name is the relative path (``demo``, ``ted-fi``);
    elsewhere it is the folder's name and a short digest of its absolute path
    (``demo-3f2a9c41d0``), so that two inputs with the same name in different
    places never share, or overwrite, each other's processed tables.
    """
    raw = raw.resolve()
    try:
        rel = raw.relative_to(paths.raw_dir().resolve())
        return "-".join(rel.parts) or "raw"
    except ValueError:
        digest = hashlib.sha256(str(raw).encode("utf-8")).hexdigest()[:10]
        return f"{raw.name or 'input'}-{digest}"


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
    prov["input_digest"] = input_digest(raw)
    validated = validated.replace(provenance=prov)
    if write:
        target = Path(out) if out is not None else paths.processed_dir() / processed_name(raw)
        validated.to_parquet(target, overwrite=True)
        write_text(target / "accounting.json",
                   json.dumps(validated.accounting.to_dict("records"), indent=2, default=str)
                   + "\n")
    return validated


def input_digest(raw: str | os.PathLike[str]) -> str:
    """SHA-256 over the names and contents of every file under ``raw``.

    Identifies an input exactly: :func:`prepare` reuses processed tables only
    when the digest they were made from equals the input's digest now.
    """
    raw = Path(raw)
    files = [raw] if raw.is_file() else sorted(p for p in raw.rglob("*") if p.is_file())
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(raw) if f != raw else f.name).encode())
        h.update(b"\0")
        with f.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()


def prepare(raw: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Dataset:
    """Validated data for ``raw``, processed once and reused while ``raw`` is unchanged.

    If ``out`` (default ``data/processed/<name of raw>``) holds tables made
    from exactly the present content of ``raw`` (same :func:`input_digest`),
    they are read; otherwise :func:`process` runs and writes them.
    """
    raw = Path(raw)
    target = Path(out) if out is not None else paths.processed_dir() / processed_name(raw)
    prov_file = target / "provenance.json"
    if prov_file.is_file() and raw.exists():
        recorded = json.loads(prov_file.read_text(encoding="utf-8")).get("input_digest")
        if recorded == input_digest(raw):
            return Dataset.from_parquet(target)
    return process(raw, target)
