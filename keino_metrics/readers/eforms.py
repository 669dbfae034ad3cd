"""Reader for eForms notices (UBL XML, SDK 1.3 to 1.16), from TED and from Hilma.

One file holds one notice. The reader maps the business terms listed in
:data:`FIELDS` to the canonical tables; each entry names the SDK field whose
XPath (``keino_metrics/data/eforms/fields_subset_keino.csv``) it follows, and
a test checks the paths against the SDK's. Rules that the SDK leaves to the
user (see ``docs/readers.md``):

* **notice_id** is the TED publication number (OPP-010, normalised to
  ``525037-2024``); a notice not (yet) published on TED (Hilma, SDK examples)
  gets its notice id and version (BT-701 + BT-757, ``<uuid>-01``).
* **winners** of a lot result are the lot result's tenders (OPT-320) that a
  settled contract refers to (BT-3202); when no contract names a tender, all
  tenders of the lot result.
* **awarded value** falls back BT-720 -> BT-709 -> BT-161 -> BT-27 and
  ``value_source`` names the field used. BT-720 is the sum over the winning
  tenders, or their maximum when the lot is a framework agreement (every
  framework winner reports the same ceiling). BT-161 is shared equally over
  the notice's lot results that chose a winner.
* **submission counts** are read by their BT-760 type. A count without a
  type is read as the number of tenders only when it is the lot result's
  only count (``tenders_received_source = 'untyped'``); a ``t-sme`` count is
  never read as the number of tenders.

* **odd values** that do not stop a notice from being placed (a code outside
  its list, a bad CPV code or number, TED's ``-1`` for a withheld value) keep
  the notice: the value goes to a ``*_raw`` column or is nulled or left out,
  with a field-level issue (``docs/readers.md``, "Field-level issues").

Written by hand (with lxml) because no maintained Python library maps eForms
to tables; the eForms SDK ships field definitions, not a reader.
"""

from __future__ import annotations

import re
from functools import cache

from lxml import etree

from keino_metrics.readers import xmlsafe
from keino_metrics.readers.base import ParseResult, Quarantined
from keino_metrics.readers.checks import Record, buyer_id, country_alpha2, publication_number

FORMAT = "eforms"

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "hilma": "urn:hanselHilma:NationalNoticeExtension",
}

#: Root elements of eForms notices.
ROOTS = ("ContractNotice", "ContractAwardNotice", "PriorInformationNotice")
#: SDK versions the reader is written and tested for (inclusive).
SDK_MIN, SDK_MAX = (1, 3), (1, 16)

_EXT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"

