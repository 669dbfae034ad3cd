"""Hand-made canonical datasets whose indicator values are known.

``tiny`` holds four procedures of three buyers (see the comments for every
row); the expected values in the tests are worked out by hand from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset

T = pd.Timestamp


def _tiny() -> Dataset:
    buyers = pd.DataFrame({
        "buyer_id": ["B1", "B2", "B3"],
        "name": ["Kunta A", "Virasto B", "Hyvinvointialue C"],
        "legal_type": ["la", "cga", "ra"],
        "country": ["FI"] * 3,
        "nuts3": ["FI1B1", "FI1C1", "FI193"],
        "region_code": ["01", "02", "13"],
    })
    # P1: PIN -> CN -> CAN (open, B1, hilma); P2: CN -> CAN (restricted, B2, eforms)
    # P3: CAN only (neg-wo-call, B3); P4: CAN only (open, B1: missing call for bids)
    notices = pd.DataFrame({
        "notice_id": ["PIN1", "CN1", "CAN1", "CN2", "CAN2", "CAN3", "CAN4"],
        "procedure_id": ["P1", "P1", "P1", "P2", "P2", "P3", "P4"],
        "notice_type": ["pin", "cn", "can", "cn", "can", "can", "can"],
        "publication_date": [T("2023-01-10"), T("2023-02-01"), T("2023-06-01"),
                             T("2023-03-01"), T("2024-01-15"), T("2024-05-01"),
                             T("2024-07-01")],
        "buyer_id": ["B1", "B1", "B1", "B2", "B2", "B3", "B1"],
        "procedure_type": ["open", "open", "open", "restricted", "restricted", "neg-wo-call",
                           "open"],
        "source": ["hilma", "hilma", "hilma", "eforms", "eforms", "eforms", "hilma"],
        "source_file": ["f"] * 7,
    })
    lots = pd.DataFrame({
        "notice_id": ["CN1", "CN1", "CAN1", "CAN1", "CN2", "CAN2", "CAN2", "CAN3", "CAN4"],
        "lot_id": ["L1", "L2", "L1", "L2", "L1", "L1", "L2", "L1", "L1"],
        "contract_nature": ["services", "services", "services", "services", "supplies",
                            None, "supplies", "works", "services"],
        "cpv_main": ["72000000", "79000000", "72000000", "79000000", "30200000", None,
                     "30200000", "45000000", "72000000"],
        "strategic_procurement": [None, None, None, None, ["inn-pur"], None, None, ["none"],
                                  None],
        "innovation": [None, None, None, None, ["mar-nov"], None, None, [], None],
        "green_procurement": [None, None, None, None, ["clim-mitig"], None, None, [], None],
        "gpp_criteria": [None, None, None, None, ["eu"], None, None, ["none"], None],
        "price_only_award": [None, None, True, False, None, True, None, None, False],
        "framework_agreement": [None, None, False, False, None, False, None, True, None],
        "submission_deadline": [T("2023-03-01"), T("2023-03-01"), None, None, T("2023-03-11"),
                                None, None, None, None],
    })
    awards = pd.DataFrame({
        "notice_id": ["CAN1", "CAN1", "CAN2", "CAN2", "CAN3", "CAN4"],
        "lot_id": ["L1", "L2", "L1", "L2", "L1", "L1"],
        "winner_chosen": [True, True, True, False, True, True],
        "tenders_received": [1, 3, 2, 0, 1, None],
        "sme_tenders_received": [1, 1, 0, None, None, None],
        "awarded_value_eur": [100.0, 300.0, 1000.0, None, None, 50.0],
        "winner_id": ["1234567-8", "W2", "1234567-8", None, "W3", "W2"],
        "winner_size": ["small", "large", "medium", None, None, "large"],
        "decision_date": [T("2023-04-30"), T("2023-05-30"), T("2023-12-31"), None, None, None],
    })
    hilma = pd.DataFrame({
        "notice_id": ["CAN1", "CAN1", "CAN4", "CN1"],
        "lot_id": ["L1", "L2", "L1", "L1"],
        "solution_new_to_market": [True, False, False, None],
        "solution_new_to_buyer": [True, True, False, None],
        "low_carbon": [True, False, None, None],
        "circular_economy": [False, False, True, None],
        "fair_working_conditions": [None, None, None, True],
        "sme_participation_considered": [None, None, None, True],
    })
    programme = pd.DataFrame({
        "buyer_id": ["B1"], "programme": ["KEINO"], "start_date": [T("2024-03-01")]})
    survey = pd.DataFrame({
        "unit": ["B1", "B2", "B3", "B1"],
        "year": [2023, 2023, 2023, 2024],
        **{f"{c}_{i}": [5, 3, 1, 4] if c != "followup" else [2, 2, 2, np.nan]
           for c in ("strategy", "leadership", "competence", "dialogue", "followup")
           for i in (1, 2, 3)},
    })
    survey["strategy_3"] = [4, 3, 2, 4]
    return Dataset(
        buyers=datamodel.conform("buyers", buyers),
        notices=datamodel.conform("notices", notices),
        lots=datamodel.conform("lots", lots),
        awards=datamodel.conform("awards", awards),
        hilma_statistics=datamodel.conform("hilma_statistics", hilma),
        programme_participation=datamodel.conform("programme_participation", programme),
        extra={"capability_survey": survey},
    )


@pytest.fixture(scope="session")
def tiny() -> Dataset:
    """The hand-made four-procedure dataset."""
    return _tiny()


@pytest.fixture(scope="session")
def reference_all(tiny):
    """The whole catalogue on pandas without breakdown (shared by several tests)."""
    from keino_metrics.indicators import compute

    return compute("all", tiny, engine="pandas")
