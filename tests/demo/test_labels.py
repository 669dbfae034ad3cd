import numpy as np
import pandas as pd
import pytest

from keino_metrics.demo.buyers import buyer_frame
from keino_metrics.demo.cpv import cpv_table
from keino_metrics.demo.labels import buyer_levels, draw_labels, green_level, innovative_level
from keino_metrics.demo.programmes import TRUE_EFFECTS


def test_levels_trend_upwards():
    assert innovative_level(2025) > innovative_level(2018) > 0
    assert green_level(2025) > green_level(2018) > 0


def test_effect_is_additive_on_the_probability():
    rng = np.random.default_rng(0)
    buyers = buyer_frame()
    levels = buyer_levels(rng, buyers)
    assert all((v >= 0).all() for v in levels.values())
    n = 5000
    plots = pd.DataFrame({"cpv_index": rng.integers(0, len(cpv_table()), n)})
    plot_buyer = rng.integers(0, len(buyers), n)
    year = rng.integers(2018, 2026, n)
    untreated = draw_labels(rng, plots, plot_buyer, year, np.zeros(len(buyers), int), levels,
                            cpv_table())
    cohort = np.full(len(buyers), 2020)
    treated = draw_labels(rng, plots, plot_buyer, year, cohort, levels, cpv_table())
    for name, eff in TRUE_EFFECTS.items():
        diff = treated[f"p_{name}"] - untreated[f"p_{name}"]
        assert diff.to_numpy() == pytest.approx(eff(year - 2020))
        assert treated[f"p_{name}"].between(0, 1).all()
