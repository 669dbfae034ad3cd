"""Exchange-rate table and conversion."""

from __future__ import annotations

import pandas as pd
import pytest

from keino_metrics.readers.fx import FxTable, default_rates, load_rates, rates_from_ecb_history


def test_default_table_has_the_notices_currencies():
    t = default_rates()
    for cur in ("GBP", "SEK", "PLN", "DKK", "NOK", "CZK", "USD"):
        assert cur in t.rates and all(r > 0 for r in t.rates[cur].values())
    df = t.to_frame()
    assert set(df.columns) == {"currency", "year", "units_per_eur"}


def test_conversion_rules():
    t = FxTable({"GBP": {2020: 0.9, 2022: 0.8}}, "test")
    assert t.to_eur(90.0, "GBP", 2020) == pytest.approx(100.0)
    assert t.to_eur(80.0, "gbp", 2030) == pytest.approx(100.0)  # nearest year
    assert t.to_eur(12.5, "EUR", 1999) == 12.5
    assert t.to_eur(10.0, "MKD", 2020) is None  # not guessed
    assert t.to_eur(None, "GBP", 2020) is None


def test_load_rates_checks_its_input(tmp_path):
    with pytest.raises(ValueError, match="lacks column"):
        load_rates(pd.DataFrame({"currency": ["X"]}))
    with pytest.raises(ValueError, match="must be positive"):
        load_rates(pd.DataFrame({"currency": ["X"], "year": [2020], "units_per_eur": [0]}))
    p = tmp_path / "rates.csv"
    p.write_text("currency,year,units_per_eur\nSEK,2021,10\n", encoding="utf-8")
    assert load_rates(p).to_eur(100, "SEK", 2021) == pytest.approx(10)


def test_annual_averages_from_the_ecb_daily_file(tmp_path):
    p = tmp_path / "eurofxref-hist.csv"
    p.write_text("Date,USD,GBP,\n2021-12-31,1.10,0.80,\n2021-01-04,1.30,0.90,\n"
                 "2020-06-01,1.00,N/A,\n", encoding="utf-8")
    out = rates_from_ecb_history(p).set_index(["currency", "year"])["units_per_eur"]
    assert out[("USD", 2021)] == pytest.approx(1.2)
    assert out[("GBP", 2021)] == pytest.approx(0.85)
    assert ("GBP", 2020) not in out.index
    assert load_rates(out.reset_index()).to_eur(120, "USD", 2021) == pytest.approx(100)
