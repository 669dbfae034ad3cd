"""Where the project's data, reports and notebooks live.

Paths resolve against the project root: the folder holding ``pyproject.toml``
above this package when it is installed from a clone (the usual case), else
the current working directory. ``KEINO_PROJECT_ROOT`` overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "raw_dir", "demo_dir", "samples_dir", "processed_dir",
           "reports_dir", "notebooks_dir"]


def project_root() -> Path:
    """The project root (see the module docstring)."""
    env = os.environ.get("KEINO_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").is_file() and (here / "keino_metrics").is_dir():
        return here
    return Path.cwd().resolve()


def raw_dir() -> Path:
    """``data/raw``: immutable inputs."""
    return project_root() / "data" / "raw"


def demo_dir() -> Path:
    """``data/raw/demo``: the generated demonstration corpus."""
    return raw_dir() / "demo"


def samples_dir() -> Path:
    """``data/raw/samples``: real TED notices shipped with the project."""
    return raw_dir() / "samples"


def processed_dir() -> Path:
    """``data/processed``: validated canonical tables as Parquet."""
    return project_root() / "data" / "processed"


def reports_dir() -> Path:
    """``reports``: one folder per report year."""
    return project_root() / "reports"


def notebooks_dir() -> Path:
    """``notebooks``: report and exploratory notebooks."""
    return project_root() / "notebooks"
