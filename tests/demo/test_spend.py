"""Demo invoices: calibrated, with true links, and without effect on the other tables."""

from __future__ import annotations

import pandas as pd
import pytest

from keino_metrics import datamodel, demo
from keino_metrics.demo import calibration as cal


@pytest.fixture(scope="module")
def pair():
    return (demo.generate(seed=9, scale=0.03),
            demo.generate(seed=9, scale=0.03, invoices=True))


def test_other_tables_unchanged(pair):
    plain, with_inv = pair
    assert plain.spend.empty and "spend" not in plain.tables()
    for name in ("buyers", "notices", "lots", "awards", "hilma_statistics",
                 "programme_participation"):
        pd.testing.assert_frame_equal(plain[name], with_inv[name])
    for name in plain.extra:
        pd.testing.assert_frame_equal(plain.extra[name], with_inv.extra[name])
    assert "invoices" not in plain.provenance and with_inv.provenance["invoices"] is True


def test_yearly_totals_meet_the_market_volume(pair):
    s = pair[1].spend
    total = s.groupby(s["posting_date"].dt.year)["amount_eur"].sum()
    for y, v in total.items():
        want = cal.MARKET_VOLUME_EUR * (1 + cal.VOLUME_GROWTH) ** (y - 2018) * 0.03
        assert v == pytest.approx(want, rel=1e-6)


def test_truth_names_real_contracts_and_validates(pair):
    d = pair[1]
    datamodel.schema("spend").validate(d.spend, lazy=True)
    truth = d.extra["spend_truth"]
    assert len(truth) == len(d.spend)
    assert (truth["record"].to_numpy() == d.spend["record"].to_numpy()).all()
    keys = set(d.awards["notice_id"] + "/" + d.awards["lot_id"])
    assert truth["contract"].dropna().isin(keys).all()
    assert set(truth["kind"]) == {"contract", "outside"}
    acc = d.accounting_summary()
    assert acc["balanced"].all()
    assert int(acc.set_index("unit").loc["invoice row", "rows_in"]) == len(d.spend)


def test_invoices_are_deterministic():
    a = demo.generate(seed=2, scale=0.02, invoices=True).spend
    b = demo.generate(seed=2, scale=0.02, invoices=True).spend
    pd.testing.assert_frame_equal(a, b)