#: SDK field id -> path relative to its context node (root, lot, lot result,
#: tender, organisation). The context is the part of the SDK's absolute path
#: before the relative path.
FIELDS: dict[str, str] = {
    "BT-02-notice": "cbc:NoticeTypeCode",
    "BT-04-notice": "cbc:ContractFolderID",
    "BT-05(a)-notice": "cbc:IssueDate",
    "BT-701-notice": "cbc:ID",
    "BT-757-notice": "cbc:VersionID",
    "OPP-010-notice": f"{_EXT}/efac:Publication/efbc:NoticePublicationID",
    "OPP-012-notice": f"{_EXT}/efac:Publication/efbc:PublicationDate",
    "BT-105-Procedure": "cac:TenderingProcess/cbc:ProcedureCode",
    "BT-11-Procedure-Buyer": "cac:ContractingPartyType/cbc:PartyTypeCode[@listName='buyer-legal-type']",
    "OPT-300-Procedure-Buyer": "cac:Party/cac:PartyIdentification/cbc:ID",
    "BT-23-Procedure": "cac:ProcurementProject/cbc:ProcurementTypeCode",
    "BT-262-Procedure": "cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode",
    "BT-5071-Procedure": "cac:ProcurementProject/cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode",
    "BT-27-Procedure": "cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount",
    # lot (context: cac:ProcurementProjectLot)
    "BT-137-Lot": "cbc:ID",
    "BT-21-Lot": "cac:ProcurementProject/cbc:Name",
    "BT-23-Lot": "cac:ProcurementProject/cbc:ProcurementTypeCode[@listName='contract-nature']",
    "BT-262-Lot": "cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode",
    "BT-5071-Lot": "cac:ProcurementProject/cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode",
    "BT-27-Lot": "cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount",
    "BT-271-Lot": f"cac:ProcurementProject/cac:RequestedTenderTotal/{_EXT}/efbc:FrameworkMaximumAmount",
    "BT-06-Lot": "cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode[@listName='strategic-procurement']",
    "BT-774-Lot": "cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode[@listName='environmental-impact']",
    "BT-775-Lot": "cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode[@listName='social-objective']",
    "BT-776-Lot": "cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode[@listName='innovative-acquisition']",
    "BT-805-Lot": "cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode[@listName='gpp-criteria']",
    "BT-754-Lot": "cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode[@listName='accessibility']",
    "BT-726-Lot": "cac:ProcurementProject/cbc:SMESuitableIndicator",
    "BT-539-Lot": "cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/cac:SubordinateAwardingCriterion/cbc:AwardingCriterionTypeCode",
    "BT-765-Lot": "cac:TenderingProcess/cac:ContractingSystem/cbc:ContractingSystemTypeCode[@listName='framework-agreement']",
    "BT-131(d)-Lot": "cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate",
    "BT-717-Lot": f"cac:TenderingTerms/{_EXT}/efac:StrategicProcurement/efbc:ApplicableLegalBasis",
    "BT-735-Lot": f"cac:TenderingTerms/{_EXT}/efac:StrategicProcurement/efac:StrategicProcurementInformation/efbc:ProcurementCategoryCode",
    # notice result (context: root)
    "BT-161-NoticeResult": f"{_EXT}/efac:NoticeResult/cbc:TotalAmount",
    # lot result (context: efac:LotResult)
    "BT-13713-LotResult": "efac:TenderLot/cbc:ID",
    "BT-142-LotResult": "cbc:TenderResultCode",
    "OPT-320-LotResult": "efac:LotTender/cbc:ID",
    "BT-709-LotResult": "efac:FrameworkAgreementValues/cbc:MaximumValueAmount",
    "BT-759-LotResult": "efac:ReceivedSubmissionsStatistics/efbc:StatisticsNumeric",
    "BT-760-LotResult": "efac:ReceivedSubmissionsStatistics/efbc:StatisticsCode",
    "BT-735-LotResult": "efac:StrategicProcurement/efac:StrategicProcurementInformation/efbc:ProcurementCategoryCode",
    "BT-723-LotResult": "efac:StrategicProcurement/efac:StrategicProcurementInformation/efac:ProcurementDetails/efbc:AssetCategoryCode",
    "OPT-155-LotResult": "efac:StrategicProcurement/efac:StrategicProcurementInformation/efac:ProcurementDetails/efac:StrategicProcurementStatistics/efbc:StatisticsCode",
    "OPT-156-LotResult": "efac:StrategicProcurement/efac:StrategicProcurementInformation/efac:ProcurementDetails/efac:StrategicProcurementStatistics/efbc:StatisticsNumeric",
    # tender (context: efac:LotTender)
    "BT-720-Tender": "cac:LegalMonetaryTotal/cbc:PayableAmount",
    "OPT-310-Tender": "efac:TenderingParty/cbc:ID",
    # settled contract (context: efac:SettledContract)
    "BT-1451-Contract": "cbc:AwardDate",
    "BT-145-Contract": "cbc:IssueDate",
    "BT-3202-Contract": "efac:LotTender/cbc:ID",
    # organisation (context: efac:Organization/efac:Company)
    "OPT-200-Organization-Company": "cac:PartyIdentification/cbc:ID",
    "BT-500-Organization-Company": "cac:PartyName/cbc:Name",
    "BT-501-Organization-Company": "cac:PartyLegalEntity/cbc:CompanyID",
    "BT-507-Organization-Company": "cac:PostalAddress/cbc:CountrySubentityCode",
    "BT-513-Organization-Company": "cac:PostalAddress/cbc:CityName",
    "BT-514-Organization-Company": "cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    "BT-165-Organization-Company": "efbc:CompanySizeCode",
}

#: Hilma national extension fields (FI-*) -> extra ``notices`` columns.
HILMA_FIELDS: dict[str, tuple[str, str]] = {
    "FI-11": ("national_legislation",
              "hilma:NationalExtension/hilma:ProcurementProject/hilma:ApplicableLegislationCode"),
    "FI-20": ("eu_applicable",
              "hilma:NationalExtension/hilma:ProcurementProject/hilma:IsEUApplicableConstraintIndicator"),
    "FI-30": ("predicted_value",
              "hilma:NationalExtension/hilma:ProcurementProject/hilma:PredictedValueConstraintIndicator"),
}


def _type_of(code: str, form: str | None, changes: bool) -> str:
    if changes:
        return "corrigendum"
    if code == "can-modif" or form == "cont-modif":
        return "modification"
    if code == "veat" or form == "dir-awa-pre":
        return "veat"
    if code.startswith("pin") or code == "pmc" or form in ("planning", "consultation"):
        return "pin"
    if code.startswith("can") or form == "result":
        return "can"
    if form == "competition" or code.startswith("cn") or code in ("qu-sy", "subco"):
        return "cn"
    return "other"


_SDK = re.compile(r"eforms-sdk-(\d+)\.(\d+)")


@cache
def _xp(path: str) -> etree.XPath:
    """``path`` compiled once (libxml2's XPath is faster than ElementPath)."""
    return etree.XPath(path, namespaces=NS)


def _first(node, path: str):
    hits = _xp(path)(node)
    return hits[0] if hits else None


def _clark(step: str) -> str:
    """``{namespace}local`` of one XPath step such as ``cbc:ID[@x='y']``."""
    prefix, local = step.split("[", 1)[0].split(":")
    return f"{{{NS[prefix]}}}{local}"


