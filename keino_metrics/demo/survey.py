"""The capability survey: procurement capability of buyers, Likert items 1-5.

Layout (extra table ``capability_survey``, one row per respondent)::

    unit, year, respondent, respondents, role,
    strategy_1..3, leadership_1..3, competence_1..3, dialogue_1..3, followup_1..3

``unit`` is the responding buyer's ``buyer_id`` (the column name follows the
survey CSV layout read by :func:`keino_metrics.indicators.read_capability_survey`).
A survey round is held every :data:`~keino_metrics.demo.calibration.SURVEY_EVERY`
years from the first year; each active buyer answers with probability
:data:`~keino_metrics.demo.calibration.SURVEY_RESPONSE_RATE`, with one to six
respondents (more for larger buyers). Answers come from latent factors: a
buyer's construct level is half a general capability factor (correlated with
size) and half a construct-specific factor, plus a common trend and the
programme effect; a respondent's level adds personal noise; each item is the
respondent's level plus item noise, cut to 1-5. With three items per
construct this gives Cronbach's alpha of about 0.75-0.85. Participants
improve after joining a programme by :data:`EFFECT_PER_YEAR` latent units a
year (capped at :data:`EFFECT_CAP`), times the construct's
:data:`CONSTRUCT_RESPONSE`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics.demo import calibration as cal

__all__ = ["CONSTRUCTS", "ITEMS", "EFFECT_PER_YEAR", "EFFECT_CAP", "CONSTRUCT_RESPONSE",
           "survey_effect", "capability_survey"]

CONSTRUCTS: tuple[str, ...] = ("strategy", "leadership", "competence", "dialogue", "followup")
ITEMS: tuple[str, ...] = tuple(f"{c}_{i}" for c in CONSTRUCTS for i in (1, 2, 3))

#: [assumption] Programme effect on the latent construct level.
EFFECT_PER_YEAR: float = 0.25
EFFECT_CAP: float = 0.75
CONSTRUCT_RESPONSE: dict[str, float] = {"strategy": 1.0, "leadership": 0.8, "competence": 1.0,
                                        "dialogue": 1.2, "followup": 0.8}
#: [assumption] Common yearly trend of all constructs (latent units).
TREND: float = 0.04
ITEM_NOISE_SD: float = 0.7
RESPONDENT_SD: float = 0.5
ROLES: tuple[str, ...] = ("hankintapäällikkö", "hankinta-asiantuntija", "johto",
                          "substanssiasiantuntija")


def survey_effect(construct: str, event_time) -> np.ndarray:
    """Programme effect on the latent level of ``construct`` at ``event_time``."""
    e = np.asarray(event_time, dtype=float)
    eff = np.where(e >= 0, np.minimum(EFFECT_PER_YEAR * (np.maximum(e, 0) + 1), EFFECT_CAP), 0)
    return CONSTRUCT_RESPONSE[construct] * eff


def capability_survey(rng: np.random.Generator, buyers: pd.DataFrame, cohort: np.ndarray,
                      years: tuple[int, int]) -> pd.DataFrame:
    """Draw the ``capability_survey`` table (see the module docstring)."""
    n = len(buyers)
    size = np.log(buyers["weight"].to_numpy(float))
    kind = buyers["buyer_kind"].to_numpy()
    z = np.zeros(n)
    for k in np.unique(kind):
        sel = kind == k
        z[sel] = (size[sel] - size[sel].mean()) / (size[sel].std() or 1.0)
    general = 0.4 * z + rng.standard_normal(n)
    specific = rng.standard_normal((n, len(CONSTRUCTS)))
    start = buyers["active_from"].fillna(0).to_numpy(float)
    end = buyers["active_to"].fillna(9999).to_numpy(float)
    frames = []
    for year in range(years[0], years[1] + 1, cal.SURVEY_EVERY):
        units = np.flatnonzero((start <= year) & (year <= end)
                               & (rng.random(n) < cal.SURVEY_RESPONSE_RATE))
        k = np.minimum(1 + rng.poisson(np.exp(0.3 + 0.5 * z[units])), 6)
        unit = np.repeat(units, k)
        resp = np.arange(len(unit)) - np.repeat(np.concatenate([[0], np.cumsum(k)[:-1]]), k) + 1
        m = len(unit)
        g = cohort[unit]
        e = np.where(g > 0, year - g, -1)
        row = {"unit": buyers["buyer_id"].to_numpy()[unit],
               "year": np.full(m, year), "respondent": resp, "respondents": np.repeat(k, k),
               "role": rng.choice(np.array(ROLES), size=m)}
        for j, c in enumerate(CONSTRUCTS):
            level = (0.5 * general[unit] + 0.5 * specific[unit, j] + TREND * (year - years[0])
                     + survey_effect(c, e) + RESPONDENT_SD * rng.standard_normal(m))
            for i in (1, 2, 3):
                x = level + ITEM_NOISE_SD * rng.standard_normal(m)
                row[f"{c}_{i}"] = np.clip(np.round(3 + 0.9 * x), 1, 5).astype(np.int64)
        frames.append(pd.DataFrame(row))
    out = pd.concat(frames, ignore_index=True)
    out["unit"] = out["unit"].astype("str")
    out["role"] = out["role"].astype("str")
    return out


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of the item columns of ``items`` (rows: respondents)."""
    x = items.to_numpy(float)
    k = x.shape[1]
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1)))
