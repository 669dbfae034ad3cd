"""Hilma's national statistics answers for awarded lots of award notices.

One row per lot with a winner (``winner_chosen``) of each contract award
notice, all fourteen questions of :data:`keino_metrics.datamodel.HILMA_QUESTIONS`.
From :data:`~keino_metrics.demo.calibration.HILMA_MANDATORY_FROM` (2022) every
row is answered; before that a random share
(:data:`~keino_metrics.demo.calibration.HILMA_ANSWER_RATE`) is answered and
the rest is null.

* ``solution_new_to_market`` is the reported innovative flag of ``lot_truth``;
* the six environmental answers are all false unless the reported green flag
  is true, in which case each is true with the CPV code's probability (at
  least one); ``listed_green_criteria_used`` is asked only then (null
  otherwise) and is true for :data:`LISTED_CRITERIA_SHARE`;
* ``solution_new_to_buyer`` is true when new to market, else with
  :data:`NEW_TO_BUYER_OTHERWISE` (45 % in all, FI-INNOV-BUY);
* ``sme_participation_considered`` equals the lot's ``sme_suitable``
  (80.9 % in 2022, 83 % in 2023, FI-SME-CONS);
* ``end_user_involved`` is asked only for social, health, education and
  cultural services (null otherwise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics import datamodel
from keino_metrics.demo import calibration as cal
from keino_metrics.demo.vectors import lookup

__all__ = ["ENV_COLUMNS", "LISTED_CRITERIA_SHARE", "NEW_TO_BUYER_OTHERWISE", "hilma_rows"]

#: Environmental answers and the CPV-table column giving their probability.
ENV_COLUMNS: dict[str, str] = {"energy_efficiency": "energy", "low_carbon": "lowcarb",
                               "circular_economy": "circ", "biodiversity": "biodiv",
                               "sustainable_food": "food"}

#: [published, derived] Share of green lots using listed criteria (Motiva,
#: ecolabel, EU GPP): FI-ENV-2017 life-cycle 15 % / defined criterion 44 %.
LISTED_CRITERIA_SHARE: float = cal.ENV_LIFECYCLE_2017 / cal.ENV_DEFINED_2017

#: [derived] New to buyer among lots not new to market: (0.45 - 0.05) / 0.95.
NEW_TO_BUYER_OTHERWISE: float = ((cal.NEW_TO_BUYER_2020 - cal.NEW_TO_MARKET_2020)
                                 / (1 - cal.NEW_TO_MARKET_2020))

#: [assumption] Other answers: innovation considered (when not new to
#: market, with a yearly trend), fair working conditions, employment
#: condition, code of conduct, end users involved.
INNOVATION_CONSIDERED: float = 0.20
INNOVATION_CONSIDERED_TREND: float = 0.01
FAIR_WORK: dict[str, float] = {"services": 0.25, "supplies": 0.10, "works": 0.15}
EMPLOYMENT_CONDITION: float = 0.04
CODE_OF_CONDUCT: float = 0.08
END_USER_INVOLVED: float = 0.25


def hilma_rows(rng: np.random.Generator, awarded: pd.DataFrame, cpv: pd.DataFrame) -> pd.DataFrame:
    """Hilma answers for awarded award-notice lots.

    ``awarded`` needs ``notice_id``, ``lot_id``, ``year``, ``contract_nature``,
    ``cpv_index``, ``sme_suitable``, ``reported_innovative`` and
    ``reported_green``.
    """
    n = len(awarded)
    year = awarded["year"].to_numpy()
    nature = awarded["contract_nature"].to_numpy()
    ci = awarded["cpv_index"].to_numpy()
    innov = awarded["reported_innovative"].to_numpy(bool)
    green = awarded["reported_green"].to_numpy(bool)
    out = {"notice_id": awarded["notice_id"].to_numpy(), "lot_id": awarded["lot_id"].to_numpy()}
    out["innovation_considered"] = innov | (
        rng.random(n) < INNOVATION_CONSIDERED + INNOVATION_CONSIDERED_TREND * (year - 2018))
    out["solution_new_to_buyer"] = innov | (rng.random(n) < NEW_TO_BUYER_OTHERWISE)
    out["solution_new_to_market"] = innov
    probs = np.column_stack([cpv[c].to_numpy(float)[ci] for c in ENV_COLUMNS.values()])
    env = (rng.random(probs.shape) < probs) & green[:, None]
    none = green & ~env.any(axis=1)
    env[np.flatnonzero(none), probs[none].argmax(axis=1)] = True
    for j, col in enumerate(ENV_COLUMNS):
        out[col] = env[:, j]
    listed = pd.array(rng.random(n) < LISTED_CRITERIA_SHARE, dtype="boolean")
    listed[~green] = pd.NA
    out["listed_green_criteria_used"] = listed
    out["fair_working_conditions"] = rng.random(n) < lookup(nature, FAIR_WORK)
    out["employment_condition"] = rng.random(n) < EMPLOYMENT_CONDITION
    out["code_of_conduct"] = rng.random(n) < CODE_OF_CONDUCT + 0.01 * (year - 2018)
    out["sme_participation_considered"] = awarded["sme_suitable"].to_numpy(bool)
    end_user = pd.array(rng.random(n) < END_USER_INVOLVED, dtype="boolean")
    end_user[~cpv["light"].to_numpy(bool)[ci]] = pd.NA
    out["end_user_involved"] = end_user
    df = pd.DataFrame(out)
    cols = list(datamodel.HILMA_QUESTIONS)
    for c in cols:
        df[c] = df[c].astype("boolean")
    rate = lookup(year, {str(k): v for k, v in cal.HILMA_ANSWER_RATE.items()}, 1.0)
    rate = np.where(year >= cal.HILMA_MANDATORY_FROM, 1.0, rate)
    unanswered = rng.random(n) >= rate
    df.loc[unanswered, cols] = pd.NA
    return df
