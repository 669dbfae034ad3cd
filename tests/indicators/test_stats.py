"""Intervals and reliability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from keino_metrics.indicators.stats import cluster_ratio_interval, cronbach_alpha, wilson_interval


@pytest.mark.parametrize(("k", "n"), [(0, 10), (1, 3), (5, 10), (99, 100), (7, 7), (13, 250)])
def test_wilson_matches_statsmodels(k, n):
    lo, hi = wilson_interval([k], [n])
    ref = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert lo[0] == pytest.approx(ref[0], abs=1e-12)
    assert hi[0] == pytest.approx(ref[1], abs=1e-12)


def test_wilson_empty_is_nan():
    lo, hi = wilson_interval([0], [0])
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_cluster_interval_covers_true_share():
    """Euro-weighted share with buyer clustering: coverage near 95 % in simulation."""
    rng = np.random.default_rng(20261129)
    true_share, hits, reps = 0.3, 0, 300
    for _ in range(reps):
        g = 60
        # buyers differ in their own share (cluster effect) and lot values are skewed
        p_b = np.clip(rng.normal(true_share, 0.15, g), 0, 1)
        rows = []
        for b in range(g):
            n = rng.integers(3, 15)
            v = rng.lognormal(10, 1, n)
            y = rng.random(n) < p_b[b]
            rows.append((b, (v * y).sum(), v.sum()))
        df = pd.DataFrame(rows, columns=["buyer", "y", "x"])
        ci = cluster_ratio_interval(df, [], "y", "x", bounds=(0, 1)).iloc[0]
        # the population ratio: expected y / expected x with p independent of v
        hits += ci["ci_low"] <= true_share <= ci["ci_high"]
    assert 0.88 <= hits / reps <= 0.99


def test_cluster_interval_by_group():
    df = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "y": [1.0, 2.0, 0.0, 5.0, 5.0],
                       "x": [2.0, 2.0, 2.0, 10.0, 10.0]})
    out = cluster_ratio_interval(df, ["g"], "y", "x").set_index("g")
    assert out.loc["a", "ratio"] == pytest.approx(0.5)
    assert out.loc["b", "se"] == pytest.approx(0.0)
    # a: z = (0, 1, -1), var = 3/2 * 2 / 36
    assert out.loc["a", "se"] == pytest.approx(np.sqrt(1.5 * 2 / 36))


def test_cronbach_alpha_matches_formula():
    rng = np.random.default_rng(1)
    f = rng.normal(size=200)
    items = pd.DataFrame({f"i{k}": f + rng.normal(scale=0.8, size=200) for k in range(3)})
    k = 3
    ref = k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(items) == pytest.approx(ref)
    assert cronbach_alpha(items) > 0.7
