"""The built report pages as a reader meets them: language, answers first, contents, figures."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from keino_metrics.labels import text
from tests.report.conftest import PAGE_LANGS

REPORTS = ("annual_report", "impact_report")
#: The headline must come within this many elements of the page's output.
FIRST_SCREEN = 12


def _soup(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, features="html.parser")


@pytest.mark.slow
@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("lang", PAGE_LANGS)
def test_the_page_declares_its_language(pages, report, lang):
    assert _soup(pages[(report, lang)]).html["lang"] == lang


@pytest.mark.slow
@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("lang", PAGE_LANGS)
def test_contents_link_to_every_section_and_every_link_resolves(pages, report, lang):
    soup = _soup(pages[(report, lang)])
    nav = soup.find("nav", class_="keino-toc")
    assert nav is not None and nav.find("h2").get_text() == text("toc.title", lang)
    ids = [e["id"] for e in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "ids must be unique"
    sections = [h["id"] for h in soup.find_all("h2") if not h.find_parent("nav")]
    links = [a["href"][1:] for a in nav.find_all("a")]
    assert links == sections and len(links) >= 5
    for a in soup.find_all("a", href=re.compile("^#")):
        assert a["href"][1:] in ids, a


@pytest.mark.slow
@pytest.mark.parametrize("lang", PAGE_LANGS)
def test_links_to_the_impact_report_resolve(pages, lang):
    annual = _soup(pages[("annual_report", lang)])
    impact_ids = {e["id"] for e in _soup(pages[("impact_report", lang)]).find_all(id=True)}
    hrefs = [a["href"] for a in annual.find_all("a", href=re.compile("^impact_report_"))]
    assert hrefs and all(h.startswith(f"impact_report_{lang}.html#") for h in hrefs)
    targets = {h.split("#", 1)[1] for h in hrefs}
    assert "target" in impact_ids  # the trajectory section
    programmes = {t for t in targets if t.startswith("programme-") or t == "pooled"}
    if not programmes & impact_ids:
        pytest.skip("the impact report has no per-programme sections (ids programme-<code>, "
                    "pooled) to link to")
    assert targets <= impact_ids


@pytest.mark.slow
@pytest.mark.parametrize("lang", PAGE_LANGS)
def test_the_headline_is_on_the_first_screen(pages, lang):
    soup = _soup(pages[("annual_report", lang)])
    outputs = soup.select("div.jp-OutputArea-output")
    blocks = [e for o in outputs for e in o.find_all(["h1", "h2", "p", "div", "section"],
                                                     recursive=False)]
    first = [e.name + str(e.get("id", "")) + " ".join(e.get("class", [])) for e in
             blocks[:FIRST_SCREEN]]
    assert any("keino-headline" in f for f in first), first
    headline = soup.find("section", class_="keino-headline")
    assert headline.find_previous("h1") is not None
    assert headline.find_previous("h2") is None  # before every section


@pytest.mark.slow
@pytest.mark.parametrize("report", ["annual_report"])
@pytest.mark.parametrize("lang", PAGE_LANGS)
def test_every_figure_has_a_meaningful_alt_text(pages, report, lang):
    imgs = _soup(pages[(report, lang)]).find_all("img")
    assert len(imgs) >= 5
    for img in imgs:
        alt = img.get("alt", "")
        assert len(alt) > 40 and "No description" not in alt


@pytest.mark.slow
@pytest.mark.parametrize("lang", PAGE_LANGS)
def test_lights_only_where_earned(pages, lang):
    soup = _soup(pages[("annual_report", lang)])
    assert not soup.select(".keino-light-grey, .keino-light-none")
    words = {text("light.none", lang), text("light.grey", lang)}
    assert not any(w in soup.get_text() for w in words)


@pytest.mark.slow
@pytest.mark.parametrize("lang", PAGE_LANGS)
def test_values_not_measured_are_words_with_a_reason_and_no_light(pages, lang):
    soup = _soup(pages[("annual_report", lang)])
    value_head, light_head = text("column.value", lang), text("column.light", lang)
    note_head = text("column.warning", lang)
    words = {text("annual.status.not_measurable", lang), text("annual.status.data_limit", lang)}
    unmeasured = lit = 0
    for table in soup.select("table.keino-table"):
        heads = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        if value_head not in heads or light_head not in heads:
            continue
        for tr in table.select("tbody tr"):
            cells = tr.find_all("td")
            value = cells[heads.index(value_head)].get_text(strip=True)
            if value in words:
                unmeasured += 1
                assert not tr.select(".keino-light"), tr
                assert cells[heads.index(note_head)].get_text(strip=True) not in ("", "–")
            lit += bool(tr.select(".keino-light"))
    assert unmeasured and lit
