"""Writing the demonstration corpus to Parquet and loading it back.

:func:`load` is what reports call: it reads ``data/raw/demo`` when that holds a
demo written by this generator version with the same parameters, and
otherwise generates the corpus and writes it there atomically (into a
temporary sibling directory that is then renamed, with its manifest, by
:meth:`~keino_metrics.dataset.Dataset.to_parquet`), so a reader never sees a
half-written directory.
"""

from __future__ import annotations

import json
from pathlib import Path

from keino_metrics import paths
from keino_metrics.dataset import MANIFEST, Dataset
from keino_metrics.demo.generate import generate, provenance

__all__ = ["default_directory", "write", "ensure", "load", "matches"]


def default_directory() -> Path:
    """``data/raw/demo`` of the project (:func:`keino_metrics.paths.demo_dir`)."""
    return paths.demo_dir()


def write(directory: str | Path | None = None, seed: int = 2024, scale: float = 1.0,
          years: tuple[int, int] = (2018, 2025), invoices: bool = False) -> Path:
    """Generate the corpus and write it as Parquet into ``directory``.

    Parameters
    ----------
    directory : str or Path, optional
        Target directory (created if needed); default :func:`default_directory`.
    seed, scale, years, invoices
        As for :func:`keino_metrics.demo.generate`.

    Returns
    -------
    pathlib.Path
        The directory, holding one ``<table>.parquet`` per table,
        ``manifest.json`` and ``provenance.json`` (generator, version, seed, scale, years,
        ``"demo": true``).
    """
    d = Path(directory) if directory is not None else default_directory()
    return generate(seed=seed, scale=scale, years=years,
                    invoices=invoices).to_parquet(d, overwrite=True)


def matches(directory: str | Path, seed: int, scale: float,
            years: tuple[int, int] = (2018, 2025), invoices: bool = False) -> bool:
    """Whether ``directory`` holds a demo written with these parameters by this version
    (with its manifest: a folder written before manifests existed is written again)."""
    prov = Path(directory) / "provenance.json"
    if not prov.is_file() or not (Path(directory) / MANIFEST).is_file():
        return False
    try:
        found = json.loads(prov.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    want = provenance(seed, scale, years)
    keys = ("generator", "version", "seed", "scale", "years", "demo")
    return (all(found.get(k) == want[k] for k in keys)
            and bool(found.get("invoices", False)) == bool(invoices))


def ensure(directory: str | Path | None = None, seed: int = 2024, scale: float = 1.0,
           years: tuple[int, int] = (2018, 2025), invoices: bool = False) -> Path:
    """Make sure ``directory`` holds the demo corpus of these parameters; return the folder.

    Like :func:`load`, but the tables are not read back: for callers that read
    the folder through another route (the reports validate it with
    :func:`keino_metrics.pipeline.prepare`).
    """
    d = Path(directory) if directory is not None else default_directory()
    if not matches(d, seed, scale, years, invoices):
        generate(seed=seed, scale=scale, years=years,
                 invoices=invoices).to_parquet(d, overwrite=True)
    return d


def load(directory: str | Path | None = None, seed: int = 2024, scale: float = 1.0,
         years: tuple[int, int] = (2018, 2025), invoices: bool = False) -> Dataset:
    """The demo corpus: read from ``directory`` if it matches, else generate and write it.

    Parameters
    ----------
    directory : str or Path, optional
        Default :func:`default_directory` (``data/raw/demo``).
    seed, scale, years, invoices
        As for :func:`keino_metrics.demo.generate`.

    Returns
    -------
    keino_metrics.Dataset
    """
    return Dataset.from_parquet(ensure(directory, seed, scale, years, invoices))

