"""Shared pieces of the impact results: their words and their number formatting.

Every impact model returns a frozen dataclass that follows the result protocol
of :mod:`keino_metrics.results`. The words of their summaries, table headings
and figure labels are in the language catalogue, section ``[impact_results]``
(:mod:`keino_metrics.labels`); :func:`say` looks them up. Numbers are written
with a decimal comma, a minus sign and non-breaking thousands separators in
Finnish and Swedish.
"""

from __future__ import annotations

import math

import pandas as pd

from keino_metrics.labels import LANGUAGES, check_language, text
from keino_metrics.results import Note

__all__ = ["LANGS", "say", "fmt", "fmt_ci", "table_text", "warning_lines", "require_columns"]

#: Languages of the summaries: every language of the catalogue.
LANGS: tuple[str, ...] = LANGUAGES

_NBSP = "\u00a0"

#: Table columns with a heading in the catalogue (``impact_results.column.*``).
_COLUMN_KEYS = frozenset({"estimate", "std_error", "ci_low", "ci_high", "band_low",
                          "band_high", "group", "time", "event_time"})


def say(key: str, lang: str, **values: object) -> str:
    """The text ``impact_results.<key>`` in ``lang`` with its placeholders filled.

    Raises
    ------
    ValueError
        If ``lang`` has no catalogue.
    KeyError
        If the catalogue has no such text.
    """
    return text(f"impact_results.{key}", check_language(lang), **values)


def fmt(value: float | None, digits: int = 4, lang: str = "en") -> str:
    """Format a number in the conventions of ``lang`` (``–`` when missing).

    English: ``-1,234.5``; Finnish and Swedish: ``−1 234,5`` (decimal comma,
    minus sign, non-breaking space between thousands).
    """
    check_language(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    out = f"{value:,.{digits}f}"
    if lang != "en":
        out = out.replace(",", _NBSP).replace(".", ",").replace("-", "−")
    return out


def fmt_ci(ci: tuple[float, float], digits: int = 4, lang: str = "en") -> str:
    """Format an interval as ``[low, high]`` (``[low; high]`` with a decimal comma)."""
    sep = ", " if lang == "en" else "; "
    return f"[{fmt(ci[0], digits, lang)}{sep}{fmt(ci[1], digits, lang)}]"


def table_text(table: pd.DataFrame, lang: str, digits: int = 4) -> str:
    """A result table as plain text, with column headings and numbers in ``lang``."""
    shown = table.copy()
    heads = {c: say(f"column.{c}", lang) for c in shown.columns if c in _COLUMN_KEYS}
    for c in shown.columns:
        if pd.api.types.is_float_dtype(shown[c]):
            shown[c] = [fmt(v, digits, lang) for v in shown[c]]
    shown = shown.rename(columns=heads)
    if shown.index.name in _COLUMN_KEYS:
        shown.index.name = say(f"column.{shown.index.name}", lang)
    return shown.to_string()



def warning_lines(notes: tuple[Note, ...], lang: str) -> list[str]:
    """The lines that list a result's warnings in a summary (none when there are none).

    A heading in ``lang``, then one line ``  ! text`` per warning, in the words
    of the software that raised it (its line breaks become spaces).
    """
    if not notes:
        return []
    return [say("warnings", lang), *(f"  ! {' '.join(n.text.split())}" for n in notes)]


def require_columns(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    """Raise a clear error when ``frame`` lacks any of ``columns``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The input table.
    columns : list of str
        Columns that must be present.
    what : str
        Name of the input, used in the message (e.g. ``"panel"``).
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} has no column(s) {missing}; available: {list(frame.columns)}"
        )
