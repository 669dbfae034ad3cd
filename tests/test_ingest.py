"""``ingest``: read, check, write Parquet, and the accounting text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keino_metrics.dataset import Dataset
from keino_metrics.ingest import format_accounting, ingest

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "raw" / "samples"


def test_ingest_writes_parquet_and_reports(tmp_path):
    legacy = sorted((SAMPLES / "ted-legacy").glob("21-*.xml"))
    (tmp_path / "junk.xml").write_bytes(b"<TED_EXPORT><broken")
    ds = ingest([*legacy, tmp_path / "junk.xml"], tmp_path / "out", workers=1,
                progress=False)
    back = Dataset.from_parquet(tmp_path / "out")
    assert len(back.notices) == len(ds.notices) == len(legacy)
    assert len(back.quarantine) == 1
    text = format_accounting(ds)
    assert "ted-legacy" in text and "ok" in text and "UNBALANCED" not in text
    (total,) = [line.split() for line in text.splitlines() if line.startswith("total")]
    issues = len(ds.field_issues)
    assert total[1:] == [str(len(legacy) + 1)] * 2 + [str(len(legacy)), "1", str(issues)]
    assert "malformed or truncated XML" in text


def test_killed_ingest_never_leaves_an_output_that_reads(tmp_path):
    """Kill ``keino ingest`` in the middle of writing its tables: the output folder
    is either absent (first run) or the earlier complete output (overwrite)."""
    import subprocess
    import sys
    import time

    legacy = sorted((SAMPLES / "ted-legacy").glob("2*.xml"))[:10]
    out, marks = tmp_path / "out", tmp_path / "tables-written"
    root = Path(__file__).resolve().parents[1]
    # every table written is counted in ``marks``; after the PAUSE_AT-th the
    # process waits, so that the test kills it while the output is half-written
    code = ("import os, sys, time, pandas as pd\nreal = pd.DataFrame.to_parquet\n"
            "def slow(self, *a, **k):\n    real(self, *a, **k)\n"
            f"    with open({str(marks)!r}, 'a') as fh: fh.write('x')\n"
            f"    if os.path.getsize({str(marks)!r}) == int(os.environ['PAUSE_AT']):\n"
            "        time.sleep(60)\n"
            "pd.DataFrame.to_parquet = slow\n"
            "from keino_metrics.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    args = [sys.executable, "-c", code, "ingest", *map(str, legacy), "--out", str(out),
            "--overwrite", "--workers", "1", "--no-progress"]

    def run_and_kill(after_tables: int) -> None:
        marks.write_text("", encoding="utf-8")
        proc = subprocess.Popen(args, cwd=root, env={**os.environ, "PAUSE_AT": str(after_tables)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while len(marks.read_text(encoding="utf-8")) < after_tables:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            proc.kill()
            proc.wait()

    for k in (1, 4, 9):  # first run, killed: nothing at --out
        run_and_kill(k)
        assert not out.exists()
    subprocess.run(args, cwd=root, env={**os.environ, "PAUSE_AT": "0"}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    complete = Dataset.from_parquet(out)
    assert len(complete.notices) == len(legacy)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for k in (1, 4, 9):  # overwrite, killed: the earlier output, whole
        run_and_kill(k)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert len(Dataset.from_parquet(out).notices) == len(legacy)
    for leftover in tmp_path.glob(".out.*"):  # temporary folders of killed runs
        with pytest.raises(ValueError, match="manifest"):
            Dataset.from_parquet(leftover)
