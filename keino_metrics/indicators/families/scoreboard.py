"""EU Single Market Scoreboard public-procurement indicators (SMS-01..SMS-13).

The Scoreboard computes them from TED notices by count; here they run on every
source in the data (break down ``by="source"`` to separate TED from Hilma).
"""

from __future__ import annotations

from importlib import resources

import narwhals.stable.v2 as nw
import pandas as pd

from keino_metrics.indicators.families._build import (
    COMPETITIVE,
    SME_SIZES,
    SMS_SOURCE,
    L,
    need,
    scope,
    true,
)
from keino_metrics.indicators.keys import with_keys
from keino_metrics.indicators.spec import Custom, Indicator, Ratio

_FA = scope("framework agreement (excluded by the Scoreboard)",
            lambda p: ~L("framework_agreement").fill_null(False))
_TENDERS = need("tenders received not reported", lambda p: (L("tenders") >= 1).fill_null(False))
_PTYPE = need("procedure type not reported", lambda p: ~L("procedure_type").is_null())
#: A Finnish business id, bare or as the readers write it (prefixed by the country).
_REGNO = r"^(?:FI-)?[0-9]{7}-[0-9]$"
#: Source formats that are TED publications.
TED_SOURCES = ("eforms", "ted-legacy", "ted-csv")


def gdp_table() -> pd.DataFrame:
    """Finnish GDP at current prices by year (``year``, ``gdp_eur``, ``status``, ``source``)."""
    path = resources.files("keino_metrics") / "data" / "indicators" / "gdp_finland.csv"
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#")


def _publication_rate(frames, ind, keys, params):
    """Awarded euros of TED-published lot results over Finnish GDP of the same year."""
    gdp = gdp_table()
    gk = list(dict.fromkeys([*keys, "year"]))
    lr = with_keys(frames.frame("lot_results"), gk)
    ted = L("source").is_in(list(TED_SOURCES)).fill_null(False)
    q = (lr.with_columns(
        nw.when(ted).then(L("value_eur").fill_null(0.0)).otherwise(0.0).alias("_v"),
        (ted & L("value_eur").is_null()).cast(nw.Float64).alias("_miss"),
        ted.cast(nw.Float64).alias("_ted"))
        .group_by(*gk).agg(L("_v").sum(), L("_miss").sum(), L("_ted").sum()))
    df = frames.collect(q).merge(gdp[["year", "gdp_eur", "status"]], on="year", how="left")
    warn_years = sorted(int(y) for y in df.loc[df["gdp_eur"].isna(), "year"].unique())
    approx = sorted(int(y) for y in df.loc[df["status"].fillna("") != "verified", "year"]
                    .unique() if y not in warn_years)
    df = df[df["gdp_eur"].notna()]
    if keys:
        kk = [k for k in keys]
        g = df.groupby(kk, dropna=False)[["_v", "_miss", "_ted", "gdp_eur"]].sum().reset_index()
        if "year" not in keys:
            # GDP of each year counted once, not once per group row
            years = df.groupby(kk, dropna=False)["year"].unique()
            g["gdp_eur"] = [gdp.set_index("year").loc[list(ys), "gdp_eur"].sum()
                            for ys in years]
    else:
        g = pd.DataFrame({"_v": [df["_v"].sum()], "_miss": [df["_miss"].sum()],
                          "_ted": [df["_ted"].sum()],
                          "gdp_eur": [gdp.set_index("year").loc[sorted(df["year"].unique()),
                                                                "gdp_eur"].sum()]})
    out = g[keys].copy() if keys else pd.DataFrame(index=g.index)
    out["numerator"] = g["_v"].astype(float)
    out["denominator"] = g["gdp_eur"].astype(float)
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    out["n_eligible"] = g["_ted"] - g["_miss"]
    out["excluded"] = g["_miss"]
    out["excluded_reasons"] = [f"awarded value not reported: {int(m)}" if m else ""
                               for m in g["_miss"]]
    out["coverage"] = (g["_ted"] - g["_miss"]) / g["_ted"].where(g["_ted"] > 0)
    out["ci_low"] = float("nan")
    out["ci_high"] = float("nan")
    msgs = []
    if warn_years:
        msgs.append(f"no GDP figure for {warn_years}: those years are left out")
    if approx:
        msgs.append(f"GDP for {approx} is not verified against Statistics Finland; "
                    "check keino_metrics/data/indicators/gdp_finland.csv")
    out["warning"] = "; ".join(msgs) or None
    return out


