"""Benchmark: ``make report`` (annual and impact reports, fi, sv and en) against papermill's floor.

Times, on this machine and in this order:

1. the floor: papermill executing an empty notebook (one kernel started,
   nothing computed), the fastest of ``--floor-runs`` runs;
2. a cold report run: ``python -m keino_metrics report --language fi sv en``
   into a fresh output folder, so nothing is cached (the demo data are
   generated first when missing, and that time is printed apart and not
   counted);
3. a warm report run into the same folder: the contents come from the cache,
   so only the notebooks, HTML, figures, tables and metadata are made.

and prints each time, its ratio to the floor and whether the cold run is
within ``--aim`` seconds. The report runs are separate processes, as
``make report`` is, so their imports are counted. Wall-clock times depend on
other load on the machine; the load averages are printed before and after.

Usage::

    python benchmarks/bench_report.py
    python benchmarks/bench_report.py --languages fi en --floor-runs 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill as pm

ROOT = Path(__file__).resolve().parents[1]


def floor(runs: int, tmp: Path) -> float:
    """Fastest wall time of papermill executing an empty notebook."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    src = tmp / "empty.ipynb"
    nbformat.write(nb, src)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        pm.execute_notebook(str(src), str(tmp / "empty_out.ipynb"), kernel_name="python3",
                            progress_bar=False, log_output=False, cwd=str(ROOT))
        times.append(time.perf_counter() - t)
    return min(times)


def report(out: Path, languages: list[str]) -> float:
    """Wall time of one ``keino report`` run (both reports) as its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "keino_metrics", "report", "--no-progress",
                    "--out", str(out), "--language", *languages], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--languages", nargs="+", default=["fi", "sv", "en"])
    ap.add_argument("--floor-runs", type=int, default=3)
    ap.add_argument("--aim", type=float, default=60.0, help="seconds for the cold run")
    a = ap.parse_args()

    print(f"load averages before: {os.getloadavg()}")
    t = time.perf_counter()
    from keino_metrics import demo, paths

    demo.load(directory=paths.demo_dir())
    print(f"demo data ready in {time.perf_counter() - t:.1f} s (not counted)")
    with tempfile.TemporaryDirectory(prefix="keino-bench-report-") as d:
        tmp = Path(d)
        base = floor(a.floor_runs, tmp)
        print(f"floor: papermill, empty notebook        {base:6.1f} s")
        cold = report(tmp / "reports", a.languages)
        print(f"report, cold (nothing cached)           {cold:6.1f} s  "
              f"ratio to floor {cold / base:5.1f}")
        warm = report(tmp / "reports", a.languages)
        print(f"report, warm (contents from the cache)  {warm:6.1f} s  "
              f"ratio to floor {warm / base:5.1f}")
    print(f"aim: cold run within {a.aim:.0f} s: {'met' if cold <= a.aim else 'NOT met'}")
    print(f"load averages after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
