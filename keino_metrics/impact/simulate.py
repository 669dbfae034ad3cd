"""Simulated buyer-year panels with a known staggered treatment effect.

Used to check the impact estimators (``validation/montecarlo_did.py``) and for
power calculations before an evaluation. The model, per buyer ``i`` and year
``t``::

    y_it = a_i + b_t + tau_it + e_it
    a_i ~ N(base, sd_unit^2),  b_t = trend * (t - first_year),
    e_it = rho * e_i,t-1 + u_it,  u_it ~ N(0, sd_noise^2 (1 - rho^2)),
    tau_it = (effect + growth * (t - g_i)) * 1{g_i > 0, t >= g_i}

``g_i`` is the buyer's first treated year (e.g. joining a development programme),
drawn from ``cohort_shares``; ``0`` means never treated. The effect grows with
exposure (``growth`` per year), which is the case where a plain two-way fixed
effects regression is biased under staggered adoption. The outcome can be read
as a buyer's yearly share of green (or innovative) lots.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SimulatedPanel:
    """A simulated panel and its true effects.

    Attributes
    ----------
    panel : pandas.DataFrame
        Columns ``buyer_id``, ``year``, ``cohort``, ``y`` and ``tau`` (the true
        effect of the buyer-year).
    true_simple : float
        Mean of ``tau`` over treated buyer-years (the estimand of the ``simple``
        aggregation and of the static TWFE coefficient).
    true_dynamic : Mapping
        Mean effect per event time ``e >= 0`` among the treated buyers observed
        at ``e`` (cohort-share weighted).
    true_dynamic_overall : float
        Mean of ``true_dynamic`` over event times (the ``dynamic`` aggregate).
    """

    panel: pd.DataFrame = field(repr=False)
    true_simple: float
    true_dynamic: Mapping[int, float] = field(repr=False)
    true_dynamic_overall: float

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the panel."""
        return self.panel.copy()


def simulate_staggered_panel(
    n_units: int = 300,
    years: range | list[int] = range(2015, 2025),
    cohort_shares: Mapping[int, float] | None = None,
    effect: float = 0.05,
    growth: float = 0.02,
    base: float = 0.2,
    sd_unit: float = 0.05,
    trend: float = 0.005,
    sd_noise: float = 0.05,
    rho: float = 0.3,
    seed: int | None = 0,
) -> SimulatedPanel:
    """Simulate a balanced buyer-year panel with staggered adoption.

    Parameters
    ----------
    n_units : int
        Number of buyers.
    years : sequence of int
        Consecutive years.
    cohort_shares : mapping of int to float, optional
        Probability of each first treated year; key ``0`` is never treated.
        Default: 30 % never, the rest spread over three adoption years.
    effect, growth : float
        Effect in the first treated year and its growth per year of exposure.
    base, sd_unit, trend, sd_noise, rho : float
        Mean level, sd of buyer effects, common yearly trend, sd of the noise
        and its AR(1) coefficient within a buyer.
    seed : int or None
        Random seed.

    Returns
    -------
    SimulatedPanel
    """
    years = list(years)
    if n_units < 2 or len(years) < 3:
        raise ValueError("need at least 2 units and 3 years")
    if not -1 < rho < 1:
        raise ValueError("rho must be in (-1, 1)")
    if cohort_shares is None:
        span = years[-1] - years[0]
        cohort_shares = {0: 0.3, years[0] + span // 3: 0.25, years[0] + span // 2: 0.25,
                         years[0] + 2 * span // 3 + 1: 0.2}
    shares = np.asarray(list(cohort_shares.values()), dtype=float)
    if (shares < 0).any() or not np.isclose(shares.sum(), 1):
        raise ValueError("cohort_shares must be non-negative and sum to 1")
    rng = np.random.default_rng(seed)
    cohorts = rng.choice(np.asarray(list(cohort_shares), dtype=int), size=n_units, p=shares)
    a = rng.normal(base, sd_unit, n_units)
    t_idx = np.arange(len(years))
    e = np.empty((n_units, len(years)))
    e[:, 0] = rng.normal(0, sd_noise, n_units)
    innov = rng.normal(0, sd_noise * np.sqrt(1 - rho**2), (n_units, len(years)))
    for k in range(1, len(years)):
        e[:, k] = rho * e[:, k - 1] + innov[:, k]
    year_arr = np.asarray(years)[None, :]
    g = cohorts[:, None]
    treated = (g > 0) & (year_arr >= g)
    tau = np.where(treated, effect + growth * (year_arr - g), 0.0)
    y = a[:, None] + trend * t_idx[None, :] + tau + e
    panel = pd.DataFrame({
        "buyer_id": np.repeat([f"B{i:05d}" for i in range(n_units)], len(years)),
        "year": np.tile(years, n_units),
        "cohort": np.repeat(cohorts, len(years)),
        "y": y.ravel(),
        "tau": tau.ravel(),
    })
    post = panel[panel["tau"].ne(0) | ((panel["cohort"] > 0) & (panel["year"] >= panel["cohort"]))]
    true_simple = float(post["tau"].mean()) if len(post) else float("nan")
    rel = post["year"] - post["cohort"]
    dynamic = post.groupby(rel)["tau"].mean()
    return SimulatedPanel(
        panel=panel, true_simple=true_simple,
        true_dynamic={int(k): float(v) for k, v in dynamic.items()},
        true_dynamic_overall=float(dynamic.mean()) if len(dynamic) else float("nan"),
    )
