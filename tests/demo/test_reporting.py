import numpy as np
import pytest

from keino_metrics.demo.reporting import REPORTING, report


@pytest.mark.parametrize("outcome", sorted(REPORTING))
def test_reporting_rates(outcome):
    rng = np.random.default_rng(3)
    truth = rng.random(200_000) < 0.3
    rep = report(rng, truth, outcome)
    r = REPORTING[outcome]
    assert abs((~rep[truth]).mean() - r.under_reporting) < 0.01
    assert abs(rep[~truth].mean() - r.false_positive) < 0.005


def test_lot_truth_rates(full):
    lt = full.extra["lot_truth"]
    aw = lt[lt["awarded"]]
    for outcome, r in REPORTING.items():
        t, rep = aw[f"true_{outcome}"], aw[f"reported_{outcome}"]
        assert abs((~rep[t]).mean() - r.under_reporting) < 0.02
        assert abs(rep[~t].mean() - r.false_positive) < 0.01
        assert abs(t.mean() - aw[f"p_{outcome}"].mean()) < 0.01
