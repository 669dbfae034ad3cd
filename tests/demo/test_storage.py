import json

import pandas as pd
import pytest

from keino_metrics import demo
from keino_metrics.demo import storage


def test_write_records_provenance(tmp_path):
    out = demo.write(tmp_path / "d", seed=5, scale=0.02)
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["demo"] is True
    assert prov["generator"] == demo.GENERATOR and prov["version"] == demo.VERSION
    assert (prov["seed"], prov["scale"], prov["years"]) == (5, 0.02, [2018, 2025])
    names = {p.stem for p in out.glob("*.parquet")}
    assert {"buyers", "notices", "lots", "awards", "hilma_statistics",
            "programme_participation", "lot_truth", "programme_truth",
            "capability_survey", "suppliers"} <= names


def test_parquet_bytes_are_deterministic(tmp_path):
    a = demo.write(tmp_path / "a", seed=5, scale=0.02)
    b = demo.write(tmp_path / "b", seed=5, scale=0.02)
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir())
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_load_generates_then_reads(tmp_path, monkeypatch):
    d = tmp_path / "demo"
    first = demo.load(d, seed=5, scale=0.02)
    assert storage.matches(d, 5, 0.02)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp dirs left

    def fail(*args, **kwargs):
        raise AssertionError("load regenerated a matching directory")

    monkeypatch.setattr(storage, "generate", fail)
    second = demo.load(d, seed=5, scale=0.02)
    for name, df in first.tables().items():
        pd.testing.assert_frame_equal(df, second[name], obj=name)
    pd.testing.assert_frame_equal(first.extra["lot_truth"], second.extra["lot_truth"])


def test_ensure_writes_once_and_reads_nothing(tmp_path, monkeypatch):
    d = tmp_path / "demo"
    assert demo.ensure(d, seed=5, scale=0.02) == d
    assert storage.matches(d, 5, 0.02)
    written = {p.name: p.stat().st_mtime_ns for p in d.iterdir()}

    def fail(*args, **kwargs):
        raise AssertionError("ensure regenerated or read a matching directory")

    monkeypatch.setattr(storage, "generate", fail)
    monkeypatch.setattr(storage.Dataset, "from_parquet", fail)
    assert demo.ensure(d, seed=5, scale=0.02) == d
    assert {p.name: p.stat().st_mtime_ns for p in d.iterdir()} == written


def test_load_replaces_other_parameters(tmp_path):
    d = tmp_path / "demo"
    demo.load(d, seed=5, scale=0.02)
    other = demo.load(d, seed=6, scale=0.02)
    assert other.provenance["seed"] == 6
    assert json.loads((d / "provenance.json").read_text())["seed"] == 6
    assert not storage.matches(d, 5, 0.02)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_round_trip_keeps_schema(tmp_path):
    from keino_metrics import datamodel

    data = demo.load(tmp_path / "demo", seed=5, scale=0.02)
    for table in datamodel.TABLE_NAMES:
        datamodel.schema(table).validate(data[table], lazy=True)


@pytest.mark.parametrize("content", ["", "{not json", json.dumps({"demo": True})])
def test_matches_rejects_foreign_directories(tmp_path, content):
    (tmp_path / "provenance.json").write_text(content)
    assert not storage.matches(tmp_path, 2024, 1.0)


def test_default_directory_is_data_raw_demo():
    d = storage.default_directory()
    assert d.parts[-3:] == ("data", "raw", "demo")
