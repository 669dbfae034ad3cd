"""Speed of the purchase-invoice reader, and of the spend computation.

Reader: writes a State Treasury layout file of ``--rows`` rows in memory
(varied ids, dates and amounts) and prints rows per second of
:func:`keino_metrics.readers.spend.parse` and of ``pandas.read_csv`` (all
columns as text, no checks), both run in this process, and their ratio::

    python -m benchmarks.bench_spend --rows 200000

Computation (``--section DIR``, a folder of canonical Parquet tables such as
``data/processed/demo`` after ``make report``): times, in this process,

* the annual report's spend section
  (:func:`keino_metrics.report.annual.spend.compute`), cold (empty linking
  cache) and again on the same tables;
* the site's spend indicators (by buyer and year);
* the baseline: the same section with the linking cache switched off and the
  Monte Carlo draws of :func:`per_row_linked_share` (one uniform number per
  invoice row and draw, summed over rows: the previous algorithm, kept here),
  and the gap between its intervals and the current ones beside the gap
  between two of its own seeds (both are Monte Carlo error)::

    python -m benchmarks.bench_spend --section data/processed/demo --year 2024

``--no-baseline`` leaves the baseline out (it takes minutes on a million rows).
"""

from __future__ import annotations

import argparse
import io
import time
from unittest import mock

import numpy as np
import pandas as pd

from keino_metrics.readers import spend

HEADER = ("lasku_id\ttili\ttiliointisumma\ttositepvm\ttoimittaja_y_tunnus\ttoimittaja_nimi\t"
          "hankintayksikko_tunnus\thankintayksikko\tylaorganisaatio_tunnus\tylaorganisaatio\t"
          "sektori\ttuote_palveluryhma\thankintakategoria\ttoimittaja_kunta\n")


def treasury_file(rows: int, seed: int = 0) -> bytes:
    """A synthetic file in the treasury layout (values drawn, not real)."""
    rng = np.random.default_rng(seed)
    from keino_metrics.demo.ids import business_ids

    suppliers = business_ids([f"s{i}" for i in range(5000)])
    sup = rng.integers(0, len(suppliers), rows)
    day = rng.integers(0, 365, rows)
    cents = rng.integers(-10_000, 10_000_000, rows)
    dates = (np.datetime64("2023-01-01") + day).astype(str)
    lines = [HEADER]
    for i in range(rows):
        amount = f"{cents[i] // 100},{abs(cents[i]) % 100:02d}"
        lines.append(f"{i}\t43{i % 100:02d}\t{amount}\t{dates[i]}\t{suppliers[sup[i]]}\t"
                     f"Toimittaja {sup[i]} Oy\t{i % 80:05d}\tVirasto {i % 80}\t{i % 12:05d}\t"
                     f"Ministeriö {i % 12}\tValtio\tRyhmä {i % 40}\tKategoria {i % 15}\t"
                     f"Kunta {i % 300}\n")
    return "".join(lines).encode("utf-8")


def per_row_linked_share(frame: pd.DataFrame, cand: pd.DataFrame, flag: str | None,
                         keys: list[str], draws: int = 400, seed: int = 0) -> pd.DataFrame:
    """The share of :func:`keino_metrics.spend.frame.linked_share` with the per-row
    draws: each draw picks each row's contract (or none) from one uniform number
    per row, and sums all rows. Same point values; its own random stream."""
    from keino_metrics.spend.frame import group_codes, share_table

    rng = np.random.default_rng(seed)
    codes, key_frame = group_codes(frame, keys)
    ng = len(key_frame)
    amount = frame["amount"].to_numpy(float)
    hit = (np.ones(len(cand), dtype=bool) if flag is None
           else cand[flag].fillna(False).astype(bool).to_numpy())
    crow = cand["row"].to_numpy(np.int64)
    p = cand["p"].to_numpy(float)
    cum = pd.Series(p).groupby(crow).cumsum().to_numpy()
    low = cum - p
    expected = np.bincount(crow, weights=p * hit, minlength=len(frame))
    num = np.bincount(codes, weights=amount * expected, minlength=ng)
    den = np.bincount(codes, weights=amount, minlength=ng)
    buyers, bidx = np.unique(frame["buyer_id"].astype(str).to_numpy(), return_inverse=True)
    sims = np.empty((draws, ng))
    for k in range(draws):
        w = rng.poisson(1.0, len(buyers))[bidx].astype(float)
        u = rng.random(len(frame))[crow]
        chosen = (u >= low) & (u < cum) & hit
        f = np.bincount(crow[chosen], minlength=len(frame)).astype(float)
        sn = np.bincount(codes, weights=w * amount * f, minlength=ng)
        sd = np.bincount(codes, weights=w * amount, minlength=ng)
        sims[k] = np.where(sd != 0, sn / np.where(sd != 0, sd, 1), np.nan)
    return share_table(key_frame, codes, num, den, sims)


