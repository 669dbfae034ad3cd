"""KEINO strategic shares (innovation, green, low-carbon, circular, social) and the
candidate definitions of the 10 % innovative-procurement target (FI-10PCT-*).

Units: awarded lot results (count) or their awarded euros. A lot result is
eligible when the source answered the question: a Hilma answer (true or
false), or for eForms measures any strategic-procurement field reported (a
code list value on BT-06/BT-774/BT-775/BT-776/BT-805). Lot results with no
answer are excluded and lower the coverage; they are never read as "no".
"""

from __future__ import annotations

from importlib import resources

import narwhals.stable.v2 as nw
import pandas as pd

from keino_metrics.indicators.codes import HILMA_ENV, HILMA_SOCIAL
from keino_metrics.indicators.families._build import (
    EFORMS_SOURCE,
    HILMA_SOURCE,
    OWN,
    L,
    any_of,
    known,
    need,
    reported,
    true,
)
from keino_metrics.indicators.keys import with_keys
from keino_metrics.indicators.spec import Custom, Indicator, Ratio

__all__ = ["STRATEGIC", "TEN_PERCENT", "EF_INNOV", "EF_INNOV_REASON", "EF_GREEN", "EF_SOCIAL", "EF_REPORTED"]


def EF_REPORTED(p=None) -> nw.Expr:
    """Any eForms strategic-procurement field reported on the lot."""
    return any_of(true(c) for c in ("sp_present", "env_any", "soc_any", "inn_any",
                                    "gpp_present"))


def EF_INNOV(p=None) -> nw.Expr:
    """BT-06 inn-pur, any BT-776 code, or an innovation partnership (BT-105)."""
    return true("sp_inn") | true("inn_any") | (L("procedure_type") == "innovation").fill_null(
        False)


def EF_GREEN(p=None) -> nw.Expr:
    """BT-06 env-imp, any BT-774 code or BT-805 in {eu, national, other}."""
    return true("sp_env") | true("env_any") | true("gpp_yes")


def EF_SOCIAL(p=None) -> nw.Expr:
    """BT-06 soc-obj or any BT-775 code."""
    return true("sp_soc") | true("soc_any")


def ef_eligible(p=None) -> nw.Expr:
    """The lot's notice reports the strategic-procurement aims (BT-06 present).

    An innovation-partnership procedure type alone does not make a lot eligible:
    before eForms no lot carries BT-06/BT-776, and counting those procedures as
    reported would leave a denominator made only of positives (a 100 % share).
    """
    return true("sp_present")


#: Reason given for lot results excluded from the eForms innovation shares.
EF_INNOV_REASON = "strategic fields not reported"


def _hilma_share(iid, col, definition, weight, crosswalk=(), family="strategic",
                 reference="", also_in=()):
    return Indicator(
        id=iid, family=family, definition=definition,
        formula=(f"count(lot results with {col} = yes) / count(lot results answering {col})"
                 if weight == "count" else
                 f"sum(value | {col} = yes) / sum(value | {col} answered)"),
        unit_of_analysis="lot result", unit="share", weighting=weight, direction="higher",
        fields=(f"hilma_statistics.{col}",) + (("awards.awarded_value_eur",)
                                               if weight == "eur" else ()),
        source=HILMA_SOURCE,
        measure=Ratio("lot_results", numerator=lambda p, c=col: true(c),
                      rules=(reported(col, f"Hilma question {col} not answered"),),
                      weight=weight, ci="wilson" if weight == "count" else "cluster"),
        crosswalk=crosswalk, reference_values=reference, also_in=also_in,
        limits="Hilma answers exist only for notices published in Hilma (national source); "
        "TED-only notices have none and are excluded, lowering coverage.")


