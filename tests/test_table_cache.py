"""The cache of results computed from tables, keyed by the tables' identity."""

from __future__ import annotations

import pandas as pd

from keino_metrics.table_cache import TableCache


def test_same_tables_hit_and_other_tables_miss():
    cache: TableCache[int] = TableCache(size=2)
    calls = []
    a, b = pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1, 2]})

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.get([a], "k", compute) == 1
    assert cache.get([a], "k", compute) == 1        # same object: no new computation
    assert cache.get([b], "k", compute) == 2        # equal content, other object: computed
    assert cache.get([a], "other", compute) == 3    # other extra key
    assert len(cache) == 2                          # the oldest was dropped
    with cache.disabled():
        assert cache.get([b], "k", compute) == 4
    cache.clear()
    assert len(cache) == 0


def test_a_freed_table_whose_id_is_reused_is_not_a_hit():
    cache: TableCache[str] = TableCache(size=4)
    first = pd.DataFrame({"x": [1]})
    cache.get([first], "k", lambda: "first")
    del first
    for _ in range(50):  # new objects of the same length, some may reuse the freed id
        assert cache.get([pd.DataFrame({"x": [2]})], "k", lambda: "new") == "new"


def test_engine_converts_a_dataset_once_for_several_computations(monkeypatch):
    from keino_metrics import demo
    from keino_metrics.indicators import compute, engine

    data = demo.generate(seed=3, scale=0.02)
    calls = []
    original = engine._prepare_pandas_tables

    def spy(d, absent):
        calls.append(1)
        return original(d, absent)

    monkeypatch.setattr(engine, "_prepare_pandas_tables", spy)
    engine._ARROW.clear()
    first = compute(["SMS-01"], data, engine="pandas").to_frame()
    second = compute(["SMS-01"], data, engine="pandas").to_frame()
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, second)
