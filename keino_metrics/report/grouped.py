"""Indicator results by group, as the reports and the site show them.

:func:`rows` is the one grouped computation behind every table of indicator
results that a reader sees: ``km.compute(ids, data, by=by).to_frame()`` with
the year as an integer, the measurability status kept (``status``,
``status_reason``) and the small-number rule applied (a value whose
denominator is below :data:`MIN_N` keeps its number but loses its traffic
light; column ``small``). :func:`ranks` ranks the groups of such a frame
(buyers) by each indicator's direction, and :func:`reason` gives the note of
a row (why it is not measurable, or what to keep in mind) in the reader's
language. A buyer's page of the static site and a report's breakdown table
therefore come from the same function and the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from keino_metrics.dataset import Dataset
from keino_metrics.labels import translate

__all__ = ["MIN_N", "ENGINE", "SHOWN_NAMES", "shown", "rows", "ranks", "reason", "is_measured"]

#: Smallest denominator that gets a traffic light and a rank.
MIN_N = 30
#: Engine of the grouped computations. On the demo corpus one computation of the
#: site's indicators by buyer and year took 6.5 s with polars, 8.0 s with duckdb and
#: 9.8 s with pandas (shared machine).
ENGINE = "polars"
#: Column names of the pages' tables for the result vocabulary's ``estimate`` and
#: ``n`` (the pages show a value and its eligible units).
SHOWN_NAMES: Mapping[str, str] = {"estimate": "value", "n": "n_eligible"}


def shown(result) -> pd.DataFrame:
    """``result.to_frame()`` under the pages' column names (:data:`SHOWN_NAMES`)."""
    return result.to_frame().rename(columns=dict(SHOWN_NAMES))


def rows(ids: Sequence[str], data: Dataset, by: Sequence[str], *,
         engine: str = ENGINE, min_n: int = MIN_N) -> pd.DataFrame:
    """Indicator results by ``by``, ready to show.

    Parameters
    ----------
    ids : sequence of str
        Indicator ids of the catalogue.
    data : Dataset
        Canonical tables.
    by : sequence of str
        Breakdown columns (``year`` among them or not).
    engine : str
        Engine of :func:`keino_metrics.indicators.compute`.
    min_n : int
        Smallest denominator that keeps its traffic light.

    Returns
    -------
    pandas.DataFrame
        The columns of ``IndicatorResult.to_frame()`` under :data:`SHOWN_NAMES`
        (``value``, ``n_eligible``; ``year`` as ``int``; rows
        without a year are dropped when ``year`` is a breakdown) and ``small``
        (denominator below ``min_n``); ``light`` is ``None`` on small rows.
    """
    from keino_metrics.indicators import compute

    f = shown(compute(list(ids), data, by=list(by), engine=engine))
    if "year" in by:
        f = f[f["year"].notna()].copy()
        f["year"] = f["year"].astype(int)
    small = f["denominator"].notna() & (f["denominator"] < min_n)
    f["small"] = small
    f["light"] = f["light"].astype(object).where(~small & f["light"].notna(), None)
    return f.reset_index(drop=True)


def is_measured(frame: pd.DataFrame) -> pd.Series:
    """Rows whose value stands for what the indicator measures (finite value, not
    ``not_measurable``)."""
    status = frame["status"] if "status" in frame else pd.Series("measured", frame.index)
    return frame["value"].notna() & status.ne("not_measurable")


def ranks(frame: pd.DataFrame, within: Sequence[str] = ("indicator_id", "year"), *,
          min_n: int = MIN_N) -> pd.DataFrame:
    """``frame`` with ``rank`` and ``n_ranked`` per indicator (and year).

    Rank 1 is the best value by the indicator's catalogue direction (the lowest
    where lower is better, else the highest). Only measured rows with a
    denominator of at least ``min_n`` are ranked; the others get no rank.
    """
    from keino_metrics.indicators import catalogue

    f = frame.copy()
    eligible = is_measured(f) & f["denominator"].notna() & (f["denominator"] >= min_n)
    direction = catalogue().set_index("id")["direction"]
    lower = f["indicator_id"].map(direction).eq("lower")
    signed = f["value"].where(lower, -f["value"])  # the better value is the smaller
    grp = f.assign(_s=signed)[eligible].groupby(list(within))["_s"]
    f["rank"] = grp.rank(ascending=True, method="min").reindex(f.index).astype("Int64")
    f["n_ranked"] = grp.transform("size").reindex(f.index).astype("Int64")
    return f


def reason(row: Mapping[str, object], lang: str) -> str:
    """The note of a result row in ``lang``; empty when it has none.

    A row's ``warning`` starts with its status and reason when it is not
    measured (``not measurable: ...``, ``data limit: ...``) and adds what to
    keep in mind (low coverage, a lower bound); it is English text built from
    the ``[note]`` templates of the label catalogue, which
    :func:`keino_metrics.labels.translate` writes again from the same keys in
    ``lang``.
    """
    v = row.get("warning")
    return translate(v, "note", lang) if isinstance(v, str) and v else ""
