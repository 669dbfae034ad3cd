"""Tests of the Hilma read-API reader (notices with national statistics answers)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pandas as pd
import pytest

from keino_metrics import datamodel
from keino_metrics.readers import hilma
from keino_metrics.readers._json_common import ReaderWarning

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "hilma"
API = HERE / "hilma_read_api.json"


def _notices() -> list[dict]:
    return json.loads(API.read_text(encoding="utf-8"))["notices"]


def _dump(notices: list[dict]) -> bytes:
    return json.dumps({"notices": notices}).encode("utf-8")


@pytest.fixture(params=["eforms-reader", "own-xml"])
def mode(request, monkeypatch):
    """Run a test with the eForms reader and with the reader's own XML fallback."""
    if request.param == "own-xml":
        monkeypatch.setattr(hilma, "_eforms_parser", lambda: None)
    elif hilma._eforms_parser() is None:
        pytest.skip("eForms reader not installed")
    return request.param


# -- detection --------------------------------------------------------------

def test_sniff_accepts_hilma_json_only():
    assert hilma.sniff(API.read_bytes()[:4096])
    assert hilma.sniff(b'[{"noticeId": 5, "eForm": "PD94bWw="}]')
    assert not hilma.sniff(b'{"releases": [{"ocid": "ocds-1", "hilmaStatistics": {}}]}')
    assert not hilma.sniff(b'[{"notice_id": "1", "lot_number": 1, "lot_value_eur": 2}]')
    assert not hilma.sniff((HERE / "E4_minimum.xml").read_bytes()[:4096])


def test_sniff_accepts_a_read_api_answer_whose_answers_come_late():
    # the eForms read API answers one notice as {"id", "procedureId", "eForm", ...};
    # a long Base64 notice pushes "hilmaStatistics" past the bytes sniffed
    head = json.dumps({"id": 1, "procedureId": 2, "eForm": "PD94" + "A" * 70000}).encode()
    assert "hilmaStatistics" not in head[:65536].decode()
    assert hilma.sniff(head)
    assert not hilma.sniff(json.dumps({"id": 1, "title": "x"}).encode())


def test_front_door_routes_the_fixture_here():
    from keino_metrics.readers import detect

    assert detect(API.read_bytes()[:4096]) is hilma


# -- the fixture ------------------------------------------------------------

def test_statistics_answers_map_to_canonical_columns(mode):
    ds = hilma.read(API)
    stats = ds.hilma_statistics
    raw = _notices()
    notice_of = dict(zip(ds.notices["hilma_notice_id"], ds.notices["notice_id"], strict=True))
    for n in raw:
        for lot, answers in n["hilmaStatistics"].items():
            sel = stats[(stats["notice_id"] == notice_of[str(n["noticeId"])])
                        & (stats["lot_id"] == lot)]
            if sel.empty:
                continue
            row = sel.iloc[0]
            lower = {k.lower(): v for k, v in answers.items()}
            for col, key in datamodel.HILMA_QUESTIONS.items():
                want = lower.get(key.lower())
                assert (pd.isna(row[col]) if want is None else row[col] == want), (lot, col)
    # three lots answered and allowed, one lot's answers forbidden
    assert len(stats) == 3
    assert stats["opportunities_estimated"].dropna().tolist() == [4]
    datamodel.schema("hilma_statistics").validate(stats)


def test_answers_on_a_lot_without_winner_are_quarantined_not_the_notice(mode):
    ds = hilma.read(API)
    acc = ds.accounting.iloc[0]
    assert (acc["rows_in"], acc["rows_accepted"], acc["rows_quarantined"]) == (3, 3, 0)
    q, = ds.quarantine.itertuples()
    assert q.record == "notice 2025012345"
    assert q.field == "hilmaStatistics.LOT-0001"
    assert "selec-w" in q.reason
    can_id = ds.notices.set_index("hilma_notice_id").loc["2025012345", "notice_id"]
    awards = ds.awards[ds.awards["notice_id"] == can_id].set_index("lot_id")
    assert awards.loc["LOT-0000", "winner_chosen"]
    assert not awards.loc["LOT-0001", "winner_chosen"]
    stats = ds.hilma_statistics
    assert stats.loc[stats["notice_id"] == can_id, "lot_id"].tolist() == ["LOT-0000"]


def test_notice_identity_and_lots_from_the_xml(mode):
    ds = hilma.read(API)
    n = ds.notices.set_index("hilma_notice_id")
    assert n.loc["2025012345", "notice_type"] == "can"
    assert n.loc["2025012001", "notice_type"] == "cn"
    assert n.loc["2023101010", "notice_type"] == "can"
    assert n.loc["2025012345", "notice_id"] == "13e6bd2f-56e8-4d60-b09e-a685b74dd4ee-01"
    assert (ds.notices["source"] == "hilma").all()
    assert n.loc["2025012345", "publication_date"] == pd.Timestamp("2025-03-19")
    lots = ds.lots.groupby("notice_id")["lot_id"].apply(sorted).to_dict()
    assert lots[n.loc["2025012345", "notice_id"]] == ["LOT-0000", "LOT-0001"]
    assert "FI-0988084-1" in set(ds.buyers["buyer_id"])
    assert "FI-0123456-7" in set(ds.buyers["buyer_id"])
    for table in ("buyers", "notices"):
        datamodel.schema(table).validate(ds[table])


