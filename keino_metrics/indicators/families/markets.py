"""Markets and public-private cooperation: competition, dialogue, innovation
partnerships, supplier concentration, SME participation considered."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from keino_metrics.indicators.families._build import HILMA_SOURCE, OWN, L, need, scope, true
from keino_metrics.indicators.keys import with_keys
from keino_metrics.indicators.spec import Custom, Indicator, Ratio
from keino_metrics.indicators.stats import cluster_ratio_interval


def _concentration(frames, ind, keys, params):
    """Per-buyer supplier concentration (HHI or top-supplier share), mean over buyers."""
    gk = [k for k in keys if k != "buyer_id"]
    bk = [*gk, "buyer_id"]
    memo = ("concentration", tuple(gk))
    if memo not in frames.memo:  # HHI and top-supplier share read the same sums
        lr = frames.frame("lot_results")
        ok = ~L("value_eur").is_null() & ~L("winner_id").is_null() & (L("value_eur") > 0)
        base = with_keys(lr, bk)
        counts = frames.collect(
            base.with_columns(ok.cast(nw.Float64).alias("_ok"), nw.lit(1.0).alias("_one"))
            .group_by(*bk).agg(L("_ok").sum(), L("_one").sum()))
        # buyer x winner sums, buyer totals and the per-buyer statistic stay in the
        # engine; only one row per group and buyer is collected
        pairs = (base.filter(ok).with_columns(L("value_eur").cast(nw.Float64).alias("v"))
                 .group_by(*bk, "winner_id").agg(L("v").sum()))
        totals = pairs.group_by(*bk).agg(L("v").sum().alias("vtot"))
        shares = pairs.join(totals, on=bk, how="inner").with_columns(
            (L("v") / L("vtot")).alias("s")).with_columns((L("s") * L("s")).alias("s2"))
        frames.memo[memo] = (counts, frames.collect(
            shares.group_by(*bk).agg(L("s2").sum().alias("hhi"), L("s").max().alias("top"))))
    counts, per = (f.copy() for f in frames.memo[memo])
    stat = "hhi" if params.get("statistic", "hhi") == "hhi" else "top"
    per = per[[*bk, stat]].rename(columns={stat: "y"})
    per["x"] = 1.0
    c = counts.groupby(gk, dropna=False)[["_ok", "_one"]].sum().reset_index() if gk else \
        pd.DataFrame({"_ok": [counts["_ok"].sum()], "_one": [counts["_one"].sum()]})
    if gk:
        tot = per.groupby(gk, dropna=False)[["y", "x"]].sum().reset_index()
        out = c.merge(tot, on=gk, how="left")
    else:
        out = c.assign(y=per["y"].sum(), x=float(len(per)))
    out["y"] = out["y"].fillna(0.0)
    out["x"] = out["x"].fillna(0.0)
    out["value"] = np.where(out["x"] > 0, out["y"] / out["x"].where(out["x"] > 0), np.nan)
    out["numerator"] = out["y"]
    out["denominator"] = out["x"]
    out["n_eligible"] = out["x"]
    miss = out["_one"] - out["_ok"]
    out["excluded"] = miss
    out["excluded_reasons"] = [f"lot results without value or winner: {int(m)}" if m else ""
                               for m in miss]
    out["coverage"] = out["_ok"] / out["_one"].where(out["_one"] > 0)
    ci = cluster_ratio_interval(per, gk, "y", "x", bounds=(0.0, 1.0))
    out = out.merge(ci[[*gk, "ci_low", "ci_high"]], on=gk, how="left") if gk else \
        out.assign(ci_low=ci["ci_low"].iloc[0], ci_high=ci["ci_high"].iloc[0])
    if "buyer_id" in keys:
        # one buyer per group: the breakdown is the buyer itself
        out = per.rename(columns={"y": "value"}).assign(numerator=lambda d: d["value"],
                                                         denominator=1.0)
        cc = counts.rename(columns={"_ok": "ok", "_one": "one"})
        out = cc.merge(out, on=bk, how="left")
        out["n_eligible"] = out["ok"]
        out["excluded"] = out["one"] - out["ok"]
        out["excluded_reasons"] = [f"lot results without value or winner: {int(m)}" if m
                                   else "" for m in out["excluded"]]
        out["coverage"] = out["ok"] / out["one"]
        out["ci_low"] = np.nan
        out["ci_high"] = np.nan
        out = out[[*keys, "value", "numerator", "denominator", "n_eligible", "excluded",
                   "excluded_reasons", "coverage", "ci_low", "ci_high"]]
    return out[[*keys, "value", "numerator", "denominator", "n_eligible", "excluded",
                "excluded_reasons", "coverage", "ci_low", "ci_high"]]


#: Lot-result columns the concentration indicators read.
_CONCENTRATION_READS = ("value_eur", "winner_id", "buyer_id")

_concentration.ci_method = "mean_over_buyers"


def _hhi(frames, ind, keys, params):
    return _concentration(frames, ind, keys, {**params, "statistic": "hhi"})


def _top(frames, ind, keys, params):
    return _concentration(frames, ind, keys, {**params, "statistic": "top"})


_hhi.ci_method = _top.ci_method = _concentration.ci_method

MARKETS = [
    Indicator(
        id="KEINO-MKT-TENDERS", family="markets",
        definition="Mean number of tenders received (BT-759 with BT-760 = tenders) per awarded "
        "lot result reporting a count of at least one.",
        formula="sum(tenders_received) / count(lot results with a count)",
        unit_of_analysis="lot result", unit="ratio", weighting="count", direction="higher",
        fields=("awards.tenders_received",), source=OWN,
        measure=Ratio("lot_results", numerator=lambda p: L("tenders"),
                      rules=(need("tenders received not reported",
                                  lambda p: (L("tenders") >= 1).fill_null(False)),),
                      ci="cluster"),
        crosswalk=("SMS-01", "OT-I1")),
    Indicator(
        id="KEINO-MKT-DIALOGUE", family="markets",
        definition="Share of procedures with a contract notice in which a prior information "
        "notice (PIN) of the same procedure was published before the first contract notice.",
        formula="count(PIN date < first CN date) / count(procedures with a CN)",
        unit_of_analysis="procedure", unit="share", weighting="count", direction="higher",
        fields=("notices.notice_type", "notices.publication_date", "notices.procedure_id"),
        source=OWN, measure=Ratio("procedures", numerator=lambda p: true("pin_before_cn"),
                                  rules=(scope("no contract notice in the data",
                                               lambda p: ~L("first_cn_date").is_null()),)),
        crosswalk=("FI-DIALOGUE",),
        limits="Only dialogue announced by a PIN linked by the procedure id counts; "
        "meetings, RFIs and PINs under another id are invisible.",
        reference_values="57 % of new-to-buyer procurements used market dialogue (KEINO "
        "survey 2020, FI-DIALOGUE; survey, not notices)"),
    Indicator(
        id="KEINO-MKT-INNOVPART", family="markets",
        definition="Share of procedures with a result whose procedure type is innovation "
        "partnership (BT-105 = innovation).",
        formula="count(procedure_type = innovation) / count(procedures with a type)",
        unit_of_analysis="procedure", unit="share", weighting="count", direction="higher",
        fields=("notices.procedure_type",), source=OWN,
        measure=Ratio("procedures",
                      numerator=lambda p: (L("procedure_type") == "innovation").fill_null(False),
                      rules=(need("procedure type not reported",
                                  lambda p: ~L("procedure_type").is_null()),))),
    Indicator(
        id="KEINO-MKT-HHI", family="markets",
        definition="Herfindahl-Hirschman index of each buyer's awarded euros over its "
        "winners in the group, averaged over buyers (0-1; 1 = one supplier).",
        formula="mean_b sum_w (value_bw / value_b)^2", unit_of_analysis="organisation",
        unit="index", weighting="eur", direction="lower",
        fields=("awards.winner_id", "awards.awarded_value_eur"), source=OWN,
        measure=Custom("lot_results", _hhi, reads=_CONCENTRATION_READS),
        crosswalk=("KEINO-MKT-TOPSHARE", "OT-I8"),
        limits="Winner ids must be stable across notices; a buyer with one contract has "
        "HHI 1 by construction."),
    Indicator(
        id="KEINO-MKT-TOPSHARE", family="markets",
        definition="Share of each buyer's awarded euros going to its largest winner in the "
        "group, averaged over buyers.",
        formula="mean_b max_w value_bw / value_b", unit_of_analysis="organisation",
        unit="share", weighting="eur", direction="lower",
        fields=("awards.winner_id", "awards.awarded_value_eur"), source=OWN,
        measure=Custom("lot_results", _top, reads=_CONCENTRATION_READS),
        crosswalk=("KEINO-MKT-HHI", "OT-I8")),
    Indicator(
        id="FI-SME-CONS", family="markets",
        definition="Share of contract, award and VEAT notices answering Hilma "
        "smeParticipationConsidered with yes on any lot.",
        formula="count(notices with yes) / count(notices answering)",
        unit_of_analysis="notice", unit="share", weighting="count", direction="higher",
        fields=("hilma_statistics.sme_participation_considered",), source=HILMA_SOURCE,
        measure=Ratio("notices", numerator=lambda p: true("sme_considered"),
                      rules=(scope("not a contract, award or VEAT notice",
                                   lambda p: L("notice_type").is_in(["cn", "can", "veat"])),
                             need("Hilma question not answered",
                                  lambda p: ~L("sme_considered").is_null()))),
        crosswalk=("SMS-07", "SMS-08"),
        reference_values="80.9 % in 2022, 83 % in 2023 year-to-date (tutkihallintoa.fi, "
        "Hankintastrategian seuranta)"),
]
