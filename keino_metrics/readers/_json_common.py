"""Support shared by the tabular and JSON readers (TED CSV, Hilma, OCDS).

Decoding bytes to text with a stated fallback, loading JSON with a message
that names the file and position, parsing dates and numbers as they appear in
these sources, converting amounts to euros, deriving stable identifiers and
turning a :class:`~keino_metrics.readers.base.ParseResult` into a
:class:`~keino_metrics.Dataset`.

These are small pieces of glue around the standard library and pandas; none
is offered by a maintained library in the form the readers need (a message
naming file, record and field on every failure).
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

import pandas as pd

from keino_metrics import datamodel, geography
from keino_metrics.dataset import Dataset
from keino_metrics.readers import limits
from keino_metrics.readers.base import ParseResult, Quarantined

__all__ = [
    "ReaderWarning",
    "EUR_RATES",
    "decode",
    "load_json",
    "parse_date",
    "parse_number",
    "parse_count",
    "to_eur",
    "org_id",
    "lot_label",
    "country_alpha2",
    "region_of",
    "to_dataset",
]


class ReaderWarning(UserWarning):
    """A problem in an input that did not stop a record from being read."""


# -- text -------------------------------------------------------------------

def decode(data: bytes, source_file: str) -> str:
    """Decode ``data`` as UTF-8 (with or without BOM), falling back per line.

    Lines that are not valid UTF-8 are decoded as Windows-1252 (Latin-1 for
    the bytes Windows-1252 leaves undefined), which is what older European
    exports use; a :class:`ReaderWarning` names the file and the lines.
    UTF-16 files (with BOM) are decoded as such.

    Parameters
    ----------
    data : bytes
        The file content.
    source_file : str
        Name used in the warning.

    Returns
    -------
    str
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    out: list[str] = []
    bad: list[int] = []
    for i, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            bad.append(i)
            out.append(_decode_legacy(line))
    shown = ", ".join(map(str, bad[:10])) + (" ..." if len(bad) > 10 else "")
    warnings.warn(f"{source_file}: {len(bad)} line(s) are not valid UTF-8 (lines {shown}); "
                  "decoded as Windows-1252/Latin-1", ReaderWarning, stacklevel=2)
    return "".join(out)


def _decode_legacy(line: bytes) -> str:
    return "".join(bytes([b]).decode("cp1252", errors="strict") if b not in _CP1252_HOLES
                   else chr(b) for b in line)


