"""Shared pieces of the impact results: language handling and number formatting.

Every impact model returns a frozen dataclass with ``.summary(lang)``,
``.to_frame()`` and ``.plot()``. The helpers here keep the wording of those
summaries in one place, in Finnish (``"fi"``) and English (``"en"``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

LANGS: tuple[str, ...] = ("fi", "en")

_LABELS: dict[str, dict[str, str]] = {
    "estimate": {"fi": "estimaatti", "en": "estimate"},
    "se": {"fi": "keskivirhe", "en": "standard error"},
    "ci": {"fi": "luottamusväli", "en": "confidence interval"},
    "band": {"fi": "yhtäaikainen luottamusvyö", "en": "uniform confidence band"},
    "p_value": {"fi": "p-arvo", "en": "p-value"},
    "event_time": {"fi": "aika käsittelystä", "en": "time since treatment"},
    "effect": {"fi": "vaikutus", "en": "effect"},
    "year": {"fi": "vuosi", "en": "year"},
    "observed": {"fi": "havaittu", "en": "observed"},
    "fitted": {"fi": "sovite", "en": "fitted"},
    "counterfactual": {"fi": "kontrafaktuaali", "en": "counterfactual"},
    "forecast": {"fi": "ennuste", "en": "forecast"},
    "target": {"fi": "tavoite", "en": "target"},
    "share": {"fi": "osuus", "en": "share"},
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported summary language.

    Parameters
    ----------
    lang : str
        ``"fi"`` or ``"en"``.

    Returns
    -------
    str
        The language code.

    Raises
    ------
    ValueError
        For any other code.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


def label(key: str, lang: str) -> str:
    """Translate a short label key into ``lang``."""
    return _LABELS[key][check_lang(lang)]


def pick(texts: Mapping[str, str], lang: str) -> str:
    """Pick the text for ``lang`` from a ``{"fi": ..., "en": ...}`` mapping."""
    return texts[check_lang(lang)]


def fmt(value: float | None, digits: int = 4, lang: str = "en") -> str:
    """Format a number; Finnish uses a decimal comma and a minus sign."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:.{digits}f}"
    if check_lang(lang) == "fi":
        text = text.replace(".", ",").replace("-", "−")
    return text


def fmt_ci(ci: tuple[float, float], digits: int = 4, lang: str = "en") -> str:
    """Format an interval as ``[low, high]`` (``[low; high]`` in Finnish)."""
    sep = "; " if lang == "fi" else ", "
    return f"[{fmt(ci[0], digits, lang)}{sep}{fmt(ci[1], digits, lang)}]"


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
