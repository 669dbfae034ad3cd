"""Staggered DiD against the published R ``did`` numbers on mpdta."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from keino_metrics.impact import staggered_did

# Published ATT(g, t), did package documentation (data/SOURCE.md).
PUBLISHED_ATT_GT = {
    (2004, 2004): -0.0105, (2004, 2005): -0.0704, (2004, 2006): -0.1373, (2004, 2007): -0.1008,
    (2006, 2004): 0.0065, (2006, 2005): -0.0028, (2006, 2006): -0.0046, (2006, 2007): -0.0412,
    (2007, 2004): 0.0305, (2007, 2005): -0.0027, (2007, 2006): -0.0311, (2007, 2007): -0.0261,
}
PUBLISHED_EVENT = [0.0305, -0.0006, -0.0245, -0.0199, -0.0510, -0.1373, -0.1008]


def test_att_gt_matches_published_table(mpdta_did):
    tab = mpdta_did.att_gt.set_index(["group", "time"])["estimate"]
    assert len(tab) == len(PUBLISHED_ATT_GT)
    for key, value in PUBLISHED_ATT_GT.items():
        assert tab[key] == pytest.approx(value, abs=5e-5), key


@pytest.mark.parametrize(
    ("kind", "estimate", "se"),
    [("group", -0.0310, 0.0123), ("dynamic", -0.0772, 0.0203),
     ("simple", -0.0400, 0.0120), ("calendar", -0.0417, 0.0169)],
)
def test_aggregates_match_published(mpdta_did, kind, estimate, se):
    agg = mpdta_did.aggregate(kind)
    assert round(agg.estimate, 4) == pytest.approx(estimate, abs=1e-4)
    assert agg.se == pytest.approx(se, rel=0.15)
    assert agg.ci[0] < agg.estimate < agg.ci[1]


def test_event_times_and_group_effects(mpdta_did):
    dyn = mpdta_did.aggregate("dynamic").to_frame()
    assert list(dyn.index) == [-3, -2, -1, 0, 1, 2, 3]
    np.testing.assert_allclose(dyn["estimate"].to_numpy(), PUBLISHED_EVENT, atol=5e-5)
    grp = mpdta_did.aggregate("group").to_frame()["estimate"]
    np.testing.assert_allclose(grp.loc[[2004, 2006, 2007]].to_numpy(),
                               [-0.0797, -0.0229, -0.0261], atol=5e-5)


def test_uniform_band_is_wider_than_pointwise(mpdta_did):
    dyn = mpdta_did.aggregate("dynamic")
    tab = dyn.to_frame()
    assert dyn.crit_value > 1.96
    assert (tab["band_high"] - tab["band_low"] > tab["ci_high"] - tab["ci_low"]).all()


def test_pretest_matches_published_p_value(mpdta_did):
    pre = mpdta_did.pretest()
    assert pre.df == 5
    assert pre.p_value == pytest.approx(0.16812, abs=1e-4)


def test_seed_reproducible_and_global_state_untouched(mpdta):
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - checks the global state
    a = staggered_did(mpdta, "lemp", unit="countyreal", cohort="first.treat", seed=7, n_boot=199)
    b = staggered_did(mpdta, "lemp", unit="countyreal", cohort="first.treat", seed=7, n_boot=199)
    assert a.aggregate("dynamic").se == b.aggregate("dynamic").se
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def test_reg_and_not_yet_treated(mpdta):
    reg = staggered_did(mpdta, "lemp", unit="countyreal", cohort="first.treat",
                        method="reg", n_boot=199)
    assert reg.aggregate("group").estimate == pytest.approx(-0.0310, abs=1e-4)
    nyt = staggered_did(mpdta, "lemp", unit="countyreal", cohort="first.treat",
                        control="not_yet_treated", n_boot=199)
    # ATT(2004, 2004) by hand: cohort 2004's 2003->2004 change minus that of the units
    # not yet treated in 2004 (never treated and cohorts 2006, 2007)
    wide = mpdta.pivot(index="countyreal", columns="year", values="lemp")
    g = mpdta.groupby("countyreal")["first.treat"].first()
    change = wide[2004] - wide[2003]
    by_hand = change[g == 2004].mean() - change[(g == 0) | (g > 2004)].mean()
    tab = nyt.att_gt.set_index(["group", "time"])["estimate"]
    assert tab[(2004, 2004)] == pytest.approx(by_hand, abs=1e-10)
    assert nyt.control == "not_yet_treated"


def test_covariates_and_universal_base(mpdta):
    res = staggered_did(mpdta, "lemp", unit="countyreal", cohort="first.treat",
                        covariates=["lpop"], base_period="universal", n_boot=199)
    tab = res.att_gt.set_index(["group", "time"])
    # the base period g - 1 is normalised to zero under a universal base
    assert tab.loc[(2007, 2006), "estimate"] == 0
    assert res.pretest() is not None


def test_outputs_render(mpdta_did):
    assert "simple" in mpdta_did.summary("en") and "dynamic" in mpdta_did.summary("en")
    assert "yksinkertainen" in mpdta_did.summary("fi") and "dynamisk" in mpdta_did.summary("sv")
    assert "−0,0310" in mpdta_did.summary("fi") and "−0,0310" in mpdta_did.summary("sv")
    assert isinstance(mpdta_did.plot(), Figure)
    assert isinstance(mpdta_did.aggregate("group").plot(), Figure)
    frame = mpdta_did.to_frame()
    assert list(frame.columns[:6]) == ["group", "time", "estimate", "std_error", "ci_low", "ci_high"]
    with pytest.raises(ValueError, match="language"):
        mpdta_did.summary("de")


def test_bad_input_is_named(mpdta):
    with pytest.raises(ValueError, match="no column"):
        staggered_did(mpdta, "employment", unit="countyreal", cohort="first.treat")
    with pytest.raises(ValueError, match="kind"):
        staggered_did(mpdta, "lemp", unit="countyreal", cohort="first.treat",
                      n_boot=99).aggregate("weekly")
    broken = mpdta.copy()
    broken.loc[0, "first.treat"] = 2004
    with pytest.raises(ValueError, match="varies within unit"):
        staggered_did(broken, "lemp", unit="countyreal", cohort="first.treat")


def test_missing_outcome_drops_unit_with_warning(mpdta):
    gap = mpdta.copy()
    gap.loc[gap.index[3], "lemp"] = np.nan
    with pytest.warns(UserWarning, match="dropped"):
        res = staggered_did(gap, "lemp", unit="countyreal", cohort="first.treat", n_boot=99)
    assert res.dropped_units == (int(gap.loc[gap.index[3], "countyreal"]),)
    assert res.n_units == 499
    assert isinstance(res.att_gt, pd.DataFrame)


def test_unbalanced_panel_keeps_every_unit(mpdta):
    # a balanced panel gives the panel estimates whatever the option
    full = staggered_did(mpdta, "lemp", unit="countyreal", cohort="first.treat",
                         balance="unbalanced", n_boot=199)
    assert full.aggregate("group").estimate == pytest.approx(-0.0310, abs=1e-4)
    gap = mpdta.drop(index=mpdta.sample(60, random_state=2).index)
    res = staggered_did(gap, "lemp", unit="countyreal", cohort="first.treat",
                        balance="unbalanced", n_boot=199)
    assert res.dropped_units == ()
    assert res.n_units == 500
    # the unbalanced estimator does not difference out the county levels: it is
    # consistent but much less precise
    agg = res.aggregate("group")
    assert agg.se > 2 * full.aggregate("group").se
    assert abs(agg.estimate - (-0.031)) < 2.5 * agg.se
    with pytest.raises(ValueError, match="balance"):
        staggered_did(gap, "lemp", unit="countyreal", cohort="first.treat", balance="fill")


def test_cells_without_data_are_left_out_with_warning(mpdta):
    hole = mpdta[~((mpdta["first.treat"] == 2007) & (mpdta["year"] == 2004))]
    with pytest.warns(UserWarning, match="could not be estimated"):
        res = staggered_did(hole, "lemp", unit="countyreal", cohort="first.treat",
                            balance="unbalanced", n_boot=99)
    tab = res.att_gt.set_index(["group", "time"])
    assert np.isnan(tab.loc[(2007, 2004), "estimate"])
    # the warning is also kept in the result, for a report to show
    assert any("left out of the aggregations" in n.text for n in res.notes)
    assert "left out of the aggregations" in res.summary("en")
    assert np.isfinite(res.aggregate("group").estimate)


@pytest.fixture(scope="module")
def demo_programmes():
    """Effects by programme on the demo corpus, whose true effect is known."""
    import warnings

    from keino_metrics import demo
    from keino_metrics.demo import programmes
    from keino_metrics.impact import did_by_programme

    data = demo.load()
    panel = programmes.panel(data, "innovative")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # dropped units: kept in res.notes
        res = did_by_programme(panel, "share", data.programme_participation, n_boot=199,
                               seed=1)
    return data, res


def test_each_programme_is_estimated_own_first_pooled_last(demo_programmes):
    from keino_metrics.demo.programmes import PROGRAMMES
    from keino_metrics.impact.did import OWN_PROGRAMME, POOLED

    data, res = demo_programmes
    order = list(res.table["programme"])
    assert order[0] == OWN_PROGRAMME and order[-1] == POOLED
    assert set(order[1:-1]) == set(PROGRAMMES) - {OWN_PROGRAMME}
    pp = data.programme_participation.sort_values("start_date").drop_duplicates("buyer_id")
    first_own = int((pp["programme"] == OWN_PROGRAMME).sum())
    own = res.table.iloc[0]
    assert 0 < own["n_treated"] <= first_own
    assert res.table["n_treated"].iloc[:-1].sum() == res.table["n_treated"].iloc[-1]
    assert all("dropped" in n for n in res.table["notes"])     # disclosed, not silenced


def test_programme_effects_cover_the_known_truth(demo_programmes):
    from keino_metrics.demo.programmes import true_aggregate

    _, res = demo_programmes
    for row in res.table.itertuples(index=False):
        sizes = dict(res.results[row.programme].cohort_sizes)
        truth = float(true_aggregate("innovative", "simple", sizes, (2018, 2025)).iloc[0])
        assert row.ci_low <= truth <= row.ci_high, (row.programme, truth)
        assert row.ci_low > 0                  # each programme's effect is detected
    assert "KEINO-kehittämisohjelma" in res.summary("en").splitlines()[1]


def test_impact_results_follow_the_protocol(mpdta_did):
    from matplotlib.figure import Figure

    agg = mpdta_did.aggregate("dynamic")
    assert {"estimate", "std_error", "ci_low", "ci_high"} <= set(agg.tidy().columns)
    assert repr(agg).startswith("DiDAggregate\nATT (dynamic)")
    assert isinstance(agg.plot(), Figure)
    assert "<table" in mpdta_did._repr_html_()
