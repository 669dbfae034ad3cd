"""The annual evaluation report.

Modules
-------
params
    Validation of the report parameters (before papermill and in the notebook).
labels
    Finnish, Swedish and English texts (``keino_metrics/labels/*.toml``).
numbers
    Number formatting with babel.
figures
    Report figures (one style, captions, demo mark).
tables
    Display tables with traffic lights and the reproducible Excel writer.
coverage
    Rows and completeness of key fields per table and year.
content
    The numbers of the report, computed once for the notebook and the exports.
samples
    Summary of the real TED sample notices.
metadata
    Reproducibility metadata (hashes, versions, git revision).
run
    :func:`build_report`: the one command that regenerates a report.
bless
    Re-execute and normalise the committed report notebook.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["build_report", "validate", "ReportParams"]


def __getattr__(name: str) -> Any:
    if name == "build_report":
        return importlib.import_module("keino_metrics.report.run").build_report
    if name in ("validate", "ReportParams"):
        return getattr(importlib.import_module("keino_metrics.report.params"), name)
    raise AttributeError(f"module 'keino_metrics.report' has no attribute {name!r}")
