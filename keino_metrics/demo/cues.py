"""Innovation and green wording in lot texts, driven by the true labels.

Real notices often say what kind of purchase they are: an innovative
procurement speaks of piloting, development partnerships or new solutions, a
green one of low-carbon, circular or renewable solutions. The demo corpus
imitates this so that a text classifier (the hidden-volume model of
:mod:`keino_metrics.impact.hidden`) has something to read. The wording depends
on the lot's **true** label (``lot_truth.true_innovative`` /
``true_green``), never on the reported flag, so the text can reveal
innovative or green lots whose buyer did not flag them.

The cue model, for each outcome ``o`` (``innovative``, ``green``) and each
lot independently:

* with probability ``CUE_RATE[o][True]`` if the lot is truly ``o`` and
  ``CUE_RATE[o][False]`` (the false-cue rate) otherwise, the lot's texts carry
  one cue phrase of ``o``;
* the phrase of a truly positive lot is drawn uniformly from
  ``PHRASES[o][language]`` (eight innovation and seven green phrases in each
  of Finnish, Swedish and English, e.g. *esikaupallinen hankinta*,
  *kehittämiskumppanuus*, *pilotointi*; *biokaasu*, *kiertotalous*,
  *vähähiilinen ratkaisu*); a false cue is drawn from the phrases after the
  first ``STRONG[o]``, so the first ``STRONG[o]`` phrases of each list (for
  instance *esikaupallinen hankinta* or *biokaasu*) occur only in truly
  positive lots, as unambiguous wording does in real notices, while the others
  (*kokeilu*, *uusi ratkaisu*, *kiertotalous* ...) also occur in other lots;
* with probability :data:`IN_TITLE` the phrase is appended to the title in
  brackets, otherwise the description gets one more sentence
  (``TEMPLATE[o][language]`` with the phrase).

The draws for the two outcomes are independent given the labels. No cue
phrase occurs in the base texts of :mod:`keino_metrics.demo.titles`, so the
presence of a phrase is exactly the cue. With a false-cue rate above zero and
a cue rate below one the classifier is informative but imperfect: in the
default corpus the cross-validated AUC of a character n-gram classifier for
the true labels is about 0.8 (see ``docs/demo-data.md``).

Everything is vectorised: one uniform per decision and lot, phrase choice by
index into a flat array of phrases, string concatenation on whole columns.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from keino_metrics.demo.titles import LANGUAGES
from keino_metrics.demo.vectors import as_str

__all__ = ["CUE_RATE", "IN_TITLE", "PHRASES", "STRONG", "TEMPLATE", "OUTCOMES", "add_cues",
           "has_cue"]

OUTCOMES: tuple[str, ...] = ("innovative", "green")

#: [assumption] Probability that a lot's texts carry a cue phrase of the
#: outcome, by the lot's true label (``False``: the false-cue rate).
CUE_RATE: dict[str, dict[bool, float]] = {
    "innovative": {True: 0.60, False: 0.02},
    "green": {True: 0.65, False: 0.06},
}

#: [assumption] Share of cue phrases placed in the title (the rest go into the
#: description).
IN_TITLE: float = 0.3

#: Cue phrases by outcome and language; the first ``STRONG[outcome]`` of each
#: list are never false cues.
PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "innovative": {
        "fi": ("esikaupallinen hankinta", "kehittämiskumppanuus", "innovatiivinen ratkaisu",
               "pilotointi", "kokeilu", "uusi ratkaisu", "tekoäly",
               "digitaalinen palvelualusta"),
        "sv": ("förkommersiell upphandling", "utvecklingspartnerskap", "innovativ lösning",
               "pilotprojekt", "försöksverksamhet", "ny lösning", "artificiell intelligens",
               "digital tjänsteplattform"),
        "en": ("pre-commercial procurement", "innovation partnership", "innovative solution",
               "pilot project", "field trial", "new solution", "artificial intelligence",
               "digital service platform"),
    },
    "green": {
        "fi": ("biokaasu", "uusiutuva energia", "ympäristömerkitty tuote",
               "vähähiilinen ratkaisu", "kiertotalous", "sähköinen kalusto",
               "energiatehokas ratkaisu"),
        "sv": ("biogas", "förnybar energi", "miljömärkt produkt", "koldioxidsnål lösning",
               "cirkulär ekonomi", "eldriven utrustning", "energieffektiv lösning"),
        "en": ("biogas", "renewable energy", "eco-labelled product", "low-carbon solution",
               "circular economy", "electric fleet", "energy-efficient solution"),
    },
}

#: [assumption] Number of phrases at the head of each list of ``PHRASES`` that
#: occur only in truly positive lots (unambiguous wording).
STRONG: dict[str, int] = {"innovative": 3, "green": 3}

#: Sentence added to the description: prefix and suffix around the phrase.
TEMPLATE: dict[str, dict[str, tuple[str, str]]] = {
    "innovative": {"fi": (" Hankinnan toteutustapa: ", "."),
                   "sv": (" Genomförande: ", "."),
                   "en": (" Approach: ", ".")},
    "green": {"fi": (" Ympäristönäkökulma: ", "."),
              "sv": (" Miljöaspekt: ", "."),
              "en": (" Environmental aspect: ", ".")},
}


def _per_language(values: dict[str, str], lang_idx: np.ndarray) -> np.ndarray:
    table = np.array([values[code] for code in LANGUAGES], dtype=object)
    return table[lang_idx]


def add_cues(
    rng: np.random.Generator,
    title: pd.Series,
    description: pd.Series,
    language: np.ndarray,
    truth: dict[str, np.ndarray],
) -> tuple[pd.Series, pd.Series, dict[str, np.ndarray]]:
    """Add innovation and green cue phrases to lot texts.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random stream of this step (its draws do not depend on the texts).
    title, description : pandas.Series
        Base titles and descriptions of the lots.
    language : numpy.ndarray
        Language of each lot (``fi``, ``sv`` or ``en``).
    truth : dict of str to numpy.ndarray of bool
        True labels of each lot, keyed by outcome (``innovative``, ``green``).

    Returns
    -------
    (pandas.Series, pandas.Series, dict of str to numpy.ndarray)
        Titles and descriptions with the cues (``str`` dtype) and, per
        outcome, whether the lot got a cue phrase.

    Raises
    ------
    ValueError
        If an outcome is missing, the lengths differ or a language is unknown.
    """
    n = len(title)
    lang = np.asarray(language, dtype=object)
    if len(description) != n or len(lang) != n:
        raise ValueError(f"title ({n}), description ({len(description)}) and language "
                         f"({len(lang)}) must have the same length")
    unknown = set(pd.unique(lang)) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"language: unknown codes {sorted(map(str, unknown))}; "
                         f"expected one of {LANGUAGES}")
    lang_idx = np.select([lang == "sv", lang == "en"], [1, 2], 0)
    title = pd.Series(title, dtype="str").reset_index(drop=True)
    description = pd.Series(description, dtype="str").reset_index(drop=True)
    cued: dict[str, np.ndarray] = {}
    for outcome in OUTCOMES:
        if outcome not in truth:
            raise ValueError(f"truth: missing the true labels of {outcome!r}")
        true = np.asarray(truth[outcome], dtype=bool)
        if len(true) != n:
            raise ValueError(f"truth[{outcome!r}] has {len(true)} labels for {n} lots")
        u_cue, u_phrase, u_title = rng.random((3, n))
        rate = np.where(true, CUE_RATE[outcome][True], CUE_RATE[outcome][False])
        cue = u_cue < rate
        in_title = cue & (u_title < IN_TITLE)
        in_desc = cue & ~in_title
        # phrase of each lot: flat array of all languages' phrases, offset by language
        counts = np.array([len(PHRASES[outcome][c]) for c in LANGUAGES])
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        flat = np.array([p for c in LANGUAGES for p in PHRASES[outcome][c]], dtype=object)
        first = np.where(true, 0, STRONG[outcome])  # false cues avoid the strong phrases
        k = counts[lang_idx] - first
        pick = offsets[lang_idx] + first + np.minimum((u_phrase * k).astype(np.int64), k - 1)
        phrase = flat[pick]
        head = _per_language({c: v[0] for c, v in TEMPLATE[outcome].items()}, lang_idx)
        tail = _per_language({c: v[1] for c, v in TEMPLATE[outcome].items()}, lang_idx)
        title_add = np.full(n, "", dtype=object)
        title_add[in_title] = " (" + phrase[in_title] + ")"
        desc_add = np.full(n, "", dtype=object)
        desc_add[in_desc] = head[in_desc] + phrase[in_desc] + tail[in_desc]
        title = title + as_str(title_add)
        description = description + as_str(desc_add)
        cued[outcome] = cue
    return title, description, cued


def has_cue(texts: pd.Series, language: np.ndarray, outcome: str) -> np.ndarray:
    """Whether each text contains a cue phrase of ``outcome`` in its language.

    Parameters
    ----------
    texts : pandas.Series
        Lot texts (for instance title and description joined).
    language : numpy.ndarray
        Language of each text.
    outcome : str
        ``innovative`` or ``green``.

    Returns
    -------
    numpy.ndarray of bool
    """
    if outcome not in PHRASES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, got {outcome!r}")
    texts = pd.Series(texts, dtype="str").reset_index(drop=True)
    lang = np.asarray(language, dtype=object)
    out = np.zeros(len(texts), dtype=bool)
    for code in LANGUAGES:
        sel = lang == code
        if sel.any():
            pattern = "|".join(re.escape(p) for p in PHRASES[outcome][code])
            out[sel] = texts[sel].str.contains(pattern, regex=True).to_numpy(dtype=bool)
    return out
