"""eForms reader on real TED notices, SDK examples and Hilma national notices."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from lxml import etree

from keino_metrics.readers import eforms, xmlsafe
from keino_metrics.readers.checks import publication_number


def _read(path):
    return eforms.parse(path.read_bytes(), str(path))


def _rows(res, table):
    return res.rows.get(table, [])


def test_every_declared_path_follows_the_sdk_field_map():
    from importlib import resources

    path = resources.files("keino_metrics") / "data" / "eforms" / "fields_subset_keino.csv"
    with path.open(encoding="utf-8") as fh:
        sdk = {r["field_id"]: r["xpath_absolute"] for r in csv.DictReader(fh)}
    checked = 0
    for fid, rel in eforms.FIELDS.items():
        if fid not in sdk:
            continue
        absolute = sdk[fid]
        # the SDK path ends with the relative path once predicates are dropped
        strip = re.compile(r"\[[^\]]*\]")
        assert strip.sub("", absolute).endswith(strip.sub("", rel)), fid
        checked += 1
    assert checked >= 30
    # the lot's strategic code lists are read in one pass over this path
    for fid in ("BT-06-Lot", "BT-774-Lot", "BT-775-Lot", "BT-776-Lot", "BT-805-Lot",
                "BT-754-Lot"):
        assert eforms.FIELDS[fid].startswith(eforms._ADDITIONAL + "[@listName=")


def test_all_real_ted_notices_are_read(fixtures):
    files = sorted((fixtures / "eforms" / "ted").glob("*.xml"))
    assert len(files) == 24
    for f in files:
        assert eforms.sniff(f.read_bytes()[:4096]), f.name
        res = _read(f)
        assert res.quarantine == [], res.quarantine
        assert res.records_accepted == 1
        (notice,) = _rows(res, "notices")
        number = re.search(r"-(\d{8})", f.name).group(1)
        assert notice["notice_id"] == publication_number(f"{number}-{f.name[:4]}")


def test_finnish_result_notice(fixtures):
    res = _read(fixtures / "eforms" / "ted" / "2024-OJS170-00525037.xml")
    (notice,) = _rows(res, "notices")
    assert notice["notice_type"] == "can" and notice["procedure_type"] == "open"
    assert str(notice["publication_date"]) == "2024-09-02"
    (buyer,) = _rows(res, "buyers")
    assert buyer["buyer_id"] == "FI-0216509-5" and buyer["country"] == "FI"
    assert buyer["nuts3"] == "FI195" and buyer["legal_type"] == "la"
    lots = _rows(res, "lots")
    awards = _rows(res, "awards")
    assert len(lots) == 12 and len(awards) == 12
    assert all(lot["price_only_award"] for lot in lots)
    # only t-sme counts are published: never read as the number of tenders
    assert all(a["tenders_received"] is None for a in awards)
    assert [a["sme_tenders_received"] for a in awards][:3] == [4, 3, 4]
    # no tender value: the notice total BT-161 shared over the 12 awarded lots
    assert {a["value_source"] for a in awards} == {"BT-161"}
    assert sum(a["awarded_value"] for a in awards) == pytest.approx(2_100_000)
    cvd = [a for a in awards if a.get("cvd_vehicles") is not None]
    assert cvd and all(a["cvd_vehicle_category"] == "m1-m2-n1" for a in cvd)
    assert sum(a["cvd_vehicles_clean"] for a in cvd) >= 1
    assert sum(bool(lot["cvd_applicable"]) for lot in lots) == len(
        [lot for lot in lots if lot["cvd_contract_type"] == "pass-tran-serv"])


def test_untyped_count_is_tenders_only_when_alone(fixtures):
    res = _read(fixtures / "eforms" / "ted" / "2024-OJS065-00191534.xml")
    a = {r["lot_id"]: r for r in _rows(res, "awards")}
    assert a["LOT-0001"]["tenders_received"] == 6
    assert a["LOT-0001"]["tenders_received_source"] == "untyped"
    # the winner is the tender a settled contract names, not every tender listed
    assert a["LOT-0001"]["awarded_value"] == pytest.approx(8819.09)
    assert a["LOT-0001"]["value_source"] == "BT-720"


def test_strategic_fields_of_maximal_examples(fixtures):
    res = _read(fixtures / "eforms" / "sdk" / "can_24_maximal.xml")
    assert res.quarantine == []
    lots = _rows(res, "lots")
    joined = {k: set().union(*[set(lot[k] or []) for lot in lots])
              for k in ("strategic_procurement", "green_procurement", "social_objective",
                        "innovation")}
    assert all(joined.values()), joined
    cn = _read(fixtures / "eforms" / "sdk" / "cn_24_maximal.xml")
    assert cn.quarantine == []
    assert any(lot["green_procurement"] for lot in _rows(cn, "lots"))
    # the one real notice with BT-805 (a Dutch PIN): gpp-criteria = none
    pin = _read(fixtures / "eforms" / "ted" / "2024-OJS047-00137599.xml")
    assert any(lot["gpp_criteria"] == ["none"] for lot in _rows(pin, "lots"))


@pytest.mark.parametrize("name,kind", [("veat_81.xml", "veat"), ("pin-rtl_24.xml", "pin"),
                                       ("can-modif_24_value.xml", "modification"),
                                       ("change-cn_24_void.xml", "corrigendum"),
                                       ("subco_81.xml", "cn")])
def test_notice_types(fixtures, name, kind):
    res = _read(fixtures / "eforms" / "sdk" / name)
    assert res.quarantine == []
    assert _rows(res, "notices")[0]["notice_type"] == kind


def test_hilma_national_extension(fixtures):
    res = _read(fixtures / "eforms" / "hilma" / "E4_minimum.xml")
    assert res.quarantine == []
    (notice,) = _rows(res, "notices")
    assert notice["eu_applicable"] is False
    (award,) = _rows(res, "awards")
    assert award["tenders_received"] == 3  # typed 'tenders', not the part-req count 5
    assert award["requests_to_participate"] == 5


def _mutate(fixtures, old: str, new: str) -> bytes:
    data = (fixtures / "eforms" / "ted" / "2024-OJS170-00525037.xml").read_bytes()
    assert old.encode() in data
    return data.replace(old.encode(), new.encode(), 1)


@pytest.mark.parametrize("old,new,field,reason", [
    ("eforms-sdk-1.10", "eforms-sdk-9.1", "OPT-002-notice", "unknown schema version"),
    ("<cbc:ContractFolderID>2b8f15d3-6c08-47ed-aa46-1c34463e51b3</cbc:ContractFolderID>", "",
     "BT-04-notice", "procedure identifier is missing"),
    ("<efbc:PublicationDate>2024-09-02+02:00", "<efbc:PublicationDate>2024-08-01+02:00",
     "OPP-012-notice", "before it was dispatched"),
])
def test_bad_values_quarantine_the_notice_naming_the_field(fixtures, old, new, field, reason):
    res = eforms.parse(_mutate(fixtures, old, new), "mutated.xml")
    assert res.records_accepted == 0 and res.rows == {}
    (q,) = res.quarantine
    assert q.field == field and reason in q.reason
    assert q.record == "525037-2024" and q.source_file == "mutated.xml"
    assert "mutated.xml, record 525037-2024, field " + field in str(q)


def test_award_decision_after_publication_is_impossible(fixtures):
    data = _mutate(fixtures, "<cbc:IssueDate>2024-07-31Z</cbc:IssueDate>",
                   "<cbc:AwardDate>2024-12-31Z</cbc:AwardDate><cbc:IssueDate>2024-07-31Z"
                   "</cbc:IssueDate>")
    (q,) = eforms.parse(data, "x.xml").quarantine
    assert q.field == "BT-1451-Contract" and "after the notice's publication" in q.reason


def test_retired_codes_are_accepted(fixtures):
    data = (fixtures / "eforms" / "sdk" / "can_24_maximal.xml").read_bytes()
    m = re.search(rb'listName="environmental-impact">([a-z-]+)<', data)
    data = data.replace(m.group(0), b'listName="environmental-impact">iso-14001-com<', 1)
    res = eforms.parse(data, "retired.xml")
    assert res.quarantine == []
    assert any("iso-14001-com" in (lot["green_procurement"] or [])
               for lot in _rows(res, "lots"))


def test_field_groups_find_what_one_lookup_per_field_finds(fixtures):
    files = sorted((fixtures / "eforms").rglob("*.xml"))
    assert files
    checked = 0
    for f in files:
        root = xmlsafe.parse(f.read_bytes(), f.name)
        if etree.QName(root).localname not in eforms.ROOTS:
            continue
        contexts = [(eforms._root_group(root.tag), [root])]
        contexts.append((eforms._lot_group(), eforms._xp("cac:ProcurementProjectLot")(root)))
        contexts.append((eforms._result_group(), eforms._xp(
            f"{eforms._EXT}/efac:NoticeResult/efac:LotResult")(root)))
        contexts.append((eforms._org_group(), eforms._xp(
            f"{eforms._EXT}/efac:Organizations/efac:Organization/efac:Company")(root)))
        for group, nodes in contexts:
            for node in nodes:
                found = group(node)
                for name, path in group.paths.items():
                    assert found.get(name, []) == eforms._xp(path)(node), (f.name, name)
                    checked += 1
    assert checked > 100


def test_field_group_refuses_fields_it_cannot_tell_apart():
    with pytest.raises(ValueError, match="cannot be told apart"):
        eforms._Group(eforms._clark("cac:ProcurementProjectLot"),
                      {"a": "cac:ProcurementProject/cbc:Name",
                       "b": "cac:ProcurementProject/cbc:Name[@languageID='FIN']"})


# --- field-level issues: odd values keep the notice -------------------------------------------

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "eforms"


def _issues(res, field):
    return [i for i in res.issues if i.field == field]


def test_buyer_legal_type_of_an_earlier_code_list_is_kept_raw():
    # a real Polish notice (SDK 1.9) whose buyer legal type 'grp-p-aut' (group of public
    # authorities) is no longer in the code list, and has no documented successor
    res = _read(REAL / "671040-2023.xml")
    assert res.quarantine == [] and res.records_accepted == 1
    (buyer,) = _rows(res, "buyers")
    assert buyer["legal_type"] is None and buyer["legal_type_raw"] == "grp-p-aut"
    (issue,) = _issues(res, "BT-11-Procedure-Buyer")
    assert issue.action == "kept_raw" and issue.value == "grp-p-aut"
    assert issue.record == "671040-2023" and "buyer-legal-type" in issue.reason


def test_unknown_buyer_legal_type_keeps_the_notice(fixtures):
    res = eforms.parse(_mutate(fixtures, 'listName="buyer-legal-type">la<',
                               'listName="buyer-legal-type">rl-aut<'), "mutated.xml")
    assert res.quarantine == [] and res.records_accepted == 1
    assert _rows(res, "buyers")[0]["legal_type_raw"] == "rl-aut"
    (issue,) = _issues(res, "BT-11-Procedure-Buyer")
    assert (issue.action, issue.value, issue.source_file) == ("kept_raw", "rl-aut", "mutated.xml")


def test_withheld_values_are_nulled_not_quarantined():
    # a real French result notice whose value, tender value and counts are withheld (-1)
    res = _read(REAL / "00038918-2025.xml")
    assert res.quarantine == [] and res.records_accepted == 1
    (award,) = _rows(res, "awards")
    assert award["awarded_value"] is None and award["value_source"] is None
    assert award["sme_tenders_received"] is None and award["tenders_electronic"] is None
    assert award["winners"] == 1
    fields = {(i.field, i.action) for i in res.issues}
    assert {("BT-161-NoticeResult", "nulled"), ("BT-720-Tender", "nulled"),
            ("BT-759-LotResult", "nulled")} <= fields
    assert all("withheld" in i.reason for i in res.issues)


def test_count_of_an_unknown_submission_type_is_left_out():
    # a real Polish result notice publishes its only count under the type 'unpublished'
    res = _read(REAL / "00078803-2024.xml")
    assert res.quarantine == []
    (award,) = _rows(res, "awards")
    assert award["tenders_received"] is None and award["submissions_untyped"] is None
    (issue,) = _issues(res, "BT-760-LotResult")
    assert issue.action == "ignored" and issue.value == "unpublished"


def test_buyer_without_organisation_reference_is_placed_by_the_one_unnamed_organisation(
        fixtures):
    data = (REAL / "646400-2023.xml").read_bytes()
    # the only organisation loses its identifier; the buyer's reference then names nothing
    data = data.replace(b"<cbc:ID>ORG-0001</cbc:ID>", b"<cbc:ID>ORG-9999</cbc:ID>")
    data = data.replace(b"<cac:PartyIdentification>\n                           "
                        b"<cbc:ID>ORG-9999</cbc:ID>\n                        "
                        b"</cac:PartyIdentification>", b"", 1)
    res = eforms.parse(data, "mutated.xml")
    assert res.quarantine == [] and res.records_accepted == 1
    (buyer,) = _rows(res, "buyers")
    assert buyer["name"] == "Ajuntament de Barcelona" and buyer["country"] == "ES"
    (issue,) = _issues(res, "OPT-300-Procedure-Buyer")
    assert issue.action == "normalised" and issue.value == "ORG-9999"


def test_buyer_reference_that_names_nothing_still_quarantines_when_ambiguous(fixtures):
    data = (REAL / "646400-2023.xml").read_bytes().replace(
        b"<cac:Party>\n         <cac:PartyIdentification>\n            <cbc:ID>ORG-0001",
        b"<cac:Party>\n         <cac:PartyIdentification>\n            <cbc:ID>ORG-0404")
    (q,) = eforms.parse(data, "x.xml").quarantine
    assert q.field == "OPT-300-Procedure-Buyer" and "ORG-0404" in q.reason


@pytest.mark.parametrize("old,new,field,action", [
    ("<cbc:ItemClassificationCode listName=\"cpv\">92610000</cbc:ItemClassificationCode>\n   "
     "      </cac:MainCommodityClassification>\n      </cac:ProcurementProject>",
     "<cbc:ItemClassificationCode listName=\"cpv\">9261</cbc:ItemClassificationCode>\n   "
     "      </cac:MainCommodityClassification>\n      </cac:ProcurementProject>",
     "BT-262-Lot", "nulled"),
    ('listName="contract-nature">services</cbc:ProcurementTypeCode>\n         <cac:Main',
     'listName="contract-nature">servicez</cbc:ProcurementTypeCode>\n         <cac:Main',
     "BT-23-Lot", "kept_raw"),
])
def test_odd_lot_values_keep_the_notice(old, new, field, action):
    data = (REAL / "646400-2023.xml").read_bytes()
    assert old.encode() in data
    res = eforms.parse(data.replace(old.encode(), new.encode(), 1), "mutated.xml")
    assert res.quarantine == [] and res.records_accepted == 1
    (issue,) = _issues(res, field)
    assert issue.action == action
    (lot,) = _rows(res, "lots")
    if field == "BT-262-Lot":
        assert lot["cpv_main"] == "92610000"  # the procedure's CPV is used
    else:
        assert lot["contract_nature"] is None and lot["contract_nature_raw"] == "servicez"


@pytest.mark.parametrize("old,new,field,reason", [
    ('<cbc:TotalAmount currencyID="EUR">2100000', '<cbc:TotalAmount currencyID="EUR">-5',
     "BT-161-NoticeResult", "negative amount"),
    ("<efbc:StatisticsNumeric>4</efbc:StatisticsNumeric>",
     "<efbc:StatisticsNumeric>four</efbc:StatisticsNumeric>", "BT-759-LotResult",
     "not a number"),
])
def test_bad_numbers_are_nulled_with_an_issue(fixtures, old, new, field, reason):
    res = eforms.parse(_mutate(fixtures, old, new), "mutated.xml")
    assert res.quarantine == [] and res.records_accepted == 1
    (issue,) = _issues(res, field)
    assert issue.action == "nulled" and reason in issue.reason
    assert issue.record == "525037-2024"
