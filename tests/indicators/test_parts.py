"""Large data computed by DuckDB in parts of procedures gives the numbers of one pass."""

from __future__ import annotations

import pytest

from keino_metrics import demo
from keino_metrics.indicators import compute, frames
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
    monkeypatch.setattr(frames, "PART_ROWS", 2500)
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
