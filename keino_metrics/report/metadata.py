"""Reproducibility metadata of a report run.

:func:`collect` gathers what is needed to regenerate a report and to prove
that it used the same inputs: the parameters, the SHA-256 of every input file
(the data directory and the real sample notices), row counts, the versions of
Python and of the key packages, the platform, the git revision and the hash
of the lock file. It holds no timestamps, so two runs on the same inputs give
the same metadata apart from the environment entries. ``session-info`` style
packages would add a dependency for what ``importlib.metadata`` and
``platform`` already give.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from keino_metrics import paths
from keino_metrics.atomic import write_text
from keino_metrics.dataset import Dataset

__all__ = ["KEY_PACKAGES", "sha256_file", "file_hashes", "digest", "git_revision",
           "package_versions", "is_demo", "collect", "write"]

#: Packages whose versions are recorded.
KEY_PACKAGES: tuple[str, ...] = (
    "keino-metrics", "numpy", "pandas", "pyarrow", "narwhals", "duckdb", "polars", "pandera",
    "scipy", "statsmodels", "matplotlib", "seaborn", "babel", "xlsxwriter", "lxml",
    "papermill", "nbconvert", "nbformat", "nbclient", "ipykernel",
)


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _display_path(p: Path) -> str:
    root = paths.project_root().resolve()
    try:
        return p.resolve().relative_to(root).as_posix()
    except ValueError:
        return p.resolve().as_posix()


def file_hashes(directory: str | os.PathLike[str] | None) -> list[dict[str, object]]:
    """``path``, ``bytes`` and ``sha256`` of every file under ``directory``, sorted.

    Paths are relative to the project root when inside it. Hidden files are
    skipped. A missing directory gives an empty list.
    """
    if directory is None:
        return []
    d = Path(directory)
    if not d.is_dir():
        return []
    files = sorted(p for p in d.rglob("*")
                   if p.is_file() and not any(part.startswith(".")
                                              for part in p.relative_to(d).parts))
    return [{"path": _display_path(p), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
            for p in files]


def digest(entries: Iterable[Mapping[str, object]]) -> str:
    """One SHA-256 over ``path sha256`` lines of :func:`file_hashes` entries."""
    lines = sorted(f"{e['path']} {e['sha256']}" for e in entries)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def git_revision(root: str | os.PathLike[str] | None = None) -> str:
    """``git describe --always --dirty`` of the project, or ``unknown`` outside git."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"],
                             cwd=root or paths.project_root(), capture_output=True,
                             text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def package_versions(names: Iterable[str] = KEY_PACKAGES) -> dict[str, str]:
    """Installed version of each package (``not installed`` when absent)."""
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def is_demo(data: Dataset) -> bool:
    """Whether ``data`` is generated demonstration data (its provenance says so)."""
    return bool(data.provenance.get("demo", False))


def collect(*, year: int, languages: Iterable[str], seed: int,
            data_dir: str | os.PathLike[str], data: Dataset | None = None,
            samples_dir: str | os.PathLike[str] | None = None,
            lock_file: str | os.PathLike[str] | None = None) -> dict[str, object]:
    """The metadata of one report run as a JSON-ready dictionary.

    Parameters
    ----------
    year, languages, seed
        Report parameters.
    data_dir : path-like
        The data directory; every file in it is hashed.
    data : Dataset, optional
        The loaded data, for row counts and the demo flag.
    samples_dir : path-like, optional
        Real sample notices (default ``data/raw/samples``); hashed too.
    lock_file : path-like, optional
        Lock file (default ``requirements/lock.txt``).
    """
    from keino_metrics import __version__

    samples = Path(samples_dir) if samples_dir is not None else paths.samples_dir()
    lock = Path(lock_file) if lock_file is not None else (
        paths.project_root() / "requirements" / "lock.txt")
    inputs = file_hashes(data_dir)
    sample_files = file_hashes(samples)
    rows: dict[str, int] = {}
    if data is not None:
        rows = {name: len(df) for name, df in data.tables().items()}
        rows.update({f"extra.{name}": len(df) for name, df in sorted(data.extra.items())})
        rows["accounting"] = len(data.accounting)
    return {
        "report": "annual_report",
        "keino_metrics_version": __version__,
        "parameters": {"year": int(year), "language": list(languages), "seed": int(seed),
                       "data_dir": _display_path(Path(data_dir))},
        "seed": int(seed),
        "demo": bool(data is not None and is_demo(data)),
        "provenance": json.loads(json.dumps(dict(data.provenance), default=str))
        if data is not None else {},
        "inputs": {"data_dir": inputs, "data_dir_digest": digest(inputs),
                   "samples": sample_files, "samples_digest": digest(sample_files)},
        "row_counts": rows,
        "lock_file": {"path": _display_path(lock),
                      "sha256": sha256_file(lock) if lock.is_file() else "missing"},
        "git_revision": git_revision(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
    }


def write(meta: Mapping[str, object], path: str | os.PathLike[str]) -> Path:
    """Write ``meta`` as sorted, indented JSON and return the path."""
    return write_text(path, json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False)
                      + "\n")


def output_records(folder: str | os.PathLike[str],
                   files: Iterable[str | os.PathLike[str]]) -> list[dict[str, str]]:
    """``path`` (relative to ``folder``) and SHA-256 of each output file, sorted by path."""
    folder = Path(folder)
    return [{"path": Path(f).relative_to(folder).as_posix(), "sha256": sha256_file(f)}
            for f in sorted({Path(f) for f in files})]
