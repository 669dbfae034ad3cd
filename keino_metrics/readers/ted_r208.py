"""Where the forms of TED export schema R2.0.8 (and R2.0.7) keep each field.

TED's exports of notices under the 2004/2009 directives use the R2.0.8
schema: the root ``TED_EXPORT`` in the namespace
``http://publications.europa.eu/TED_schema/Export`` (or the relative
``ted/R2.0.8.S03/publication``, ``.../resource/schema/ted/R2.0.8/publication``,
or none), the version on the form (``VERSION="R2.0.8.S02.E01"``), and forms
named after their kind: ``CONTRACT`` (``FD_CONTRACT``), ``CONTRACT_AWARD``
(``FD_CONTRACT_AWARD``), their ``_UTILITIES`` and ``_DEFENCE`` variants,
``VOLUNTARY_EX_ANTE_TRANSPARENCY_NOTICE`` and so on. R2.0.7 files have the
same layout.

This module only finds the values (as text, by element names, whatever
the namespace) and returns them in a :class:`Form`; the legacy reader
(:mod:`keino_metrics.readers.ted_legacy`) checks them and builds the rows
exactly as for R2.0.9. Element names differ between forms
(``CONTRACTING_AUTHORITY_INFORMATION`` in a contract notice,
``CONTRACTING_AUTHORITY_INFORMATION_CONTRACT_AWARD`` in an award notice), so
sections are found by the start of their names. Mapping (see
``docs/readers.md``):

* buyer: the first ``CA_CE_CONCESSIONAIRE_PROFILE`` of the contracting
  authority section (``ORGANISATION/OFFICIALNAME``, ``ORGANISATION/NATIONALID``,
  ``TOWN``, ``COUNTRY/@VALUE``), legal type ``TYPE_OF_CONTRACTING_AUTHORITY/@VALUE``;
* procedure type: the first ``PT_*`` element of the procedure section;
  procedure id: ``NOTICE_NUMBER_OJ`` of the contract notice referred to
  (``CNT_NOTICE_INFORMATION``), else of any previous publication;
* nature, CPV, title, location: ``TYPE_CONTRACT/@VALUE`` (else the
  ``CTYPE`` of the form), the first ``CPV_MAIN/CPV_CODE/@CODE``,
  ``TITLE_CONTRACT``, the first NUTS 3 ``NUTS/@CODE`` of the object section;
* lots: ``*_ANNEX_B`` (``LOT_NUMBER``, ``LOT_TITLE``, estimate
  ``COSTS_RANGE_AND_CURRENCY/VALUE_COST``) when the notice is divided
  (``*_DIV_INTO_LOT_YES``); an award notice describes no lots: its lots are
  the ``LOT_NUMBER`` of its awards;
* awards: ``AWARD_OF_CONTRACT*`` (utilities: each ``AWARD_AND_CONTRACT_VALUE``
  of ``AWARD_CONTRACT_CONTRACT_AWARD_UTILITIES``; an empty one reports nothing)
  with ``LOT_NUMBER``, ``CONTRACT_TITLE`` (``TITLE_CONTRACT``),
  ``OFFERS_RECEIVED_NUMBER``, ``CONTRACT_AWARD_DATE`` (``DATE_OF_CONTRACT_AWARD``;
  ``DAY``, ``MONTH``, ``YEAR``), every ``ECONOMIC_OPERATOR_NAME_ADDRESS``
  (``CONTACT_DATA_WITHOUT_RESPONSIBLE_NAME_CHP``), the final value
  ``CONTRACT_VALUE_INFORMATION`` (``INFORMATION_VALUE_CONTRACT``)
  ``/COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE/VALUE_COST`` and the initial estimate
  ``INITIAL_ESTIMATED_TOTAL_VALUE_CONTRACT/VALUE_COST``;
* notice total: ``TOTAL_FINAL_VALUE/COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE/VALUE_COST``
  (utilities: the object section's own ``COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE``);
* price-only award: ``LOWEST_PRICE`` / ``MOST_ECONOMICALLY_ADVANTAGEOUS_TENDER*``
  (utilities: ``PRICE_AWARD_CRITERIA/@PRICE``).

An amount is ``VALUE_COST/@FMTVAL`` (machine format), else its text; a range
(``RANGE_VALUE_COST``) is not an amount and is not read.

Written by hand because no maintained Python library reads TED's legacy
export schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

#: Form element -> notice type.
FORM_TYPES = {
    "PRIOR_INFORMATION": "pin", "PRIOR_INFORMATION_DEFENCE": "pin",
    "PERIODIC_INDICATIVE_UTILITIES": "pin",
    "CONTRACT": "cn", "CONTRACT_UTILITIES": "cn", "CONTRACT_DEFENCE": "cn",
    "CONTRACT_CONCESSIONAIRE": "cn", "DESIGN_CONTEST": "cn",
    "QUALIFICATION_SYSTEM_UTILITIES": "cn",
    "CONTRACT_AWARD": "can", "CONTRACT_AWARD_UTILITIES": "can",
    "CONTRACT_AWARD_DEFENCE": "can", "RESULT_DESIGN_CONTEST": "can",
    "VOLUNTARY_EX_ANTE_TRANSPARENCY_NOTICE": "veat",
    "ADDITIONAL_INFORMATION_CORRIGENDUM": "corrigendum",
}
#: ``PT_*`` element -> procedure type (BT-105); ``F03_``-style prefixes are dropped.
PROCEDURE = {
    "PT_OPEN": "open", "PT_RESTRICTED": "restricted", "PT_ACCELERATED_RESTRICTED": "restricted",
    "PT_NEGOTIATED": "neg-w-call", "PT_ACCELERATED_NEGOTIATED": "neg-w-call",
    "PT_NEGOTIATED_WITH_COMPETITION": "neg-w-call",
    "PT_NEGOTIATED_WITH_PRIOR_CALL": "neg-w-call",
    "PT_COMPETITIVE_DIALOGUE": "comp-dial",
    "PT_NEGOTIATED_WITHOUT_COMPETITION": "neg-wo-call",
    "PT_NEGOTIATED_WITHOUT_PUBLICATION": "neg-wo-call",
    "PT_AWARD_CONTRACT_WITHOUT_PRIOR_PUBLICATION": "neg-wo-call",
    "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION": "neg-wo-call",
}


@dataclass
class Amount:
    """An amount as written (text) and its currency attribute."""

    text: str | None
    currency: str | None
    field: str


@dataclass
class Award:
    """One ``AWARD_OF_CONTRACT`` as written."""

    lot_no: str | None
    title: str | None
    tenders: str | None
    concluded: str | None  # YYYY-MM-DD built from DAY, MONTH, YEAR
    value: Amount | None
    estimate: Amount | None
    #: the element has content (an empty ``AWARD_OF_CONTRACT`` says nothing)
    reported: bool = True
    #: (official name, national id, country code) of each economic operator
    contractors: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)


@dataclass
class Lot:
    """One lot description (``*_ANNEX_B``) as written."""

    lot_no: str | None
    title: str | None
    estimate: Amount | None


@dataclass
class Form:
    """The fields the reader reads from one R2.0.8 form, as written."""

    notice_type: str
    form_code: str
    buyer_name: str | None = None
    buyer_id: str | None = None
    buyer_town: str | None = None
    buyer_country: str | None = None
    ca_type: str | None = None
    procedure_type: str | None = None
    reference: str | None = None
    title: str | None = None
    nature: str | None = None
    cpv: str | None = None
    nuts3: str | None = None
    framework: bool = False
    price_only: bool | None = None
    total: Amount | None = None
    divided: bool = False
    lots: list[Lot] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)


def _local(e) -> str:
    return etree.QName(e).localname if isinstance(e.tag, str) else ""


def _child(node, name: str):
    """First child of ``node`` named ``name`` (any namespace), or ``None``."""
    if node is None:
        return None
    for c in node:
        if _local(c) == name:
            return c
    return None


def _path(node, *names: str):
    for n in names:
        node = _child(node, n)
    return node


def _find(node, name: str):
    """First descendant of ``node`` named ``name`` (document order), or ``None``."""
    if node is None:
        return None
    for e in node.iter():
        if _local(e) == name:
            return e
    return None


def _section(fd, *starts: str):
    """First child of the form's ``FD_*`` element whose name starts with one of ``starts``."""
    for c in fd if fd is not None else ():
        if _local(c).startswith(starts):
            return c
    return None


