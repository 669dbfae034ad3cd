"""The simulated staggered panel and a smoke run of the Monte Carlo study."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from keino_metrics.impact.simulate import simulate_staggered_panel

ROOT = Path(__file__).resolve().parents[2]


def test_panel_shape_and_true_effects():
    sim = simulate_staggered_panel(n_units=50, years=range(2015, 2021), effect=0.1,
                                   growth=0.05, sd_noise=0.0, sd_unit=0.0, trend=0.0,
                                   base=0.0, cohort_shares={0: 0.5, 2017: 0.5}, seed=1)
    p = sim.panel
    assert len(p) == 300 and p.groupby("buyer_id")["cohort"].nunique().max() == 1
    treated = p[(p["cohort"] == 2017) & (p["year"] >= 2017)]
    np.testing.assert_allclose(treated["tau"], 0.1 + 0.05 * (treated["year"] - 2017))
    # without noise the outcome is the effect itself
    np.testing.assert_allclose(p["y"], p["tau"])
    assert sim.true_dynamic == pytest.approx({0: 0.1, 1: 0.15, 2: 0.2, 3: 0.25})
    assert sim.true_simple == pytest.approx(treated["tau"].mean())
    assert sim.true_dynamic_overall == pytest.approx(0.175)


def test_seed_and_bad_input():
    a = simulate_staggered_panel(n_units=20, seed=3).to_frame()
    b = simulate_staggered_panel(n_units=20, seed=3).to_frame()
    assert a.equals(b)
    with pytest.raises(ValueError, match="sum to 1"):
        simulate_staggered_panel(cohort_shares={0: 0.5, 2018: 0.2})
    with pytest.raises(ValueError, match="rho"):
        simulate_staggered_panel(rho=1.0)


def test_montecarlo_smoke(capsys):
    spec = importlib.util.spec_from_file_location("montecarlo_did",
                                                  ROOT / "validation" / "montecarlo_did.py")
    mc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mc)
    table = mc.main(["--source", "simulated", "--seeds", "3", "--units", "150",
                     "--n-boot", "99"])
    assert set(table.index) == {"CS simple", "CS dynamic", "Sun-Abraham", "TWFE static"}
    assert (table["runs"] == 3).all()
    # growing effects under staggered adoption: TWFE is pulled well below the truth
    assert table.loc["TWFE static", "bias"] < 0
    assert abs(table.loc["CS simple", "bias_pct"]) < abs(table.loc["TWFE static", "bias_pct"])
    assert "Monte Carlo" in capsys.readouterr().out