_publication_rate.ci_method = "none_census"


def _sms(iid, definition, formula, frame, num, rules, unit_of_analysis="lot result",
         direction="lower", fields=(), crosswalk=(), limits="", reference="", also_in=(),
         ci="wilson", denominator=None, unit="share"):
    return Indicator(
        id=iid, family="scoreboard", definition=definition, formula=formula,
        unit_of_analysis=unit_of_analysis, unit=unit, weighting="count", direction=direction,
        fields=tuple(fields), source=SMS_SOURCE,
        measure=Ratio(frame, numerator=num, denominator=denominator, rules=tuple(rules), ci=ci),
        crosswalk=crosswalk, limits=limits, reference_values=reference, also_in=also_in)


SCOREBOARD = [
    _sms("SMS-01",
         "Share of awarded lot results with exactly one tender received, among lot results "
         "reporting a tender count; framework agreements are excluded as in the Scoreboard.",
         "count(tenders = 1) / count(tenders >= 1, not framework)", "lot_results",
         lambda p: (L("tenders") == 1).fill_null(False), [_FA, _TENDERS],
         fields=("awards.tenders_received", "lots.framework_agreement"),
         crosswalk=("OT-I1", "RF-R018", "KEINO-MKT-TENDERS"), also_in=("markets",),
         reference="EU average 28 % (Scoreboard 2024)"),
    _sms("SMS-02",
         "Share of procedures with a result that were negotiated without prior publication "
         "(BT-105 = neg-wo-call).", "count(neg-wo-call) / count(procedures with a type)",
         "procedures", lambda p: (L("procedure_type") == "neg-wo-call").fill_null(False),
         [_PTYPE], unit_of_analysis="procedure", fields=("notices.procedure_type",),
         crosswalk=("OT-I3",), reference="EU average 5 % (Scoreboard 2024)"),
    Indicator(
        id="SMS-03", family="scoreboard",
        definition="Awarded euros of lot results published on TED (sources eforms, "
        "ted-legacy, ted-csv) divided by Finland's GDP at current prices of the same year.",
        formula="sum(value of TED lot results) / GDP", unit_of_analysis="lot result",
        unit="share", weighting="eur", direction="higher",
        fields=("awards.awarded_value_eur", "notices.source"), source=SMS_SOURCE + "; GDP: "
        "Statistics Finland annual national accounts (keino_metrics/data/indicators/"
        "gdp_finland.csv)", measure=Custom("lot_results", _publication_rate,
                                         reads=("source", "value_eur", "year")),
        limits="The Scoreboard uses the value advertised on TED (estimates and awards); here "
        "only awarded values are summed, so the rate is lower.",
        reference_values="EU average 5.8 % (Scoreboard 2024)"),
    _sms("SMS-04",
         "Share of procedures with a result that involve more than one buyer (different buyer "
         "ids on the procedure's notices) or a central purchasing body (notices column "
         "central_purchasing_body, when a reader provides it).",
         "count(cooperative) / count(procedures)", "procedures",
         lambda p: true("cooperative"), [], unit_of_analysis="procedure", direction="higher",
         fields=("notices.buyer_id", "notices.central_purchasing_body+"),
         crosswalk=("OT-A1",), also_in=("markets",),
         limits="The canonical notices carry only the lead buyer; joint buyers on the same "
         "notice and purchases through Hansel or other central purchasing bodies are seen "
         "only when a reader fills central_purchasing_body. Treat the value as a lower bound."),
    _sms("SMS-05",
         "Share of awarded lot results whose only award criterion is price (BT-539).",
         "count(price only) / count(lot results with criteria)", "lot_results",
         lambda p: true("price_only_award"),
         [need("award criteria not reported", lambda p: ~L("price_only_award").is_null())],
         fields=("lots.price_only_award",), reference="EU average 54 % (Scoreboard 2024)"),
    _sms("SMS-06",
         "Mean days from the tender submission deadline (BT-131) to the award decision "
         "(BT-1451) over awarded lot results reporting both; a decision before the deadline "
         "is excluded as implausible.",
         "sum(decision_date - deadline) / count(lot results with both dates)", "lot_results",
         lambda p: L("decision_days"),
         [need("submission deadline or decision date not reported",
               lambda p: ~L("decision_days").is_null()),
          scope("decision before the deadline (implausible)",
                lambda p: L("decision_days") >= 0)],
         fields=("lots.submission_deadline?", "awards.decision_date"),
         crosswalk=("OT-I5",), ci="cluster", unit="days",
         reference="EU average 74 days (Scoreboard 2024)"),
    _sms("SMS-07",
         "Share of awarded lot results won by an SME (BT-165 micro, small, medium or sme) "
         "among lot results reporting the winner's size.",
         "count(SME winner) / count(winner size known)", "lot_results",
         lambda p: L("winner_size").is_in(list(SME_SIZES)).fill_null(False),
         [need("winner size not reported", lambda p: ~L("winner_size").is_null())],
         direction="higher", fields=("awards.winner_size",), also_in=("markets",),
         reference="EU average 71 % (Scoreboard 2024)"),
    _sms("SMS-08",
         "Tenders received from SMEs over all tenders received, summed over awarded lot "
         "results reporting both counts (BT-759 with BT-760 t-sme or t-micro+t-small+t-med, "
         "and tenders).", "sum(sme tenders) / sum(tenders)", "lot_results",
         lambda p: L("sme_tenders"),
         [_TENDERS, need("SME tenders not reported", lambda p: ~L("sme_tenders").is_null()),
          scope("more SME tenders than tenders (inconsistent)",
                lambda p: L("sme_tenders") <= L("tenders"))],
         unit_of_analysis="tender", direction="higher",
         fields=("awards.tenders_received", "awards.sme_tenders_received"),
         denominator=lambda p: L("tenders"), ci="cluster", also_in=("markets",),
         reference="EU average 72 % (Scoreboard 2024)"),
    _sms("SMS-09",
         "Share of procedures with a result that have two or more distinct lots (BT-137) "
         "over their contract and award notices.", "count(n_lots >= 2) / count(procedures)",
         "procedures", lambda p: (L("n_lots") >= 2).fill_null(False), [],
         unit_of_analysis="procedure", direction="higher", fields=("lots.lot_id",),
         also_in=("markets",), reference="EU average 32 % (Scoreboard 2024)"),
    _sms("SMS-10",
         "Share of award notices of competitive procedures (open, restricted, negotiated with "
         "call, competitive dialogue, innovation partnership) with no contract notice of the "
         "same procedure published on or before the award notice.",
         "count(no prior CN) / count(award notices of competitive procedures)", "notices",
         lambda p: ~true("prior_call"),
         [scope("not an award notice", lambda p: L("notice_type") == "can"), _PTYPE,
          scope("procedure type without a call for competition",
                lambda p: L("procedure_type").is_in(list(COMPETITIVE)))],
         unit_of_analysis="notice", fields=("notices.notice_type", "notices.procedure_id"),
         crosswalk=("OT-I2",),
         limits="A call published outside the data (another source, before the data starts) "
         "looks missing: restrict to periods and sources fully covered."),
    _sms("SMS-11",
         "Share of awarded lot results whose winner has no Finnish business ID (y-tunnus, "
         "NNNNNNN-N) as its identifier.",
         "count(winner id not a business id) / count(lot results)", "lot_results",
         lambda p: ~L("winner_id").str.contains(_REGNO).fill_null(False), [],
         unit_of_analysis="lot result", fields=("awards.winner_id",),
         limits="Foreign winners with a valid national registration number count as missing; "
         "break down by source and read together with the winner's country."),
    _sms("SMS-12",
         "Share of award notices in which at least one awarded lot result has no value.",
         "count(award notices with a missing value) / count(award notices with a winner)",
         "notices", lambda p: L("n_value_missing") > 0,
         [scope("not an award notice with a winner",
                lambda p: (L("notice_type") == "can") & (L("n_awarded") > 0))],
         unit_of_analysis="notice", fields=("awards.awarded_value_eur",),
         crosswalk=("DQ-AWARDS-AWARDED_VALUE_EUR",)),
    _sms("SMS-13",
         "Share of awarded lot results flagged as green, social or innovative in BT-06 "
         "(env-imp, soc-obj or inn-pur), over all awarded lot results.",
         "count(BT-06 strategic) / count(lot results)", "lot_results",
         lambda p: true("sp_env") | true("sp_soc") | true("sp_inn"), [],
         direction="higher", fields=("lots.strategic_procurement",),
         crosswalk=("EF-STRAT-N",)),
]
