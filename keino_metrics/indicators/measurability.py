"""Whether a result row was measured, and whether it may carry a traffic light.

A value of 0 % that comes from an empty eligible set, or from a field the data
does not carry, is not a finding: it is the absence of a measurement.
:func:`assess` decides this for every row of one indicator's result, in the
computation itself, so that no presentation can turn it back into a zero.

Statuses (column ``status``; the reason in words in ``status_reason``):

``measured``
    The value stands for what the definition measures.
``not_measurable``
    One of the rules below holds; ``value``, the interval and ``light`` are
    null (numerator, denominator and counts stay, they say why):

    * a required optional field (``table.column?``) is not in the data;
    * a share, mean or ratio has no eligible unit (``n_eligible == 0``);
    * the coverage (units reporting the fields needed, out of the units in
      scope) is below :data:`MIN_MEASURABLE_COVERAGE`;
    * a supplementary field (``table.column+``) through which alone the
      numerator can be seen is not in the data, and the numerator is zero
      (the value would be a lower bound of 0, which says nothing).
``data_limit``
    A risk flag (``RF-``/``OT-`` share where lower is better) fires on at least
    :data:`DATA_LIMIT_FLAG_SHARE` of at least :data:`DATA_LIMIT_MIN_UNITS`
    units (in a handful of units a high share is a small-sample result, and the
    usual warning applies). A screen that flags (nearly)
    everyone cannot tell risky units from ordinary ones; it describes the data
    or the configuration, not the buyers. The value is kept as a note; the
    light is null.

A light needs a ``measured`` value and a stated threshold with its source
(``green``/``red`` and ``source`` in the thresholds); otherwise it is null.
The rule and its source are carried in ``light_rule`` and ``light_source``.
A value that is only a lower bound (a supplementary field is absent) keeps a
light only when the bound itself meets a ``>``/``>=`` green rule: the true
value is then at least as good; any other colour could be wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from keino_metrics.indicators.spec import Indicator
from keino_metrics.indicators.thresholds import light

__all__ = ["MIN_MEASURABLE_COVERAGE", "DATA_LIMIT_FLAG_SHARE", "DATA_LIMIT_MIN_UNITS", "STATUSES", "STATUS_COLUMNS",
           "assess", "is_risk_flag"]

#: Coverage below which a row is not measurable. The worst-case (Manski) bounds
#: of a share whose unreported part could be anything are ``1 - coverage``
#: wide: below 20 % coverage they span more than 80 percentage points, so the
#: value says next to nothing about the population. Configurable through
#: ``compute(..., min_measurable_coverage=...)``; between this and
#: ``MIN_COVERAGE`` (0.5) a row is measured with a low-coverage warning.
MIN_MEASURABLE_COVERAGE = 0.2

#: Share of flagged units at or above which a risk flag is a data limit.
DATA_LIMIT_FLAG_SHARE = 0.95
#: Eligible units a risk flag needs before a high share counts as a data limit.
DATA_LIMIT_MIN_UNITS = 20

STATUSES = ("measured", "not_measurable", "data_limit")
#: Columns that :func:`assess` adds to a result.
STATUS_COLUMNS = ("status", "status_reason", "light_rule", "light_source")


def is_risk_flag(ind: Indicator) -> bool:
    """True for a red-flag share (``RF-``/``OT-``, unit share, lower is better)."""
    return ind.prefix in ("RF", "OT") and ind.unit == "share" and ind.direction == "lower"


def _light_rule(setting: Mapping[str, Any]) -> tuple[str | None, str | None]:
    green, red, source = setting.get("green"), setting.get("red"), setting.get("source")
    if (green is None and red is None) or not source:
        return None, None
    parts = [f"green {green}" if green is not None else None,
             f"red {red}" if red is not None else None]
    return ", ".join(p for p in parts if p), str(source)


def assess(ind: Indicator, df: pd.DataFrame, absent: frozenset[str],
           setting: Mapping[str, Any], min_coverage: float = MIN_MEASURABLE_COVERAGE,
           flag_limit: float = DATA_LIMIT_FLAG_SHARE) -> pd.DataFrame:
    """Status, reason and light of every row of one indicator's result.

    Parameters
    ----------
    ind : Indicator
    df : pandas.DataFrame
        The indicator's rows with ``value``, ``numerator``, ``n_eligible`` and
        ``coverage``.
    absent : frozenset of str
        ``table.column`` fields the data does not carry.
    setting : mapping
        The indicator's thresholds (``green``, ``red``, ``source``).
    min_coverage : float
        Coverage below which a row is not measurable.
    flag_limit : float
        Flag share at or above which a risk flag is a data limit.

    Returns
    -------
    pandas.DataFrame
        ``df`` with ``value``, ``ci_low``, ``ci_high`` nulled where not
        measurable, and the columns ``status``, ``status_reason``, ``light``,
        ``light_rule``, ``light_source``.
    """
    out = df.copy()
    n = len(out)
    status = np.full(n, "measured", dtype=object)
    reason = np.full(n, None, dtype=object)

    def mark(mask, what: str, text) -> None:
        mask = np.asarray(mask, dtype=bool) & (status == "measured")
        for k in np.flatnonzero(mask):
            status[k] = what
            reason[k] = text if isinstance(text, str) else text[k]

    gone = [f[:-1] for f in ind.fields if f.endswith("?") and f[:-1] in absent]
    if gone:
        mark(np.ones(n), "not_measurable", f"required field(s) {', '.join(gone)} not in the data")
    n_elig = pd.to_numeric(out["n_eligible"], errors="coerce").to_numpy(float)
    if ind.unit not in ("count", "eur"):
        mark(~(n_elig > 0), "not_measurable", "no eligible units: nothing to measure")
    cov = pd.to_numeric(out["coverage"], errors="coerce").to_numpy(float)
    mark(~np.isnan(cov) & (cov < min_coverage), "not_measurable",
         [f"coverage {c:.0%} is below the minimum of {min_coverage:.0%} for a measurement"
          for c in cov])
    weak = [f[:-1] for f in ind.fields if f.endswith("+") and f[:-1] in absent]
    num = pd.to_numeric(out["numerator"], errors="coerce").to_numpy(float)
    if weak:
        mark(num == 0, "not_measurable",
             f"{', '.join(weak)} not in the data: the value could only be a lower bound, "
             "and a lower bound of 0 says nothing")
    value = pd.to_numeric(out["value"], errors="coerce").to_numpy(float)
    if is_risk_flag(ind):
        mark(~np.isnan(value) & (value >= flag_limit) & (n_elig >= DATA_LIMIT_MIN_UNITS),
             "data_limit",
             [f"the flag fires on {v:.0%} of units (rule: a risk flag firing on "
              f"{flag_limit:.0%} or more of {DATA_LIMIT_MIN_UNITS} or more units cannot "
              "separate risky units from "
              "ordinary ones; it describes the data or the configuration, not the buyers)"
              for v in value])
    # whatever the cause (a source table the data does not hold, a custom
    # computation with nothing to compute on), a row without a value was not measured
    mark(np.isnan(value), "not_measurable", "no value could be computed from the data")
    nm = status == "not_measurable"
    for c in ("value", "ci_low", "ci_high"):
        out[c] = np.where(nm, np.nan, pd.to_numeric(out[c], errors="coerce").to_numpy(float))
    rule, source = _light_rule(setting)
    lights: list[str | None] = []
    for k in range(n):
        c = None
        if rule is not None and status[k] == "measured":
            c = light(float(out["value"].iloc[k]), setting.get("green"), setting.get("red"))
            green = str(setting.get("green") or "").lstrip()
            if weak and not (c == "green" and green.startswith(">")):
                c = None
        lights.append(c)
    out["status"] = status
    out["status_reason"] = reason
    out["light"] = lights
    out["light_rule"] = rule
    out["light_source"] = source
    return out
