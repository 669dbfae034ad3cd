"""Data quality (DQ-*): completeness of each field the catalogue uses.

Each DQ indicator is the share of units of the frame where the catalogue reads
the field (awarded lot results for award, lot, Hilma and buyer fields; notices
for notice fields) that report it. Lists of codes count as reported when they
hold at least one code. Break down ``by=["source", "year"]`` for the
per-source, per-year table.
"""

from __future__ import annotations

from keino_metrics.indicators.families._build import OWN, L, true
from keino_metrics.indicators.spec import Indicator, Ratio

#: (table, column, frame, column or flag in the frame, is_flag)
_FIELDS = [
    ("awards", "tenders_received", "lot_results", "tenders", False),
    ("awards", "sme_tenders_received", "lot_results", "sme_tenders", False),
    ("awards", "awarded_value_eur", "lot_results", "value_eur", False),
    ("awards", "winner_id", "lot_results", "winner_id", False),
    ("awards", "winner_size", "lot_results", "winner_size", False),
    ("awards", "decision_date", "lot_results", "decision_date", False),
    ("lots", "contract_nature", "lot_results", "contract_nature", False),
    ("lots", "cpv_main", "lot_results", "cpv_main", False),
    ("lots", "price_only_award", "lot_results", "price_only_award", False),
    ("lots", "framework_agreement", "lot_results", "framework_agreement", False),
    ("lots", "submission_deadline", "lot_results", "submission_deadline", False),
    ("lots", "strategic_procurement", "lot_results", "sp_present", True),
    ("lots", "green_procurement", "lot_results", "env_any", True),
    ("lots", "social_objective", "lot_results", "soc_any", True),
    ("lots", "innovation", "lot_results", "inn_any", True),
    ("lots", "gpp_criteria", "lot_results", "gpp_present", True),
    ("hilma_statistics", "innovation_considered", "lot_results", "innovation_considered",
     False),
    ("hilma_statistics", "solution_new_to_buyer", "lot_results", "solution_new_to_buyer",
     False),
    ("hilma_statistics", "solution_new_to_market", "lot_results", "solution_new_to_market",
     False),
    ("hilma_statistics", "energy_efficiency", "lot_results", "energy_efficiency", False),
    ("hilma_statistics", "low_carbon", "lot_results", "low_carbon", False),
    ("hilma_statistics", "circular_economy", "lot_results", "circular_economy", False),
    ("hilma_statistics", "listed_green_criteria_used", "lot_results",
     "listed_green_criteria_used", False),
    ("hilma_statistics", "fair_working_conditions", "lot_results", "fair_working_conditions",
     False),
    ("buyers", "legal_type", "lot_results", "legal_type", False),
    ("buyers", "region_code", "lot_results", "region_code", False),
    ("notices", "procedure_type", "notices", "procedure_type", False),
]

QUALITY: list[Indicator] = []
for table, column, frame, col, is_flag in _FIELDS:
    unit = "lot result" if frame == "lot_results" else "notice"
    QUALITY.append(Indicator(
        id=f"DQ-{table.upper().replace('_STATISTICS', '')}-{column.upper()}",
        family="quality",
        definition=f"Share of {unit}s that report {table}.{column}"
        + (" (at least one code)" if is_flag else "") + ".",
        formula=f"count({column} reported) / count({unit}s)", unit_of_analysis=unit,
        unit="share", weighting="count", direction="higher",
        fields=(f"{table}.{column}" + ("?" if column == "submission_deadline" else ""),),
        source=OWN + "; cf. Opentender TRANSPARENCY_*_MISSING and the Scoreboard reporting "
        "quality indicator",
        measure=Ratio(frame, numerator=(lambda p, c=col: true(c)) if is_flag
                      else (lambda p, c=col: ~L(c).is_null())),
        crosswalk=("SMS-12",) if column == "awarded_value_eur" else ()))
