"""The engine session: null columns that stand for a join no requested indicator reads."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import pytest

from keino_metrics.indicators.frames import load_frames


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_left_out_columns_are_typed_nulls(tiny, engine):
    frames = load_frames(tiny, engine)
    kinds = {"s": "str", "b": "bool", "i": "int", "d": "date"}
    lf = frames.session.with_nulls(frames.tables["buyers"], kinds)
    schema = lf.collect_schema()
    assert [schema[c] for c in kinds] == [nw.String(), nw.Boolean(), nw.Int64(),
                                          nw.Datetime("us")]
    out = frames.collect(lf)
    assert len(out) == 3
    assert all(out[c].isna().all() for c in kinds)
