"""Coverage of track_target's 95 % prediction intervals on short series of shares.

The report forecasts a yearly share (3-5 %, innovative procurement) from the few
years that have data, 4 to 8 points, to the target year five years after the
last point. This simulation draws such series from the model's own world (a
linear trend in logit(share) plus a between-year deviation, observed through
binomial sampling of a few thousand lots a year, or given as the share alone)
and counts how often the 95 % prediction interval of the target year holds the
true share of that year. It also reports how often a probability is given
(only from ``MIN_POINTS_FOR_PROBABILITY`` points).

Run from the project root::

    python -m validation.target_coverage            # 200 series per setting
    python -m validation.target_coverage --reps 500

and read one line per setting: points, input, between-year sd on the logit
scale, slope, coverage with its binomial standard error, median interval width.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import pandas as pd
from scipy import special

from keino_metrics.impact.target import MIN_POINTS_FOR_PROBABILITY, track_target

HORIZON = 5
START_SHARE = 0.04


def one_series(rng: np.random.Generator, n_points: int, tau: float, slope: float,
               counts: bool) -> tuple[pd.DataFrame, float]:
    """A simulated series and the true share of the target year."""
    years = np.arange(2025 - n_points + 1, 2025 + HORIZON + 1)
    z = special.logit(START_SHARE) + slope * (years - years[0]) + rng.normal(0, tau,
                                                                              len(years))
    p = special.expit(z)
    obs = slice(0, n_points)
    if counts:
        den = rng.integers(2000, 20000, n_points)
        data = pd.DataFrame({"year": years[obs], "numerator": rng.binomial(den, p[obs]),
                             "denominator": den})
    else:
        data = pd.DataFrame({"year": years[obs], "share": p[obs]})
    return data, float(p[-1])


def run(reps: int, seed: int) -> pd.DataFrame:
    """Coverage per setting."""
    rng = np.random.default_rng(seed)
    rows = []
    for n_points, counts, tau, slope in itertools.product(
            (4, 5, 6, 8), (True, False), (0.05, 0.15, 0.3), (0.0, 0.05)):
        hit, width, prob = [], [], []
        for k in range(reps):
            data, truth = one_series(rng, n_points, tau, slope, counts)
            res = track_target(data, target=0.10, by_year=2025 + HORIZON, n_sims=2000,
                               seed=k)
            row = res.forecast.set_index("year").loc[2025 + HORIZON]
            hit.append(row["pi_low"] <= truth <= row["pi_high"])
            width.append(row["pi_high"] - row["pi_low"])
            prob.append(not np.isnan(res.prob_at_year))
        cov = float(np.mean(hit))
        rows.append({"points": n_points, "input": "counts" if counts else "share",
                     "tau": tau, "slope": slope, "coverage": cov,
                     "se": float(np.sqrt(cov * (1 - cov) / reps)),
                     "median_width": float(np.median(width)),
                     "probability_given": float(np.mean(prob))})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Print the coverage of every setting."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="series per setting")
    ap.add_argument("--seed", type=int, default=20261207)
    a = ap.parse_args(argv)
    table = run(a.reps, a.seed)
    print(f"95 % prediction interval of the share {HORIZON} years after the last point; "
          f"{a.reps} series per setting; probability given from {MIN_POINTS_FOR_PROBABILITY} "
          "points")
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"overall coverage {table['coverage'].mean():.3f}; lowest {table['coverage'].min():.3f}"
          f"; highest {table['coverage'].max():.3f}")


if __name__ == "__main__":
    main()
