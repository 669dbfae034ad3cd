"""The site's numbers are the indicator library's numbers, computed once."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import keino_metrics as km
from keino_metrics.report import grouped
from keino_metrics.site import content as site_content
from keino_metrics.site.content import MIN_N, SHARE_IDS, SPEND_IDS, VOLUME_IDS


def _by_buyer(corpus, content, ids):
    """Each buyer's site profile beside ``km.compute`` by buyer for the site's year."""
    ref = (km.compute(list(ids), corpus, by=["buyer_id", "year"]).to_frame()
           .rename(columns={"estimate": "value"}))  # the site's name for the estimate
    ref = ref[ref["year"] == content.year]
    for buyer in content.buyers["buyer_id"]:
        yield (buyer, content.profile(buyer).set_index("indicator_id"),
               ref[ref["buyer_id"] == buyer].set_index("indicator_id"))


def test_buyer_numbers_equal_compute_by_buyer(small_corpus, small_content):
    ids = (*VOLUME_IDS, *SHARE_IDS, "SMS-01")
    checked = 0
    for buyer, prof, mine in _by_buyer(small_corpus, small_content, ids):
        for i in ids:
            if i not in mine.index:
                assert pd.isna(prof.loc[i, "value"])
                continue
            for col in ("value", "numerator", "denominator", "ci_low", "ci_high", "coverage"):
                np.testing.assert_allclose(float(prof.loc[i, col]), float(mine.loc[i, col]),
                                           equal_nan=True, err_msg=f"{buyer} {i} {col}")
            checked += 1
    assert checked >= len(ids)


def test_peers_are_the_group_region_and_national_results(small_corpus, small_content):
    buyer = small_content.buyers.iloc[0]
    prof = small_content.profile(buyer["buyer_id"]).set_index("indicator_id")
    ref = km.compute(list(SHARE_IDS), small_corpus, by=["region_code", "year"])
    for i in SHARE_IDS:
        expected = ref.value(i, region_code=buyer["region_code"], year=small_content.year)
        np.testing.assert_allclose(prof.loc[i, "region_value"], expected, equal_nan=True)
    nat = km.compute(list(SHARE_IDS), small_corpus, by=["year"])
    for i in SHARE_IDS:
        np.testing.assert_allclose(prof.loc[i, "national_value"],
                                   nat.value(i, year=small_content.year), equal_nan=True)


def test_small_numbers_get_no_light_and_no_rank(small_content):
    f = small_content.by_buyer
    small = f["denominator"].notna() & (f["denominator"] < MIN_N)
    assert small.any()
    assert f.loc[small, "light"].isna().all()
    assert f.loc[small, "rank"].isna().all()
    ranked = f[f["rank"].notna()]
    assert (ranked["denominator"] >= MIN_N).all()
    assert (ranked["rank"] <= ranked["n_ranked"]).all()


def test_ranks_put_the_best_value_first_by_direction(small_content):
    from keino_metrics.indicators import catalogue

    direction = catalogue().set_index("id")["direction"]
    f = small_content.by_buyer
    f = f[f["rank"].notna()]
    assert not f.empty
    for (ind, _), g in f.groupby(["indicator_id", "year"]):
        v = g.sort_values("rank")["value"]
        if direction[ind] == "lower":
            assert v.is_monotonic_increasing, ind
        else:
            assert v.is_monotonic_decreasing, ind


def test_every_buyer_has_a_profile_row_per_indicator(small_content):
    assert small_content.has_spend
    n = len(small_content.buyers) * (len(small_content.ids) + len(SPEND_IDS))
    assert len(small_content.profiles) == n


def test_buyer_spend_equals_compute_by_buyer(small_corpus, small_content):
    checked = 0
    for buyer, prof, mine in _by_buyer(small_corpus, small_content, SPEND_IDS):
        for i in SPEND_IDS:
            for col in ("value", "ci_low", "ci_high", "coverage", "target"):
                np.testing.assert_allclose(float(prof.loc[i, col]), float(mine.loc[i, col]),
                                           equal_nan=True, err_msg=f"{buyer} {i} {col}")
            checked += 1
    assert checked == len(small_content.buyers) * len(SPEND_IDS)


def test_data_without_invoices_have_no_spend_rows(small_corpus):
    no_spend = replace(small_corpus, spend=small_corpus.spend.iloc[:0])
    c = site_content.compute(no_spend)
    assert not c.has_spend
    assert not c.profiles["indicator_id"].isin(SPEND_IDS).any()


def test_the_site_tables_are_the_shared_grouped_rows(small_corpus, small_content):
    ref = grouped.rows(site_content.site_ids(), small_corpus, ["buyer_group", "year"])
    mine = small_content.by_group
    assert len(mine) == len(ref)
    for col in ("value", "ci_low", "ci_high", "denominator"):
        np.testing.assert_allclose(mine[col].astype(float), ref[col].astype(float),
                                   equal_nan=True)
    assert list(mine["status"]) == list(ref["status"])
    assert list(mine["light"]) == list(ref["light"])


def test_buyer_group_follows_the_legal_type():
    legal = pd.Series(["la", None, "cga", "unheard-of"])
    assert list(site_content.buyer_group_of(legal)) == ["municipality", None, "state", "other"]


def test_unknown_year_is_a_clear_error(small_corpus):
    with pytest.raises(ValueError, match="no results for 1990"):
        site_content.compute(small_corpus, 1990)


def test_every_programme_has_an_effect_row_or_a_reason(small_corpus, small_content):
    progs = set(small_corpus.programme_participation["programme"].dropna())
    eff = small_content.effects
    assert set(eff["programme"]) == progs
    for r in eff.itertuples():
        if pd.isna(r.estimate):
            assert r.note
        else:
            assert r.ci_low <= r.estimate <= r.ci_high
            assert 0 < r.n_treated <= r.n_units


def test_the_effects_keep_their_fit_warnings_instead_of_printing_them(small_corpus,
                                                                      monkeypatch):
    import warnings

    from keino_metrics.impact import did

    progs = sorted(small_corpus.programme_participation["programme"].dropna().unique())

    def fit(panel, outcome, participation, **kwargs):
        warnings.warn("singular covariance matrix", UserWarning, stacklevel=2)
        rows = [{"programme": p, "estimate": 0.02, "ci_low": 0.01, "ci_high": 0.03,
                 "n_treated": 5, "n_control": 20, "notes": f"few units in {p}"}
                for p in [*progs, did.POOLED]]
        return type("Effects", (), {"table": pd.DataFrame(rows)})()

    monkeypatch.setattr(did, "did_by_programme", fit)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eff = site_content.programme_effects(small_corpus)
    assert [str(w.message) for w in caught] == []  # recorded, not printed
    for r in eff.itertuples():
        assert f"few units in {r.programme}" in r.note  # ... and kept with the row,
        assert "singular covariance matrix" in r.note  # or with every row


def test_the_site_shows_the_annual_report_numbers(small_corpus, small_content):
    from keino_metrics.report.annual import content as annual

    report = annual.compute(small_corpus, small_content.year, samples=False)
    year = small_content.year
    checked = 0
    for mine, theirs, key in ((small_content.by_region, report.by_region, "region_code"),
                              (small_content.by_group, report.by_buyer_group, "buyer_group")):
        mine = mine[mine["year"] == year].set_index(["indicator_id", key])
        for r in theirs[theirs["indicator_id"].isin(small_content.ids)].itertuples():
            k = (r.indicator_id, getattr(r, key))
            if k not in mine.index:
                continue
            for col in ("value", "ci_low", "ci_high", "denominator"):
                np.testing.assert_allclose(float(mine.loc[k, col]), float(getattr(r, col)),
                                           equal_nan=True, err_msg=f"{k} {col}")
            checked += 1
    assert checked >= 8
    nat = small_content.national.set_index(["indicator_id", "year"])
    for r in report.by_year[report.by_year["indicator_id"].isin(small_content.ids)].itertuples():
        np.testing.assert_allclose(float(nat.loc[(r.indicator_id, r.year), "value"]),
                                   float(r.value), equal_nan=True, err_msg=r.indicator_id)
