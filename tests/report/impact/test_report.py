"""The impact report: parameter validation, the panel and an end-to-end build."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from keino_metrics.labels import text
from keino_metrics.report import driver, impact
from keino_metrics.report.impact.panel import impact_panel
from keino_metrics.report.impact.params import (
    ALL_PROGRAMMES,
    DEFAULT_OUTCOME,
    NOTEBOOK,
    ImpactParams,
    allowed_outcomes,
    validate_impact_params,
)

PROGRAMMES = ("KEINO-kehittämisohjelma", "Motiva green deal")


def test_defaults_are_valid_and_frozen():
    p = validate_impact_params(2025)
    assert isinstance(p, ImpactParams)
    assert (p.year, p.language, p.seed, p.outcome, p.programme, p.control) == (
        2025, "fi", 2024, DEFAULT_OUTCOME, ALL_PROGRAMMES, "never_treated")
    assert p.data_dir.is_absolute()
    with pytest.raises(AttributeError):
        p.year = 2024  # type: ignore[misc]
    d = p.to_dict()
    assert d["data_dir"] == str(p.data_dir) and d["outcome"] == DEFAULT_OUTCOME


def test_outcomes_are_catalogue_shares_of_lot_results():
    from keino_metrics.indicators import catalogue

    cat = catalogue().set_index("id")
    outs = allowed_outcomes()
    assert DEFAULT_OUTCOME in outs and "KEINO-GREEN-N" in outs
    assert list(outs) == sorted(outs)
    for i in outs:
        assert cat.loc[i, "unit"] == "share" and cat.loc[i, "unit_of_analysis"] == "lot result"
    assert "KEINO-VOL-LOTS" not in outs  # a count, not a share


@pytest.mark.parametrize("name, kwargs, allowed", [
    ("year", {"year": "2025"}, "an integer from 2018 to 2100"),
    ("year", {"year": "2025; import os"}, "an integer"),
    ("year", {"year": True}, "an integer"),
    ("year", {"year": 1999}, "an integer from 2018 to 2100"),
    ("year", {"year": 2025.0}, "an integer"),
    ("language", {"language": "de"}, "'fi', 'en', 'sv'"),
    ("language", {"language": "fi'; import os; '"}, "'fi', 'en'"),
    ("language", {"language": ["fi"]}, "'fi', 'en'"),
    ("seed", {"seed": -1}, "an integer >= 0"),
    ("seed", {"seed": "1"}, "an integer >= 0"),
    ("outcome", {"outcome": "NOPE"}, "KEINO-INNOV-MKT-N"),
    ("outcome", {"outcome": "KEINO-VOL-LOTS"}, "share of lot results"),
    ("outcome", {"outcome": 'KEINO-INNOV-MKT-N"\nimport os\n#'}, "KEINO-GREEN-N"),
    ("outcome", {"outcome": None}, "KEINO-INNOV-MKT-N"),
    ("programme", {"programme": 5}, "'all' or a programme of the data"),
    ("programme", {"programme": "x\"\nimport os; os.system('id')\n#"},
     "'all' or a programme of the data"),
    ("programme", {"programme": ""}, "'all'"),
    ("programme", {"programme": "Unknown deal", "programmes": PROGRAMMES},
     "'KEINO-kehittämisohjelma', 'Motiva green deal'"),
    ("control", {"control": "both"}, "'never_treated', 'not_yet_treated'"),
    ("control", {"control": "never_treated; rm -rf /"}, "'never_treated'"),
    ("data_dir", {"data_dir": "/no/such/directory"}, "an existing directory"),
    ("data_dir", {"data_dir": 42}, "a path"),
    ("data_dir", {"data_dir": "data/raw/demo\nimport os"}, "without control characters"),
])
def test_bad_values_are_refused_naming_parameter_and_allowed_values(name, kwargs, allowed):
    args = {"year": 2025, **kwargs}
    with pytest.raises(ValueError) as err:
        validate_impact_params(**args)
    msg = str(err.value)
    assert msg.startswith(f"impact report parameter {name!r}")
    assert "allowed:" in msg and allowed in msg


def test_long_values_are_shortened_in_the_message():
    with pytest.raises(ValueError) as err:
        validate_impact_params(2025, programme="x" * 5000)
    assert len(str(err.value)) < 600


def test_programme_and_year_checked_against_the_data():
    p = validate_impact_params(2025, programme=PROGRAMMES[1], programmes=PROGRAMMES)
    assert p.programme == PROGRAMMES[1]
    assert validate_impact_params(2025, programmes=PROGRAMMES).programme == ALL_PROGRAMMES
    with pytest.raises(ValueError, match=r"impact report parameter 'year'.*2018-2024"):
        validate_impact_params(2025, available_years=range(2018, 2025))


def test_notebook_parameters_cell_holds_literals_only():
    import ast

    import nbformat

    from keino_metrics import paths

    nb = nbformat.read(paths.project_root() / NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    tree = ast.parse(cell.source)
    values = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        values[node.targets[0].id] = node.value.value
    assert set(values) == {"outcome", "programme", "control", "seed", "data_dir", "language",
                           "year", "content_path", "figures_path"}
    assert values.pop("content_path") == ""
    assert values.pop("figures_path") == ""
    validate_impact_params(**values)  # the defaults are valid


def test_build_refuses_bad_parameters_before_running_anything(monkeypatch, tmp_path):
    import papermill

    def boom(*_a, **_k):  # pragma: no cover - must not be reached
        raise AssertionError("papermill ran with a bad parameter")

    monkeypatch.setattr(papermill, "execute_notebook", boom)
    with pytest.raises(ValueError, match="impact report parameter 'outcome'"):
        driver.build([impact.REPORT], year=2025, out_dir=tmp_path, progress=False,
                     options={"impact_report": {"outcome": "X'); import os; ('"}})
    with pytest.raises(ValueError, match="impact report parameter 'language'"):
        driver.build([impact.REPORT], year=2025, language=("de",), out_dir=tmp_path,
                     progress=False)
    assert not any(tmp_path.iterdir())


def test_panel_of_one_programme_keeps_its_first_joiners_and_the_never_joined(small_demo):
    data, _ = small_demo
    everyone = impact_panel(data, DEFAULT_OUTCOME, ALL_PROGRAMMES, 2025)
    prog = "Motiva green deal"
    one = impact_panel(data, DEFAULT_OUTCOME, prog, 2025)
    first = everyone.drop_duplicates("buyer_id").set_index("buyer_id")["first_programme"]
    kept = set(one["buyer_id"])
    assert kept == {b for b, f in first.items() if pd.isna(f) or f == prog}
    assert (one.loc[one["cohort"] > 0, "first_programme"] == prog).all()
    assert one["year"].max() <= 2025
    early = impact_panel(data, DEFAULT_OUTCOME, ALL_PROGRAMMES, 2021)
    assert early["year"].max() == 2021 and early["cohort"].max() <= 2021


def _visible_text(html_doc: str) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", html_doc, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.slow
def test_end_to_end_build_on_small_demo(small_demo, tmp_path):
    data, data_dir = small_demo
    folder = driver.build([impact.REPORT], year=2025, data_dir=data_dir, language=("fi", "en"),
                          seed=11, out_dir=tmp_path / "reports", progress=False)
    assert folder == tmp_path / "reports" / "2025"
    banners = {"fi": "DEMOAINEISTO:", "en": "DEMO DATA:"}
    for lang in ("fi", "en"):
        doc = (folder / f"impact_report_{lang}.html").read_text(encoding="utf-8")
        visible = _visible_text(doc)
        # no code: neither the setup cell nor the calls that render the sections
        for code in ("validate_impact_params", "compute_impact", "render.effect_html",
                     "display(", "import "):
            assert code not in visible, (lang, code)
        assert re.search(r'class="[^"]*jp-InputArea\b', doc) is None
        assert 'src="http' not in doc
        assert banners[lang] in visible
        assert text("impact.sec.effect", lang) in visible and text("impact.sec.carbon", lang) in visible
        assert text("impact.title", lang, year=2025) in visible
        assert doc.count("data:image/png;base64") >= 4
        assert (folder / f"impact_report_{lang}.ipynb").is_file()
        assert (folder / "figures" / f"impact_event_study_{lang}.png").is_file()
        assert (folder / "tables" / f"impact_report_{lang}.xlsx").is_file()
    effect = pd.read_csv(folder / "tables" / "impact_effect.csv")
    assert list(effect["aggregation"]) == ["simple", "group", "dynamic", "calendar"]
    assert effect["truth"].notna().all()  # demo data: the known true effect is shown
    assert (effect["ci_low"] <= effect["estimate"]).all()
    assert (effect["estimate"] <= effect["ci_high"]).all()
    robust = pd.read_csv(folder / "tables" / "impact_robustness.csv")
    assert {"main", "other_control", "reg", "ipw", "twfe", "sun_abraham"} <= set(
        robust["variant"])
    meta = json.loads((folder / "impact_metadata.json").read_text(encoding="utf-8"))
    assert meta["report"] == "impact_report" and meta["demo"] is True
    assert meta["parameters"]["outcome"] == DEFAULT_OUTCOME
    assert meta["parameters"]["language"] == ["fi", "en"]
    outputs = {o["path"] for o in meta["outputs"]}
    assert {"impact_report_fi.html", "impact_report_en.html",
            "tables/impact_effect.csv"} <= outputs
    # the notebook shows the same main estimate as the exported table
    nb = (folder / "impact_report_en.ipynb").read_text(encoding="utf-8")
    simple = effect.set_index("aggregation").loc["simple", "estimate"]
    from keino_metrics.report import numbers

    assert numbers.number(100 * simple, "en", 2) + " pp" in nb


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_impact_workbook_in_the_report_language(small_content, tmp_path, lang):
    import openpyxl

    from keino_metrics.report import tables

    sheets, formats = impact.REPORT.excel(small_content, lang)
    path = tables.write_excel(sheets, tmp_path / f"impact_{lang}.xlsx",
                              metadata={"parameters": {"year": 2025}, "demo": True},
                              formats=formats, metadata_sheet=text("metadata.sheet", lang),
                              lang=lang, demo=small_content.demo)
    wb = openpyxl.load_workbook(path)
    banner = text("report.demo_banner", lang)
    assert all(ws["A1"].value == banner for ws in wb.worksheets)
    ws = wb[text("excel.sheet.effect_by_programme", lang)]
    heads = [c.value for c in ws[2]]
    assert text("excel.column.programme", lang) in heads
    assert "estimate" not in heads and "ci_low" not in heads and "n_treated" not in heads
    col = {h: k + 1 for k, h in enumerate(heads)}
    est = ws.cell(row=3, column=col[text("excel.column.estimate", lang)])
    n = ws.cell(row=3, column=col[text("excel.column.n_treated", lang)])
    first = small_content.programmes.iloc[0]
    assert est.value == pytest.approx(first["estimate"], abs=1e-6)
    assert est.number_format == "0.00%"
    assert n.value == first["n_treated"] and n.number_format == "#,##0"
    target = wb[text("excel.sheet.target", lang)]
    theads = [c.value for c in target[2]]
    assert target.cell(row=3, column=theads.index(text("excel.column.forecast", lang)) + 1
                       ).number_format == "0.0%"
    assert target.cell(row=3, column=theads.index(text("excel.column.first_year", lang)) + 1
                       ).number_format == "0"
