"""Chart specifications of the static site, as plotly figure dictionaries.

Each function returns ``{"data": [...], "layout": {...}}``, the JSON form of a
plotly figure that ``Plotly.newPlot`` draws in the browser (hover values,
zoom and legend toggling are plotly's own). The dictionaries are written by
hand rather than through ``plotly.graph_objects`` because building a
validated figure object per chart would cost more than rendering the page;
the structure is plotly's documented JSON schema. Values are plain floats
(``None`` where there is none) so that the specs serialise with ``json``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

__all__ = ["trend", "peers", "distribution", "ranking", "wrap", "SCALE"]

#: Multiplier and tick suffix of each unit on an axis.
SCALE: dict[str, tuple[float, str]] = {"share": (100.0, " %"), "eur": (1e-6, " M€"),
                                       "count": (1.0, ""), "days": (1.0, " d")}
_COLOURS = ("#1f5f8b", "#c0504d", "#4f8f3a", "#8064a2", "#d08a1c", "#4bacc6")


def _num(v: object, unit: str) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    return f * SCALE.get(unit, (1.0, ""))[0]


def _layout(title: str, unit: str, **extra: object) -> dict:
    suffix = SCALE.get(unit, (1.0, ""))[1]
    layout = {"title": {"text": title, "font": {"size": 15}},
              "margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "height": 360,
              "yaxis": {"ticksuffix": suffix, "rangemode": "tozero"},
              "legend": {"orientation": "h", "y": -0.2}, "hovermode": "closest"}
    layout.update(extra)
    return layout


def trend(title: str, years: Sequence[int], series: Sequence[dict], unit: str) -> dict:
    """Lines by year, one per series, with error bars where intervals exist.

    Parameters
    ----------
    title : str
        Chart title.
    years : sequence of int
        The x values.
    series : sequence of dict
        ``{"name": str, "values": [...], "low": [...], "high": [...]}``;
        ``low``/``high`` are optional and aligned with ``years``.
    unit : str
        Unit of the values (``share``, ``eur``, ``count``, ``days``).
    """
    data = []
    for k, s in enumerate(series):
        y = [_num(v, unit) for v in s["values"]]
        trace = {"type": "scatter", "mode": "lines+markers", "name": s["name"],
                 "x": list(years), "y": y, "line": {"color": _COLOURS[k % len(_COLOURS)]}}
        if s.get("low") is not None and s.get("high") is not None:
            lo = [_num(v, unit) for v in s["low"]]
            hi = [_num(v, unit) for v in s["high"]]
            trace["error_y"] = {
                "type": "data", "symmetric": False,
                "array": [None if h is None or v is None else h - v for h, v in zip(hi, y,
                                                                                  strict=True)],
                "arrayminus": [None if lw is None or v is None else v - lw
                               for lw, v in zip(lo, y, strict=True)]}
        data.append(trace)
    return {"data": data, "layout": _layout(title, unit, xaxis={"dtick": 1})}


def peers(title: str, names: Sequence[str], groups: Sequence[dict], unit: str) -> dict:
    """Points with intervals: one trace per comparison group, indicators on the x axis.

    ``groups`` holds ``{"name", "values", "low", "high"}`` aligned with ``names``.
    """
    data = []
    for k, g in enumerate(groups):
        y = [_num(v, unit) for v in g["values"]]
        lo = [_num(v, unit) for v in g["low"]]
        hi = [_num(v, unit) for v in g["high"]]
        data.append({
            "type": "scatter", "mode": "markers", "name": g["name"],
            "x": [wrap(n) for n in names], "y": y,
            "marker": {"size": 10, "color": _COLOURS[k % len(_COLOURS)]},
            "error_y": {"type": "data", "symmetric": False,
                        "array": [None if h is None or v is None else h - v
                                  for h, v in zip(hi, y, strict=True)],
                        "arrayminus": [None if lw is None or v is None else v - lw
                                       for lw, v in zip(lo, y, strict=True)]}})
    return {"data": data, "layout": _layout(title, unit, scattermode="group", height=440,
                                            xaxis={"tickangle": 0, "automargin": True},
                                            legend={"orientation": "h", "y": -0.35})}


def wrap(label: str, width: int = 24) -> str:
    """``label`` broken into lines of at most ``width`` characters where it can be
    (``<br>``, as Plotly draws line breaks in axis labels)."""
    return "<br>".join(textwrap.wrap(str(label), width, break_long_words=False)) or str(label)


def distribution(title: str, values: Sequence[float], unit: str, axis: str) -> dict:
    """Histogram of buyers' values."""
    x = [v for v in (_num(v, unit) for v in values) if v is not None]
    layout = _layout(title, unit, xaxis={"title": {"text": axis},
                                         "ticksuffix": SCALE.get(unit, (1, ""))[1]})
    layout["yaxis"] = {"rangemode": "tozero"}
    return {"data": [{"type": "histogram", "x": x, "nbinsx": 30,
                      "marker": {"color": _COLOURS[0]}}], "layout": layout}


def ranking(title: str, labels: Sequence[str], values: Sequence[float],
            low: Sequence[float], high: Sequence[float], unit: str) -> dict:
    """Buyers in rank order as points with their intervals (a caterpillar plot)."""
    y = [_num(v, unit) for v in values]
    lo = [_num(v, unit) for v in low]
    hi = [_num(v, unit) for v in high]
    trace = {"type": "scatter", "mode": "markers", "x": list(range(1, len(y) + 1)), "y": y,
             "text": list(labels), "hovertemplate": "%{text}<br>%{y:.1f}<extra></extra>",
             "marker": {"size": 6, "color": _COLOURS[0]},
             "error_y": {"type": "data", "symmetric": False, "thickness": 1,
                         "array": [None if h is None or v is None else h - v
                                   for h, v in zip(hi, y, strict=True)],
                         "arrayminus": [None if lw is None or v is None else v - lw
                                        for lw, v in zip(lo, y, strict=True)]}}
    return {"data": [trace], "layout": _layout(title, unit, showlegend=False)}