class _Group:
    """Several fields of one context node read with one XPath evaluation.

    The fields' relative paths are joined into one union; each node found is
    told apart by its own and its parent's element name (checked to be
    unique among the group's paths when the group is made). One evaluation
    and a dispatch per node found cost much less than one XPath evaluation
    per field, and every field's nodes come in document order, as with
    separate lookups.

    Parameters
    ----------
    context : str
        Name of the context element, ``{namespace}local``.
    paths : dict
        Field name -> path relative to the context (namespace prefixes of
        :data:`NS`, child steps and ``[@attr='value']`` predicates).
    """

    def __init__(self, context: str, paths: dict[str, str]):
        self.paths = dict(paths)
        self.union = etree.XPath(" | ".join(dict.fromkeys(paths.values())), namespaces=NS)
        sigs: dict[tuple[str, str], str] = {}
        for name, path in paths.items():
            steps = path.split("/")
            sig = (_clark(steps[-1]), _clark(steps[-2]) if len(steps) > 1 else context)
            if sig in sigs:
                raise ValueError(f"fields {sigs[sig]} and {name} cannot be told apart")
            sigs[sig] = name
        # element name -> field, or (when several fields end in that element)
        # parent name -> field
        self.by_tag: dict[str, str | dict[str, str]] = {}
        for (tag, _parent), name in sigs.items():
            parents = {p: n for (t, p), n in sigs.items() if t == tag}
            self.by_tag[tag] = name if len(parents) == 1 else parents

    def __call__(self, node) -> dict[str, list]:
        """Field -> nodes found (document order); fields without a node are absent."""
        out: dict[str, list] = {}
        by_tag = self.by_tag
        for e in self.union(node):
            name = by_tag.get(e.tag)
            if name.__class__ is dict:
                name = name.get(e.getparent().tag)
            if name is not None:
                hits = out.get(name)
                if hits is None:
                    out[name] = [e]
                else:
                    hits.append(e)
        return out


def _gt(found: dict[str, list], name: str) -> str | None:
    """Stripped text of the first node of field ``name`` (``None`` when empty)."""
    hits = found.get(name)
    if not hits:
        return None
    t = hits[0].text
    if t is None:
        return None
    return t.strip() or None


def _gall(found: dict[str, list], name: str) -> list[str]:
    """Stripped non-empty texts of every node of field ``name``."""
    return [e.text.strip() for e in found.get(name, ()) if e.text and e.text.strip()]


#: Text TED publishes in place of a value that is not published (BT-195,
#: ``efac:FieldsPrivacy``): amounts, counts and ranks read ``-1``.
WITHHELD = "-1"


def _number(rec: Record, text: str | None, field: str, kind: str):
    """An amount (``kind='amount'``) or count (``'count'``), or ``None``.

    A value that is not a non-negative number does not make the notice
    unusable: it is nulled with a field-level issue (``-1`` is TED's
    placeholder for a value withheld from publication).
    """
    try:
        return rec.amount(text, field) if kind == "amount" else rec.count(text, field)
    except Quarantined as q:
        t = (text or "").strip()
        if t in (WITHHELD, WITHHELD + ".0", WITHHELD + ".00"):
            rec.note(field, t, "nulled", "value withheld from publication (-1 placeholder)")
        else:
            rec.note(field, t, "nulled", q.reason)
        return None


def _gamount(rec: Record, found: dict[str, list], name: str,
             field: str) -> tuple[float | None, str | None]:
    hits = found.get(name)
    if not hits:
        return None, None
    el = hits[0]
    v = _number(rec, el.text, field, "amount")
    cur = el.get("currencyID")
    if v is not None and not cur:
        raise rec.fail(field + "-Currency", "amount without currency")
    return v, (cur.strip().upper() if cur else None)


def sniff(head: bytes) -> bool:
    """Whether ``head`` starts an eForms notice (UBL root with eForms namespaces).

    The content must be XML (:func:`~keino_metrics.readers.xmlsafe.looks_like_xml`):
    a JSON file that embeds a notice as text belongs to another reader.
    """
    h = head[:4096]
    return xmlsafe.looks_like_xml(h) and (b"eforms-ubl-extension" in h or b"eforms-sdk-" in h) and any(
        r.encode() in h for r in ROOTS)


def _t(node, path: str) -> str | None:
    el = _first(node, path)
    if el is None or el.text is None:
        return None
    s = el.text.strip()
    return s or None


def _all(node, path: str) -> list[str]:
    return [e.text.strip() for e in _xp(path)(node) if e.text and e.text.strip()]


def _amount(rec: Record, node, path: str, field: str) -> tuple[float | None, str | None]:
    el = _first(node, path)
    if el is None:
        return None, None
    v = _number(rec, el.text, field, "amount")
    cur = el.get("currencyID")
    if v is not None and not cur:
        raise rec.fail(field + "-Currency", "amount without currency")
    return v, (cur.strip().upper() if cur else None)


def _bool(rec: Record, text: str | None, field: str) -> bool | None:
    """An indicator; any other text is nulled with a field-level issue."""
    if text is None:
        return None
    t = text.strip().lower()
    if t in ("true", "1"):
        return True
    if t in ("false", "0"):
        return False
    rec.note(field, text, "nulled", f"indicator {text!r} is neither true nor false")
    return None


