from __future__ import annotations

import pandas as pd

from keino_metrics import Dataset, datamodel


def _small() -> Dataset:
    lots = datamodel.conform("lots", pd.DataFrame({
        "notice_id": ["n1"], "lot_id": ["LOT-0001"], "green_procurement": [["circ-econ"]],
        "title": ["Kalusteet"]}))
    acc = pd.DataFrame([{"input": "a.xml", "source": "eforms", "unit": "notice", "rows_in": 2,
                         "rows_accepted": 1, "rows_quarantined": 1}])
    return Dataset(lots=lots, accounting=acc, extra={"lot_truth": pd.DataFrame({"x": [1]})},
                   provenance={"demo": True})


def test_parquet_round_trip(tmp_path):
    d = _small()
    d.to_parquet(tmp_path)
    back = Dataset.from_parquet(tmp_path)
    assert back.lots.loc[0, "green_procurement"] == ["circ-econ"]
    assert back.lots.loc[0, "title"] == "Kalusteet"
    assert back.provenance == {"demo": True}
    assert list(back.extra) == ["lot_truth"]
    pd.testing.assert_frame_equal(back.accounting, d.accounting)


def test_concat_and_accounting_summary():
    both = Dataset.concat([_small(), _small()])
    assert len(both.lots) == 2 and len(both.extra["lot_truth"]) == 2
    s = both.accounting_summary()
    assert s.loc[0, "rows_in"] == 4 and bool(s.loc[0, "balanced"])
    assert "[ok]" in both.summary()


def test_frozen_and_replace():
    d = _small()
    e = d.replace(lots=d.lots.iloc[:0])
    assert len(d.lots) == 1 and len(e.lots) == 0
    assert d["lot_truth"] is d.extra["lot_truth"]
