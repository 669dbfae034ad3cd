"""Integrity and risk: Opentender (OT-*) and Open Contracting red flags (RF-R*)
that notice data supports.

Opentender scores are 0-100 with 100 = no risk; here every flag is reported as
the **share of units flagged** (score = 100 x (1 - share)). A flag that fires
on more than half of the units carries a warning (cardinal-rs issue #39).
"""

from __future__ import annotations

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from keino_metrics.indicators.families._build import (
    CARDINAL,
    COMPETITIVE,
    OPENTENDER,
    L,
    need,
    scope,
    true,
)
from keino_metrics.indicators.families.scoreboard import SCOREBOARD
from keino_metrics.indicators.keys import with_keys
from keino_metrics.indicators.spec import Custom, Indicator, Ratio
from keino_metrics.indicators.stats import wilson_interval

_TENDERS = need("tenders received not reported", lambda p: (L("tenders") >= 1).fill_null(False))
_PTYPE = need("procedure type not reported", lambda p: ~L("procedure_type").is_null())


def _flag(iid, definition, formula, num, rules, source, fields, crosswalk=(), limits="",
          params=None, unit="share", ci="wilson", direction="lower"):
    return Indicator(
        id=iid, family="integrity", definition=definition, formula=formula,
        unit_of_analysis="lot result", unit=unit, weighting="count", direction=direction,
        fields=tuple(fields), source=source,
        measure=Ratio("lot_results", numerator=num, rules=tuple(rules), ci=ci),
        crosswalk=crosswalk, limits=limits, params=params or {})


def _heterogeneous(frames, ind, keys, params):
    """R048: winners whose awarded lots span unusually many CPV divisions."""
    digits = int(params.get("digits", 2))
    min_proc = int(params.get("min_processes", 20))
    lr = frames.frame("lot_results")
    ok = ~L("winner_id").is_null() & ~L("cpv_main").is_null()
    per = frames.collect(
        lr.filter(ok).with_columns(L("cpv_main").str.slice(0, digits).alias("_cpv"))
        .group_by("winner_id")
        .agg(L("_cpv").n_unique().alias("variety"),
             L("procedure_id").n_unique().alias("processes")))
    pool = per.loc[per["processes"] >= min_proc, "variety"].to_numpy(float)
    if len(pool) >= 4:
        q1, q3 = np.percentile(pool, [25, 75])
        fence = q3 + 1.5 * (q3 - q1)
        flagged = per.loc[per["variety"] >= fence, "winner_id"].astype(str).tolist()
        warning = None
    else:
        fence = np.nan
        flagged = []
        warning = (f"fewer than 4 winners with >= {min_proc} processes: no fence, "
                   "nothing flagged")
    base = with_keys(lr, list(keys))
    flag = L("winner_id").is_in(flagged).fill_null(False) if flagged else nw.lit(False)
    q = base.with_columns(
        (flag & ok).cast(nw.Float64).alias("_f"), ok.cast(nw.Float64).alias("_ok"),
        nw.lit(1.0).alias("_one"))
    aggs = [L("_f").sum(), L("_ok").sum(), L("_one").sum()]
    df = frames.collect(q.group_by(*keys).agg(*aggs) if keys else q.select(*aggs))
    out = df[list(keys)].copy() if keys else pd.DataFrame(index=df.index)
    out["numerator"] = df["_f"].astype(float)
    out["denominator"] = df["_ok"].astype(float)
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    out["n_eligible"] = df["_ok"]
    out["excluded"] = df["_one"] - df["_ok"]
    out["excluded_reasons"] = [f"winner or CPV not reported: {int(x)}" if x else ""
                               for x in out["excluded"]]
    out["coverage"] = df["_ok"] / df["_one"].where(df["_one"] > 0)
    lo, hi = wilson_interval(out["numerator"], out["denominator"])
    out["ci_low"], out["ci_high"] = lo, hi
    out["warning"] = warning if warning else (
        f"fence {fence:.1f} CPV divisions over {len(pool)} winners; {len(flagged)} flagged")
    return out


_heterogeneous.ci_method = "wilson_flagged_supplier"

_SMS06 = next(i for i in SCOREBOARD if i.id == "SMS-06")