def _text(e) -> str | None:
    if e is None:
        return None
    t = " ".join("".join(e.itertext()).split())
    return t or None


def _value(box, field_name: str) -> Amount | None:
    """The ``VALUE_COST`` of a currency element (``FMTVAL``, else its text)."""
    if box is None:
        return None
    cost = _child(box, "VALUE_COST")
    if cost is None:
        return None
    text = cost.get("FMTVAL") or _text(cost)
    cur = (box.get("CURRENCY") or "").strip().upper() or None
    return Amount(text, cur, field_name)


def _date(node) -> str | None:
    if node is None:
        return None
    d, m, y = (_text(_child(node, k)) for k in ("DAY", "MONTH", "YEAR"))
    if not (d and m and y):
        return None
    return f"{y}-{m.zfill(2)}-{d.zfill(2)}"


def _procedure_type(section) -> str | None:
    for e in section.iter() if section is not None else ():
        name = _local(e)
        if "PT_" in name:
            name = name[name.index("PT_"):]
            if name in PROCEDURE:
                return PROCEDURE[name]
    return None


def form_code(form) -> str:
    """``F03`` from ``FORM="3"``; the attribute itself when it is not a number."""
    code = (form.get("FORM") or "").strip()
    return f"F{int(code):02d}" if code.isdigit() else (code or _local(form))


