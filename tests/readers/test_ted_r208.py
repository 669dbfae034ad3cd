"""R2.0.8 paths of the legacy TED reader, on real notices and corrupted copies of them."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from keino_metrics.readers import ted_legacy, ted_r208

REAL = "real/ted-legacy-r208"


def _form(path):
    root = etree.parse(str(path)).getroot()
    return next(e for e in root.iter() if isinstance(e.tag, str)
                and e.get("CATEGORY") == "ORIGINAL")


def test_award_notice_fields_as_written(fixtures):
    form = ted_r208.read(_form(fixtures / REAL / "178654-2017.xml"))
    assert (form.notice_type, form.form_code, form.procedure_type) == ("can", "F03", "open")
    assert (form.buyer_name, form.buyer_country, form.ca_type) == (
        "Technische Universität Braunschweig", "DE", "BODY_PUBLIC")
    assert (form.cpv, form.nature, form.nuts3, form.price_only) == (
        "38000000", "SUPPLIES", "DE911", False)
    assert (form.total.text, form.total.currency) == ("573509.20", "EUR")
    assert not form.lots and [a.lot_no for a in form.awards] == ["1", "2", "3", "4", "5"]
    first = form.awards[0]
    assert (first.tenders, first.concluded, first.value.text, first.estimate.text) == (
        "2", "2017-04-25", "374900", "690000")
    assert first.contractors == [("Coherent GmbH", None, "DE")]
    # the last contractor gives no country
    assert form.awards[-1].contractors == [("Physik Instruments GmbH & Co. KG", None, None)]


def test_contract_notice_lots(fixtures):
    form = ted_r208.read(_form(fixtures / REAL / "348002-2017.xml"))
    assert (form.notice_type, form.form_code, form.divided) == ("cn", "F02", True)
    assert [lot.lot_no for lot in form.lots] == [str(n) for n in range(1, 8)]
    assert form.lots[1].title.startswith("Set of reagents for the detection of haemochromatosis")
    assert (form.cpv, form.price_only, form.awards) == ("33100000", True, [])


def test_award_notice_rows(fixtures):
    data = (fixtures / REAL / "99771-2018.xml").read_bytes()
    res = ted_legacy.parse(data, "99771-2018.xml")
    assert res.quarantine == [] and res.issues == []
    (notice,) = res.rows["notices"]
    # the contract notice of the procedure, not the earlier notice it also cites
    assert (notice["notice_id"], notice["procedure_id"]) == ("99771-2018", "195614-2017")
    assert (notice["schema_version"], notice["notice_subtype"]) == ("R2.0.8", "F03")
    assert res.rows["buyers"][0]["country"] == "FR"
    assert [lot["lot_id"] for lot in res.rows["lots"]] == [f"LOT-000{n}" for n in range(1, 6)]
    awards = {a["lot_id"]: a for a in res.rows["awards"]}
    assert awards["LOT-0001"]["winner_country"] == "GB"
    assert (awards["LOT-0001"]["tenders_received"], awards["LOT-0001"]["awarded_value"],
            awards["LOT-0001"]["value_source"]) == (3, 452280.70, "BT-720")
    assert awards["LOT-0002"]["contract_date"] == dt.date(2018, 2, 9)


def test_initial_estimate_and_empty_award(fixtures):
    res = ted_legacy.parse((fixtures / REAL / "157242-2017.xml").read_bytes(), "x")
    (award,) = res.rows["awards"]
    # only the initial estimate is given: the lot's estimate is the value (BT-27)
    assert (award["awarded_value"], award["value_source"]) == (430000.0, "BT-27")
    res = ted_legacy.parse((fixtures / REAL / "412450-2016.xml").read_bytes(), "x")
    (award,) = res.rows["awards"]
    assert award["winner_chosen"] is None and award["winners"] is None


def test_odd_values_are_field_issues(fixtures):
    data = (fixtures / REAL / "178654-2017.xml").read_bytes()
    bad = data.replace(b"<OFFERS_RECEIVED_NUMBER>10<", b"<OFFERS_RECEIVED_NUMBER>ten<", 1)
    bad = bad.replace(b'<VALUE_COST FMTVAL="159900">159 900</VALUE_COST>',
                      b"<VALUE_COST>about 160k</VALUE_COST>", 1)
    bad = bad.replace(b'<COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE CURRENCY="EUR">\n'
                      b'                            <VALUE_COST FMTVAL="4884">',
                      b'<COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE>\n'
                      b'                            <VALUE_COST FMTVAL="4884">', 1)
    res = ted_legacy.parse(bad, "bad.xml")
    assert res.quarantine == [] and res.records_accepted == 1
    issues = {(i.field, i.value): (i.action, i.reason) for i in res.issues}
    assert issues[("OFFERS_RECEIVED_NUMBER", "ten")][0] == "nulled"
    assert issues[("VALUE_COST", "about 160k")][0] == "nulled"
    assert issues[("VALUE_COST", "4884")] == ("nulled", "amount without currency")
    awards = {a["lot_id"]: a for a in res.rows["awards"]}
    assert awards["LOT-0003"]["tenders_received"] is None
    # without its contract value lot 2 falls back to the notice total shared over 5 lots
    assert awards["LOT-0002"]["value_source"] == "BT-161"
    assert awards["LOT-0002"]["awarded_value"] == pytest.approx(573509.20 / 5)


def test_schema_versions(fixtures):
    data = (fixtures / REAL / "157242-2017.xml").read_bytes()
    older = data.replace(b'VERSION="R2.0.8.S02.E01"', b'VERSION="R2.0.7.S05.E01"')
    res = ted_legacy.parse(older, "older.xml")
    assert res.quarantine == [] and res.rows["notices"][0]["schema_version"] == "R2.0.7"
    oldest = data.replace(b'VERSION="R2.0.8.S02.E01"', b'VERSION="R2.0.5.S01.E01"')
    (q,) = ted_legacy.parse(oldest, "oldest.xml").quarantine
    assert "unknown schema version 'R2.0.5'" in q.reason
    # no namespace at all: the form still names its version
    bare = data.replace(b' xmlns="http://publications.europa.eu/TED_schema/Export"', b"", 1)
    res = ted_legacy.parse(bare, "bare.xml")
    assert res.quarantine == [] and res.rows["notices"][0]["notice_type"] == "can"


def test_two_original_forms_read_the_first(fixtures):
    data = (fixtures / REAL / "59079-2017.xml").read_bytes()
    assert ted_legacy.original_only(data) is None  # two forms marked original: parsed whole
    res = ted_legacy.parse(data, "x")
    assert res.rows["buyers"][0]["name"].endswith("Purchasing Department")
    assert res.rows["notices"][0]["procedure_id"] == "200581-2016"


def test_original_form_is_cut_out_and_reads_the_same(fixtures):
    """The R2.0.8 form's end tag is found although elements inside start with its
    name (CONTRACT_AWARD holds CONTRACT_AWARD_DATE); the cut reads as the whole."""
    cut = 0
    for path in sorted((fixtures / REAL).glob("*.xml")):
        data = path.read_bytes()
        part = ted_legacy.original_only(data)
        if part is None:
            continue
        cut += 1
        assert len(part) < len(data)
        whole = ted_legacy.parse(data + b"<!-- parsed whole -->", path.name)
        assert ted_legacy.parse(data, path.name).rows == whole.rows, path.name
        assert whole.bytes_parsed == len(data) + len(b"<!-- parsed whole -->")
    assert cut >= 8


def test_utilities_award_notice(fixtures):
    """F06 (CONTRACT_AWARD_UTILITIES) names its award, value and contractor
    elements differently from F03."""
    data = (fixtures / REAL / "002856-2017.xml").read_bytes()
    form = ted_r208.read(_form(fixtures / REAL / "002856-2017.xml"))
    assert (form.notice_type, form.form_code, form.procedure_type) == ("can", "F06", "open")
    assert (form.total.text, form.total.currency, form.price_only) == ("17850000", "PLN", False)
    (award,) = form.awards
    assert (award.tenders, award.concluded, award.value.text, award.estimate.text) == (
        "2", "2016-12-27", "17850000", "18000000")
    assert award.contractors == [("ELPATOR Jerzy Pawełek", None, "PL")]
    res = ted_legacy.parse(data, "x")
    (row,) = res.rows["awards"]
    assert (row["awarded_value"], row["awarded_value_currency"], row["winner_country"]) == (
        17850000.0, "PLN", "PL")
    assert res.rows["notices"][0]["procedure_id"] == "183197-2016"
    # an empty utilities award container says nothing
    start = data.index(b"<AWARD_CONTRACT_CONTRACT_AWARD_UTILITIES>")
    end = data.index(b"</AWARD_CONTRACT_CONTRACT_AWARD_UTILITIES>") + len(
        b"</AWARD_CONTRACT_CONTRACT_AWARD_UTILITIES>")
    empty = data[:start] + b"<AWARD_CONTRACT_CONTRACT_AWARD_UTILITIES/>" + data[end:]
    (row,) = ted_legacy.parse(empty, "x").rows["awards"]
    assert row["winner_chosen"] is None and row["awarded_value"] is None
