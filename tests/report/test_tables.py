import hashlib
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from keino_metrics.labels import text
from keino_metrics.report import tables


def test_indicator_table_formats_by_unit_and_shows_lights(indicator_frame):
    d = tables.indicator_table(indicator_frame[indicator_frame["year"] == 2025], "fi",
                               names={"KEINO-INNOV-MKT-N": "Uusi markkinoille"})
    assert list(d.columns[:3]) == ["Mittari", "Määritelmän tunniste", "Arvo"]
    assert d.loc[0, "Arvo"] == "6,0\xa0%"
    assert d.loc[0, "95 %:n luottamusväli"] == "5,0\xa0% – 7,0\xa0%"
    assert "epätyydyttävä" in d.loc[0, "Tilanne"]
    assert "keino-light-green" in d.loc[1, "Tilanne"]
    assert d.loc[2, "Tilanne"] == ""  # no target: no light, no grey dot
    html = tables.html_table(d)
    assert html.count("<tr") == 4 and "id=" not in html


def test_target_column_falls_back_to_the_green_band(indicator_frame):
    rows = indicator_frame[indicator_frame["year"] == 2025].copy()
    rows.loc[rows["indicator_id"] == "KEINO-INNOV-BUY-N", "target"] = float("nan")
    d = tables.indicator_table(rows, "en", green={"KEINO-INNOV-BUY-N": "<= 0.10"})
    assert list(d["Target"]) == ["10.0%", "≤ 10.0%", "–"]
    assert tables.rule_text("> 0.2", "share", "fi") == "> 20,0\xa0%"
    assert tables.rule_text("nonsense", "share", "fi") == "–"


def test_euro_weighted_numerators_are_in_millions(indicator_frame):
    rows = indicator_frame[indicator_frame["year"] == 2025].head(1).assign(
        weighting="eur", numerator=2_500_000.0, denominator=10_000_000.0)
    d = tables.indicator_table(rows, "en")
    assert (d.loc[0, "Numerator"], d.loc[0, "Denominator"]) == ("2.5", "10.0")


