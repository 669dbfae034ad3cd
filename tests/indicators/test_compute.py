"""Indicator values on the hand-made dataset (expected values worked out by hand)."""

from __future__ import annotations

import math

import pytest

from keino_metrics.indicators import compute

# (id, numerator, denominator, value, excluded) from the rows in conftest.py
EXPECTED = [
    ("KEINO-VOL-NOTICES", 7, None, 7, 0),
    ("KEINO-VOL-LOTS", 5, None, 5, 0),           # CAN2/L2 has no winner
    ("KEINO-VOL-EUR", 1450, None, 1450, 1),      # CAN3/L1 value missing
    ("KEINO-VOL-PROC", 4, None, 4, 0),
    ("KEINO-INNOV-MKT-N", 1, 3, 1 / 3, 2),       # Hilma answers on CAN1 L1, L2 and CAN4
    ("KEINO-INNOV-MKT-EUR", 100, 450, 100 / 450, 2),
    ("KEINO-INNOV-BUY-N", 2, 3, 2 / 3, 2),
    ("KEINO-INNOV-BUY-EUR", 400, 450, 400 / 450, 2),
    ("KEINO-INNOV-EF-N", 1, 2, 0.5, 3),          # CAN2/L1 via its CN, CAN3 reports 'none'
    ("KEINO-INNOV-EF-EUR", 1000, 1000, 1.0, 4),
    ("KEINO-GREEN-N", 3, 5, 0.6, 0),             # CAN1/L1 low carbon, CAN2 eForms, CAN4 circ.
    ("KEINO-GREEN-EUR", 1150, 1450, 1150 / 1450, 1),
    ("KEINO-LOWCARBON-N", 2, 4, 0.5, 1),
    ("KEINO-CIRC-N", 1, 5, 0.2, 0),
    ("KEINO-SOCIAL-N", 1, 3, 1 / 3, 2),          # only CN1 answers social for CAN1/L1
    ("SMS-01", 1, 3, 1 / 3, 2),                  # CAN3 framework, CAN4 no count
    ("SMS-02", 1, 4, 0.25, 0),
    ("SMS-04", 0, 4, None, 0),                  # no CPB column: a bound of 0, not measured
    ("SMS-05", 2, 4, 0.5, 1),
    ("SMS-06", 445, 3, 445 / 3, 2),              # 60 + 90 + 295 days
    ("SMS-07", 2, 4, 0.5, 1),
    ("SMS-08", 2, 6, 1 / 3, 2),
    ("SMS-09", 2, 4, 0.5, 0),
    ("SMS-10", 1, 3, 1 / 3, 4),                  # CAN4 open without a CN
    ("SMS-11", 3, 5, 0.6, 0),                    # W2 twice and W3 are not business ids
    ("SMS-12", 1, 4, 0.25, 3),
    ("SMS-13", 1, 5, 0.2, 0),
    ("KEINO-MKT-TENDERS", 7, 4, 1.75, 1),
    ("KEINO-MKT-DIALOGUE", 1, 2, 0.5, 2),
    ("KEINO-MKT-INNOVPART", 0, 4, 0.0, 0),
    ("FI-SME-CONS", 1, 1, None, 6),              # coverage 1/7: below the measurable minimum
    ("RF-R003", 1, 3, 1 / 3, 2),                 # CN2 deadline 10 days after publication
    ("RF-R018", 1, 3, 1 / 3, 2),
    ("OT-I1", 1, 3, 1 / 3, 2),
    ("OT-I2", 1, 4, 0.25, 1),
    ("OT-I3", 2, 5, 0.4, 0),
    ("OT-I4", 66, 3, 22.0, 2),
    ("OT-I5", 445, 3, 445 / 3, 2),
    ("EF-COMPLETE", 2, 5, 0.4, 0),
    ("EF-GREEN-CLIM-MITIG", 1, 2, 0.5, 3),
    ("DQ-AWARDS-AWARDED_VALUE_EUR", 4, 5, 0.8, 0),
    ("DQ-NOTICES-PROCEDURE_TYPE", 7, 7, 1.0, 0),
]


@pytest.fixture(scope="module")
def result(reference_all):
    return reference_all


