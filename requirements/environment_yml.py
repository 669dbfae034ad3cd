"""Write environment.yml from requirements/lock.txt (run by `make lock`).

conda users get the same pinned versions as the pip lock: the scientific core is
listed as conda-forge packages pinned to the lock's versions, and the pip section
installs the rest from the lock itself, so the two cannot resolve differently.
tests/test_environment.py checks that environment.yml matches this output.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: pip name -> conda-forge name for the packages conda users install with conda.
CONDA_NAMES = {
    "numpy": "numpy",
    "pandas": "pandas",
    "pyarrow": "pyarrow",
    "scipy": "scipy",
    "statsmodels": "statsmodels",
    "scikit-learn": "scikit-learn",
    "matplotlib": "matplotlib-base",
    "seaborn": "seaborn",
    "lxml": "lxml",
    "pyyaml": "pyyaml",
    "jupyterlab": "jupyterlab",
    "papermill": "papermill",
}


def lock_versions(lock: Path = ROOT / "requirements" / "lock.txt") -> dict[str, str]:
    """Package name -> pinned version from a pip-compile style lock file."""
    out = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def render() -> str:
    """The text of environment.yml."""
    versions = lock_versions()
    lines = [
        "# Generated from requirements/lock.txt by requirements/environment_yml.py (make lock).",
        "# conda users: conda env create -f environment.yml && conda activate keino-metrics",
        "name: keino-metrics",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
    ]
    for pip_name, conda_name in CONDA_NAMES.items():
        lines.append(f"  - {conda_name}={versions[pip_name]}")
    lines += ["  - pip:", "      - -r requirements/lock.txt", "      - -e ."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
