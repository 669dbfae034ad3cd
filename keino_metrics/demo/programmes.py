"""Development programmes, who joins them when, and the known true effect.

Cohorts
-------
Buyers that exist in every year (municipalities, state bodies, municipal
companies, regional councils and Åland's bodies; not the hospital districts
that ended in 2022 nor the wellbeing services counties that began in 2023)
may join one of :data:`PROGRAMMES`. The probability of ever joining rises with
the buyer's size (log of its expected number of procedures, standardised):
``P(join) = 1 / (1 + exp(-(JOIN_INTERCEPT + JOIN_SIZE_SLOPE * z)))``; among
joiners, larger buyers join earlier (cohorts :data:`COHORTS`, equal sizes,
ordered by ``-z`` plus standard normal noise). Most buyers never join. The
join date is in the first quarter of the cohort year, and the effect starts
in that calendar year. A fifth of the participants join a second programme
later; the effect is counted from the first join and does not depend on the
programme.

Parallel trends hold unconditionally: a lot's true probability of being
innovative (green) is *additive*, ``p = c(year) + a(buyer) + b(CPV) +
delta(event time)``, and neither the year trend ``c`` nor the CPV mix depends
on the cohort; the buyer level ``a`` may correlate with size (it does), which
unit fixed effects absorb.

True effect
-----------
:data:`TRUE_EFFECTS` gives ``delta(e)`` on the *true* probability for event
time ``e = year - cohort >= 0``: ``min(first + step * e, cap)``, zero before
joining. The measured outcome is the buyer-year share of awarded lots in
contract award notices published in that year (``winner_chosen``) whose
*reported* flag is true:

``innovative``
    reported ``solution_new_to_market`` (Hilma ``solutionNewToMarketOrIndustry``);
``green``
    any of the reported environmental answers ``energy_efficiency``,
    ``low_carbon``, ``circular_economy``, ``biodiversity``,
    ``sustainable_food``, ``listed_green_criteria_used``.

The reported flag is the true label seen through under-reporting (see
:mod:`keino_metrics.demo.reporting`), so the effect on the measured share is
``(1 - under_reporting - false_positive) * delta(e)``, which is what
:func:`true_att` returns. Hilma answers are null on most lots before 2022,
so for pre-periods use the reported flags of the extra table ``lot_truth``
(equal to the Hilma answers wherever Hilma has them); :func:`panel` builds
this outcome panel. Because effects grow with event time, a static two-way
fixed effects regression is biased here while Callaway and Sant'Anna's
estimator is not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from keino_metrics.demo.reporting import REPORTING

__all__ = ["PROGRAMMES", "COHORTS", "DynamicEffect", "TRUE_EFFECTS", "OUTCOMES",
           "true_att", "true_aggregate", "assign_cohorts", "participation",
           "programme_truth", "panel"]

PROGRAMMES: tuple[str, ...] = (
    "KEINO-kehittämisohjelma", "Hankinta-Suomi green deal", "Motiva green deal",
)
#: [assumption] Share of first joins by programme.
PROGRAMME_SHARE: tuple[float, ...] = (0.5, 0.25, 0.25)

COHORTS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023)

#: [assumption] Logistic model of ever joining on standardised log size.
JOIN_INTERCEPT: float = -0.9
JOIN_SIZE_SLOPE: float = 0.9

#: [assumption] Weight of size in the join order (larger join earlier).
JOIN_ORDER_SIZE: float = 0.8

#: [assumption] Share of participants that join a second programme later.
SECOND_PROGRAMME_SHARE: float = 0.2


@dataclass(frozen=True)
class DynamicEffect:
    """Effect on a lot's true probability, by event time since joining.

    ``delta(e) = min(first + step * e, cap)`` for ``e >= 0``, zero before.
    """

    first: float
    step: float
    cap: float

    def __call__(self, event_time):
        e = np.asarray(event_time, dtype=float)
        out = np.where(e >= 0, np.minimum(self.first + self.step * np.maximum(e, 0), self.cap),
                       0.0)
        return out if out.ndim else float(out)


#: The known true effects on the true probabilities.
TRUE_EFFECTS: dict[str, DynamicEffect] = {
    "innovative": DynamicEffect(first=0.02, step=0.01, cap=0.05),
    "green": DynamicEffect(first=0.03, step=0.015, cap=0.09),
}

#: Measured outcomes: reported flag column of ``lot_truth`` for each outcome.
OUTCOMES: dict[str, str] = {"innovative": "reported_innovative", "green": "reported_green"}


def _factor(outcome: str) -> float:
    r = REPORTING[outcome]
    return 1.0 - r.under_reporting - r.false_positive


def true_att(outcome: str, group: int | None, time: int, measured: bool = True) -> float:
    """True ATT(g, t) on the buyer-year share of the measured outcome.

    Parameters
    ----------
    outcome : {"innovative", "green"}
    group : int or None
        Cohort (year of first join); ``None`` or 0 for never-participants.
    time : int
        Calendar year (of the contract award notice).
    measured : bool
        ``True`` (default): effect on the share of *reported* flags;
        ``False``: effect on the true probability.

    Examples
    --------
    >>> round(true_att("innovative", 2020, 2022), 4)  # 0.64 * (0.02 + 2 * 0.01)
    0.0256
    >>> true_att("innovative", 2020, 2019)
    0.0
    """
    if outcome not in TRUE_EFFECTS:
        raise KeyError(f"unknown outcome {outcome!r}; outcomes: {', '.join(TRUE_EFFECTS)}")
    if not group or time < group:
        return 0.0
    delta = float(TRUE_EFFECTS[outcome](time - group))
    return delta * _factor(outcome) if measured else delta


def true_aggregate(outcome: str, kind: str, cohort_sizes: dict[int, int],
                   years: tuple[int, int], measured: bool = True) -> pd.Series:
    """Aggregated truth in the sense of Callaway and Sant'Anna (2021).

    Parameters
    ----------
    outcome : {"innovative", "green"}
    kind : {"simple", "dynamic", "group", "calendar"}
        ``simple``: ATT(g, t) over post-treatment cells weighted by cohort
        size; ``dynamic``: by event time (cohorts weighted by size among those
        observed at that event time); ``group``: mean over each cohort's
        post-treatment years; ``calendar``: by year over cohorts already
        treated, weighted by size.
    cohort_sizes : dict
        Number of units per cohort (the units that enter the estimation).
    years : (int, int)
        First and last year of the panel.
    measured : bool
        See :func:`true_att`.

    Returns
    -------
    pandas.Series
        Indexed by ``event_time``, ``group`` or ``year``; a single value named
        ``simple`` for the simple aggregation.
    """
    y0, y1 = years
    cells = pd.DataFrame([(g, t, n, true_att(outcome, g, t, measured))
                          for g, n in cohort_sizes.items() if g and n
                          for t in range(y0, y1 + 1)],
                         columns=["group", "year", "n", "att"])
    cells["event_time"] = cells["year"] - cells["group"]
    post = cells[cells["event_time"] >= 0]
    if kind == "simple":
        return pd.Series({"simple": float(np.average(post["att"], weights=post["n"]))})
    if kind == "group":
        return post.groupby("group")["att"].mean()
    if kind == "calendar":
        return post.groupby("year").apply(lambda d: np.average(d["att"], weights=d["n"]))
    if kind == "dynamic":
        return cells.groupby("event_time").apply(
            lambda d: np.average(d["att"], weights=d["n"]))
    raise ValueError(f"kind must be simple, dynamic, group or calendar, got {kind!r}")


def assign_cohorts(rng: np.random.Generator, buyers: pd.DataFrame,
                   size: np.ndarray) -> np.ndarray:
    """Cohort (first-join year) per buyer, 0 for never-participants.

    ``size`` is the buyer's expected number of procedures a year.
    """
    eligible = (buyers["active_from"].isna() & buyers["active_to"].isna()).to_numpy()
    z = np.log(np.maximum(size, 1e-9))
    z = (z - z[eligible].mean()) / z[eligible].std()
    p = 1 / (1 + np.exp(-(JOIN_INTERCEPT + JOIN_SIZE_SLOPE * z)))
    joins = eligible & (rng.random(len(buyers)) < p)
    order_key = -JOIN_ORDER_SIZE * z + rng.standard_normal(len(buyers))
    idx = np.flatnonzero(joins)
    idx = idx[np.argsort(order_key[idx], kind="stable")]
    cohort = np.zeros(len(buyers), dtype=np.int64)
    for part, year in zip(np.array_split(idx, len(COHORTS)), COHORTS, strict=True):
        cohort[part] = year
    return cohort


def participation(rng: np.random.Generator, buyers: pd.DataFrame, cohort: np.ndarray,
                  last_year: int) -> pd.DataFrame:
    """The ``programme_participation`` table (first and second programmes)."""
    idx = np.flatnonzero(cohort > 0)
    first = rng.choice(len(PROGRAMMES), size=len(idx), p=PROGRAMME_SHARE)
    day = rng.integers(0, 90, size=len(idx))
    start = pd.to_datetime(pd.Series(cohort[idx]).astype(str) + "-01-01") + pd.to_timedelta(
        day, unit="D")
    rows = pd.DataFrame({"buyer_id": buyers["buyer_id"].to_numpy()[idx],
                         "programme": np.asarray(PROGRAMMES)[first], "start_date": start})
    second = (rng.random(len(idx)) < SECOND_PROGRAMME_SHARE) & (cohort[idx] < last_year)
    shift = rng.integers(1, 3, size=len(idx))
    other = (first + rng.integers(1, len(PROGRAMMES), size=len(idx))) % len(PROGRAMMES)
    year2 = np.minimum(cohort[idx] + shift, last_year)
    start2 = pd.to_datetime(pd.Series(year2).astype(str) + "-01-01") + pd.to_timedelta(
        rng.integers(0, 300, size=len(idx)), unit="D")
    rows2 = pd.DataFrame({"buyer_id": buyers["buyer_id"].to_numpy()[idx][second],
                          "programme": np.asarray(PROGRAMMES)[other][second],
                          "start_date": start2[second].to_numpy()})
    out = pd.concat([rows, rows2], ignore_index=True)
    return out.sort_values(["buyer_id", "start_date"], kind="stable").reset_index(drop=True)


def programme_truth(buyers: pd.DataFrame, cohort: np.ndarray, base: dict[str, np.ndarray],
                    years: tuple[int, int]) -> pd.DataFrame:
    """The extra table ``programme_truth``: one row per buyer and year.

    Columns: ``buyer_id``, ``year``, ``cohort`` (null for never),
    ``event_time`` (null for never), ``base_<outcome>`` (the buyer's additive
    level ``a``), ``effect_<outcome>`` (effect on the true probability) and
    ``att_<outcome>`` (effect on the measured share) for each outcome.
    """
    y = np.arange(years[0], years[1] + 1)
    n = len(buyers)
    out = pd.DataFrame({"buyer_id": np.repeat(buyers["buyer_id"].to_numpy(), len(y)),
                        "year": np.tile(y, n)})
    g = np.repeat(cohort, len(y))
    out["cohort"] = pd.array(np.where(g > 0, g, 0), dtype="Int64")
    out.loc[g == 0, "cohort"] = pd.NA
    e = out["year"].to_numpy() - g
    out["event_time"] = pd.array(e, dtype="Int64")
    out.loc[g == 0, "event_time"] = pd.NA
    for name, eff in TRUE_EFFECTS.items():
        out[f"base_{name}"] = np.repeat(base[name], len(y))
        delta = np.where(g > 0, eff(e), 0.0)
        out[f"effect_{name}"] = delta
        out[f"att_{name}"] = delta * _factor(name)
    return out


def panel(dataset, outcome: str) -> pd.DataFrame:
    """Buyer-year panel of the measured outcome that :func:`true_att` refers to.

    Parameters
    ----------
    dataset : keino_metrics.Dataset
        A demo dataset (it needs the extra tables ``lot_truth`` and
        ``programme_truth``).
    outcome : {"innovative", "green"}

    Returns
    -------
    pandas.DataFrame
        ``buyer_id``, ``year``, ``cohort`` (0 for never-participants),
        ``lots`` (awarded lots) and ``share`` (share with the reported flag),
        one row per buyer-year with at least one awarded lot.
    """
    if outcome not in OUTCOMES:
        raise KeyError(f"unknown outcome {outcome!r}; outcomes: {', '.join(OUTCOMES)}")
    lt = dataset.extra["lot_truth"]
    lt = lt[lt["awarded"].astype(bool)]
    out = (lt.groupby(["buyer_id", "year"], as_index=False)
           .agg(lots=(OUTCOMES[outcome], "size"), share=(OUTCOMES[outcome], "mean")))
    coh = (dataset.extra["programme_truth"].drop_duplicates("buyer_id")
           .set_index("buyer_id")["cohort"].fillna(0).astype("int64"))
    out.insert(2, "cohort", out["buyer_id"].map(coh).to_numpy())
    return out
