"""The site folder: every page, its links, its CSV downloads, written atomically."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

from keino_metrics.site import build_site
from keino_metrics.site.content import MIN_N, SPEND_IDS
from keino_metrics.site.render import csv_path, page_path


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.headings: list[int] = []
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        for key in ("href", "src"):
            if a.get(key):
                self.refs.append(a[key])


@pytest.fixture(scope="module")
def site(small_content, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = build_site(out, content=small_content, language=["fi", "sv", "en"])
    assert result.out == out.resolve()
    return out


def _html(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_a_page_for_every_buyer_region_group_and_indicator(site, small_content):
    c = small_content
    for lang in ("fi", "sv", "en"):
        for b in c.buyers["buyer_id"]:
            assert (site / lang / page_path("buyer", b)).is_file()
        for code in c.buyers["region_code"].dropna().unique():
            assert (site / lang / page_path("region", code)).is_file()
        for key in c.buyers["buyer_group"].dropna().unique():
            assert (site / lang / page_path("group", key)).is_file()
        for i in c.ids:
            assert (site / lang / page_path("indicator", i)).is_file()
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000


def test_every_link_resolves_and_nothing_is_fetched(site):
    pages = _html(site)
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for ref in parser.refs:
            parts = urlsplit(ref)
            assert not parts.scheme and not parts.netloc, f"{page}: external {ref}"
            target = (page.parent / parts.path).resolve()
            assert target.is_file(), f"{page}: broken link {ref}"


def test_pages_declare_their_language_and_keep_heading_order(site):
    for page in _html(site):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        lang = page.relative_to(site).parts[0]
        assert parser.lang == (lang if lang in ("fi", "sv", "en") else "fi"), page
        h = parser.headings
        assert h and h[0] == 1, page
        assert all(b - a <= 1 for a, b in zip(h, h[1:], strict=False)), (page, h)


def test_demo_label_on_every_page_of_demo_data(site, small_content):
    assert small_content.demo
    for page in _html(site):
        if page.parent == site:
            continue
        assert 'class="demo-banner"' in page.read_text(encoding="utf-8"), page


def test_csv_download_holds_the_page_numbers(site, small_content):
    buyer = small_content.buyers["buyer_id"].iloc[0]
    got = pd.read_csv(site / "data" / csv_path(buyer), dtype={"buyer_id": str})
    want = small_content.profile(buyer)
    pd.testing.assert_series_equal(got["value"], want["value"].astype(float),
                                   check_names=False)
    assert list(got["indicator_id"]) == [*small_content.ids, *SPEND_IDS]
    page = (site / "en" / page_path("buyer", buyer)).read_text(encoding="utf-8")
    assert csv_path(buyer) in page


def test_not_measurable_is_never_shown_as_zero(site, small_content):
    prof = small_content.profiles
    blank = prof[prof["value"].isna()]
    assert not blank.empty
    buyer = blank["buyer_id"].iloc[0]
    page = (site / "en" / page_path("buyer", buyer)).read_text(encoding="utf-8")
    assert "not measurable" in page
    assert f"below {MIN_N}" in page


def test_rebuild_replaces_the_folder_whole(site, small_content, tmp_path):
    out = tmp_path / "s"
    build_site(out, content=small_content, language="en")
    page = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="fi"' not in page  # the switch offers only the languages built
    (out / "stale.txt").write_text("old")
    result = build_site(out, content=small_content, language="en")
    assert not (out / "stale.txt").exists()
    assert result.pages == len(list(out.rglob("*.html")))
    assert [p.name for p in tmp_path.iterdir()] == ["s"]


def test_unknown_language_is_refused(small_content, tmp_path):
    with pytest.raises(ValueError, match="language"):
        build_site(tmp_path / "x", content=small_content, language=["de"])


def test_search_index_lists_every_buyer(site, small_content):
    js = (site / "assets" / "search.js").read_text(encoding="utf-8")
    for b in small_content.buyers["buyer_id"]:
        assert f'"{b}"' in js
    assert io.StringIO(js).readline().startswith("window.KEINO_BUYERS = [")


def test_keino_site_builds_from_a_data_directory(small_corpus, tmp_path, capsys):
    from keino_metrics.cli import main

    data_dir = small_corpus.to_parquet(tmp_path / "tables")
    out = tmp_path / "site"
    assert main(["site", "--data-dir", str(data_dir), "--out", str(out),
                 "--language", "en"]) == 0
    said = capsys.readouterr().out
    assert "pages" in said and str(out) in said
    buyer = small_corpus.notices["buyer_id"].iloc[0]
    assert (out / "en" / page_path("buyer", buyer)).is_file()


def test_keino_site_names_a_missing_data_directory(tmp_path, capsys):
    from keino_metrics.cli import main

    assert main(["site", "--data-dir", str(tmp_path / "nothing"), "--out",
                 str(tmp_path / "s")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_buyer_page_shows_the_profile_numbers(site, small_content):
    from keino_metrics.site.content import SHARE_IDS
    from keino_metrics.site.render import fmt

    buyer = small_content.buyers["buyer_id"].iloc[0]
    prof = small_content.profile(buyer).set_index("indicator_id")
    page = (site / "en" / page_path("buyer", buyer)).read_text(encoding="utf-8")
    table = page[page.index('id="t-shares"'):page.index("</table>", page.index('id="t-shares"'))]
    cells = re.findall(r'<td class="value">([^<]*)</td>', table)
    assert cells == [fmt(prof.loc[i, "value"], "share", "en", "not measurable")
                     for i in SHARE_IDS]


def test_buyer_page_shows_the_spend_numbers(site, small_content):
    from keino_metrics.site.render import fmt

    assert small_content.has_spend
    buyer = small_content.buyers["buyer_id"].iloc[0]
    prof = small_content.profile(buyer).set_index("indicator_id")
    page = (site / "fi" / page_path("buyer", buyer)).read_text(encoding="utf-8")
    start = page.index('id="t-spend"')
    table = page[start:page.index("</table>", start)]
    cells = re.findall(r'<td class="value">([^<]*)</td>', table)
    units = {"SPEND-EUR": "eur", "SPEND-COVERED": "share", "SPEND-INNOV": "share"}
    assert cells == [fmt(prof.loc[i, "value"], units[i], "fi", "ei mitattavissa")
                     for i in SPEND_IDS]
    assert "10,0\u00a0%" in table  # the target of SPEND-INNOV


def test_without_invoices_the_spend_section_says_not_measurable(small_corpus, tmp_path):
    from dataclasses import replace

    from keino_metrics.labels import text
    from keino_metrics.site import content as site_content

    c = site_content.compute(replace(small_corpus, spend=small_corpus.spend.iloc[:0]))
    out = tmp_path / "s"
    build_site(out, content=c, language="sv")
    buyer = c.buyers["buyer_id"].iloc[0]
    page = (out / "sv" / page_path("buyer", buyer)).read_text(encoding="utf-8")
    assert 'id="t-spend"' not in page
    assert text("site.spend_none", "sv") in page