def test_html_table_escapes_text():
    html = tables.html_table(pd.DataFrame({"a": ["<script>x</script>"]}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert tables.sheet_name("Tiedot / Metadata", taken) == "Tiedot _ Metadata"
    long = "x" * 40
    assert tables.sheet_name(long, taken) == "x" * 31
    assert tables.sheet_name(long, taken) == "x" * 29 + "~2"


def _write(folder, frame):
    return tables.write_excel({"indicators": frame, "other": frame.head(1)},
                              folder / "tables.xlsx", metadata={"a": {"b": 1}, "c": [1, 2]},
                              created=datetime(2026, 1, 1),
                              formats={"indicators": {"value": "0.0%"}})


def test_excel_is_byte_reproducible(tmp_path, indicator_frame):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    a = _write(tmp_path / "one", indicator_frame).read_bytes()
    b = _write(tmp_path / "two", indicator_frame).read_bytes()
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()


def test_excel_keeps_numbers_as_numbers(tmp_path, indicator_frame):
    path = _write(tmp_path, indicator_frame)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["indicators", "other", "Tiedot - Metadata"]
    ws = wb["indicators"]
    header = [c.value for c in ws[1]]
    col = header.index("value") + 1
    for row, unit in enumerate(indicator_frame["unit"], start=2):
        cell = ws.cell(row=row, column=col)
        assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
        assert cell.value == indicator_frame["value"].iloc[row - 2]
        assert cell.number_format == tables.UNIT_FORMATS[unit]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    meta = {r[0].value: r[1].value for r in wb["Tiedot - Metadata"].iter_rows(min_row=2)}
    assert meta == {"a.b": 1, "c": "[1, 2]"}


def _workbook(tmp_path, indicator_frame, lang):
    other = pd.DataFrame({"year": [2024, 2025], "value_eur": [1234567.0, 2.0e6],
                          "notices": [12, 3400]})
    meta = {"parameters": {"year": 2025, "seed": 2024, "language": ["fi", "sv"]},
            "demo": True, "created": "2026-01-02", "run": "2026-01-02T03:04:05",
            "ratio": "0.25", "git_revision": "94e7ecc"}
    path = tables.write_excel(
        {"indicators": indicator_frame, "volume": other}, tmp_path / f"t_{lang}.xlsx",
        metadata=meta, formats={"volume": {"value_eur": "#,##0", "notices": "#,##0"}},
        metadata_sheet=text("metadata.sheet", lang), lang=lang, demo=True)
    return openpyxl.load_workbook(path)


@pytest.mark.parametrize("lang, light_words", [
    ("fi", {"green": "vihreä", "red": "punainen"}),
    ("sv", {"green": "grön", "red": "röd"}),
])
def test_excel_in_the_report_language(tmp_path, indicator_frame, lang, light_words):
    wb = _workbook(tmp_path, indicator_frame, lang)
    banner = text("report.demo_banner", lang)
    for ws in wb.worksheets:  # the demo marker tops every sheet, the headings are below it
        assert ws["A1"].value == banner, ws.title
        assert ws.freeze_panes == "A3"
    assert wb.sheetnames[:2] == [text("excel.sheet.indicators", lang), text("excel.sheet.volume", lang)]
    ws = wb[text("excel.sheet.indicators", lang)]
    heads = [c.value for c in ws[2]]
    assert heads[:3] == [text("column.indicator_id", lang), text("column.year", lang),
                         text("column.value", lang)]
    assert "indicator_id" not in heads and "ci_low" not in heads
    assert text("column.ci_low", lang) in heads and text("column.light", lang) in heads
    assert ws.auto_filter.ref.startswith("A2:")
    col = {h: k + 1 for k, h in enumerate(heads)}
    for row, rec in enumerate(indicator_frame.to_dict("records"), start=3):
        value = ws.cell(row=row, column=col[text("column.value", lang)])
        low = ws.cell(row=row, column=col[text("column.ci_low", lang)])
        year = ws.cell(row=row, column=col[text("column.year", lang)])
        light = ws.cell(row=row, column=col[text("column.light", lang)]).value
        assert value.value == pytest.approx(rec["value"])
        assert value.number_format == ("0.0%" if rec["unit"] == "share" else "#,##0")
        if rec["unit"] == "share":
            assert low.number_format == "0.0%"
        assert year.value == rec["year"] and year.number_format == "0"
        assert light == (light_words[rec["light"]] if isinstance(rec["light"], str) else None)
    vol = wb[text("excel.sheet.volume", lang)]
    vheads = [c.value for c in vol[2]]
    assert vheads == [text("column.year", lang), text("column.value_eur", lang),
                      text("column.notices", lang)]
    assert [c.number_format for c in vol[3]] == ["0", "#,##0", "#,##0"]
    assert vol["B3"].value == 1234567
    meta_ws = wb[text("metadata.sheet", lang)]
    assert [c.value for c in meta_ws[2]] == [text("column.key", lang), text("column.value", lang)]
    meta = {r[0].value: r[1].value for r in meta_ws.iter_rows(min_row=3)}
    assert meta["parameters.year"] == 2025 and meta["parameters.seed"] == 2024
    assert meta["demo"] is True and meta["ratio"] == 0.25
    assert meta["created"] == datetime(2026, 1, 2)
    assert meta["run"] == datetime(2026, 1, 2, 3, 4, 5)
    assert meta["git_revision"] == "94e7ecc"


def test_flatten_expands_lists_of_records():
    rows = tables.flatten({"inputs": [{"path": "a", "sha256": "1"}], "langs": ["fi", "en"]})
    assert rows == [("inputs[0].path", "a"), ("inputs[0].sha256", "1"),
                    ("langs", '["fi", "en"]')]


def _status_frame():
    import pandas as pd

    base = {"unit": "share", "numerator": 1.0, "denominator": 10.0, "coverage": 1.0,
            "ci_low": 0.05, "ci_high": 0.2, "target": float("nan"), "warning": ""}
    return pd.DataFrame([
        {**base, "indicator_id": "A", "value": 0.1, "status": "measured", "light": "green",
         "light_rule": "green >= 0.1", "light_source": "S"},
        {**base, "indicator_id": "B", "value": 0.1, "status": "measured", "light": None,
         "light_rule": None, "light_source": None},
        {**base, "indicator_id": "C", "value": float("nan"), "status": "not_measurable",
         "light": "red", "light_rule": "green >= 0.1", "light_source": "S",
         "warning": "not measurable: no value could be computed from the data"},
        {**base, "indicator_id": "D", "value": 1.0, "status": "data_limit", "light": "red",
         "light_rule": "green <= 0.1", "light_source": "S", "warning": "x"},
        {**base, "indicator_id": "E", "value": 0.1, "status": "measured", "light": "green",
         "light_rule": "green >= 0.1", "light_source": None},
    ])


def test_a_light_only_for_a_measured_value_with_a_rule_and_its_source():
    from keino_metrics.report import tables

    d = tables.indicator_table(_status_frame(), "fi")
    lights = list(d["Tilanne"])
    assert "keino-light-green" in lights[0]
    assert lights[1:] == ["", "", "", ""]
    assert list(d["Arvo"])[2:4] == ["ei mitattavissa", "aineiston rajoite"]
    assert "Huomautus" in d.columns  # the reasons come with values not measured
    assert "aineistosta ei voitu laskea arvoa" in d["Huomautus"][2]
    assert "ei tavoitetta" not in " ".join(lights) and "ei arvioitu" not in " ".join(lights)


def test_no_grey_swatch_exists():
    from keino_metrics.report import tables

    assert set(tables.LIGHT_COLOURS) == {"green", "yellow", "red"}
    assert tables.light_html("grey", "fi") == "" and tables.light_html(None, "fi") == ""
