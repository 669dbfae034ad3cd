"""The report's numbers on a small generated corpus, with the real indicator catalogue."""

import pytest

from keino_metrics import demo
from keino_metrics.indicators import catalogue, compute
from keino_metrics.report import figures
from keino_metrics.report.annual import content
from keino_metrics.report.annual.figures import figures as annual_figures


@pytest.fixture(scope="module")
def data():
    return demo.generate(seed=5, scale=0.02)


@pytest.fixture(scope="module")
def report(data):
    return content.compute(data, 2024, samples=False)


def test_target_definitions_come_from_the_catalogue(report):
    ids = tuple(catalogue(family=content.TARGET_FAMILY)["id"])
    assert report.innovation_ids == ids and len(ids) >= 6
    s = report.summary()
    assert tuple(s["indicator_id"][: len(ids)]) == ids
    assert set(s["year"]) == {2024}
    met, n = report.innovation_met()
    inn = report.innovation().dropna(subset=["value", "target"])
    assert (met, n) == (int((inn["value"] >= inn["target"]).sum()), len(inn))
    assert report.target() == 0.10


def test_numbers_equal_a_direct_computation(data, report):
    direct = _direct(data, ["KEINO-GREEN-N"], ["year"])
    direct = direct[direct["year"] == 2024].iloc[0]
    mine = report.select(("KEINO-GREEN-N",), 2024).iloc[0]
    assert mine["value"] == direct["value"]
    assert mine["numerator"] == direct["numerator"]


def test_years_stop_at_the_report_year(report):
    assert report.years[0] == 2018 and report.years[-1] == 2024
    assert report.by_year["year"].max() == 2024
    assert list(report.volume()["year"]) == list(range(2018, 2025))
    assert set(report.by_region["year"]) == {2024}


def test_figures_carry_the_demo_mark(report):
    figs = annual_figures(report, "en")
    assert set(figs) == {"innovation_target", "volume", "strategic_trend",
                         "competition_trend", "regions", "capability_trend"}
    assert report.demo and all(figures.has_demo_mark(f) for f in figs.values())


def test_tables_for_export(report):
    tables = report.excel_tables("fi")
    assert {"summary", "volume", "accounting", "catalogue"} <= set(tables)
    assert set(tables["catalogue"]["indicator_id"]) == set(report.ids)
    assert bool(tables["accounting"]["balanced"].all())
    regions = report.regions("fi")
    assert "Uusimaa" in set(regions["region"])


def _direct(data, ids, by):
    """The indicators computed directly, in the report's column names."""
    return (compute(list(ids), data, by=by).to_frame()
            .rename(columns={"estimate": "value", "n": "n_eligible"}))


def test_new_pages_take_their_ids_from_the_catalogue(report):
    assert report.scoreboard_ids == tuple(f"SMS-{k:02d}" for k in range(1, 14))
    assert report.risk_ids == tuple(catalogue(family="integrity")["id"])
    assert all(i.startswith(("OT-", "RF-")) for i in report.risk_ids)
    assert report.capability_ids == tuple(catalogue(family="capability")["id"])
    shown = {*report.scoreboard_ids, *report.risk_ids, *report.capability_ids}
    assert shown <= set(report.ids)
    assert shown <= set(report.catalogue_table("fi")["indicator_id"])
    assert shown <= set(report.tables()["catalogue"]["indicator_id"])


def test_scoreboard_equals_indicators_compute(data, report):
    sb = report.scoreboard()
    assert tuple(sb["indicator_id"]) == report.scoreboard_ids
    direct = _direct(data, report.scoreboard_ids, ["year"])
    direct = direct[direct["year"] == 2024].set_index("indicator_id")
    cat = catalogue().set_index("id")
    for row in sb.itertuples():
        if row.indicator_id in direct.index:
            d = direct.loc[row.indicator_id]
            for col in ("value", "numerator", "denominator", "coverage", "ci_low", "ci_high"):
                got, want = getattr(row, col), d[col]
                assert (got != got and want != want) or got == want, (row.indicator_id, col)
        else:
            assert row.coverage == 0 and row.warning and row.light == "grey"
        assert row.reference_values == (cat.loc[row.indicator_id, "reference_values"] or "")
        assert row.threshold_source == (
            cat.loc[row.indicator_id, "threshold_source"]
            if isinstance(cat.loc[row.indicator_id, "threshold_source"], str) else "")
    assert (sb["reference_values"].str.startswith("EU average")).any()


def test_risk_page_equals_indicators_compute(data, report):
    risk = report.risk()
    assert tuple(risk["indicator_id"]) == report.risk_ids
    direct = _direct(data, report.risk_ids, ["year"])
    direct = direct[direct["year"] == 2024].set_index("indicator_id")
    for row in risk.itertuples():
        if row.indicator_id in direct.index:
            assert (row.value == direct.loc[row.indicator_id, "value"]
                    or (row.value != row.value and row.coverage == 0))
            want = direct.loc[row.indicator_id, "warning"]
            assert row.warning == (want if isinstance(want, str) else "")
    cat = catalogue(family="integrity").set_index("id")
    assert list(risk["limits"]) == [cat.loc[i, "limits"] or "" for i in risk["indicator_id"]]
    by_group = _direct(data, report.risk_ids, ["year", "buyer_group"])
    by_group = by_group[by_group["year"] == 2024]
    mine = report.by_buyer_group[report.by_buyer_group["indicator_id"].isin(report.risk_ids)]
    merged = mine.merge(by_group, on=["indicator_id", "buyer_group"], suffixes=("", "_d"))
    assert len(merged) == len(by_group) > 0
    assert ((merged["value"] == merged["value_d"])
            | (merged["value"].isna() & merged["value_d"].isna())).all()
    for i in report.risk_breakdown_ids():
        assert mine[mine["indicator_id"] == i]["value"].notna().any()


def test_capability_equals_indicators_compute(data, report):
    cap = report.capability()
    idx = content.capability_index_ids()
    assert set(cap["indicator_id"]) == set(idx) and len(idx) >= 5
    direct = _direct(data, report.capability_ids, ["year"]).set_index(["indicator_id", "year"])
    assert len(cap) > 0 and (cap["year"] <= 2024).all()
    for row in cap.itertuples():
        assert row.value == direct.loc[(row.indicator_id, row.year), "value"]
        assert row.alpha == direct.loc[(f"{row.indicator_id}-ALPHA", row.year), "value"]
    assert {"scoreboard", "risk", "capability"} <= set(report.tables())
