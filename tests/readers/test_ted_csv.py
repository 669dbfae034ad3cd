"""Tests of the TED CSV award reader (official layout and renamed variant)."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset
from keino_metrics.readers import ted_csv
from keino_metrics.readers._json_common import ReaderWarning

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "ted_csv" / \
    "eu_procurement_500_sample_v1.1.json"

HEADER = ["ID_NOTICE_CAN", "TED_NOTICE_URL", "YEAR", "ID_TYPE", "DT_DISPATCH", "CANCELLED",
          "CAE_NAME", "CAE_NATIONALID", "CAE_TOWN", "ISO_COUNTRY_CODE", "CAE_TYPE",
          "TYPE_OF_CONTRACT", "TAL_LOCATION_NUTS", "B_FRA_AGREEMENT", "CPV", "ID_LOT",
          "VALUE_EURO", "TOP_TYPE", "CRIT_CODE", "ID_AWARD", "ID_LOT_AWARDED",
          "INFO_ON_NON_AWARD", "WIN_NAME", "WIN_NATIONALID", "WIN_COUNTRY_CODE",
          "B_CONTRACTOR_SME", "NUMBER_OFFERS", "NUMBER_TENDERS_SME", "AWARD_EST_VALUE_EURO",
          "AWARD_VALUE_EURO", "DT_AWARD"]


def _row(**kw: str) -> list[str]:
    base = {
        "ID_NOTICE_CAN": "2019123456", "TED_NOTICE_URL": "", "YEAR": "2019", "ID_TYPE": "7",
        "DT_DISPATCH": "15/03/19", "CANCELLED": "0", "CAE_NAME": "Helsingin kaupunki",
        "CAE_NATIONALID": "0201256-6", "CAE_TOWN": "Helsinki", "ISO_COUNTRY_CODE": "FI",
        "CAE_TYPE": "3", "TYPE_OF_CONTRACT": "S", "TAL_LOCATION_NUTS": "FI1B1",
        "B_FRA_AGREEMENT": "N", "CPV": "90910000", "ID_LOT": "", "VALUE_EURO": "",
        "TOP_TYPE": "OPE", "CRIT_CODE": "M", "ID_AWARD": "1", "ID_LOT_AWARDED": "1",
        "INFO_ON_NON_AWARD": "", "WIN_NAME": "Siivouspalvelu Oy", "WIN_NATIONALID": "1234567-8",
        "WIN_COUNTRY_CODE": "FI", "B_CONTRACTOR_SME": "Y", "NUMBER_OFFERS": "4",
        "NUMBER_TENDERS_SME": "3", "AWARD_EST_VALUE_EURO": "", "AWARD_VALUE_EURO": "125000,50",
        "DT_AWARD": "01/03/19",
    }
    base.update(kw)
    return [base[h] for h in HEADER]


def _csv(rows: list[list[str]], sep: str = "|", bom: bool = False) -> bytes:
    lines = [sep.join(HEADER)] + [sep.join(r) for r in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def _raw_sample() -> list[dict]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


# -- detection --------------------------------------------------------------

def test_sniff_detects_both_layouts_and_nothing_else():
    assert ted_csv.sniff(SAMPLE.read_bytes()[:4096])
    assert ted_csv.sniff(_csv([_row()], sep="|")[:4096])
    assert ted_csv.sniff(_csv([_row()], sep=",", bom=True)[:4096])
    assert not ted_csv.sniff(b'<?xml version="1.0"?><ContractAwardNotice/>')
    assert not ted_csv.sniff(b'{"version": "1.1", "releases": [{"ocid": "ocds-x"}]}')
    assert not ted_csv.sniff(b'{"notices": [{"noticeId": 1, "hilmaStatistics": {}}]}')
    assert not ted_csv.sniff(b"a,b,c\n1,2,3\n")


def test_front_door_routes_the_sample_here():
    from keino_metrics.readers import detect

    assert detect(SAMPLE.read_bytes()[:4096]) is ted_csv


# -- the real 500-record sample -----------------------------------------------

@pytest.fixture(scope="module")
def sample() -> Dataset:
    return ted_csv.read(SAMPLE)


def test_sample_accounting_balances_and_every_record_is_kept(sample):
    raw = _raw_sample()
    acc = sample.accounting.iloc[0]
    assert acc["rows_in"] == len(raw)
    assert acc["rows_in"] == acc["rows_accepted"] + acc["rows_quarantined"]
    assert acc["source"] == "ted-csv" and acc["unit"] == "award row"
    # every raw record is either an award row or named in quarantine
    assert len(sample.awards) + len(sample.quarantine) == len(raw)


def test_sample_tables_follow_the_data_model(sample):
    for table in ("buyers", "notices", "lots", "awards"):
        datamodel.schema(table).validate(sample[table])


def test_sample_counts_and_values_match_the_raw_records(sample):
    raw = _raw_sample()
    assert sample.notices["notice_id"].nunique() == len({r["notice_id"] for r in raw})
    raw_total = sum(r["lot_value_eur"] for r in raw
                    if r["lot_value_eur"] is not None and not math.isnan(r["lot_value_eur"]))
    assert sample.awards["awarded_value_eur"].sum() == pytest.approx(raw_total)
    nature = {"W": "works", "U": "supplies", "S": "services"}
    assert Counter(sample.lots["contract_nature"]) == Counter(nature[r["contract_type"]]
                                                              for r in raw)
    offers = [r["number_of_offers"] for r in raw if r["number_of_offers"] is not None]
    assert int(sample.awards["tenders_received"].sum()) == sum(offers)


def test_sample_crit_code_column_feeds_price_only_award(sample):
    raw = _raw_sample()
    crit = Counter(r["procedure_type"] for r in raw)
    got = sample.lots["price_only_award"]
    assert int((got == True).sum()) == crit["L"]  # noqa: E712
    assert int((got == False).sum()) == crit["M"]  # noqa: E712
    assert int(got.isna().sum()) == crit[None]
    assert sample.notices["procedure_type"].isna().all()


def test_sample_ids_dates_and_codes(sample):
    raw = _raw_sample()[0]
    nid = f"{int(raw['notice_id'][4:])}-{raw['notice_id'][:4]}"
    n = sample.notices.set_index("notice_id").loc[nid]
    assert n["publication_date"] == pd.Timestamp(raw["publication_date"])
    assert n["notice_type"] == "can" and n["source"] == "ted-csv"
    aw = sample.awards.set_index(["notice_id", "lot_id"]).loc[
        (nid, f"LOT-{raw['lot_number']:04d}")]
    assert aw["decision_date"] == pd.Timestamp(raw["award_date"])
    assert aw["winner_size"] == ("sme" if raw["sme_flag"] else "large")
    # the EU's UK code becomes ISO GB
    assert "UK" not in set(sample.buyers["country"].dropna())
    assert "GB" in set(sample.buyers["country"].dropna())
    legal = set(sample.buyers["legal_type"].dropna())
    assert legal <= set(ted_csv.BUYER_LEGAL_TYPES.values())


# -- the official layout ------------------------------------------------------

def test_official_pipe_csv_maps_every_field():
    res = ted_csv.parse(_csv([_row()]), "TED_CAN_2019.csv")
    assert (res.records_in, res.records_accepted, res.quarantine) == (1, 1, [])
    notice, = res.rows["notices"]
    assert notice["notice_id"] == "123456-2019"
    assert notice["procedure_type"] == "open"
    assert notice["publication_date"] == pd.Timestamp("2019-03-15")
    buyer, = res.rows["buyers"]
    assert buyer["buyer_id"] == "FI-0201256-6" and buyer["legal_type"] == "ra"
    lot, = res.rows["lots"]
    assert (lot["lot_id"], lot["contract_nature"], lot["cpv_main"], lot["nuts3"]) == \
        ("LOT-0001", "services", "90910000", "FI1B1")
    assert lot["price_only_award"] is False and lot["framework_agreement"] is False
    award, = res.rows["awards"]
    assert award["awarded_value_eur"] == pytest.approx(125000.50)
    assert award["value_source"] == "BT-720"
    assert (award["tenders_received"], award["sme_tenders_received"]) == (4, 3)
    assert award["winner_id"] == "FI-1234567-8" and award["winner_size"] == "sme"
    assert award["decision_date"] == pd.Timestamp("2019-03-01")


def test_official_comma_csv_with_bom_and_url_notice_number():
    url = "http://ted.europa.eu/udl?uri=TED:NOTICE:123456-2019:TEXT:EN:HTML"
    res = ted_csv.parse(_csv([_row(TED_NOTICE_URL=url, AWARD_VALUE_EURO="98000.5")], sep=",",
                             bom=True), "can.csv")
    assert res.records_accepted == 1
    assert res.rows["notices"][0]["notice_id"] == "123456-2019"
    assert res.rows["awards"][0]["awarded_value_eur"] == pytest.approx(98000.5)


def test_latin1_line_is_decoded_and_reported():
    good = "|".join(_row(ID_NOTICE_CAN="2019000001"))
    bad = "|".join(_row(ID_NOTICE_CAN="2019000002", CAE_NAME="Hämeenlinnan kaupunki",
                        CAE_NATIONALID="0162193-0"))
    data = ("|".join(HEADER) + "\n" + good + "\n").encode("utf-8") + \
        (bad + "\n").encode("latin-1")
    with pytest.warns(ReaderWarning, match="lines 3"):
        res = ted_csv.parse(data, "mixed.csv")
    assert res.records_accepted == 2
    names = {b["name"] for b in res.rows["buyers"]}
    assert "Hämeenlinnan kaupunki" in names


def test_bad_rows_go_to_quarantine_and_the_rest_is_read():
    rows = [
        _row(ID_NOTICE_CAN="2019000001"),
        _row(ID_NOTICE_CAN="2019000002", AWARD_VALUE_EURO="-5000"),
        _row(ID_NOTICE_CAN="2019000003", TYPE_OF_CONTRACT="X"),
        _row(ID_NOTICE_CAN="2019000004", DT_AWARD="20/03/19"),
        _row(ID_NOTICE_CAN="2019000005", CAE_NAME=""),
        _row(ID_NOTICE_CAN="2019000006", CANCELLED="1"),
        _row(ID_NOTICE_CAN="2019000007", TOP_TYPE="ZZZ"),
        _row(ID_NOTICE_CAN="2019000008", DT_DISPATCH="31/02/19"),
        _row(ID_NOTICE_CAN="2019000009", NUMBER_OFFERS="2.5"),
        _row(ID_NOTICE_CAN="2019000010"),
    ]
    data = _csv(rows)
    data += "|".join(_row(ID_NOTICE_CAN="2019000011")[:12]).encode("utf-8")  # truncated
    res = ted_csv.parse(data, "bad.csv")
    assert res.records_in == 11
    assert res.records_accepted == 2
    assert res.records_in == res.records_accepted + len(res.quarantine)
    fields = {q.field for q in res.quarantine}
    assert {"AWARD_VALUE_EURO", "TYPE_OF_CONTRACT", "DT_AWARD", "CAE_NAME", "CANCELLED",
            "TOP_TYPE", "DT_DISPATCH", "NUMBER_OFFERS"} <= fields
    for q in res.quarantine:
        assert q.source_file == "bad.csv" and q.record.startswith("line ")
    msg = {q.field: str(q) for q in res.quarantine}
    assert "negative" in msg["AWARD_VALUE_EURO"]
    assert "after the notice" in msg["DT_AWARD"]
    trunc = [q for q in res.quarantine if q.field is None]
    assert len(trunc) == 1 and "fields" in trunc[0].reason


def test_several_winners_of_one_lot_make_one_award():
    rows = [_row(ID_AWARD="1", WIN_NAME="A Oy", WIN_NATIONALID="1111111-1",
                 AWARD_VALUE_EURO="100000", NUMBER_OFFERS="5"),
            _row(ID_AWARD="2", WIN_NAME="B Oy", WIN_NATIONALID="2222222-2",
                 AWARD_VALUE_EURO="50000", NUMBER_OFFERS="5", B_FRA_AGREEMENT="Y")]
    res = ted_csv.parse(_csv(rows), "fa.csv")
    assert res.records_accepted == 2
    award, = res.rows["awards"]
    assert award["winners"] == 2
    assert award["awarded_value_eur"] == pytest.approx(150000)
    assert award["winner_id"] == "FI-1111111-1" and award["tenders_received"] == 5
    assert len(res.rows["lots"]) == 1


def test_notice_total_is_shared_over_lots_when_award_values_are_missing():
    rows = [_row(ID_LOT_AWARDED=str(i), AWARD_VALUE_EURO="", VALUE_EURO="300 000,00")
            for i in (1, 2, 3)]
    res = ted_csv.parse(_csv(rows), "total.csv")
    values = [a["awarded_value_eur"] for a in res.rows["awards"]]
    assert values == pytest.approx([100000.0] * 3)
    assert {a["value_source"] for a in res.rows["awards"]} == {"BT-161"}


def test_non_award_row_sets_winner_chosen_false():
    res = ted_csv.parse(_csv([_row(INFO_ON_NON_AWARD="PROCUREMENT_UNSUCCESSFUL", WIN_NAME="",
                                   WIN_NATIONALID="", AWARD_VALUE_EURO="")]), "nw.csv")
    award, = res.rows["awards"]
    assert award["winner_chosen"] is False and award["winner_id"] is None


# -- the variant: damaged files -------------------------------------------------

def test_truncated_variant_json_keeps_the_complete_records():
    raw = _raw_sample()[:3]
    text = json.dumps(raw, indent=2)
    cut = text[: text.rindex("\"cpv_code\"")]
    res = ted_csv.parse(cut.encode("utf-8"), "cut.json")
    assert (res.records_in, res.records_accepted) == (3, 2)
    q, = res.quarantine
    assert q.record == "item[2]" and "truncated" in q.reason


def test_variant_json_lines_with_a_malformed_line():
    raw = _raw_sample()[:3]
    lines = [json.dumps(raw[0]), "{not json", json.dumps(raw[1]),
             json.dumps({**raw[2], "lot_value_eur": -1.0})]
    res = ted_csv.parse("\n".join(lines).encode("utf-8"), "lines.jsonl")
    assert (res.records_in, res.records_accepted) == (4, 2)
    by_field = {q.field: q for q in res.quarantine}
    assert by_field[None].record == "line 2" and "malformed" in by_field[None].reason
    assert "negative" in by_field["lot_value_eur"].reason


def test_variant_as_csv_with_decimal_commas():
    raw = _raw_sample()[:2]
    cols = list(raw[0])
    lines = [";".join(cols)]
    for r in raw:
        lines.append(";".join("" if r[c] is None else
                              (str(r[c]).replace(".", ",") if c == "lot_value_eur" else str(r[c]))
                              for c in cols))
    res = ted_csv.parse("\n".join(lines).encode("utf-8"), "variant.csv")
    assert res.records_accepted == 2
    got = sorted(a["awarded_value_eur"] for a in res.rows["awards"])
    assert got == pytest.approx(sorted(r["lot_value_eur"] for r in raw))


def test_read_gives_a_dataset_with_accounting(tmp_path):
    p = tmp_path / "TED_CAN_2019.csv"
    p.write_bytes(_csv([_row(), _row(ID_NOTICE_CAN="2019000002", CPV="bad-cpv",
                                     AWARD_VALUE_EURO="x")]))
    ds = ted_csv.read(p)
    acc = ds.accounting.iloc[0]
    assert (acc["rows_in"], acc["rows_accepted"], acc["rows_quarantined"]) == (2, 1, 1)
    assert ds.quarantine.iloc[0]["field"] == "AWARD_VALUE_EURO"
    assert len(ds.notices) == 1


def test_ids_are_the_same_without_the_shared_check_helpers(monkeypatch):
    from keino_metrics.readers import _json_common

    with_checks = ted_csv.parse(_csv([_row(), _row(ID_NOTICE_CAN="2019000002",
                                                   CAE_NATIONALID="")]), "a.csv")
    _json_common._org_id.cache_clear()
    monkeypatch.setitem(__import__("sys").modules, "keino_metrics.readers.checks", None)
    try:
        alone = ted_csv.parse(_csv([_row(), _row(ID_NOTICE_CAN="2019000002",
                                                 CAE_NATIONALID="")]), "a.csv")
    finally:
        _json_common._org_id.cache_clear()
    ids = [b["buyer_id"] for b in with_checks.rows["buyers"]]
    assert ids == [b["buyer_id"] for b in alone.rows["buyers"]]
    assert ids[0] == "FI-0201256-6" and ids[1].startswith("h-")


def test_a_row_repeated_in_one_file_is_quarantined_not_added_twice():
    row = _row(ID_AWARD="1", AWARD_VALUE_EURO="100000")
    res = ted_csv.parse(_csv([row, _row(ID_AWARD="2", WIN_NAME="B Oy",
                                        AWARD_VALUE_EURO="5000"), row]), "dup.csv")
    assert res.records_in == 3 and res.records_accepted == 2
    (q,) = res.quarantine
    assert q.record == "line 4" and "duplicate of line 2" in q.reason
    (award,) = res.rows["awards"]
    assert award["winners"] == 2 and award["awarded_value_eur"] == pytest.approx(105000)


@pytest.mark.parametrize("offers", ["NaN", "Infinity", "1e30", "100001"])
def test_impossible_counts_quarantine_the_row(offers):
    res = ted_csv.parse(_csv([_row(NUMBER_OFFERS=offers), _row(ID_NOTICE_CAN="2019000002")]),
                        "n.csv")
    assert res.records_accepted == 1
    (q,) = res.quarantine
    assert q.field == "NUMBER_OFFERS"


def test_json_nan_and_infinity_in_the_variant():
    rows = [{"notice_id": "2019123456", "lot_number": 1, "publication_date": "2019-03-15",
             "buyer_name": "Kunta", "lot_value_eur": float("nan"), "number_of_offers": 3},
            {"notice_id": "2019123457", "lot_number": 1, "publication_date": "2019-03-15",
             "buyer_name": "Kunta", "lot_value_eur": 10.0, "number_of_offers": float("inf")},
            {"notice_id": "2019123458", "lot_number": 1, "publication_date": "2019-03-15",
             "buyer_name": "Kunta", "lot_value_eur": 1e30, "number_of_offers": 1}]
    res = ted_csv.parse(json.dumps(rows).encode(), "v.json")
    assert res.records_in == 3 and res.records_accepted == 1
    assert {q.field for q in res.quarantine} == {"number_of_offers", "lot_value_eur"}
    (issue,) = res.issues  # NaN read as missing, said so
    assert issue.field == "lot_value_eur" and issue.action == "nulled"
    assert res.rows["awards"][0]["awarded_value_eur"] is None
