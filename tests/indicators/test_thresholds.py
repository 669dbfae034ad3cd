"""Thresholds: defaults, YAML overrides, the colour rule."""

from __future__ import annotations

import pytest

from keino_metrics.indicators import compute
from keino_metrics.indicators.thresholds import light, resolve_thresholds


def test_light_rule():
    assert light(0.05, "<= 0.10", "> 0.20") == "green"
    assert light(0.15, "<= 0.10", "> 0.20") == "yellow"
    assert light(0.25, "<= 0.10", "> 0.20") == "red"
    assert light(0.10, ">= 0.10", "< 0.05") == "green"
    assert light(float("nan"), "<= 0.10", "> 0.20") is None
    assert light(0.5, None, None) is None


def test_yaml_override_changes_light_and_params(tiny, tmp_path):
    p = tmp_path / "th.yaml"
    p.write_text("SMS-01:\n  green: '<= 0.40'\n  red: '> 0.60'\n"
                 "RF-R003:\n  params: {days: 5}\n", encoding="utf-8")
    default = compute(["SMS-01", "RF-R003"], tiny, engine="pandas").to_frame()
    over = compute(["SMS-01", "RF-R003"], tiny, engine="pandas", thresholds=p).to_frame()
    d, o = default.set_index("indicator_id"), over.set_index("indicator_id")
    assert d.loc["SMS-01", "light"] == "red"
    assert o.loc["SMS-01", "light"] == "green"
    assert d.loc["RF-R003", "numerator"] == 1       # 10 days < 15
    assert o.loc["RF-R003", "numerator"] == 0       # 10 days >= 5


def test_target_override_mapping(tiny):
    f = compute("FI-10PCT-MKT-N", tiny, engine="pandas",
                thresholds={"FI-10PCT-MKT-N": {"target": 0.5, "green": ">= 0.5",
                                               "red": "< 0.2"}}).to_frame()
    assert f["target"].iloc[0] == 0.5
    assert f["light"].iloc[0] == "yellow"


@pytest.mark.parametrize(("spec", "match"), [
    ({"NOPE-1": {"green": "< 1"}}, "unknown indicator"),
    ({"SMS-01": {"colour": "< 1"}}, "unknown key"),
    ({"SMS-01": {"green": "about 1"}}, "expected an operator"),
])
def test_bad_overrides(spec, match):
    from keino_metrics.indicators.registry import ids

    with pytest.raises(ValueError, match=match):
        resolve_thresholds(spec, known_ids=set(ids()))
