"""The impact report's numbers: effects by programme, forecast bases, classifier reliability."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

from keino_metrics.demo.programmes import PROGRAMMES
from keino_metrics.impact import did_by_programme
from keino_metrics.impact.hidden import MIN_AUC
from keino_metrics.impact.target import MIN_POINTS_FOR_PROBABILITY
from keino_metrics.report.impact.content import POOLED, programme_anchor
from keino_metrics.report.impact.panel import impact_panel
from keino_metrics.report.impact.params import DEFAULT_OUTCOME, N_BOOT


def test_programme_anchors_are_stable_ascii_ids():
    assert programme_anchor("KEINO-kehittämisohjelma") == "programme-keino-kehittamisohjelma"
    assert programme_anchor("Motiva green deal") == "programme-motiva-green-deal"
    assert programme_anchor("Hankinta-Suomi green deal") == "programme-hankinta-suomi-green-deal"
    assert programme_anchor(POOLED) == "pooled"
    assert programme_anchor("  Åland / Ö ") == "programme-aland-o"


def test_effects_by_programme_are_those_of_did_by_programme(small_demo, small_content):
    data, _ = small_demo
    c = small_content
    panel = impact_panel(data, DEFAULT_OUTCOME, "all", 2025)
    pp = data.programme_participation.dropna(subset=["buyer_id", "programme", "start_date"])
    pp = pp[pd.to_datetime(pp["start_date"]).dt.year <= 2025]
    with warnings.catch_warnings(record=True):  # the model's warnings, as the content records them
        ref = did_by_programme(panel, DEFAULT_OUTCOME, pp, control="never_treated", method="dr",
                               balance="unbalanced", n_boot=N_BOOT, seed=11).to_frame()
    got = c.programmes
    assert list(got["programme"]) == list(ref["programme"])
    # the centre's own programme first, then each Green Deal, then pooled
    assert got["programme"].iloc[0] == PROGRAMMES[0] and got["programme"].iloc[-1] == POOLED
    assert set(got["programme"].iloc[1:-1]) <= set(PROGRAMMES[1:])
    for col in ("estimate", "std_error", "ci_low", "ci_high", "n_treated", "n_control"):
        assert got[col].to_numpy() == pytest.approx(ref[col].to_numpy(), nan_ok=True), col
    assert got["anchor"].is_unique
    assert all(re.fullmatch(r"programme-[a-z0-9-]+|pooled", a) for a in got["anchor"])
    # the pooled row is the main estimate: same panel, estimator, bootstrap and seed
    assert got["estimate"].iloc[-1] == pytest.approx(c.main()["estimate"])
    assert got["n_treated"].iloc[-1] == c.n_treated
    # demo data: the true effect weighted by each programme's own cohorts
    assert got["truth"].notna().all()
    assert (got["covered"] == ((got["ci_low"] <= got["truth"])
                               & (got["truth"] <= got["ci_high"]))).all()


def test_forecasts_carry_their_basis(small_content):
    t = small_content.target
    assert len(t)
    for r in t.to_dict("records"):
        assert r["n_points"] >= 3 and r["method"] == "logit_trend"
        assert f"{r['n_points']} yearly points" in r["basis"]
        if r["n_points"] < MIN_POINTS_FOR_PROBABILITY:
            assert pd.isna(r["prob_at_year"]) and pd.isna(r["prob_by_year"])
            assert isinstance(r["probability_reason"], str)
        else:
            assert 0 <= r["prob_at_year"] <= 1 and r["probability_reason"] is None


def test_hidden_volume_reliability_is_the_models(small_content):
    h = small_content.hidden
    if not len(h):
        pytest.skip("no hidden-volume estimate on this corpus")
    row = h.iloc[0]
    assert row["min_auc"] == MIN_AUC
    if row["auc"] < MIN_AUC:
        assert not row["reliable"]
    assert row["reliability"].startswith("reliable" if row["reliable"] else "not reliable")

