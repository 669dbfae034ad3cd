"""Reader for the TED CSV contract award files (2006-2023) and their renamed variant.

The Publications Office publishes, for 2006-2023, one CSV file per year of
contract award notices (CAN) with one row per award: a notice row repeated for
each lot award and each winner. This reader turns those rows into the
canonical ``buyers``, ``notices``, ``lots`` and ``awards`` tables. It also
reads the renamed 29-column "EU Public Procurement Flat-File" variant of the
same data (JSON array, JSON Lines or CSV with columns ``notice_id``,
``lot_number``, ``lot_value_eur``, ...), detected by its column names.

The reader is written by hand because no maintained library reads the TED
CSV layout into eForms-coded tables; parsing itself uses :mod:`csv` and
:mod:`json`.

Input handling
--------------
* Separator ``,``, ``;``, ``|`` or tab, detected from the header line.
* UTF-8 with or without BOM; lines that are not UTF-8 are decoded as
  Windows-1252 with a :class:`~keino_metrics.readers._json_common.ReaderWarning`.
* Numbers with a decimal comma (``12345,67``) or thousands separators.
* Dates ``DD/MM/YY`` (as in the files), ``DD/MM/YYYY`` or ISO.

Column mapping (official layout)
--------------------------------
=====================  ================================  ===========================================
TED CSV column         canonical column                  translation
=====================  ================================  ===========================================
ID_NOTICE_CAN          notices.notice_id, procedure_id   ``YYYYNNNNNN`` -> ``NNNNNN-YYYY`` (TED
                                                         notice number; ``TED_NOTICE_URL`` wins)
DT_DISPATCH            notices.publication_date          dispatch date (the files carry no
                                                         publication date)
TOP_TYPE               notices.procedure_type            see procedure table below
CAE_NATIONALID         buyers.buyer_id                   ``<country>-<national id>``; else ``h-`` +
                                                         hash of name and country
CAE_NAME               buyers.name                       required
CAE_TYPE               buyers.legal_type                 see buyer table below
ISO_COUNTRY_CODE       buyers.country                    ``UK`` -> ``GB``, ``EL`` -> ``GR``
ID_LOT_AWARDED         lots/awards.lot_id                ``3`` -> ``LOT-0003``; empty -> ``ID_AWARD``
                                                         or the row's position in the notice
TYPE_OF_CONTRACT       lots.contract_nature              W works, U supplies, S services
CPV                    lots.cpv_main                     first 8 digits
TAL_LOCATION_NUTS      lots.nuts3                        first code given
CRIT_CODE              lots.price_only_award             L (lowest price) true, M (MEAT) false
B_FRA_AGREEMENT        lots.framework_agreement          Y/N
AWARD_EST_VALUE_EURO   lots.estimated_value_eur          euros
NUMBER_OFFERS          awards.tenders_received
NUMBER_TENDERS_SME     awards.sme_tenders_received
AWARD_VALUE_EURO       awards.awarded_value_eur          value_source ``BT-720``
VALUE_EURO             awards.awarded_value_eur          fallback, shared equally over the notice's
                                                         lots, value_source ``BT-161``
AWARD_EST_VALUE_EURO   awards.awarded_value_eur          last fallback, value_source ``BT-27``
WIN_NATIONALID         awards.winner_id                  as buyer_id, with WIN_NAME, WIN_COUNTRY_CODE
B_CONTRACTOR_SME       awards.winner_size                Y ``sme``, N ``large``
INFO_ON_NON_AWARD      awards.winner_chosen              filled -> false; a winner named -> true
DT_AWARD               awards.decision_date              must not be after DT_DISPATCH
CANCELLED              (quarantine)                      ``1``/``Y``: the row is quarantined
=====================  ================================  ===========================================

Several rows for one lot (several winners of a framework agreement) give one
lot and one award: the first winner is kept as ``winner_id``, values are
summed, the tender count is the largest given, and ``winners`` (an extra
column) counts the rows.

Procedure types (TOP_TYPE -> BT-105 ``procurement-procedure-type``)
-------------------------------------------------------------------
OPE ``open``; RES, AER (accelerated restricted) ``restricted``; NIP (negotiated
with a call), ACN (accelerated negotiated) ``neg-w-call``; NIC, NOC, NOP
(negotiated without a call), AWP (award without prior publication) ``neg-wo-call``;
COD ``comp-dial``; INP ``innovation``; CON (concession award procedure)
and an empty value: no procedure type. Any other code quarantines the row.

Buyer legal types (CAE_TYPE -> BT-11 ``buyer-legal-type``)
-----------------------------------------------------------
1 ministry or national authority ``cga``; N national agency ``cga``; 3 regional
or local authority ``ra``; R regional or local agency ``ra``; 5 EU institution
``eu-ins-bod-ag``; 5A other international organisation ``int-org``; 6 body
governed by public law ``body-pl``; 4 utilities entity, 8 other, Z not
specified: no legal type (eForms has no equivalent). These follow the
Publications Office's own converter of legacy notices to eForms (MINISTRY and
NATIONAL_AGENCY -> ``cga``, REGIONAL_AUTHORITY -> ``ra``, BODY_PUBLIC ->
``body-pl``, EU_INSTITUTION -> ``eu-ins-bod-ag``). Other codes quarantine the
row.

Renamed variant
---------------
``notice_id`` as ID_NOTICE_CAN, ``lot_number`` as ID_LOT_AWARDED,
``publication_date`` (from DT_DISPATCH), ``award_date`` as DT_AWARD,
``country_code``/``buyer_country`` as ISO_COUNTRY_CODE, ``cpv_code`` as CPV,
``lot_value_eur`` (from VALUE_EURO per row; value_source ``VALUE_EURO``),
``contract_type`` as TYPE_OF_CONTRACT, ``buyer_name``/``buyer_type`` as
CAE_NAME/CAE_TYPE, ``winner_name``/``winner_country``, ``sme_flag`` as
B_CONTRACTOR_SME, ``number_of_offers`` as NUMBER_OFFERS,
``framework_agreement`` as B_FRA_AGREEMENT. Its ``procedure_type`` column
holds the CRIT_CODE values L/M, so it feeds ``lots.price_only_award``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from keino_metrics.dataset import Dataset
from keino_metrics.readers._json_common import (
    decode,
    iter_array_items,
    load_json,
    lot_label,
    nuts_code,
    org_id,
    parse_count,
    parse_date,
    parse_number,
    to_dataset,
)
from keino_metrics.readers.base import ParseResult, Quarantined

__all__ = ["FORMAT", "sniff", "parse", "read", "PROCEDURE_TYPES", "BUYER_LEGAL_TYPES",
           "CONTRACT_NATURES"]

FORMAT = "ted-csv"

#: TED CSV ``TOP_TYPE`` -> eForms ``procurement-procedure-type`` (None: no equivalent).
PROCEDURE_TYPES: dict[str, str | None] = {
    "OPE": "open", "RES": "restricted", "AER": "restricted",
    "NIP": "neg-w-call", "ACN": "neg-w-call",
    "NIC": "neg-wo-call", "NOC": "neg-wo-call", "NOP": "neg-wo-call", "AWP": "neg-wo-call",
    "COD": "comp-dial", "INP": "innovation", "CON": None,
}

#: TED CSV ``CAE_TYPE`` -> eForms ``buyer-legal-type`` (None: no equivalent).
BUYER_LEGAL_TYPES: dict[str, str | None] = {
    "1": "cga", "N": "cga", "3": "ra", "R": "ra", "5": "eu-ins-bod-ag", "5A": "int-org",
    "6": "body-pl", "4": None, "8": None, "Z": None,
}

#: TED CSV ``TYPE_OF_CONTRACT`` -> eForms ``contract-nature``.
CONTRACT_NATURES: dict[str, str] = {"W": "works", "U": "supplies", "S": "services"}

_COUNTRY_FIX = {"UK": "GB", "EL": "GR"}

#: Columns that identify the two layouts.
_OFFICIAL_KEY = "ID_NOTICE_CAN"
_VARIANT_KEYS = ("notice_id", "lot_number", "lot_value_eur")


# -- detection --------------------------------------------------------------

def _header_fields(line: str) -> list[str]:
    sep = max(",;|\t", key=line.count)
    return [f.strip().strip('"').strip() for f in line.split(sep)]


def sniff(head: bytes) -> bool:
    """Whether ``head`` starts a TED CSV award file or the renamed variant.

    The official layout is recognised by ``ID_NOTICE_CAN`` in the header line;
    the variant by ``notice_id``, ``lot_number`` and ``lot_value_eur`` as CSV
    header or as keys of the first JSON object.
    """
    text = head[:65536].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text or text.startswith("<"):
        return False
    if text[0] in "[{":
        first = text[: text.find("}") + 1] if "}" in text else text
        return all(f'"{k}"' in first for k in _VARIANT_KEYS)
    header = _header_fields(text.splitlines()[0])
    upper = {h.upper() for h in header}
    return _OFFICIAL_KEY in upper or all(k in header for k in _VARIANT_KEYS)


# -- reading rows -----------------------------------------------------------

def _csv_rows(text: str, source_file: str) -> Iterator[tuple[str, dict] | Quarantined]:
    lines = text.splitlines()
    if not lines:
        return
    sep = max(",;|\t", key=lines[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    n = len(header)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Quarantined(source_file, f"line {reader.line_num}", None, f"CSV error: {exc}")
            return
        record = f"line {reader.line_num}"
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != n:
            yield Quarantined(source_file, record, None,
                              f"row has {len(fields)} fields, the header has {n} "
                              "(truncated or misquoted row)")
            continue
        yield record, dict(zip(header, fields, strict=True))


def _json_rows(text: str, source_file: str) -> Iterator[tuple[str, dict] | Quarantined]:
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n" in stripped.strip():
        # JSON Lines: one object per line
        first_line = stripped.split("\n", 1)[0].strip()
        try:
            json.loads(first_line)
            is_lines = True
        except json.JSONDecodeError:
            is_lines = False
        if is_lines:
            for i, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    obj = load_json(line, source_file, f"line {i}")
                except Quarantined as q:
                    yield q
                    continue
                if not isinstance(obj, dict):
                    yield Quarantined(source_file, f"line {i}", None, "not a JSON object")
                    continue
                yield f"line {i}", obj
            return
    try:
        data = load_json(text, source_file)
        items: Iterator = iter(data if isinstance(data, list) else [data])
    except Quarantined:
        if not stripped.startswith("["):
            raise
        items = iter_array_items(text, text.index("["), source_file, "item")
    for k, obj in enumerate(items):
        if isinstance(obj, Quarantined):
            yield obj
            continue
        if not isinstance(obj, dict):
            yield Quarantined(source_file, f"item[{k}]", None, "not a JSON object")
            continue
        yield f"item[{k}] (notice {obj.get('notice_id')}, lot {obj.get('lot_number')})", obj


# -- mapping ----------------------------------------------------------------

def _s(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _flag(value: object, src: str, record: str, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    s = str(value).strip().upper()
    if not s:
        return None
    if s in {"Y", "YES", "TRUE", "1"}:
        return True
    if s in {"N", "NO", "FALSE", "0"}:
        return False
    raise Quarantined(src, record, field, f"unknown flag value {value!r} (expected Y or N)")


def _code(value: object, table: dict, src: str, record: str, field: str) -> str | None:
    s = _s(value)
    if s is None:
        return None
    key = s.upper()
    if key not in table:
        raise Quarantined(src, record, field,
                          f"unknown code {s!r}; known: {', '.join(sorted(table))}")
    return table[key]


def _country(value: object) -> str | None:
    s = _s(value)
    if s is None:
        return None
    s = s.upper()
    return _COUNTRY_FIX.get(s, s) if len(s) == 2 else None


def _cpv(value: object) -> str | None:
    s = _s(value)
    if s is None:
        return None
    digits = re.sub(r"\D", "", s.split("-")[0].split(".")[0].split(",")[0])
    return digits[:8].zfill(8) if digits else None


def _notice_number(raw: str, url: str | None) -> str:
    if url:
        m = re.search(r"NOTICE:(\d+-\d{4})", url)
        if m:
            return m.group(1)
    s = raw.strip()
    if re.fullmatch(r"\d{5,}", s) and 1990 <= int(s[:4]) <= 2100:
        return f"{int(s[4:])}-{s[:4]}"
    return s


def _official(record: str, row: dict, src: str) -> dict:
    """One official-layout row -> intermediate award dict (raises Quarantined)."""
    g = {k.upper(): v for k, v in row.items()}
    raw_id = _s(g.get("ID_NOTICE_CAN"))
    if raw_id is None:
        raise Quarantined(src, record, "ID_NOTICE_CAN", "missing mandatory notice id")
    if _flag(g.get("CANCELLED"), src, record, "CANCELLED"):
        raise Quarantined(src, record, "CANCELLED", "the notice was cancelled")
    notice_id = _notice_number(raw_id, _s(g.get("TED_NOTICE_URL")))
    record = f"{record} (notice {notice_id})"
    pub = parse_date(g.get("DT_DISPATCH"), src, record, "DT_DISPATCH")
    if pub is None:
        raise Quarantined(src, record, "DT_DISPATCH", "missing mandatory dispatch date")
    buyer_name = _s(g.get("CAE_NAME"))
    if buyer_name is None:
        raise Quarantined(src, record, "CAE_NAME", "missing mandatory buyer name")
    country = _country(g.get("ISO_COUNTRY_CODE"))
    crit = _s(g.get("CRIT_CODE"))
    price_only = None
    if crit is not None:
        if crit.upper() not in {"L", "M"}:
            raise Quarantined(src, record, "CRIT_CODE", f"unknown code {crit!r}; known: L, M")
        price_only = crit.upper() == "L"
    lot_raw = _s(g.get("ID_LOT_AWARDED")) or _s(g.get("ID_LOT"))
    award_value = parse_number(g.get("AWARD_VALUE_EURO"), src, record, "AWARD_VALUE_EURO")
    notice_value = parse_number(g.get("VALUE_EURO"), src, record, "VALUE_EURO")
    est_value = parse_number(g.get("AWARD_EST_VALUE_EURO"), src, record, "AWARD_EST_VALUE_EURO")
    if award_value is not None:
        value, source = award_value, "BT-720"
    elif notice_value is not None:
        value, source = notice_value, "BT-161"
    elif est_value is not None:
        value, source = est_value, "BT-27"
    else:
        value, source = None, None
    win_name = _s(g.get("WIN_NAME"))
    win_country = _country(g.get("WIN_COUNTRY_CODE"))
    non_award = _s(g.get("INFO_ON_NON_AWARD"))
    sme = _flag(g.get("B_CONTRACTOR_SME"), src, record, "B_CONTRACTOR_SME")
    return {
        "record": record, "notice_id": notice_id, "publication_date": pub,
        "procedure_type": _code(g.get("TOP_TYPE"), PROCEDURE_TYPES, src, record, "TOP_TYPE"),
        "buyer_id": org_id(g.get("CAE_NATIONALID"), buyer_name, country),
        "buyer_name": buyer_name,
        "legal_type": _code(g.get("CAE_TYPE"), BUYER_LEGAL_TYPES, src, record, "CAE_TYPE"),
        "country": country,
        "lot_raw": lot_raw, "award_raw": _s(g.get("ID_AWARD")),
        "contract_nature": _code(g.get("TYPE_OF_CONTRACT"), CONTRACT_NATURES, src, record,
                                 "TYPE_OF_CONTRACT"),
        "cpv_main": _cpv(g.get("CPV")),
        "nuts3": nuts_code((_s(g.get("TAL_LOCATION_NUTS")) or "").split(",")[0]),
        "price_only_award": price_only,
        "framework_agreement": _flag(g.get("B_FRA_AGREEMENT"), src, record, "B_FRA_AGREEMENT"),
        "estimated_value_eur": est_value,
        "tenders_received": parse_count(g.get("NUMBER_OFFERS"), src, record, "NUMBER_OFFERS"),
        "sme_tenders_received": parse_count(g.get("NUMBER_TENDERS_SME"), src, record,
                                            "NUMBER_TENDERS_SME"),
        "value": value, "value_source": source,
        "winner_id": (org_id(g.get("WIN_NATIONALID"), win_name, win_country)
                      if win_name or _s(g.get("WIN_NATIONALID")) else None),
        "winner_size": None if sme is None else ("sme" if sme else "large"),
        "winner_chosen": False if non_award else (True if win_name else None),
        "decision_date": parse_date(g.get("DT_AWARD"), src, record, "DT_AWARD"),
        "date_field": "DT_AWARD",
    }


def _variant(record: str, row: dict, src: str) -> dict:
    """One renamed-variant row -> intermediate award dict (raises Quarantined)."""
    notice_raw = _s(row.get("notice_id"))
    if notice_raw is None:
        raise Quarantined(src, record, "notice_id", "missing mandatory notice id")
    notice_id = _notice_number(notice_raw, None)
    lot_raw = _s(row.get("lot_number"))
    if lot_raw is None:
        raise Quarantined(src, record, "lot_number", "missing mandatory lot number")
    pub = parse_date(row.get("publication_date"), src, record, "publication_date")
    if pub is None:
        raise Quarantined(src, record, "publication_date", "missing mandatory publication date")
    buyer_name = _s(row.get("buyer_name"))
    if buyer_name is None:
        raise Quarantined(src, record, "buyer_name", "missing mandatory buyer name")
    country = _country(row.get("buyer_country")) or _country(row.get("country_code"))
    crit = _s(row.get("procedure_type"))
    price_only = None
    if crit is not None:
        if crit.upper() not in {"L", "M"}:
            raise Quarantined(src, record, "procedure_type",
                              f"unknown code {crit!r}; this column holds CRIT_CODE (L or M)")
        price_only = crit.upper() == "L"
    value = parse_number(row.get("lot_value_eur"), src, record, "lot_value_eur")
    win_name = _s(row.get("winner_name"))
    win_country = _country(row.get("winner_country"))
    sme = _flag(row.get("sme_flag"), src, record, "sme_flag")
    return {
        "record": record, "notice_id": notice_id, "publication_date": pub,
        "procedure_type": None,
        "buyer_id": org_id(None, buyer_name, country),
        "buyer_name": buyer_name,
        "legal_type": _code(row.get("buyer_type"), BUYER_LEGAL_TYPES, src, record, "buyer_type"),
        "country": country,
        "lot_raw": lot_raw, "award_raw": None,
        "contract_nature": _code(row.get("contract_type"), CONTRACT_NATURES, src, record,
                                 "contract_type"),
        "cpv_main": _cpv(row.get("cpv_code")),
        "nuts3": None,
        "price_only_award": price_only,
        "framework_agreement": _flag(row.get("framework_agreement"), src, record,
                                     "framework_agreement"),
        "estimated_value_eur": None,
        "tenders_received": parse_count(row.get("number_of_offers"), src, record,
                                        "number_of_offers"),
        "sme_tenders_received": None,
        "value": value, "value_source": "VALUE_EURO" if value is not None else None,
        "winner_id": org_id(None, win_name, win_country) if win_name else None,
        "winner_size": None if sme is None else ("sme" if sme else "large"),
        "winner_chosen": True if win_name else None,
        "decision_date": parse_date(row.get("award_date"), src, record, "award_date"),
        "date_field": "award_date",
    }


# -- assembling -------------------------------------------------------------

def _add(result: ParseResult, state: dict, a: dict) -> None:
    src = result.source_file
    if a["decision_date"] is not None and a["decision_date"] > a["publication_date"]:
        raise Quarantined(src, a["record"], a["date_field"],
                          f"award decision {a['decision_date'].date()} after the notice was "
                          f"sent for publication {a['publication_date'].date()}")
    nid = a["notice_id"]
    notice = state["notices"].get(nid)
    if notice is None:
        notice = {"notice_id": nid, "procedure_id": nid, "notice_type": "can",
                  "publication_date": a["publication_date"], "buyer_id": a["buyer_id"],
                  "procedure_type": a["procedure_type"], "source": FORMAT,
                  "source_file": src}
        state["notices"][nid] = notice
        state["rows_in_notice"][nid] = 0
    elif notice["buyer_id"] != a["buyer_id"]:
        raise Quarantined(src, a["record"], "CAE_NAME",
                          f"buyer differs from earlier rows of notice {nid}")
    state["rows_in_notice"][nid] += 1
    if a["buyer_id"] not in state["buyers"]:
        state["buyers"][a["buyer_id"]] = {
            "buyer_id": a["buyer_id"], "name": a["buyer_name"], "legal_type": a["legal_type"],
            "country": a["country"], "nuts3": None, "municipality_code": None,
            "region_code": None}
    lot_id = lot_label(a["lot_raw"] or a["award_raw"] or state["rows_in_notice"][nid])
    key = (nid, lot_id)
    if key not in state["lots"]:
        state["lots"][key] = {
            "notice_id": nid, "lot_id": lot_id, "contract_nature": a["contract_nature"],
            "cpv_main": a["cpv_main"], "nuts3": a["nuts3"],
            "estimated_value_eur": a["estimated_value_eur"],
            "estimated_value": a["estimated_value_eur"],
            "estimated_value_currency": "EUR" if a["estimated_value_eur"] is not None else None,
            "price_only_award": a["price_only_award"],
            "framework_agreement": a["framework_agreement"]}
        state["awards"][key] = {
            "notice_id": nid, "lot_id": lot_id, "winner_chosen": a["winner_chosen"],
            "tenders_received": a["tenders_received"],
            "sme_tenders_received": a["sme_tenders_received"],
            "awarded_value_eur": a["value"], "awarded_value": a["value"],
            "awarded_value_currency": "EUR" if a["value"] is not None else None,
            "value_source": a["value_source"], "winner_id": a["winner_id"],
            "winner_size": a["winner_size"], "decision_date": a["decision_date"],
            "winners": 1}
        return
    aw = state["awards"][key]
    aw["winners"] += 1
    if a["value"] is not None:
        aw["awarded_value_eur"] = (aw["awarded_value_eur"] or 0.0) + a["value"]
        aw["awarded_value"] = aw["awarded_value_eur"]
        aw["awarded_value_currency"] = "EUR"
        aw["value_source"] = aw["value_source"] or a["value_source"]
    for col in ("tenders_received", "sme_tenders_received"):
        if a[col] is not None:
            aw[col] = max(aw[col] or 0, a[col])
    for col in ("winner_id", "winner_size", "decision_date"):
        if aw[col] is None:
            aw[col] = a[col]
    if a["winner_chosen"]:
        aw["winner_chosen"] = True


def parse(data: bytes, source_file: str) -> ParseResult:
    """Read one TED CSV award file (or the renamed variant) into canonical rows.

    Each CSV row (or JSON object) is a record: it is accepted or quarantined
    with the line, the field and the reason.

    Parameters
    ----------
    data : bytes
        File content.
    source_file : str
        Name used in ``notices.source_file`` and in quarantine entries.

    Returns
    -------
    ParseResult
        ``unit`` is ``award row``.
    """
    result = ParseResult(source_file=source_file, format=FORMAT, unit="award row")
    text = decode(data, source_file)
    stripped = text.lstrip()
    variant = True
    if stripped[:1] in ("[", "{"):
        try:
            rows = list(_json_rows(text, source_file))
        except Quarantined as q:
            rows = [q]
    else:
        header = _header_fields(stripped.splitlines()[0]) if stripped else []
        variant = _OFFICIAL_KEY not in {h.upper() for h in header}
        rows = list(_csv_rows(text, source_file))
    state: dict = {"notices": {}, "buyers": {}, "lots": {}, "awards": {}, "rows_in_notice": {}}
    mapper = _variant if variant else _official
    seen: dict[str, str] = {}
    for item in rows:
        result.records_in += 1
        if isinstance(item, Quarantined):
            result.quarantine.append(item)
            continue
        record, row = item
        first = seen.setdefault(_fingerprint(row), record)
        if first != record:
            result.quarantine.append(Quarantined(source_file, record, None,
                                                 f"duplicate of {first} in the same file"))
            continue
        for key, value in row.items():
            if isinstance(value, float) and value != value:
                result.note(record, key, "NaN", "nulled", "JSON NaN read as a missing value")
                row[key] = None
        try:
            _add(result, state, mapper(record, row, source_file))
        except Quarantined as q:
            result.quarantine.append(q)
            continue
        result.records_accepted += 1
    _share_notice_values(state)
    result.rows["buyers"] = list(state["buyers"].values())
    result.rows["notices"] = list(state["notices"].values())
    result.rows["lots"] = list(state["lots"].values())
    result.rows["awards"] = list(state["awards"].values())
    return result


def _fingerprint(row: dict) -> str:
    """A digest of a row's content: equal rows in one file are duplicates."""
    text = json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _share_notice_values(state: dict) -> None:
    """Spread a notice total (``VALUE_EURO``, BT-161) equally over the notice's lots."""
    lots_per_notice: dict[str, int] = {}
    for nid, _ in state["awards"]:
        lots_per_notice[nid] = lots_per_notice.get(nid, 0) + 1
    for (nid, _), aw in state["awards"].items():
        if aw["value_source"] == "BT-161" and aw["awarded_value_eur"] is not None:
            n = lots_per_notice[nid]
            aw["awarded_value_eur"] = aw["awarded_value_eur"] / aw["winners"] / n
            aw["awarded_value"] = aw["awarded_value_eur"]


def read(path: str | Path) -> Dataset:
    """Read a TED CSV award file (or the renamed variant) into a :class:`Dataset`.

    Examples
    --------
    >>> from keino_metrics.readers import ted_csv
    >>> ds = ted_csv.read("TED_CAN_2019.csv")  # doctest: +SKIP
    >>> ds.accounting  # doctest: +SKIP
    """
    p = Path(path)
    result = parse(p.read_bytes(), str(path))
    return to_dataset([result], {"source_files": [str(path)], "format": FORMAT})
