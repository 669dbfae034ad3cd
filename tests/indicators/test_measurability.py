"""Not measured is not zero: status, reason and light basis of every result row."""

from __future__ import annotations

import pandas as pd
import pytest

from keino_metrics import demo
from keino_metrics.indicators import compute
from keino_metrics.indicators.measurability import (
    DATA_LIMIT_FLAG_SHARE,
    MIN_MEASURABLE_COVERAGE,
    STATUSES,
)


@pytest.fixture(scope="module")
def by_year() -> pd.DataFrame:
    """The whole catalogue on the demo corpus, by year."""
    return compute("all", demo.load(), by=["year"]).to_frame()


def _rows(frame: pd.DataFrame, iid: str) -> pd.DataFrame:
    rows = frame[frame["indicator_id"] == iid]
    assert len(rows) > 0
    return rows


def test_sms03_without_eligible_units_is_not_measurable(by_year):
    rows = _rows(by_year, "SMS-03")
    assert (rows["n"] == 0).all()
    assert (rows["status"] == "not_measurable").all()
    assert rows["status_reason"].str.contains("no eligible units").all()
    assert rows["estimate"].isna().all() and rows["light"].isna().all()


def test_sms04_without_the_field_is_not_measurable(by_year):
    rows = _rows(by_year, "SMS-04")
    assert (rows["numerator"] == 0).all()
    assert (rows["status"] == "not_measurable").all()
    assert rows["status_reason"].str.contains("central_purchasing_body").all()
    assert rows["estimate"].isna().all() and rows["light"].isna().all()
    assert rows["warning"].str.startswith("not measurable:").all()


def test_rf_r048_firing_everywhere_is_a_data_limit(by_year):
    rows = _rows(by_year, "RF-R048")
    assert (rows["estimate"] >= DATA_LIMIT_FLAG_SHARE).all()
    assert (rows["status"] == "data_limit").all()
    assert rows["status_reason"].str.contains(f"{DATA_LIMIT_FLAG_SHARE:.0%}").all()
    assert rows["light"].isna().all()
    assert rows["estimate"].notna().all()          # kept as a note


def test_sms01_light_states_its_threshold_and_source(by_year):
    rows = _rows(by_year, "SMS-01")
    assert (rows["status"] == "measured").all()
    assert rows["light"].notna().all()
    assert (rows["light_rule"] == "green <= 0.10, red > 0.20").all()
    assert rows["light_source"].str.contains("Single Market Scoreboard").all()


def test_no_light_without_a_stated_source():
    data = demo.load()
    res = compute("SMS-01", data, thresholds={"SMS-01": {"source": ""}}).to_frame()
    assert res["light"].isna().all() and res["light_rule"].isna().all()
    assert res["estimate"].notna().all()


def test_no_unmeasured_row_has_a_value_or_a_light(by_year):
    assert set(by_year["status"]) <= set(STATUSES)
    nm = by_year[by_year["status"] == "not_measurable"]
    assert len(nm) > 0
    assert nm["estimate"].isna().all()
    assert nm["ci_low"].isna().all() and nm["ci_high"].isna().all()
    assert nm["light"].isna().all()
    assert nm["status_reason"].notna().all()
    lit = by_year[by_year["light"].notna()]
    assert (lit["status"] == "measured").all()
    assert lit["light_source"].notna().all() and lit["light_rule"].notna().all()
    measured = by_year[by_year["status"] == "measured"]
    assert measured["status_reason"].isna().all()


def test_low_coverage_rule_is_configurable(by_year):
    low = by_year[(by_year["coverage"] < MIN_MEASURABLE_COVERAGE)]
    assert len(low) > 0 and (low["status"] == "not_measurable").all()
    iid, year = low["indicator_id"].iloc[0], int(low["year"].iloc[0])
    again = compute(iid, demo.load(), by=["year"], min_measurable_coverage=0.0).to_frame()
    row = again[again["year"] == year].iloc[0]
    assert row["status"] == "measured" and pd.notna(row["estimate"])


def test_printed_result_has_no_nan(by_year):
    res = compute(["SMS-03", "SMS-04", "RF-R048", "SMS-01"], demo.load(), by=["year"])
    text = str(res)
    assert "nan" not in text.lower().replace("nanoseconds", "")
    assert "not measurable" in text and "data limit" in text
