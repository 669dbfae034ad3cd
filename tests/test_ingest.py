"""``ingest``: read, check, write Parquet, and the accounting text."""

from __future__ import annotations

from pathlib import Path

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
