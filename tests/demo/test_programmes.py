import numpy as np
import pandas as pd
import pytest

from keino_metrics import demo
from keino_metrics.demo.programmes import COHORTS, PROGRAMMES, TRUE_EFFECTS, true_aggregate
from keino_metrics.demo.reporting import REPORTING


def test_true_att_shape():
    f = 1 - REPORTING["innovative"].under_reporting - REPORTING["innovative"].false_positive
    assert demo.true_att("innovative", 2020, 2019) == 0.0
    assert demo.true_att("innovative", None, 2024) == 0.0
    assert demo.true_att("innovative", 0, 2024) == 0.0
    att = [demo.true_att("innovative", 2019, t, measured=False) for t in range(2019, 2026)]
    assert att[0] == pytest.approx(TRUE_EFFECTS["innovative"].first)
    assert np.all(np.diff(att) >= 0) and max(att) == pytest.approx(TRUE_EFFECTS["innovative"].cap)
    assert demo.true_att("innovative", 2019, 2021) == pytest.approx(f * att[2])
    with pytest.raises(KeyError):
        demo.true_att("social", 2019, 2020)


def test_aggregations():
    sizes = {2019: 10, 2021: 30, 0: 100}
    dyn = true_aggregate("green", "dynamic", sizes, (2018, 2025))
    assert dyn.loc[-1] == 0 and dyn.loc[0] == pytest.approx(demo.true_att("green", 2019, 2019))
    simple = true_aggregate("green", "simple", sizes, (2018, 2025)).iloc[0]
    cells = [(n, demo.true_att("green", g, t)) for g, n in sizes.items() if g
             for t in range(g, 2026)]
    assert simple == pytest.approx(sum(n * a for n, a in cells) / sum(n for n, _ in cells))
    group = true_aggregate("green", "group", sizes, (2018, 2025))
    assert list(group.index) == [2019, 2021]
    with pytest.raises(ValueError):
        true_aggregate("green", "median", sizes, (2018, 2025))


def test_cohorts_and_participation(small):
    truth = small.extra["programme_truth"].drop_duplicates("buyer_id")
    cohorts = truth["cohort"].value_counts(dropna=False)
    assert set(cohorts.index.dropna()) == set(COHORTS)
    assert truth["cohort"].isna().mean() > 0.5  # never-participants are the majority
    part = small.programme_participation
    assert set(part["programme"]) <= set(PROGRAMMES)
    first = part.sort_values("start_date").drop_duplicates("buyer_id")
    coh = truth.set_index("buyer_id")["cohort"]
    assert (first["start_date"].dt.year.to_numpy() == first["buyer_id"].map(coh).to_numpy()).all()
    assert (first["start_date"].dt.month <= 3).all()


def test_larger_buyers_join_earlier(full):
    pt = full.extra["programme_truth"].drop_duplicates("buyer_id")
    n = full.notices.groupby("buyer_id").size()
    pt = pt.assign(notices=pt["buyer_id"].map(n).fillna(0))
    joined = pt[pt["cohort"].notna()]
    never = pt[pt["cohort"].isna() & pt["buyer_id"].isin(
        full.buyers.loc[full.buyers["active_from"].isna() & full.buyers["active_to"].isna(),
                        "buyer_id"])]
    assert joined["notices"].median() > never["notices"].median()
    early = joined.loc[joined["cohort"] <= 2020, "notices"].median()
    late = joined.loc[joined["cohort"] >= 2022, "notices"].median()
    assert early > late


def test_programme_truth_matches_true_att(small):
    pt = small.extra["programme_truth"]
    for outcome in TRUE_EFFECTS:
        expected = [demo.true_att(outcome, None if pd.isna(g) else int(g), t)
                    for g, t in zip(pt["cohort"], pt["year"], strict=True)]
        assert np.allclose(pt[f"att_{outcome}"], expected)


def _did(panel_lots: pd.DataFrame, outcome: str):
    """Lot-weighted 2x2 DiDs against never-participants, base year g - 1, pooled."""
    col = demo.OUTCOMES[outcome]
    means = panel_lots.groupby(["cohort", "year"])[col].mean()
    counts = panel_lots.groupby(["cohort", "year"]).size()
    est, truth, weight = [], [], []
    for g in COHORTS:
        for t in range(g, 2026):
            d = (means[(g, t)] - means[(g, g - 1)]) - (means[(0, t)] - means[(0, g - 1)])
            est.append(d)
            truth.append(demo.true_att(outcome, g, t))
            weight.append(counts[(g, t)])
    return np.average(est, weights=weight), np.average(truth, weights=weight)


@pytest.mark.parametrize("outcome, tol", [("innovative", 0.01), ("green", 0.02)])
def test_data_recover_true_effect(full, outcome, tol):
    lt = full.extra["lot_truth"]
    always = full.buyers.loc[full.buyers["active_from"].isna() & full.buyers["active_to"].isna(),
                             "buyer_id"]
    lots = lt[lt["awarded"] & lt["buyer_id"].isin(always)]
    est, truth = _did(lots, outcome)
    assert truth > 0.01
    assert abs(est - truth) < tol


def test_panel_helper(small):
    p = demo.panel(small, "green")
    assert list(p.columns) == ["buyer_id", "year", "cohort", "lots", "share"]
    assert p["share"].between(0, 1).all() and (p["lots"] > 0).all()
    assert set(p["cohort"]) <= {0, *COHORTS}
    with pytest.raises(KeyError):
        demo.panel(small, "social")


def test_static_twfe_is_biased_in_expectation(full):
    """On expected outcomes (no noise) a static TWFE coefficient misses the simple ATT."""
    pt = full.extra["programme_truth"]
    always = full.buyers.loc[full.buyers["active_from"].isna() & full.buyers["active_to"].isna(),
                             "buyer_id"]
    pt = pt[pt["buyer_id"].isin(always)]
    y = pt["base_innovative"] + 0.002 * (pt["year"] - 2018) + pt["att_innovative"]
    d = (pt["cohort"].notna() & (pt["year"] >= pt["cohort"].fillna(9999))).astype(float)
    frame = pd.DataFrame({"b": pt["buyer_id"], "t": pt["year"], "y": y, "d": d})

    def demean(s):
        return (s - frame.groupby("b")[s.name].transform("mean")
                - frame.groupby("t")[s.name].transform("mean") + s.mean())

    dd, yy = demean(frame["d"]), demean(frame["y"])
    beta = float((dd * yy).sum() / (dd**2).sum())
    sizes = pt.drop_duplicates("buyer_id")["cohort"].fillna(0).astype(int).value_counts().to_dict()
    simple = true_aggregate("innovative", "simple", sizes, (2018, 2025)).iloc[0]
    assert abs(beta - simple) / simple > 0.1
