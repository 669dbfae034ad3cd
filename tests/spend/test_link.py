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


def test_near_tie_stays_unlinked():
    # two contracts of one buyer and supplier, the second awarded a month later:
    # the leader is above the threshold but not by the margin
    lr = pd.concat([_lr(), _lr(notice_id="N2", decision_date=pd.Timestamp("2020-02-01"))],
                   ignore_index=True)
    links, cand = link_spend(_spend(), lr, rules=LinkRules(threshold=0.4, margin=0.5))
    assert cand["p"].max() >= 0.4
    assert links.loc[0, "contract"] is None and links.loc[0, "link_score"] == 0


def test_sibling_lots_link_the_contract_without_naming_a_lot():
    # two equal lots of one notice won by the supplier: the contract is certain,
    # the lot is not
    lr = pd.concat([_lr(), _lr(lot_id="LOT-0002")], ignore_index=True)
    links, _ = link_spend(_spend(), lr)
    assert links.loc[0, "notice_id"] == "N1" and links.loc[0, "link_score"] > 0.9
    assert not links.loc[0, "lot_linked"]
    single, _ = link_spend(_spend(), _lr())
    assert single.loc[0, "lot_linked"]


@pytest.fixture(scope="module")
def demo_2024():
    return demo.generate(seed=2024, scale=0.05, invoices=True)


def test_demo_precision_and_recall_reach_the_aims(demo_2024):
    """Precision >= 0.95 and recall >= 0.90 against the generator's true links, for the
    contract (result notice x supplier) and for lots an invoice can identify (the
    supplier's only lot in its notice)."""
    flags = contract_flags(demo_2024)
    links, _ = link_spend(demo_2024.spend, flags, demo_2024.buyers)
    truth = demo_2024.extra["spend_truth"]["contract"]
    under = truth.notna().to_numpy()
    linked = links["notice_id"].notna().to_numpy()
    true_notice = truth.str.split("/", n=1).str[0].to_numpy(dtype=object)
    right = linked & under & (links["notice_id"].to_numpy(dtype=object) == true_notice)
    assert right.sum() / linked.sum() >= 0.95
    assert right.sum() / under.sum() >= 0.90
    won = flags.loc[flags["winner_id"].notna()]
    lots = won.groupby(["notice_id", "winner_id"])["contract"].transform("size")
    ident = ~truth.isin(set(won.loc[lots > 1, "contract"])).to_numpy()
    lot_right = linked & under & ident & (links["contract"].to_numpy(dtype=object)
                                          == truth.to_numpy(dtype=object))
    assert lot_right.sum() / (linked & ident).sum() >= 0.95
    assert lot_right.sum() / (under & ident).sum() >= 0.90
    named = linked & links["lot_linked"].to_numpy(bool)
    named_right = named & (links["contract"].to_numpy(dtype=object)
                           == truth.to_numpy(dtype=object))
    assert named_right.sum() / named.sum() >= 0.95


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
