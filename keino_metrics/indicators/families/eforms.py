"""eForms strategic-procurement shares (EF-*): this library's definitions from the
fields BT-06, BT-774, BT-775, BT-776, BT-805, BT-754 and the Clean Vehicles
Directive statistics (OPT-155/156), on awarded lot results."""

from __future__ import annotations

from keino_metrics.indicators.codes import ENV_CODES, env_flag
from keino_metrics.indicators.families._build import EFORMS_SOURCE, OWN, L, need, true
from keino_metrics.indicators.families.strategic import (
    EF_GREEN,
    EF_INNOV,
    EF_INNOV_REASON,
    EF_REPORTED,
    EF_SOCIAL,
    ef_eligible,
)
from keino_metrics.indicators.spec import Indicator, Ratio

SRC = f"{OWN}; fields: {EFORMS_SOURCE}"
_ELIG = need("no eForms strategic-procurement field reported", lambda p: EF_REPORTED())


def _ef(iid, definition, formula, num, weight="count", rules=(_ELIG,), fields=(),
        crosswalk=(), limits="", direction="higher"):
    return Indicator(
        id=iid, family="eforms", definition=definition, formula=formula,
        unit_of_analysis="lot result", unit="share", weighting=weight, direction=direction,
        fields=tuple(fields) + (("awards.awarded_value_eur",) if weight == "eur" else ()),
        source=SRC, measure=Ratio("lot_results", numerator=num, rules=rules, weight=weight,
                                  ci="wilson" if weight == "count" else "cluster"),
        crosswalk=crosswalk, limits=limits or "Strategic fields are optional and rare in "
        "notices: read the coverage.")


_W = {"N": "count", "EUR": "eur"}
EFORMS: list[Indicator] = []
for suf, w in _W.items():
    EFORMS += [
        _ef(f"EF-STRAT-{suf}",
            "Lot results whose BT-06 aims include env-imp, soc-obj or inn-pur, among lot "
            "results with BT-06 reported.", "flag(BT-06 in {env-imp, soc-obj, inn-pur}) / "
            "lots with BT-06",
            lambda p: true("sp_env") | true("sp_soc") | true("sp_inn"), w,
            rules=(need("BT-06 not reported", lambda p: true("sp_present")),),
            fields=("lots.strategic_procurement",), crosswalk=("SMS-13",)),
        _ef(f"EF-GREEN-{suf}",
            "BT-06 = env-imp, any BT-774 code, or BT-805 in {eu, national, other}.",
            "flag(green) / lots reporting strategic fields", EF_GREEN, w,
            fields=("lots.strategic_procurement", "lots.green_procurement",
                    "lots.gpp_criteria"), crosswalk=(f"KEINO-GREEN-{suf}",)),
        _ef(f"EF-SOCIAL-{suf}",
            "BT-06 = soc-obj or any BT-775 code.", "flag(social) / lots reporting strategic "
            "fields", EF_SOCIAL, w,
            fields=("lots.strategic_procurement", "lots.social_objective"),
            crosswalk=(f"KEINO-SOCIAL-{suf}",),
            limits="Reserved contracts (BT-71/BT-736) are not in the canonical tables."),
        Indicator(
            id=f"EF-INNOV-{suf}", family="eforms",
            definition="BT-06 = inn-pur, any BT-776 code, or BT-105 = innovation, among lot "
            "results whose notice reports BT-06; lot results without BT-06 (innovation "
            "partnerships included) are excluded as 'strategic fields not reported'.",
            formula="flag(innovation) / lots with BT-06", unit_of_analysis="lot result", unit="share", weighting=w,
            direction="higher",
            fields=("lots.strategic_procurement", "lots.innovation", "notices.procedure_type")
            + (("awards.awarded_value_eur",) if w == "eur" else ()),
            source=SRC, measure=Ratio(
                "lot_results", numerator=EF_INNOV,
                rules=(need(EF_INNOV_REASON, ef_eligible),),
                weight=w, ci="wilson" if w == "count" else "cluster"),
            crosswalk=(f"KEINO-INNOV-EF-{suf}", f"FI-10PCT-EF-{suf}")),
    ]

EFORMS += [
    _ef("EF-GPP",
        "Lot results with BT-805 in {eu, national, other} among lot results with BT-805.",
        "flag(BT-805 used) / lots with BT-805", lambda p: true("gpp_yes"),
        rules=(need("BT-805 not reported", lambda p: true("gpp_present")),),
        fields=("lots.gpp_criteria",), crosswalk=("KEINO-GPP-N",)),
    _ef("EF-ACCESS",
        "Lot results with BT-754 = inc among lot results with BT-754 reported.",
        "flag(BT-754 = inc) / lots with BT-754", lambda p: true("acc_inc"),
        rules=(need("BT-754 not reported", lambda p: true("acc_present")),),
        fields=("lots.accessibility?",)),
    _ef("EF-COMPLETE",
        "Share of awarded lot results that report BT-06 at all (a data-quality measure).",
        "count(lots with BT-06) / count(lot results)", lambda p: true("sp_present"), rules=(),
        fields=("lots.strategic_procurement",), crosswalk=("DQ-LOTS-STRATEGIC_PROCUREMENT",)),
    Indicator(
        id="EF-CVD-CLEAN", family="eforms",
        definition="Clean vehicles (OPT-155 = vehicles-clean, OPT-156 count, to include "
        "zero-emission vehicles as the directive counts them) over all vehicles (OPT-155 = "
        "vehicles) in awarded lot results reporting vehicle counts.",
        formula="sum(cvd_vehicles_clean) / sum(cvd_vehicles)", unit_of_analysis="lot result",
        unit="share", weighting="count", direction="higher",
        fields=("awards.cvd_vehicles?", "awards.cvd_vehicles_clean?"), source=SRC,
        measure=Ratio("lot_results", numerator=lambda p: L("cvd_vehicles_clean"),
                      denominator=lambda p: L("cvd_vehicles"),
                      rules=(need("vehicle count not reported",
                                  lambda p: (L("cvd_vehicles") > 0).fill_null(False)),
                             need("clean vehicle count not reported",
                                  lambda p: ~L("cvd_vehicles_clean").is_null())),
                      ci="cluster"),
        limits="Needs the awards columns cvd_vehicles and cvd_vehicles_clean from the eForms "
        "reader (OPT-155/156); not in legacy TED or Hilma-only data. The directive's targets "
        "are per vehicle category (BT-723), which this share does not separate."),
]
for code in ENV_CODES:
    flag = env_flag(code)
    EFORMS.append(_ef(
        f"EF-GREEN-{code.upper()}",
        f"Lot results whose BT-774 includes {code} (multi-valued: a lot may count under "
        "several objectives), among lot results reporting strategic fields.",
        f"flag(BT-774 contains {code}) / lots reporting strategic fields",
        lambda p, f=flag: true(f), fields=("lots.green_procurement",)))
