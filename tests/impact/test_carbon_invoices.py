"""Spend-based carbon from purchase invoices (the spend table)."""

from __future__ import annotations

import pandas as pd
import pytest

from keino_metrics import demo
from keino_metrics.dataset import Dataset
from keino_metrics.impact import invoice_divisions, invoice_emissions


def test_divisions_from_contract_then_category_then_account():
    spend = pd.DataFrame({
        "amount_eur": [100.0, 50.0, 20.0, 10.0],
        "category": [None, "Sähkö ja lämmitys", None, "Muut"],
        "product_group": [None, None, None, None],
        "account_name": ["Palvelujen ostot", None, "Kuljetukset", None]})
    out = invoice_divisions(spend, pd.Series(["45", None, None, None]))
    assert out["cpv_division"].tolist() == ["45", "09", "60", "unknown"]
    assert out["basis"].tolist() == ["contract", "category", "account_name", "none"]


def test_invoice_emissions_on_demo():
    data = demo.generate(seed=4, scale=0.02, invoices=True)
    res, by = invoice_emissions(data, n_sims=200)
    assert res.total_low_t <= res.total_t <= res.total_high_t
    assert set(by["basis"]) <= {"contract", "category", "product_group", "account_name", "none"}
    assert by["spend_eur"].sum() == pytest.approx(data.spend["amount_eur"].sum())
    assert (by.loc[by["basis"] == "contract", "spend_eur"].sum()
            > 0.2 * data.spend["amount_eur"].sum())


def test_no_invoices_is_an_error():
    with pytest.raises(ValueError, match="no purchase invoices"):
        invoice_emissions(Dataset())
