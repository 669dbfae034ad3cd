"""Volume: notices, awarded lot results, procedures and awarded euros."""

from __future__ import annotations

from keino_metrics.indicators.families._build import OWN, L, need
from keino_metrics.indicators.spec import Indicator, Total

VOLUME = [
    Indicator(
        id="KEINO-VOL-NOTICES", family="volume",
        definition="Number of notices of any type (prior information, contract, award, "
        "VEAT, modification, change) published in the period.",
        formula="count(notices)", unit_of_analysis="notice", unit="count", weighting="count",
        direction="neutral", fields=("notices.notice_id", "notices.publication_date"),
        source=OWN, measure=Total("notices"), crosswalk=("FI-NOTICES",),
        reference_values="19 076 Hilma notices in 2021 (hankinnat.fi, Hansel) [FI-NOTICES]"),
    Indicator(
        id="KEINO-VOL-LOTS", family="volume",
        definition="Number of awarded lot results: award-notice lot results with a winner "
        "chosen. Contract-notice lots are not counted (they only complete the lot results).",
        formula="count(lot results with winner)", unit_of_analysis="lot result", unit="count",
        weighting="count", direction="neutral",
        fields=("awards.winner_chosen", "awards.winner_id", "notices.notice_type"),
        source=OWN, measure=Total("lot_results")),
    Indicator(
        id="KEINO-VOL-EUR", family="volume",
        definition="Sum of the awarded value in euros of awarded lot results (BT-720, else "
        "BT-709, BT-161 shared over lots, BT-27; see awards.value_source). Lot results "
        "without a value are excluded and lower the coverage.",
        formula="sum(awarded_value_eur)", unit_of_analysis="lot result", unit="eur",
        weighting="eur", direction="neutral", fields=("awards.awarded_value_eur",),
        source=OWN, measure=Total("lot_results", value="value_eur", rules=(
            need("awarded value not reported", lambda p: ~L("value_eur").is_null()),)),
        crosswalk=("FI-VOL",),
        reference_values="EUR 47 bn public procurement in 2018 (all), EUR 31 bn from "
        "competitive markets, EUR 15 bn above EU thresholds (VN TEAS study 9.6.2021) [FI-VOL]"),
    Indicator(
        id="KEINO-VOL-PROC", family="volume",
        definition="Number of procedures (BT-04) with at least one award notice; the year is "
        "that of the first award notice.",
        formula="count(distinct procedure_id with a CAN)", unit_of_analysis="procedure",
        unit="count", weighting="count", direction="neutral",
        fields=("notices.procedure_id", "notices.notice_type"), source=OWN,
        measure=Total("procedures")),
]
