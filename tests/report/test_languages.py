"""Every text a Finnish or Swedish report shows comes from that language's catalogue.

Both reports are built in Finnish and Swedish on a small generated corpus. The
visible text of each HTML page (without styles, scripts, figures, code and the
machine-dependent values the report marks as volatile) is taken apart: what
matches a template of the language's catalogue (placeholders match anything),
an indicator name, a region, buyer-group or code-list label in that language
is removed; then numbers, codes and identifiers (``SMS-01``, ``buyer_id``,
``data/raw/demo``, ``EUR``) are removed. Any word left is a text the catalogue
does not hold, and the test names it with its page.
"""

from __future__ import annotations

import html
import re

import pytest

from keino_metrics import codelists, geography, labels
from keino_metrics.indicators import BUYER_GROUPS, buyer_group_label, registry
from keino_metrics.report import annual, driver, impact

LANGS = ("fi", "sv")
_FIELD = re.compile(r"\{(\w+)\}")
_IDENT = re.compile(r"[\w]+(?:[-_./:+][\w]+)+|\b[A-Z0-9][A-Z0-9&]+\b|[\d]+|\w+\(\)")
_WORD = re.compile(r"[^\W\d_]{3,}")


def visible_nodes(doc: str) -> list[str]:
    """The visible text of an HTML page, one string per text node."""
    body = doc[doc.find("<body"):] if "<body" in doc else doc
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'<span class="volatile">.*?</span>|<code>.*?</code>', " ", body, flags=re.S)
    out = []
    for t in re.split(r"<[^>]+>", body):
        t = " ".join(html.unescape(t).split())
        if t:
            out.append(t)
    return out


def _allowed(lang: str) -> list[re.Pattern[str]]:
    texts = set(labels.catalogue(lang).values())
    texts |= {ind.name(lang) for ind in registry.all_indicators()}
    texts |= {geography.region_name(c, lang) for c in geography.regions()["region_code"]}
    texts |= {buyer_group_label(g, lang) for g in BUYER_GROUPS}
    for name in codelists.available():
        t = codelists.table(name)
        if lang in t.columns:
            texts |= {str(v) for v in t[lang].dropna()}
    pats = []
    for t in sorted(texts, key=len, reverse=True):
        parts = _FIELD.split(t)
        literal = "".join(parts[::2])
        if len(literal.strip()) < 3:
            continue  # a bare placeholder or a one-letter text would match anything
        pats.append(re.compile("".join(re.escape(p) if k % 2 == 0 else ".+?"
                                       for k, p in enumerate(parts))))
    return pats


def unexplained(nodes: list[str], lang: str) -> list[str]:
    """Nodes that still hold a word after catalogue texts and identifiers are removed."""
    pats = _allowed(lang)
    left = []
    for node in dict.fromkeys(nodes):
        rest = node
        for p in pats:
            if p.pattern and rest:
                rest = p.sub(" ", rest)
        rest = _IDENT.sub(" ", rest)
        if _WORD.search(rest):
            left.append(f"{node!r} -> {rest.strip()!r}")
    return left


def test_the_check_catches_english_in_a_swedish_page():
    nodes = visible_nodes("<body><h2>Sammanfattning</h2><p>Share of lots</p>"
                          "<td>SMS-01</td><td>12,5 %</td></body>")
    assert unexplained(nodes, "sv") == ["'Share of lots' -> 'Share of lots'"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from keino_metrics import demo

    root = tmp_path_factory.mktemp("languages")
    demo.write(root / "demo", seed=11, scale=0.05, invoices=True)
    folder = driver.build([annual.REPORT, impact.REPORT], data_dir=root / "demo",
                          language=LANGS, seed=11, out_dir=root / "reports", progress=False)
    return {(r, lang): (folder / f"{r}_{lang}.html").read_text(encoding="utf-8")
            for r in ("annual_report", "impact_report") for lang in LANGS}


@pytest.mark.slow
@pytest.mark.parametrize("report", ["annual_report", "impact_report"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_visible_text_is_in_the_catalogue(pages, report, lang):
    nodes = visible_nodes(pages[(report, lang)])
    assert len(nodes) > 100
    left = unexplained(nodes, lang)
    assert not left, f"{report} ({lang}): {len(left)} texts not in the catalogue:\n" + \
        "\n".join(left[:40])
