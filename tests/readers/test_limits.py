"""Plausibility and resource limits: bad numbers never escape and never get in."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from keino_metrics.readers import limits
from keino_metrics.readers._json_common import parse_count, parse_number
from keino_metrics.readers.assemble import Collector
from keino_metrics.readers.base import ParseResult, Quarantined
from keino_metrics.readers.checks import Record
from keino_metrics.readers.fx import load_rates


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-inf", "1e30", "100001", "-1",
                                  "2.5", "x"])
def test_bad_counts_quarantine_the_record(text):
    with pytest.raises(Quarantined) as err:
        Record("f.xml", "1-2024").count(text, "BT-759-LotResult")
    assert err.value.field == "BT-759-LotResult" and err.value.record == "1-2024"


@pytest.mark.parametrize("text", ["NaN", "Infinity", "1e30", "-5", "1e16"])
def test_bad_amounts_quarantine_the_record(text):
    with pytest.raises(Quarantined):
        Record("f.xml", "1-2024").amount(text, "BT-720-Tender")


def test_plausible_values_pass():
    rec = Record("f.xml", "1-2024")
    assert rec.count("95", "x") == 95 and rec.count(str(limits.MAX_COUNT), "x") == limits.MAX_COUNT
    assert rec.amount("2528942340.11", "x") == pytest.approx(2528942340.11)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e30, 10**400, "1e30", -1])
def test_json_numbers_past_the_limits_are_refused(value):
    with pytest.raises(Quarantined):
        parse_number(value, "f.json", "r", "amount")


def test_json_counts_past_the_limit_are_refused():
    with pytest.raises(Quarantined, match="implausible count"):
        parse_count(1e6, "f.json", "r", "numberOfTenderers")
    assert parse_count(" 12 ", "f.json", "r", "numberOfTenderers") == 12


def test_values_implausible_in_euros_are_nulled_with_an_issue():
    res = ParseResult("f.xml", "eforms", records_in=1, records_accepted=1)
    res.rows = {
        "notices": [{"notice_id": "1-2024", "procedure_id": "p", "notice_type": "can",
                     "publication_date": pd.Timestamp("2024-01-10"), "buyer_id": "b",
                     "source": "eforms", "source_file": "f.xml", "value_year": 2024}],
        "buyers": [{"buyer_id": "b", "name": "B", "country": "FI"}],
        "lots": [{"notice_id": "1-2024", "lot_id": "LOT-0001", "estimated_value": 5e11,
                  "estimated_value_currency": "EUR"}],
        "awards": [{"notice_id": "1-2024", "lot_id": "LOT-0001", "awarded_value": 2e9,
                    "awarded_value_currency": "EUR", "value_year": 2024}],
    }
    c = Collector(fx=load_rates(None))
    c.add(res)
    ds = c.build()
    assert pd.isna(ds.lots.loc[0, "estimated_value_eur"])
    assert pd.isna(ds.lots.loc[0, "estimated_value"])
    assert ds.awards.loc[0, "awarded_value_eur"] == pytest.approx(2e9)
    (issue,) = ds.field_issues.itertuples()
    assert issue.action == "nulled" and issue.record == "1-2024"
    assert issue.field.startswith("estimated_value_eur") and "implausible" in issue.reason
    assert int(ds.accounting.loc[0, "field_issues"]) == 1


def test_limits_are_configurable_by_environment(monkeypatch):
    monkeypatch.setenv("KEINO_LIMIT_MAX_COUNT", "50")
    try:
        assert importlib.reload(limits).MAX_COUNT == 50
        monkeypatch.setenv("KEINO_LIMIT_MAX_COUNT", "many")
        with pytest.raises(ValueError, match="KEINO_LIMIT_MAX_COUNT"):
            importlib.reload(limits)
    finally:
        monkeypatch.delenv("KEINO_LIMIT_MAX_COUNT")
        importlib.reload(limits)
    assert limits.MAX_COUNT == 100_000
    assert set(limits.describe()) >= {"MAX_INPUT_BYTES", "MAX_LOT_VALUE_EUR"}
