"""Re-execute committed notebooks with their default parameters and normalise them.

Committed notebooks keep their outputs and execution counts, because strict
nbval compares every stored output (a notebook without outputs would pass
without checking anything). What changes from run to run is removed:
papermill's timestamps and durations, and nbclient's per-cell timings. Run
``python -m keino_metrics.report.bless [NOTEBOOK ...]`` (``make bless``)
after a deliberate change; never edit outputs by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from keino_metrics import paths

__all__ = ["VOLATILE_CELL_KEYS", "committed_notebooks", "normalise", "bless", "main"]

#: Cell metadata keys that hold run times.
VOLATILE_CELL_KEYS: tuple[str, ...] = ("papermill", "execution", "ExecuteTime")


def committed_notebooks(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Notebooks under ``notebooks/`` (checkpoints excluded), sorted."""
    base = Path(root) if root is not None else paths.notebooks_dir()
    return sorted(p for p in base.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def normalise(path: str | os.PathLike[str]) -> Path:
    """Drop volatile metadata from a notebook in place, keeping outputs and counts."""
    import nbformat

    p = Path(path)
    nb = nbformat.read(p, as_version=4)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    nbformat.validate(nb)
    nbformat.write(nb, p)
    return p


def bless(notebooks: Iterable[str | os.PathLike[str]] | None = None, *,
          kernel_name: str = "python3", timeout: int = 900) -> list[Path]:
    """Execute each notebook in place with its default parameters, then :func:`normalise`.

    Parameters
    ----------
    notebooks : iterable of path-like, optional
        Default: every notebook under ``notebooks/``.
    kernel_name : str
        Jupyter kernel to run.
    timeout : int
        Seconds allowed per cell.
    """
    import papermill as pm

    done = []
    for nb in (committed_notebooks() if notebooks is None else [Path(n) for n in notebooks]):
        pm.execute_notebook(str(nb), str(nb), kernel_name=kernel_name, cwd=str(nb.parent),
                            progress_bar=False, execution_timeout=timeout)
        done.append(normalise(nb))
    return done


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m keino_metrics.report.bless [NOTEBOOK ...]``."""
    ap = argparse.ArgumentParser(prog="python -m keino_metrics.report.bless",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="notebooks to bless (default: every notebook under notebooks/)")
    a = ap.parse_args(argv)
    for p in bless(a.notebooks or None):
        print(f"blessed {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
