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


_TED_CSV_HEADER = ["ID_NOTICE_CAN", "YEAR", "ID_TYPE", "DT_DISPATCH", "CANCELLED", "CAE_NAME",
                   "CAE_NATIONALID", "CAE_TOWN", "ISO_COUNTRY_CODE", "CAE_TYPE",
                   "TYPE_OF_CONTRACT", "TAL_LOCATION_NUTS", "B_FRA_AGREEMENT", "CPV", "ID_LOT",
                   "VALUE_EURO", "TOP_TYPE", "CRIT_CODE", "ID_AWARD", "ID_LOT_AWARDED",
                   "INFO_ON_NON_AWARD", "WIN_NAME", "WIN_NATIONALID", "WIN_COUNTRY_CODE",
                   "B_CONTRACTOR_SME", "NUMBER_OFFERS", "NUMBER_TENDERS_SME",
                   "AWARD_EST_VALUE_EURO", "AWARD_VALUE_EURO", "DT_AWARD"]


def _ted_csv(rows: list[dict]) -> bytes:
    base = {"YEAR": "2019", "ID_TYPE": "7", "DT_DISPATCH": "15/03/19", "CANCELLED": "0",
            "CAE_NAME": "Helsingin kaupunki", "CAE_NATIONALID": "0201256-6",
            "CAE_TOWN": "Helsinki", "ISO_COUNTRY_CODE": "FI", "CAE_TYPE": "3",
            "TYPE_OF_CONTRACT": "S", "TAL_LOCATION_NUTS": "FI1B1", "B_FRA_AGREEMENT": "N",
            "CPV": "90910000", "ID_LOT": "", "VALUE_EURO": "", "TOP_TYPE": "OPE",
            "CRIT_CODE": "M", "ID_AWARD": "1", "ID_LOT_AWARDED": "1", "INFO_ON_NON_AWARD": "",
            "WIN_NAME": "Siivous Oy", "WIN_NATIONALID": "1234567-8", "WIN_COUNTRY_CODE": "FI",
            "B_CONTRACTOR_SME": "Y", "NUMBER_OFFERS": "4", "NUMBER_TENDERS_SME": "3",
            "AWARD_EST_VALUE_EURO": "", "AWARD_VALUE_EURO": "1000", "DT_AWARD": "01/03/19"}
    lines = ["|".join(_TED_CSV_HEADER)]
    lines += ["|".join({**base, **r}[h] for h in _TED_CSV_HEADER) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _balanced(ds) -> None:
    a = ds.accounting
    assert (a["rows_in"] == a["rows_accepted"] + a["rows_quarantined"]).all()
    assert (a["rows_accepted"] >= 0).all()


def test_ted_csv_notices_removed_at_assembly_move_all_their_award_rows():
    """Unit ``award row``: a notice quarantined during assembly takes all the
    rows it was read from to the quarantined count, not one."""
    from keino_metrics.readers import ted_csv

    # a.csv: notice 2019000001 from three award rows (two winners of lot 1, lot 2)
    # and notice 2019000002 from one row
    a = ted_csv.parse(_ted_csv([
        {"ID_NOTICE_CAN": "2019000001", "ID_AWARD": "1", "ID_LOT_AWARDED": "1"},
        {"ID_NOTICE_CAN": "2019000001", "ID_AWARD": "2", "ID_LOT_AWARDED": "1",
         "WIN_NAME": "Toinen Oy", "WIN_NATIONALID": "7654321-0"},
        {"ID_NOTICE_CAN": "2019000001", "ID_AWARD": "3", "ID_LOT_AWARDED": "2"},
        {"ID_NOTICE_CAN": "2019000002"},
    ]), "a.csv")
    # b.csv repeats notice 2019000001 (two rows): a duplicate at assembly
    b = ted_csv.parse(_ted_csv([
        {"ID_NOTICE_CAN": "2019000001", "ID_AWARD": "1", "ID_LOT_AWARDED": "1"},
        {"ID_NOTICE_CAN": "2019000001", "ID_AWARD": "3", "ID_LOT_AWARDED": "2"},
    ]), "b.csv")
    assert (a.records_in, a.records_accepted, b.records_in, b.records_accepted) == (4, 4, 2, 2)
    c = Collector(fx=FxTable())
    c.add(a)
    c.add(b)
    ds = c.build()
    _balanced(ds)
    acc = ds.accounting.set_index("input")
    assert (acc.loc["b.csv", "rows_accepted"], acc.loc["b.csv", "rows_quarantined"]) == (0, 2)
    assert (acc.loc["a.csv", "rows_accepted"], acc.loc["a.csv", "rows_quarantined"]) == (4, 0)
    assert list(ds.quarantine["field"]) == ["notice_id"]

    # a contract notice of the same procedure published after the award: the
    # three-row notice fails the award-before-call check
    cn = _result("cn.xml", "9-2019", currency="EUR")
    cn.rows["notices"][0].update(procedure_id="1-2019", notice_type="cn",
                                 publication_date=dt.date(2019, 3, 10))
    cn.rows["awards"] = []
    c = Collector(fx=FxTable())
    c.add(a)
    c.add(cn)
    ds = c.build()
    _balanced(ds)
    assert list(ds.quarantine["field"]) == ["awards.decision_date"]
    acc = ds.accounting.set_index("input")
    assert (acc.loc["a.csv", "rows_accepted"], acc.loc["a.csv", "rows_quarantined"]) == (1, 3)
    assert set(ds.notices["notice_id"]) == {"2-2019", "9-2019"}


def test_field_issues_are_kept_and_counted_per_input():
    from keino_metrics.readers.assemble import Collector
    from keino_metrics.readers.base import ParseResult
    from keino_metrics.readers.fx import load_rates

    res = ParseResult("a.xml", "eforms", records_in=1, records_accepted=1)
    res.note("N-1", "BT-11-Procedure-Buyer", "rl-aut", "kept_raw",
             "buyer legal type not in the current code list")
    c = Collector(fx=load_rates(None))
    c.add(res)
    ds = c.build()
    assert ds.field_issues.to_dict("records") == [{
        "source_file": "a.xml", "record": "N-1", "field": "BT-11-Procedure-Buyer",
        "value": "rl-aut", "action": "kept_raw",
        "reason": "buyer legal type not in the current code list"}]
    row = ds.accounting.iloc[0]
    assert (row["rows_in"], row["rows_accepted"], row["rows_quarantined"],
            row["field_issues"]) == (1, 1, 0, 1)
    assert "1 field-level issues" in ds.summary()


def test_unknown_field_issue_action_is_refused():
    import pytest

    from keino_metrics.readers.base import FieldIssue

    with pytest.raises(ValueError, match="action"):
        FieldIssue("a.xml", "N-1", "BT-11", "x", "dropped", "why")