def read(form) -> Form:
    """The fields of one original-language R2.0.8 form (see the module docstring)."""
    out = Form(FORM_TYPES.get(_local(form), "other"), form_code(form))
    fd = next((c for c in form if _local(c).startswith("FD_")), None)
    if fd is None:
        return out
    authority = _section(fd, "CONTRACTING_AUTHORITY", "CONTRACTING_ENTITY")
    profile = _find(authority, "CA_CE_CONCESSIONAIRE_PROFILE")
    if profile is not None:
        out.buyer_name = _text(_path(profile, "ORGANISATION", "OFFICIALNAME"))
        out.buyer_id = _text(_path(profile, "ORGANISATION", "NATIONALID"))
        out.buyer_town = _text(_child(profile, "TOWN"))
        country = _child(profile, "COUNTRY")
        out.buyer_country = country.get("VALUE") if country is not None else None
    ca = _find(authority, "TYPE_OF_CONTRACTING_AUTHORITY")
    out.ca_type = ca.get("VALUE") if ca is not None else None

    procedure = _section(fd, "PROCEDURE")
    out.procedure_type = _procedure_type(procedure)
    cnt = _find(procedure, "CNT_NOTICE_INFORMATION")
    ref = _find(cnt, "NOTICE_NUMBER_OJ") if cnt is not None else None
    if ref is None:
        ref = _find(procedure, "NOTICE_NUMBER_OJ")
    out.reference = _text(ref)
    criteria = [_local(e) for e in procedure.iter()] if procedure is not None else []
    price = _find(procedure, "PRICE_AWARD_CRITERIA")  # utilities: PRICE="LOWEST_PRICE"
    price = (price.get("PRICE") or "") if price is not None else ""
    if any(c.startswith("MOST_ECONOMICALLY_ADVANTAGEOUS") for c in criteria) or (
            price.startswith("MOST_ECONOMICALLY")):
        out.price_only = False
    elif "LOWEST_PRICE" in criteria or price == "LOWEST_PRICE":
        out.price_only = True

    obj = _section(fd, "OBJECT")
    out.title = _text(_find(obj, "TITLE_CONTRACT"))
    ctype = _find(obj, "TYPE_CONTRACT")
    out.nature = (ctype.get("VALUE") if ctype is not None else None) or fd.get("CTYPE")
    cpv = _find(_find(obj, "CPV_MAIN"), "CPV_CODE")
    out.cpv = cpv.get("CODE") if cpv is not None else None
    for e in obj.iter() if obj is not None else ():
        if _local(e) == "NUTS" and len((e.get("CODE") or "").strip()) == 5:
            out.nuts3 = e.get("CODE").strip().upper()
            break
    names = [_local(e) for e in obj.iter()] if obj is not None else []
    out.framework = any("FRAMEWORK_AGREEMENT" in n for n in names)
    # TOTAL_FINAL_VALUE (utilities: the object section's own currency element)
    total = _path(_find(obj, "TOTAL_FINAL_VALUE"), "COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE")
    if total is None:
        total = _child(obj, "COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE")
    out.total = _value(total, "TOTAL_FINAL_VALUE")
    out.divided = any(n.endswith("DIV_INTO_LOT_YES") for n in names)
    for e in obj.iter() if out.divided else ():
        if _local(e).endswith("ANNEX_B"):
            out.lots.append(Lot(_text(_child(e, "LOT_NUMBER")), _text(_child(e, "LOT_TITLE")),
                                _value(_find(e, "COSTS_RANGE_AND_CURRENCY"), "VALUE_COST")))

    for aw in _award_elements(fd):
        out.awards.append(_award(aw))
    return out


