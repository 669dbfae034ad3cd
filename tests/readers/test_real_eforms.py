"""The eForms reader against independent extraction on real published notices.

For every real notice in ``tests/fixtures/real/eforms`` and
``tests/fixtures/eforms/ted``, plain lxml XPath (written here, sharing no
code with :mod:`keino_metrics.readers.eforms`) extracts the notice id, lots,
lot results, winners, typed tender counts (BT-759/BT-760), values and
currencies, CPV codes, procedure type and buyer country, following the rules
of ``docs/readers.md`` ("Checking the eForms reader on real notices"), and
compares them with what :func:`keino_metrics.read` produced from the file.
A file may be refused whole only if it is listed in :data:`REFUSED` with the
reason, and at most 3 % of the files may be.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

import keino_metrics as km

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = sorted((FIXTURES / "real" / "eforms").glob("*.xml")) + sorted(
    (FIXTURES / "eforms" / "ted").glob("*.xml"))

#: Files refused whole, with a part of the reason the reader must give.
REFUSED: dict[str, str] = {}

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}
EXT = "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
NS["ext"] = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
NS["efext"] = "http://data.europa.eu/p27/eforms-ubl-extensions/1"

#: ISO 3166 alpha-3 -> alpha-2 for the countries of Europe and a few others.
ALPHA2 = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "CHE": "CH", "CYP": "CY", "CZE": "CZ", "DEU": "DE",
    "DNK": "DK", "ESP": "ES", "EST": "EE", "FIN": "FI", "FRA": "FR", "GBR": "GB", "GRC": "GR",
    "HRV": "HR", "HUN": "HU", "IRL": "IE", "ISL": "IS", "ITA": "IT", "LIE": "LI", "LTU": "LT",
    "LUX": "LU", "LVA": "LV", "MKD": "MK", "MLT": "MT", "NLD": "NL", "NOR": "NO", "POL": "PL",
    "PRT": "PT", "ROU": "RO", "SRB": "RS", "SVK": "SK", "SVN": "SI", "SWE": "SE", "MNE": "ME",
    "ALB": "AL", "UKR": "UA", "USA": "US", "TUR": "TR", "MDA": "MD", "BIH": "BA",
}


def texts(node, path: str) -> list[str]:
    return [e.text.strip() for e in node.xpath(path, namespaces=NS) if e.text and e.text.strip()]


def text(node, path: str) -> str | None:
    found = texts(node, path)
    return found[0] if found else None


def published(value: str | None) -> str | None:
    """``None`` for TED's placeholder of a withheld value (``-1``)."""
    return None if value is None or value.lstrip().startswith("-1") else value


