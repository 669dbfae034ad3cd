"""The annual report's spend section: its numbers against independent sums, its HTML."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

from keino_metrics import demo, labels
from keino_metrics.indicators import compute
from keino_metrics.report import figures
from keino_metrics.report.annual import spend, spend_render
from keino_metrics.report.catalogue import indicator_names, innovation_ids

YEAR = 2024


@pytest.fixture(scope="module")
def data():
    return demo.generate(seed=5, scale=0.02, invoices=True)


@pytest.fixture(scope="module")
def content(data):
    ids = innovation_ids()
    notice = compute(list(ids), data, by=["year"]).to_frame().dropna(subset=["year"])
    notice["year"] = notice["year"].astype(int)
    return spend.compute(data, YEAR, notice_by_year=notice, innovation_ids=ids, demo=True)


def _paid_by_year(data) -> pd.Series:
    years = pd.to_datetime(data.spend["posting_date"]).dt.year
    amounts = data.spend["amount_eur"].astype(float)
    return amounts.groupby(years).sum().loc[lambda s: s.index <= YEAR]


def test_euros_paid_equal_the_invoice_sums(data, content):
    paid = _paid_by_year(data)
    eur = content.select(("SPEND-EUR",)).set_index("year")["value"]
    assert list(eur.index) == list(paid.index)
    assert np.allclose(eur.to_numpy(), paid.to_numpy())
    link = content.linkage.set_index("year")
    assert np.allclose(link["eur"].to_numpy(), paid.to_numpy())
    assert np.allclose((link["linked_eur"] + link["unlinked_eur"]).to_numpy(), paid.to_numpy())
    assert (link["no_supplier_id_eur"] <= link["unlinked_eur"] + 1e-6).all()
    assert (link["lot_named_eur"] <= link["linked_eur"] + 1e-6).all()
    assert link["invoices"].sum() == int((pd.to_datetime(data.spend["posting_date"]).dt.year
                                          <= YEAR).sum())


def test_unlinked_euros_without_supplier_id_counted_independently(data, content):
    s = data.spend
    year = pd.to_datetime(s["posting_date"]).dt.year
    no_id = s["supplier_id"].isna() & (year == YEAR)
    # rows without any supplier id can never be linked
    assert content.linkage.set_index("year").loc[YEAR, "no_supplier_id_eur"] >= \
        s.loc[no_id, "amount_eur"].sum() - 1e-6


def test_target_puts_spend_beside_every_notice_definition(content):
    t = content.target
    assert t["indicator_id"].iloc[0] == spend.SPEND_TARGET_ID
    assert tuple(t["indicator_id"].iloc[1:]) == innovation_ids()
    assert set(t["year"]) == {YEAR}
    assert t["covers"].iloc[0] == "spend_report.covers_spend"
    assert content.principal_id == innovation_ids()[0]
    for lang in ("fi", "sv", "en"):
        for key in t["covers"]:
            assert labels.has_text(key, lang)


def test_carbon_has_both_bases(content):
    c = content.carbon.set_index("basis")
    assert list(c.index) == ["invoices", "lots"]
    assert (c["low_t"] <= c["total_t"]).all() and (c["total_t"] <= c["high_t"]).all()
    assert content.carbon_basis["spend_eur"].sum() == pytest.approx(
        content.linkage.set_index("year").loc[YEAR, "eur"])


def test_figure_has_demo_mark_and_alt_text(content):
    fig = spend_render.target_figure(content, "fi", indicator_names("fi"))
    assert figures.has_demo_mark(fig)
    alt = spend_render.figure_alt(content, "sv")
    assert "SPEND-INNOV" in alt and str(YEAR) in alt and "{" not in alt


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_section_html(content, lang):
    html = unescape(spend_render.section(content, lang, indicator_names(lang)))
    assert labels.text("spend_report.title", lang) in html
    assert labels.text("report.demo_banner", lang) in html
    assert re.search(r'<img alt="[^"]{40,}" width="\d+" src="data:image/png;base64,[^"]+"', html)
    for key in spend_render.LIMIT_KEYS:
        assert labels.text(key, lang) in html


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_without_invoices_the_section_says_so_in_words(data, lang):
    c = spend.compute(data.replace(spend=data.spend.iloc[:0]), YEAR,
                      notice_by_year=pd.DataFrame(columns=["indicator_id", "year"]),
                      innovation_ids=innovation_ids(), demo=False)
    assert not c.measured and c.tables() == {}
    html = unescape(spend_render.section(c, lang, indicator_names(lang)))
    assert labels.text("spend_report.not_measurable", lang) in html
    visible = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\d", visible)
