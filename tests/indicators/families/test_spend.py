"""The SPEND-* indicators compute through the catalogue with intervals."""

from __future__ import annotations

import pytest

import keino_metrics as km
from keino_metrics import demo


@pytest.fixture(scope="module")
def corpus():
    return demo.generate(seed=5, scale=0.03, invoices=True)


def test_spend_indicators_with_intervals(corpus):
    res = km.compute("SPEND-", corpus).to_frame().set_index("indicator_id")
    assert {"SPEND-EUR", "SPEND-COVERED", "SPEND-INNOV", "SPEND-GREEN", "SPEND-SOCIAL",
            "SPEND-SME", "SPEND-HHI"} <= set(res.index)
    for iid in ("SPEND-COVERED", "SPEND-INNOV", "SPEND-GREEN", "SPEND-SOCIAL", "SPEND-SME"):
        r = res.loc[iid]
        assert 0 <= r["ci_low"] <= r["estimate"] <= r["ci_high"] <= 1, iid
    assert res.loc["SPEND-INNOV", "estimate"] < res.loc["SPEND-COVERED", "estimate"]
    assert res.loc["SPEND-EUR", "estimate"] == pytest.approx(corpus.spend["amount_eur"].sum())
    assert res.loc["SPEND-INNOV", "target"] == 0.10


@pytest.mark.parametrize("by", [["year"], ["buyer_id"], ["category"], ["year", "category"]])
def test_spend_breakdowns(corpus, by):
    res = km.compute(["SPEND-INNOV", "SPEND-HHI", "SPEND-SME"], corpus, by=by).to_frame()
    assert len(res) > 3 and set(by) <= set(res.columns)


def test_category_breakdown_only_for_spend(corpus):
    with pytest.raises(ValueError, match="only for the spend indicators"):
        km.compute(["SPEND-INNOV", "SMS-01"], corpus, by="category")


def test_without_invoices_nothing_is_measured():
    plain = demo.generate(seed=5, scale=0.02)
    res = km.compute("SPEND-", plain).to_frame()
    assert res["estimate"].isna().all() and res["coverage"].isna().all()