def _combined(iid, definition, formula, num, eligible, fields, weight, crosswalk=(),
              family="strategic", limits="", reference="", also_in=(),
              reason="neither a Hilma answer nor an eForms strategic field reported"):
    return Indicator(
        id=iid, family=family, definition=definition, formula=formula,
        unit_of_analysis="lot result", unit="share", weighting=weight, direction="higher",
        fields=tuple(fields) + (("awards.awarded_value_eur",) if weight == "eur" else ()),
        source=f"{OWN}; fields: {HILMA_SOURCE}; {EFORMS_SOURCE}",
        measure=Ratio("lot_results", numerator=num,
                      rules=(need(reason, eligible),),
                      weight=weight, ci="wilson" if weight == "count" else "cluster"),
        crosswalk=crosswalk, limits=limits, reference_values=reference, also_in=also_in)


_MKT = "solution_new_to_market"
_BUY = "solution_new_to_buyer"
_N = {"N": "count", "EUR": "eur"}

STRATEGIC: list[Indicator] = []
for suf, w in _N.items():
    STRATEGIC.append(_hilma_share(
        f"KEINO-INNOV-MKT-{suf}",
        _MKT,
        "Share of awarded lot results whose solution (or part of it) is new to the market or "
        "industry, by the buyer's Hilma answer (solutionNewToMarketOrIndustry).", w,
        crosswalk=(f"FI-10PCT-MKT-{suf}", "FI-INNOV-MKT"),
        reference="5 % of procurements in 2020 (KEINO survey, FI-INNOV-MKT; survey share, "
        "not a lot share)"))
    STRATEGIC.append(_hilma_share(
        f"KEINO-INNOV-BUY-{suf}",
        _BUY,
        "Share of awarded lot results whose solution (or part of it) is new to the buyer "
        "(Hilma solutionNewToBuyer).", w, crosswalk=(f"FI-10PCT-BUY-{suf}", "FI-INNOV-BUY"),
        reference="45 % in 2020 (KEINO survey, FI-INNOV-BUY); 15-18 % in the 2018 survey"))
    STRATEGIC.append(_combined(
        f"KEINO-INNOV-EF-{suf}",
        "Share of awarded lot results flagged as innovative in eForms: BT-06 = inn-pur, any "
        "BT-776 code, or an innovation-partnership procedure (BT-105 = innovation), among "
        "lot results whose notice reports the strategic-procurement aims (BT-06 present). "
        "Lot results without BT-06 - all lots before eForms, including innovation "
        "partnerships whose only evidence is the procedure type - are excluded ('strategic "
        "fields not reported'), so the denominator never consists of positives by "
        "construction.",
        "flag(inn-pur | BT-776 | innovation partnership) / lots with BT-06", EF_INNOV,
        ef_eligible,
        ("lots.strategic_procurement", "lots.innovation", "notices.procedure_type"), w,
        crosswalk=(f"EF-INNOV-{suf}", f"FI-10PCT-EF-{suf}"), reason=EF_INNOV_REASON,
        limits="Strategic fields are rare in notices and optional in eForms: coverage is "
        "usually low."))
    STRATEGIC.append(_combined(
        f"KEINO-GREEN-{suf}",
        "Share of awarded lot results with an environmental aim: any Hilma environmental "
        "answer yes (energy efficiency, low carbon, circular economy, biodiversity, "
        "sustainable food, listed green criteria) or eForms BT-06 = env-imp, any BT-774 code, "
        "or BT-805 in {eu, national, other}.",
        "flag(any Hilma env yes | env-imp | BT-774 | BT-805) / eligible",
        lambda p: any_of(true(c) for c in HILMA_ENV) | EF_GREEN(),
        lambda p: any_of(known(c) for c in HILMA_ENV) | EF_REPORTED(),
        [*(f"hilma_statistics.{c}" for c in HILMA_ENV), "lots.strategic_procurement",
         "lots.green_procurement", "lots.gpp_criteria"], w, crosswalk=(f"EF-GREEN-{suf}",),
        reference="66 % of municipal calls for tender had an environmental aspect in 2017, "
        "44 % a clearly defined criterion (SYKE, FI-ENV-2017; calls, not awards)"))
    STRATEGIC.append(_combined(
        f"KEINO-SOCIAL-{suf}",
        "Share of awarded lot results with a social aim: Hilma fair working conditions, "
        "employment condition or code of conduct answered yes, or eForms BT-06 = soc-obj or "
        "any BT-775 code.", "flag(Hilma social yes | soc-obj | BT-775) / eligible",
        lambda p: any_of(true(c) for c in HILMA_SOCIAL) | EF_SOCIAL(),
        lambda p: any_of(known(c) for c in HILMA_SOCIAL) | EF_REPORTED(),
        [*(f"hilma_statistics.{c}" for c in HILMA_SOCIAL), "lots.strategic_procurement",
         "lots.social_objective"], w, crosswalk=(f"EF-SOCIAL-{suf}",),
        limits="Reserved contracts (BT-71/BT-736) are not in the canonical tables."))

