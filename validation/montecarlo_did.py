"""Monte Carlo check of the staggered DiD estimator against plain TWFE.

Each run draws a buyer-year panel with staggered adoption and effects that grow
with exposure, from one of two sources:

``--source demo`` (default)
    the project's demonstration corpus (:func:`keino_metrics.demo.generate` with
    the run's seed and ``--scale``), turned into the buyer-year panel of the
    reported green (or innovative) share by :func:`keino_metrics.demo.panel`;
    the truth is :func:`keino_metrics.demo.true_aggregate` for the cohorts that
    enter the estimation. Buyers without lots in some years make the panel
    unbalanced; the staggered estimator uses ``balance="unbalanced"``.
``--source simulated``
    a balanced panel from
    :func:`keino_metrics.impact.simulate.simulate_staggered_panel` (the model is
    in its docstring); fast, for large numbers of runs.

It then estimates

* Callaway & Sant'Anna (``staggered_did``, never-treated controls, DR): the
  ``simple`` and ``dynamic`` aggregates with their 95 % intervals;
* Sun & Abraham (``sun_abraham``): the treated-observation weighted effect;
* plain two-way fixed effects (``twfe``): the static treated x post coefficient.

and compares each with the true effect of that simulated sample. It prints, per
estimator, the mean estimate, the mean truth, the bias (absolute and as a share of
the truth), the RMSE and the coverage of the 95 % interval.

Usage::

    python validation/montecarlo_did.py --seeds 200 --scale 0.2 --jobs 2
    python validation/montecarlo_did.py --source simulated --seeds 500 --units 300

``--seeds 5`` gives a quick smoke run. Seeds are ``first_seed .. first_seed + seeds - 1``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from functools import partial

import numpy as np
import pandas as pd

from keino_metrics.impact import staggered_did, sun_abraham, twfe
from keino_metrics.impact.simulate import simulate_staggered_panel


class _Serial:
    """Stand-in for a process pool that maps in the current process."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def map(fn, items):
        return map(fn, items)


def one_run(seed: int, n_units: int, n_boot: int, effect: float, growth: float) -> list[dict]:
    """Simulate one panel and estimate the effect three ways."""
    sim = simulate_staggered_panel(n_units=n_units, effect=effect, growth=growth, seed=seed)
    panel = sim.panel
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cs = staggered_did(panel, "y", n_boot=n_boot, seed=seed)
    for kind, truth in (("simple", sim.true_simple), ("dynamic", sim.true_dynamic_overall)):
        agg = cs.aggregate(kind)
        rows.append({"seed": seed, "estimator": f"CS {kind}", "estimate": agg.estimate,
                     "truth": truth, "low": agg.ci[0], "high": agg.ci[1]})
    sa = sun_abraham(panel, "y")
    rows.append({"seed": seed, "estimator": "Sun-Abraham", "estimate": sa.estimate,
                 "truth": sim.true_simple, "low": sa.ci[0], "high": sa.ci[1]})
    tw = twfe(panel, "y")
    rows.append({"seed": seed, "estimator": "TWFE static", "estimate": tw.estimate,
                 "truth": sim.true_simple, "low": tw.ci[0], "high": tw.ci[1]})
    return rows