@pytest.mark.parametrize(("iid", "num", "den", "value", "excluded"), EXPECTED)
def test_known_values(result, iid, num, den, value, excluded):
    row = result.to_frame().set_index("indicator_id").loc[iid]
    assert row["numerator"] == pytest.approx(num)
    if den is None:
        assert math.isnan(row["denominator"])
    else:
        assert row["denominator"] == pytest.approx(den)
    if value is None:
        assert math.isnan(row["estimate"]) and row["status"] == "not_measurable"
    else:
        assert row["estimate"] == pytest.approx(value)
    assert row["excluded"] == excluded


def test_supplier_concentration(result):
    f = result.to_frame().set_index("indicator_id")
    hhi_b1 = (100 / 450) ** 2 + (350 / 450) ** 2
    assert f.loc["KEINO-MKT-HHI", "estimate"] == pytest.approx((hhi_b1 + 1.0) / 2)
    assert f.loc["KEINO-MKT-TOPSHARE", "estimate"] == pytest.approx((350 / 450 + 1.0) / 2)


def test_coverage_and_reasons(result):
    f = result.to_frame().set_index("indicator_id")
    # SMS-01: 1 framework agreement (scope) and 1 missing count (coverage 3 / 4)
    assert f.loc["SMS-01", "coverage"] == pytest.approx(0.75)
    assert "framework agreement" in f.loc["SMS-01", "excluded_reasons"]
    assert "tenders received not reported: 1" in f.loc["SMS-01", "excluded_reasons"]
    assert f.loc["KEINO-INNOV-MKT-N", "coverage"] == pytest.approx(0.6)


def test_breakdown_by_year(tiny):
    f = compute(["KEINO-VOL-LOTS", "KEINO-INNOV-MKT-N"], tiny, by="year",
                engine="pandas").to_frame().set_index(["indicator_id", "year"])
    assert f.loc[("KEINO-VOL-LOTS", 2023), "estimate"] == 2
    assert f.loc[("KEINO-VOL-LOTS", 2024), "estimate"] == 3
    assert f.loc[("KEINO-INNOV-MKT-N", 2023), "estimate"] == pytest.approx(0.5)
    assert f.loc[("KEINO-INNOV-MKT-N", 2024), "estimate"] == pytest.approx(0.0)


def test_buyer_group_breakdown(tiny):
    f = compute("KEINO-VOL-LOTS", tiny, by=["buyer_group", "quarter"],
                engine="pandas").to_frame()
    got = {(r.buyer_group, r.quarter): r.estimate for r in f.itertuples()}
    assert got == {("municipality", "2023-Q2"): 2, ("state", "2024-Q1"): 1,
                   ("region", "2024-Q2"): 1, ("municipality", "2024-Q3"): 1}


def test_missing_optional_columns_warn(result):
    f = result.to_frame().set_index("indicator_id")
    assert f.loc["EF-CVD-CLEAN", "coverage"] == 0
    assert "cvd_vehicles" in f.loc["EF-CVD-CLEAN", "warning"]
    assert "lower bound" in f.loc["SMS-04", "warning"]


def test_clean_vehicles_when_present(tiny):
    aw = tiny.awards.copy()
    aw["cvd_vehicles"] = [10.0, None, 4.0, None, None, None]
    aw["cvd_vehicles_clean"] = [5.0, None, 1.0, None, None, None]
    f = compute("EF-CVD-CLEAN", tiny.replace(awards=aw), engine="pandas").to_frame()
    assert f["estimate"].iloc[0] == pytest.approx(6 / 14)
    assert f["warning"].iloc[0] is None or "not in the data" not in f["warning"].iloc[0]


def test_red_flag_false_positive_warning(tiny):
    f = compute("OT-I3", tiny, by="buyer_group", engine="pandas").to_frame()
    region = f[f["buyer_group"] == "region"].iloc[0]   # B3: its one procedure is neg-wo-call
    assert region["estimate"] == 1.0
    assert "false positives" in region["warning"]


def test_traffic_lights(result):
    f = result.to_frame().set_index("indicator_id")
    assert f.loc["SMS-01", "light"] == "red"        # 33 % > 20 %
    assert f.loc["SMS-05", "light"] == "green"      # 50 % < 80 %
    assert f.loc["FI-10PCT-MKT-N", "target"] == 0.10
    assert f.loc["FI-10PCT-MKT-N", "light"] == "green"
    assert f.loc["SMS-07", "light"] is None


def test_result_columns(result):
    cols = list(result.to_frame().columns)
    assert cols == ["indicator_id", "estimate", "numerator", "denominator", "unit", "weighting",
                    "n", "excluded", "excluded_reasons", "coverage", "ci_low",
                    "ci_high", "target", "light", "warning", "status", "status_reason",
                    "light_rule", "light_source"]
    assert set(result.to_frame()["unit"]) <= {"share", "count", "eur", "days", "index", "ratio"}


