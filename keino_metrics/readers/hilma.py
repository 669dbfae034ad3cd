"""Reader for notices from Hilma's read API with their national statistics answers.

Hilma (hankintailmoitukset.fi) is Finland's national notice service. Its read
API returns, for each eForms notice, the notice XML (Base64-encoded) and the
national statistics answers (``hilmaStatistics``): yes/no answers per lot,
keyed by the lot id (BT-137), on innovation, environmental and social aims
and SME participation. The answers never reach TED; this reader is their
only way into the canonical ``hilma_statistics`` table.

Written by hand: no library reads Hilma's API payloads. The notice XML is
handed to the eForms reader (:mod:`keino_metrics.readers.eforms`) when it is
installed; otherwise the reader takes the notice identity, buyer, lots and
winner-selection status (BT-142) from the XML itself, and from the JSON
metadata when there is no XML (pre-eForms national notices).

Accepted JSON
-------------
A single notice object, a list of them, or an object holding the list under
``notices``, ``value`` or ``items``. A notice object has

``noticeId`` (required)
    Hilma's notice id, kept as the extra column ``hilma_notice_id``.
``eForm`` (or ``eform``, ``eFormXml``, ``xml``)
    The eForms XML, Base64-encoded as the API delivers it or as plain text.
``hilmaStatistics`` (or ``statistics``)
    ``{"LOT-0001": {"innovationConsidered": true, ...}, ...}``.
``procedureId``, ``datePublished``, ``noticeType``, ``organisationName``,
``organisationNationalRegistrationNumber``, ``organisationNuts``, ``lots``
    Metadata used only when there is no XML. ``noticeType`` is an eForms
    notice subtype (``29``, ``E4``), notice type (``can-standard``) or
    canonical type (``can``); ``lots`` is a list of ``{"lotId", "mainCpvCode",
    "winnerSelectionStatus"}``.

Statistics keys map to the canonical columns through
:data:`keino_metrics.datamodel.HILMA_QUESTIONS` (matched without regard to
case, so ``smeParticipationConsidered`` and ``sMEParticipationConsidered``
are the same key); unanswered questions are null.
``howManyOpportunitiesIsEstimated`` becomes the extra column
``opportunities_estimated``.

Rules (Hilma API documentation)
-------------------------------
On contract award notices the answers are mandatory for lots whose result is
``selec-w`` (BT-142) and forbidden for other lots. Answers on a lot without a
winner, answers for a lot the notice does not have, unknown keys and
non-boolean answers are put in the quarantine table (file, notice, field
``hilmaStatistics.<lot>[.<key>]``) and not used; the notice itself is still
read. Missing mandatory answers raise a
:class:`~keino_metrics.readers._json_common.ReaderWarning`.

A notice without ``noticeId``, with XML that cannot be decoded or read, or
(without XML) without publication date or buyer goes to quarantine as a
whole.
"""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset
from keino_metrics.readers._json_common import (
    ReaderWarning,
    country_alpha2,
    decode,
    iter_array_items,
    load_json,
    lot_label,
    nuts_code,
    org_id,
    parse_count,
    parse_date,
    region_of,
    to_dataset,
)
from keino_metrics.readers.base import ParseResult, Quarantined

__all__ = ["FORMAT", "sniff", "parse", "read", "STATISTICS_KEYS", "notice_type_of"]

FORMAT = "hilma"

#: Hilma statistics key (lower case) -> canonical ``hilma_statistics`` column.
STATISTICS_KEYS: dict[str, str] = {k.lower(): col for col, k in
                                   datamodel.HILMA_QUESTIONS.items()}
_EXTRA_KEYS = {"howmanyopportunitiesisestimated": "opportunities_estimated"}

_XML_KEYS = ("eForm", "eform", "eFormXml", "eformXml", "xml")
_STAT_KEYS = ("hilmaStatistics", "statistics")
_LIST_KEYS = ("notices", "value", "items")


# -- detection --------------------------------------------------------------

