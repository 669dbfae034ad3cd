"""True innovative and green labels of lots, and the buyers' reported flags.

A lot's true probability of being innovative (green) is additive::

    p = YEAR_LEVEL(year) + a(buyer) + b(CPV) + delta(event time)

with the year level :func:`innovative_level` / :func:`green_level` (a common
trend), the buyer level ``a`` (time-constant, larger buyers a little higher),
the CPV offset ``b`` (column ``innov`` of the CPV table, 0.4 times column
``green``) and the programme effect ``delta`` of
:mod:`keino_metrics.demo.programmes`. The year of a lot is the year of its
procedure's award notice (of the contract notice when there is none). The
levels are set so that the reported new-to-market share is about 5 % in 2020
(FI-INNOV-MKT) and the reported green share about 44 % in 2018 (FI-ENV-2017,
"at least one clearly defined environmental criterion").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics.demo.programmes import TRUE_EFFECTS
from keino_metrics.demo.reporting import report

__all__ = ["innovative_level", "green_level", "buyer_levels", "draw_labels"]


def innovative_level(year):
    """[assumption] Common level of the true innovative probability."""
    return 0.012 + 0.002 * (np.asarray(year) - 2018)


def green_level(year):
    """[assumption] Common level of the true green probability."""
    return 0.435 + 0.012 * (np.asarray(year) - 2018)


def buyer_levels(rng: np.random.Generator, buyers: pd.DataFrame) -> dict[str, np.ndarray]:
    """Time-constant buyer levels ``a`` for each outcome (larger buyers higher)."""
    size = np.log(buyers["weight"].to_numpy(float))
    kind = buyers["buyer_kind"].to_numpy()
    z = np.zeros(len(buyers))
    for k in np.unique(kind):
        sel = kind == k
        z[sel] = (size[sel] - size[sel].mean()) / (size[sel].std() or 1.0)
    n = len(buyers)
    return {
        "innovative": np.clip(0.012 + 0.006 * z + 0.008 * rng.standard_normal(n), 0, 0.06),
        "green": np.clip(0.05 + 0.02 * z + 0.04 * rng.standard_normal(n), 0, 0.15),
    }


def draw_labels(rng: np.random.Generator, plots: pd.DataFrame, plot_buyer: np.ndarray,
                plot_year: np.ndarray, cohort: np.ndarray, levels: dict[str, np.ndarray],
                cpv: pd.DataFrame) -> pd.DataFrame:
    """True probabilities, true labels and reported flags for each procedure lot."""
    g = cohort[plot_buyer]
    e = np.where(g > 0, plot_year - g, -1)
    out = {}
    for name, level, offset in (("innovative", innovative_level, cpv["innov"].to_numpy(float)),
                                ("green", green_level, 0.4 * cpv["green"].to_numpy(float))):
        p = (level(plot_year) + levels[name][plot_buyer] + offset[plots["cpv_index"].to_numpy()]
             + np.where(g > 0, TRUE_EFFECTS[name](e), 0.0))
        if p.max() > 1 or p.min() < 0:  # pragma: no cover - guarded by the parameters
            raise ValueError(f"{name} probability outside [0, 1]; check the demo parameters")
        truth = rng.random(len(p)) < p
        out[f"p_{name}"] = p
        out[f"true_{name}"] = truth
        out[f"reported_{name}"] = report(rng, truth, name)
    return pd.DataFrame(out)
