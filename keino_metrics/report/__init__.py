"""The reports: one driver, shared parts, and one subpackage per report.

Shared modules
--------------
driver
    :func:`~keino_metrics.report.driver.build`: parameters -> content -> notebook ->
    HTML, figures, tables and metadata, for any report.
params
    Validation of the shared parameters (before papermill and in the notebook).
labels
    The language catalogue: every user-facing text in Finnish, Swedish and English
    (``keino_metrics/labels/*.toml``).
cache
    Contents kept between runs, keyed by the hashes of their inputs.
catalogue
    Indicator families, ids and names as the reports use them.
numbers
    Number formatting with babel.
blocks
    HTML building blocks (headings, banners, tables, the metadata appendix).
figures
    The figure style, captions and the demo mark.
tables
    Display tables with traffic lights and the reproducible Excel writer.
coverage
    Rows and completeness of key fields per table and year.
samples
    Summary of the real TED sample notices.
metadata
    Reproducibility metadata (hashes, versions, git revision).
bless
    Re-execute and normalise the committed report notebooks.

Reports
-------
annual
    The annual evaluation report.
impact
    The impact report (programme effects, target trajectory, hidden volume, carbon).

Each report subpackage holds ``params``, ``content`` (pure computation into a
frozen content object), ``render`` (HTML) and ``figures``, and exposes
``REPORT``, which plugs it into the driver.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["build", "REPORTS", "validate", "ReportParams"]


def __getattr__(name: str) -> Any:
    if name == "build":
        return importlib.import_module("keino_metrics.report.driver").build
    if name == "REPORTS":
        return (importlib.import_module("keino_metrics.report.annual").REPORT,
                importlib.import_module("keino_metrics.report.impact").REPORT)
    if name in ("validate", "ReportParams"):
        return getattr(importlib.import_module("keino_metrics.report.params"), name)
    raise AttributeError(f"module 'keino_metrics.report' has no attribute {name!r}")
