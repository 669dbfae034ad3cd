"""Speed of the purchase-invoice reader against pandas.read_csv on the same bytes.

Writes a State Treasury layout file of ``--rows`` rows in memory (varied ids,
dates and amounts) and prints rows per second of
:func:`keino_metrics.readers.spend.parse` and of ``pandas.read_csv`` (all
columns as text, no checks), both run in this process, and their ratio::

    python -m benchmarks.bench_spend --rows 200000
"""

from __future__ import annotations

import argparse
import io
import time

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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    a = ap.parse_args(argv)
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
