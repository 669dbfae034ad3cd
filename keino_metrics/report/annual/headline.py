"""The answers the annual report opens with: the 10 % target, its outlook, the programmes.

An evaluator reads the first screen of the report for two answers: how far
the innovative share is from the Government's 10 % target, and whether the
centre's programmes worked. :func:`compute` gathers them from the library
into one frozen :class:`Headline`:

* the innovative share in the report year under each candidate definition of
  the target (value, 95 % interval, coverage and the measurability status of
  :mod:`keino_metrics.indicators.measurability`), the principal definition
  first, and the gap of the principal one to the target in percentage points;
* the outlook for the target year of each definition
  (:func:`keino_metrics.impact.track_target`: central forecast, prediction
  interval, the points and model it rests on, and a probability only where
  the result gives one);
* the effect of each programme (:func:`keino_metrics.impact.did_by_programme`:
  the centre's own programme first, then each Green Deal, then pooled) on the
  innovative share of a buyer's lots.

Everything is a number or an identifier; the words are added by
:mod:`keino_metrics.report.annual.render` from the language catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keino_metrics.dataset import Dataset
from keino_metrics.published import FI_INNOVATION_TARGET
from keino_metrics.report.anchors import programme_anchor
from keino_metrics.report.impact.params import (
    DEFAULT_OUTCOME,
    MIN_COVERAGE,
    N_BOOT,
    N_SIMS,
    TARGET_YEAR,
)
from keino_metrics.results import Note, recorded_notes

__all__ = ["PRINCIPAL_DEFINITION", "OUTCOME", "TARGET_YEAR", "Headline", "compute",
           "forecasts", "programme_effects"]

#: The principal definition of the 10 % target: solutions new to the market, share of
#: lots (the definition the Hilma statistics question asks; the others are shown beside it).
PRINCIPAL_DEFINITION = "FI-10PCT-MKT-N"
#: Outcome of the programme effects: the impact report's default outcome, the innovative
#: (new to market) share of a buyer's lots. The year by which the target is to be reached
#: (``TARGET_YEAR``), the forecast's simulations and coverage floor and the bootstrap are
#: the impact report's too, so both reports give the same numbers.
OUTCOME = DEFAULT_OUTCOME

@dataclass(frozen=True)
class Headline:
    """The report's first answers, as numbers.

    Attributes
    ----------
    year : int
        Report year.
    target : float
        Target share (the thresholds' target of the definitions, else the
        published Government target).
    target_year : int
        Year by which the target is to be reached.
    principal : str
        Id of the principal definition.
    shares : pandas.DataFrame
        One row per candidate definition, the principal first: ``indicator_id``,
        ``value``, ``ci_low``, ``ci_high``, ``coverage``, ``numerator``,
        ``denominator``, ``status``, ``warning``.
    outlook : pandas.DataFrame
        One row per definition with a forecast: ``indicator_id``, ``forecast``,
        ``pi_low``, ``pi_high``, ``n_points``, ``first_year``, ``last_year``,
        ``method``, ``prob_at_year`` (NaN when the result gives none),
        ``year_reached`` (``<NA>`` when the central trend does not get there).
    no_outlook : Mapping
        Definitions without a forecast, with the reason code (``short``: fewer
        than 3 measured years; ``after``: the report year is past the target
        year; ``unmeasured``: no measured year).
    programmes : pandas.DataFrame
        One row per programme (own programme first, Green Deals, ``pooled``):
        ``programme``, ``estimate``, ``ci_low``, ``ci_high``, ``n_treated``,
        ``n_control``, ``anchor``; empty when the data record no participation.
    programme_reason : str or None
        Why there are no programme effects (``none``: no participation by the
        report year; ``failed``: the estimation stopped, the message is in
        ``notes``).
    outcome : str
        Outcome indicator of the programme effects.
    notes : tuple of Note
        Warnings the models raised, recorded (never silenced).
    """

    year: int
    target: float
    target_year: int
    principal: str
    shares: pd.DataFrame = field(repr=False)
    outlook: pd.DataFrame = field(repr=False)
    no_outlook: dict[str, str] = field(repr=False, default_factory=dict)
    programmes: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    programme_reason: str | None = None
    outcome: str = OUTCOME
    notes: tuple[Note, ...] = field(repr=False, default=())

    def principal_row(self) -> pd.Series | None:
        """The principal definition's row of :attr:`shares` (``None`` when it is missing)."""
        d = self.shares[self.shares["indicator_id"] == self.principal]
        return d.iloc[0] if len(d) else None

    def gap(self) -> float | None:
        """Target minus the principal share, as a share (``None`` when not measured)."""
        row = self.principal_row()
        if row is None or row["status"] != "measured" or pd.isna(row["value"]):
            return None
        return float(self.target - row["value"])

    def outlook_of(self, indicator_id: str) -> pd.Series | None:
        """The forecast row of one definition (``None`` when it has none)."""
        d = self.outlook[self.outlook["indicator_id"] == indicator_id] if len(self.outlook) \
            else self.outlook
        return d.iloc[0] if len(d) else None


def _share_rows(by_year: pd.DataFrame, ids: tuple[str, ...], year: int) -> pd.DataFrame:
    cols = ["indicator_id", "value", "ci_low", "ci_high", "coverage", "numerator",
            "denominator", "status", "warning"]
    d = by_year[(by_year["year"] == year) & by_year["indicator_id"].isin(ids)]
    rows = []
    for i in ids:
        r = d[d["indicator_id"] == i]
        if len(r):
            rec = {c: r.iloc[0].get(c) for c in cols}
        else:
            rec = {"indicator_id": i, "value": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                   "coverage": 0.0, "numerator": np.nan, "denominator": np.nan,
                   "status": "not_measurable", "warning": None}
        if not isinstance(rec.get("status"), str):
            rec["status"] = "measured" if pd.notna(rec["value"]) else "not_measurable"
        rows.append(rec)
    return pd.DataFrame(rows, columns=cols)


