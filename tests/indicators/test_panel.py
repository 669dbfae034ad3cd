"""The buyer-by-year panel."""

from __future__ import annotations

import numpy as np
import pytest

from keino_metrics.indicators import buyer_year_panel


def test_panel_shape_and_values(tiny):
    p = buyer_year_panel(tiny, outcomes=["KEINO-INNOV-MKT-N", "SMS-01"], engine="pandas")
    # balanced: 3 buyers x 2 years with an awarded lot result
    assert len(p) == 6
    assert set(p["year"]) == {2023, 2024}
    b1 = p[p["buyer_id"] == "B1"].set_index("year")
    assert b1.loc[2023, "lots"] == 2 and b1.loc[2024, "lots"] == 1
    assert b1.loc[2023, "KEINO-INNOV-MKT-N"] == pytest.approx(0.5)
    assert b1.loc[2023, "KEINO-INNOV-MKT-N__num"] == 1
    assert b1.loc[2023, "KEINO-INNOV-MKT-N__den"] == 2
    assert b1.loc[2024, "eur"] == 50
    # B1 joined the programme in March 2024
    assert (p.loc[p["buyer_id"] == "B1", "cohort"] == 2024).all()
    assert (p.loc[p["buyer_id"] != "B1", "cohort"] == 0).all()
    assert list(b1["treated"]) == [False, True]
    # a buyer without lots in a year: zero volume, no share
    b2 = p[p["buyer_id"] == "B2"].set_index("year")
    assert b2.loc[2023, "lots"] == 0 and np.isnan(b2.loc[2023, "KEINO-INNOV-MKT-N"])
    assert p.loc[p["buyer_id"] == "B3", "buyer_group"].iloc[0] == "region"
    assert b1["log_size"].iloc[0] == pytest.approx(np.log1p(1.5))