def _cpv(rec: Record, text: str | None, field: str) -> str | None:
    """The 8-digit CPV code; any other text is nulled with a field-level issue."""
    if text is None:
        return None
    m = re.match(r"^(\d{8})(-\d)?$", text.strip())
    if not m:
        rec.note(field, text, "nulled", f"CPV code {text!r} is not 8 digits")
        return None
    return m.group(1)


def _nuts(text: str | None) -> str | None:
    if not text:
        return None
    t = text.strip().upper()
    return t if len(t) == 5 else None


def parse(data: bytes, source_file: str) -> ParseResult:
    """Read one eForms notice into canonical rows (see the module docstring)."""
    issues: list = []
    res = xmlsafe.read_notice(data, source_file, FORMAT,
                              lambda root, name: _notice(root, name, issues))
    if res.records_accepted:
        res.issues.extend(issues)
    return res


_ORG_FIELDS = ("OPT-200-Organization-Company", "BT-500-Organization-Company",
               "BT-501-Organization-Company", "BT-507-Organization-Company",
               "BT-513-Organization-Company", "BT-514-Organization-Company",
               "BT-165-Organization-Company")


@cache
def _org_group() -> _Group:
    return _Group(_clark("efac:Company"), {f: FIELDS[f] for f in _ORG_FIELDS})


def _org_index(root) -> tuple[dict[str, dict[str, list]], list[dict[str, list]]]:
    """OPT-200 id -> the fields found of that organisation; and the
    organisations that have no OPT-200 id."""
    out, without_id = {}, []
    group = _org_group()
    for comp in _xp(f"{_EXT}/efac:Organizations/efac:Organization/efac:Company")(root):
        found = group(comp)
        oid = _gt(found, "OPT-200-Organization-Company")
        if oid:
            out[oid] = found
        else:
            without_id.append(found)
    return out, without_id


def _organisation(rec: Record, found: dict[str, list]) -> dict:
    name = _gt(found, "BT-500-Organization-Company")
    country = country_alpha2(_gt(found, "BT-514-Organization-Company"))
    reg = _gt(found, "BT-501-Organization-Company")
    return {"name": name, "country": country, "registration": reg,
            "nuts3": _nuts(_gt(found, "BT-507-Organization-Company")),
            "city": _gt(found, "BT-513-Organization-Company"),
            "id": buyer_id(reg, name, country),
            "size": rec.code_or_null(_gt(found, "BT-165-Organization-Company"),
                                     "economic-operator-size", "BT-165-Organization-Company")}


#: Fields read from the root element (SDK ids, and the procedure's title).
_ROOT_FIELDS = ("OPP-010-notice", "BT-701-notice", "BT-757-notice", "BT-02-notice",
                "BT-04-notice", "BT-05(a)-notice", "OPP-012-notice", "BT-105-Procedure",
                "BT-23-Procedure", "BT-262-Procedure", "BT-5071-Procedure", "BT-27-Procedure")


@cache
def _root_group(root_tag: str) -> _Group:
    paths = {f: FIELDS[f] for f in _ROOT_FIELDS}
    paths["customization"] = "cbc:CustomizationID"
    paths["changes"] = f"{_EXT}/efac:Changes"
    paths["title"] = "cac:ProcurementProject/cbc:Name"
    for fid, (_col, path) in HILMA_FIELDS.items():
        paths[fid] = path
    return _Group(root_tag, paths)


#: Buyer legal types (BT-11) of earlier SDK code lists that the current list
#: maps to one code. The SDK documents no such mapping for the codes it
#: removed (``rl-aut``, ``grp-p-aut``, ``eu-int-org``): they are kept raw.
EARLIER_LEGAL_TYPES: dict[str, str] = {}


def _buyer_org(rec: Record, cp, orgs: dict, without_id: list) -> dict[str, list]:
    """The organisation fields of one buyer (``cac:ContractingParty``).

    The buyer names its organisation by OPT-300. A buyer without that
    reference, or with one that no organisation carries, is placed when the
    notice has exactly one organisation without an OPT-200 id (a
    ``normalised`` issue); otherwise the notice cannot be placed.
    """
    ref = _t(cp, FIELDS["OPT-300-Procedure-Buyer"])
    comp = orgs.get(ref) if ref else None
    if comp is not None:
        return comp
    if len(without_id) == 1 and _gt(without_id[0], "BT-500-Organization-Company"):
        rec.note("OPT-300-Procedure-Buyer", ref, "normalised",
                 f"buyer reference {ref!r} names no organisation; the notice's one "
                 "organisation without an identifier (OPT-200) is taken as the buyer")
        return without_id[0]
    raise rec.fail("OPT-300-Procedure-Buyer",
                   f"buyer {ref!r} is not among the notice's organisations")