def forecasts(by_year: pd.DataFrame, ids: tuple[str, ...], year: int, target: float, *,
              target_year: int = TARGET_YEAR, seed: int = 2024, n_sims: int = N_SIMS,
              min_coverage: float = MIN_COVERAGE) -> tuple[pd.DataFrame, dict[str, str]]:
    """The outlook of each definition for ``target_year`` from its measured years.

    Years whose coverage is below ``min_coverage`` of the definition's best
    year are left out (years before its fields were in use), as are years not
    measured. Count-based shares are forecast from their numerators and
    denominators, value-based ones from the share and its interval.

    Returns
    -------
    (pandas.DataFrame, dict)
        The rows of :attr:`Headline.outlook` and the reasons of definitions
        without a forecast.
    """
    from keino_metrics.impact import track_target
    from keino_metrics.impact.target import indicator_series

    rows, missing = [], {}
    if year >= target_year:
        return pd.DataFrame(), dict.fromkeys(ids, "after")
    for i in ids:
        d = by_year[(by_year["indicator_id"] == i) & (by_year["year"] <= year)]
        if "status" in d:
            d = d[d["status"] == "measured"]
        if d.dropna(subset=["value", "denominator"]).empty:
            missing[i] = "unmeasured"
            continue
        series = indicator_series(d, min_coverage=min_coverage, value="value")
        if len(series) < 3:
            missing[i] = "short"
            continue
        tr = track_target(series, target=target, by_year=target_year, definition=i,
                          n_sims=n_sims, seed=seed)
        row = tr.forecast.set_index("year").loc[target_year]
        rows.append({"indicator_id": i, "forecast": float(row["estimate"]),
                     "pi_low": float(row["ci_low"]), "pi_high": float(row["ci_high"]),
                     "n_points": int(tr.n_points), "first_year": int(series["year"].min()),
                     "last_year": int(series["year"].max()), "method": tr.method,
                     "prob_at_year": (float(tr.prob_at_year)
                                      if tr.probability_reason is None else np.nan),
                     "year_reached": tr.year_reached})
    out = pd.DataFrame(rows)
    if len(out):
        out["year_reached"] = out["year_reached"].astype("Int64")
    return out, missing


def programme_effects(data: Dataset, year: int, *, outcome: str = OUTCOME, seed: int = 2024,
                      n_boot: int = N_BOOT, log: list[Note] | None = None
                      ) -> tuple[pd.DataFrame, str | None]:
    """Effect of each programme on ``outcome`` up to ``year``, with the anchors of the impact report.

    Participation that starts after ``year`` is not counted. The rows follow
    :func:`keino_metrics.impact.did_by_programme`: the centre's own programme,
    each Green Deal, then pooled.
    """
    from keino_metrics.impact import did_by_programme
    from keino_metrics.report.impact.panel import impact_panel

    pp = data.programme_participation
    if pp is None or pp.empty:
        return pd.DataFrame(), "none"
    pp = pp.dropna(subset=["buyer_id", "start_date"])
    pp = pp[pd.to_datetime(pp["start_date"]).dt.year <= year]
    if pp.empty:
        return pd.DataFrame(), "none"
    log = [] if log is None else log
    with recorded_notes(log, "programmes"):
        panel = impact_panel(data, outcome, year=year, log=log)
        try:
            res = did_by_programme(panel, outcome, pp, n_boot=n_boot, seed=seed,
                                   balance="unbalanced")
        except (ValueError, np.linalg.LinAlgError) as exc:
            log.append(Note("warning", f"{type(exc).__name__}: {exc}", "programmes"))
            return pd.DataFrame(), "failed"
    t = res.table
    out = pd.DataFrame({"programme": t["programme"].astype(str),
                        "estimate": t["estimate"].astype(float),
                        "ci_low": t["ci_low"].astype(float),
                        "ci_high": t["ci_high"].astype(float),
                        "n_treated": t["n_treated"].astype(int),
                        "n_control": t["n_control"].astype(int)})
    out["anchor"] = [programme_anchor(p) for p in out["programme"]]
    return out.reset_index(drop=True), None


def compute(data: Dataset, by_year: pd.DataFrame, ids: tuple[str, ...], year: int, *,
            seed: int = 2024) -> Headline:
    """The headline of the report year from the indicator rows and the data.

    Parameters
    ----------
    data : Dataset
        The report's data (for the programme effects).
    by_year : pandas.DataFrame
        Indicator rows by year (``ReportContent.by_year``).
    ids : tuple of str
        Candidate definitions of the target; the principal one is put first.
    year : int
        Report year.
    seed : int
        Seed of the forecasts' simulation and of the bootstrap.
    """
    order = tuple(dict.fromkeys(((PRINCIPAL_DEFINITION,) if PRINCIPAL_DEFINITION in ids
                                 else ()) + tuple(ids)))
    principal = order[0] if order else PRINCIPAL_DEFINITION
    shares = _share_rows(by_year, order, year)
    targets = by_year.loc[by_year["indicator_id"].isin(order), "target"].dropna().unique() \
        if "target" in by_year else []
    target = float(targets[0]) if len(targets) == 1 else float(FI_INNOVATION_TARGET.value)
    outlook, missing = forecasts(by_year, order, year, target, seed=seed)
    log: list[Note] = []
    programmes, reason = programme_effects(data, year, seed=seed, log=log)
    return Headline(year=int(year), target=target, target_year=TARGET_YEAR, principal=principal,
                    shares=shares, outlook=outlook, no_outlook=missing, programmes=programmes,
                    programme_reason=reason, notes=tuple(log))
