from __future__ import annotations

import pandas as pd

from keino_metrics import Dataset
from keino_metrics.validation import validate


def _data() -> Dataset:
    buyers = pd.DataFrame({"buyer_id": ["b1", "b2"], "name": ["Kunta A", None],
                           "legal_type": ["la", "xx"]})
    notices = pd.DataFrame({
        "notice_id": ["n1", "n2", "n3"], "procedure_id": ["p", "p", "q"],
        "notice_type": ["cn", "can", "can"],
        "publication_date": ["2024-01-01", "2024-03-01", "2024-02-01"],
        "buyer_id": ["b1", "b1", "b2"], "source": "eforms", "source_file": "f.xml"})
    lots = pd.DataFrame({
        "notice_id": ["n1", "n2", "n2", "n2", "n9"], "lot_id": ["L1", "L1", "L1", "L2", "L1"],
        "estimated_value_eur": [1.0, -5.0, 3.0, 4.0, 1.0],
        "contract_nature": ["works", "services", "services", "services", "works"]})
    return Dataset(buyers=buyers, notices=notices, lots=lots)


def test_rows_in_equal_accepted_plus_quarantined():
    data = _data()
    out = validate(data)
    acc = out.accounting.set_index("input")
    for table in ("buyers", "notices", "lots"):
        row = acc.loc[table]
        assert row.rows_in == len(getattr(data, table))
        assert row.rows_in == row.rows_accepted + row.rows_quarantined
        assert row.rows_accepted == len(getattr(out, table))
    assert acc["rows_quarantined"].sum() == len(out.quarantine)


def test_quarantine_names_file_record_field_and_reason():
    q = validate(_data()).quarantine
    by_record = q.set_index("record")
    b2 = by_record.loc["buyers[buyer_id=b2]"]
    assert b2.field == "name,legal_type"
    assert "required value is missing" in b2.reason and "buyer-legal-type" in b2.reason
    neg = by_record.loc["lots[notice_id=n2, lot_id=L1]"]
    assert neg.field == "estimated_value_eur" and neg.source_file == "f.xml"
    orphan = by_record.loc["lots[notice_id=n9, lot_id=L1]"]
    assert "missing from notices" in orphan.reason
    assert by_record.loc["notices[notice_id=n3]"].field == "buyer_id"


def test_duplicate_keys_keep_the_first_valid_row():
    out = validate(_data())
    kept = out.lots.set_index(["notice_id", "lot_id"])
    # the first n2/L1 row is invalid (negative value), so the second one is kept
    assert kept.loc[("n2", "L1"), "estimated_value_eur"] == 3.0
    assert len(out.lots) == 3


def test_valid_data_passes_untouched():
    data = _data()
    good = Dataset(buyers=data.buyers.iloc[:1], notices=data.notices.iloc[:2],
                   lots=data.lots.iloc[[0, 2, 3]])
    out = validate(good)
    assert out.quarantine.empty
    assert len(out.lots) == 3
