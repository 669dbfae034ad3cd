"""Benchmark: the whole indicator catalogue by year and region on DuckDB over Parquet.

Builds canonical tables with N million awarded lots - by default a seeded,
vectorised generator shaped like the canonical model (1 000 buyers, two lots
per procedure, contract notices for 70 % of procedures, Hilma answers on 60 %
of lots, eForms strategic fields on 10 %); with ``--from-demo`` by replicating
and perturbing the demo generator's output - writes them as Parquet, then runs in
separate processes (so that peak memory is the process's own maximum resident
set size, which also counts DuckDB's native memory):

* ``duckdb`` - ``compute("all", <parquet dir>, by=["year", "region_code"])``
* ``pandas`` - the baseline: the same definitions executed eagerly on pandas
  after reading the Parquet files with pandas.

Usage::

    python benchmarks/bench_indicators.py --lots 1 10 --baseline-max 1

prints seconds, the speed ratio against the baseline and peak memory for each
size, and how time grows with the number of lots.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
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
    from keino_metrics.indicators.frames import _survey_frame, _to_arrow

    data = demo.generate(seed=seed, scale=scale)
    rng = np.random.default_rng(seed)
    base = {name: _to_arrow(name, getattr(data, name))
            for name in ("notices", "lots", "awards", "hilma_statistics")}
    pq.write_table(_to_arrow("buyers", data.buyers), directory / "buyers.parquet")
    pq.write_table(pa.Table.from_pandas(_survey_frame(data), preserve_index=False),
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


def _run(engine: str, directory: str) -> None:
    """Child process: compute the catalogue, print seconds and peak memory as JSON."""
    t0 = time.perf_counter()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a clone
    from keino_metrics.indicators import compute

    if engine == "duckdb":
        res = compute("all", directory, by=["year", "region_code"], engine="duckdb")
    else:
        from keino_metrics.dataset import Dataset

        data = Dataset.from_parquet(directory)
        res = compute("all", data, by=["year", "region_code"], engine="pandas")
    secs = time.perf_counter() - t0
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(json.dumps({"engine": engine, "seconds": secs, "peak_gb": rss_gb,
                      "rows": len(res.to_frame())}))


def _child(engine: str, directory: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", engine, str(directory)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{engine} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lots", type=float, nargs="+", default=[1.0, 10.0],
                    help="sizes in millions of awarded lots (default 1 10)")
    ap.add_argument("--baseline-max", type=float, default=1.0,
                    help="largest size (millions) on which the pandas baseline also runs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--from-demo", action="store_true",
                    help="replicate keino_metrics.demo output instead of the synthetic tables")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _run(*a.child)
        return
    results = []
    for m in a.lots:
        n = int(m * 1_000_000)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            if a.from_demo:
                n = generate_from_demo(Path(tmp), n, a.seed)
            else:
                generate(Path(tmp), n, a.seed)
            gen = time.perf_counter() - t0
            duck = _child("duckdb", Path(tmp))
            base = _child("pandas", Path(tmp)) if m <= a.baseline_max else None
        r = {"lots": n, "generate_s": gen, "duckdb_s": duck["seconds"],
             "duckdb_peak_gb": duck["peak_gb"], "result_rows": duck["rows"]}
        if base:
            r.update(pandas_s=base["seconds"], pandas_peak_gb=base["peak_gb"],
                     speedup=base["seconds"] / duck["seconds"])
        results.append(r)
        print(json.dumps(r), flush=True)
    print("\nlots        duckdb s  peak GB   pandas s  peak GB   speed-up")
    for r in results:
        print(f"{r['lots']:>10,}  {r['duckdb_s']:8.1f}  {r['duckdb_peak_gb']:7.2f}   "
              + (f"{r['pandas_s']:8.1f}  {r['pandas_peak_gb']:7.2f}   {r['speedup']:6.1f}x"
                 if "pandas_s" in r else "       -        -         -"))
    if len(results) > 1:
        a0, a1 = results[0], results[-1]
        print(f"time grows x{a1['duckdb_s'] / a0['duckdb_s']:.1f} for x"
              f"{a1['lots'] / a0['lots']:.0f} lots on DuckDB")


if __name__ == "__main__":
    main()