def _award_elements(fd) -> list:
    """The awards of a form: each ``AWARD_OF_CONTRACT*`` child of ``FD_*``, and
    each ``AWARD_AND_CONTRACT_VALUE`` of a utilities award notice's
    ``AWARD_CONTRACT_CONTRACT_AWARD_UTILITIES`` (an empty container is one
    award that says nothing)."""
    out = []
    for c in fd:
        name = _local(c)
        if name.startswith("AWARD_OF_CONTRACT"):
            out.append(c)
        elif name.startswith("AWARD_CONTRACT"):
            inner = [e for e in c if _local(e) == "AWARD_AND_CONTRACT_VALUE"]
            out.extend(inner or [c])
    return out


def _award(aw) -> Award:
    """One award as written (the utilities form names some elements differently:
    ``TITLE_CONTRACT``, ``DATE_OF_CONTRACT_AWARD``, ``INFORMATION_VALUE_CONTRACT``
    and the contractor ``CONTACT_DATA_WITHOUT_RESPONSIBLE_NAME_CHP``)."""
    info = _child(aw, "CONTRACT_VALUE_INFORMATION")
    if info is None:
        info = _child(aw, "INFORMATION_VALUE_CONTRACT")
    title = _child(aw, "CONTRACT_TITLE")
    date = _child(aw, "CONTRACT_AWARD_DATE")
    award = Award(_text(_child(aw, "LOT_NUMBER")),
                  _text(title if title is not None else _child(aw, "TITLE_CONTRACT")),
                  _text(_child(aw, "OFFERS_RECEIVED_NUMBER")),
                  _date(date if date is not None else _child(aw, "DATE_OF_CONTRACT_AWARD")),
                  _value(_child(info, "COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE"), "VALUE_COST"),
                  _value(_child(info, "INITIAL_ESTIMATED_TOTAL_VALUE_CONTRACT"),
                         "INITIAL_ESTIMATED_TOTAL_VALUE_CONTRACT"), len(aw) > 0)
    for op in aw:
        name = _local(op)
        if name == "ECONOMIC_OPERATOR_NAME_ADDRESS":
            a = _child(op, "CONTACT_DATA_WITHOUT_RESPONSIBLE_NAME")
            a = op if a is None else a
        elif name == "CONTACT_DATA_WITHOUT_RESPONSIBLE_NAME_CHP":
            a = op
        else:
            continue
        country = _child(a, "COUNTRY")
        award.contractors.append((_text(_find(a, "OFFICIALNAME")), _text(_find(a, "NATIONALID")),
                                  country.get("VALUE") if country is not None else None))
    return award
