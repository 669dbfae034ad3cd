"""Benchmark: indicators by year and region on DuckDB against a plain pandas baseline.

Builds canonical tables with N million awarded lots - by default by
replicating and perturbing the demo generator's output (``--synthetic``: a
seeded, vectorised generator shaped like the canonical model instead) - writes
them as Parquet, then runs in separate child processes (so that peak memory is
each process's own maximum resident set size, which also counts DuckDB's
native memory):

* ``duckdb-subset`` - ``compute(baseline_pandas.IDS, <dir>, by=["year",
  "region_code"])`` on DuckDB: exactly the ids the baseline implements;
* ``baseline`` - ``baseline_pandas.compute_baseline(<dir>)``: the same
  indicators written as straightforward pandas (merge, groupby, masks);
* ``duckdb-all`` - the whole catalogue on DuckDB.

The subset's numerators and denominators are checked against the baseline
(they must agree to 1e-9 relative), then the script prints wall and CPU
seconds, peak memory, the speed ratio and how time grows with the number of
lots, with the machine's load average before and after each size.

Usage::

    python benchmarks/bench_indicators.py --lots 1 10
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def _codes(rng, n, share, choices):
    """A list<string> column: null for most rows, one code for ``share`` of them."""
    has = rng.random(n) < share
    pick = rng.integers(0, len(choices), n)
    offsets = np.zeros(n + 1, dtype=np.int32)
    offsets[1:] = np.cumsum(has.astype(np.int32))
    values = pa.array(np.asarray(choices, dtype=object)[pick[has]], type=pa.string())
    arr = pa.ListArray.from_arrays(pa.array(offsets), values)
    mask = pa.array(~has)
    return pa.ListArray.from_arrays(pa.array(offsets), values, mask=mask) if n else arr


def generate(directory: Path, lots: int, seed: int = 1) -> None:
    """Write canonical Parquet tables with ``lots`` awarded lots to ``directory``."""
    rng = np.random.default_rng(seed)
    nb = 1000
    legal = np.array(["la", "body-pl-la", "ra", "cga", "pub-undert"], dtype=object)
    regions = np.array([f"{r:02d}" for r in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                               16, 17, 18, 19, 21)], dtype=object)
    bid = np.array([f"{1000000 + i}-{i % 10}" for i in range(nb)], dtype=object)
    pq.write_table(pa.table({
        "buyer_id": bid, "name": bid, "legal_type": legal[rng.integers(0, 5, nb)],
        "country": np.full(nb, "FI", dtype=object), "nuts3": np.full(nb, "FI1B1", dtype=object),
        "municipality_code": np.full(nb, None, dtype=object),
        "region_code": regions[rng.integers(0, len(regions), nb)]}), directory / "buyers.parquet")
    npr = lots // 2
    proc = np.array([f"P{i}" for i in range(npr)], dtype=object)
    pbuyer = bid[rng.integers(0, nb, npr)]
    ptype = np.array(["open", "restricted", "neg-wo-call", "neg-w-call", "innovation"],
                     dtype=object)[rng.choice(5, npr, p=[.7, .1, .1, .09, .01])]
    can_date = (np.datetime64("2019-01-01") + rng.integers(0, 6 * 365, npr)
                ).astype("datetime64[us]")
    has_cn = rng.random(npr) < 0.7
    has_pin = rng.random(npr) < 0.2
    cn_date = can_date - rng.integers(30, 200, npr).astype("timedelta64[D]")
    src = np.array(["hilma", "eforms"], dtype=object)[rng.integers(0, 2, npr)]
    parts = []
    for kind, mask, dates in (("can", np.ones(npr, bool), can_date), ("cn", has_cn, cn_date),
                              ("pin", has_pin, cn_date - np.timedelta64(40, "D"))):
        idx = np.flatnonzero(mask)
        parts.append({"notice_id": np.array([f"{kind}{i}" for i in idx], dtype=object),
                      "procedure_id": proc[idx], "notice_type": np.full(len(idx), kind,
                                                                          dtype=object),
                      "publication_date": dates[idx], "buyer_id": pbuyer[idx],
                      "procedure_type": ptype[idx], "source": src[idx],
                      "source_file": np.full(len(idx), "bench", dtype=object)})
    notices = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    pq.write_table(pa.table(notices), directory / "notices.parquet")
    # two lots per procedure, on the award notice
    pi = np.repeat(np.arange(npr), 2)
    n = len(pi)
    nid = np.array([f"can{i}" for i in pi], dtype=object)
    lid = np.tile(np.array(["LOT-0001", "LOT-0002"], dtype=object), npr)
    cpv = np.array(["72000000", "79000000", "45000000", "30200000", "33100000", "90500000"],
                   dtype=object)[rng.integers(0, 6, n)]
    nature = np.array(["services", "supplies", "works"], dtype=object)[rng.integers(0, 3, n)]
    deadline = (cn_date[pi] + rng.integers(10, 45, n).astype("timedelta64[D]")).astype(
        "datetime64[us]")
    pq.write_table(pa.table({
        "notice_id": nid, "lot_id": lid, "contract_nature": nature, "cpv_main": cpv,
        "nuts3": np.full(n, None, dtype=object),
        "strategic_procurement": _codes(rng, n, 0.1, ["env-imp", "inn-pur", "soc-obj", "none"]),
        "green_procurement": _codes(rng, n, 0.05, ["clim-mitig", "circ-econ", "other"]),
        "social_objective": _codes(rng, n, 0.03, ["work-cond", "opp"]),
        "innovation": _codes(rng, n, 0.02, ["mar-nov", "rd-act"]),
        "gpp_criteria": _codes(rng, n, 0.05, ["eu", "national", "none"]),
        "price_only_award": rng.random(n) < 0.5, "framework_agreement": rng.random(n) < 0.2,
        "submission_deadline": pa.array(np.where(has_cn[pi], deadline, np.datetime64("NaT")),
                                         type=pa.timestamp("us"))}),
        directory / "lots.parquet")
    tenders = rng.poisson(3, n) + 1
    value = rng.lognormal(11, 1.5, n)
    value[rng.random(n) < 0.05] = np.nan
    pq.write_table(pa.table({
        "notice_id": nid, "lot_id": lid, "winner_chosen": np.ones(n, bool),
        "tenders_received": tenders.astype(np.int64),
        "sme_tenders_received": rng.binomial(tenders, 0.6).astype(np.int64),
        "awarded_value_eur": pa.array(value, type=pa.float64(), from_pandas=True),
        "winner_id": np.array([f"W{i}" for i in rng.integers(0, 50000, n)], dtype=object),
        "winner_size": np.array(["micro", "small", "medium", "large"],
                                dtype=object)[rng.integers(0, 4, n)],
        "decision_date": (deadline + rng.integers(5, 120, n).astype("timedelta64[D]")
                          ).astype("datetime64[us]")}), directory / "awards.parquet")
    hm = rng.random(n) < 0.6
    hi = np.flatnonzero(hm)
    cols = {"notice_id": nid[hi], "lot_id": lid[hi]}
    for c, p in (("solution_new_to_market", .06), ("solution_new_to_buyer", .3),
                 ("innovation_considered", .4), ("low_carbon", .2), ("circular_economy", .1),
                 ("energy_efficiency", .2), ("fair_working_conditions", .3),
                 ("sme_participation_considered", .8)):
        cols[c] = rng.random(len(hi)) < p
    pq.write_table(pa.table(cols), directory / "hilma_statistics.parquet")


def generate_from_demo(directory: Path, lots: int, seed: int = 1, scale: float = 0.5) -> int:
    """Replicate the demo generator's canonical tables until ``lots`` awards are reached.

    Copy ``j`` gets ``~j`` appended to notice and procedure ids (buyers and
    suppliers are shared, so buyer clusters grow) and its awarded values are
    multiplied by a seeded log-normal factor (sd 0.1). Whole copies are
    written, so the number of award rows (returned) is at least ``lots``.
    """
    import pyarrow.compute as pc

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from keino_metrics import demo
    from keino_metrics.indicators.engine import survey_frame, to_arrow

    data = demo.generate(seed=seed, scale=scale)
    rng = np.random.default_rng(seed)
    base = {name: to_arrow(name, getattr(data, name))
            for name in ("notices", "lots", "awards", "hilma_statistics")}
    pq.write_table(to_arrow("buyers", data.buyers), directory / "buyers.parquet")
    pq.write_table(pa.Table.from_pandas(survey_frame(data), preserve_index=False),
                   directory / "capability_survey.parquet")
    copies = -(-lots // max(base["awards"].num_rows, 1))
    writers = {name: pq.ParquetWriter(directory / f"{name}.parquet", t.schema)
               for name, t in base.items()}
    try:
        for j in range(copies):
            suffix = pa.scalar(f"~{j}")
            for name, t in base.items():
                for col in ("notice_id", "procedure_id"):
                    if col in t.column_names:
                        i = t.column_names.index(col)
                        t = t.set_column(i, col, pc.binary_join_element_wise(
                            t[col], suffix, ""))
                if name == "awards":
                    i = t.column_names.index("awarded_value_eur")
                    f = pa.array(rng.lognormal(0.0, 0.1, t.num_rows))
                    t = t.set_column(i, "awarded_value_eur",
                                     pc.multiply(t["awarded_value_eur"], f))
                writers[name].write_table(t)
    finally:
        for w in writers.values():
            w.close()
    return copies * base["awards"].num_rows


#: What each child process runs.
MODES = ("duckdb-subset", "baseline", "duckdb-all")


def _run(mode: str, directory: str, out: str) -> None:
    """Child process: run ``mode``, write its numbers to ``out`` and print timings as JSON.

    Seconds are wall-clock from before the imports; ``cpu_s`` is the process's
    user + system CPU time (less sensitive to other load on the machine);
    ``peak_gb`` is the maximum resident set size, which counts DuckDB's native
    memory too.
    """
    t0 = time.perf_counter()
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))  # run from a clone
    sys.path.insert(0, str(here))
    import baseline_pandas

    cols = ["indicator_id", "year", "region_code", "numerator", "denominator"]
    if mode == "baseline":
        frame = baseline_pandas.compute_baseline(directory)[cols]
    else:
        from keino_metrics.indicators import compute

        ids = baseline_pandas.IDS if mode == "duckdb-subset" else "all"
        frame = compute(ids, directory, by=["year", "region_code"],
                        engine="duckdb").to_frame()[cols]
    secs = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    frame.to_parquet(out)
    print(json.dumps({"mode": mode, "seconds": secs, "cpu_s": ru.ru_utime + ru.ru_stime,
                      "peak_gb": ru.ru_maxrss / 1024**2, "rows": len(frame)}))


def _child(mode: str, directory: Path, out: Path) -> dict:
    res = subprocess.run([sys.executable, __file__, "--child", mode, str(directory), str(out)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{mode} run failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def compare(engine: pd.DataFrame, baseline: pd.DataFrame, rtol: float = 1e-9) -> int:
    """Check that the engine and the baseline give the same numbers; return rows compared.

    Rows are matched on indicator, year and region; numerators and
    denominators must agree within ``rtol`` (``NaN`` matches ``NaN``).
    """
    keys = ["indicator_id", "year", "region_code"]
    e, b = engine.copy(), baseline.copy()
    for f in (e, b):
        f["year"] = f["year"].astype("Int64").fillna(-1)
        f["region_code"] = f["region_code"].astype(object).where(f["region_code"].notna(), "")
    m = e.merge(b, on=keys, how="outer", suffixes=("_engine", "_baseline"), indicator=True)
    lost = m[m["_merge"] != "both"]
    if len(lost):
        raise AssertionError(f"rows only on one side:\n{lost.head(20)}")
    for c in ("numerator", "denominator"):
        x, y = m[f"{c}_engine"].to_numpy(float), m[f"{c}_baseline"].to_numpy(float)
        bad = ~np.isclose(x, y, rtol=rtol, atol=1e-6, equal_nan=True)
        if bad.any():
            raise AssertionError(f"{c} differs on {bad.sum()} rows:\n{m[bad].head(20)}")
    return len(m)


def _load() -> str:
    try:
        return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lots", type=float, nargs="+", default=[1.0, 10.0],
                    help="sizes in millions of awarded lots (default 1 10)")
    ap.add_argument("--baseline-max", type=float, default=10.0,
                    help="largest size (millions) on which the pandas baseline also runs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--synthetic", action="store_true",
                    help="use the vectorised synthetic tables instead of replicating "
                    "keino_metrics.demo output")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _run(*a.child)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import baseline_pandas

    print(f"subset compared with the baseline ({len(baseline_pandas.IDS)} ids): "
          + " ".join(baseline_pandas.IDS), flush=True)
    results = []
    for m in a.lots:
        n = int(m * 1_000_000)
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            data = t / "data"
            data.mkdir()
            t0 = time.perf_counter()
            if a.synthetic:
                generate(data, n, a.seed)
            else:
                n = generate_from_demo(data, n, a.seed)
            r = {"lots": n, "generate_s": time.perf_counter() - t0, "load_before": _load()}
            runs = {}
            for mode in MODES:
                if mode == "baseline" and m > a.baseline_max:
                    continue
                try:
                    runs[mode] = _child(mode, data, t / f"{mode}.parquet")
                except RuntimeError as err:  # e.g. the baseline runs out of memory
                    print(f"{n:,} lots: {err}", file=sys.stderr, flush=True)
                    continue
                r[mode] = runs[mode]
            if "baseline" in runs and "duckdb-subset" in runs:
                r["rows_compared"] = compare(pd.read_parquet(t / "duckdb-subset.parquet"),
                                             pd.read_parquet(t / "baseline.parquet"))
                r["speedup"] = runs["baseline"]["seconds"] / runs["duckdb-subset"]["seconds"]
                r["cpu_speedup"] = runs["baseline"]["cpu_s"] / runs["duckdb-subset"]["cpu_s"]
            r["load_after"] = _load()
        results.append(r)
        print(json.dumps(r), flush=True)
    print("\n        lots | subset: DuckDB s (cpu)  GB | baseline s (cpu)  GB | speed-up "
          "(cpu) | all: DuckDB s  GB")
    for r in results:
        d, al, b = r.get("duckdb-subset"), r.get("duckdb-all"), r.get("baseline")
        if d is None or al is None:
            print(f"{r['lots']:>12,} | DuckDB run failed (see above)")
            continue
        b = b if "speedup" in r else None
        base = (f"{b['seconds']:7.1f} ({b['cpu_s']:6.1f}) {b['peak_gb']:4.1f} | "
                f"{r['speedup']:4.1f}x ({r['cpu_speedup']:3.1f}x)" if b else
                "      -        -      - |    -        ")
        print(f"{r['lots']:>12,} | {d['seconds']:7.1f} ({d['cpu_s']:6.1f}) {d['peak_gb']:4.1f} | "
              f"{base} | {al['seconds']:7.1f} {al['peak_gb']:4.1f}")
    if len(results) > 1:
        a0, a1 = results[0], results[-1]
        x = a1["lots"] / a0["lots"]
        for mode in MODES:
            if mode in a0 and mode in a1:
                print(f"{mode}: time grows x{a1[mode]['seconds'] / a0[mode]['seconds']:.1f} "
                      f"(cpu x{a1[mode]['cpu_s'] / a0[mode]['cpu_s']:.1f}) for x{x:.1f} lots")


if __name__ == "__main__":
    main()
