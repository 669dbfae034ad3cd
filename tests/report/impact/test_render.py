"""The impact report's HTML: programme rows with anchors, forecast bases, disclosed warnings."""

from __future__ import annotations

import dataclasses
import html
import re

import numpy as np
import pandas as pd
import pytest

from keino_metrics import published
from keino_metrics.impact.target import MIN_POINTS_FOR_PROBABILITY
from keino_metrics.labels import text
from keino_metrics.report import numbers
from keino_metrics.report.impact import render
from keino_metrics.results import Note

CELLS = ("UserWarning: 3 of 40 ATT(g,t) cells could not be estimated (no data for "
         "'KEINO-INNOV-MKT-N' in those cells, e.g. group 2019, time 2018); they are left out "
         "of the aggregations")


def _plain(doc: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", doc))


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_each_programme_has_its_row_and_anchor(small_content, lang):
    doc = render.programmes_html(small_content, lang)
    for r in small_content.programmes.to_dict("records"):
        row = re.search(rf'<tr id="{re.escape(r["anchor"])}">(.*?)</tr>', doc)
        assert row, r["anchor"]
        cells = _plain(row.group(1))
        assert render.programme_label(r["programme"], lang) in cells
        assert render.pp(r["estimate"], lang) in cells
        assert numbers.number(r["n_treated"], lang) in cells
        assert render.pp(r["truth"], lang) in cells  # demo data: the truth beside it
    assert doc.count('<tr id="') == len(small_content.programmes)
    assert 'id="pooled"' in doc
    assert text("impact_report.programme.pooled", lang) in doc


def test_unreliable_classifier_is_said_to_be_unreliable(small_content):
    if not len(small_content.hidden):
        pytest.skip("no hidden-volume estimate on this corpus")
    h = small_content.hidden.assign(auc=0.7, reliable=False, method="pu",
                                    label_frequency=0.6)
    c = dataclasses.replace(small_content, hidden=h)
    for lang in ("fi", "sv", "en"):
        doc = _plain(render.hidden_html(c, lang))
        said = text("impact_report.hidden.unreliable", lang,
                    auc=numbers.number(0.7, lang, 3),
                    min_auc=numbers.number(float(h["min_auc"].iloc[0]), lang, 2))
        assert said in doc
        assert text("impact_report.hidden.estimate_unreliable", lang) in doc
        assert text("impact_report.hidden.reliable", lang, auc="X", min_auc="Y")[:25] not in doc
    ok = dataclasses.replace(small_content, hidden=h.assign(auc=0.95, reliable=True))
    doc = _plain(render.hidden_html(ok, "fi"))
    assert text("impact_report.hidden.estimate_unreliable", "fi") not in doc
    assert "EI ole luotettava" not in doc


def test_model_warnings_are_disclosed_beside_the_main_estimate(small_content):
    c = dataclasses.replace(small_content, warnings=(
        Note("warning", CELLS, "did:main"),
        Note("warning", "RuntimeWarning: something new", "did:main"),
        Note("warning", CELLS, "did:reg")))
    fi = render.effect_html(c, "fi")
    assert "3/40 ryhmä-vuosisolua ATT(g,t) jäi arvioimatta" in _plain(fi)
    assert "left out of the aggregations" not in fi
    # a warning the catalogue does not know keeps its words, as code, after a lead in Finnish
    assert text("impact_report.warning.untranslated", "fi") in fi
    assert "<code>RuntimeWarning: something new</code>" in fi
    rob = render.robustness_html(c, "sv")
    assert "3 av 40 grupp-år-celler ATT(g,t) kunde inte skattas" in _plain(rob)
    assert "something new" not in rob
    en = render.effect_html(c, "en")
    assert "they are left out of the aggregations" in en
    plain = dataclasses.replace(small_content, warnings=())
    assert text("impact_report.warning.lead", "fi", n=1)[:10] not in render.effect_html(
        plain, "fi")


def test_forecasts_state_points_model_and_why_no_probability(small_content):
    t = small_content.target.copy()
    if not len(t):
        pytest.skip("no forecast on this corpus")
    short = t.iloc[0].to_dict()
    full = {**short, "n_points": MIN_POINTS_FOR_PROBABILITY, "prob_at_year": 0.42,
            "prob_by_year": 0.5, "probability_reason": None}
    short.update(n_points=4, prob_at_year=np.nan, prob_by_year=np.nan,
                 probability_reason="only 4 yearly points")
    c = dataclasses.replace(small_content, target=pd.DataFrame([short, full]))
    doc = render.target_html(c, "fi")
    rows = re.findall(r"<tr>(.*?)</tr>", doc, flags=re.S)
    first, second = (_plain(r) for r in rows)
    assert render.forecast_basis(short, "fi") in first and "4 vuosipistettä" in first
    assert text("impact_report.target.no_probability", "fi", n="4",
                min_points=str(MIN_POINTS_FOR_PROBABILITY)) in first
    assert first.count(numbers.MISSING) >= 2  # the two probabilities
    assert numbers.percent(0.42, "fi", 0) in second
    assert f"{MIN_POINTS_FOR_PROBABILITY} vuosipistettä" in second


def test_target_figure_panels_are_titled_by_name(small_content):
    from keino_metrics.report.catalogue import indicator_names
    from keino_metrics.report.impact.figures import figures

    if not len(small_content.target_forecast):
        pytest.skip("no forecast on this corpus")
    fig = figures(small_content, "sv")["impact_target"]
    titles = " ".join(ax.get_title().replace("\n", " ") for ax in fig.axes)
    ids = small_content.target["indicator_id"]
    for i, name in indicator_names("sv", tuple(ids)).items():
        assert f"{name} ({i})" in titles


def test_published_figures_are_read_not_typed(small_content, monkeypatch):
    if small_content.carbon is None:
        pytest.skip("no carbon estimate on this corpus")
    monkeypatch.setattr(published, "FI_PROCUREMENT_CO2_2015",
                        published.PublishedFigure(12.5e6, "t CO2e", 2016, "test"))
    monkeypatch.setattr(published, "FI_PROCUREMENT_SPEND_2015",
                        published.PublishedFigure(30.1e9, "EUR", 2016, "test"))
    doc = _plain(render.carbon_html(small_content, "fi"))
    assert "12,5 Mt CO2e / 30,1 mrd € vuonna 2016" in doc
    assert "28,3" not in doc and "11 Mt" not in doc


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_figure_has_an_alternative_text(small_content, lang):
    from keino_metrics.report.impact.figures import figures

    for name in figures(small_content, lang):
        alt = render.figure_alt(small_content, name, lang)
        assert len(alt) > 30 and "{" not in alt
    alt = render.figure_alt(small_content, "impact_by_programme", lang)
    for r in small_content.programmes.to_dict("records"):
        assert render.pp(r["estimate"], lang) in alt
