"""The indicator catalogue: definitions, computation on any engine, results.

Typical use::

    from keino_metrics import indicators as ki
    ki.catalogue(family="scoreboard", lang="fi")
    print(ki.explain("SMS-01"))
    res = ki.compute(["KEINO-INNOV-MKT-N", "SMS-"], data, by=["year"])
    res.to_frame()
"""

from __future__ import annotations

from keino_metrics.indicators.codes import BUYER_GROUPS
from keino_metrics.indicators.compute import compute
from keino_metrics.indicators.frames import BY_COLUMNS
from keino_metrics.indicators.panel import buyer_year_panel
from keino_metrics.indicators.registry import (
    all_indicators,
    catalogue,
    catalogue_markdown,
    explain,
    export_catalogue,
    get,
    ids,
)
from keino_metrics.indicators.result import IndicatorResult
from keino_metrics.indicators.spec import Indicator
from keino_metrics.indicators.stats import cronbach_alpha, wilson_interval
from keino_metrics.indicators.survey import read_capability_survey
from keino_metrics.labels import text

__all__ = ["catalogue", "explain", "compute", "buyer_year_panel", "read_capability_survey",
           "IndicatorResult", "Indicator", "BY_COLUMNS", "BUYER_GROUPS", "all_indicators",
           "get", "ids", "cronbach_alpha", "wilson_interval", "buyer_group_label",
           "catalogue_markdown", "export_catalogue"]


def buyer_group_label(group: str, lang: str = "en") -> str:
    """Label of a ``buyer_group`` value in ``lang`` (fi, sv or en), from the catalogue."""
    if group not in BUYER_GROUPS:
        raise KeyError(f"unknown buyer group {group!r}; groups: {', '.join(BUYER_GROUPS)}")
    return text(f"buyer_group.{group}", lang)
