"""Benchmark: format detection by structure against the byte-window sniff.

For every sample of each format (the real TED notices in ``data/raw/samples``
and the reader fixtures in ``tests/fixtures``), times in the same process

1. the baseline: the reader modules' ``sniff`` on the first 4 KB (how formats
   were told apart before detection read the structure), and
2. :func:`keino_metrics.readers.detection.reader_for` on the whole file,

and prints microseconds per file and the ratio detection / baseline per
format, with the share of the parse time of the file that detection costs
(``parse_input`` timed on the same files).

Usage::

    python benchmarks/bench_detection.py --repeat 200
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from keino_metrics.readers import detection, parse_input, registry
from keino_metrics.readers.inputs import Input

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT / "data" / "raw" / "samples", ROOT / "tests" / "fixtures" / "eforms",
           ROOT / "tests" / "fixtures" / "ted_legacy" / "ted-xml",
           ROOT / "tests" / "fixtures" / "hilma", ROOT / "tests" / "fixtures" / "ted_csv",
           ROOT / "tests" / "fixtures" / "real" / "ocds"]


def _sniff(head: bytes):
    for mod in registry.modules():
        if mod.sniff(head):
            return mod
    return None


def _per_file(fn, data: bytes, repeat: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn(data)
    return (time.perf_counter() - t0) / repeat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    files = [p for folder in FOLDERS for p in sorted(folder.rglob("*"))
             if p.suffix in (".xml", ".json") and p.is_file()]
    by_format: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for p in files:
        data = p.read_bytes()
        mod = detection.reader_for(data)
        if mod is None:
            continue
        base = _per_file(lambda d: _sniff(d[:4096]), data, args.repeat)
        new = _per_file(detection.reader_for, data, args.repeat)
        parse = _per_file(lambda d, name=p.name: parse_input(Input(name, data=d)), data,
                          max(1, args.repeat // 20))
        by_format[mod.FORMAT].append((base, new, parse))
    print(f"{'format':<11}{'files':>6}{'sniff us':>10}{'structure us':>14}{'ratio':>8}"
          f"{'share of parse':>16}")
    for fmt, rows in sorted(by_format.items()):
        base = sum(r[0] for r in rows) / len(rows)
        new = sum(r[1] for r in rows) / len(rows)
        parse = sum(r[2] for r in rows) / len(rows)
        print(f"{fmt:<11}{len(rows):>6}{base * 1e6:>10.1f}{new * 1e6:>14.1f}"
              f"{new / base:>8.1f}{new / parse:>15.1%}")


if __name__ == "__main__":
    main()