def sniff(head: bytes) -> bool:
    """Whether ``head`` starts Hilma read-API JSON.

    A JSON object or array that names ``hilmaStatistics``, or a notice id
    (``noticeId``, or ``id`` beside ``procedureId`` as the eForms read API
    answers one notice) together with an ``eForm`` field, and no OCDS
    ``ocid``. The read API's Base64 ``eForm`` often fills the first 64 KiB
    before ``hilmaStatistics`` comes, hence the second form.
    """
    text = head[:65536].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text or text[0] not in "[{" or '"ocid"' in text:
        return False
    if '"hilmaStatistics"' in text:
        return True
    has_id = '"noticeId"' in text or ('"id"' in text and '"procedureId"' in text)
    return has_id and any(f'"{k}"' in text for k in _XML_KEYS)


# -- notice types -----------------------------------------------------------

def notice_type_of(code: str | None) -> str | None:
    """Canonical notice type for an eForms notice subtype or notice type code.

    Examples
    --------
    >>> notice_type_of("29"), notice_type_of("E3"), notice_type_of("can-social")
    ('can', 'cn', 'can')
    """
    if code is None:
        return None
    c = str(code).strip()
    if c in datamodel.NOTICE_TYPES:
        return c
    if c.isdigit():
        n = int(c)
        for hi, t in ((14, "pin"), (24, "cn"), (28, "veat"), (37, "can"), (40, "modification")):
            if 1 <= n <= hi:
                return "cn" if n == 15 else t
        return None
    fixed = {"E1": "pin", "E2": "pin", "E3": "cn", "E4": "can", "E5": "other",
             "E6": "modification", "CEI": "cn", "T01": "pin", "T02": "can",
             "veat": "veat", "can-modif": "modification", "pmc": "pin", "qu-sy": "cn",
             "subco": "cn", "compl": "other"}
    if c in fixed:
        return fixed[c]
    for prefix, t in (("pin", "pin"), ("cn", "cn"), ("can", "can")):
        if c.startswith(prefix):
            return t
    return None


# -- the notice XML ---------------------------------------------------------

def _eforms_parser() -> Callable[[bytes, str], ParseResult] | None:
    """``keino_metrics.readers.eforms.parse`` if that reader is installed."""
    try:
        from keino_metrics.readers import eforms
    except ImportError:
        return None
    return getattr(eforms, "parse", None)


def _xml_bytes(value: object, src: str, record: str, field: str) -> bytes:
    if not isinstance(value, str) or not value.strip():
        raise Quarantined(src, record, field, "eForm is empty or not text")
    s = value.strip()
    if s.startswith("<"):
        return s.encode("utf-8")
    try:
        out = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise Quarantined(src, record, field,
                          "eForm is neither XML nor valid Base64") from None
    if not out.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise Quarantined(src, record, field, "Base64 eForm does not decode to XML")
    return out


_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
}
_EXT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"