def _notice(root, source_file: str, issues: list) -> dict[str, list[dict]]:
    """Rows of one notice; field-level issues of the notice go to ``issues``."""
    rec = Record(source_file, "file")
    local = etree.QName(root).localname
    if local not in ROOTS:
        raise rec.fail(None, f"root element {local!r} is not an eForms notice "
                             f"({', '.join(ROOTS)})")
    r = _root_group(root.tag)(root)
    pub_no = publication_number(_gt(r, "OPP-010-notice"))
    uuid = _gt(r, "BT-701-notice")
    version = _gt(r, "BT-757-notice") or "01"
    notice_id = pub_no or (f"{uuid}-{version}" if uuid else None)
    rec.record = notice_id or "file"
    rec.required(notice_id, "BT-701-notice", "notice identifier")
    custom = _gt(r, "customization")
    m = _SDK.search(custom or "")
    if not m:
        raise rec.fail("OPT-002-notice", f"no eForms SDK version (CustomizationID {custom!r})")
    sdk = (int(m.group(1)), int(m.group(2)))
    if not SDK_MIN <= sdk <= SDK_MAX:
        raise rec.fail("OPT-002-notice", f"unknown schema version eforms-sdk-{sdk[0]}.{sdk[1]} "
                       f"(supported {SDK_MIN[0]}.{SDK_MIN[1]} to {SDK_MAX[0]}.{SDK_MAX[1]})")
    type_el = r["BT-02-notice"][0] if "BT-02-notice" in r else None
    type_code = rec.required(type_el.text if type_el is not None else None, "BT-02-notice",
                             "notice type")
    changes = "changes" in r
    notice_type = _type_of(type_code, type_el.get("listName"), changes)
    procedure_id = _gt(r, "BT-04-notice")
    if procedure_id is None and notice_type in ("pin", "other"):
        # BT-04 is optional on planning notices: the notice is its own procedure.
        procedure_id = notice_id
    rec.required(procedure_id, "BT-04-notice", "procedure identifier")
    dispatch = rec.date(_gt(r, "BT-05(a)-notice"), "BT-05(a)-notice")
    published = rec.date(_gt(r, "OPP-012-notice"), "OPP-012-notice")
    pub_date = rec.required(published or dispatch, "OPP-012-notice",
                            "publication date (or dispatch date BT-05)")
    if dispatch and published and published < dispatch:
        raise rec.fail("OPP-012-notice", f"published {published} before it was dispatched "
                       f"{dispatch}")
    year = pub_date.year

    orgs, without_id = _org_index(root)
    buyers = []
    for cp in _xp("cac:ContractingParty")(root):
        org = _organisation(rec, _buyer_org(rec, cp, orgs, without_id))
        rec.required(org["name"], "BT-500-Organization-Company", "buyer name")
        org["legal_type"], org["legal_type_raw"] = rec.code_or_raw(
            _t(cp, FIELDS["BT-11-Procedure-Buyer"]), "buyer-legal-type", "BT-11-Procedure-Buyer",
            EARLIER_LEGAL_TYPES)
        buyers.append(org)
    if not buyers:
        raise rec.fail("OPT-300-Procedure-Buyer", "mandatory buyer is missing")

    proc_type, proc_type_raw = rec.code_or_raw(_gt(r, "BT-105-Procedure"),
                                               "procurement-procedure-type", "BT-105-Procedure")
    notice = {
        "notice_id": notice_id, "procedure_id": procedure_id, "notice_type": notice_type,
        "publication_date": pub_date, "buyer_id": buyers[0]["id"],
        "procedure_type": proc_type, "procedure_type_raw": proc_type_raw, "source": FORMAT, "source_file": source_file,
        "notice_subtype": type_code, "dispatch_date": dispatch, "sdk_version": f"{sdk[0]}.{sdk[1]}",
        "notice_uuid": uuid, "notice_version": version,
        "title": _gt(r, "title"), "value_year": year,
    }
    for fid, (col, _path) in HILMA_FIELDS.items():
        v = _gt(r, fid)
        notice[col] = (v.lower() == "true") if v in ("true", "false") else v

    out: dict[str, list[dict]] = {"notices": [notice], "buyers": []}
    for b in buyers:
        out["buyers"].append({"buyer_id": b["id"], "name": b["name"], "legal_type": b["legal_type"],
                              "legal_type_raw": b["legal_type_raw"],
                              "country": b["country"], "nuts3": b["nuts3"], "city": b["city"],
                              "registration_number": b["registration"]})

    proc_nature, proc_nature_raw = rec.code_or_raw(_gt(r, "BT-23-Procedure"), "contract-nature",
                                                   "BT-23-Procedure")
    proc_cpv = _cpv(rec, _gt(r, "BT-262-Procedure"), "BT-262-Procedure")
    proc_nuts = _nuts(_gt(r, "BT-5071-Procedure"))
    proc_est = _gamount(rec, r, "BT-27-Procedure", "BT-27-Procedure")

    group = _lot_group()
    lots_el = []
    for lot in _xp("cac:ProcurementProjectLot")(root):
        f = group(lot)
        if "BT-137-Lot" in f and f["BT-137-Lot"][0].get("schemeName", "Lot") == "Lot":
            lots_el.append(f)
    lots: dict[str, dict] = {}
    for f in lots_el:
        lot_id = rec.required(_gt(f, "BT-137-Lot"), "BT-137-Lot", "lot identifier")
        if lot_id in lots:
            raise rec.fail("BT-137-Lot", f"lot {lot_id} appears twice")
        est, est_cur = _gamount(rec, f, "BT-27-Lot", "BT-27-Lot")
        if est is None and len(lots_el) == 1:
            est, est_cur = proc_est
        fmax, fmax_cur = _gamount(rec, f, "BT-271-Lot", "BT-271-Lot")
        crit = rec.known_codes(_gall(f, "BT-539-Lot"), "award-criterion-type",
                               "BT-539-Lot") or []
        fa = _gall(f, "BT-765-Lot")
        deadline = rec.date(_gt(f, "BT-131(d)-Lot"), "BT-131(d)-Lot")
        lots[lot_id] = {
            "notice_id": notice_id, "lot_id": lot_id,
            **_nature(rec, _gt(f, "BT-23-Lot"), proc_nature, proc_nature_raw),
            "cpv_main": _cpv(rec, _gt(f, "BT-262-Lot"), "BT-262-Lot") or proc_cpv,
            "nuts3": _nuts(_gt(f, "BT-5071-Lot")) or proc_nuts,
            "estimated_value": est, "estimated_value_currency": est_cur,
            "estimated_value_eur": est if est is not None and est_cur == "EUR" else None,
            **_additional_types(rec, f.get("additional", ())),
            "price_only_award": (all(c == "price" for c in crit) if crit else None),
            "sme_suitable": _bool(rec, _gt(f, "BT-726-Lot"), "BT-726-Lot"),
            "framework_agreement": (any(c != "none" for c in fa) if fa else None),
            "framework_maximum": fmax, "framework_maximum_currency": fmax_cur,
            "cvd_applicable": _bool(rec, _gt(f, "BT-717-Lot"), "BT-717-Lot"),
            "cvd_contract_type": _gt(f, "BT-735-Lot"),
            "submission_deadline": deadline,
            "title": _gt(f, "BT-21-Lot"), "value_year": year,
        }
    out["lots"] = list(lots.values())
    out["awards"] = _awards(rec, root, notice_id, pub_date, lots, orgs, year)
    issues.extend(rec.issues)
    return out