_CP1252_HOLES = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def load_json(text: str, source_file: str, record: str = "file") -> object:
    """``json.loads`` with a :class:`Quarantined` naming file and position on failure.

    Nesting deeper than Python's recursion limit (about 1,000 levels; no
    procurement format nests more than 20) is refused by the parser itself.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise Quarantined(source_file, record, None,
                          "JSON nested too deeply to be read (more than about 1,000 "
                          "levels)") from None
    except json.JSONDecodeError as exc:
        raise Quarantined(source_file, record, None,
                          f"{_what(exc, text)} JSON: {exc.msg} at line {exc.lineno}, "
                          f"column {exc.colno}") from None


def _what(exc: json.JSONDecodeError, text: str) -> str:
    """``truncated`` when the text ends inside a value, else ``malformed``."""
    if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
        return "truncated"
    return "malformed"


# -- values -----------------------------------------------------------------

_DATE_FORMATS = ("%Y%m%d", "%Y/%m/%d")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
MIN_YEAR = 1990
MAX_YEAR = 2100


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")


@lru_cache(maxsize=65536)
def _date_text(s: str) -> dt.date | None:
    """The date written in ``s``, or ``None`` when it is not a date (cached)."""
    try:
        if _ISO.match(s):
            return dt.date.fromisoformat(s[:10])
        m = _DMY.match(s)
        if m:
            year = int(m.group(3))
            if len(m.group(3)) == 2:  # as strptime's %y: 69-99 -> 19xx, 00-68 -> 20xx
                year += 1900 if year >= 69 else 2000
            return dt.date(year, int(m.group(2)), int(m.group(1)))
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(s, fmt).date()
            except ValueError:
                continue
    except ValueError:
        return None
    return None


def parse_date(value: object, source_file: str, record: str, field: str) -> pd.Timestamp | None:
    """Parse a date as the sources write it; ``None`` for blanks.

    Accepts ISO 8601 dates and date-times (the time and offset are dropped:
    the calendar date as published is kept), ``DD/MM/YY`` (TED CSV; years
    69-99 are 19xx), ``DD/MM/YYYY``, ``DD.MM.YYYY`` and ``YYYYMMDD``.

    Raises
    ------
    Quarantined
        If the value is not a date or lies outside 1990-2100.
    """
    if _blank(value):
        return None
    s = str(value).strip()
    parsed = _date_text(s)
    if parsed is None:
        raise Quarantined(source_file, record, field, f"not a date: {s!r}")
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise Quarantined(source_file, record, field,
                          f"impossible date {parsed.isoformat()} (outside {MIN_YEAR}-{MAX_YEAR})")
    return pd.Timestamp(parsed)


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def parse_number(value: object, source_file: str, record: str, field: str, *,
                 negative_ok: bool = False) -> float | None:
    """Parse an amount; ``None`` for blanks.

    Handles JSON numbers and text with a decimal comma (``1234,56``), thousands
    separators (``1 234 567,8``, ``1.234.567,8``, ``1,234,567.8``) and
    surrounding spaces. A single comma is read as the decimal separator.

    Raises
    ------
    Quarantined
        If the value is not a number, is not finite or is negative (unless
        ``negative_ok``).
    """
    if isinstance(value, float) and math.isnan(value):
        # JSON ``NaN``: a reader that uses it for "missing" replaces it (with a
        # field-level issue) before calling this
        raise Quarantined(source_file, record, field, "not a finite number: NaN")
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise Quarantined(source_file, record, field, f"not a number: {value!r}")
    if isinstance(value, int | float):
        try:
            x = float(value)
        except OverflowError:
            raise Quarantined(source_file, record, field,
                              f"implausible number {str(value)[:40]}") from None
    elif _NUMBER.match(str(value).strip()):
        x = float(str(value).strip())
    else:
        s = re.sub(r"[\s\u00a0\u202f']", "", str(value))
        if "," in s and "." in s:
            dec = "," if s.rfind(",") > s.rfind(".") else "."
            s = s.replace("." if dec == "," else ",", "")
            s = s.replace(",", ".")
        elif s.count(",") == 1:
            s = s.replace(",", ".")
        elif s.count(",") > 1:
            s = s.replace(",", "")
        elif s.count(".") > 1:
            s = s.replace(".", "")
        if not _NUMBER.match(s):
            raise Quarantined(source_file, record, field, f"not a number: {value!r}")
        x = float(s)
    if not math.isfinite(x):
        raise Quarantined(source_file, record, field, f"not a finite number: {value!r}")
    if x < 0 and not negative_ok:
        raise Quarantined(source_file, record, field, f"impossible negative amount {x:g}")
    if abs(x) > limits.MAX_AMOUNT:
        raise Quarantined(source_file, record, field,
                          f"implausible number {x:g} (limit {limits.MAX_AMOUNT:g})")
    return x


def parse_count(value: object, source_file: str, record: str, field: str) -> int | None:
    """Parse a non-negative whole count (tenders received); ``None`` for blanks.

    A count above :data:`~keino_metrics.readers.limits.MAX_COUNT` is refused.
    """
    x = parse_number(value, source_file, record, field)
    if x is None:
        return None
    if x != int(x):
        raise Quarantined(source_file, record, field, f"not a whole number: {value!r}")
    if x > limits.MAX_COUNT:
        raise Quarantined(source_file, record, field,
                          f"implausible count {x:g} (limit {limits.MAX_COUNT:,})")
    return int(x)


# -- money ------------------------------------------------------------------

#: Euro foreign exchange reference rates of the European Central Bank, annual
#: averages (units of currency per euro), for the currencies most often met
#: in procurement data outside the euro area. Used only when the package has
#: rate table (:mod:`keino_metrics.readers.fx`) or lacks the currency. Years
#: outside the table take the nearest year.
EUR_RATES: dict[str, dict[int, float]] = {
    "GBP": {2009: 0.8909, 2010: 0.8578, 2011: 0.8679, 2012: 0.8109, 2013: 0.8493,
            2014: 0.8061, 2015: 0.7258, 2016: 0.8195, 2017: 0.8767, 2018: 0.8847,
            2019: 0.8778, 2020: 0.8897, 2021: 0.8596, 2022: 0.8528, 2023: 0.8698,
            2024: 0.8466},
    "USD": {2009: 1.3948, 2010: 1.3257, 2011: 1.3920, 2012: 1.2848, 2013: 1.3281,
            2014: 1.3285, 2015: 1.1095, 2016: 1.1069, 2017: 1.1297, 2018: 1.1810,
            2019: 1.1195, 2020: 1.1422, 2021: 1.1827, 2022: 1.0530, 2023: 1.0813,
            2024: 1.0824},
    "SEK": {2015: 9.3535, 2016: 9.4689, 2017: 9.6351, 2018: 10.2583, 2019: 10.5891,
            2020: 10.4848, 2021: 10.1465, 2022: 10.6296, 2023: 11.4788, 2024: 11.4325},
    "NOK": {2015: 8.9496, 2016: 9.2906, 2017: 9.3270, 2018: 9.5975, 2019: 9.8511,
            2020: 10.7228, 2021: 10.1633, 2022: 10.1026, 2023: 11.4248, 2024: 11.6290},
    "DKK": {2015: 7.4587, 2016: 7.4452, 2017: 7.4386, 2018: 7.4532, 2019: 7.4661,
            2020: 7.4542, 2021: 7.4370, 2022: 7.4396, 2023: 7.4509, 2024: 7.4589},
    "PLN": {2015: 4.1841, 2016: 4.3632, 2017: 4.2570, 2018: 4.2615, 2019: 4.2976,
            2020: 4.4430, 2021: 4.5652, 2022: 4.6861, 2023: 4.5420, 2024: 4.3058},
    "CHF": {2015: 1.0679, 2016: 1.0902, 2017: 1.1117, 2018: 1.1550, 2019: 1.1124,
            2020: 1.0705, 2021: 1.0811, 2022: 1.0047, 2023: 0.9718, 2024: 0.9526},
}

#: Currencies replaced by the euro, at their irrevocable conversion rates.
LEGACY_EURO: dict[str, float] = {"FIM": 5.94573, "DEM": 1.95583, "FRF": 6.55957,
                                 "EEK": 15.6466, "LVL": 0.702804, "LTL": 3.45280,
                                 "HRK": 7.53450}


def _rate_table():
    """The package's rate table (:mod:`keino_metrics.readers.fx`) if present."""
    try:
        from keino_metrics.readers import fx
    except ImportError:
        return None
    try:
        return fx.default_rates()
    except (OSError, ValueError):
        return None


