"""The headline: the library's numbers, the principal definition first, programmes in order."""

import numpy as np
import pandas as pd
import pytest

from keino_metrics import demo
from keino_metrics.impact import did_by_programme
from keino_metrics.impact.did import OWN_PROGRAMME, POOLED
from keino_metrics.indicators import compute
from keino_metrics.report.annual import headline, render
from keino_metrics.report.catalogue import indicator_names, innovation_ids
from keino_metrics.report.impact.panel import impact_panel


@pytest.fixture(scope="module")
def data():
    return demo.generate(seed=5, scale=0.03)


@pytest.fixture(scope="module")
def by_year(data):
    ids = innovation_ids()
    df = compute(list(ids), data, by=["year"]).to_frame().dropna(subset=["year"])
    # the report's rows (ReportContent.by_year) name the estimate "value"
    df = df.rename(columns={"estimate": "value", "n": "n_eligible"})
    return df.assign(year=df["year"].astype(int))


@pytest.fixture(scope="module")
def head(data, by_year):
    return headline.compute(data, by_year, innovation_ids(), 2024, seed=3)


def test_shares_equal_the_indicator_results_and_the_principal_comes_first(head, by_year):
    assert head.shares["indicator_id"].iloc[0] == headline.PRINCIPAL_DEFINITION
    assert set(head.shares["indicator_id"]) == set(innovation_ids())
    for r in head.shares.itertuples():
        lib = by_year[(by_year["indicator_id"] == r.indicator_id) & (by_year["year"] == 2024)]
        assert r.status == lib["status"].iloc[0]
        if r.status == "measured":
            assert r.value == lib["value"].iloc[0]
            np.testing.assert_equal(r.ci_low, lib["ci_low"].iloc[0])
    p = head.principal_row()
    assert head.gap() == pytest.approx(head.target - p["value"])


def test_programme_effects_equal_did_by_programme(data, head):
    panel = impact_panel(data, headline.OUTCOME, year=2024)
    pp = data.programme_participation
    pp = pp[pd.to_datetime(pp["start_date"]).dt.year <= 2024]
    lib = did_by_programme(panel, headline.OUTCOME, pp, n_boot=499, seed=3,
                           balance="unbalanced").table
    got = head.programmes
    assert list(got["programme"]) == list(lib["programme"])
    assert got["programme"].iloc[0] == OWN_PROGRAMME and got["programme"].iloc[-1] == POOLED
    np.testing.assert_allclose(got["estimate"], lib["estimate"])
    np.testing.assert_allclose(got["ci_low"], lib["ci_low"])
    assert got["anchor"].iloc[-1] == "pooled"
    assert all(a.startswith("programme-") for a in got["anchor"].iloc[:-1])


def test_outlook_gives_a_probability_only_from_enough_points(head):
    from keino_metrics.impact.target import MIN_POINTS_FOR_PROBABILITY

    assert len(head.outlook)
    for r in head.outlook.itertuples():
        assert r.pi_low <= r.forecast <= r.pi_high
        assert np.isnan(r.prob_at_year) == (r.n_points < MIN_POINTS_FOR_PROBABILITY)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_outlook_text_states_the_basis_and_why_no_probability(head, lang):
    from keino_metrics.labels import text

    r = head.outlook.iloc[0]
    words = render.outlook_text(head, r["indicator_id"], lang)
    assert str(r["n_points"]) in words and str(head.target_year) in words
    if np.isnan(r["prob_at_year"]):
        assert text("annual.headline.no_probability", lang, n=r["n_points"],
                    minimum=6) in words


def test_programme_anchor_is_stable():
    assert headline.programme_anchor("KEINO-kehittämisohjelma") == \
        "programme-keino-kehittamisohjelma"
    assert headline.programme_anchor("Hankinta-Suomi green deal") == \
        "programme-hankinta-suomi-green-deal"
    assert headline.programme_anchor(POOLED) == "pooled"


def test_no_participation_is_said_in_words_not_zero(data, by_year):
    empty = data.replace(programme_participation=data.programme_participation.iloc[:0])
    h = headline.compute(empty, by_year, innovation_ids(), 2024, seed=3)
    assert h.programmes.empty and h.programme_reason == "none"


def test_headline_block_links_to_its_sections_and_the_impact_report(data, head):
    from keino_metrics.report.annual.content import ReportContent

    empty = pd.DataFrame()
    c = ReportContent(year=2024, innovation_ids=innovation_ids(), years=(2023, 2024),
                      demo=True, by_year=empty, by_region=empty, by_buyer_group=empty,
                      rows=empty, completeness=empty, quarantine=empty, accounting=empty,
                      headline=head)
    html = render.headline_block(c, "fi", indicator_names("fi"))
    assert 'id="headline"' in html and 'href="#summary"' in html and 'href="#outlook"' in html
    for a in head.programmes["anchor"]:
        assert f'href="impact_report_fi.html#{a}"' in html
    assert 'href="impact_report_fi.html#target"' in html