def _nature(rec: Record, text: str | None, proc: str | None, proc_raw: str | None) -> dict:
    """Contract nature of a lot (BT-23), else of the procedure; an unknown
    code is kept in ``contract_nature_raw``."""
    code, raw = rec.code_or_raw(text, "contract-nature", "BT-23-Lot")
    if code is None and raw is None:
        code, raw = proc, proc_raw
    return {"contract_nature": code, "contract_nature_raw": raw}


#: ProcurementAdditionalType code lists (BT-06, BT-774, BT-775, BT-776, BT-805,
#: BT-754) -> (column, field); read in one pass over the lot's additional types.
ADDITIONAL_TYPES = {
    "strategic-procurement": ("strategic_procurement", "BT-06-Lot"),
    "environmental-impact": ("green_procurement", "BT-774-Lot"),
    "social-objective": ("social_objective", "BT-775-Lot"),
    "innovative-acquisition": ("innovation", "BT-776-Lot"),
    "gpp-criteria": ("gpp_criteria", "BT-805-Lot"),
    "accessibility": ("accessibility", "BT-754-Lot"),
}
_ADDITIONAL = "cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode"


#: Lot fields, read with one XPath evaluation per lot (``additional``: every
#: additional procurement type, split by code list in :func:`_additional_types`).
_LOT_FIELDS = ("BT-137-Lot", "BT-21-Lot", "BT-23-Lot", "BT-262-Lot", "BT-5071-Lot",
               "BT-27-Lot", "BT-271-Lot", "BT-726-Lot", "BT-539-Lot", "BT-765-Lot",
               "BT-131(d)-Lot", "BT-717-Lot", "BT-735-Lot")


@cache
def _lot_group() -> _Group:
    paths = {f: FIELDS[f] for f in _LOT_FIELDS}
    paths["additional"] = _ADDITIONAL
    return _Group(_clark("cac:ProcurementProjectLot"), paths)


def _additional_types(rec: Record, elements) -> dict:
    found: dict[str, list[str]] = {}
    for el in elements:
        lst = el.get("listName")
        if lst in ADDITIONAL_TYPES and el.text and el.text.strip():
            found.setdefault(lst, []).append(el.text.strip())
    out = {}
    for lst, (col, field) in ADDITIONAL_TYPES.items():
        vals = found.get(lst, [])
        out[col] = (vals or None) if lst == "accessibility" else rec.known_codes(vals, lst, field)
    return out


#: Lot result fields, read with one XPath evaluation per lot result.
_RESULT_PATHS = {
    **{f: FIELDS[f] for f in ("BT-13713-LotResult", "BT-142-LotResult", "OPT-320-LotResult",
                              "BT-709-LotResult", "BT-723-LotResult")},
    "contracts": "efac:SettledContract/cbc:ID",
    "statistics": "efac:ReceivedSubmissionsStatistics",
    "vehicles": ("efac:StrategicProcurement/efac:StrategicProcurementInformation/"
                 "efac:ProcurementDetails/efac:StrategicProcurementStatistics"),
}


