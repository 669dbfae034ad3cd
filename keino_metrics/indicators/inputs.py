"""The columns of the canonical tables that the unit frames read.

A part of a large computation copies only these (:mod:`.partitions`), and the
frame builders select them (:mod:`.frames`).
"""

from __future__ import annotations

from keino_metrics import datamodel

__all__ = ["FRAME_INPUTS", "LOT_CODE_LISTS"]

#: Code-list columns of ``lots`` that the frames read (through flags, see
#: ``Frames.lot_flags``).
LOT_CODE_LISTS = ("strategic_procurement", "green_procurement", "social_objective",
                  "innovation", "gpp_criteria", "accessibility")
#: Columns of the canonical tables that the unit frames read (a part copies only these).
FRAME_INPUTS: dict[str, tuple[str, ...]] = {
    "notices": ("notice_id", "procedure_id", "notice_type", "publication_date", "buyer_id",
                "procedure_type", "source", "central_purchasing_body"),
    "lots": ("notice_id", "lot_id", "contract_nature", "cpv_main", "nuts3",
             "estimated_value_eur", "price_only_award", "sme_suitable", "framework_agreement",
             "submission_deadline", *LOT_CODE_LISTS),
    "awards": ("notice_id", "lot_id", "winner_chosen", "winner_id", "winner_size",
               "tenders_received", "sme_tenders_received", "awarded_value_eur",
               "decision_date", "cvd_vehicles", "cvd_vehicles_clean",
               "lowest_tender_value_eur", "highest_tender_value_eur"),
    "hilma_statistics": ("notice_id", "lot_id", *datamodel.HILMA_QUESTIONS),
}
