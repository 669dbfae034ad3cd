"""Per-record checks and value helpers shared by the XML readers.

Every helper either returns a clean value or raises
:class:`~keino_metrics.readers.base.Quarantined` naming the file, the record
(notice id) and the field, so that a reader can put the one record in
quarantine and go on with the next. Code-list membership uses
:func:`keino_metrics.codelists.accepted_codes` (current and retired codes).

Written by hand because the checks are specific to the canonical model: no
maintained library knows the eForms code lists, the TED publication-number
format or the project's rules for buyer identifiers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass, field
from functools import cache

from keino_metrics import codelists
from keino_metrics.readers import limits
from keino_metrics.readers.base import FieldIssue, Quarantined

__all__ = [
    "Record",
    "EARLIEST_DATE",
    "country_alpha2",
    "publication_number",
    "stable_id",
    "buyer_id",
]

#: Dates before this are impossible in procurement notices (placeholders such
#: as ``2000-01-01`` written by converters are kept out by a separate rule).
EARLIEST_DATE = dt.date(1990, 1, 1)

_DATE = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")

#: TED legacy and some national sources use EU country codes that differ from ISO 3166.
_EU_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


@cache
def _alpha3() -> dict[str, str]:
    from babel.core import get_global

    out = {}
    for k, v in get_global("territory_aliases").items():
        if len(k) == 3 and k.isalpha() and v and len(v[0]) == 2:
            out[k] = v[0]
    return out


def country_alpha2(code: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code for an alpha-2, alpha-3 or EU-style country code.

    eForms writes alpha-3 (``FIN``), legacy TED alpha-2 with the EU's own
    ``UK`` and ``EL``. Unknown codes are returned upper-cased as given.

    Examples
    --------
    >>> country_alpha2("FIN"), country_alpha2("UK"), country_alpha2("el")
    ('FI', 'GB', 'GR')
    """
    if not code:
        return None
    c = code.strip().upper()
    if len(c) == 3:
        return _alpha3().get(c, c)
    return _EU_COUNTRY_ALIASES.get(c, c)


def publication_number(text: str | None) -> str | None:
    """Normalise a TED publication number to ``<number>-<year>``.

    Accepts the eForms form ``00525037-2024``, the legacy ``003543-2021`` and
    the OJ reference ``2019/S 176-428607``.

    Examples
    --------
    >>> publication_number("00525037-2024"), publication_number("2019/S 176-428607")
    ('525037-2024', '428607-2019')
    """
    if not text:
        return None
    t = text.strip()
    m = re.fullmatch(r"0*(\d+)-(\d{4})", t)
    if m:
        return f"{int(m.group(1))}-{m.group(2)}"
    m = re.fullmatch(r"(\d{4})/S\s*\d+-0*(\d+)", t)
    if m:
        return f"{int(m.group(2))}-{m.group(1)}"
    return None


def stable_id(*parts: str | None) -> str:
    """A stable 16-hex-digit id from text parts (case and spacing ignored)."""
    norm = "|".join(" ".join((p or "").lower().split()) for p in parts)
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def buyer_id(registration: str | None, name: str | None, country: str | None) -> str:
    """The canonical buyer id.

    The organisation's registration number (BT-501) prefixed by its country
    (``FI-0216509-5``) when known, else ``h-`` and a stable hash of name and
    country. A registration number already starting with the country code
    (``FI09880841``) is not prefixed twice.
    """
    reg = (registration or "").strip()
    cc = (country or "").strip().upper()
    if reg:
        reg = re.sub(r"\s+", "", reg)
        if cc and not reg.upper().startswith(cc):
            return f"{cc}-{reg}"
        return reg
    return "h-" + stable_id(name, cc)


@cache
def _latest_date() -> dt.date:
    # computed once per process: dates more than five years ahead are implausible
    return dt.date.today() + dt.timedelta(days=366 * 5)


@cache
def _accepted(codelist: str) -> frozenset[str]:
    return codelists.accepted_codes(codelist)


