"""Large data computed by DuckDB in parts of procedures gives the numbers of one pass."""

from __future__ import annotations

import dataclasses

import pytest

from keino_metrics import demo
from keino_metrics.indicators import compute, partitions
from keino_metrics.indicators.frames import load_frames
from tests.indicators.test_engines import _same


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo")
    demo.generate(seed=3, scale=0.05).to_parquet(d)
    return d


@pytest.mark.parametrize("by", [["year", "region_code"], ["cpv_division", "procedure_type"],
                                []])
def test_parts_give_the_numbers_of_one_pass(demo_dir, by, monkeypatch):
    whole = compute("all", demo_dir, by=by, engine="duckdb").to_frame()
    monkeypatch.setattr(partitions, "PART_ROWS", 2500)
    assert load_frames(demo_dir, "duckdb").parts() >= 3
    parted = compute("all", demo_dir, by=by, engine="duckdb").to_frame()
    _same(whole, parted, by)


def test_part_tables_are_dropped(demo_dir):
    f = load_frames(demo_dir, "duckdb")
    before = set(r[0] for r in f.con.execute("SHOW TABLES").fetchall())
    p = f.part(0, 3)
    p.frame("lot_results")
    notices = p.collect(p.tables["notices"].select("procedure_id"))
    assert 0 < len(notices) < len(f.collect(f.tables["notices"].select("procedure_id")))
    p.close()
    assert set(r[0] for r in f.con.execute("SHOW TABLES").fetchall()) == before


def test_one_part_below_the_size(demo_dir):
    assert load_frames(demo_dir, "duckdb").parts() == 1
    assert load_frames(demo_dir, "pandas").parts() == 1


def _types(lf) -> dict[str, str]:
    rel = lf.to_native()
    return {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}


def test_part_keys_replace_identifiers(demo_dir):
    f = load_frames(demo_dir, "duckdb")
    p = f.part(1, 3)
    try:
        types = _types(p.tables["notices"])
        assert types["notice_id"] == "UBIGINT" and types["procedure_id"] == "UBIGINT"
        assert "_procedure_ref" not in types  # checked, then dropped
        lots = p.collect(p.frame("lot_results").select("notice_id"))
        assert len(lots) > 0
    finally:
        p.close()


def test_parts_keep_identifiers_where_keys_collide(demo_dir, monkeypatch):
    """A part whose keys are not one-to-one computes with the text identifiers."""
    whole = compute("all", demo_dir, by=["year"], engine="duckdb").to_frame()
    monkeypatch.setattr(partitions, "PART_ROWS", 2500)
    monkeypatch.setattr(partitions, "_keys_one_to_one", lambda notices: False)
    p = load_frames(demo_dir, "duckdb").part(0, 3)
    assert _types(p.tables["notices"])["notice_id"] == "VARCHAR"
    p.close()
    _same(whole, compute("all", demo_dir, by=["year"], engine="duckdb").to_frame(), ["year"])


def test_parts_with_notices_without_procedure(tmp_path, monkeypatch):
    """Notices without a procedure stay without one in parts (a null key, not a
    shared one), as in one pass."""
    data = demo.generate(seed=5, scale=0.03)
    notices = data.notices.copy()
    notices.loc[notices.index[::7], "procedure_id"] = None
    dataclasses.replace(data, notices=notices).to_parquet(tmp_path)
    whole = compute("all", tmp_path, by=["year", "region_code"], engine="duckdb").to_frame()
    monkeypatch.setattr(partitions, "PART_ROWS", 1500)
    assert load_frames(tmp_path, "duckdb").parts() >= 3
    parted = compute("all", tmp_path, by=["year", "region_code"], engine="duckdb").to_frame()
    _same(whole, parted, ["year", "region_code"])


def test_parts_with_a_repeated_notice(tmp_path, monkeypatch):
    """A notice given twice makes its part keep the text identifiers (the numbers
    stay those of one pass, repeated rows and all)."""
    import pandas as pd

    data = demo.generate(seed=6, scale=0.03)
    notices = pd.concat([data.notices, data.notices.iloc[[10]]], ignore_index=True)
    dataclasses.replace(data, notices=notices).to_parquet(tmp_path)
    whole = compute("all", tmp_path, by=["year"], engine="duckdb").to_frame()
    monkeypatch.setattr(partitions, "PART_ROWS", 1500)
    f = load_frames(tmp_path, "duckdb")
    parts = f.parts()
    kinds = []
    for k in range(parts):
        p = f.part(k, parts)
        kinds.append(_types(p.tables["notices"])["notice_id"])
        p.close()
    assert sorted(set(kinds)) == ["UBIGINT", "VARCHAR"] and kinds.count("VARCHAR") == 1
    _same(whole, compute("all", tmp_path, by=["year"], engine="duckdb").to_frame(), ["year"])