def _timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def section(folder: str, year: int, baseline: bool) -> None:
    """Time the spend section and the site's spend indicators on ``folder``."""
    from keino_metrics.dataset import Dataset
    from keino_metrics.indicators import compute
    from keino_metrics.report.annual import spend as section_
    from keino_metrics.site.content import SPEND_IDS as SITE_IDS
    from keino_metrics.spend import frame

    data = Dataset.from_parquet(folder)
    print(f"{len(data.spend):,} invoice rows, {len(data.awards):,} award rows, year {year}")

    def run():
        return section_.compute(data, year, notice_by_year=pd.DataFrame(
            columns=["indicator_id", "year"]), innovation_ids=(), demo=True)

    frame.clear_cache()
    content, cold = _timed(run)
    _, warm = _timed(run)
    print(f"spend section, cold:                 {cold:7.1f} s")
    print(f"spend section, same tables again:    {warm:7.1f} s")
    frame.clear_cache()
    _, site = _timed(lambda: compute(list(SITE_IDS), data, by=["buyer_id", "year"]))
    print(f"site spend indicators (buyer, year): {site:7.1f} s")
    if not baseline:
        return
    frame.clear_cache()
    with frame.linking_cache(False), mock.patch.object(frame, "linked_share",
                                                       per_row_linked_share):
        old, base = _timed(run)
    print(f"baseline (no cache, per-row draws):  {base:7.1f} s  "
          f"(current cold run: {cold / base:.2f}x its time)")
    ours = content.by_year.set_index(["indicator_id", "year"])
    theirs = old.by_year.set_index(["indicator_id", "year"])
    share = ours.index.get_level_values(0).isin(("SPEND-COVERED", "SPEND-INNOV",
                                                 "SPEND-GREEN", "SPEND-SOCIAL"))
    same = np.array_equal(ours["value"].to_numpy(float), theirs["value"].to_numpy(float),
                          equal_nan=True)
    gap = np.nanmax(np.abs(ours.loc[share, ["ci_low", "ci_high"]].to_numpy(float)
                           - theirs.loc[share, ["ci_low", "ci_high"]].to_numpy(float)))
    print(f"values equal: {same}; largest gap of an interval bound, current vs baseline: "
          f"{gap:.4f}")
    f, cand = frame.spend_tables(data)
    for flag in (None, "innovative"):
        a = per_row_linked_share(f, cand, flag, ["year"], seed=0)
        b = per_row_linked_share(f, cand, flag, ["year"], seed=1)
        c = frame.linked_share(f, cand, flag, ["year"], seed=0)
        own = np.nanmax(np.abs(a[["ci_low", "ci_high"]].to_numpy()
                               - b[["ci_low", "ci_high"]].to_numpy()))
        cross = np.nanmax(np.abs(a[["ci_low", "ci_high"]].to_numpy()
                                 - c[["ci_low", "ci_high"]].to_numpy()))
        print(f"  {flag or 'any contract'} by year: baseline seed 0 vs 1 {own:.4f}, "
              f"baseline vs current (seed 0) {cross:.4f}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--section", metavar="DIR", help="time the spend computation on the "
                    "canonical tables in DIR instead of the reader")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--no-baseline", action="store_true")
    a = ap.parse_args(argv)
    if a.section:
        section(a.section, a.year, not a.no_baseline)
        return
    data = treasury_file(a.rows)
    t0 = time.perf_counter()
    pd.read_csv(io.BytesIO(data), sep="\t", dtype=str, keep_default_na=False)
    base = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = spend.parse(data, "bench.csv")
    ours = time.perf_counter() - t0
    assert res.records_accepted == a.rows
    print(f"{a.rows:,} rows, {len(data) / 1e6:.1f} MB")
    print(f"pandas.read_csv (baseline): {a.rows / base:>12,.0f} rows/s")
    print(f"spend reader:               {a.rows / ours:>12,.0f} rows/s  "
          f"({ours / base:.1f}x the baseline's time)")


if __name__ == "__main__":
    main()