def expected(path: Path) -> dict:
    """What the notice says, by the rules in docs/readers.md (independent code)."""
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    out: dict = {}
    pub = text(root, f"{EXT}/efac:Publication/efbc:NoticePublicationID")
    if pub:
        number, year = pub.split("-")
        out["notice_id"] = f"{int(number)}-{year}"
    else:
        out["notice_id"] = f"{text(root, '/*/cbc:ID')}-{text(root, '/*/cbc:VersionID') or '01'}"
    out["procedure_type"] = text(root, "/*/cac:TenderingProcess/cbc:ProcedureCode")

    # buyer country: the first buyer's organisation
    ref = text(root, "/*/cac:ContractingParty[1]/cac:Party/cac:PartyIdentification/cbc:ID")
    country = text(root, f"{EXT}/efac:Organizations/efac:Organization/efac:Company"
                         f"[cac:PartyIdentification/cbc:ID='{ref}']"
                         "/cac:PostalAddress/cac:Country/cbc:IdentificationCode")
    out["buyer_country"] = ALPHA2.get(country, country) if country else None

    # lots: cpv (lot, else procedure), estimated value (lot; the procedure's when one lot)
    proc_cpv = text(root, "/*/cac:ProcurementProject/cac:MainCommodityClassification/"
                          "cbc:ItemClassificationCode")
    lot_nodes = [lot for lot in root.xpath("/*/cac:ProcurementProjectLot", namespaces=NS)
                 if lot.xpath("cbc:ID", namespaces=NS)
                 and lot.xpath("cbc:ID", namespaces=NS)[0].get("schemeName", "Lot") == "Lot"]
    lots = {}
    for lot in lot_nodes:
        lot_id = text(lot, "cbc:ID")
        cpv = text(lot, "cac:ProcurementProject/cac:MainCommodityClassification/"
                        "cbc:ItemClassificationCode") or proc_cpv
        est = lot.xpath("cac:ProcurementProject/cac:RequestedTenderTotal/"
                        "cbc:EstimatedOverallContractAmount", namespaces=NS)
        if not est and len(lot_nodes) == 1:
            est = root.xpath("/*/cac:ProcurementProject/cac:RequestedTenderTotal/"
                             "cbc:EstimatedOverallContractAmount", namespaces=NS)
        fa = texts(lot, "cac:TenderingProcess/cac:ContractingSystem/"
                        "cbc:ContractingSystemTypeCode[@listName='framework-agreement']")
        est = [e for e in est if published(e.text)]
        lots[lot_id] = {
            "cpv_main": cpv[:8] if cpv else None,
            "estimated_value": float(est[0].text) if est else None,
            "estimated_value_currency": est[0].get("currencyID") if est else None,
            "framework": any(c != "none" for c in fa),
        }
    out["lots"] = lots

    # lot results
    result = root.xpath(f"{EXT}/efac:NoticeResult", namespaces=NS)
    awards: dict[str, dict] = {}
    if result:
        nr = result[0]
        contracted = set(texts(nr, "efac:SettledContract/efac:LotTender/cbc:ID"))
        orgs = set(texts(root, f"{EXT}/efac:Organizations/efac:Organization/efac:Company/"
                               "cac:PartyIdentification/cbc:ID"))
        for lr in nr.xpath("efac:LotResult", namespaces=NS):
            lot_id = text(lr, "efac:TenderLot/cbc:ID")
            a = awards.setdefault(lot_id, {"tenders": [], "winners": set(), "tenders_typed": None,
                                           "sme_typed": None, "values": [], "currencies": set()})
            refs = texts(lr, "efac:LotTender/cbc:ID")
            winning = [t for t in refs if t in contracted] or refs
            for tid in winning:
                tender = nr.xpath(f"efac:LotTender[cbc:ID='{tid}']", namespaces=NS)[0]
                for amount in tender.xpath("cac:LegalMonetaryTotal/cbc:PayableAmount",
                                           namespaces=NS)[:1]:
                    if not published(amount.text):
                        continue
                    a["values"].append(float(amount.text))
                    a["currencies"].add(amount.get("currencyID"))
                for party in texts(tender, "efac:TenderingParty/cbc:ID"):
                    for org in texts(nr, f"efac:TenderingParty[cbc:ID='{party}']/"
                                         "efac:Tenderer/cbc:ID"):
                        if org in orgs:
                            a["winners"].add(org)
            for st in lr.xpath("efac:ReceivedSubmissionsStatistics", namespaces=NS):
                code = text(st, "efbc:StatisticsCode")
                n = published(text(st, "efbc:StatisticsNumeric"))
                if n is None:
                    continue
                if code == "tenders":
                    a["tenders_typed"] = max(int(n), a["tenders_typed"] or 0)
                elif code == "t-sme":
                    a["sme_typed"] = max(int(n), a["sme_typed"] or 0)
    for lot_id, a in awards.items():
        framework = lots.get(lot_id, {}).get("framework", False)
        a["bt720"] = (max(a["values"]) if framework else sum(a["values"])) if a["values"] \
            else None
    out["awards"] = awards
    return out


def _none(v):
    if isinstance(v, (list, tuple, set, str)):
        return v
    return None if v is None or pd.isna(v) else v


@pytest.fixture(scope="module")
def read_all():
    """Each file read on its own (so that a later notice does not supersede an award)."""
    cache: dict[Path, km.Dataset] = {}

    def get(path: Path) -> km.Dataset:
        if path not in cache:
            cache[path] = km.read(path, workers=1, progress=False)
        return cache[path]

    return get


