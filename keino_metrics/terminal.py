"""Indicator results as text for a terminal, in Finnish, Swedish or English.

:func:`result_table` turns the frame of an
:class:`~keino_metrics.indicators.result.IndicatorResult` into the columns a
reader needs (indicator and name, breakdown, value with its unit, interval,
coverage, light, status, note), every header, word and note in one language
(from the catalogue's ``[terminal]`` and ``[note]`` sections).
:func:`fit_width` lays a table out to a given width: columns keep the width of
their longest cell while the line fits; otherwise the widest text column is
cut and ends in an ellipsis. A value that was not measured is shown as such,
never as ``nan`` or 0.

The layout is written here rather than with ``tabulate`` or ``rich`` because
neither is a dependency of the package, and cutting the one wide column to the
terminal width is a few lines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from keino_metrics.labels import has_text, text, translate

__all__ = ["word", "unit_name", "fmt_value", "result_table", "fit_width", "ELLIPSIS"]

ELLIPSIS = "…"


def word(key: str, lang: str) -> str:
    """The word for ``key`` in ``lang`` from the catalogue's ``[terminal]`` section (the
    key itself when there is none, e.g. for a breakdown column without a name)."""
    return text(f"terminal.{key}", lang) if has_text(f"terminal.{key}", lang) else key


def unit_name(unit: str, lang: str) -> str:
    """The name of a result unit (``share``, ``count`` ...) in ``lang``."""
    return word(f"units.{unit}", lang) if has_text(f"terminal.units.{unit}", lang) else unit


def _number(v: float, decimals: int, lang: str) -> str:
    s = f"{v:,.{decimals}f}"
    if lang in ("fi", "sv"):  # space as thousands separator, comma as decimal mark
        s = s.replace(",", " ").replace(".", ",")
    return s


def fmt_value(v: float | None, unit: str, lang: str = "en") -> str:
    """``v`` in its unit; ``""`` for a missing value (the status says why)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v):
        return ""
    if unit == "share":
        return _number(100 * v, 1, lang) + " %"
    if unit == "count":
        return _number(v, 0, lang)
    if unit == "eur":
        return _number(v, 0, lang) + " " + word("eur", lang)
    if unit == "days":
        return _number(v, 1, lang) + " " + word("days", lang)
    return _number(v, 3, lang)


def result_table(frame: pd.DataFrame, by: Sequence[str], lang: str = "en") -> pd.DataFrame:
    """The result ``frame`` as text columns in ``lang``.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``IndicatorResult.to_frame()``.
    by : sequence of str
        The breakdown columns of the result.
    lang : str
        ``fi``, ``sv`` or ``en``.

    Returns
    -------
    pandas.DataFrame
        Columns (headers in ``lang``): indicator (id and name), the breakdowns,
        value, 95 % interval, coverage, light, status and the note (the status
        reason or the warning).
    """
    from keino_metrics.indicators import registry

    rows = []
    for r in frame.to_dict("records"):
        unit = r["unit"]
        status = r.get("status") or "measured"
        ci = ""
        if pd.notna(r["ci_low"]) and pd.notna(r["ci_high"]):
            ci = f"{fmt_value(r['ci_low'], unit, lang)} – {fmt_value(r['ci_high'], unit, lang)}"
        cov = "" if pd.isna(r["coverage"]) else _number(100 * r["coverage"], 0, lang) + " %"
        row = {word("indicator", lang): f"{r['indicator_id']} "
                                         f"{registry.get(r['indicator_id']).name(lang)}"}
        for b in by:
            v = r[b]
            row[word(b, lang)] = word("missing", lang) if v is None or pd.isna(v) else str(v)
        note = translate(r["warning"], "note", lang) if r.get("warning") else ""
        row.update({
            word("value", lang): fmt_value(r["estimate"], unit, lang) or "–",
            word("ci", lang): ci,
            word("coverage", lang): cov,
            word("light", lang): word(r["light"], lang) if r.get("light") else "",
            word("status", lang): word(status, lang),
            word("note", lang): note,
        })
        rows.append(row)
    return pd.DataFrame(rows)


def fit_width(table: pd.DataFrame, width: int, cut: Sequence[str] = ()) -> str:
    """``table`` as aligned text lines of at most ``width`` characters.

    Parameters
    ----------
    table : pandas.DataFrame
        Text cells.
    width : int
        Longest line allowed (at least 20).
    cut : sequence of str
        Columns that may be shortened, in the order they give way (the last
        column always may be); a shortened cell ends in an ellipsis.

    Returns
    -------
    str
    """
    width = max(20, int(width))
    cols = list(table.columns)
    cells = [[("" if v is None else str(v)) for v in table[c]] for c in cols]
    sizes = [max([len(str(c)), *map(len, col)]) for c, col in zip(cols, cells, strict=True)]
    order = [cols.index(c) for c in cut if c in cols]
    if cols and len(cols) - 1 not in order:
        order.append(len(cols) - 1)
    floor = {k: max(len(str(cols[k])), 4) for k in order}
    for k in order:
        over = sum(sizes) + 2 * (len(cols) - 1) - width
        if over <= 0:
            break
        sizes[k] = max(floor[k], sizes[k] - over)
    while sum(sizes) + 2 * (len(cols) - 1) > width and len(sizes) > 1:
        sizes.pop()  # columns that still do not fit are left off
        cols.pop()

    def clip(text: str, n: int) -> str:
        return text if len(text) <= n else text[:max(n - 1, 0)] + ELLIPSIS

    lines = ["  ".join(clip(str(c), n).ljust(n) for c, n in zip(cols, sizes, strict=False))]
    for i in range(len(table)):
        lines.append("  ".join(clip(cells[k][i], sizes[k]).ljust(sizes[k])
                               for k in range(len(cols))))
    return "\n".join(line.rstrip() for line in lines)
