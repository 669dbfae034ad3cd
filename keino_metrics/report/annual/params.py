"""Parameters of the annual report: the shared year, data, language and seed.

The annual report has no parameter of its own; :func:`check` applies
:func:`keino_metrics.report.params.validate` and, with the data, checks the
year against the years the data hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from keino_metrics.dataset import Dataset
from keino_metrics.report import coverage
from keino_metrics.report.params import ReportParams, validate

__all__ = ["NOTEBOOK", "check"]

#: The annual report notebook (relative to the project root).
NOTEBOOK = Path("notebooks") / "reports" / "annual_report.ipynb"


def check(year: object, data_dir: object, language: object, seed: object,
          options: Mapping[str, object], data: Dataset | None = None) -> ReportParams:
    """Validated parameters of the annual report (``options`` must be empty).

    Raises
    ------
    ValueError
        Naming the parameter, the value received and the allowed values.
    """
    if options:
        raise ValueError(f"report parameter(s) {', '.join(map(repr, options))}: the annual "
                         "report has no such parameter")
    years = None if data is None else coverage.data_years(data)
    return validate(year, data_dir, language, seed, available_years=years)
