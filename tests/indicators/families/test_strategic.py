"""Eligibility of the eForms innovation shares (KEINO-INNOV-EF, FI-10PCT-EF, EF-INNOV).

Before eForms no lot carries BT-06/BT-776; an innovation-partnership procedure
is always flagged innovative, so counting it as "reported" made the share 100 %
in every pre-eForms year. The fixture reproduces that corpus.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset
from keino_metrics.indicators import compute

T = pd.Timestamp
IDS = ["KEINO-INNOV-EF-N", "KEINO-INNOV-EF-EUR", "FI-10PCT-EF-N", "FI-10PCT-EF-EUR",
       "EF-INNOV-N", "EF-INNOV-EUR"]


def _corpus() -> Dataset:
    """2019: three pre-eForms lots, one an innovation partnership; 2024: three eForms lots.

    2024: E1 reports BT-06 = inn-pur, E2 reports BT-06 = none, E3 is an innovation
    partnership that reports BT-06 = none (innovative through BT-105).
    """
    pid = ["H1", "H2", "H3", "E1", "E2", "E3"]
    year = [2019, 2019, 2019, 2024, 2024, 2024]
    ptype = ["open", "open", "innovation", "open", "open", "innovation"]
    buyers = pd.DataFrame({"buyer_id": ["B1"], "name": ["Kunta"], "legal_type": ["la"],
                           "country": ["FI"], "nuts3": ["FI1B1"], "region_code": ["01"]})
    notices = pd.DataFrame({
        "notice_id": [f"CAN-{p}" for p in pid], "procedure_id": pid,
        "notice_type": ["can"] * 6,
        "publication_date": [T(f"{y}-06-01") for y in year], "buyer_id": ["B1"] * 6,
        "procedure_type": ptype, "source": ["hilma"] * 3 + ["eforms"] * 3,
        "source_file": ["f"] * 6})
    lots = pd.DataFrame({
        "notice_id": [f"CAN-{p}" for p in pid], "lot_id": ["L1"] * 6,
        "contract_nature": ["services"] * 6, "cpv_main": ["72000000"] * 6,
        "strategic_procurement": [None, None, None, ["inn-pur"], ["none"], ["none"]],
        "innovation": [None] * 6})
    awards = pd.DataFrame({
        "notice_id": [f"CAN-{p}" for p in pid], "lot_id": ["L1"] * 6,
        "winner_chosen": [True] * 6, "awarded_value_eur": [10.0, 20.0, 30.0, 100.0, 200.0,
                                                            300.0],
        "winner_id": ["W1"] * 6})
    return Dataset(
        buyers=datamodel.conform("buyers", buyers),
        notices=datamodel.conform("notices", notices),
        lots=datamodel.conform("lots", lots),
        awards=datamodel.conform("awards", awards),
        hilma_statistics=datamodel.conform("hilma_statistics", pd.DataFrame()))


@pytest.fixture(scope="module")
def by_year():
    return compute(IDS, _corpus(), by="year", engine="pandas").to_frame()


@pytest.mark.parametrize("iid", IDS)
def test_no_share_before_eforms(by_year, iid):
    """2019: nothing reports BT-06, so nothing is eligible (not 100 %)."""
    row = by_year[(by_year["indicator_id"] == iid) & (by_year["year"] == 2019)].iloc[0]
    assert row["n"] == 0
    assert math.isnan(row["estimate"])
    assert row["excluded"] == 3
    assert row["excluded_reasons"] == "strategic fields not reported: 3"
    assert "no eligible units" in row["warning"]


@pytest.mark.parametrize("iid", IDS)
def test_eforms_year_counts_reported_lots(by_year, iid):
    """2024: E1 (inn-pur) and E3 (innovation partnership) among three lots with BT-06."""
    row = by_year[(by_year["indicator_id"] == iid) & (by_year["year"] == 2024)].iloc[0]
    assert row["n"] == 3
    if iid.endswith("-N"):
        assert (row["numerator"], row["denominator"]) == (2.0, 3.0)
    else:
        assert (row["numerator"], row["denominator"]) == (400.0, 600.0)


def test_definition_states_eligibility():
    from keino_metrics.indicators import registry

    for iid in IDS:
        text = registry.get(iid).definition
        assert "BT-06" in text and "strategic fields not reported" in text, iid