def to_eur(amount: float | None, currency: str | None, when: pd.Timestamp | None,
           source_file: str = "", record: str = "") -> float | None:
    """Convert ``amount`` in ``currency`` to euros at the annual rate of ``when``.

    Uses the package's rate table (``keino_metrics/data/fx_rates.csv`` through
    :mod:`keino_metrics.readers.fx`) when it is installed, else
    :data:`EUR_RATES`; a year outside the table takes the nearest year.
    Returns ``None`` when the amount is missing or no rate is known for the
    currency (a :class:`ReaderWarning` says so; the caller keeps the published
    amount and currency). A missing currency is read as euros.
    """
    if amount is None:
        return None
    cur = (currency or "EUR").strip().upper()
    if cur == "EUR":
        return float(amount)
    if cur in LEGACY_EURO:
        return amount / LEGACY_EURO[cur]
    year = when.year if when is not None else None
    table = _rate_table()
    if table is not None:
        eur = table.to_eur(amount, cur, year)
        if eur is not None:
            return eur
    by_year = EUR_RATES.get(cur)
    if not by_year:
        warnings.warn(f"{source_file}, record {record}: no euro rate for currency {cur}; "
                      "euro value left empty", ReaderWarning, stacklevel=2)
        return None
    y = max(by_year) if year is None else min(by_year, key=lambda k: (abs(k - year), -k))
    return amount / by_year[y]


# -- identifiers and places ---------------------------------------------------

def org_id(registration: object, name: object, country: object) -> str:
    """The canonical organisation id (buyer or winner), as the XML readers make it.

    The registration number prefixed by the country (``FI-0216509-5``) when
    known, else ``h-`` and a stable hash of name and country.
    """
    return _org_id(None if _blank(registration) else str(registration),
                   None if _blank(name) else str(name),
                   None if _blank(country) else str(country))


@lru_cache(maxsize=65536)
def _org_id(registration: str | None, name: str | None, country: str | None) -> str:
    reg = re.sub(r"\s+", "", str(registration)) if not _blank(registration) else ""
    cc = "" if _blank(country) else str(country).strip().upper()
    try:
        from keino_metrics.readers import checks
    except ImportError:
        checks = None
    if checks is not None and hasattr(checks, "buyer_id"):
        return checks.buyer_id(reg or None, None if _blank(name) else str(name), cc or None)
    if reg:
        return reg if not cc or reg.upper().startswith(cc) else f"{cc}-{reg}"
    norm = "|".join(" ".join(("" if _blank(p) else str(p)).lower().split()) for p in (name, cc))
    return "h-" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