def one_demo_run(seed: int, scale: float, n_boot: int, outcome: str) -> list[dict]:
    """Generate one demo corpus and estimate the programme effect three ways."""
    from keino_metrics import demo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = demo.generate(seed=seed, scale=scale)
        panel = demo.panel(ds, outcome)
        years = (int(panel["year"].min()), int(panel["year"].max()))
        cs = staggered_did(panel, "share", balance="unbalanced", n_boot=n_boot, seed=seed)
        sizes = dict(cs.cohort_sizes)
        true_simple = float(demo.true_aggregate(outcome, "simple", sizes, years).iloc[0])
        dyn = demo.true_aggregate(outcome, "dynamic", sizes, years)
        est_e = cs.aggregate("dynamic").table.index
        true_dynamic = float(dyn[(dyn.index >= 0) & dyn.index.isin(est_e)].mean())
        sa = sun_abraham(panel, "share")
        tw = twfe(panel, "share")
    rows = []
    for kind, truth in (("simple", true_simple), ("dynamic", true_dynamic)):
        agg = cs.aggregate(kind)
        rows.append({"seed": seed, "estimator": f"CS {kind}", "estimate": agg.estimate,
                     "truth": truth, "low": agg.ci[0], "high": agg.ci[1]})
    rows.append({"seed": seed, "estimator": "Sun-Abraham", "estimate": sa.estimate,
                 "truth": true_simple, "low": sa.ci[0], "high": sa.ci[1]})
    rows.append({"seed": seed, "estimator": "TWFE static", "estimate": tw.estimate,
                 "truth": true_simple, "low": tw.ci[0], "high": tw.ci[1]})
    return rows


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Bias, relative bias, RMSE and coverage per estimator."""
    runs = runs.assign(err=runs["estimate"] - runs["truth"],
                       covered=(runs["low"] <= runs["truth"]) & (runs["truth"] <= runs["high"]))
    out = runs.groupby("estimator", sort=False).agg(
        runs=("seed", "size"), mean_estimate=("estimate", "mean"), mean_truth=("truth", "mean"),
        bias=("err", "mean"), rmse=("err", lambda x: float(np.sqrt(np.mean(x**2)))),
        coverage=("covered", "mean"),
    )
    out.insert(4, "bias_pct", 100 * out["bias"] / out["mean_truth"])
    # Monte Carlo standard errors of the bias and of the coverage rate
    out.insert(5, "bias_mcse", runs.groupby("estimator", sort=False)["err"].std()
               / np.sqrt(out["runs"]))
    out["coverage_mcse"] = np.sqrt(out["coverage"] * (1 - out["coverage"]) / out["runs"])
    return out


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the study and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", choices=["demo", "simulated"], default="demo")
    ap.add_argument("--scale", type=float, default=0.2, help="demo corpus scale")
    ap.add_argument("--outcome", choices=["green", "innovative"], default="green",
                    help="demo outcome")
    ap.add_argument("--jobs", type=int, default=1, help="parallel processes")
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--n-boot", type=int, default=499)
    ap.add_argument("--effect", type=float, default=0.05)
    ap.add_argument("--growth", type=float, default=0.02)
    ap.add_argument("--out", help="optional CSV file for the per-run estimates")
    ap.add_argument("--progress", action="store_true", help="report each finished run")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    if args.source == "demo":
        job = partial(one_demo_run, scale=args.scale, n_boot=args.n_boot, outcome=args.outcome)
        what = f"demo corpus (scale {args.scale}, outcome {args.outcome})"
    else:
        job = partial(one_run, n_units=args.units, n_boot=args.n_boot, effect=args.effect,
                      growth=args.growth)
        what = (f"simulated panel ({args.units} buyers x 10 years, effect {args.effect} "
                f"+ {args.growth}/year of exposure)")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    results: list[list[dict]] = []
    with ProcessPoolExecutor(args.jobs) if args.jobs > 1 else _Serial() as pool:
        for k, rows in enumerate(pool.map(job, seeds), start=1):
            results.append(rows)
            if args.out:  # write as we go, so that an interrupted study keeps its runs
                pd.DataFrame(rows).to_csv(args.out, mode="a" if k > 1 else "w",
                                          header=k == 1, index=False)
            if args.progress:
                print(f"run {k}/{args.seeds}", file=sys.stderr, flush=True)
    runs = pd.DataFrame([row for rows in results for row in rows])
    table = summarise(runs)
    print(f"Monte Carlo: {args.seeds} seeds, {what}, {args.n_boot} bootstrap draws "
          f"({time.perf_counter() - start:.0f} s)")
    with pd.option_context("display.width", 120, "display.float_format", "{:.4f}".format):
        print(table.to_string())
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
