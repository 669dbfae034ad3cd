"""TWFE and Sun & Abraham event studies on mpdta."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from matplotlib.figure import Figure

from keino_metrics.impact import sun_abraham, twfe


@pytest.fixture(scope="module")
def mp(mpdta):
    return mpdta.rename(columns={"first.treat": "g"})


def test_twfe_static_equals_dummy_ols(mp):
    res = twfe(mp, "lemp", unit="countyreal", cohort="g")
    data = mp.assign(d=((mp["g"] > 0) & (mp["year"] >= mp["g"])).astype(float))

    # balanced panel: two-way demeaning is exactly the fixed-effects projection
    def within(col):
        x = data[col]
        return (x - x.groupby(data["countyreal"]).transform("mean")
                - x.groupby(data["year"]).transform("mean") + x.mean())

    ols = smf.ols("y ~ d - 1", data=pd.DataFrame({"y": within("lemp"), "d": within("d")})).fit()
    assert res.estimate == pytest.approx(ols.params["d"], abs=1e-10)
    assert res.se > 0 and res.ci[0] < res.estimate < res.ci[1]
    assert res.n_units == 500 and res.n_obs == 2500


def test_twfe_bins_end_points(mp):
    res = twfe(mp, "lemp", unit="countyreal", cohort="g", leads=2, lags=1)
    assert list(res.to_frame().index) == [-2, -1, 0, 1]
    assert res.table.loc[-1, "estimate"] == 0


def test_sun_abraham_post_periods_equal_cs_dynamic(mp, mpdta_did):
    # with never-treated controls the interaction-weighted post-period effects equal
    # Callaway & Sant'Anna's dynamic aggregation
    sa = sun_abraham(mp, "lemp", unit="countyreal", cohort="g")
    cs = mpdta_did.aggregate("dynamic").to_frame()
    for e in range(4):
        assert sa.table.loc[e, "estimate"] == pytest.approx(cs.loc[e, "estimate"], abs=1e-8)
    assert sa.estimate == pytest.approx(mpdta_did.aggregate("simple").estimate, abs=1e-8)
    assert sa.se == pytest.approx(mpdta_did.aggregate("simple").se, rel=0.15)


def test_sun_abraham_needs_never_treated(mp):
    with pytest.raises(ValueError, match="never-treated"):
        sun_abraham(mp[mp["g"] > 0], "lemp", unit="countyreal", cohort="g")


def test_event_study_outputs(mp):
    res = sun_abraham(mp, "lemp", unit="countyreal", cohort="g")
    assert isinstance(res.plot(), Figure)
    assert "Sun & Abraham" in res.summary("en")
    assert "estimaatti" in res.summary("fi")
    frame = res.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert np.all(frame["ci_low"] <= frame["ci_high"])
