"""Unit frames: a frame leaves out the joins whose columns no requested indicator reads."""

from __future__ import annotations

import pytest

from keino_metrics.indicators.frames import load_frames


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_notice_frame_without_its_joins(tiny, engine):
    frames = load_frames(tiny, engine)
    frames.keep["notices"] = {"notice_id", "buyer_id", "year"}
    out = frames.collect(frames.frame("notices"))
    assert len(out) == 7
    assert out["sme_considered"].isna().all()  # not read, hence not known: null, not false
