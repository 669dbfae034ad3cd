"""Assembly: schema checks, duplicates, accounting, euro conversion."""

from __future__ import annotations

import datetime as dt

import pytest

from keino_metrics.readers.assemble import Collector
from keino_metrics.readers.base import ParseResult
from keino_metrics.readers.fx import FxTable


def _result(source: str, notice_id: str, *, nature: str = "works",
            value: float = 100.0, currency: str = "SEK") -> ParseResult:
    r = ParseResult(source, "eforms", "notice", records_in=1, records_accepted=1)
    r.add("notices", {"notice_id": notice_id, "procedure_id": "P-" + notice_id,
                      "notice_type": "can", "publication_date": dt.date(2022, 5, 1),
                      "buyer_id": "FI-1", "source": "eforms", "source_file": source,
                      "value_year": 2022})
    r.add("buyers", {"buyer_id": "FI-1", "name": "Kunta", "country": "FI", "nuts3": "FI1B1",
                     "city": "Helsingfors"})
    r.add("lots", {"notice_id": notice_id, "lot_id": "LOT-0001", "contract_nature": nature})
    r.add("awards", {"notice_id": notice_id, "lot_id": "LOT-0001", "awarded_value": value,
                     "awarded_value_currency": currency, "value_source": "BT-720",
                     "value_year": 2022})
    return r


def test_schema_failures_quarantine_the_notice_and_rebalance():
    c = Collector(fx=FxTable({"SEK": {2022: 10.0}}))
    c.add(_result("a.xml", "1-2022"))
    c.add(_result("b.xml", "2-2022", nature="spaceships"))
    ds = c.build()
    assert list(ds.notices["notice_id"]) == ["1-2022"]
    assert list(ds.lots["notice_id"]) == ["1-2022"] and list(ds.awards["notice_id"]) == ["1-2022"]
    (q,) = ds.quarantine.itertuples()
    assert (q.source_file, q.record, q.field) == ("b.xml", "2-2022", "lots.contract_nature")
    assert "spaceships" in q.reason
    acc = ds.accounting.set_index("input")
    assert acc.loc["b.xml", "rows_accepted"] == 0 and acc.loc["b.xml", "rows_quarantined"] == 1
    # SEK 100 at 10 SEK per euro
    assert ds.awards["awarded_value_eur"].iloc[0] == pytest.approx(10.0)
    # Helsingfors is the Swedish name of Helsinki (091), region Uusimaa (01)
    assert ds.buyers["municipality_code"].iloc[0] == "091"
    assert ds.buyers["region_code"].iloc[0] == "01"


def test_the_same_file_twice_is_one_notice_and_one_duplicate():
    c = Collector(fx=FxTable())
    c.add(_result("a.xml", "1-2022", currency="EUR"))
    c.add(_result("a.xml", "1-2022", currency="EUR"))
    ds = c.build()
    assert len(ds.notices) == len(ds.lots) == len(ds.awards) == 1
    (q,) = ds.quarantine.itertuples()
    assert "duplicate" in q.reason and q.field == "notice_id"
    a = ds.accounting
    assert a["rows_in"].sum() == 2 and a["rows_accepted"].sum() == 1
    assert (a["rows_in"] == a["rows_accepted"] + a["rows_quarantined"]).all()
