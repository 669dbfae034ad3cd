"""Check the hidden-volume estimators against the demo corpus's true labels.

The demonstration corpus (:mod:`keino_metrics.demo`) gives every lot a title and
description, a *true* innovative / green label and the *reported* flag, which
misses a documented share of the true positives (:mod:`keino_metrics.demo.reporting`).
For each seed this script generates the corpus, takes the awarded lots, and
estimates the true share with

* the flagged share (what a plain indicator reports),
* ``HiddenVolumeEstimator(mode="validation")`` trained on a random audit sample
  of ``--audit`` lots with their true labels, on the text only and on text + flag,
* ``HiddenVolumeEstimator(mode="pu")`` on the flags alone,

and prints, per method, the runs in which the estimate is defined (the
Rogan-Gladen share is undefined when the classifier finds no positives), the mean
estimate and interval over those runs, the truth and how often it is covered.

Usage::

    python validation/hidden_volume_demo.py --seeds 5 --scale 0.2 --audit 500
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd

from keino_metrics.impact import HiddenVolumeEstimator, lot_texts


def one_run(seed: int, scale: float, audit: int, outcome: str, n_boot: int) -> list[dict]:
    """Generate one corpus and estimate the true share four ways."""
    from keino_metrics import demo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = demo.generate(seed=seed, scale=scale)
    truth_col, flag_col = f"true_{outcome}", f"reported_{outcome}"
    lots = ds.lots.merge(ds.extra["lot_truth"], on=["notice_id", "lot_id"])
    lots = lots[lots["awarded"].astype(bool)].reset_index(drop=True)
    truth = lots[truth_col].astype(bool)
    flags = lots[flag_col].astype(bool)
    text = lot_texts(lots)
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(lots), size=min(audit, len(lots)), replace=False)
    rows = [{"seed": seed, "method": "flagged share", "estimate": flags.mean(),
             "low": np.nan, "high": np.nan, "truth": truth.mean()}]
    feats = {"text": text,
             "text + flag": pd.DataFrame({"text": text, "flag": flags})}
    for name, X in feats.items():
        est = HiddenVolumeEstimator(mode="validation", n_boot=n_boot, random_state=seed)
        Xs = X.iloc[sample]
        res = est.fit(Xs, truth.iloc[sample]).estimate(X, flags=flags)
        rows.append({"seed": seed, "method": f"audit {len(sample)} ({name})",
                     "estimate": res.estimate, "low": res.ci[0], "high": res.ci[1],
                     "truth": truth.mean()})
    pu = HiddenVolumeEstimator(mode="pu", n_boot=n_boot, random_state=seed).fit(text, flags)
    res = pu.estimate()
    rows.append({"seed": seed, "method": "flags only (PU)", "estimate": res.estimate,
                 "low": res.ci[0], "high": res.ci[1], "truth": truth.mean()})
    return rows


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the check and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=0.2)
    ap.add_argument("--audit", type=int, default=500)
    ap.add_argument("--outcome", choices=["innovative", "green"], default="innovative")
    ap.add_argument("--n-boot", type=int, default=499)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        rows.extend(one_run(seed, args.scale, args.audit, args.outcome, args.n_boot))
    runs = pd.DataFrame(rows)
    runs["covered"] = (runs["low"] <= runs["truth"]) & (runs["truth"] <= runs["high"])
    table = runs.groupby("method", sort=False).agg(
        runs=("seed", "size"), defined=("estimate", "count"),
        mean_estimate=("estimate", "mean"), mean_truth=("truth", "mean"),
        mean_low=("low", "mean"), mean_high=("high", "mean"), coverage=("covered", "mean"))
    table["bias"] = table["mean_estimate"] - table["mean_truth"]
    print(f"Hidden volume on the demo corpus: {args.seeds} seed(s), scale {args.scale}, "
          f"outcome {args.outcome}, audit {args.audit} lots "
          f"({time.perf_counter() - start:.0f} s)")
    with pd.option_context("display.width", 140, "display.float_format", "{:.4f}".format):
        print(table.to_string())
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
