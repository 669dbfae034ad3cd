"""Number formatting for report texts, tables and figure ticks.

Formatting goes through babel's CLDR data rather than the operating system's
locale, which is often not installed (``fi_FI.UTF-8`` is missing on many
servers) and which matplotlib applies only to tick labels. Finnish uses a
decimal comma, a no-break space between thousands and a space before the
per cent sign; English uses a decimal point and thousands commas.
"""

from __future__ import annotations

import math
from functools import cache

from babel import Locale
from babel.numbers import format_decimal, format_percent
from matplotlib.ticker import FuncFormatter

__all__ = ["LOCALES", "number", "percent", "eur_million", "interval", "tick_formatter"]

#: babel locale of each report language.
LOCALES: dict[str, str] = {"fi": "fi_FI", "en": "en_GB", "sv": "sv_FI"}

#: Shown for a missing value.
MISSING = "–"


def _locale(lang: str) -> str:
    try:
        return LOCALES[lang]
    except KeyError:
        raise ValueError(f"language must be one of {', '.join(LOCALES)}; got {lang!r}") from None


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """``value`` with ``decimals`` decimals in the conventions of ``lang``.

    Examples
    --------
    >>> number(1234567.891, "fi", 1)
    '1\\xa0234\\xa0567,9'
    >>> number(1234567.891, "en", 1)
    '1,234,567.9'
    """
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(float(value), format=pattern, locale=_locale(lang))


@cache
def _percent_pattern(lang: str, decimals: int) -> str:
    base = Locale.parse(_locale(lang)).percent_formats[None].pattern
    return base.replace("0", "0." + "0" * decimals, 1) if decimals > 0 else base


def percent(share: float | None, lang: str, decimals: int = 1) -> str:
    """A share (0..1) as a percentage.

    Examples
    --------
    >>> percent(0.1234, "fi")
    '12,3\\xa0%'
    >>> percent(0.1234, "en")
    '12.3%'
    """
    if _missing(share):
        return MISSING
    return format_percent(float(share), format=_percent_pattern(lang, decimals),
                          locale=_locale(lang))


def eur_million(value: float | None, lang: str, decimals: int = 1) -> str:
    """A euro amount in millions, number only (the unit goes in the heading)."""
    if _missing(value):
        return MISSING
    return number(float(value) / 1e6, lang, decimals)


def interval(low: float | None, high: float | None, lang: str, decimals: int = 1) -> str:
    """A 95 % interval of shares as ``12.3–15.0%`` style text."""
    if _missing(low) or _missing(high):
        return MISSING
    return f"{percent(low, lang, decimals)} – {percent(high, lang, decimals)}"


def tick_formatter(lang: str, *, kind: str = "number", decimals: int = 0) -> FuncFormatter:
    """A matplotlib tick formatter using :func:`number` or :func:`percent`.

    Parameters
    ----------
    lang : str
        Report language.
    kind : {"number", "percent"}
        ``percent`` expects tick values as shares (0..1).
    decimals : int
        Decimals to show.
    """
    if kind == "percent":
        return FuncFormatter(lambda v, _pos: percent(v, lang, decimals))
    if kind == "number":
        return FuncFormatter(lambda v, _pos: number(v, lang, decimals))
    raise ValueError(f"kind must be 'number' or 'percent'; got {kind!r}")