def _own_xml(xml: bytes, src: str, record: str, hilma_id: str) -> dict[str, list[dict]]:
    """Notice, buyer, lots and lot results from eForms XML, without the eForms reader."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise Quarantined(src, record, "eForm", f"eForm XML is not well-formed: {exc}") from None

    def text(node, path: str) -> str | None:
        found = node.find(path, _NS)
        return found.text.strip() if found is not None and found.text else None

    uuid = text(root, "cbc:ID[@schemeName='notice-id']") or text(root, "cbc:ID")
    version = text(root, "cbc:VersionID") or "01"
    pub_no = text(root, f"{_EXT}/efac:Publication/efbc:NoticePublicationID")
    m = re.fullmatch(r"0*(\d+)-(\d{4})", pub_no or "")
    notice_id = (f"{int(m.group(1))}-{m.group(2)}" if m
                 else f"{uuid}-{version}" if uuid else hilma_id)
    sub = text(root, f"{_EXT}/efac:NoticeSubType/cbc:SubTypeCode")
    ntype = notice_type_of(text(root, "cbc:NoticeTypeCode")) or notice_type_of(sub) or "other"
    if root.find(f"{_EXT}/efac:Changes", _NS) is not None:
        ntype = "corrigendum"
    pub = parse_date(text(root, f"{_EXT}/efac:Publication/efbc:PublicationDate")
                     or text(root, "cbc:IssueDate"), src, record, "BT-05(a)-notice")
    if pub is None:
        raise Quarantined(src, record, "BT-05(a)-notice", "notice has no issue date")
    orgs = {}
    for org in root.iterfind(f"{_EXT}/efac:Organizations/efac:Organization/efac:Company", _NS):
        oid = text(org, "cac:PartyIdentification/cbc:ID")
        if oid:
            orgs[oid] = org
    ref = text(root, "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID")
    comp = orgs.get(ref) if ref else None
    if comp is None:
        raise Quarantined(src, record, "OPT-300-Procedure-Buyer", "buyer organisation not found")
    name = text(comp, "cac:PartyName/cbc:Name")
    if name is None:
        raise Quarantined(src, record, "BT-500-Organization-Company", "buyer name is missing")
    country = country_alpha2(text(comp, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"))
    nuts3 = nuts_code(text(comp, "cac:PostalAddress/cbc:CountrySubentityCode"))
    buyer = {"buyer_id": org_id(text(comp, "cac:PartyLegalEntity/cbc:CompanyID"), name, country),
             "name": name, "legal_type": text(root, "cac:ContractingParty/cac:ContractingPartyType"
                                                    "/cbc:PartyTypeCode[@listName='buyer-legal-type']"),
             "country": country, "nuts3": nuts3, "municipality_code": None,
             "region_code": region_of(nuts3)}
    notice = {"notice_id": notice_id, "procedure_id": text(root, "cbc:ContractFolderID")
              or notice_id, "notice_type": ntype, "publication_date": pub,
              "buyer_id": buyer["buyer_id"], "procedure_type":
              text(root, "cac:TenderingProcess/cbc:ProcedureCode"), "source": FORMAT,
              "source_file": src}
    lots = []
    for lot in root.iterfind("cac:ProcurementProjectLot", _NS):
        lid = lot.find("cbc:ID", _NS)
        if lid is None or lid.get("schemeName") != "Lot" or not lid.text:
            continue
        cpv = text(lot, "cac:ProcurementProject/cac:MainCommodityClassification/"
                        "cbc:ItemClassificationCode")
        lots.append({"notice_id": notice_id, "lot_id": lid.text.strip(),
                     "contract_nature": text(lot, "cac:ProcurementProject/cbc:ProcurementTypeCode"),
                     "cpv_main": cpv[:8] if cpv else None,
                     "nuts3": nuts_code(text(lot, "cac:ProcurementProject/cac:RealizedLocation/"
                                                  "cac:Address/cbc:CountrySubentityCode"))})
    awards = []
    for lr in root.iterfind(f"{_EXT}/efac:NoticeResult/efac:LotResult", _NS):
        lot_ref = text(lr, "efac:TenderLot/cbc:ID")
        status = text(lr, "cbc:TenderResultCode")
        if lot_ref:
            awards.append({"notice_id": notice_id, "lot_id": lot_ref,
                           "winner_chosen": None if status is None else status == "selec-w"})
    return {"notices": [notice], "buyers": [buyer], "lots": lots, "awards": awards}


def _from_metadata(n: dict, src: str, record: str, hilma_id: str) -> dict[str, list[dict]]:
    """Notice, buyer and lots from the JSON fields (no XML)."""
    pub = parse_date(n.get("datePublished") or n.get("publicationDate"), src, record,
                     "datePublished")
    if pub is None:
        raise Quarantined(src, record, "datePublished", "mandatory publication date is missing")
    name = n.get("organisationName") or n.get("organizationName")
    if not isinstance(name, str) or not name.strip():
        raise Quarantined(src, record, "organisationName", "mandatory buyer name is missing")
    raw_type = n.get("noticeType")
    ntype = notice_type_of(None if raw_type is None else str(raw_type))
    if ntype is None:
        raise Quarantined(src, record, "noticeType", f"unknown notice type {raw_type!r}")
    reg = n.get("organisationNationalRegistrationNumber") or n.get("organisationNationalId")
    nuts3 = nuts_code(n.get("organisationNuts"))
    buyer = {"buyer_id": org_id(reg, name, "FI"), "name": name.strip(), "legal_type": None,
             "country": "FI", "nuts3": nuts3, "municipality_code": None,
             "region_code": region_of(nuts3)}
    notice = {"notice_id": hilma_id, "procedure_id": str(n.get("procedureId") or hilma_id),
              "notice_type": ntype, "publication_date": pub, "buyer_id": buyer["buyer_id"],
              "procedure_type": n.get("procedureType"), "source": FORMAT, "source_file": src}
    lots, awards = [], []
    for k, lot in enumerate(n.get("lots") or []):
        if not isinstance(lot, dict) or not lot.get("lotId"):
            raise Quarantined(src, record, f"lots[{k}].lotId", "lot without id")
        lot_id = lot_label(lot["lotId"])
        cpv = lot.get("mainCpvCode")
        lots.append({"notice_id": hilma_id, "lot_id": lot_id,
                     "cpv_main": str(cpv).split("-")[0][:8] if cpv else None})
        status = lot.get("winnerSelectionStatus")
        if status is not None:
            if status not in ("selec-w", "clos-nw", "open-nw"):
                raise Quarantined(src, record, f"lots[{k}].winnerSelectionStatus",
                                  f"unknown code {status!r}")
            awards.append({"notice_id": hilma_id, "lot_id": lot_id,
                           "winner_chosen": status == "selec-w",
                           "tenders_received": parse_count(lot.get("tendersReceived"), src,
                                                           record, f"lots[{k}].tendersReceived")})
    return {"notices": [notice], "buyers": [buyer], "lots": lots, "awards": awards}


# -- statistics -------------------------------------------------------------

def _statistics(payload: object, tables: dict[str, list[dict]], src: str, record: str,
                hilma_id: str, problems: list[Quarantined]) -> list[dict]:
    """Canonical ``hilma_statistics`` rows; problems go to ``problems``."""
    notice = tables["notices"][0]
    notice_id = notice["notice_id"]
    lots = {r["lot_id"] for r in tables.get("lots", [])}
    status = {r["lot_id"]: r.get("winner_chosen") for r in tables.get("awards", [])}
    result_notice = notice["notice_type"] == "can"
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        problems.append(Quarantined(src, record, "hilmaStatistics",
                                    "statistics payload is not an object keyed by lot id"))
        return []
    rows = []
    for lot_id, answers in payload.items():
        field = f"hilmaStatistics.{lot_id}"
        if lots and lot_id not in lots:
            problems.append(Quarantined(src, record, field,
                                        f"answers for lot {lot_id}, which the notice does not "
                                        f"have ({', '.join(sorted(lots))}); not used"))
            continue
        if not isinstance(answers, dict):
            problems.append(Quarantined(src, record, field, "answers are not a JSON object"))
            continue
        if result_notice and lot_id in status and status[lot_id] is not True:
            problems.append(Quarantined(
                src, record, field,
                f"answers given for lot {lot_id} whose result is not a winner (BT-142 is not "
                "selec-w); Hilma forbids statistics on such lots; not used"))
            continue
        row: dict = {"notice_id": notice_id, "lot_id": lot_id, "hilma_notice_id": hilma_id}
        bad = False
        for key, value in answers.items():
            k = str(key).lower()
            if k in _EXTRA_KEYS:
                try:
                    row[_EXTRA_KEYS[k]] = parse_count(value, src, record, f"{field}.{key}")
                except Quarantined as q:
                    problems.append(q)
                    bad = True
                continue
            col = STATISTICS_KEYS.get(k)
            if col is None:
                problems.append(Quarantined(src, record, f"{field}.{key}",
                                            f"unknown statistics key {key!r}; ignored"))
                continue
            if value is not None and not isinstance(value, bool):
                problems.append(Quarantined(src, record, f"{field}.{key}",
                                            f"answer {value!r} is not true, false or null; "
                                            f"the answers for lot {lot_id} are not used"))
                bad = True
                continue
            row[col] = value
        if not bad:
            rows.append(row)
    if result_notice:
        missing = sorted(lot for lot, won in status.items() if won and lot not in payload)
        if missing:
            warnings.warn(f"{src}, {record}: mandatory statistics answers missing for "
                          f"winning lot(s) {', '.join(missing)}", ReaderWarning, stacklevel=3)
    return rows


# -- driver -----------------------------------------------------------------

def _notices(obj: object) -> Iterator[object]:
    if isinstance(obj, list):
        yield from obj
        return
    if isinstance(obj, dict):
        for key in _LIST_KEYS:
            if isinstance(obj.get(key), list):
                yield from obj[key]
                return
    yield obj


def _first(n: dict, keys: tuple[str, ...]) -> tuple[str | None, object]:
    for k in keys:
        if k in n:
            return k, n[k]
    return None, None


def _one(n: object, k: int, src: str, problems: list[Quarantined],
         eforms_parse) -> tuple[dict[str, list[dict]], str]:
    record = f"item[{k}]"
    if not isinstance(n, dict):
        raise Quarantined(src, record, None, "not a JSON object")
    raw_id = n.get("noticeId", n.get("id"))
    if raw_id is None or not str(raw_id).strip():
        raise Quarantined(src, record, "noticeId", "mandatory Hilma notice id is missing")
    hilma_id = str(raw_id).strip()
    record = f"notice {hilma_id}"
    xml_key, xml_value = _first(n, _XML_KEYS)
    if xml_key is not None and xml_value is not None:
        xml = _xml_bytes(xml_value, src, record, xml_key)
        if eforms_parse is not None:
            sub = eforms_parse(xml, f"{src}!{hilma_id}")
            if sub.quarantine or not sub.records_accepted:
                reasons = "; ".join(f"{q.field or ''}: {q.reason}" for q in sub.quarantine)
                field = sub.quarantine[0].field if sub.quarantine else xml_key
                raise Quarantined(src, record, field,
                                  f"eForm rejected by the eForms reader: {reasons}")
            tables = {t: [dict(r) for r in rows] for t, rows in sub.rows.items()}
            for row in tables.get("notices", []):
                row["source"] = FORMAT
                row["source_file"] = src
        else:
            tables = _own_xml(xml, src, record, hilma_id)
    else:
        tables = _from_metadata(n, src, record, hilma_id)
    if not tables.get("notices"):
        raise Quarantined(src, record, xml_key, "no notice could be read")
    for row in tables["notices"]:
        row["hilma_notice_id"] = hilma_id
    _, payload = _first(n, _STAT_KEYS)
    tables["hilma_statistics"] = _statistics(payload, tables, src, record, hilma_id, problems)
    return tables, record


def parse(data: bytes, source_file: str) -> ParseResult:
    """Read one Hilma read-API JSON file into canonical rows.

    Each notice object is a record: accepted (its statistics answers checked
    one lot at a time) or quarantined as a whole.
    """
    result = ParseResult(source_file=source_file, format=FORMAT, unit="notice")
    text = decode(data, source_file)
    try:
        items: Iterator = _notices(load_json(text, source_file))
    except Quarantined as q:
        start = text.find("[")
        if start < 0:
            result.records_in = 1
            result.quarantine.append(q)
            return result
        items = iter_array_items(text, start, source_file, "item")
    eforms_parse = _eforms_parser()
    buyers: dict[str, dict] = {}
    for k, n in enumerate(items):
        result.records_in += 1
        if isinstance(n, Quarantined):
            result.quarantine.append(n)
            continue
        problems: list[Quarantined] = []
        try:
            tables, _ = _one(n, k, source_file, problems, eforms_parse)
        except Quarantined as q:
            result.quarantine.append(q)
            continue
        result.records_accepted += 1
        result.quarantine.extend(problems)
        for b in tables.pop("buyers", []):
            buyers.setdefault(b["buyer_id"], b)
        for table, rows in tables.items():
            for row in rows:
                result.add(table, row)
    result.rows["buyers"] = list(buyers.values())
    return result


def read(path: str | Path) -> Dataset:
    """Read a Hilma read-API JSON file into a :class:`Dataset`.

    Examples
    --------
    >>> from keino_metrics.readers import hilma
    >>> ds = hilma.read("hilma_notices.json")  # doctest: +SKIP
    >>> ds.hilma_statistics  # doctest: +SKIP
    """
    result = parse(Path(path).read_bytes(), str(path))
    return to_dataset([result], {"source_files": [str(path)], "format": FORMAT})
