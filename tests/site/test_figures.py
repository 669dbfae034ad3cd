"""Chart specifications are plotly JSON with intervals and no invented values."""

from __future__ import annotations

import json
import math

from keino_metrics.site import figures


def test_trend_scales_shares_and_keeps_gaps():
    spec = figures.trend("t", [2024, 2025], [{"name": "a", "values": [0.1, math.nan],
                                                "low": [0.05, None], "high": [0.2, None]}],
                         "share")
    tr = spec["data"][0]
    assert tr["y"] == [10.0, None]
    assert tr["error_y"]["array"] == [10.0, None]
    assert tr["error_y"]["arrayminus"] == [5.0, None]
    json.dumps(spec, allow_nan=False)


def test_peers_one_trace_per_group():
    groups = [{"name": n, "values": [0.5], "low": [0.4], "high": [0.6]} for n in "ab"]
    spec = figures.peers("p", ["x"], groups, "share")
    assert [t["name"] for t in spec["data"]] == ["a", "b"]


def test_ranking_and_distribution_drop_missing_values():
    spec = figures.distribution("d", [0.1, math.nan, 0.3], "share", "axis")
    assert spec["data"][0]["x"] == [10.0, 30.0]
    spec = figures.ranking("r", ["a", "b"], [0.3, 0.2], [0.2, 0.1], [0.4, 0.3], "share")
    assert spec["data"][0]["x"] == [1, 2]
    assert spec["data"][0]["text"] == ["a", "b"]


def test_long_axis_labels_are_wrapped_at_word_boundaries():
    from keino_metrics.site.figures import wrap

    label = "Innovatiivisten sopimusten osuus maksetuista hankinnoista"
    lines = wrap(label, 24).split("<br>")
    assert len(lines) > 1 and all(len(x) <= 24 for x in lines)
    assert " ".join(lines) == label
    assert wrap("lyhyt") == "lyhyt"
