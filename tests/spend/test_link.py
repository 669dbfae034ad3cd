"""The invoice-contract linker: blocking, window, scores, and quality on the demo."""

from __future__ import annotations

import pandas as pd
import pytest

from keino_metrics import demo
from keino_metrics.spend.frame import contract_flags, linked_share, spend_tables
from keino_metrics.spend.ids import normalise_business_id
from keino_metrics.spend.link import LinkRules, link_spend


@pytest.fixture(scope="module")
def corpus():
    return demo.generate(seed=3, scale=0.03, invoices=True)


def _lr(**kw):
    base = {"notice_id": "N1", "lot_id": "LOT-0001", "buyer_id": "FI-0112038-9",
            "registration_number": None, "winner_id": "FI-0216509-5",
            "decision_date": pd.Timestamp("2020-01-01"),
            "publication_date": pd.Timestamp("2020-01-10"), "cpv_division": "45",
            "value_eur": 100_000.0}
    return pd.DataFrame([{**base, **kw}])


def _spend(**kw):
    base = {"buyer_id": "0112038-9", "buyer_name": "B", "supplier_id": "FI02165095",
            "posting_date": pd.Timestamp("2021-01-01"), "amount_eur": 5_000.0,
            "category": None, "product_group": None}
    return pd.DataFrame([{**base, **kw}])


def test_ids_in_any_form_link():
    links, cand = link_spend(_spend(), _lr())
    assert links.loc[0, "contract"] == "N1/LOT-0001"
    assert 0.5 <= links.loc[0, "link_score"] < 1
    assert len(cand) == 1


@pytest.mark.parametrize("change", [{"posting_date": pd.Timestamp("2019-06-01")},
                                    {"posting_date": pd.Timestamp("2026-01-01")},
                                    {"supplier_id": "0112038-9"}, {"supplier_id": None}])
def test_outside_window_or_other_supplier_stays_unlinked(change):
    links, cand = link_spend(_spend(**change), _lr())
    assert links.loc[0, "contract"] is None and links.loc[0, "link_score"] == 0
    assert cand.empty


def test_buyer_found_by_unique_name():
    buyers = pd.DataFrame({"buyer_id": ["FI-0112038-9"], "name": ["Virasto  A"]})
    links, _ = link_spend(_spend(buyer_id="02020", buyer_name="virasto a"), _lr(), buyers)
    assert links.loc[0, "contract"] == "N1/LOT-0001"


def test_ambiguous_candidates_share_probability():
    lr = pd.concat([_lr(), _lr(notice_id="N2")], ignore_index=True)
    links, cand = link_spend(_spend(), lr, rules=LinkRules(threshold=0.9))
    assert links.loc[0, "contract"] is None and links.loc[0, "candidates"] == 2
    assert cand["p"].sum() < 1 and cand["p"].sum() > 0.9


def test_demo_precision_and_recall(corpus):
    links, _ = link_spend(corpus.spend, contract_flags(corpus), corpus.buyers)
    truth = corpus.extra["spend_truth"]["contract"].to_numpy(dtype=object)
    got = links["contract"].to_numpy(dtype=object)
    linked, under = pd.notna(got), pd.notna(truth)
    correct = (linked & under & (got == truth)).sum()
    assert correct / linked.sum() > 0.9
    assert correct / under.sum() > 0.8


def test_linked_share_interval_contains_expectation(corpus):
    frame, cand = spend_tables(corpus)
    out = linked_share(frame, cand, None, ["year"], draws=50)
    assert (out["ci_low"] <= out["value"]).all() and (out["value"] <= out["ci_high"]).all()
    assert out["value"].between(0, 1).all()


def test_normalise_business_id():
    assert normalise_business_id("FI-0216509-5") == "0216509-5"
    assert normalise_business_id("216509-5") == "0216509-5"
    assert normalise_business_id("0216509-4") is None
    assert normalise_business_id("SE556000000001") is None


def test_split_linked_keeps_every_row(corpus):
    from keino_metrics.spend import split_linked

    linked, unlinked = split_linked(corpus)
    assert len(linked) + len(unlinked) == len(corpus.spend)
    assert linked["link_score"].ge(0.5).all() and linked["notice_id"].notna().all()
    assert linked["amount_eur"].sum() + unlinked["amount_eur"].sum() == pytest.approx(
        corpus.spend["amount_eur"].sum())
