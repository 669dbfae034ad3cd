from __future__ import annotations

import pandas as pd

from keino_metrics import Dataset, datamodel


def _small() -> Dataset:
    lots = datamodel.conform("lots", pd.DataFrame({
        "notice_id": ["n1"], "lot_id": ["LOT-0001"], "green_procurement": [["circ-econ"]],
        "title": ["Kalusteet"]}))
    acc = pd.DataFrame([{"input": "a.xml", "source": "eforms", "unit": "notice", "rows_in": 2,
                         "rows_accepted": 1, "rows_quarantined": 1}])
    return Dataset(lots=lots, accounting=acc, extra={"lot_truth": pd.DataFrame({"x": [1]})},
                   provenance={"demo": True})


def test_parquet_round_trip(tmp_path):
    d = _small()
    d.to_parquet(tmp_path)
    back = Dataset.from_parquet(tmp_path)
    assert back.lots.loc[0, "green_procurement"] == ["circ-econ"]
    assert back.lots.loc[0, "title"] == "Kalusteet"
    assert back.provenance == {"demo": True}
    assert list(back.extra) == ["lot_truth"]
    pd.testing.assert_frame_equal(back.accounting, d.accounting)


def test_concat_and_accounting_summary():
    both = Dataset.concat([_small(), _small()])
    assert len(both.lots) == 2 and len(both.extra["lot_truth"]) == 2
    s = both.accounting_summary()
    assert s.loc[0, "rows_in"] == 4 and bool(s.loc[0, "balanced"])
    assert "[ok]" in both.summary()


def test_frozen_and_replace():
    d = _small()
    e = d.replace(lots=d.lots.iloc[:0])
    assert len(d.lots) == 1 and len(e.lots) == 0
    assert d["lot_truth"] is d.extra["lot_truth"]


def test_manifest_lists_every_file_with_rows_and_hash(tmp_path):
    import json

    out = _small().to_parquet(tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = manifest["files"]
    assert set(files) == {p.name for p in out.iterdir()} - {"manifest.json"}
    assert files["lots.parquet"]["rows"] == 1 and len(files["lots.parquet"]["sha256"]) == 64
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_from_parquet_refuses_incomplete_or_mixed_folders(tmp_path):
    import pytest

    out = _small().to_parquet(tmp_path / "out")
    (out / "stray.parquet").write_bytes((out / "lots.parquet").read_bytes())
    with pytest.raises(ValueError, match="not listed"):
        Dataset.from_parquet(out)
    (out / "stray.parquet").unlink()
    lots = (out / "lots.parquet").read_bytes()
    (out / "lots.parquet").write_bytes(lots[:4])  # a write cut short
    with pytest.raises(ValueError, match="differs"):
        Dataset.from_parquet(out)
    (out / "lots.parquet").write_bytes(lots)
    (out / "manifest.json").unlink()
    with pytest.raises(ValueError, match="no manifest.json"):
        Dataset.from_parquet(out)


def test_existing_folder_is_refused_or_replaced_whole(tmp_path):
    import pytest

    out = _small().to_parquet(tmp_path / "out")
    with pytest.raises(FileExistsError, match="not empty"):
        Dataset().to_parquet(out)
    (out / "extra_from_before.parquet").write_bytes(b"x")
    Dataset().to_parquet(out, overwrite=True)
    assert not (out / "extra_from_before.parquet").exists()
    assert not (out / "lot_truth.parquet").exists()
    assert len(Dataset.from_parquet(out).lots) == 0
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a folder"):
        Dataset().to_parquet(tmp_path / "file", overwrite=True)


def test_a_failure_while_writing_leaves_the_earlier_output_untouched(tmp_path, monkeypatch):
    import pytest

    out = _small().to_parquet(tmp_path / "out")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = {"n": 0}
    real = pd.DataFrame.to_parquet

    def fail_on_third(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail_on_third)
    with pytest.raises(OSError, match="disk full"):
        Dataset().to_parquet(out, overwrite=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # temporary folder removed
