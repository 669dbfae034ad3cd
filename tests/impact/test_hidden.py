"""Hidden-volume estimation on simulated trilingual lot texts with known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.base import clone

from keino_metrics.impact import HiddenVolumeEstimator, lot_texts

GENERIC = {
    "fi": ["hankinta", "palvelu", "kunnan", "sopimus", "toimitus", "ylläpito", "siivouspalvelut",
           "kuljetus", "rakennusurakka", "tietojärjestelmä", "elintarvikkeet", "kalusteet",
           "terveydenhuollon", "laitteet", "koulutus"],
    "sv": ["upphandling", "tjänst", "kommunens", "avtal", "leverans", "underhåll", "städtjänster",
           "transport", "byggentreprenad", "datasystem", "livsmedel", "möbler", "utrustning"],
    "en": ["procurement", "service", "municipal", "contract", "delivery", "maintenance",
           "cleaning", "transport", "construction works", "software", "food", "furniture"],
}
STRONG = {  # cues that only truly innovative lots use
    "fi": ["uusi ratkaisu", "innovatiivinen", "pilotointi", "kehittämiskumppanuus",
           "markkinoilla uusi"],
    "sv": ["innovativ", "ny lösning", "pilotprojekt", "innovationspartnerskap"],
    "en": ["innovative", "novel solution", "innovation partnership", "new to the market",
           "prototype"],
}
WEAK = {  # vaguer words that ordinary lots use too
    "fi": ["kehittäminen", "kokeilu", "digitalisaatio", "modernisointi"],
    "sv": ["utveckling", "försök", "digitalisering"],
    "en": ["development", "trial", "digitalisation", "upgrade"],
}


def simulate_lots(n=2000, prevalence=0.12, flag_rate=0.55, seed=0):
    """Lots with a true label, an under-reported flag and a title + description.

    True positives carry a strong cue with probability 0.8 and a weak one with 0.5;
    other lots a weak one with 0.1 and never a strong one. Positives are flagged with
    probability ``flag_rate`` whatever their text; other lots never.
    """
    rng = np.random.default_rng(seed)
    lang = rng.choice(["fi", "sv", "en"], size=n, p=[0.75, 0.1, 0.15])
    truth = rng.random(n) < prevalence
    titles, descs = [], []
    for lg, pos in zip(lang, truth, strict=True):
        words = list(rng.choice(GENERIC[lg], size=rng.integers(3, 7)))
        if pos and rng.random() < 0.8:
            words += list(rng.choice(STRONG[lg], size=rng.integers(1, 3)))
        if rng.random() < (0.5 if pos else 0.1):
            words.append(str(rng.choice(WEAK[lg])))
        rng.shuffle(words)
        titles.append(" ".join(words[:2]).capitalize())
        descs.append(" ".join(words[2:]))
    flags = truth & (rng.random(n) < flag_rate)
    return pd.DataFrame({"title": titles, "description": descs, "language": lang,
                         "true_innovative": truth, "flag": flags})


@pytest.fixture(scope="module")
def lots():
    return simulate_lots()


def test_lot_texts_joins_columns(lots):
    texts = lot_texts(lots)
    assert texts.iloc[0] == f"{lots['title'].iloc[0]} {lots['description'].iloc[0]}".strip()
    with pytest.raises(ValueError, match="text columns"):
        lot_texts(lots[["flag"]])


def test_validation_mode_recovers_true_share(lots):
    texts = lot_texts(lots)
    audit = lots.sample(600, random_state=1).index
    est = HiddenVolumeEstimator(mode="validation", n_boot=300, random_state=2)
    est.fit(texts[audit], lots.loc[audit, "true_innovative"])
    res = est.estimate(texts, flags=lots["flag"])
    truth = lots["true_innovative"].mean()
    assert res.ci[0] <= truth <= res.ci[1]
    # a 600-lot audit holds ~70 positives: the sensitivity, and so the share, is uncertain
    assert abs(res.estimate - truth) < 0.03
    # plain classify-and-count misses the positives without a clear cue
    assert res.classified_share < truth
    assert res.observed_share < truth  # the flags under-report
    assert res.hidden_share == pytest.approx(res.estimate - res.observed_share)
    # about 20 % of the positives have no strong cue, so sensitivity is well below 1
    assert 0.4 < est.sensitivity_ < 0.95 and 0.95 < est.specificity_ <= 1


def test_pu_mode_estimates_under_reporting(lots):
    est = HiddenVolumeEstimator(mode="pu", n_boot=300, random_state=3)
    res = est.fit(lot_texts(lots), lots["flag"]).estimate()
    truth = lots["true_innovative"].mean()
    assert abs(res.estimate - truth) < 0.025
    assert res.label_frequency == pytest.approx(0.55, abs=0.08)
    assert res.observed_share == pytest.approx(lots["flag"].mean())
    assert res.ci[0] < res.estimate < res.ci[1]


def test_sklearn_conventions(lots):
    est = HiddenVolumeEstimator(C=20.0, n_boot=50)
    assert est.get_params()["C"] == 20.0
    assert clone(est).get_params() == est.get_params()
    texts = lot_texts(lots.head(400))
    fitted = est.fit(texts, lots["true_innovative"].head(400))
    assert fitted is est
    assert est.predict(texts).dtype == bool
    assert est.predict_proba(texts).shape == (400, 2)


def test_outputs_and_seed(lots):
    texts = lot_texts(lots.head(600))
    labels = lots["true_innovative"].head(600)
    a = HiddenVolumeEstimator(n_boot=100, cv=3, random_state=4).fit(texts, labels)
    b = HiddenVolumeEstimator(n_boot=100, cv=3, random_state=4).fit(texts, labels)
    np.testing.assert_array_equal(a.oof_proba_, b.oof_proba_)
    a, b = a.estimate(texts), b.estimate(texts)
    assert (a.estimate, a.ci) == (b.estimate, b.ci)
    assert "Rogan" in a.summary("en") and "todellinen osuus" in a.summary("fi")
    assert isinstance(a.plot(), Figure)
    assert a.to_frame().loc[0, "mode"] == "validation"


def test_bad_input(lots):
    with pytest.raises(ValueError, match="mode"):
        HiddenVolumeEstimator(mode="magic").fit(["a"] * 20, [True, False] * 10)
    with pytest.raises(ValueError, match="at least cv"):
        HiddenVolumeEstimator().fit(["a", "b", "c"], [True, False, False])
    est = HiddenVolumeEstimator(n_boot=20, cv=3).fit(lot_texts(lots.head(300)),
                                               lots["true_innovative"].head(300))
    with pytest.raises(ValueError, match="population texts"):
        est.estimate()


def test_flag_as_feature_in_validation_mode(lots):
    features = pd.DataFrame({"text": lot_texts(lots), "flag": lots["flag"]})
    audit = lots.sample(600, random_state=1).index
    est = HiddenVolumeEstimator(n_boot=200, random_state=5)
    est.fit(features.loc[audit], lots.loc[audit, "true_innovative"])
    assert est.uses_flag_
    res = est.estimate(features)
    truth = lots["true_innovative"].mean()
    assert res.observed_share == pytest.approx(lots["flag"].mean())
    assert res.ci[0] <= truth <= res.ci[1]
    with pytest.raises(ValueError, match="'flag' column"):
        est.predict(features[["text"]])
    with pytest.raises(ValueError, match="pu mode"):
        HiddenVolumeEstimator(mode="pu").fit(features, lots["flag"])


def test_warns_when_text_carries_no_signal():
    rng = np.random.default_rng(9)
    words = np.array(GENERIC["fi"])
    texts = [" ".join(rng.choice(words, 5)) for _ in range(400)]
    labels = rng.random(400) < 0.3
    with pytest.warns(UserWarning, match="AUC"):
        HiddenVolumeEstimator(mode="pu", n_boot=20, cv=3).fit(texts, labels)
    with pytest.warns(UserWarning, match="barely separates"):
        HiddenVolumeEstimator(n_boot=20, cv=3).fit(texts, labels)


def test_uninformative_classifier_gives_undefined_share():
    rng = np.random.default_rng(11)
    words = np.array(GENERIC["en"])
    texts = [" ".join(rng.choice(words, 4)) for _ in range(300)]
    labels = rng.random(300) < 0.1
    with pytest.warns(UserWarning, match="barely separates"):
        est = HiddenVolumeEstimator(n_boot=50, cv=3).fit(texts, labels)
    # random words: the classifier calls nothing positive
    assert est.sensitivity_ + est.specificity_ <= 1
    res = est.estimate(texts)
    assert np.isnan(res.estimate) and np.isnan(res.ci[0]) and np.isnan(res.ci[1])


def test_result_says_whether_the_classifier_is_reliable(lots):
    from keino_metrics.impact.hidden import MIN_AUC

    good = HiddenVolumeEstimator(mode="pu", n_boot=50, random_state=3).fit(
        lot_texts(lots), lots["flag"]).estimate()
    assert good.min_auc == MIN_AUC
    assert good.auc >= MIN_AUC and good.reliable
    assert good.reliability.startswith("reliable")
    rng = np.random.default_rng(9)
    words = np.array(GENERIC["fi"])
    texts = [" ".join(rng.choice(words, 5)) for _ in range(400)]
    labels = rng.random(400) < 0.3
    with pytest.warns(UserWarning, match="AUC"):
        poor = HiddenVolumeEstimator(mode="pu", n_boot=20, cv=3).fit(texts, labels).estimate()
    assert poor.auc < MIN_AUC and not poor.reliable
    assert f"at least {MIN_AUC}" in poor.reliability
    assert "NOT reliable" in poor.summary("en")
    assert bool(poor.to_frame()["reliable"].iloc[0]) is False
