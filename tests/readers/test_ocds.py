"""Tests of the OCDS reader on the official fictional example and written files."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset
from keino_metrics.readers import ocds
from keino_metrics.readers._json_common import ReaderWarning, to_eur

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "ocds"
RELEASE_FILES = sorted(HERE.glob("ocds-213czf-000-00001-0*.json"))
RECORD_FILE = HERE / "ocds-213czf-000-00001.json"


def _release(name: str) -> dict:
    f = next(p for p in RELEASE_FILES if name in p.name)
    return json.loads(f.read_text(encoding="utf-8"))["releases"][0]


def _package(*releases: dict) -> bytes:
    return json.dumps({"version": "1.1", "publishedDate": "2024-05-01T00:00:00Z",
                       "releases": list(releases)}, indent=1).encode("utf-8")


def _finnish_release() -> dict:
    """A two-lot award release of a Finnish municipality (lots, bids extensions)."""
    return {
        "ocid": "ocds-fi0001-2024-17", "id": "award-1", "date": "2024-05-20T08:00:00+03:00",
        "tag": ["award"], "initiationType": "tender",
        "parties": [
            {"id": "FI-PRO-0204819-8", "name": "Espoon kaupunki", "roles": ["buyer"],
             "identifier": {"scheme": "FI-PRO", "id": "0204819-8"},
             "address": {"locality": "Espoo", "region": "FI1B1", "countryName": "Finland"}},
            {"id": "FI-PRO-7654321-0", "name": "Ruokatalo Oy", "roles": ["supplier"],
             "identifier": {"scheme": "FI-PRO", "id": "7654321-0"},
             "address": {"countryName": "Finland"}, "details": {"scale": "sme"}},
            {"id": "SE-ORG-5560001111", "name": "Matleverans AB", "roles": ["supplier"],
             "identifier": {"scheme": "SE-BLV", "id": "5560001111"},
             "address": {"countryName": "Sweden"}, "details": {"scale": "large"}},
        ],
        "buyer": {"id": "FI-PRO-0204819-8", "name": "Espoon kaupunki"},
        "tender": {
            "id": "t1", "mainProcurementCategory": "goods", "procurementMethod": "open",
            "awardCriteria": "ratedCriteria", "numberOfTenderers": 7,
            "lots": [{"id": "1", "value": {"amount": 400000, "currency": "EUR"},
                      "suitability": {"sme": True}},
                     {"id": "2", "value": {"amount": 250000, "currency": "EUR"}}],
            "items": [{"id": "i1", "relatedLot": "1",
                       "classification": {"scheme": "CPV", "id": "15800000-6"}},
                      {"id": "i2", "relatedLot": "2",
                       "classification": {"scheme": "CPV", "id": "15300000-1"}}],
        },
        "bids": {"statistics": [{"id": "s1", "measure": "validBids", "value": 4,
                                 "relatedLot": "1"},
                                {"id": "s2", "measure": "validBids", "value": 3,
                                 "relatedLot": "2"}]},
        "awards": [
            {"id": "a1", "status": "active", "date": "2024-05-10", "relatedLots": ["1"],
             "value": {"amount": 380000, "currency": "EUR"},
             "suppliers": [{"id": "FI-PRO-7654321-0", "name": "Ruokatalo Oy"}]},
            {"id": "a2", "status": "active", "date": "2024-05-10", "relatedLots": ["2"],
             "value": {"amount": 2500000, "currency": "SEK"},
             "suppliers": [{"id": "SE-ORG-5560001111", "name": "Matleverans AB"}]},
        ],
    }


# -- detection --------------------------------------------------------------

def test_sniff_accepts_ocds_and_nothing_else():
    for f in [*RELEASE_FILES, RECORD_FILE]:
        assert ocds.sniff(f.read_bytes()[:4096]), f.name
    line = json.dumps(_finnish_release()).encode("utf-8")
    assert ocds.sniff(line + b"\n" + line)
    assert not ocds.sniff(b'[{"notice_id": "1", "lot_number": 1, "lot_value_eur": 2}]')
    assert not ocds.sniff(b'{"notices": [{"noticeId": 1, "hilmaStatistics": {}}]}')
    assert not ocds.sniff(b'<?xml version="1.0"?><ContractNotice/>')


def test_front_door_routes_the_example_here():
    from keino_metrics.readers import detect

    assert all(detect(f.read_bytes()[:4096]) is ocds for f in [*RELEASE_FILES, RECORD_FILE])


# -- the official fictional example -----------------------------------------------

@pytest.fixture(scope="module")
def releases() -> Dataset:
    return Dataset.concat([ocds.read(f) for f in RELEASE_FILES])


def test_release_tags_become_notice_types(releases):
    got = dict(zip(releases.notices["notice_id"].str.rsplit("-", n=1).str[-1],
                   releases.notices["notice_type"], strict=True))
    assert got == {"planning": "pin", "tender": "cn", "tenderAmendment": "corrigendum",
                   "award": "can", "contract": "can", "implementation": "other"}
    assert set(releases.notices["procedure_id"]) == {"ocds-213czf-000-00001"}


def test_example_accounting_and_schema(releases):
    acc = releases.accounting
    assert (acc["rows_in"] == acc["rows_accepted"] + acc["rows_quarantined"]).all()
    assert int(acc["rows_in"].sum()) == len(RELEASE_FILES) == len(releases.notices)
    for table in ("buyers", "notices", "lots", "awards"):
        datamodel.schema(table).validate(releases[table])


def test_example_award_values_buyer_and_lot(releases):
    raw = _release("04-award")["awards"][0]
    aw = releases.awards.set_index("notice_id").loc["ocds-213czf-000-00001-04-award"]
    assert aw["lot_id"] == ocds.IMPLICIT_LOT
    assert aw["awarded_value"] == raw["value"]["amount"]
    assert aw["awarded_value_currency"] == "GBP"
    assert aw["awarded_value_eur"] == pytest.approx(
        to_eur(raw["value"]["amount"], "GBP", pd.Timestamp(raw["date"][:10])))
    # pound worth more than a euro in 2010: fewer pounds than euros
    assert aw["awarded_value_eur"] > aw["awarded_value"]
    assert aw["tenders_received"] == _release("04-award")["tender"]["numberOfTenderers"]
    assert aw["decision_date"] == pd.Timestamp("2010-05-10")
    assert aw["winner_chosen"]
    b = releases.buyers.iloc[0]
    assert (b["name"], b["country"]) == ("London Borough of Barnet", "GB")
    lot = releases.lots.set_index("notice_id").loc["ocds-213czf-000-00001-02-tender"]
    assert (lot["cpv_main"], lot["contract_nature"]) == ("45233130", "works")
    assert lot["estimated_value"] == _release("02-tender")["tender"]["value"]["amount"]
    # awards only from result releases: implementation repeats the award
    assert "ocds-213czf-000-00001-06-implementation" not in set(releases.awards["notice_id"])


def test_record_package_uses_the_compiled_release():
    res = ocds.parse(RECORD_FILE.read_bytes(), RECORD_FILE.name)
    assert (res.unit, res.records_in, res.records_accepted) == ("record", 1, 1)
    notice, = res.rows["notices"]
    assert notice["notice_type"] == "can"
    award, = res.rows["awards"]
    assert award["awarded_value"] == 11000000


def test_record_with_only_linked_releases_is_quarantined():
    pkg = json.loads(RECORD_FILE.read_text(encoding="utf-8"))
    del pkg["records"][0]["compiledRelease"]
    res = ocds.parse(json.dumps(pkg).encode("utf-8"), "linked.json")
    assert (res.records_in, res.records_accepted) == (1, 0)
    q, = res.quarantine
    assert q.field == "compiledRelease" and "ocds-213czf-000-00001" in q.record


# -- lots, Finnish buyer, currencies ----------------------------------------------

def test_lots_extension_bids_and_finnish_buyer():
    res = ocds.parse(_package(_finnish_release()), "espoo.json")
    assert res.records_accepted == 1 and res.quarantine == []
    lots = {r["lot_id"]: r for r in res.rows["lots"]}
    assert set(lots) == {"LOT-0001", "LOT-0002"}
    assert (lots["LOT-0001"]["cpv_main"], lots["LOT-0002"]["cpv_main"]) == \
        ("15800000", "15300000")
    assert lots["LOT-0001"]["contract_nature"] == "supplies"
    assert lots["LOT-0001"]["sme_suitable"] is True
    assert lots["LOT-0001"]["price_only_award"] is False
    awards = {r["lot_id"]: r for r in res.rows["awards"]}
    assert awards["LOT-0001"]["tenders_received"] == 4
    assert awards["LOT-0002"]["tenders_received"] == 3
    assert awards["LOT-0001"]["winner_id"] == "FI-7654321-0"
    assert awards["LOT-0001"]["winner_size"] == "sme"
    assert awards["LOT-0002"]["winner_id"] == "SE-5560001111"
    sek = awards["LOT-0002"]
    assert sek["awarded_value_currency"] == "SEK"
    assert 150_000 < sek["awarded_value_eur"] < 300_000
    buyer, = res.rows["buyers"]
    assert buyer["buyer_id"] == "FI-0204819-8"
    assert (buyer["country"], buyer["nuts3"], buyer["municipality_code"],
            buyer["region_code"]) == ("FI", "FI1B1", "049", "01")
    assert res.rows["notices"][0]["procedure_type"] == "open"


def test_currency_without_rate_keeps_published_amount():
    rel = _finnish_release()
    rel["awards"][1]["value"]["currency"] = "XAF"
    with pytest.warns(ReaderWarning, match="XAF"):
        res = ocds.parse(_package(rel), "xaf.json")
    aw = {r["lot_id"]: r for r in res.rows["awards"]}["LOT-0002"]
    assert aw["awarded_value"] == 2500000 and aw["awarded_value_eur"] is None


# -- damaged input -----------------------------------------------------------

def _broken(kind: str) -> dict:
    rel = copy.deepcopy(_finnish_release())
    rel["id"] = f"award-{kind}"
    if kind == "negative":
        rel["awards"][0]["value"]["amount"] = -380000
    elif kind == "late-decision":
        rel["awards"][0]["date"] = "2024-06-30"
    elif kind == "unknown-tag":
        rel["tag"] = ["awardish"]
    elif kind == "no-buyer":
        del rel["buyer"]
        rel["parties"] = rel["parties"][1:]
    elif kind == "no-date":
        del rel["date"]
    elif kind == "unknown-lot":
        rel["awards"][0]["relatedLots"] = ["9"]
    elif kind == "unknown-method":
        rel["tender"]["procurementMethod"] = "auction"
    return rel


#: Damage that leaves a release unplaceable: the release is quarantined.
BROKEN = {"no-buyer": "buyer", "no-date": "date", "unknown-lot": "awards[0].relatedLots"}
#: Odd values of a release that is kept: field-level issue and action.
ODD = {"negative": ("awards[0].value.amount", "nulled"),
       "late-decision": ("awards[0].date", "nulled"),
       "unknown-tag": ("tag", "nulled"),
       "unknown-method": ("tender.procurementMethod", "nulled")}


def test_json_lines_are_read_line_by_line_with_bad_lines_quarantined(tmp_path):
    lines = [json.dumps(_release("02-tender")), "{\"ocid\": \"ocds-x\", ",
             json.dumps(_finnish_release())]
    lines += [json.dumps(_broken(k)) for k in BROKEN]
    lines += [json.dumps(_broken(k)) for k in ODD]
    p = tmp_path / "releases.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = ocds.read(p)
    acc = ds.accounting.iloc[0]
    assert acc["rows_in"] == len(lines)
    kept = 2 + len(ODD)
    assert (acc["rows_accepted"], acc["rows_quarantined"]) == (kept, len(lines) - kept)
    assert len(ds.quarantine) == len(lines) - kept
    q = ds.quarantine
    assert q.loc[q["record"] == "line 2", "reason"].str.contains("malformed|truncated").all()
    got = dict(zip(q["record"].str.extract(r"award-([a-z-]+)")[0], q["field"], strict=True))
    for kind, field in BROKEN.items():
        assert got[kind] == field, kind
    issues = ds.field_issues
    for kind, (field, action) in ODD.items():
        mine = issues[issues["record"].str.contains(f"award-{kind}")]
        assert ((mine["field"] == field) & (mine["action"] == action)).any(), kind
    assert acc["field_issues"] == len(issues)


def test_truncated_package_keeps_the_complete_releases():
    text = _package(_release("02-tender"), _finnish_release()).decode("utf-8")
    cut = text[: text.index("Ruokatalo")]
    res = ocds.parse(cut.encode("utf-8"), "cut.json")
    assert (res.records_in, res.records_accepted) == (2, 1)
    q, = res.quarantine
    assert q.record == "releases[1]" and "truncated" in q.reason
    assert res.rows["notices"][0]["notice_type"] == "cn"


def test_not_json_at_all_is_one_quarantined_record():
    res = ocds.parse(b'{"releases": oops', "oops.json")
    assert res.records_in == res.records_accepted + len(res.quarantine) == 1
    assert res.quarantine[0].source_file == "oops.json"


def test_wrong_encoding_is_decoded_with_a_warning():
    rel = _finnish_release()
    rel["parties"][0]["name"] = "Hämeenlinnan kaupunki"
    data = json.dumps({"releases": [rel]}, ensure_ascii=False).encode("latin-1")
    with pytest.warns(ReaderWarning, match="not valid UTF-8"):
        res = ocds.parse(data, "latin1.json")
    assert res.rows["buyers"][0]["name"] == "Hämeenlinnan kaupunki"


def test_built_in_rates_agree_with_the_package_table(monkeypatch):
    import sys

    from keino_metrics.readers import _json_common

    when = pd.Timestamp("2021-06-30")
    with_table = {c: to_eur(1000.0, c, when) for c in _json_common.EUR_RATES}
    monkeypatch.setitem(sys.modules, "keino_metrics.readers.fx", None)
    alone = {c: to_eur(1000.0, c, when) for c in _json_common.EUR_RATES}
    for cur, eur in alone.items():
        assert eur == pytest.approx(1000.0 / _json_common.EUR_RATES[cur][2021])
        if with_table[cur] is not None:
            assert eur == pytest.approx(with_table[cur], rel=0.01), cur


# -- odd values: field-level issues instead of quarantine --------------------------

def _read(tmp_path, *releases: dict) -> Dataset:
    p = tmp_path / "package.json"
    p.write_bytes(_package(*releases))
    return ocds.read(p)


def _issues(ds: Dataset, field: str) -> pd.DataFrame:
    return ds.field_issues[ds.field_issues["field"] == field]


def _kept(ds: Dataset, n: int = 1) -> None:
    acc = ds.accounting.iloc[0]
    assert (acc["rows_in"], acc["rows_accepted"], acc["rows_quarantined"]) == (n, n, 0)
    assert acc["field_issues"] == len(ds.field_issues)


def test_free_text_procurement_method_is_nulled_and_noted(tmp_path):
    rel = _finnish_release()
    rel["tender"]["procurementMethod"] = "Licitaţie publică"
    ds = _read(tmp_path, rel)
    _kept(ds)
    assert ds.notices["procedure_type"].isna().all()
    issue = _issues(ds, "tender.procurementMethod").iloc[0]
    assert (issue["value"], issue["action"]) == ("Licitaţie publică", "nulled")
    assert len(ds.awards) == 2  # the awards are kept with the release


def test_misspelled_code_is_read_as_the_code_it_resembles(tmp_path):
    rel = _finnish_release()
    rel["tender"]["awardCriteria"] = "bestValueToGoverment"
    rel["tender"]["procurementMethod"] = "Open"
    ds = _read(tmp_path, rel)
    _kept(ds)
    assert (ds.lots["price_only_award"] == False).all()  # noqa: E712
    assert ds.notices["procedure_type"].iloc[0] == "open"
    crit = _issues(ds, "tender.awardCriteria").iloc[0]
    assert (crit["value"], crit["action"]) == ("bestValueToGoverment", "normalised")
    assert "bestValueToGovernment" in crit["reason"]
    assert _issues(ds, "tender.procurementMethod")["action"].tolist() == ["normalised"]
    assert ocds.known_code("limited", ocds.PROCEDURE_TYPES) == "limited"
    assert ocds.known_code("unlimited", ocds.PROCEDURE_TYPES) is None


def test_buyer_with_a_name_but_no_id_gets_the_name_based_id(tmp_path):
    rel = _finnish_release()
    rel["buyer"] = {"name": "Hawkesbury City Council"}
    rel["parties"] = rel["parties"][1:]
    ds = _read(tmp_path, rel)
    _kept(ds)
    bid = ds.notices["buyer_id"].iloc[0]
    assert bid.startswith("h-") and ds.buyers.set_index("buyer_id").loc[bid, "name"] == \
        "Hawkesbury City Council"
    assert _issues(ds, "buyer.id")["action"].tolist() == ["normalised"]


def test_buyer_name_in_a_language_variant(tmp_path):
    rel = _finnish_release()
    rel["buyer"] = {"id": "01", "name_en": "Agriculture and Agri-Food Canada",
                    "name_fr": "Agriculture et Agroalimentaire Canada"}
    rel["parties"] = rel["parties"][1:]
    ds = _read(tmp_path, rel)
    _kept(ds)
    assert ds.buyers["name"].tolist() == ["Agriculture and Agri-Food Canada"]
    assert "name_en" in _issues(ds, "buyer.name")["reason"].iloc[0]


def test_tag_given_as_a_string_and_unknown_tags(tmp_path):
    a, b = _finnish_release(), _finnish_release()
    a["tag"] = "award"
    b["id"], b["tag"] = "award-2", "awardNotice"
    ds = _read(tmp_path, a, b)
    _kept(ds, 2)
    assert ds.notices["notice_type"].tolist() == ["can", "can"]
    tags = _issues(ds, "tag")
    assert set(tags["action"]) == {"normalised", "nulled"}
    assert "awardNotice" in set(tags["value"])


def test_awards_that_are_not_a_list_are_noted(tmp_path):
    rel = _finnish_release()
    rel["awards"] = {"id": "a", "items": [{"suppliers": []}]}  # as one publisher writes them
    ds = _read(tmp_path, rel)
    _kept(ds)
    assert ds.awards.empty
    assert _issues(ds, "awards")[["value", "action"]].values.tolist() == [["dict", "ignored"]]


def test_decided_awards_of_a_tender_release_are_read(tmp_path):
    rel = _finnish_release()
    rel["tag"] = ["tender"]
    ds = _read(tmp_path, rel)
    _kept(ds)
    assert ds.notices["notice_type"].tolist() == ["can"]
    assert sorted(ds.awards["lot_id"]) == ["LOT-0001", "LOT-0002"]
    assert "decided award" in _issues(ds, "tag")["reason"].iloc[0]
    rel["awards"] = [dict(a, status="pending") for a in rel["awards"]]
    pending = _read(tmp_path, rel)
    assert pending.notices["notice_type"].tolist() == ["cn"] and pending.awards.empty


def test_repeated_award_is_read_once(tmp_path):
    rel = _finnish_release()
    rel["awards"].append(copy.deepcopy(rel["awards"][0]))
    ds = _read(tmp_path, rel)
    lot1 = ds.awards.set_index("lot_id").loc["LOT-0001"]
    assert (lot1["winners"], lot1["awarded_value"]) == (1, 380000)
    assert _issues(ds, "awards[2].id")["action"].tolist() == ["ignored"]


def test_cpv_id_of_the_wrong_length_is_not_a_cpv_code(tmp_path):
    rel = _finnish_release()
    rel["tender"]["items"][0]["classification"]["id"] = "101372323"
    ds = _read(tmp_path, rel)
    assert pd.isna(ds.lots.set_index("lot_id").loc["LOT-0001", "cpv_main"])
    assert _issues(ds, "items[0].classification.id")["value"].tolist() == ["101372323"]
    assert ocds.cpv_code("3000000") == "03000000" and ocds.cpv_code("45000000-7") == "45000000"


def test_amount_without_currency_is_kept_raw(tmp_path):
    rel = _finnish_release()
    del rel["awards"][0]["value"]["currency"]
    ds = _read(tmp_path, rel)
    _kept(ds)
    lot1 = ds.awards.set_index("lot_id").loc["LOT-0001"]
    assert lot1["awarded_value"] == 380000 and pd.isna(lot1["awarded_value_eur"])
    assert _issues(ds, "awards[0].value.currency")["action"].tolist() == ["kept_raw"]


def test_ocds_1_0_release_with_procuring_entity_only(tmp_path):
    """OCDS 1.0: organisations inline (no parties), the buyer named as procuring entity."""
    rel = {
        "ocid": "ocds-03ad3f-193399", "id": "193399-adquisicion-scanner",
        "date": "2014-09-05T10:05:53-04:00", "tag": ["contract"], "language": "es",
        "tender": {"id": "193399", "procurementMethod": "open",
                   "procuringEntity": {"name": "Ministerio de Hacienda",
                                       "identifier": {"id": "MH-1", "scheme": "PY-RUC"}},
                   "items": [{"id": "1", "classification": {"scheme": "CPV",
                                                            "id": "30216110-0"}}]},
        "awards": [{"id": "1", "status": "active", "date": "2014-08-01",
                    "value": {"amount": 56000000, "currency": "PYG"},
                    "suppliers": [{"name": "Proveedor SA",
                                   "identifier": {"id": "80000001-1", "scheme": "PY-RUC"}}]}],
    }
    p = tmp_path / "package-1.0.json"
    p.write_text(json.dumps({"uri": "x", "publishedDate": "2014-09-05T10:05:53-04:00",
                             "publisher": {"name": "DNCP"}, "releases": [rel]}),
                 encoding="utf-8")
    ds = ocds.read(p)
    _kept(ds)
    assert ds.buyers["name"].tolist() == ["Ministerio de Hacienda"]
    assert ds.awards["winner_id"].tolist() == ["80000001-1"]
    assert ds.lots["cpv_main"].tolist() == ["30216110"]
    assert "procuring entity" in _issues(ds, "buyer")["reason"].iloc[0]
