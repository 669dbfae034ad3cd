"""Pieces of the unit frames: contract-notice rows combined per procedure and lot."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import pandas as pd
import pytest

from keino_metrics.indicators.frames import load_frames


def _rows(frames, df: pd.DataFrame) -> nw.LazyFrame:
    if frames.engine == "duckdb":
        return nw.from_native(frames.con.from_df(df)).lazy()
    return nw.from_native(df).lazy()


def _combined(tiny, engine: str, procedures: list[str], lots: list[str]) -> pd.DataFrame:
    """Three contract-notice rows (value 1, missing, 3; flag true, missing, false)
    of the given procedures and lots, combined per procedure and lot."""
    frames = load_frames(tiny, engine)
    df = pd.DataFrame({"procedure_id": procedures, "lot_id": lots,
                       "value": [1.0, None, 3.0], "flag": [True, None, False]})
    out = frames.collect(frames.combined(_rows(frames, df), ["value", "flag"]))
    return out.sort_values(["procedure_id", "lot_id"], ignore_index=True)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_repeated_rows_take_the_largest_value(tiny, engine):
    out = _combined(tiny, engine, ["P1", "P1", "P2"], ["L1", "L1", "L1"])
    assert out["procedure_id"].tolist() == ["P1", "P2"]
    assert out["value__cn"].tolist() == [1.0, 3.0]
    assert out["flag__cn"].tolist() == [True, False]


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_unique_rows_are_taken_as_they_are(tiny, engine):
    out = _combined(tiny, engine, ["P1", "P2", "P2"], ["L1", "L1", "L2"])
    assert list(out.columns) == ["procedure_id", "lot_id", "value__cn", "flag__cn"]
    assert out["value__cn"].isna().tolist() == [False, True, False]
    assert out["value__cn"].iloc[[0, 2]].tolist() == [1.0, 3.0]
    flags = out["flag__cn"].tolist()
    assert bool(flags[0]) and pd.isna(flags[1]) and not bool(flags[2])