def test_both_xml_readings_give_the_same_statistics(monkeypatch):
    if hilma._eforms_parser() is None:
        pytest.skip("eForms reader not installed")
    a = hilma.read(API).hilma_statistics
    monkeypatch.setattr(hilma, "_eforms_parser", lambda: None)
    b = hilma.read(API).hilma_statistics
    pd.testing.assert_frame_equal(a, b)


# -- rules and damaged input -----------------------------------------------------

def test_key_case_and_missing_mandatory_answers():
    n = _notices()[0]
    n["hilmaStatistics"] = {"LOT-0000": {"sMEParticipationConsidered": True}}
    res = hilma.parse(_dump([n]), "case.json")
    row, = res.rows["hilma_statistics"]
    assert row["sme_participation_considered"] is True
    n["hilmaStatistics"] = {"LOT-0000": {"smeParticipationConsidered": False}}
    row, = hilma.parse(_dump([n]), "case.json").rows["hilma_statistics"]
    assert row["sme_participation_considered"] is False
    n["hilmaStatistics"] = {}
    with pytest.warns(ReaderWarning, match="LOT-0000"):
        hilma.parse(_dump([n]), "missing.json")


def test_bad_answers_and_notices_are_quarantined_with_file_record_field():
    good, cn, meta = _notices()
    bad_value = json.loads(json.dumps(cn))
    bad_value["noticeId"] = 9001
    bad_value["hilmaStatistics"]["LOT-0000"]["lowCarbon"] = "kyllä"
    unknown_key = json.loads(json.dumps(cn))
    unknown_key["noticeId"] = 9002
    unknown_key["hilmaStatistics"]["LOT-0000"]["greenestEver"] = True
    wrong_lot = json.loads(json.dumps(cn))
    wrong_lot["noticeId"] = 9003
    wrong_lot["hilmaStatistics"] = {"LOT-0099": {"lowCarbon": True}}
    no_id = {k: v for k, v in meta.items() if k != "noticeId"}
    bad_b64 = {**cn, "noticeId": 9004, "eForm": "this is not base64 !!"}
    bad_xml = {**cn, "noticeId": 9005,
               "eForm": base64.b64encode(b"<ContractNotice><unclosed>").decode()}
    no_date = {**meta, "noticeId": 9006}
    del no_date["datePublished"]
    bad_type = {**meta, "noticeId": 9007, "noticeType": "Z9"}
    items = [good, bad_value, unknown_key, wrong_lot, no_id, bad_b64, bad_xml, no_date,
             bad_type]
    res = hilma.parse(_dump(items), "mixed.json")
    assert res.records_in == len(items)
    assert res.records_accepted == 4
    q = {(x.record, x.field): x for x in res.quarantine}
    assert ("notice 9001", "hilmaStatistics.LOT-0000.lowCarbon") in q
    assert ("notice 9002", "hilmaStatistics.LOT-0000.greenestEver") in q
    assert ("notice 9003", "hilmaStatistics.LOT-0099") in q
    assert ("item[4]", "noticeId") in q
    assert ("notice 9004", "eForm") in q
    assert any(r == "notice 9005" for r, _ in q)
    assert ("notice 9006", "datePublished") in q
    assert ("notice 9007", "noticeType") in q
    assert all(x.source_file == "mixed.json" for x in res.quarantine)
    record_level = {x.record for x in res.quarantine if x.record in
                    {"item[4]", "notice 9004", "notice 9005", "notice 9006", "notice 9007"}}
    assert res.records_in == res.records_accepted + len(record_level)
    # the notice with a bad answer is read, its lot's answers are not
    stats_ids = {r["hilma_notice_id"] for r in res.rows["hilma_statistics"]}
    assert "9001" not in stats_ids and "9002" in stats_ids


def test_malformed_and_truncated_files(tmp_path):
    res = hilma.parse(b'{"notices": [ {"noticeId": 1,, } ] ', "bad.json")
    assert res.records_in == res.records_accepted + len(res.quarantine)
    assert res.quarantine and res.quarantine[0].source_file == "bad.json"
    text = json.dumps(_notices())
    cut = text[: text.rindex('"organisationName"')]
    p = tmp_path / "cut.json"
    p.write_text(cut, encoding="utf-8")
    ds = hilma.read(p)
    acc = ds.accounting.iloc[0]
    assert (acc["rows_in"], acc["rows_accepted"], acc["rows_quarantined"]) == (3, 2, 1)
    last = ds.quarantine.iloc[-1]
    assert last["record"] == "item[2]" and "truncated" in last["reason"]
