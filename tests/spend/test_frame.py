"""The invoice frame: one linking per dataset, and the Monte Carlo interval of a share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from keino_metrics import demo
from keino_metrics.spend import frame as spend_frame
from keino_metrics.spend.frame import clear_cache, linked_share, linking_cache, spend_tables


@pytest.fixture(scope="module")
def corpus():
    return demo.generate(seed=3, scale=0.03, invoices=True)


@pytest.fixture
def spy(monkeypatch):
    """Counts the calls of the linker made by :func:`spend_tables`."""
    calls = []
    real = spend_frame.link_spend

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(spend_frame, "link_spend", counting)
    clear_cache()
    yield calls
    clear_cache()


def test_second_call_on_the_same_tables_does_not_link_again(corpus, spy):
    first = spend_tables(corpus)
    second = spend_tables(corpus)
    assert len(spy) == 1
    assert second[0] is first[0] and second[1] is first[1]
    # a new Dataset object holding the same tables is the same data
    spend_tables(corpus.replace())
    assert len(spy) == 1


def test_changed_table_is_linked_again(corpus, spy):
    frame, _ = spend_tables(corpus)
    fewer = corpus.replace(spend=corpus.spend.iloc[: len(corpus.spend) // 2].copy())
    half, _ = spend_tables(fewer)
    assert len(spy) == 2 and spy[1] == len(corpus.spend) // 2
    assert len(half) == len(corpus.spend) // 2
    other_awards = corpus.replace(awards=corpus.awards.copy())
    again, _ = spend_tables(other_awards)
    assert len(spy) == 3
    pd.testing.assert_frame_equal(again, frame)


def test_cache_switched_off_links_every_time(corpus, spy):
    with linking_cache(False):
        spend_tables(corpus)
        spend_tables(corpus)
    assert len(spy) == 2
    spend_tables(corpus)
    spend_tables(corpus)
    assert len(spy) == 3


def test_cache_keeps_at_most_cache_size_datasets(corpus, spy):
    parts = [corpus.replace(spend=corpus.spend.iloc[:k].copy()) for k in (10, 20, 30)]
    for part in parts:
        spend_tables(part)
    spend_tables(parts[0])  # the oldest was dropped
    assert len(spy) == 4
    assert len(spend_frame._cache) == spend_frame.CACHE_SIZE


def _one_buyer(q: np.ndarray, amount: np.ndarray, flagged: np.ndarray | None = None):
    n = len(q)
    frame = pd.DataFrame({"amount": amount, "buyer_id": "B", "year": 2024})
    cand = pd.DataFrame({"row": np.arange(n), "contract": [f"C{i}" for i in range(n)],
                         "p": q, "green": flagged if flagged is not None else True})
    return frame, cand


def test_share_and_interval_of_one_buyer_match_the_binomial_sums():
    """One buyer: the Poisson weight cancels, the share is a sum of independent
    Bernoulli amounts; its 95 % range follows from the mean and variance."""
    rng = np.random.default_rng(1)
    n = 4000
    q = rng.uniform(0.05, 0.95, n)
    amount = rng.uniform(100, 1000, n)
    frame, cand = _one_buyer(q, amount)
    out = linked_share(frame, cand, "green", ["year"], draws=2000, seed=5)
    mean = (q * amount).sum() / amount.sum()
    sd = np.sqrt((q * (1 - q) * amount ** 2).sum()) / amount.sum()
    assert out.loc[0, "value"] == pytest.approx(mean, rel=1e-12)
    assert out.loc[0, "ci_low"] == pytest.approx(mean - 1.96 * sd, abs=0.15 * sd)
    assert out.loc[0, "ci_high"] == pytest.approx(mean + 1.96 * sd, abs=0.15 * sd)


def test_certain_and_impossible_rows_draw_nothing():
    q = np.array([0.0, 1.0, 1.0])
    frame, cand = _one_buyer(q, np.array([50.0, 30.0, 20.0]))
    out = linked_share(frame, cand, "green", ["year"], draws=20)
    assert out.loc[0, "value"] == out.loc[0, "ci_low"] == out.loc[0, "ci_high"] == 0.5


def test_unflagged_candidates_do_not_count():
    frame, cand = _one_buyer(np.array([0.6, 0.6]), np.array([10.0, 30.0]),
                             flagged=np.array([True, False]))
    out = linked_share(frame, cand, "green", [], draws=50)
    assert out.loc[0, "value"] == pytest.approx(0.6 * 10 / 40)
    assert out.loc[0, "ci_high"] <= 10 / 40


def test_same_seed_same_interval_and_missing_keys_form_a_group(corpus):
    frame, cand = spend_tables(corpus)
    a = linked_share(frame, cand, "innovative", ["year", "category"], draws=40, seed=7)
    b = linked_share(frame, cand, "innovative", ["year", "category"], draws=40, seed=7)
    pd.testing.assert_frame_equal(a, b)
    groups = frame[["year", "category"]].astype(object)
    assert len(a) == len(groups.drop_duplicates())
    assert a["n_eligible"].sum() == len(frame)
    if frame["category"].isna().any():
        assert a["category"].isna().any()


def test_no_invoice_rows_give_a_share_that_is_not_measurable():
    frame, cand = _one_buyer(np.array([]), np.array([]))
    out = linked_share(frame, cand, "green", [], draws=10)
    assert len(out) == 1
    assert np.isnan(out.loc[0, "value"]) and np.isnan(out.loc[0, "ci_low"])


def test_flag_coverage_is_the_linked_euros_whose_contract_records_the_flag():
    from keino_metrics.spend.frame import flag_coverage

    frame = pd.DataFrame({"amount": [100.0, 50.0, 30.0, 20.0], "year": [1, 1, 1, 2]})
    cand = pd.DataFrame({"row": [0, 1, 1, 2], "p": [1.0, 0.5, 0.5, 0.4],
                         "innovative_known": [True, True, False, pd.NA]})
    out = flag_coverage(frame, cand, "innovative", ["year"]).set_index("year")
    # year 1: linked 100 + 50 + 12 = 162 euros, of which 100 + 25 under recorded contracts
    assert out.loc[1, "flag_known"] == pytest.approx(125 / 162)
    assert out.loc[2, "flag_known"] == 1.0  # nothing linked: nothing to classify


def test_spend_shares_are_not_measurable_where_contracts_do_not_record_the_flag():
    import keino_metrics as km
    from keino_metrics import demo

    data = demo.generate(seed=5, scale=0.03, invoices=True)
    r = km.compute(["SPEND-INNOV", "SPEND-COVERED"], data, by=["year"]).to_frame()
    innov = r[r["indicator_id"] == "SPEND-INNOV"].set_index("year")
    covered = r[r["indicator_id"] == "SPEND-COVERED"].set_index("year")
    # the demo's notices carry the innovation fields from 2022 on
    assert (innov.loc[2018, "status"], innov.loc[2025, "status"]) == ("not_measurable", "measured")
    assert pd.isna(innov.loc[2018, "estimate"])
    assert innov.loc[2025, "coverage"] <= covered.loc[2025, "coverage"]
    assert covered.loc[2018, "status"] == "measured"
