"""Reader for legacy TED XML notices (export schema R2.0.9, forms F01-F25,
and R2.0.8/R2.0.7, the forms of the 2004/2009 directives).

R2.0.8 forms name their elements differently; :mod:`ted_r208` finds their
values and :func:`_notice_r208` turns them into rows by the same rules and
checks as the R2.0.9 forms (the award rows are pooled by :func:`_awards`
for both).

A TED export file holds one notice, repeated once per language in
``FORM_SECTION``; only the form whose ``CATEGORY`` is ``ORIGINAL`` is read.
Fields are mapped to the eForms business terms the official TED XML -> eForms
converter (OP-TED/ted-xml-data-converter) uses, so a legacy notice and its
official eForms conversion give the same canonical rows (a test checks the 24
converted notices). Rules (see ``docs/readers.md``):

* lot ids: ``LOT_NO`` that is one number (``3``, ``Lot 3``) -> ``LOT-0003``,
  other text kept as written, a notice without lots has the single lot
  ``LOT-0000``; each award is linked to the lots its ``LOT_NO`` names
  (numbers, lists, ranges, sub-lots, lot titles; :mod:`lot_numbers`);
* award data (F03, F06, F15, F25 and the award variants of F21-F23): one row
  per lot named, pooling the lot's ``AWARD_CONTRACT`` elements; an award of
  several lots is divided equally among them (:func:`_awards`); ``VAL_TOTAL``
  per contract is the tender value (BT-720; summed, or the maximum for
  framework agreements), then ``OBJECT_CONTRACT/VAL_TOTAL`` shared over the
  awarded lots (BT-161), then the lot estimate (BT-27);
* odd values that can be left out (an amount that is not a number, a CPV
  code that is not 8 digits, more SME tenders than tenders ...) are nulled
  with a field-level issue; only what cannot be placed quarantines the
  notice;
* ``NB_TENDERS_RECEIVED`` -> tenders, ``NB_TENDERS_RECEIVED_SME`` -> SME
  tenders, ``SME``/``NO_SME`` on a contractor -> winner size ``sme`` /
  ``large`` (BT-165 code list ``economic-operator-size``);
* ``procedure_id`` is the publication number of the notice the file refers to
  (``NOTICE_NUMBER_OJ`` or ``REF_NOTICE``), else the notice's own number, so
  a legacy award notice links to its contract notice.

Written by hand because no maintained Python library reads TED's legacy
export schema into tables.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

from lxml import etree

from keino_metrics.readers import lot_numbers, ted_r208, xmlsafe
from keino_metrics.readers.base import FieldIssue, ParseResult, Quarantined
from keino_metrics.readers.checks import Record, buyer_id, country_alpha2, publication_number

FORMAT = "ted-legacy"
SCHEMA_VERSIONS = ("R2.0.9", "R2.0.8", "R2.0.7")
#: Versions whose forms are read by the paths of :mod:`ted_r208`.
R208_VERSIONS = ("R2.0.8", "R2.0.7")

#: Form -> notice type (F21-F23 depend on ``NOTICE/@TYPE``, see :data:`NOTICE_TYPE`).
FORM_TYPES = {
    "F01": "pin", "F04": "pin", "F16": "pin", "F02": "cn", "F05": "cn", "F07": "cn",
    "F12": "cn", "F17": "cn", "F24": "cn", "F03": "can", "F06": "can", "F13": "can",
    "F18": "can", "F19": "can", "F25": "can", "F14": "corrigendum", "F20": "modification",
    "F15": "veat", "F08": "other",
}
NOTICE_TYPE = {
    "PRI_ONLY": "pin", "PER_ONLY": "pin", "PRI_CALL_COMPETITION": "pin",
    "PER_CALL_COMPETITION": "pin", "CONTRACT": "cn", "QSU_CALL_COMPETITION": "cn",
    "QSU_ONLY": "cn", "AWARD_CONTRACT": "can",
}
#: Forms without a framework-agreement field (concessions, VEAT).
NO_FRAMEWORK_CONCEPT = ("F24", "F25")
#: Forms where a missing ``FRAMEWORK`` element means "not reported" rather than "no".
FRAMEWORK_ONLY_IF_PRESENT = ("F15",)
#: ``CA_TYPE`` -> buyer legal type (BT-11), as the official converter maps it.
CA_TYPE = {
    "MINISTRY": "cga", "NATIONAL_AGENCY": "cga", "REGIONAL_AUTHORITY": "ra",
    "REGIONAL_AGENCY": "ra", "BODY_PUBLIC": "body-pl", "EU_INSTITUTION": "eu-ins-bod-ag",
}
#: Procedure elements -> procedure type (BT-105).
PROCEDURE = {
    "PT_OPEN": "open", "PT_RESTRICTED": "restricted", "PT_COMPETITIVE_NEGOTIATION": "neg-w-call",
    "PT_NEGOTIATED_WITH_PRIOR_CALL": "neg-w-call", "PT_COMPETITIVE_DIALOGUE": "comp-dial",
    "PT_INNOVATION_PARTNERSHIP": "innovation", "PT_INVOLVING_NEGOTIATION": "neg-w-call",
    "PT_AWARD_CONTRACT_WITHOUT_CALL": "neg-wo-call",
    "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION": "neg-wo-call",
    "PT_AWARD_CONTRACT_WITH_PRIOR_PUBLICATION": "neg-w-call",
}


def sniff(head: bytes) -> bool:
    """Whether ``head`` starts a TED export document (``TED_EXPORT`` root).

    The content must be XML (:func:`~keino_metrics.readers.xmlsafe.looks_like_xml`).
    """
    h = head[:4096]
    return xmlsafe.looks_like_xml(h) and b"<TED_EXPORT" in h


def parse(data: bytes, source_file: str) -> ParseResult:
    """Read one TED export file into canonical rows (see the module docstring).

    Odd values that can be kept or nulled become field-level issues of the
    result (``ParseResult.issues``); they are dropped with the notice when
    the notice is quarantined.
    """
    issues: list[FieldIssue] = []

    def extract(root, name: str) -> dict[str, list[dict]]:
        return _notice(root, name, issues)

    res = xmlsafe.read_notice(data, source_file, FORMAT, extract, select=original_only)
    if res.records_accepted:
        res.issues.extend(dict.fromkeys(issues))  # an award repeated for one lot: once
    return res


_ROOT_TAG = re.compile(rb"""<TED_EXPORT(?:\s+[^\s=<>/]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*>""")
_SECTION_TAG = re.compile(rb"""<FORM_SECTION(?:\s+[^\s=<>/]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*>""")
_FORM_TAG = re.compile(rb"""<([A-Za-z_][\w.-]*)(?:\s+[^\s=<>/]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*>""")
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
#: Encodings in which the markers below are found byte for byte.
_ASCII_BASED = re.compile(r"utf-?8|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d|cp125\d",
                          re.I)
_CATEGORIES = (b'CATEGORY="ORIGINAL"', b'CATEGORY="TRANSLATION"')
_END = b"</TED_EXPORT>"


def _depth(data: bytes, start: int, end: int) -> int:
    """Elements opened minus elements closed between ``start`` and ``end``
    (counted by markup; valid where there is no comment, CDATA or processing
    instruction)."""
    closes = data.count(b"</", start, end)
    return data.count(b"<", start, end) - 2 * closes - data.count(b"/>", start, end)


def _one_element(data: bytes, start: int, end: int, name: bytes) -> bool:
    """Whether ``data[start:end]`` is white space or one element ``name``
    (its start tag, no other start tag of that name, and its end tag last),
    which in a well-formed document is one whole element."""
    i = data.find(b"<" + name, start, end)
    if i < 0:
        return not data[start:end].strip()
    if data[start:i].strip() or data.find(b"<" + name, i + 1, end) >= 0:
        return False
    return data[i:end].rstrip().endswith(b"</" + name + b">")


def original_only(data: bytes) -> bytes | None:
    """The part of a TED export file that :func:`parse` reads, as a document.

    A TED export file repeats its form in up to 24 languages (``FORM_SECTION``
    children with ``CATEGORY="TRANSLATION"``) and has a ``TRANSLATION_SECTION``
    with labels; the reader reads neither, only the root element's
    attributes, ``CODED_DATA_SECTION`` and the ``ORIGINAL`` form. This
    function cuts those parts out of the file at byte level and joins them::

        prolog + <TED_EXPORT ...> + <CODED_DATA_SECTION>...</CODED_DATA_SECTION>
               + <FORM_SECTION> + <F.. CATEGORY="ORIGINAL">...</F..>
               + </FORM_SECTION></TED_EXPORT>

    It returns ``None`` (parse the whole file) unless all of these hold:

    * the encoding is one in which the markers are found byte for byte
      (UTF-8, ASCII, ISO 8859, Windows 125x);
    * the file has no ``<!`` (comment, CDATA section, DOCTYPE) and no
      processing instruction after the XML declaration;
    * without trailing white space it ends with ``</TED_EXPORT>``, so a
      truncated file is parsed whole and reported;
    * it has exactly one ``FORM_SECTION`` and exactly one form with
      ``CATEGORY="ORIGINAL"``, every other ``CATEGORY`` being
      ``"TRANSLATION"``;
    * ``CODED_DATA_SECTION`` and ``FORM_SECTION`` are children of the root
      and the original form a child of ``FORM_SECTION`` (tags counted
      between them; between the two sections only a ``TRANSLATION_SECTION``
      may stand).

    A syntax or encoding defect inside a part that is not read (a
    translation, the translation section) is therefore not reported;
    truncation and defects in the parts read are, with the whole file's
    line and column, because a part that does not parse makes the reader
    parse the whole file (:func:`~keino_metrics.readers.xmlsafe.read_notice`).

    Parameters
    ----------
    data : bytes
        The whole file.

    Returns
    -------
    bytes or None
        The smaller document, or ``None`` when the file is not cut.
    """
    if xmlsafe.has_pair(data, b"<", b"!"):
        return None
    tail = data[-64:].rstrip()
    if not tail.endswith(_END):
        return None
    root = data.find(b"<TED_EXPORT")
    if root < 0:
        return None
    m = _ENCODING.match(data)
    if m is not None and not _ASCII_BASED.fullmatch(m.group(1).decode("ascii")):
        return None
    if xmlsafe.has_pair(data, b"<", b"?", 5):  # a processing instruction after the declaration
        return None
    m = _ROOT_TAG.match(data, root)
    if m is None:
        return None
    root_end = m.end()
    coded = data.find(b"<CODED_DATA_SECTION>", root_end)
    coded_end = data.find(b"</CODED_DATA_SECTION>", coded)
    section = data.find(b"<FORM_SECTION", root_end)  # the first one, checked to be the only one
    if coded < 0 or coded_end < 0 or section < coded_end:
        return None
    coded_end += len(b"</CODED_DATA_SECTION>")
    m = _SECTION_TAG.match(data, section)
    if m is None:
        return None
    section_end = m.end()
    original = -1
    i = data.find(b"CATEGORY", section_end)
    while i >= 0:
        if data.startswith(_CATEGORIES[0], i):
            if original >= 0:
                return None
            original = i
        elif not data.startswith(_CATEGORIES[1], i):
            return None
        i = data.find(b"CATEGORY", i + 8)
    if original < 0 or data.find(b"CATEGORY", 0, section_end) >= 0:
        return None
    start = data.rfind(b"<", section_end, original)
    m = _FORM_TAG.match(data, start) if start >= 0 else None
    if m is None or m.end() <= original:
        return None
    # the form's end tag, not one that only starts with its name (R2.0.8
    # CONTRACT_AWARD holds CONTRACT_AWARD_DATE)
    end_tag = re.compile(b"</" + re.escape(m.group(1)) + rb"\s*>").search(data, m.end())
    if end_tag is None:
        return None
    close = end_tag.end() - 1
    if (data.find(b"<FORM_SECTION", section_end) >= 0
            or not _one_element(data, coded_end, section, b"TRANSLATION_SECTION")
            or _depth(data, root_end, coded)
            or (data[section_end:start].strip() and _depth(data, section_end, start))):
        return None
    return b"".join((data[:root_end], data[coded:coded_end], data[section:section_end],
                     data[start:close + 1], b"</FORM_SECTION>", _END))


@cache
def _x(ns: str) -> _X:
    return _X(ns)


class _X:
    """Namespace-aware lookups for one schema namespace (compiled XPath, cached).

    Where several children of one element are read (a lot, an award, a
    contractor), :meth:`kids` lists the children once instead of running one
    XPath per field.
    """

    def __init__(self, ns: str):
        self.ns = {"t": ns} if ns else {}  # a file without namespace: plain names
        self.pre = f"{{{ns}}}" if ns else ""
        self._q: dict[str, etree.XPath] = {}
        #: element name -> local name ("" outside this namespace)
        self._local: dict = {}
        self._tags: dict[tuple[str, ...], tuple[str, ...]] = {}

    def _name(self, tag) -> str:
        pre = self.pre
        out = (tag[len(pre):] if isinstance(tag, str) and tag.startswith(pre)
               and "}" not in tag[len(pre):] else "")
        if len(self._local) < 4096:  # the schema's names; not every name a file invents
            self._local[tag] = out
        return out

    def kids(self, node, names: tuple[str, ...] | None = None) -> dict[str, etree._Element]:
        """First child of ``node`` per local name (children in this namespace).

        With ``names``, only children of those names are listed (lxml filters
        them by name in C, so the others cost no Python object).
        """
        out: dict[str, etree._Element] = {}
        local = self._local
        if names is not None:
            tags = self._tags.get(names)
            if tags is None:
                tags = self._tags[names] = tuple(self.pre + n for n in names)
                for t, n in zip(tags, names, strict=True):
                    local[t] = n
            for c in node.iterchildren(*tags):
                k = local[c.tag]
                if k not in out:
                    out[k] = c
            return out
        for c in node:
            t = c.tag
            k = local.get(t)
            if k is None:
                k = self._name(t)
            if k not in out:
                out[k] = c
        out.pop("", None)
        return out

    def q(self, path: str) -> etree.XPath:
        out = self._q.get(path)
        if out is None:
            t = "t:" if self.ns else ""
            expr = "/".join(p if (":" in p or p in ("", ".", "..", "*")) else f"{t}{p}"
                            for p in path.split("/"))
            out = self._q[path] = etree.XPath(expr, namespaces=self.ns)
        return out

    def el(self, node, path: str):
        hits = self.q(path)(node)
        return hits[0] if hits else None

    def els(self, node, path: str) -> list:
        return self.q(path)(node)

    def text(self, node, path: str) -> str | None:
        return _text(self.el(node, path))

    def attr(self, node, path: str, name: str) -> str | None:
        e = self.el(node, path)
        v = e.get(name) if e is not None else None
        return v.strip() if v and v.strip() else None


def _text(e) -> str | None:
    """Text of ``e`` with white space collapsed (``None`` when empty or absent)."""
    if e is None:
        return None
    if len(e) == 0:  # a leaf: its own text
        t = e.text
        return t.strip() or None if t else None
    s = " ".join("".join(e.itertext()).split())
    return s or None


def _attr(e, name: str) -> str | None:
    v = e.get(name) if e is not None else None
    return v.strip() if v and v.strip() else None


_NUTS_CODES = etree.XPath("*[local-name()='NUTS']/@CODE")


def _nuts(node) -> str | None:
    """First NUTS 3 code among ``node``'s ``NUTS`` children (any NUTS namespace)."""
    for code in _NUTS_CODES(node):
        c = code.strip().upper()
        if len(c) == 5:
            return c
    return None


def _soft(rec: Record, check, text: str | None, field: str):
    """``check(text, field)`` (a :class:`Record` check), or ``None`` with a
    field-level issue (action ``nulled``) when the value fails it."""
    try:
        return check(text, field)
    except Quarantined as q:
        rec.note(field, text, "nulled", q.reason)
        return None


def _amount(rec: Record, x: _X | None, node, path: str | None, field: str):
    """Amount and currency of the element at ``path`` (or of ``node`` itself
    when ``x`` is ``None``); an amount that is not a non-negative number, or
    has no currency, is nulled with a field-level issue."""
    e = node if x is None else x.el(node, path)
    if e is None:
        return None, None
    v = _soft(rec, rec.amount, e.text, field)
    cur = (e.get("CURRENCY") or "").strip().upper() or None
    if v is not None and cur is None:
        rec.note(field, e.text, "nulled", "amount without currency")
        return None, None
    return v, (cur if v is not None else None)


# Children read of an address, a lot, its award criteria, an award, an awarded
# contract, its tender counts and a contractor.
_ADDRESS = ("OFFICIALNAME", "NATIONALID", "COUNTRY", "TOWN")
_LOT = ("LOT_NO", "VAL_OBJECT", "AC", "TITLE")
_CRITERIA = ("AC_QUALITY", "AC_COST", "AC_CRITERION", "AC_CRITERIA", "AC_PRICE")
_AWARD = ("LOT_NO", "TITLE", "AWARDED_CONTRACT", "NO_AWARDED_CONTRACT")
_AWARDED = ("TENDERS", "VALUES", "VALUE", "DATE_CONCLUSION_CONTRACT", "CONTRACTORS",
            "CONTRACTOR")
_TENDERS = ("NB_TENDERS_RECEIVED", "NB_TENDERS_RECEIVED_SME", "NB_TENDERS_RECEIVED_EMEANS")
_CONTRACTOR = ("ADDRESS_CONTRACTOR", "SME", "NO_SME")


def _schema_version(ns: str) -> str:
    """``R2.0.9`` from the export namespaces TED used for that schema
    (``.../resource/schema/ted/R2.0.9/publication``, the relative
    ``ted/R2.0.9.S02/publication`` and, in 2016-2017,
    ``http://formex.publications.europa.eu/ted/schema/export/R2.0.9.S01.E01``);
    else the namespace itself."""
    m = re.search(r"(?:^|/)ted/(?:schema/export/)?(R\d+\.\d+\.\d+)[^/]*(?:/publication)?$", ns)
    return m.group(1) if m else ns


def _notice(root, source_file: str, issues: list[FieldIssue] | None = None
            ) -> dict[str, list[dict]]:
    rec = Record(source_file, "file", [] if issues is None else issues)
    qn = etree.QName(root)
    if qn.localname != "TED_EXPORT":
        raise rec.fail(None, f"root element {qn.localname!r} is not TED_EXPORT")
    ns = qn.namespace or ""
    x = _x(ns)
    notice_id = publication_number(root.get("DOC_ID"))
    rec.record = notice_id or "file"
    rec.required(notice_id, "DOC_ID", "notice identifier (publication number)")
    coded = x.el(root, "CODED_DATA_SECTION")
    if coded is None:
        raise rec.fail("CODED_DATA_SECTION", "mandatory coded data section is missing")
    published = rec.date(x.text(coded, "REF_OJS/DATE_PUB"), "DATE_PUB")
    dispatch = _soft(rec, rec.date, x.text(coded, "CODIF_DATA/DS_DATE_DISPATCH"),
                     "DS_DATE_DISPATCH")
    pub_date = rec.required(published or dispatch, "DATE_PUB", "publication date")
    if published and dispatch and published < dispatch:
        raise rec.fail("DATE_PUB", f"published {published} before it was dispatched {dispatch}")
    forms = [f for f in x.els(root, "FORM_SECTION/*") if f.get("CATEGORY") == "ORIGINAL"]
    if not forms:
        raise rec.fail("FORM_SECTION", "no form with CATEGORY='ORIGINAL'")
    form = forms[0]
    version = _schema_version(ns)
    if not version.startswith("R"):  # TED_schema/Export or no namespace: the form says
        version = (form.get("VERSION") or root.get("VERSION") or "")[:6]
    if version not in SCHEMA_VERSIONS:
        raise rec.fail("TED_EXPORT", f"unknown schema version {version or '(none)'!r} "
                       f"(supported {', '.join(SCHEMA_VERSIONS)})")
    if version in R208_VERSIONS:
        return _notice_r208(rec, ted_r208.read(form), notice_id, coded, x, pub_date,
                            dispatch, version, source_file)
    form_code = form.get("FORM") or etree.QName(form).localname[:3]
    notice_type = FORM_TYPES.get(form_code)
    if notice_type is None:
        nt = x.attr(form, "NOTICE", "TYPE")
        notice_type = NOTICE_TYPE.get(nt or "", "other")
    ref = (x.text(form, "PROCEDURE/NOTICE_NUMBER_OJ")
           or x.text(coded, "NOTICE_DATA/REF_NOTICE/NO_DOC_OJS"))
    procedure_id = publication_number(ref) or notice_id
    year = pub_date.year

    cb = x.el(form, "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY")
    if cb is None:
        raise rec.fail("ADDRESS_CONTRACTING_BODY", "mandatory buyer is missing")
    ca_type = x.attr(form, "CONTRACTING_BODY/CA_TYPE", "VALUE")
    buyers = []
    for addr in [cb, *x.els(form, "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY_ADDITIONAL")]:
        ka = x.kids(addr, _ADDRESS)
        name = rec.required(_text(ka.get("OFFICIALNAME")), "OFFICIALNAME", "buyer name")
        country = country_alpha2(_attr(ka.get("COUNTRY"), "VALUE"))
        reg = _text(ka.get("NATIONALID"))
        buyers.append({"buyer_id": buyer_id(reg, name, country), "name": name,
                       "legal_type": CA_TYPE.get(ca_type or ""), "country": country,
                       "nuts3": _nuts(addr), "city": _text(ka.get("TOWN")),
                       "registration_number": reg})
    bid = buyers[0]["buyer_id"]

    proc = x.el(form, "PROCEDURE")
    proc_type = None
    framework = None
    if proc is not None:
        for child in proc.iter():
            tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if tag in PROCEDURE:
                proc_type = PROCEDURE[tag]
                break
        if form_code not in NO_FRAMEWORK_CONCEPT:
            framework = x.el(proc, ".//FRAMEWORK") is not None
            if not framework and form_code in FRAMEWORK_ONLY_IF_PRESENT:
                framework = None
    notice = {
        "notice_id": notice_id, "procedure_id": procedure_id, "notice_type": notice_type,
        "publication_date": pub_date, "buyer_id": bid, "procedure_type": proc_type,
        "source": FORMAT, "source_file": source_file, "notice_subtype": form_code,
        "dispatch_date": dispatch, "schema_version": version,
        "title": x.text(form, "OBJECT_CONTRACT/TITLE"), "value_year": year,
    }

    oc = x.el(form, "OBJECT_CONTRACT")
    nature = None
    cpv = None
    if oc is not None:
        ct = x.attr(oc, "TYPE_CONTRACT", "CTYPE")
        nature = _soft(rec, lambda v, f: rec.code(v, "contract-nature", f),
                       ct.lower() if ct else None, "TYPE_CONTRACT")
        cpv_text = x.attr(oc, "CPV_MAIN/CPV_CODE", "CODE")
        if cpv_text is not None:
            if re.fullmatch(r"\d{8}", cpv_text):
                cpv = cpv_text
            else:
                rec.note("CPV_MAIN", cpv_text, "nulled", "CPV code is not 8 digits")
    descrs = x.els(oc, "OBJECT_DESCR") if oc is not None else []
    divided = oc is not None and x.el(oc, "LOT_DIVISION") is not None
    lots: dict[str, dict] = {}
    index = lot_numbers.LotIndex()
    for d in descrs:
        k = x.kids(d, _LOT)
        raw = _text(k.get("LOT_NO"))
        title = _text(k.get("TITLE"))
        lot_id, changed = index.add(raw, title) if divided else ("LOT-0000", False)
        if lot_id in lots:
            raise rec.fail("LOT_NO", f"lot {lot_id} appears twice")
        if changed:
            rec.note("LOT_NO", raw, "normalised", f"lot number read as {lot_id}")
        est, est_cur = _amount(rec, None, k.get("VAL_OBJECT"), None, "VAL_OBJECT")
        if est is None and len(descrs) == 1 and oc is not None:
            est, est_cur = _amount(rec, x, oc, "VAL_ESTIMATED_TOTAL", "VAL_ESTIMATED_TOTAL")
        ac = k.get("AC")
        if ac is None:
            ac = x.el(d, ".//AC")
        price_only = None
        if ac is not None:
            criteria = x.kids(ac, _CRITERIA)
            if any(t in criteria for t in ("AC_QUALITY", "AC_COST", "AC_CRITERION",
                                           "AC_CRITERIA")):
                price_only = False
            elif "AC_PRICE" in criteria:
                price_only = True
        lots[lot_id] = {
            "notice_id": notice_id, "lot_id": lot_id, "contract_nature": nature,
            "cpv_main": cpv, "nuts3": _nuts(d),
            "estimated_value": est, "estimated_value_currency": est_cur,
            "estimated_value_eur": est if est is not None and est_cur == "EUR" else None,
            "price_only_award": price_only, "framework_agreement": framework,
            "title": title or notice["title"], "value_year": year,
        }
    items = _r209_awards(rec, x, form)
    total = (_amount(rec, x, oc, "VAL_TOTAL", "OBJECT_CONTRACT/VAL_TOTAL")
             if items and oc is not None else (None, None))
    awards = _awards(rec, items, notice_id, lots, index, framework, year, divided, total)
    return {"notices": [notice], "buyers": buyers, "lots": list(lots.values()),
            "awards": awards}


def _checked_amount(rec: Record, amount: ted_r208.Amount | None
                    ) -> tuple[float | None, str | None]:
    """An R2.0.8 amount checked as :func:`_amount` checks an element."""
    if amount is None:
        return None, None
    v = _soft(rec, rec.amount, amount.text, amount.field)
    if v is not None and amount.currency is None:
        rec.note(amount.field, amount.text, "nulled", "amount without currency")
        return None, None
    return v, (amount.currency if v is not None else None)


def _notice_r208(rec: Record, f: ted_r208.Form, notice_id: str, coded, x: _X,
                 pub_date: dt.date, dispatch: dt.date | None, version: str,
                 source_file: str) -> dict[str, list[dict]]:
    """Rows of an R2.0.8 (or R2.0.7) form, by the rules of the R2.0.9 forms.

    An award notice of this schema describes no lots: its lots are the
    ``LOT_NUMBER`` values of its awards (each registered once, as a lot's own
    number), with the estimate of the first award of that lot; it is divided
    when any award has a ``LOT_NUMBER``.
    """
    ref = f.reference or x.text(coded, "NOTICE_DATA/REF_NOTICE/NO_DOC_OJS")
    procedure_id = publication_number(ref) or notice_id
    year = pub_date.year
    name = rec.required(f.buyer_name, "OFFICIALNAME", "buyer name")
    country = country_alpha2(f.buyer_country)
    buyers = [{"buyer_id": buyer_id(f.buyer_id, name, country), "name": name,
               "legal_type": CA_TYPE.get(f.ca_type or ""), "country": country,
               "nuts3": None, "city": f.buyer_town, "registration_number": f.buyer_id}]
    notice = {
        "notice_id": notice_id, "procedure_id": procedure_id, "notice_type": f.notice_type,
        "publication_date": pub_date, "buyer_id": buyers[0]["buyer_id"],
        "procedure_type": f.procedure_type, "source": FORMAT, "source_file": source_file,
        "notice_subtype": f.form_code, "dispatch_date": dispatch, "schema_version": version,
        "title": f.title, "value_year": year,
    }
    nature = _soft(rec, lambda v, fld: rec.code(v, "contract-nature", fld),
                   f.nature.lower() if f.nature else None, "TYPE_CONTRACT")
    cpv = None
    if f.cpv is not None:
        if re.fullmatch(r"\d{8}", f.cpv):
            cpv = f.cpv
        else:
            rec.note("CPV_MAIN", f.cpv, "nulled", "CPV code is not 8 digits")
    described = bool(f.lots)
    if described:
        divided = f.divided
        entries = [(lot.lot_no, lot.title, lot.estimate) for lot in f.lots]
    else:  # an award notice: the lots its awards number
        divided = any(a.lot_no for a in f.awards)
        entries, seen = [], set()
        for a in f.awards:
            key = " ".join(a.lot_no.split()).lower() if a.lot_no else None
            if key not in seen:
                seen.add(key)
                entries.append((a.lot_no, a.title, a.estimate))
        if not divided:
            entries = [(None, f.title, f.awards[0].estimate if len(f.awards) == 1 else None)]
    lots: dict[str, dict] = {}
    index = lot_numbers.LotIndex()
    for raw, title, estimate in entries:
        lot_id, changed = index.add(raw, title) if divided else ("LOT-0000", False)
        if lot_id in lots:
            raise rec.fail("LOT_NO", f"lot {lot_id} appears twice")
        if changed:  # lot references are reported as LOT_NO whatever the schema calls them
            rec.note("LOT_NO", raw, "normalised", f"lot number read as {lot_id}")
        est, est_cur = _checked_amount(rec, estimate)
        lots[lot_id] = {
            "notice_id": notice_id, "lot_id": lot_id, "contract_nature": nature,
            "cpv_main": cpv, "nuts3": f.nuts3,
            "estimated_value": est, "estimated_value_currency": est_cur,
            "estimated_value_eur": est if est is not None and est_cur == "EUR" else None,
            "price_only_award": f.price_only, "framework_agreement": f.framework,
            "title": title or f.title, "value_year": year,
        }
    items = _r208_awards(rec, f)
    total = _checked_amount(rec, f.total) if items else (None, None)
    awards = _awards(rec, items, notice_id, lots, index, f.framework, year, divided, total,
                     described)
    return {"notices": [notice], "buyers": buyers, "lots": list(lots.values()),
            "awards": awards}


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(ids) if len(ids) <= 4 else f"{ids[0]}, {ids[1]}, ..., {ids[-1]} ({len(ids)} lots)"


def _linked(rec: Record, raw: str | None, title: str | None, index: lot_numbers.LotIndex,
            divided: bool, described: bool = True) -> lot_numbers.LotLink:
    """The lots an award names (:func:`lot_numbers.link`), with a field-level
    issue for a reference that is not a plain lot of the notice.

    ``raw`` is the award's ``LOT_NO`` and ``title`` its ``TITLE`` (read only
    without ``LOT_NO``). ``described`` is false for an R2.0.8 award notice,
    whose lots are those its awards number (no issue for an undescribed lot).
    """
    title = title if not raw else None
    found = lot_numbers.link(raw, title, index, divided)
    ids = _ids(found.lot_ids)
    if found.rule == "unmatched":
        rec.note("LOT_NO", raw, "kept_raw", "names no lot of the notice; the award keeps "
                 f"lot id {ids}")
    elif found.rule in ("list", "leading number", "title", "lot title"):
        what = {"list": "a list or range of lots", "leading number": "a part of a lot",
                "title": "no LOT_NO; the award's title names its lots",
                "lot title": "the title of a lot"}[found.rule]
        rec.note("LOT_NO" if raw else "TITLE", raw or title, "normalised",
                 f"{what}: linked to {ids}")
    if found.unknown and found.rule != "unmatched" and described:
        rec.note("LOT_NO" if raw else "TITLE", raw or title, "kept_raw",
                 f"{_ids(found.unknown)} not described in the notice; kept to join "
                 "the procedure's other notices by number")
    return found


@dataclass
class _Award:
    """One award of a notice, checked, whatever the schema wrote it as."""

    lot_no: str | None
    title: str | None
    #: a contract was awarded (``None``: not said)
    awarded: bool | None
    #: NB_TENDERS_RECEIVED, NB_TENDERS_RECEIVED_SME, NB_TENDERS_RECEIVED_EMEANS
    counts: dict[str, int | None] = field(default_factory=dict)
    value: float | None = None
    currency: str | None = None
    concluded: dt.date | None = None
    #: {"id", "country", "sme"} per contractor
    winners: list[dict] = field(default_factory=list)


def _r209_awards(rec: Record, x: _X, form) -> list[_Award]:
    """The ``AWARD_CONTRACT`` elements of an R2.0.9 form."""
    out = []
    for ac in x.els(form, "AWARD_CONTRACT"):
        k = x.kids(ac, _AWARD)
        award = _Award(_text(k.get("LOT_NO")), _text(k.get("TITLE")), None)
        out.append(award)
        aw = k.get("AWARDED_CONTRACT")
        if aw is None:
            if "NO_AWARDED_CONTRACT" in k:
                award.awarded = False
            continue
        award.awarded = True
        kw = x.kids(aw, _AWARDED)
        # counts in TENDERS (2017 on) or directly in the contract (2016-2017 forms)
        nb = x.kids(kw["TENDERS"] if "TENDERS" in kw else aw, _TENDERS)
        award.counts = {tag: _soft(rec, rec.count, _text(nb.get(tag)), tag) for tag in _TENDERS}
        # the value in VALUES (VALUE in some 2018 files) or directly in the contract
        box = kw.get("VALUES", kw.get("VALUE", aw))
        award.value, award.currency = _amount(rec, x, box, "VAL_TOTAL", "VAL_TOTAL")
        award.concluded = _soft(rec, rec.date, _text(kw.get("DATE_CONCLUSION_CONTRACT")),
                                "DATE_CONCLUSION_CONTRACT")
        contractors = (x.els(kw["CONTRACTORS"], "CONTRACTOR") if "CONTRACTORS" in kw
                       else [])
        if not contractors and "CONTRACTOR" in kw:
            contractors = x.els(aw, "CONTRACTOR")
        for c in contractors:
            kc = x.kids(c, _CONTRACTOR)
            a = kc.get("ADDRESS_CONTRACTOR")
            if a is None:
                continue
            ka = x.kids(a, _ADDRESS)
            cname = _text(ka.get("OFFICIALNAME"))
            ccountry = country_alpha2(_attr(ka.get("COUNTRY"), "VALUE"))
            sme_flag = (True if "SME" in kc else False if "NO_SME" in kc else None)
            award.winners.append({"id": buyer_id(_text(ka.get("NATIONALID")), cname, ccountry),
                                  "country": ccountry, "sme": sme_flag})
    return out


def _r208_awards(rec: Record, form: ted_r208.Form) -> list[_Award]:
    """The ``AWARD_OF_CONTRACT`` elements of an R2.0.8 form: each one with
    content is an awarded contract (the schema lists only those); an empty
    one says nothing."""
    out = []
    for a in form.awards:
        n = _soft(rec, rec.count, a.tenders, "OFFERS_RECEIVED_NUMBER")
        value, cur = _checked_amount(rec, a.value)
        winners = []
        for name, reg, country in a.contractors:
            c = country_alpha2(country)
            winners.append({"id": buyer_id(reg, name, c), "country": c, "sme": None})
        out.append(_Award(a.lot_no, a.title, True if a.reported else None,
                          {"NB_TENDERS_RECEIVED": n, "NB_TENDERS_RECEIVED_SME": None,
                           "NB_TENDERS_RECEIVED_EMEANS": None}, value, cur,
                          _soft(rec, rec.date, a.concluded, "CONTRACT_AWARD_DATE"), winners))
    return out


def _awards(rec: Record, items: list[_Award], notice_id: str, lots: dict,
            index: lot_numbers.LotIndex, framework: bool | None, year: int, divided: bool,
            total: tuple[float | None, str | None], described: bool = True) -> list[dict]:
    """One row per lot named by the notice's awards (see :mod:`lot_numbers`).

    An award that names several lots contributes to each of them, with its
    value divided equally among them (so the notice's total is kept) and its
    winners. Its tender counts are the award's, not each lot's: they are
    the lot's counts only when one tender was received (one tender for all
    the lots is one for each); otherwise the lot's counts stay unreported
    and the award's count is kept in ``award_tenders_received``.
    ``lots_in_award`` says how many lots the largest such award covered and
    ``lot_refs`` keeps the ``LOT_NO`` texts that were not plain lot numbers.
    ``total`` is the notice's total value and currency (BT-161).
    """
    if not items:
        return []
    # lot id -> [(award, share of the award's value, LOT_NO text, lots named)]
    by_lot: dict[str, list] = {}
    for award in items:
        found = _linked(rec, award.lot_no, award.title, index, divided, described)
        raw = award.lot_no
        plain = found.rule in ("undivided", "only lot") or (
            found.rule in ("lot text", "number") and raw is not None and raw.isdigit())
        share = 1.0 / len(found.lot_ids)
        for lot_id in found.lot_ids:
            by_lot.setdefault(lot_id, []).append(
                (award, share, None if plain else (raw or award.title), len(found.lot_ids)))
    total_value, total_cur = total
    awarded_lots = [lot for lot, entries in by_lot.items()
                    if any(a.awarded for a, *_rest in entries)]
    out = []
    for lot_id, entries in by_lot.items():
        tenders, sme, esubm, values, currencies, winners, concl = [], [], [], [], set(), [], []
        shared_tenders: list[int] = []
        chosen = None
        for award, share, _ref, n_lots in entries:
            if not award.awarded:
                if award.awarded is False and chosen is None:
                    chosen = False
                continue
            chosen = True
            counts = award.counts
            n_award = counts.get("NB_TENDERS_RECEIVED")
            if n_lots > 1 and n_award != 1:
                # the award's count is not each lot's: kept beside, not assigned
                if n_award is not None:
                    shared_tenders.append(n_award)
            else:
                for tag, acc in zip(_TENDERS, (tenders, sme, esubm), strict=True):
                    if counts.get(tag) is not None:
                        acc.append(counts[tag])
            if award.value is not None:
                values.append(award.value * share)
                currencies.add(award.currency)
            if award.concluded:
                concl.append(award.concluded)
            winners.extend(award.winners)
        lot = lots.get(lot_id, {})
        value = cur = source = None
        if len(currencies) > 1:
            rec.note("VAL_TOTAL", ", ".join(sorted(currencies)), "nulled",
                     f"contracts of lot {lot_id} in several currencies")
        elif values:
            value = max(values) if framework else sum(values)
            cur, source = currencies.pop(), "BT-720"
        if value is None and total_value is not None and chosen and awarded_lots:
            value, cur, source = total_value / len(awarded_lots), total_cur, "BT-161"
        if value is None and lot.get("estimated_value") is not None:
            value, cur, source = lot["estimated_value"], lot["estimated_value_currency"], "BT-27"
        n_t = max(tenders) if tenders else None
        n_sme = max(sme) if sme else None
        if n_t is not None and n_sme is not None and n_sme > n_t:
            rec.note("NB_TENDERS_RECEIVED_SME", n_sme, "nulled",
                     f"more tenders from SMEs than tenders received ({n_t}) for lot {lot_id}")
            n_sme = None
        first = winners[0] if winners else {}
        flags = [w["sme"] for w in winners if w["sme"] is not None]
        refs = list(dict.fromkeys(r for _a, _s, r, _n in entries if r))
        out.append({
            "notice_id": notice_id, "lot_id": lot_id, "winner_chosen": chosen,
            "tenders_received": n_t, "sme_tenders_received": n_sme,
            "tenders_received_source": "NB_TENDERS_RECEIVED" if n_t is not None else None,
            "tenders_electronic": max(esubm) if esubm else None,
            "awarded_value": value, "awarded_value_currency": cur,
            "awarded_value_eur": value if value is not None and cur == "EUR" else None,
            "value_source": source, "winner_id": first.get("id"),
            "winner_size": {True: "sme", False: "large"}.get(first.get("sme")),
            "decision_date": None, "contract_date": min(concl) if concl else None,
            "winners": len({w["id"] for w in winners}) or None,
            "winner_country": first.get("country"),
            "sme_winner": any(flags) if flags else None, "value_year": year,
            "lots_in_award": max(n for _a, _s, _r, n in entries),
            "award_tenders_received": max(shared_tenders) if shared_tenders else None,
            "lot_refs": "; ".join(refs) if refs else None,
        })
    return out