@cache
def _result_group() -> _Group:
    return _Group(_clark("efac:LotResult"), _RESULT_PATHS)


def _counts(rec: Record, statistics) -> dict:
    typed: dict[str, int] = {}
    untyped: list[int] = []
    for st in statistics:
        n = _number(rec, _t(st, "efbc:StatisticsNumeric"), "BT-759-LotResult", "count")
        code = _t(st, "efbc:StatisticsCode")
        if n is None:
            continue
        if code is None:
            untyped.append(n)
            continue
        code = rec.code_or_null(code, "received-submission-type", "BT-760-LotResult",
                                "ignored")
        if code is None:
            # a count of an unknown type is not placed (the issue names the code)
            continue
        if code in typed:
            raise rec.fail("BT-760-LotResult", f"submission type {code!r} counted twice")
        typed[code] = n
    tenders, source = typed.get("tenders"), "BT-760=tenders" if "tenders" in typed else None
    if tenders is None and len(untyped) == 1 and not typed:
        tenders, source = untyped[0], "untyped"
    sme = typed.get("t-sme")
    if sme is None and any(k in typed for k in ("t-micro", "t-small", "t-med")):
        sme = sum(typed.get(k, 0) for k in ("t-micro", "t-small", "t-med"))
    if tenders is not None and sme is not None and sme > tenders:
        raise rec.fail("BT-759-LotResult", f"{sme} tenders from SMEs but only {tenders} "
                       "tenders received")
    return {"tenders_received": tenders, "sme_tenders_received": sme,
            "tenders_received_source": source, "submissions_untyped": sum(untyped) if untyped
            else None, "requests_to_participate": typed.get("part-req"),
            "tenders_electronic": typed.get("t-esubm")}


def _cvd(rec: Record, found: dict[str, list]) -> dict:
    out: dict = {}
    cats: dict[str, list[str]] = {}
    for el in found.get("BT-723-LotResult", ()):
        lst = el.get("listName") or "vehicle-category"
        if lst not in ("vehicle-category", "energy-efficiency-item"):
            rec.note("BT-723-LotResult", el.text, "ignored", f"unknown code list {lst!r}")
            continue
        c = rec.code_or_null(el.text, lst, "BT-723-LotResult", "ignored")
        if c:
            cats.setdefault(lst, []).append(c)
    if "vehicle-category" in cats:
        out["cvd_vehicle_category"] = ",".join(cats["vehicle-category"])
    if "energy-efficiency-item" in cats:
        out["energy_efficiency_items"] = ",".join(cats["energy-efficiency-item"])
    for st in found.get("vehicles", ()):
        code = rec.code_or_null(_t(st, "efbc:StatisticsCode"), "vehicles", "OPT-155-LotResult",
                                "ignored")
        n = _number(rec, _t(st, "efbc:StatisticsNumeric"), "OPT-156-LotResult", "count")
        if code and n is not None:
            col = "cvd_" + code.replace("-", "_")
            out[col] = out.get(col, 0) + n
    return out