@cache
def _alpha3() -> dict[str, str]:
    from babel.core import get_global

    return {k: v[0] for k, v in get_global("territory_aliases").items()
            if len(k) == 3 and k.isalpha() and v and len(v[0]) == 2}


def country_alpha2(code: object) -> str | None:
    """ISO 3166-1 alpha-2 for an alpha-2, alpha-3 (``FIN``) or EU code (``UK``, ``EL``)."""
    if _blank(code):
        return None
    c = str(code).strip().upper()
    if len(c) == 3:
        return _alpha3().get(c)
    if len(c) != 2 or not c.isalpha():
        return None
    return {"UK": "GB", "EL": "GR"}.get(c, c)


def lot_label(value: object) -> str:
    """``LOT-0001`` for a lot number, the text itself for any other lot id."""
    s = str(value).strip()
    if re.fullmatch(r"\d+(\.0+)?", s):
        return f"LOT-{int(float(s)):04d}"
    return s


_NUTS = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,3}$")


def nuts_code(value: object) -> str | None:
    """The value if it looks like a NUTS code (``FI1B1``), else ``None``."""
    if not isinstance(value, str):
        return None
    s = value.strip().upper()
    return s if _NUTS.match(s) else None


@cache
def _region_names() -> dict[str, str]:
    r = geography.regions()
    out: dict[str, str] = {}
    for col in ("name_fi", "name_sv", "name_en"):
        if col in r:
            out.update({str(n).casefold(): code for n, code in zip(r[col], r["region_code"],
                                                                  strict=True)})
    return out


def region_of(nuts3: str | None, region_text: str | None = None) -> str | None:
    """Finnish region code from a NUTS 3 code, else from a region name."""
    code = geography.nuts3_to_region(nuts3) if nuts3 else None
    if code is None and isinstance(region_text, str):
        code = _region_names().get(region_text.strip().casefold())
    return code


# -- output -----------------------------------------------------------------

def frames(result: ParseResult) -> dict[str, pd.DataFrame]:
    """The canonical tables of ``result``, conformed to the data model."""
    out: dict[str, pd.DataFrame] = {}
    for table in datamodel.TABLE_NAMES:
        if table == "quarantine":
            rows = [q.row() for q in result.quarantine]
        elif table == "field_issues":
            rows = [i.row() for i in result.issues]
        else:
            rows = result.rows.get(table, [])
        if rows:
            out[table] = datamodel.conform(table, pd.DataFrame(rows))
        else:
            out[table] = datamodel.empty(table)
    return out


def to_dataset(results: Iterable[ParseResult], provenance: Mapping[str, object] | None = None
               ) -> Dataset:
    """Build a :class:`Dataset` from parse results, one accounting row each.

    ``rows_quarantined`` is ``records_in - records_accepted``: the records
    that were set aside. The quarantine table may hold further entries that
    name a field of an accepted record (for example statistics answers that
    Hilma forbids on a lot); those do not count as quarantined records.
    """
    parts = []
    for r in results:
        tables = frames(r)
        acc = pd.DataFrame([{
            "input": r.source_file, "source": r.format, "unit": r.unit,
            "rows_in": r.records_in, "rows_accepted": r.records_accepted,
            "rows_quarantined": r.records_in - r.records_accepted,
            "field_issues": len(r.issues),
        }])
        parts.append(Dataset(**tables, accounting=acc))
    ds = Dataset.concat(parts)
    if provenance:
        ds = ds.replace(provenance=dict(provenance))
    return ds


def iter_array_items(text: str, start: int, source_file: str, label: str):
    """Yield the items of the JSON array that opens at ``text[start]``.

    Used to salvage the complete items of a truncated or partly malformed
    array: items are decoded one by one; at the first item that cannot be
    decoded a :class:`Quarantined` for that item (``label[i]``) is yielded
    and iteration stops, because the position of later items is unknown.
    """
    dec = json.JSONDecoder()
    i = start + 1
    n = len(text)
    k = 0
    while True:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n:
            yield Quarantined(source_file, f"{label}[{k}]", None,
                              "file ends inside the array (truncated file)")
            return
        if text[i] == "]":
            return
        try:
            obj, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            yield Quarantined(source_file, f"{label}[{k}]", None,
                              f"{_what(exc, text)} JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; "
                              "the rest of the file cannot be located")
            return
        yield obj
        k += 1
