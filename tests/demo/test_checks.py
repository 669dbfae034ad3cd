import pytest

from keino_metrics import demo

# figures whose target is a Finnish published figure or an exact calibration
CLOSE = {
    "notices 2021": 0.04, "share of notices: services": 0.02, "share of notices: supplies": 0.02,
    "share of notices: works": 0.02, "awarded volume 2018, EUR": 0.01,
    "state share of awarded value": 0.01, "new to market, 2020": 0.01,
    "green (any environmental answer), 2018": 0.02, "new to buyer, 2022 on": 0.03,
    "SME participation considered, 2022": 0.02, "SME participation considered, 2023": 0.02,
}


@pytest.fixture(scope="module")
def table(full):
    return demo.calibration_table(full).set_index("figure")


def test_every_figure_has_a_source(table):
    assert table["source"].str.len().gt(0).all()
    assert set(CLOSE) <= set(table.index)


@pytest.mark.parametrize("figure", sorted(CLOSE))
def test_close_to_target(table, figure):
    row = table.loc[figure]
    if row["target"] > 1:
        assert abs(row["achieved"] / row["target"] - 1) < CLOSE[figure]
    else:
        assert abs(row["achieved"] - row["target"]) < CLOSE[figure]


def test_eu_average_figures_in_band(table):
    assert 0.20 <= table.loc["single-bidder share of awarded lots", "achieved"] <= 0.30
    assert 0.40 <= table.loc["price-only share of lots", "achieved"] <= 0.55


def test_scaled_counts(small):
    t = demo.calibration_table(small).set_index("figure")
    assert abs(t.loc["notices 2021", "achieved"] / t.loc["notices 2021", "target"] - 1) < 0.15
