"""A report's content kept between runs, keyed by the hashes of everything it depends on.

Computing a report's content is the slow part of a run; rendering it is not.
:func:`key` hashes what the content depends on (the report, its parameters
other than the language, every input file of the data directory and of the
real samples, and every file of the installed ``keino_metrics`` package), so a
stored content is reused only when none of these changed. Entries are pickles
written atomically (temporary file, then rename) and are read back only from
the cache directory the driver chose.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from keino_metrics.atomic import replacing
from keino_metrics.report import metadata

__all__ = ["key", "code_digest", "load", "store", "read_pickle", "write_pickle"]

_CODE_SUFFIXES = frozenset({".py", ".toml", ".csv", ".yaml", ".json", ".mplstyle"})


@cache
def code_digest() -> str:
    """SHA-256 over the package's code and data files (relative path and content)."""
    root = Path(str(resources.files("keino_metrics")))
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts:
            h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def key(report: str, parameters: Mapping[str, object], *, data_dir: str | os.PathLike[str],
        samples_dir: str | os.PathLike[str] | None) -> str:
    """The cache key of one report's content.

    Parameters
    ----------
    report : str
        Report name (``annual_report``).
    parameters : Mapping
        Parameters the content depends on (the language is not one of them).
    data_dir, samples_dir : path-like
        Directories whose files are hashed.
    """
    record = {"report": report, "parameters": {k: str(v) for k, v in parameters.items()},
              "data": metadata.digest(metadata.file_hashes(data_dir)),
              "samples": metadata.digest(metadata.file_hashes(samples_dir)),
              "code": code_digest()}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode("utf-8")).hexdigest()


def load(directory: str | os.PathLike[str], name: str) -> object | None:
    """The content stored under ``name`` in ``directory``, or ``None``."""
    return read_pickle(Path(directory) / f"{name}.pkl")


def read_pickle(path: str | os.PathLike[str]) -> object | None:
    """The object pickled in ``path`` (by :func:`write_pickle`), or ``None`` if unreadable."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        with p.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def write_pickle(obj: object, path: str | os.PathLike[str]) -> Path:
    """Pickle ``obj`` to ``path`` atomically and return the path."""
    with replacing(path) as tmp, tmp.open("wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return Path(path)


def store(directory: str | os.PathLike[str], name: str, content: object) -> Path:
    """Store ``content`` under ``name`` in ``directory`` and return its path."""
    return write_pickle(content, Path(directory) / f"{name}.pkl")