def test_bad_breakdown(tiny):
    with pytest.raises(ValueError, match="cannot break down"):
        compute("SMS-01", tiny, by="colour")


def test_capability_indices(result):
    f = result.to_frame().set_index("indicator_id")
    # strategy items: B1 (5,5,4), B2 (3,3,3), B3 (1,1,2), B1 2024 (4,4,4)
    idx = [((14 / 3) - 1) / 4 * 100, 50.0, ((4 / 3) - 1) / 4 * 100, 75.0]
    assert f.loc["CAP-STRATEGY", "estimate"] == pytest.approx(sum(idx) / 4)
    assert f.loc["CAP-FOLLOWUP", "n"] == 3       # one response left them empty
    assert 0 <= f.loc["CAP-STRATEGY", "ci_low"] <= f.loc["CAP-STRATEGY", "ci_high"] <= 100


def test_concentration_by_buyer(tiny):
    f = compute(["KEINO-MKT-HHI"], tiny, by="buyer_id", engine="pandas").to_frame()
    got = dict(zip(f["buyer_id"], f["estimate"], strict=True))
    assert got["B1"] == pytest.approx((100 / 450) ** 2 + (350 / 450) ** 2)
    assert got["B2"] == pytest.approx(1.0)
    assert math.isnan(got["B3"])            # its only lot result has no value


def test_breakdown_column_read_by_the_indicator(tiny):
    """A missing breakdown value forms its own group and is still counted as missing."""
    import dataclasses

    buyers = tiny.buyers.copy()
    buyers.loc[buyers.index[0], "region_code"] = None
    data = dataclasses.replace(tiny, buyers=buyers)
    f = compute("DQ-BUYERS-REGION_CODE", data, by="region_code", engine="pandas").to_frame()
    missing = f[f["region_code"].isna()]
    assert len(missing) == 1 and missing["denominator"].iloc[0] > 0
    assert missing["numerator"].iloc[0] == 0
    known = f[f["region_code"].notna()]
    assert (known["numerator"] == known["denominator"]).all()


def test_rows_sorted_by_breakdown(tiny):
    # custom indicators (RF-R048, HHI) come back from the engine in any order;
    # every indicator's rows are sorted by the breakdown, as the rule indicators are
    df = compute(["KEINO-VOL-LOTS", "RF-R048", "KEINO-MKT-HHI"], tiny,
                 by=["region_code", "year"], engine="duckdb").to_frame()
    for iid, rows in df.groupby("indicator_id", sort=False):
        keys = rows[["region_code", "year"]].astype(str).agg("|".join, axis=1).tolist()
        assert keys == sorted(keys), iid
        assert len(rows) > 1


def test_no_fragmented_frame_warning(tiny):
    # the report notebooks run under strict nbval: a warning on stderr fails them
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        for engine in ("pandas", "duckdb"):
            compute("all", tiny, by=["year", "region_code"], engine=engine)


def test_shared_sums_computed_once(tiny):
    # the eForms strategic shares share their rules: the exclusion and eligibility
    # columns are computed once, and every indicator still gets its own numbers
    import importlib

    from keino_metrics.indicators import registry

    c = importlib.import_module("keino_metrics.indicators.compute")
    ids = ["EF-GREEN-EUR", "EF-SOCIAL-EUR", "EF-GREEN-N"]
    inds = [registry.get(i) for i in ids]
    params = {i.id: dict(i.params) for i in inds}
    exprs, source = c._engine_columns(inds, params)
    names = [n for i in inds for n in c._column_names(i)]
    assert set(source) == set(names)
    assert len(exprs) == len(set(source.values())) < len(names)
    assert source["EF-SOCIAL-EUR__x0"] == source["EF-GREEN-N__x0"] == "EF-GREEN-EUR__x0"
    assert source["EF-SOCIAL-EUR__den"] == "EF-GREEN-EUR__den"
    assert source["EF-SOCIAL-EUR__num"] == "EF-SOCIAL-EUR__num"
    together = compute(ids, tiny, by="year", engine="duckdb").to_frame()
    for iid in ids:
        alone = compute(iid, tiny, by="year", engine="duckdb").to_frame()
        mine = together[together.indicator_id == iid].reset_index(drop=True)
        assert mine.equals(alone), iid
