"""Benchmark: build the static site of the demo corpus in three languages.

Times in the same process

1. the baseline: one ``km.compute`` of the site's indicators by year (the
   national trend, the smallest of the site's four grouped computations), and
2. :func:`keino_metrics.site.build_site` into a temporary folder,

and prints the pages written, the processor time and the load average
(others may share the machine), pages per second, the seconds and shares of
computing (the four grouped computations and the content) and of rendering
(templates, CSV files, writing), and the build time as a ratio of the
baseline, which says how the build scales on a machine of another speed. Data
loading (the validation boundary) is timed apart: it is shared with
``keino report``.

The demo corpus is the site's: with its purchase invoices, so the spend
indicators of the buyer pages are part of the computation.

Usage::

    python benchmarks/bench_site.py --language fi sv en
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import keino_metrics as km
from keino_metrics.site import build_site
from keino_metrics.site.build import load_data
from keino_metrics.site.content import ENGINE, site_ids

#: Seconds the demo site may take in three languages (compute and render).
BUDGET_S = 60.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="default: the demo corpus")
    ap.add_argument("--language", nargs="+", default=["fi", "sv", "en"])
    a = ap.parse_args()
    load0 = " ".join(f"{x:.1f}" for x in os.getloadavg())
    t0 = time.perf_counter()
    data = load_data(a.data_dir)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    km.compute(list(site_ids()), data, by=["year"], engine=ENGINE)
    base_s = time.perf_counter() - t0
    cpu0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        r = build_site(Path(tmp) / "site", data=data, language=a.language)
    cpu_s = time.process_time() - cpu0
    build_s = r.seconds_compute + r.seconds_render
    print(f"data loaded and validated in {load_s:.1f} s (not part of the build); "
          f"{len(data.spend)} invoice rows")
    print(f"baseline: one computation by year in {base_s:.2f} s ({ENGINE})")
    print(f"site: {r.pages} pages, {r.buyers} buyers, languages {' '.join(r.languages)}")
    print(f"build {build_s:.1f} s = compute {r.seconds_compute:.1f} s "
          f"({100 * r.seconds_compute / build_s:.0f} %) + render {r.seconds_render:.1f} s "
          f"({100 * r.seconds_render / build_s:.0f} %)")
    print(f"pages per second: {r.pages / build_s:.1f} overall, "
          f"{r.pages / r.seconds_render:.1f} rendering")
    print(f"build / baseline ratio: {build_s / base_s:.1f}")
    print(f"processor time of the build: {cpu_s:.1f} s on {os.cpu_count()} cores; load "
          f"average before / after: {load0} / {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"budget {BUDGET_S:.0f} s: {'within' if build_s <= BUDGET_S else 'over'} "
          f"({build_s:.1f} s)")


if __name__ == "__main__":
    main()