@dataclass
class Record:
    """Check context for one record (notice) of one file."""

    source_file: str
    record: str
    #: Field-level issues of this record (odd values that were kept or nulled).
    issues: list[FieldIssue] = field(default_factory=list)

    def note(self, field: str, value: object, action: str, reason: str) -> None:
        """Record a field-level issue (the record is kept)."""
        self.issues.append(FieldIssue(self.source_file, self.record, field,
                                      None if value is None else str(value), action, reason))

    def fail(self, field: str | None, reason: str) -> Quarantined:
        """A :class:`Quarantined` for this record (to raise)."""
        return Quarantined(self.source_file, self.record, field, reason)

    def required(self, value, field: str, what: str):
        """Return ``value`` or raise when it is missing or blank."""
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.fail(field, f"mandatory {what} is missing")
        return value.strip() if isinstance(value, str) else value

    def amount(self, text: str | None, field: str) -> float | None:
        """A non-negative money amount, or ``None`` when absent.

        Not a number, not finite, negative or above
        :data:`~keino_metrics.readers.limits.MAX_AMOUNT` quarantines the record.
        """
        if text is None or not text.strip():
            return None
        t = text.strip().replace(" ", "").replace("\u00a0", "")
        if not _NUMBER.match(t):
            raise self.fail(field, f"amount {text!r} is not a number")
        v = float(t.replace(",", "."))
        if not math.isfinite(v):
            raise self.fail(field, f"amount {text!r} is not finite")
        if v < 0:
            raise self.fail(field, f"negative amount {v:g}")
        if v > limits.MAX_AMOUNT:
            raise self.fail(field, f"implausible amount {v:g} (limit {limits.MAX_AMOUNT:g})")
        return v

    def count(self, text: str | None, field: str) -> int | None:
        """A non-negative whole count, or ``None`` when absent.

        Not a number, not finite, not whole, negative or above
        :data:`~keino_metrics.readers.limits.MAX_COUNT` quarantines the record.
        """
        if text is None or not text.strip():
            return None
        t = text.strip()
        try:
            f = float(t)
        except ValueError:
            raise self.fail(field, f"count {text!r} is not a number") from None
        if not math.isfinite(f):
            raise self.fail(field, f"count {text!r} is not finite")
        if f != int(f):
            raise self.fail(field, f"count {text!r} is not a whole number")
        if f < 0:
            raise self.fail(field, f"negative count {int(f)}")
        if f > limits.MAX_COUNT:
            raise self.fail(field, f"implausible count {f:g} (limit {limits.MAX_COUNT:,})")
        return int(f)

    def date(self, text: str | None, field: str) -> dt.date | None:
        """A calendar date from ``YYYY-MM-DD[zone]`` or ``YYYYMMDD``."""
        if text is None or not text.strip():
            return None
        m = _DATE.match(text)
        if not m:
            raise self.fail(field, f"date {text!r} is not YYYY-MM-DD")
        try:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise self.fail(field, f"impossible date {text!r}") from None
        if d < EARLIEST_DATE or d > _latest_date():
            raise self.fail(field, f"implausible date {d.isoformat()}")
        return d

    def code(self, value: str | None, codelist: str, field: str) -> str | None:
        """A code from ``codelist`` (current or retired), or ``None`` when absent."""
        if value is None or not value.strip():
            return None
        v = value.strip()
        if v not in _accepted(codelist):
            raise self.fail(field, f"unknown code {v!r} (not in code list {codelist})")
        return v

    def codes(self, values: list[str], codelist: str, field: str) -> list[str] | None:
        """Distinct codes from ``codelist`` in document order, ``None`` when none."""
        out: list[str] = []
        for v in values:
            c = self.code(v, codelist, field)
            if c is not None and c not in out:
                out.append(c)
        return out or None

    def code_or_raw(self, value: str | None, codelist: str, field: str,
                    earlier: dict[str, str] | None = None) -> tuple[str | None, str | None]:
        """A code that does not decide whether the record can be used.

        Returns ``(code, raw)``: ``(code, None)`` for a code of ``codelist``
        (current or retired); for a code of an earlier version that
        ``earlier`` maps to a current one, the current code and a
        ``normalised`` issue; for any other value ``(None, value)`` and a
        ``kept_raw`` issue, so that the record is kept and the value is not
        lost. ``(None, None)`` when the value is absent.
        """
        if value is None or not value.strip():
            return None, None
        v = value.strip()
        if v in _accepted(codelist):
            return v, None
        if earlier and v in earlier:
            self.note(field, v, "normalised",
                      f"code {v!r} of an earlier code list {codelist} read as {earlier[v]!r}")
            return earlier[v], None
        self.note(field, v, "kept_raw", f"unknown code {v!r} (not in code list {codelist})")
        return None, v

    def code_or_null(self, value: str | None, codelist: str, field: str,
                     action: str = "nulled") -> str | None:
        """A code of ``codelist``, else ``None`` with an issue (``nulled``, or
        ``ignored`` where the value's record part is left out)."""
        if value is None or not value.strip():
            return None
        v = value.strip()
        if v in _accepted(codelist):
            return v
        self.note(field, v, action, f"unknown code {v!r} (not in code list {codelist})")
        return None

    def known_codes(self, values: list[str], codelist: str, field: str) -> list[str] | None:
        """Distinct codes of ``codelist``; unknown ones are left out with an ``ignored`` issue."""
        out: list[str] = []
        for v in values:
            v = v.strip() if v else v
            if not v:
                continue
            if v not in _accepted(codelist):
                self.note(field, v, "ignored", f"unknown code {v!r} (not in code list {codelist})")
                continue
            if v not in out:
                out.append(v)
        return out or None