STRATEGIC += [
    _hilma_share("KEINO-INNOV-CONS-N",
                 "innovation_considered",
                 "Share of awarded lot results whose preparation considered the need and "
                 "opportunities for innovation (Hilma innovationConsidered).", "count"),
    _combined("KEINO-LOWCARBON-N",
              "Share of awarded lot results that promote low carbon emissions: Hilma lowCarbon "
              "yes or eForms BT-774 = clim-mitig (climate change mitigation).",
              "flag(lowCarbon | clim-mitig) / eligible",
              lambda p: true("low_carbon") | true("env_clim_mitig"),
              lambda p: known("low_carbon") | EF_REPORTED(),
              ["hilma_statistics.low_carbon", "lots.green_procurement"], "count",
              limits="BT-774 clim-mitig is the closest eForms code; it is broader than low "
              "carbon."),
    _combined("KEINO-CIRC-N",
              "Share of awarded lot results that promote the circular economy: Hilma "
              "circularEconomy yes or eForms BT-774 = circ-econ.",
              "flag(circularEconomy | circ-econ) / eligible",
              lambda p: true("circular_economy") | true("env_circ_econ"),
              lambda p: known("circular_economy") | EF_REPORTED(),
              ["hilma_statistics.circular_economy", "lots.green_procurement"], "count",
              crosswalk=("EF-GREEN-CIRC-ECON",)),
    _combined("KEINO-GPP-N",
              "Share of awarded lot results using Motiva, ecolabel or EU GPP criteria: Hilma "
              "listedGreenCriteriaUsed yes or BT-805 in {eu, national, other}.",
              "flag(listedGreenCriteriaUsed | BT-805 used) / eligible",
              lambda p: true("listed_green_criteria_used") | true("gpp_yes"),
              lambda p: known("listed_green_criteria_used") | true("gpp_present"),
              ["hilma_statistics.listed_green_criteria_used", "lots.gpp_criteria"], "count",
              crosswalk=("EF-GPP",),
              limits="Hilma asks the question only when an environmental answer is yes."),
]

# ---------------------------------------------------------------------------
# the 10 % target: one id per candidate definition
# ---------------------------------------------------------------------------
_TEN = ("Candidate operationalisation of the Government's 10 % innovative-procurement "
        "target (no official one exists). ")
TEN_PERCENT: list[Indicator] = []
for suf, w in _N.items():
    TEN_PERCENT.append(_hilma_share(
        f"FI-10PCT-MKT-{suf}",
        _MKT,
        _TEN + "Hilma solutionNewToMarketOrIndustry as a share of awarded lot results.", w,
        crosswalk=(f"KEINO-INNOV-MKT-{suf}", "FI-INNOV-MKT"), family="innovation-target",
        also_in=("strategic",)))
    TEN_PERCENT.append(_hilma_share(
        f"FI-10PCT-BUY-{suf}",
        _BUY,
        _TEN + "Hilma solutionNewToBuyer as a share of awarded lot results.", w,
        crosswalk=(f"KEINO-INNOV-BUY-{suf}", "FI-INNOV-BUY"), family="innovation-target",
        also_in=("strategic",)))
    TEN_PERCENT.append(_combined(
        f"FI-10PCT-EF-{suf}",
        _TEN + "eForms BT-06 = inn-pur, BT-776 or innovation partnership as a share of "
        "awarded lot results whose notice reports BT-06 (lot results without BT-06, "
        "innovation partnerships included, are excluded: strategic fields not reported).",
        "flag(inn-pur | BT-776 | innovation partnership) / lots with BT-06", EF_INNOV,
        ef_eligible,
        ("lots.strategic_procurement", "lots.innovation", "notices.procedure_type"), w,
        crosswalk=(f"KEINO-INNOV-EF-{suf}", f"EF-INNOV-{suf}"), family="innovation-target",
        also_in=("strategic",), reason=EF_INNOV_REASON))


