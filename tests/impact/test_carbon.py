"""Spend-based emissions and avoided emissions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats

from keino_metrics.impact import avoided_emissions, load_factors, spend_based_emissions
from keino_metrics.impact.carbon import PUBLISHED_FI_CO2, spend_by_division


def test_factor_table_is_derived_as_documented():
    f = load_factors()
    assert f["cpv_division"].str.fullmatch(r"\d{2}").all()
    assert not f["cpv_division"].duplicated().any()
    assert f["source"].str.contains("Nissinen & Savolainen 2019").all()
    mean = 1000 * PUBLISHED_FI_CO2["emissions_t"] / PUBLISHED_FI_CO2["spend_eur"]
    np.testing.assert_allclose(f["factor_kg_per_eur"], mean * f["relative_intensity"], rtol=2e-3)
    assert (f["log_sd"] > 0).all()


def test_arithmetic_without_uncertainty():
    factors = pd.DataFrame({"cpv_division": ["45", "72"], "factor_kg_per_eur": [0.5, 0.1],
                            "log_sd": [0.0, 0.0]})
    spend = pd.DataFrame({"cpv_division": ["45", "72"], "spend_eur": [2e6, 1e6]})
    res = spend_based_emissions(spend, factors=factors, common_sd=0.0, n_sims=100)
    assert res.total_t == pytest.approx(1000 + 100)
    assert res.total_low_t == pytest.approx(1100) and res.total_high_t == pytest.approx(1100)
    assert res.by_division.loc["45", "share"] == pytest.approx(1000 / 1100)
    assert res.intensity_kg_per_eur == pytest.approx(1100 * 1000 / 3e6)


def test_monte_carlo_interval_matches_lognormal():
    factors = pd.DataFrame({"cpv_division": ["15"], "factor_kg_per_eur": [0.8], "log_sd": [0.4]})
    spend = pd.DataFrame({"cpv_division": ["15"], "spend_eur": [1e6]})
    res = spend_based_emissions(spend, factors=factors, common_sd=0.3, n_sims=200_000, seed=3)
    sd = np.hypot(0.4, 0.3)
    z = stats.norm.ppf(0.975)
    assert res.total_low_t == pytest.approx(800 * np.exp(-z * sd), rel=0.02)
    assert res.total_high_t == pytest.approx(800 * np.exp(z * sd), rel=0.02)


def test_lot_rows_and_unmatched_spend_are_kept():
    lots = pd.DataFrame({"cpv_main": ["45210000", "09310000", None, "99000000"],
                         "awarded_value_eur": [1e6, 2e5, 5e4, 3e4]})
    spend = spend_by_division(lots)
    assert spend["spend_eur"].sum() == pytest.approx(1.28e6)
    res = spend_based_emissions(lots, seed=1)
    assert res.unmatched_spend_eur == pytest.approx(8e4)
    assert res.spend_eur == pytest.approx(1.2e6)
    f = load_factors().set_index("cpv_division")["factor_kg_per_eur"]
    assert res.total_t == pytest.approx((1e6 * f["45"] + 2e5 * f["09"]) / 1000)
    assert res.total_low_t < res.total_t < res.total_high_t


def test_comparison_with_published_national_estimate():
    mean = 1000 * PUBLISHED_FI_CO2["emissions_t"] / PUBLISHED_FI_CO2["spend_eur"]
    factors = pd.DataFrame({"cpv_division": ["99"], "factor_kg_per_eur": [mean],
                            "log_sd": [0.0]})
    spend = pd.DataFrame({"cpv_division": ["99"], "spend_eur": [28.3e9]})
    res = spend_based_emissions(spend, factors=factors, common_sd=0.0)
    cmp = res.compare_published().set_index("quantity")
    assert cmp.loc["national_total_t", "this_result"] == pytest.approx(11e6)
    assert res.total_t == pytest.approx(11e6)


def test_avoided_emissions_degenerate_assumptions():
    factors = pd.DataFrame({"cpv_division": ["60"], "factor_kg_per_eur": [0.8], "log_sd": [0.0]})
    lots = pd.DataFrame({"cpv_main": ["60100000", "60100000"], "spend_eur": [1e6, 3e6],
                         "low_carbon": [True, False]})
    res = avoided_emissions(lots, flag="low_carbon", factors=factors, reduction=(0.25, 0.25, 0.25),
                            additionality=(1, 1, 1), common_sd=0.0)
    assert res.baseline_t == pytest.approx(800)
    assert res.avoided_t == pytest.approx(200)
    wide = avoided_emissions(lots, flag="low_carbon", factors=factors, common_sd=0.0, seed=2)
    assert wide.low_t < wide.avoided_t < wide.high_t <= 800
    assert "additionaalisuus" in wide.summary("fi") and "reduction" in wide.summary("en")
    assert isinstance(wide.plot(), Figure)


def test_outputs_and_bad_input():
    spend = pd.DataFrame({"cpv_division": ["45", "09", "72"], "spend_eur": [5e6, 1e6, 2e6]})
    res = spend_based_emissions(spend, seed=0)
    assert "kt CO2e" in res.summary("en") and "hiilijalanjälki" in res.summary("fi")
    assert isinstance(res.plot(), Figure)
    assert list(res.to_frame().index) == ["09", "45", "72"]  # sorted by division
    with pytest.raises(ValueError, match="negative"):
        spend_based_emissions(spend.assign(spend_eur=[-1.0, 1, 1]))
    dup = pd.concat([load_factors(), load_factors().head(1)])
    with pytest.raises(ValueError, match="more than once"):
        spend_based_emissions(spend, factors=dup)
    with pytest.raises(ValueError, match="low, mode, high"):
        avoided_emissions(spend, reduction=(0.5, 0.2, 0.9))