def _awards(rec: Record, root, notice_id: str, pub_date, lots: dict, orgs: dict,
            year: int) -> list[dict]:
    nr = _first(root, f"{_EXT}/efac:NoticeResult")
    if nr is None:
        return []
    tenders = {}
    for t in _xp("efac:LotTender")(nr):
        tid = _t(t, "cbc:ID")
        if tid:
            tenders[tid] = t
    parties = {}
    for p in _xp("efac:TenderingParty")(nr):
        pid = _t(p, "cbc:ID")
        if pid:
            parties[pid] = _all(p, "efac:Tenderer/cbc:ID")
    contracts = {}
    contracted_tenders: set[str] = set()
    for c in _xp("efac:SettledContract")(nr):
        cid = _t(c, "cbc:ID")
        if cid:
            contracts[cid] = c
        contracted_tenders.update(_all(c, FIELDS["BT-3202-Contract"]))
    total, total_cur = _amount(rec, nr, "cbc:TotalAmount", "BT-161-NoticeResult")

    parsed: dict[str, dict] = {}  # organisations already read, by OPT-200 id
    group = _result_group()
    results = [group(lr) for lr in _xp("efac:LotResult")(nr)]
    with_winner = len({_gt(f, "BT-13713-LotResult") for f in results
                       if _gt(f, "BT-142-LotResult") == "selec-w"})
    rows: dict[str, dict] = {}
    for f in results:
        lot_id = rec.required(_gt(f, "BT-13713-LotResult"), "BT-13713-LotResult",
                              "result lot identifier")
        status = rec.code_or_null(_gt(f, "BT-142-LotResult"), "winner-selection-status",
                                  "BT-142-LotResult")
        refs = _gall(f, "OPT-320-LotResult")
        winners = [r for r in refs if r in contracted_tenders] or refs
        values, currencies, winner_orgs = [], set(), []
        for tid in winners:
            t = tenders.get(tid)
            if t is None:
                raise rec.fail("OPT-320-LotResult", f"tender {tid} of lot {lot_id} is not in "
                               "the notice")
            v, cur = _amount(rec, t, FIELDS["BT-720-Tender"], "BT-720-Tender")
            if v is not None:
                values.append(v)
                currencies.add(cur)
            for party in _all(t, FIELDS["OPT-310-Tender"]):
                for oid in parties.get(party, []):
                    if oid in orgs:
                        if oid not in parsed:
                            parsed[oid] = _organisation(rec, orgs[oid])
                        winner_orgs.append(parsed[oid])
        if len(currencies) > 1:
            raise rec.fail("BT-720-Tender-Currency", f"tenders of lot {lot_id} in several "
                           f"currencies {sorted(currencies)}")
        lot = lots.get(lot_id, {})
        value = cur = source = None
        if values:
            value = max(values) if lot.get("framework_agreement") else sum(values)
            cur, source = currencies.pop(), "BT-720"
        if value is None:
            value, cur = _gamount(rec, f, "BT-709-LotResult", "BT-709-LotResult")
            source = "BT-709" if value is not None else None
        if value is None and total is not None and status == "selec-w" and with_winner:
            value, cur, source = total / with_winner, total_cur, "BT-161"
        if value is None and lot.get("estimated_value") is not None:
            value, cur, source = (lot["estimated_value"], lot["estimated_value_currency"],
                                  "BT-27")
        decision, concluded = [], []
        for cid in _gall(f, "contracts"):
            c = contracts.get(cid)
            if c is None:
                continue
            d = rec.date(_t(c, FIELDS["BT-1451-Contract"]), "BT-1451-Contract")
            if d:
                decision.append(d)
            d = rec.date(_t(c, FIELDS["BT-145-Contract"]), "BT-145-Contract")
            if d:
                concluded.append(d)
        decision_date = min(decision) if decision else None
        if decision_date and decision_date > pub_date:
            raise rec.fail("BT-1451-Contract", f"award decision {decision_date} for lot {lot_id} "
                           f"is after the notice's publication {pub_date}")
        first = winner_orgs[0] if winner_orgs else {}
        row = {
            "notice_id": notice_id, "lot_id": lot_id,
            "winner_chosen": (status == "selec-w") if status else None,
            **_counts(rec, f.get("statistics", ())),
            "awarded_value": value, "awarded_value_currency": cur,
            "awarded_value_eur": value if value is not None and cur == "EUR" else None,
            "value_source": source, "winner_id": first.get("id"),
            "winner_size": first.get("size"), "decision_date": decision_date,
            "contract_date": min(concluded) if concluded else None,
            "winners": len({w["id"] for w in winner_orgs}) or None,
            "winner_country": first.get("country"),
            "sme_winner": (any(w["size"] in ("sme", "micro", "small", "medium")
                               for w in winner_orgs)
                           if any(w["size"] for w in winner_orgs) else None),
            "value_year": year,
            **_cvd(rec, f),
        }
        rows.setdefault(lot_id, []).append((row, values, winner_orgs))
    return [_merge(rec, parts, lots.get(lot_id, {})) for lot_id, parts in rows.items()]


def _merge(rec: Record, parts: list[tuple[dict, list, list]], lot: dict) -> dict:
    """One award row per lot: several lot results for one lot are combined.

    Counts repeat the lot's figure in each part, so the largest is kept;
    tender values are combined by the same sum/maximum rule as within one
    lot result; winners are pooled.
    """
    if len(parts) == 1:
        return parts[0][0]
    rows = [p[0] for p in parts]
    out = dict(rows[0])
    for col in ("tenders_received", "sme_tenders_received", "submissions_untyped",
                "requests_to_participate", "tenders_electronic"):
        vals = [r[col] for r in rows if r.get(col) is not None]
        out[col] = max(vals) if vals else None
    srcs = {r["value_source"] for r in rows}
    if srcs == {"BT-720"}:
        curs = {r["awarded_value_currency"] for r in rows}
        if len(curs) > 1:
            raise rec.fail("BT-720-Tender-Currency", f"tenders of lot {out['lot_id']} in "
                           f"several currencies {sorted(curs)}")
        vals = [v for p in parts for v in p[1]]
        out["awarded_value"] = max(vals) if lot.get("framework_agreement") else sum(vals)
        out["awarded_value_eur"] = out["awarded_value"] if curs == {"EUR"} else None
    orgs = [w for p in parts for w in p[2]]
    out["winners"] = len({w["id"] for w in orgs}) or None
    out["winner_chosen"] = any(r["winner_chosen"] for r in rows if r["winner_chosen"] is not None) \
        if any(r["winner_chosen"] is not None for r in rows) else None
    dates = [r["decision_date"] for r in rows if r["decision_date"]]
    out["decision_date"] = min(dates) if dates else None
    dates = [r["contract_date"] for r in rows if r["contract_date"]]
    out["contract_date"] = min(dates) if dates else None
    sizes = [w["size"] for w in orgs if w["size"]]
    out["sme_winner"] = any(s in ("sme", "micro", "small", "medium") for s in sizes) \
        if sizes else None
    return out
