"""The annual evaluation report.

Modules
-------
params
    Its parameters (the shared ones) and their check.
content
    Its numbers, computed once into a frozen :class:`~.content.ReportContent`.
figures
    Its figures, drawn from the content in one language.
render
    Its HTML (title block and indicator tables).

:data:`REPORT` plugs it into :func:`keino_metrics.report.driver.build`.
"""

from __future__ import annotations

from typing import Any

from keino_metrics.dataset import Dataset
from keino_metrics.report.annual import content, figures, params
from keino_metrics.report.driver import Report

__all__ = ["REPORT"]


def _compute(data: Dataset, p: Any) -> content.ReportContent:
    return content.compute(data, p.year, seed=p.seed)


def _excel(c: content.ReportContent, lang: str):
    return c.excel_tables(lang), c.excel_formats(lang)


#: The annual report as the driver runs it.
REPORT = Report(name="annual_report", notebook=params.NOTEBOOK, title_key="report.title",
                metadata_file="metadata.json", check=params.check, compute=_compute,
                figures=figures.figures, tables=content.ReportContent.tables, excel=_excel)
