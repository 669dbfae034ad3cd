import numpy as np
import pandas as pd
import pytest

from keino_metrics.demo.cpv import cpv_table
from keino_metrics.demo.cues import (
    CUE_RATE,
    IN_TITLE,
    OUTCOMES,
    PHRASES,
    STRONG,
    add_cues,
    has_cue,
)
from keino_metrics.demo.titles import LANGUAGES


def _texts(lots: pd.DataFrame) -> pd.Series:
    return lots["title"] + ". " + lots["description"]


def _binomial_tolerance(p: float, n: int) -> float:
    """Five standard errors of a proportion (plus a little for tiny groups)."""
    return 5 * np.sqrt(p * (1 - p) / max(n, 1)) + 0.005


def _draw(n=20_000, seed=3, p_true=0.3):
    rng = np.random.default_rng(seed)
    lang = np.array(LANGUAGES, dtype=object)[rng.integers(0, 3, n)]
    truth = {o: rng.random(n) < p_true for o in OUTCOMES}
    title = pd.Series(["Siivouspalvelut"] * n, dtype="str")
    desc = pd.Series(["Hankinnan kohteena on siivous."] * n, dtype="str")
    return lang, truth, add_cues(np.random.default_rng(seed + 1), title, desc, lang, truth)


def test_cue_rates_follow_the_true_label():
    lang, truth, (title, desc, cued) = _draw()
    texts = title + ". " + desc
    for o in OUTCOMES:
        found = has_cue(texts, lang, o)
        np.testing.assert_array_equal(found, cued[o])
        for label in (True, False):
            sel = truth[o] == label
            rate = CUE_RATE[o][label]
            assert abs(found[sel].mean() - rate) < _binomial_tolerance(rate, sel.sum()), (o, label)
    n_cues = sum(cued[o].sum() for o in OUTCOMES)
    # a lot with both cues may have one in the title and one in the description
    share = sum(has_cue(title, lang, o).sum() for o in OUTCOMES) / n_cues
    assert abs(share - IN_TITLE) < _binomial_tolerance(IN_TITLE, n_cues)


def _contains_any(texts: pd.Series, phrases) -> np.ndarray:
    out = np.zeros(len(texts), dtype=bool)
    for p in phrases:
        out |= texts.str.contains(p, regex=False).to_numpy(dtype=bool)
    return out


def test_strong_phrases_only_in_truly_positive_lots():
    lang, truth, (title, desc, cued) = _draw()
    texts = title + ". " + desc
    for o in OUTCOMES:
        strong = np.zeros(len(lang), dtype=bool)
        weak = np.zeros(len(lang), dtype=bool)
        for code in LANGUAGES:
            sel = lang == code
            strong[sel] = _contains_any(texts[sel], PHRASES[o][code][:STRONG[o]])
            weak[sel] = _contains_any(texts[sel], PHRASES[o][code][STRONG[o]:])
        assert not (strong & ~truth[o]).any(), o
        assert (weak & ~truth[o]).any(), o
        # a true positive's phrase is uniform over all phrases of its language
        share = strong[truth[o] & cued[o]].mean()
        expected = STRONG[o] / np.mean([len(PHRASES[o][c]) for c in LANGUAGES])
        assert abs(share - expected) < _binomial_tolerance(expected, (truth[o] & cued[o]).sum())


def test_phrases_are_in_the_lots_language():
    lang, _, (title, desc, cued) = _draw(n=3000)
    texts = title + ". " + desc
    for o in OUTCOMES:
        for code in LANGUAGES:
            sel = (lang == code) & cued[o]
            others = [c for c in LANGUAGES if c != code]
            for other in others:
                wrong = has_cue(texts[sel], np.full(sel.sum(), other, dtype=object), o)
                # "biogas" is Swedish and English alike
                shared = set(PHRASES[o][code]) & set(PHRASES[o][other])
                if not shared:
                    assert not wrong.any(), (o, code, other)


def test_cues_are_deterministic_and_keep_the_base_text():
    a = _draw(n=2000)[2]
    b = _draw(n=2000)[2]
    pd.testing.assert_series_equal(a[0], b[0])
    pd.testing.assert_series_equal(a[1], b[1])
    assert a[0].str.startswith("Siivouspalvelut").all()
    assert a[1].str.startswith("Hankinnan kohteena on siivous.").all()


def test_bad_input_is_named():
    title = pd.Series(["a", "b"], dtype="str")
    rng = np.random.default_rng(0)
    truth = {o: np.array([True, False]) for o in OUTCOMES}
    with pytest.raises(ValueError, match="language"):
        add_cues(rng, title, title, np.array(["fi", "de"], dtype=object), truth)
    with pytest.raises(ValueError, match="green"):
        add_cues(rng, title, title, np.array(["fi", "fi"], dtype=object),
                 {"innovative": truth["innovative"]})
    with pytest.raises(ValueError, match="outcome"):
        has_cue(title, np.array(["fi", "fi"], dtype=object), "social")


def test_base_texts_contain_no_cue_phrase():
    cpv = cpv_table()
    for code in LANGUAGES:
        base = pd.concat([cpv[f"{code}_titles"], cpv[f"{code}_object"]]).astype("str")
        for o in OUTCOMES:
            assert not has_cue(base, np.full(len(base), code, dtype=object), o).any(), (code, o)


def test_corpus_cue_rates_by_true_label(full):
    lots, truth = full.lots, full.extra["lot_truth"]
    texts, lang = _texts(lots), lots["language"].to_numpy()
    for o in OUTCOMES:
        found = has_cue(texts, lang, o)
        true = truth[f"true_{o}"].to_numpy()
        for label in (True, False):
            sel = true == label
            rate = CUE_RATE[o][label]
            # lots repeat on contract, award and VEAT notices: allow for the clustering
            assert abs(found[sel].mean() - rate) < 2 * _binomial_tolerance(rate, sel.sum())


def test_cue_depends_on_truth_not_on_the_flag(full):
    lots, truth = full.lots, full.extra["lot_truth"]
    texts, lang = _texts(lots), lots["language"].to_numpy()
    for o in OUTCOMES:
        found = has_cue(texts, lang, o)
        true = truth[f"true_{o}"].to_numpy()
        flag = truth[f"reported_{o}"].to_numpy()
        for label in (True, False):
            hidden = (true == label) & ~flag
            shown = (true == label) & flag
            tol = 2 * (_binomial_tolerance(CUE_RATE[o][label], hidden.sum())
                       + _binomial_tolerance(CUE_RATE[o][label], shown.sum()))
            assert abs(found[hidden].mean() - found[shown].mean()) < tol, (o, label)


def test_cues_are_the_same_on_every_notice_of_a_lot(small):
    lots = small.lots.merge(small.notices[["notice_id", "procedure_id"]], on="notice_id")
    per_lot = lots.groupby(["procedure_id", "lot_id"])[["title", "description"]].nunique()
    assert (per_lot == 1).all().all()
