"""The purchase-invoice reader on both published layouts and their header variants."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import keino_metrics as km
from keino_metrics.readers import spend
from keino_metrics.readers.inputs import iter_inputs

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "spend"


def _parse(name: str):
    data = (FIX / name).read_bytes()
    assert spend.sniff(data[:4096])
    return spend.parse(data, name)


def test_treasury_2019_tab_utf8():
    res = _parse("th_data_2019.csv")
    rows = res.rows["spend"]
    assert res.records_in == 4 and res.records_accepted == 3
    assert [q.field for q in res.quarantine] == ["tiliointisumma"]
    assert "row 5" == res.quarantine[0].record
    first = rows[0]
    assert first["source"] == "spend-treasury" and first["amount_basis"] == "posting"
    assert first["amount_eur"] == 1250.50 and first["buyer_id"] == "02020"
    assert first["parent_name"] == "Ministeriö A" and first["category"] == "ICT-palvelut"
    assert rows[1]["amount_eur"] == -80.0  # credit note kept
    assert rows[2]["supplier_id"] is None


def test_treasury_2023_semicolon_cp1252_decimal_comma():
    res = _parse("th_data_2023.csv")
    rows = res.rows["spend"]
    assert res.records_in == 3 and res.records_accepted == 2
    assert res.quarantine[0].field == "tositepvm"  # 30 February
    assert rows[0]["amount_eur"] == 1234.56
    assert rows[0]["supplier_id"] == "0112038-9"  # VAT form normalised
    assert rows[0]["supplier_municipality"] == "Järvenpää"
    actions = {(i.record, i.action) for i in res.issues}
    assert ("row 2", "normalised") in actions and ("row 4", "kept_raw") in actions
    assert rows[1]["supplier_id"] == "1234567-0"  # bad check digit kept as published


def test_municipal_recommended_layout():
    res = _parse("ostolaskut_2020_suositus.csv")
    rows = res.rows["spend"]
    assert res.records_in == 3 and res.records_accepted == 2
    assert res.quarantine[0].field == "Kirjauspäivämäärä"
    assert rows[0]["source"] == "spend-municipal" and rows[0]["amount_basis"] == "net"
    assert rows[0]["amount_eur"] == 1000.0 and rows[0]["buyer_name"] == "Jyväskylä"
    assert rows[0]["account"] == "4340" and rows[0]["contract_number"] == "S-12"
    assert rows[1]["supplier_id"] == "SE556000000001"


def test_municipal_variant_headers():
    res = _parse("ostolaskut_2021_muunnelma.csv")
    rows = res.rows["spend"]
    assert res.records_in == 2 and res.records_accepted == 1
    assert "fields where the header has" in res.quarantine[0].reason
    assert rows[0]["amount_basis"] == "gross" and rows[0]["amount_eur"] == 1500.0
    assert rows[0]["supplier_id"] == "0112038-9"  # six-digit form padded
    assert rows[0]["product_group"] == "Rakentaminen" and rows[0]["account"] == "4320"


def test_excel_workbook(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kunnan nimi", "Ostajan Y-tunnus", "Tositepäivämäärä", "Toimittajan nimi",
               "Toimittajan Y-tunnus", "Summa ALV0 euroina"])
    ws.append(["Oulu", "0187690-1", "2022-05-02", "Esimerkki Oy", "0112038-9", 12.5])
    ws.append(["Oulu", "0187690-1", None, "Esimerkki Oy", "0112038-9", 3])
    import datetime as dt
    ws.cell(row=3, column=3, value=dt.datetime(2022, 5, 3))
    path = tmp_path / "ostolaskut.xlsx"
    wb.save(path)
    items = list(iter_inputs(path))
    assert len(items) == 1  # a workbook is one input, not an archive of parts
    data = km.read(path, workers=1, progress=False)
    assert len(data.spend) == 2
    assert data.spend["posting_date"].dt.day.tolist() == [2, 3]
    assert (data.accounting["rows_in"] == data.accounting["rows_accepted"]
            + data.accounting["rows_quarantined"]).all()


def test_front_door_accounts_for_every_row():
    data = km.read(FIX, workers=1, progress=False)
    acc = data.accounting.set_index("input")
    assert set(acc["source"]) == {"spend"}
    assert (acc["rows_in"] == acc["rows_accepted"] + acc["rows_quarantined"]).all()
    assert acc["rows_in"].sum() == 16 and len(data.spend) == 11
    assert len(data.quarantine) == 5
    assert set(data.spend["source"]) == {"spend-treasury", "spend-municipal"}
    assert data.field_issues["field"].isin(["toimittaja_y_tunnus", "Toimittajan Y-tunnus",
                                            "Toimittajan y-tunnus", "buyer"]).all()


def test_unknown_header_is_not_claimed():
    assert not spend.sniff(b"a;b;c\n1;2;3\n")
    assert not spend.sniff(b'{"releases": []}')


def test_file_without_spend_header_quarantined():
    with pytest.raises(spend.Quarantined):
        spend.parse(b"PK\x03\x04" + b"\x00" * 40 + b"xl/", "broken.xlsx")


@pytest.mark.parametrize(("text", "value"), [("1 234,56", 1234.56), ("1.234,56", 1234.56),
                                             ("1,234.56", 1234.56), ("-5", -5.0),
                                             ("12,50-", -12.5), ("\u00a0100,0", 100.0),
                                             ("1,2,3", None), ("", None), ("x", None)])
def test_parse_amount(text, value):
    assert spend.parse_amount(text) == value


def test_fold_header_names():
    assert spend.fold("\ufeffToimittajan Y-tunnus") == "toimittajan_y_tunnus"
    assert spend.fold("Summa ALV0 euroina") == "summa_alv0_euroina"
    assert spend.fold("Tositepäivämäärä") == "tositepaivamaara"


def test_jyvaskyla_2021_layout():
    res = _parse("jkl_ostot_2021.csv")
    row = res.rows["spend"][0]
    assert row["buyer_id"] == "0174699-8" and row["buyer_name"] == "Jyväskylä"
    assert row["amount_basis"] == "net" and row["amount_eur"] == 1770.0
    assert row["unit_name"] == "Hallinto" and row["account_group"] == "Ulkoiset palvelujen ostot"


def test_file_without_buyer_keeps_rows_and_says_so():
    res = _parse("jkl_ostot_2020.csv")
    assert res.records_in == res.records_accepted == 2
    assert [r["buyer_id"] for r in res.rows["spend"]] == [None, None]
    assert [(i.record, i.field, i.action) for i in res.issues] == [("file", "buyer", "nulled")]
    assert res.rows["spend"][0]["supplier_id"] == "0112038-9"


def test_file_without_dates_is_quarantined_with_the_reason():
    data = km.read(FIX / "jkl_ostot_2016.csv", workers=1, progress=False)
    assert data.spend.empty
    assert "without a date column" in data.quarantine["reason"].iloc[0]


def test_set_buyer_fills_the_files_buyer():
    from keino_metrics.spend import set_buyer

    data = km.read(FIX / "jkl_ostot_2020.csv", workers=1, progress=False)
    named = set_buyer(data, "*jkl_ostot_2020*", "FI-0174699-8", "Jyväskylä")
    assert named.spend["buyer_id"].tolist() == ["0174699-8", "0174699-8"]
    with pytest.raises(ValueError, match="no invoice row"):
        set_buyer(data, "*nothing*", "0174699-8")


def test_paimio_workbook_with_title_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Paimion kaupunki"])
    ws.append(["Ostolaskut vuodelta 2023"])
    ws.append([])
    ws.append(["Tositenumero", "Tositepvä", "Tilinro", "Tilin nimi", "Y-tunnus", "Toimittaja",
               "Summa (alv 0%)", "Toimielin"])
    ws.append([501, "15.03.2023", 4340, "Kuljetuspalvelut", "0112038-9", "Esimerkki Oy",
               -12.4, "Tekninen ltk"])
    path = tmp_path / "ostolaskut-vuodelta-2023.xlsx"
    wb.save(path)
    data = km.read(path, workers=1, progress=False)
    assert len(data.spend) == 1
    row = data.spend.iloc[0]
    assert row["record"] == "row 5" and row["amount_eur"] == -12.4
    assert row["invoice_id"] == "501" and row["account"] == "4340"
    assert row["unit_name"] == "Tekninen ltk" and pd.isna(row["buyer_id"])


def test_broken_records_do_not_stop_the_file():
    import csv

    big = "x" * (csv.field_size_limit() + 10)
    text = ("lasku_id\ttiliointisumma\ttositepvm\thankintayksikko\n"
            f"1\t10,00\t2020-01-01\tVirasto\n2\t\"{big}\"\t2020-01-02\tVirasto\n"
            "3\t5,00\t2020-01-03\tVirasto\n")
    res = spend.parse(text.encode(), "big.csv")
    assert res.records_in == res.records_accepted + len(res.quarantine)
    assert res.records_accepted == 2
    assert "unreadable CSV record" in res.quarantine[0].reason


def test_damaged_workbook_is_quarantined_not_raised():
    data = b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x13" * 300
    out = km.readers.parse_input(km.readers.inputs.Input("broken.xlsx", data=data))
    assert out.records_in == 1 and len(out.quarantine) == 1
    assert "not a readable Excel workbook" in out.quarantine[0].reason
