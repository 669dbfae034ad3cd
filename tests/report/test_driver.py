import base64
import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from keino_metrics.report import annual, driver, impact


def test_export_html_has_no_code_and_drops_tagged_cells(tmp_path):
    nb = new_notebook(cells=[
        new_code_cell("secret_setup_code = 1", metadata={"tags": ["remove_cell"]}),
        new_markdown_cell("internal note", metadata={"tags": ["remove_cell"]}),
        new_code_cell("display(HTML(shown_text))", execution_count=1, outputs=[
            new_output("display_data", {"text/html": "<p>Visible result</p>",
                                        "text/plain": "<IPython.core.display.HTML object>"})]),
    ])
    src = tmp_path / "n.ipynb"
    nbformat.write(nb, src)
    out = driver.export_html(src, tmp_path / "n.html", title="Raportti")
    html = out.read_text()
    assert "Visible result" in html
    assert "<title>Raportti</title>" in html
    for code in ("secret_setup_code", "shown_text", "internal note", "<div class=\"highlight"):
        assert code not in html
    assert 'src="http' not in html


def test_bad_parameters_are_refused_before_anything_runs(monkeypatch, tmp_path):
    import papermill

    def forbidden(*args, **kwargs):
        raise AssertionError("papermill must not run")

    monkeypatch.setattr(papermill, "execute_notebook", forbidden)
    monkeypatch.setattr(driver, "load_data", forbidden)
    for kwargs in ({"year": "2025; import os"}, {"language": ("fi", "xx")},
                   {"seed": "1"}, {"language": ()}, {"data_dir": tmp_path / "none"}):
        with pytest.raises(ValueError, match="report parameter"):
            driver.build([annual.REPORT, impact.REPORT], out_dir=tmp_path, progress=False,
                         **kwargs)


def test_latest_complete_year(small_dataset):
    assert driver.latest_complete_year(small_dataset) == 2025
    n = small_dataset.notices
    cut = small_dataset.replace(notices=n[n["notice_id"] != "n3"])
    assert driver.latest_complete_year(cut) == 2025  # no December at all: the latest year


def test_source_date_epoch_prefers_the_environment(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert driver.source_date_epoch(2025) == 1700000000
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert driver.source_date_epoch(2025) > 0


@pytest.mark.slow
def test_build_report_end_to_end_on_a_small_demo(tmp_path):
    from keino_metrics import demo

    data_dir = tmp_path / "demo"
    demo.load(directory=data_dir, seed=11, scale=0.05)
    folder = driver.build([annual.REPORT], data_dir=data_dir, language=("fi", "en"), seed=11,
                          out_dir=tmp_path / "reports", progress=False)
    assert folder == tmp_path / "reports" / "2025"
    banners = {"fi": "DEMOAINEISTO: tämän osion luvut", "en": "DEMO DATA: the numbers"}
    for lang in ("fi", "en"):
        assert (folder / f"annual_report_{lang}.ipynb").is_file()
        html = (folder / f"annual_report_{lang}.html").read_text(encoding="utf-8")
        assert banners[lang] in html
        for code in ("import ", "report_content.compute", "display(", "<div class=\"highlight"):
            assert code not in html
        assert (folder / "tables" / f"annual_report_{lang}.xlsx").is_file()
        assert (folder / "figures" / f"innovation_target_{lang}.png").is_file()
    assert (folder / "tables" / "summary.csv").is_file()
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["demo"] is True and meta["seed"] == 11
    assert meta["parameters"]["language"] == ["fi", "en"]
    assert len(meta["inputs"]["data_dir"]) > 0
    for out in meta["outputs"]:
        assert (folder / out["path"]).is_file()
    # every figure is rasterised once: the page embeds the very bytes of figures/*.png
    for lang in ("fi", "en"):
        html = (folder / f"annual_report_{lang}.html").read_text(encoding="utf-8")
        embedded = {base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"',
                                                            html)}
        files = sorted((folder / "figures").glob(f"*_{lang}.png"))
        assert len(files) >= 5
        assert {f.read_bytes() for f in files} <= embedded
        listed = {o["path"] for o in meta["outputs"]}
        assert {f"figures/{f.name}" for f in files} <= listed


def test_notebook_figures_refuses_a_path_the_driver_did_not_write(tmp_path):
    stray = tmp_path / "figures.pkl"
    stray.write_bytes(b"not a pickle")
    for bad in (str(stray), "/etc/passwd", 3, "x\n.pkl"):
        with pytest.raises(ValueError, match="figures_path"):
            driver.notebook_figures(annual.REPORT, None, "fi", bad)
