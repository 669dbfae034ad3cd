"""Interrupted time series on simulated monthly series with a known break."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from keino_metrics.impact import interrupted_time_series


def monthly(level=0.08, slope=0.002, sd=0.0, seed=0, n=72, brk=36, phi=0.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    season = 0.03 * np.sin(2 * np.pi * t / 12)
    e = np.zeros(n)
    for k in range(n):
        e[k] = (phi * e[k - 1] if k else 0.0) + rng.normal(0, sd)
    y = 0.2 + 0.001 * t + level * (t >= brk) + slope * (t - brk) * (t >= brk) + season + e
    dates = pd.date_range("2018-01-01", periods=n, freq="MS")
    return pd.DataFrame({"month": dates, "green_share": y}), dates[brk]


def test_recovers_noise_free_break():
    data, brk = monthly()
    res = interrupted_time_series(data, time="month", outcome="green_share", break_date=brk)
    # a 12-month periodic pattern is spanned by the month dummies
    assert res.level_change == pytest.approx(0.08, abs=1e-8)
    assert res.slope_change == pytest.approx(0.002, abs=1e-10)
    assert res.pre_slope == pytest.approx(0.001, abs=1e-10)
    post = res.frame[res.frame["post"]]
    t = np.arange(len(post))
    np.testing.assert_allclose(post["estimate"], 0.08 + 0.002 * t, atol=1e-8)


def test_noisy_break_inside_interval_and_hac_lags():
    data, brk = monthly(sd=0.02, seed=3, phi=0.4)
    res = interrupted_time_series(data, time="month", outcome="green_share", break_date=brk)
    assert res.level_ci[0] < 0.08 < res.level_ci[1]
    assert res.slope_ci[0] < 0.002 < res.slope_ci[1]
    assert res.hac_lags == int(np.floor(4 * (72 / 100) ** (2 / 9)))
    wider = interrupted_time_series(data, time="month", outcome="green_share",
                                    break_date=brk, hac_lags=0)
    assert wider.level_change == pytest.approx(res.level_change)
    assert wider.level_se != res.level_se


def test_quarterly_and_outputs():
    data, brk = monthly(sd=0.01, seed=1)
    q = data.groupby(data["month"].dt.to_period("Q"))["green_share"].mean().reset_index()
    res = interrupted_time_series(q, time="month", outcome="green_share",
                                  break_date="2021-01-01", period="quarter")
    assert str(res.break_period) == "2021Q1"
    assert len(res.counterfactual) == 24
    assert "tason muutos" in res.summary("fi")
    assert "level change" in res.summary("en")
    assert isinstance(res.plot(), Figure)
    assert set(res.to_frame().columns) >= {"observed", "fitted", "counterfactual", "estimate"}


def test_bad_input():
    data, brk = monthly()
    with pytest.raises(ValueError, match="at least 3 periods"):
        interrupted_time_series(data, time="month", outcome="green_share",
                                break_date="2017-01-01")
    with pytest.raises(ValueError, match="no column"):
        interrupted_time_series(data, time="date", outcome="green_share", break_date=brk)
    dup = pd.concat([data, data.iloc[:1]])
    with pytest.raises(ValueError, match="more than once"):
        interrupted_time_series(dup, time="month", outcome="green_share", break_date=brk)
