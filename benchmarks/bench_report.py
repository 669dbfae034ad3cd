"""Benchmark: ``make report`` (annual and impact reports, fi, sv and en) against papermill's floor.

Times, on this machine and in this order:

1. the floor: papermill executing an empty notebook (one kernel started,
   nothing computed), the fastest of ``--floor-runs`` runs;
2. a first run after install: ``python -m keino_metrics report`` in a fresh
   project folder (``KEINO_PROJECT_ROOT`` pointing at a temporary folder that
   links the package's notebooks and the real samples, with no data and no
   reports), so the demo corpus is generated and validated first, as on a
   fresh clone; ``--no-first-run`` skips it;
3. a cold report run: the demo corpus is ready (generated and validated
   beforehand, exactly as the report reads it, and not counted) and the output
   folder is fresh, so no content is cached;
4. a warm report run into the same folder: the contents come from the cache,
   so only the figures, notebooks, HTML, tables and metadata are made.

and prints each time, its ratio to the floor and whether the first and the
cold run are within ``--aim`` seconds. The report runs are separate processes,
as ``make report`` is, so their imports are counted. Wall-clock times depend
on other load on the machine; the load averages are printed before and after,
and each run's processor time (user and system, children included) is printed
beside its wall time.

Usage::

    python benchmarks/bench_report.py
    python benchmarks/bench_report.py --languages fi en --floor-runs 3 --no-first-run
"""

from __future__ import annotations

import argparse
import os
import resource
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


def report(out: Path, languages: list[str], env: dict[str, str] | None = None
           ) -> tuple[float, float]:
    """Wall and processor time of one ``keino report`` run (both reports) as its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    cpu = _children_cpu()
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "keino_metrics", "report", "--no-progress",
                    "--out", str(out), "--language", *languages], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t, _children_cpu() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fresh_project(tmp: Path) -> Path:
    """A project folder as a fresh clone has it: notebooks and samples, no data, no reports."""
    root = tmp / "fresh"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "processed").mkdir()
    (root / "notebooks").symlink_to(ROOT / "notebooks")
    (root / "data" / "raw" / "samples").symlink_to(ROOT / "data" / "raw" / "samples")
    return root


def line(label: str, wall: float, cpu: float, base: float) -> str:
    return (f"{label:<40}{wall:6.1f} s  ratio to floor {wall / base:5.1f}  "
            f"(processor time {cpu:5.1f} s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--languages", nargs="+", default=["fi", "sv", "en"])
    ap.add_argument("--floor-runs", type=int, default=3)
    ap.add_argument("--aim", type=float, default=60.0, help="seconds for the first and cold run")
    ap.add_argument("--no-first-run", action="store_true",
                    help="skip the run in a fresh project folder")
    a = ap.parse_args()

    print(f"load averages before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="keino-bench-report-") as d:
        tmp = Path(d)
        base = floor(a.floor_runs, tmp)
        print(f"{'floor: papermill, empty notebook':<40}{base:6.1f} s")
        verdicts = []
        if not a.no_first_run:
            root = fresh_project(tmp)
            first, cpu = report(root / "reports", a.languages,
                                env={"KEINO_PROJECT_ROOT": str(root)})
            print(line("report, first run (demo data made)", first, cpu, base))
            verdicts.append(("first run", first))
        t = time.perf_counter()
        from keino_metrics.report import driver

        driver.load_data(None, seed=2024)  # the demo corpus as the report reads it
        print(f"demo data ready for the next runs in {time.perf_counter() - t:.1f} s "
              "(not counted)")
        cold, cpu = report(tmp / "reports", a.languages)
        print(line("report, cold (nothing cached)", cold, cpu, base))
        verdicts.append(("cold run", cold))
        warm, cpu = report(tmp / "reports", a.languages)
        print(line("report, warm (contents from the cache)", warm, cpu, base))
    for name, value in verdicts:
        print(f"aim: {name} within {a.aim:.0f} s: {'met' if value <= a.aim else 'NOT met'}")
    print(f"load averages after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
