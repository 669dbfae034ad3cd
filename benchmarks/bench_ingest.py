"""Benchmark: ingest of a large folder of notices against a bare lxml parse.

Generates a folder of ``--n`` notices (default 100,000): copies of the real
notices in ``data/raw/samples`` with fresh publication numbers, so that none
is a duplicate. Then, in the same process, times

1. the baseline: reading every file and parsing it with lxml (no extraction),
   on a pool of the same number of worker processes (``forkserver``, ``imap``,
   the same chunk size), timed before and after ingest and averaged;
2. ``keino_metrics.ingest.ingest``: read, check, assemble and write Parquet.

and prints notices per second and the ratio ingest / baseline (aim: <= 2),
and how many bytes the readers gave to the XML parser against the bytes read
(the legacy TED reader parses only the original-language form; the baseline
parses every byte). Peak resident memory of the main process is printed too:
it must not grow with ``--n`` beyond the size of the tables kept.

Wall-clock figures depend on other load on the machine (the load averages
are printed); the single-process CPU-time comparison (printed for ``--n`` up
to 20,000) does not.

Usage::

    python benchmarks/bench_ingest.py --n 5000
    python benchmarks/bench_ingest.py            # 100,000 notices (about 5 GB on disk)
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "raw" / "samples"

_EFORMS_ID = re.compile(rb'(<efbc:NoticePublicationID[^>]*>)(\d+)-(\d{4})(<)')
_LEGACY_ID = re.compile(rb'(DOC_ID=")(\d+)-(\d{4})(")')
_FOLDER_ID = re.compile(rb"(<cbc:ContractFolderID>)([^<]*)(<)")
_OJ_REF = re.compile(rb"(\d{4})/S (\d{3})-(\d{6})")


def _templates() -> list[bytes]:
    out = []
    for p in sorted(SAMPLES.rglob("*.xml")):
        if p.name.endswith("-modif.xml"):
            continue  # an edited copy of another sample
        out.append(p.read_bytes())
    return out


def generate(folder: Path, n: int) -> int:
    """Write ``n`` notices with fresh ids into ``folder`` (1,000 per subfolder)."""
    templates = _templates()
    total = 0
    for i in range(n):
        data = templates[i % len(templates)]
        new = 50_000_000 + i
        if _EFORMS_ID.search(data):
            data = _EFORMS_ID.sub(lambda m, new=new: m.group(1) + f"{new:08d}".encode()
                                  + b"-" + m.group(3) + m.group(4), data, count=1)
            # a fresh procedure too, so that copies do not supersede each other
            data = _FOLDER_ID.sub(lambda m, new=new: m.group(1) + f"bench-{new}".encode()
                                  + m.group(3), data, count=1)
        else:
            data = _LEGACY_ID.sub(lambda m, new=new: m.group(1) + f"{new:08d}".encode()
                                  + b"-" + m.group(3) + m.group(4), data, count=1)
            data = _OJ_REF.sub(lambda m, new=new: m.group(1) + b"/S 001-"
                               + f"{new % 1_000_000:06d}".encode(), data)
        sub = folder / f"{i // 1000:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"notice-{i:07d}.xml").write_bytes(data)
        total += len(data)
    return total


_PARSER = None


def _bare_parse(path: str) -> int:
    global _PARSER
    if _PARSER is None:  # one parser per process, as the readers do
        # the settings of keino_metrics.readers.xmlsafe.parser (not imported:
        # the baseline's workers import lxml only)
        _PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                  huge_tree=False, remove_comments=True, dtd_validation=False)
    with open(path, "rb") as fh:
        root = etree.fromstring(fh.read(), _PARSER)
    return len(root)


def baseline(folder: Path, workers: int, chunksize: int = 64) -> float:
    """Seconds to read and bare-parse every file on ``workers`` processes."""
    files = [str(p) for p in sorted(folder.rglob("*.xml"))]
    if workers <= 1:
        t0 = time.process_time()
        for f in files:
            _bare_parse(f)
        return time.process_time() - t0
    t0 = time.perf_counter()
    ctx = mp.get_context("forkserver")  # as keino_metrics.readers.read
    with ctx.Pool(workers) as pool:
        for _ in pool.imap(_bare_parse, files, chunksize=chunksize):
            pass
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="notices to generate")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: temporary)")
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from keino_metrics.ingest import format_accounting, ingest

    work = Path(args.dir or tempfile.mkdtemp(prefix="keino-bench-"))
    folder = work / "notices"
    out = work / "out"
    try:
        t0 = time.perf_counter()
        size = generate(folder, args.n)
        gen = time.perf_counter() - t0
        print(f"generated {args.n:,} notices ({size / 1e6:,.0f} MB) in {gen:.1f} s "
              f"into {folder}")
        load0 = os.getloadavg()
        base = baseline(folder, args.workers)
        # single process, CPU seconds: insensitive to other load on the machine
        base1 = read1 = float("nan")
        if args.n <= 20_000:
            from keino_metrics.readers import read

            base1 = baseline(folder, 1)
            c0 = time.process_time()
            read(folder, workers=1, progress=False)
            read1 = time.process_time() - c0
        t0 = time.perf_counter()
        ds = ingest(folder, out, workers=args.workers, progress=sys.stderr.isatty(),
                    overwrite=True)
        ing = time.perf_counter() - t0
        # the baseline again: other load on the machine changes over a run
        base_after = baseline(folder, args.workers)
        base_before, base = base, (base + base_after) / 2
        parse = ds.provenance["read"]["parse_seconds"]
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(format_accounting(ds))
        print(f"workers                      {args.workers}")
        print(f"bare lxml parse ({args.workers} procs)   {args.n / base:10,.0f} notices/s "
              f"({base:.1f} s; {base_before:.1f} s before ingest, {base_after:.1f} s after)")
        if base1 == base1:
            print(f"1 process, CPU time: bare parse {args.n / base1:,.0f} notices/s "
                  f"({base1:.1f} s), read {args.n / read1:,.0f} notices/s ({read1:.1f} s), "
                  f"ratio {read1 / base1:.2f}")
        print(f"read (parse + extract)       {args.n / parse:10,.0f} notices/s ({parse:.1f} s)")
        print(f"ingest (read+check+Parquet)  {args.n / ing:10,.0f} notices/s ({ing:.1f} s)")
        print(f"ratio read / bare parse      {parse / base:10.2f}")
        b_in, b_parsed = ds.provenance["read"]["bytes_in"], ds.provenance["read"]["bytes_parsed"]
        print(f"bytes parsed by the readers  {b_parsed / 1e6:10,.0f} MB of {b_in / 1e6:,.0f} MB "
              f"read ({b_parsed / b_in:.0%}); the baseline parses all of them")
        print(f"ratio ingest / bare parse    {ing / base:10.2f}   (aim <= 2)")
        print(f"peak RSS main process        {rss_mb:10,.0f} MB")
        load1 = os.getloadavg()
        print("load average (1, 5, 15 min) before "
              + ", ".join(f"{v:.2f}" for v in load0) + "; after "
              + ", ".join(f"{v:.2f}" for v in load1))
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