def _volume_table() -> pd.DataFrame:
    path = resources.files("keino_metrics") / "data" / "indicators" / \
        "fi_procurement_volume.csv"
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh)


def _mkt_over_national(frames, ind, keys, params):
    """Awarded euros of new-to-market lot results over the national market volume."""
    vol = _volume_table()
    row = vol[vol["scope"] == params.get("scope", "competitive_markets")].iloc[0]
    lr = frames.frame("lot_results")
    gk = list(keys)
    q = (with_keys(lr, gk)
         .with_columns(
             (true(_MKT) & ~L("value_eur").is_null()).cast(nw.Float64).alias("_yes"),
             nw.when(true(_MKT)).then(L("value_eur").fill_null(0.0)).otherwise(0.0)
             .alias("_v"),
             (L(_MKT).is_null()).cast(nw.Float64).alias("_na"),
             nw.lit(1.0).alias("_one")))
    if gk:
        q = q.group_by(*gk).agg(L("_v").sum(), L("_yes").sum(), L("_na").sum(),
                                L("_one").sum())
    else:
        q = q.select(L("_v").sum(), L("_yes").sum(), L("_na").sum(), L("_one").sum())
    df = frames.collect(q)
    out = df[gk].copy()
    out["numerator"] = df["_v"].astype(float)
    out["denominator"] = float(row["value_eur"])
    out["value"] = out["numerator"] / out["denominator"]
    out["n_eligible"] = df["_one"] - df["_na"]
    out["excluded"] = df["_na"]
    out["excluded_reasons"] = [f"Hilma question not answered: {int(x)}" if x else ""
                               for x in df["_na"]]
    out["coverage"] = (df["_one"] - df["_na"]) / df["_one"].where(df["_one"] > 0)
    out["ci_low"] = float("nan")
    out["ci_high"] = float("nan")
    out["warning"] = (f"denominator is the {int(row['year'])} estimate of public procurement "
                      f"from {row['scope'].replace('_', ' ')} (EUR {row['value_eur'] / 1e9:.0f} "
                      "bn) for every period; lot results without an answer count as not new")
    return out


_mkt_over_national.ci_method = "none_national_denominator"

TEN_PERCENT.append(Indicator(
    id="FI-10PCT-MKT-VOL31", family="innovation-target",
    definition=_TEN + "Awarded euros of lot results whose solution is new to the market "
    "(Hilma) divided by the national volume of public procurement from competitive markets "
    "(EUR 31 bn, 2018).",
    formula="sum(value | new to market) / 31e9", unit_of_analysis="lot result", unit="share",
    weighting="eur", direction="higher",
    fields=(f"hilma_statistics.{_MKT}", "awards.awarded_value_eur"),
    source="Volume: VTT/PTT/Owal/PTCS study for VN TEAS, 9.6.2021 (FI-VOL); numerator: "
    + HILMA_SOURCE,
    measure=Custom("lot_results", _mkt_over_national, reads=(_MKT, "value_eur")), crosswalk=("FI-VOL", "KEINO-VOL-EUR"),
    limits="Notices cover only part of procurement (small purchases and in-house are absent), "
    "so this is a lower bound; the denominator is fixed at its 2018 estimate.",
    params={"scope": "competitive_markets"}, also_in=("strategic",)))
