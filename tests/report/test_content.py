"""The report's numbers on a small generated corpus, with the real indicator catalogue."""

import pytest

from keino_metrics import demo
from keino_metrics.indicators import catalogue, compute
from keino_metrics.report import content, figures


@pytest.fixture(scope="module")
def data():
    return demo.generate(seed=5, scale=0.02)


@pytest.fixture(scope="module")
def report(data):
    return content.compute(data, 2024)


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
    direct = compute(["KEINO-GREEN-N"], data, by=["year"]).to_frame()
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
    figs = report.figures("en")
    assert set(figs) == {"innovation_target", "volume", "strategic_trend",
                         "competition_trend", "regions"}
    assert report.demo and all(figures.has_demo_mark(f) for f in figs.values())


def test_tables_for_export(report):
    tables = report.excel_tables("fi")
    assert {"summary", "volume", "accounting", "catalogue"} <= set(tables)
    assert set(tables["catalogue"]["indicator_id"]) == set(report.ids)
    assert bool(tables["accounting"]["balanced"].all())
    regions = report.regions("fi")
    assert "Uusimaa" in set(regions["region"])