def compare(path: Path, data) -> list[str]:
    """Differences between the reader's rows and the independent extraction."""
    exp = expected(path)
    bad: list[str] = []

    def check(what, got, want):
        got, want = _none(got), _none(want)
        if isinstance(want, float) and got is not None:
            if not math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-6):
                bad.append(f"{path.name}: {what}: read {got!r}, notice says {want!r}")
        elif got != want:
            bad.append(f"{path.name}: {what}: read {got!r}, notice says {want!r}")

    (notice,) = data.notices.to_dict("records")
    check("notice_id", notice["notice_id"], exp["notice_id"])
    check("procedure_type", notice["procedure_type"], exp["procedure_type"])
    lead = data.buyers.set_index("buyer_id").loc[notice["buyer_id"]]
    check("buyer country", lead["country"], exp["buyer_country"])

    lots = {r["lot_id"]: r for r in data.lots.to_dict("records")}
    check("lots", sorted(lots), sorted(exp["lots"]))
    for lot_id, want in exp["lots"].items():
        got = lots.get(lot_id)
        if got is None:
            continue
        for col in ("cpv_main", "estimated_value", "estimated_value_currency"):
            check(f"lot {lot_id} {col}", got[col], want[col])

    awards = {r["lot_id"]: r for r in data.awards.to_dict("records")}
    check("lot results", sorted(awards), sorted(exp["awards"]))
    for lot_id, want in exp["awards"].items():
        got = awards.get(lot_id)
        if got is None:
            continue
        check(f"award {lot_id} winners", got["winners"], len(want["winners"]) or None)
        if want["tenders_typed"] is not None:
            check(f"award {lot_id} tenders", got["tenders_received"], want["tenders_typed"])
            check(f"award {lot_id} tenders source", got["tenders_received_source"],
                  "BT-760=tenders")
        elif _none(got["tenders_received"]) is not None:
            check(f"award {lot_id} tenders source", got["tenders_received_source"], "untyped")
        if want["sme_typed"] is not None:
            check(f"award {lot_id} sme tenders", got["sme_tenders_received"], want["sme_typed"])
        if want["bt720"] is not None:
            check(f"award {lot_id} value source", got["value_source"], "BT-720")
            check(f"award {lot_id} value", got["awarded_value"], want["bt720"])
            check(f"award {lot_id} currency", got["awarded_value_currency"],
                  "".join(sorted(want["currencies"])))
        else:
            if _none(got["value_source"]) == "BT-720":
                bad.append(f"{path.name}: award {lot_id}: value from BT-720 but no winning "
                           "tender has a value")
    return bad


def test_enough_real_notices():
    collected = sorted((FIXTURES / "real" / "eforms").glob("*.xml"))
    assert len(collected) >= 45
    assert (FIXTURES / "real" / "eforms" / "SOURCE.md").read_text().count(".xml |") == len(collected)
    assert len(REFUSED) <= 0.03 * len(FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_reader_agrees_with_independent_extraction(path, read_all):
    data = read_all(path)
    acc = data.accounting
    assert int(acc["rows_in"].sum()) == int(acc["rows_accepted"].sum() +
                                            acc["rows_quarantined"].sum()) == 1
    assert int(acc["field_issues"].sum()) == len(data.field_issues)
    if path.name in REFUSED:
        assert len(data.notices) == 0
        assert REFUSED[path.name] in " ".join(data.quarantine["reason"])
        return
    assert len(data.quarantine) == 0, data.quarantine.to_dict("records")
    assert compare(path, data) == []


def test_the_fixtures_spread_over_sdk_versions_and_countries():
    versions, countries = set(), set()
    for path in FILES:
        text = path.read_bytes().decode("utf-8", "replace")
        versions.add(re.search(r"eforms-sdk-(\d+\.\d+)", text).group(1))
        countries.add(expected(path)["buyer_country"])
    assert {"1.3", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10"} <= versions
    assert len(countries) >= 8
