"""Every text a Finnish or Swedish page of the site shows comes from that language's catalogue.

A small site is built in Finnish and Swedish. The visible text of a sample of
pages (the overview, a region, a buyer group, every buyer and every
indicator) is checked as the reports are (``tests/report/test_languages.py``):
what matches a catalogue template, an indicator name, a region or buyer-group
label is removed, then numbers, codes and identifiers; any word left is a text
the catalogue does not hold. Names taken from the data (buyers, lot titles,
programmes), which the page marks ``translate="no"``, are left out first. A
second check looks for common English words, so that an English text that
happens to match a placeholder cannot hide.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keino_metrics.site import build_site
from keino_metrics.site.render import page_path
from tests.report.test_languages import unexplained, visible_nodes

LANGS = ("fi", "sv")
#: English words that occur in no Finnish or Swedish sentence of the site.
ENGLISH = frozenset({"the", "of", "and", "with", "from", "this", "which", "could", "are",
                     "is", "not", "cannot", "measurable", "below", "units"})
_NAMES = re.compile(r'<(\w+)\b[^>]*\btranslate="no"[^>]*>.*?</\1>', re.S)


@pytest.fixture(scope="module")
def site(small_content, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("languages") / "site"
    build_site(out, content=small_content, language=LANGS)
    return out


def _pages(site: Path, content, lang: str) -> dict[str, str]:
    b = content.buyers.dropna(subset=["region_code", "buyer_group"]).iloc[0]
    rels = ["index.html", page_path("region", b["region_code"]),
            page_path("group", b["buyer_group"]),
            *(page_path("buyer", x) for x in content.buyers["buyer_id"]),
            *(page_path("indicator", i) for i in content.ids)]
    return {rel: (site / lang / rel).read_text(encoding="utf-8") for rel in rels}


def _nodes(doc: str) -> list[str]:
    return visible_nodes(_NAMES.sub(" ", doc))


def test_the_check_sees_english_and_skips_names():
    doc = ('<body><h1 translate="no">Helsingin kaupunki</h1><p>Hankintayksikkö</p>'
           "<td>not measurable: no eligible units</td></body>")
    nodes = _nodes(doc)
    assert "Helsingin kaupunki" not in nodes
    assert unexplained(nodes, "fi") == [
        "'not measurable: no eligible units' -> 'not measurable: no eligible units'"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_visible_text_of_a_page_is_in_the_catalogue(site, small_content, lang):
    pages = _pages(site, small_content, lang)
    problems = []
    for rel, doc in pages.items():
        nodes = _nodes(doc)
        assert len(nodes) > 20, rel
        problems += [f"{rel}: {x}" for x in unexplained(nodes, lang)]
    assert not problems, f"{lang}: {len(problems)} texts not in the catalogue:\n" + \
        "\n".join(problems[:40])


@pytest.mark.parametrize("lang", LANGS)
def test_no_english_words_on_finnish_and_swedish_pages(site, small_content, lang):
    found = {}
    for rel, doc in _pages(site, small_content, lang).items():
        for node in _nodes(doc):
            words = set(re.findall(r"[^\W\d_]+", node.lower())) & ENGLISH
            if words:
                found.setdefault(rel, []).append((node[:120], sorted(words)))
    assert not found, f"{lang}: English words on {len(found)} pages: " + \
        repr(sorted(found.items())[:5])
