import hashlib
from datetime import datetime

import openpyxl
import pandas as pd

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
    assert meta == {"a.b": "1", "c": "[1, 2]"}


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
