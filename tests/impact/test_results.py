"""Every impact result follows the result protocol in fi, sv and en.

One result of each type is built from small inputs; each is checked for its
summaries (no English words in the Finnish and Swedish ones, no missing text),
its table (the shared column vocabulary, a copy), its figure and its notes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from keino_metrics import impact
from keino_metrics.impact.results import fmt, fmt_ci, say
from keino_metrics.results import COLUMNS, Note

#: English words that must not appear in a Finnish or Swedish summary.
ENGLISH = ("estimate", "confidence", "effect", "treated", "forecast", "interval", "standard",
           "error", "probability", "observed", "target", "reached", "units", "lots", "share",
           "flagged", "reliable", "baseline", "assumptions", "reduction", "mean", "level",
           "slope", "change", "month", "quarter", "pooled", "participants", "programme",
           "cohort", "simple", "dynamic", "calendar", "group", "control", "never", "yet",
           "outcome", "method", "model", "basis", "points", "degrees", "freedom", "spend",
           "division", "largest", "published", "intensity", "avoided", "hidden", "sample",
           "classifier", "required", "time", "since", "value", "event", "low", "high")

#: Column names that the shared vocabulary replaces.
SYNONYMS = {"att", "value", "se", "effect", "central", "pi_low", "pi_high", "emissions_t",
            "low_t", "high_t", "avoided_t", "n_lots", "n_eligible"}

LANGS = ("fi", "sv", "en")


def _shares(n: int, start: int = 2012) -> pd.DataFrame:
    years = np.arange(start, start + n)
    share = 1 / (1 + np.exp(-(-3.0 + 0.12 * (years - start))))
    return pd.DataFrame({"year": years, "numerator": np.round(share * 4000),
                         "denominator": 4000})


def _texts(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    positive = rng.random(n) < 0.3
    plain = np.array(["hankinta", "palvelu", "sopimus", "toimitus", "huolto", "kunta"])
    novel = np.array(["innovatiivinen", "pilotti", "kehitys", "uusi ratkaisu"])
    texts = [" ".join([*rng.choice(plain, 4), *(rng.choice(novel, 2) if p else [])])
             for p in positive]
    return texts, positive


@pytest.fixture(scope="module")
def results(mpdta) -> dict[str, object]:
    """One result of every impact type, keyed by a readable name."""
    gap = mpdta.copy()
    gap.loc[0, "lemp"] = np.nan  # one county drops out of the balanced panel, with a warning
    with pytest.warns(UserWarning, match="dropped"):
        did = impact.staggered_did(gap, outcome="lemp", unit="countyreal", time="year",
                                   cohort="first.treat", seed=1, n_boot=99)
    treated = mpdta.drop_duplicates("countyreal")
    treated = treated[treated["first.treat"] > 0]
    participation = pd.DataFrame({
        "countyreal": treated["countyreal"],
        "programme": np.where(treated["first.treat"] == 2007, "B", "A"),
        "start_date": pd.to_datetime(treated["first.treat"].astype(str) + "-03-01")})
    programmes = impact.did_by_programme(mpdta, "lemp", participation, unit="countyreal",
                                         n_boot=99, seed=1)
    months = pd.date_range("2018-01-01", periods=48, freq="MS")
    t = np.arange(48)
    series = pd.DataFrame({"month": months,
                           "y": 0.2 + 0.001 * t + 0.05 * (t >= 24)
                           + 0.01 * np.sin(t)})
    texts, positive = _texts(300, 3)
    flags = positive & (np.random.default_rng(4).random(300) < 0.6)
    audited = impact.HiddenVolumeEstimator(mode="validation", n_boot=50, cv=3,
                                           random_state=1).fit(texts, positive)
    flagged = impact.HiddenVolumeEstimator(mode="pu", n_boot=50, cv=3,
                                           random_state=1).fit(texts, flags)
    spend = pd.DataFrame({"cpv_division": ["45", "09", "72"], "spend_eur": [5e6, 1e6, 2e6]})
    lots = pd.DataFrame({"cpv_main": ["45100000", "09100000", "72000000"],
                         "spend_eur": [5e6, 1e6, 2e6], "low_carbon": [True, False, True]})
    return {
        "staggered_did": did,
        **{f"aggregate_{k}": did.aggregate(k) for k in impact.did.AGGREGATIONS},
        "pre_test": did.pretest(),
        "programmes": programmes,
        "twfe": impact.twfe(mpdta, "lemp", unit="countyreal", cohort="first.treat"),
        "sun_abraham": impact.sun_abraham(mpdta, "lemp", unit="countyreal",
                                          cohort="first.treat"),
        "its": impact.interrupted_time_series(series, time="month", outcome="y",
                                              break_date=months[24]),
        "target": impact.track_target(_shares(10), target=0.10, by_year=2030, seed=1),
        "target_few_points": impact.track_target(_shares(4), target=0.10, by_year=2030,
                                                 seed=1),
        "target_local": impact.track_target(_shares(10), target=0.10, by_year=2030, seed=1,
                                            method="local_linear_trend"),
        "hidden_validation": audited.estimate(texts),
        "hidden_pu": flagged.estimate(texts, flags),
        "carbon": impact.spend_based_emissions(spend, seed=0, n_sims=500),
        "avoided": impact.avoided_emissions(lots, flag="low_carbon", n_sims=500),
    }


def _words(summary: str) -> set[str]:
    # the model's warnings are quoted in the words of the software that raised them
    kept = "\n".join(line for line in summary.splitlines() if not line.startswith("  ! "))
    return set(re.findall(r"[A-Za-zÅÄÖåäö]+", kept.lower()))


@pytest.mark.parametrize("lang", LANGS)
def test_every_summary_is_written_in_its_language(results, lang):
    for name, res in results.items():
        summary = res.summary(lang)
        assert summary.strip(), name
        assert "{" not in summary and "label key" not in summary, (name, summary)
        if lang != "en":
            english = _words(summary) & set(ENGLISH)
            assert not english, (name, lang, english, summary)


def test_summaries_differ_by_language_and_reject_unknown_ones(results):
    for name, res in results.items():
        assert len({res.summary(lang) for lang in LANGS}) == 3, name
        with pytest.raises(ValueError, match="language"):
            res.summary("de")


def test_frames_use_the_shared_vocabulary_and_are_copies(results):
    for name, res in results.items():
        frame = res.to_frame()
        assert not SYNONYMS & set(map(str, frame.columns)), (name, list(frame.columns))
        if name != "pre_test":  # a test statistic, not an estimate
            assert "estimate" in frame.columns, (name, list(frame.columns))
        known = [c for c in frame.columns if c in COLUMNS]
        assert list(res.tidy().columns[:len(known)]) == [c for c in COLUMNS if c in known]
        before = res.to_frame()
        if len(frame):
            frame.iloc[0, list(frame.columns).index("estimate") if "estimate" in frame
                       else 0] = -123456.0
        frame["added"] = 1
        pd.testing.assert_frame_equal(res.to_frame(), before)


def test_plots_are_figures_in_each_language(results):
    for name, res in results.items():
        if name == "pre_test":
            with pytest.raises(TypeError, match="one statistic"):
                res.plot()
            continue
        for lang in LANGS:
            fig = res.plot(lang=lang)
            assert isinstance(fig, Figure), name
            labels = " ".join(t.get_text() for ax in fig.axes
                              for t in [ax.xaxis.label, ax.yaxis.label, ax.title])
            assert "{" not in labels, (name, labels)


def test_results_display_as_text_and_html_and_keep_typed_notes(results):
    for name, res in results.items():
        assert repr(res).startswith(type(res).__name__ + "\n"), name
        assert res._repr_html_().startswith(f"<strong>{type(res).__name__}</strong>"), name
        assert all(isinstance(n, Note) for n in res.notes), name


def test_model_warnings_land_in_notes_and_in_every_summary(results):
    did = results["staggered_did"]
    assert any("dropped" in n.text for n in did.notes)
    for lang in LANGS:
        lines = did.summary(lang).splitlines()
        assert say("warnings", lang) in lines
        assert sum(line.startswith("  ! ") for line in lines) == len(did.notes)


def test_numbers_follow_the_language():
    assert fmt(-1234.5, 1, "en") == "-1,234.5"
    assert fmt(-1234.5, 1, "fi") == "−1\u00a0234,5" == fmt(-1234.5, 1, "sv")
    assert fmt(float("nan"), 2, "sv") == "–"
    assert fmt_ci((0.1, 0.25), 2, "sv") == "[0,10; 0,25]"
    assert fmt_ci((0.1, 0.25), 2, "en") == "[0.10, 0.25]"