INTEGRITY = [
    _flag("RF-R003",
          "Awarded lot results whose submission period - from the first contract notice of "
          "the procedure to the lot's tender deadline (BT-131) - is shorter than the "
          "threshold (15 days by default).",
          "count(deadline - first CN date < days) / count(lot results with both dates)",
          lambda p: L("advert_days") < p.get("days", 15),
          [scope("no contract notice in the data", lambda p: ~L("first_cn_date").is_null()),
           need("submission deadline not reported", lambda p: ~L("advert_days").is_null())],
          CARDINAL + " (R003; default 15 days)",
          ("lots.submission_deadline?", "notices.publication_date"), crosswalk=("OT-I4",),
          params={"days": 15},
          limits="Uses the contract notice publication date where Cardinal uses the tender "
          "period start; per-procedure-type thresholds can be set through params."),
    _flag("RF-R018",
          "Awarded lot results of open or restricted procedures with exactly one tender.",
          "count(tenders = 1) / count(open/restricted lot results with a count)",
          lambda p: (L("tenders") == 1).fill_null(False),
          [_PTYPE, scope("not an open or restricted procedure",
                         lambda p: L("procedure_type").is_in(["open", "restricted"])),
           _TENDERS], CARDINAL + " (R018)",
          ("awards.tenders_received", "notices.procedure_type"),
          crosswalk=("SMS-01", "OT-I1")),
    _flag("OT-I1",
          "Awarded lot results of procedures with a call for competition that received one "
          "tender (Opentender INTEGRITY_SINGLE_BID; score 0 when flagged).",
          "count(tenders = 1) / count(competitive lot results with a count)",
          lambda p: (L("tenders") == 1).fill_null(False),
          [_PTYPE, scope("procedure without a call for competition",
                         lambda p: L("procedure_type") != "neg-wo-call"), _TENDERS],
          OPENTENDER, ("awards.tenders_received", "notices.procedure_type"),
          crosswalk=("SMS-01", "RF-R018"),
          limits="Opentender prefers the count of valid bids; notices give only tenders "
          "received."),
    _flag("OT-I2",
          "Awarded lot results of competitive procedures whose procedure has no contract "
          "notice published on or before the award notice.",
          "count(no prior CN) / count(competitive lot results)",
          lambda p: ~true("prior_call"),
          [_PTYPE, scope("procedure type without a call for competition",
                         lambda p: L("procedure_type").is_in(list(COMPETITIVE)))],
          OPENTENDER, ("notices.notice_type", "notices.procedure_id"), crosswalk=("SMS-10",),
          limits="Calls published outside the data look missing."),
    _flag("OT-I3",
          "Awarded lot results whose procedure is not open (BT-105 other than open).",
          "count(procedure_type != open) / count(lot results with a type)",
          lambda p: L("procedure_type") != "open", [_PTYPE], OPENTENDER,
          ("notices.procedure_type",), crosswalk=("SMS-02",),
          limits="Opentender scores some procedure types 50 (country-specific); here every "
          "non-open type counts as flagged."),
    _flag("OT-I4",
          "Mean days from the first contract notice of the procedure to the lot's tender "
          "deadline, over awarded lot results reporting both.",
          "sum(deadline - first CN date) / count(lot results with both)",
          lambda p: L("advert_days"),
          [scope("no contract notice in the data", lambda p: ~L("first_cn_date").is_null()),
           need("submission deadline not reported", lambda p: ~L("advert_days").is_null())],
          OPENTENDER, ("lots.submission_deadline?", "notices.publication_date"),
          crosswalk=("RF-R003",), unit="days", ci="cluster", direction="higher",
          limits="Opentender scores the period against country bands; the Finnish bands "
          "were not found, so the mean in days is reported."),
    Indicator(
        id="OT-I5", family="integrity",
        definition=_SMS06.definition, formula=_SMS06.formula,
        unit_of_analysis=_SMS06.unit_of_analysis, unit="days", weighting="count",
        direction="lower", fields=_SMS06.fields, source=OPENTENDER + "; same measure as SMS-06",
        measure=_SMS06.measure, crosswalk=("SMS-06",)),
    Indicator(
        id="RF-R048", family="integrity",
        definition="Share of awarded lot results won by a supplier whose awarded lots span "
        "a number of CPV divisions (2 digits) at or above the upper fence Q3 + 1.5 IQR, "
        "computed over suppliers with at least 20 procedures in the whole data.",
        formula="count(lot results won by flagged suppliers) / count(lot results with "
        "winner and CPV)", unit_of_analysis="lot result", unit="share", weighting="count",
        direction="lower", fields=("awards.winner_id", "lots.cpv_main"),
        source=CARDINAL + " (R048; digits 2, minimum 20 processes)",
        measure=Custom("lot_results", _heterogeneous,
                       reads=("winner_id", "cpv_main", "procedure_id")),
        params={"digits": 2, "min_processes": 20},
        limits="The fence is computed once over all data, not per breakdown group; "
        "percentiles use numpy's linear interpolation."),
    _flag("RF-R058",
          "Awarded lot results with exactly two tenders where the relative difference "
          "between the highest and the lowest tender value (BT-711, BT-710) is at least the "
          "threshold (0.50 by default); with two tenders the highest is the runner-up.",
          "count((high - low) / low >= threshold) / count(two-tender lot results with both)",
          lambda p: ((L("highest_tender_value_eur") - L("lowest_tender_value_eur"))
                     / L("lowest_tender_value_eur")) >= p.get("threshold", 0.5),
          [scope("not exactly two tenders", lambda p: (L("tenders") == 2)),
           need("lowest or highest tender value not reported",
                lambda p: ~L("lowest_tender_value_eur").is_null()
                & ~L("highest_tender_value_eur").is_null()
                & (L("lowest_tender_value_eur") > 0))],
          CARDINAL + " (R058)",
          ("awards.lowest_tender_value_eur?", "awards.highest_tender_value_eur?",
           "awards.tenders_received"), params={"threshold": 0.5},
          limits="Partial: notices give only the lowest and highest tender (BT-710/711), so "
          "only two-tender lots can be checked, and it is assumed the winner is the lowest "
          "bid; the fixed threshold replaces Cardinal's fence."),
]
