"""Legacy TED XML reader, and agreement with the official eForms conversions."""

from __future__ import annotations

import pytest
from lxml import etree

from keino_metrics.readers import eforms, ted_legacy, xmlsafe
from keino_metrics.readers.base import Quarantined

COLUMNS = {
    "notices": ["notice_id", "notice_type", "publication_date", "buyer_id", "procedure_type"],
    "buyers": ["buyer_id", "name", "legal_type", "country", "nuts3"],
    "lots": ["lot_id", "contract_nature", "cpv_main", "nuts3", "estimated_value",
             "estimated_value_currency", "framework_agreement", "price_only_award"],
    "awards": ["lot_id", "winner_chosen", "tenders_received", "sme_tenders_received",
               "awarded_value", "awarded_value_currency", "awarded_value_eur", "value_source",
               "winner_id", "winner_size", "winners", "winner_country", "decision_date",
               "contract_date"],
}

#: Fields the converter does not carry faithfully, so the two forms cannot agree.
#: ``price_only_award`` is compared only where the conversion states it: the
#: converter drops a price criterion that has no weighting (``<AC><AC_PRICE/></AC>``).
CONVERTER_DIFFERENCES = {
    ("21-010961-001-EXP.xml", "awards", "lot_id"):
        "undivided notice with LOT_NO 'N/A' on its award: the converter keeps 'N/A', "
        "the reader uses the notice's single lot LOT-0000",
    ("22-086633-001-EXP.xml", "awards", "contract_date"):
        "the converter merges contracts sharing a contract number and keeps one date",
}
#: Whole tables that differ on purpose, with the reason.
CONVERTER_TABLE_DIFFERENCES = {
    ("22-109282-001-EXP.xml", "awards"):
        "the awards' LOT_NO are cascade ranks ('1 / Primo in cascata', '1/ Secondo in "
        "cascata', ...): the converter keeps each as a lot result of its own that names no "
        "lot; the reader links them to lots 1 and 2 (leading number) and pools each lot's",
}


def _key(row, cols):
    return tuple(str(row.get(c)) for c in cols)


def _table(res, table, cols):
    return sorted((tuple(r.get(c) for c in cols) for r in res.rows.get(table, [])),
                  key=lambda t: tuple(str(v) for v in t))


def test_original_language_form_only(fixtures):
    # 21-000934: one original English form and 23 translations
    res = ted_legacy.parse((fixtures / "ted_legacy" / "ted-xml" / "21-000934-001-EXP.xml")
                           .read_bytes(), "x")
    assert res.records_accepted == 1
    assert len(res.rows["notices"]) == 1
    assert len(res.rows["awards"]) == len({a["lot_id"] for a in res.rows["awards"]})


def test_all_legacy_samples_are_read(fixtures):
    files = sorted((fixtures / "ted_legacy" / "ted-xml").glob("*.xml"))
    assert len(files) == 24
    for f in files:
        data = f.read_bytes()
        assert ted_legacy.sniff(data[:4096]) and not eforms.sniff(data[:4096])
        res = ted_legacy.parse(data, f.name)
        assert res.quarantine == [], res.quarantine


def test_f03_award_counts_values_and_sme(fixtures):
    res = ted_legacy.parse((fixtures / "ted_legacy" / "ted-xml" / "21-000061-001-EXP.xml")
                           .read_bytes(), "x")
    (notice,) = res.rows["notices"]
    assert notice["notice_id"] == "3543-2021" and notice["notice_type"] == "can"
    # the award notice links to its contract notice 2019/S 176-428607
    assert notice["procedure_id"] == "428607-2019"
    aw = {a["lot_id"]: a for a in res.rows["awards"]}
    assert aw["LOT-0001"]["tenders_received"] == 7
    assert aw["LOT-0001"]["sme_tenders_received"] == 1
    # framework agreement: every winner reports the 250 M GBP ceiling, taken once
    assert aw["LOT-0001"]["awarded_value"] == 250_000_000
    assert aw["LOT-0001"]["awarded_value_currency"] == "GBP"
    assert aw["LOT-0001"]["awarded_value_eur"] is None  # converted later, with the FX table
    from lxml import etree

    root = etree.fromstring((fixtures / "ted_legacy" / "ted-xml" / "21-000061-001-EXP.xml")
                            .read_bytes())
    names = {e.text for e in root.iterfind(".//{*}F03_2014[@CATEGORY='ORIGINAL']"
                                           "/{*}AWARD_CONTRACT[{*}LOT_NO='1']//{*}OFFICIALNAME")}
    assert aw["LOT-0001"]["winners"] == len(names) > 1


@pytest.mark.parametrize("name", sorted(
    p.name for p in (__import__("pathlib").Path(__file__).resolve().parents[1]
                     / "fixtures" / "ted_legacy" / "eforms-converted").glob("*.xml")))
def test_legacy_and_official_eforms_conversion_agree(fixtures, name):
    legacy = ted_legacy.parse((fixtures / "ted_legacy" / "ted-xml" / name).read_bytes(), name)
    conv = eforms.parse((fixtures / "ted_legacy" / "eforms-converted" / name).read_bytes(), name)
    assert legacy.quarantine == [] and conv.quarantine == []
    for table, cols in COLUMNS.items():
        a, b = _table(legacy, table, cols), _table(conv, table, cols)
        if (name, table) in CONVERTER_TABLE_DIFFERENCES:
            assert a != b, f"converter difference {name} {table} is gone: update the list"
            continue
        assert len(a) == len(b), (table, a, b)
        for j, col in enumerate(cols):
            va, vb = [r[j] for r in a], [r[j] for r in b]
            if col == "winner_size":
                # the converter leaves BT-165 out for a winner reported NO_SME; the
                # reader gives it the code "large" (not an SME)
                assert all(x == y or (y is None and x == "large")
                           for x, y in zip(va, vb, strict=True)), (table, col, va, vb)
                continue
            if col == "price_only_award":
                pairs = [(x, y) for x, y in zip(va, vb, strict=True) if y is not None]
                assert all(x == y for x, y in pairs), (table, col, va, vb)
                continue
            known = (name, table, col) in CONVERTER_DIFFERENCES
            if known:
                assert va != vb, f"converter difference {name} {col} is gone: update the list"
            else:
                assert va == vb, (table, col, va, vb)


def test_bad_legacy_values(fixtures):
    data = (fixtures / "ted_legacy" / "ted-xml" / "21-000061-001-EXP.xml").read_bytes()
    # odd values that can be left out are nulled with a field-level issue; the notice stays
    bad = data.replace(b"<NB_TENDERS_RECEIVED>7</NB_TENDERS_RECEIVED>",
                       b"<NB_TENDERS_RECEIVED>-7</NB_TENDERS_RECEIVED>", 1)
    res = ted_legacy.parse(bad, "bad.xml")
    assert res.quarantine == [] and res.records_accepted == 1
    (issue,) = [i for i in res.issues if i.field == "NB_TENDERS_RECEIVED"]
    assert (issue.record, issue.value, issue.action) == ("3543-2021", "-7", "nulled")
    assert "negative count" in issue.reason
    sme = data.replace(b"<NB_TENDERS_RECEIVED_SME>1<", b"<NB_TENDERS_RECEIVED_SME>9<", 1)
    res = ted_legacy.parse(sme, "sme.xml")
    (issue,) = [i for i in res.issues if i.field == "NB_TENDERS_RECEIVED_SME"]
    assert issue.action == "nulled" and "more tenders from SMEs" in issue.reason
    lot1 = next(a for a in res.rows["awards"] if a["lot_id"] == "LOT-0001")
    assert lot1["sme_tenders_received"] is None and lot1["tenders_received"] == 7
    cpv = data.replace(b'<CPV_CODE CODE="', b'<CPV_CODE CODE="X', 1)
    res = ted_legacy.parse(cpv, "cpv.xml")
    assert res.quarantine == [] and {r["cpv_main"] for r in res.rows["lots"]} == {None}
    assert [(i.field, i.action) for i in res.issues] == [("CPV_MAIN", "nulled")]
    # what cannot be placed quarantines the notice, and its issues go with it
    version = data.replace(b"ted/R2.0.9/publication", b"ted/R2.0.5/publication", 1)
    res = ted_legacy.parse(version, "old.xml")
    (q,) = res.quarantine
    assert "unknown schema version" in q.reason and res.issues == []
    original = data.replace(b'CATEGORY="ORIGINAL"', b'CATEGORY="TRANSLATION"')
    (q,) = ted_legacy.parse(original, "noorig.xml").quarantine
    assert "ORIGINAL" in q.reason


def _whole(data: bytes, name: str):
    """The reader's result when the whole file is parsed."""
    return xmlsafe.read_notice(data, name, ted_legacy.FORMAT, ted_legacy._notice)


def test_original_only_reads_as_the_whole_file(fixtures):
    files = sorted((fixtures / "ted_legacy" / "ted-xml").glob("*.xml"))
    cut = 0
    for f in files:
        data = f.read_bytes()
        part = ted_legacy.original_only(data)
        res = ted_legacy.parse(data, f.name)
        assert res.rows == _whole(data, f.name).rows, f.name
        assert res.bytes_in == len(data)
        if part is not None:
            cut += 1
            assert res.bytes_parsed == len(part) < len(data)
            assert b"TRANSLATION" not in part and part.count(b'CATEGORY="ORIGINAL"') == 1
    assert cut >= len(files) - 2


def test_multilingual_file_is_cut_to_its_original_form(fixtures):
    data = (fixtures / "ted_legacy" / "ted-xml" / "21-000934-001-EXP.xml").read_bytes()
    assert data.count(b'CATEGORY="TRANSLATION"') == 23
    part = ted_legacy.original_only(data)
    assert part is not None and len(part) < len(data) / 5
    root = xmlsafe.parse(part, "part.xml")
    assert root.get("DOC_ID") == etree.fromstring(data, xmlsafe.parser()).get("DOC_ID")
    (section,) = [c for c in root if etree.QName(c).localname == "FORM_SECTION"]
    assert [f.get("CATEGORY") for f in section] == ["ORIGINAL"]


@pytest.mark.parametrize("damage", [
    lambda d: d.replace(b"<FORM_SECTION>", b"<!-- c --><FORM_SECTION>", 1),
    lambda d: d.replace(b"<FORM_SECTION>", b"<?pi x?><FORM_SECTION>", 1),
    lambda d: d.replace(b"</TED_EXPORT>", b"", 1),
    lambda d: d.replace(b'CATEGORY="TRANSLATION"', b'CATEGORY="ORIGINAL"', 1),
    lambda d: d.replace(b'CATEGORY="TRANSLATION"', b"CATEGORY='TRANSLATION'", 1),
    lambda d: d.replace(b'CATEGORY="ORIGINAL"', b'CATEGORY="TRANSLATION"'),
    lambda d: d.replace(b"<CODED_DATA_SECTION>", b"<TECHNICAL_SECTION><CODED_DATA_SECTION>", 1)
               .replace(b"</CODED_DATA_SECTION>", b"</CODED_DATA_SECTION></TECHNICAL_SECTION>", 1),
    lambda d: d.replace(b'encoding="UTF-8"', b'encoding="UTF-16"', 1),
    lambda d: d.replace(b"<CODED_DATA_SECTION>", b"<FORM_SECTION/><CODED_DATA_SECTION>", 1),
    lambda d: d.replace(b"</TED_EXPORT>", b"<FORM_SECTION/></TED_EXPORT>", 1),
], ids=["comment", "processing-instruction", "no-root-end", "two-originals",
        "other-category", "no-original", "nested-section", "encoding",
        "form-section-before", "form-section-after"])
def test_original_only_falls_back_to_the_whole_file(fixtures, damage):
    data = (fixtures / "ted_legacy" / "ted-xml" / "21-000934-001-EXP.xml").read_bytes()
    assert ted_legacy.original_only(data) is not None
    bad = damage(data)
    assert bad != data
    assert ted_legacy.original_only(bad) is None
    res = ted_legacy.parse(bad, "bad.xml")
    assert res.bytes_parsed == len(bad)
    assert res.rows == _whole(bad, "bad.xml").rows
    assert [q.reason for q in res.quarantine] == [q.reason for q in
                                                  _whole(bad, "bad.xml").quarantine]


def test_truncation_is_reported_with_the_files_own_position(fixtures):
    data = (fixtures / "ted_legacy" / "ted-xml" / "21-000934-001-EXP.xml").read_bytes()
    form = data.index(b'CATEGORY="ORIGINAL"')
    for cut in (len(data) - 5, form + 500, 300):
        (q,) = ted_legacy.parse(data[:cut], "cut.xml").quarantine
        with pytest.raises(Quarantined) as whole:
            xmlsafe.parse(data[:cut], "cut.xml")
        assert "malformed or truncated XML at line" in q.reason
        assert q.reason == whole.value.reason


def test_defect_in_the_original_form_is_reported_by_the_whole_parse(fixtures):
    data = (fixtures / "ted_legacy" / "ted-xml" / "21-000934-001-EXP.xml").read_bytes()
    form = data.index(b'CATEGORY="ORIGINAL"')
    at = data.index(b"</TITLE>", form)
    bad = data[:at] + b"</TITEL>" + data[at + len(b"</TITLE>"):]
    res = ted_legacy.parse(bad, "bad.xml")
    (q,) = res.quarantine
    with pytest.raises(Quarantined) as whole:
        xmlsafe.parse(bad, "bad.xml")
    assert q.reason == whole.value.reason
    assert res.bytes_parsed == len(ted_legacy.original_only(bad)) + len(bad)


def test_defect_in_an_unread_translation_is_not_reported(fixtures):
    data = (fixtures / "ted_legacy" / "ted-xml" / "21-000934-001-EXP.xml").read_bytes()
    last = data.rindex(b'CATEGORY="TRANSLATION"')
    assert last > data.index(b'CATEGORY="ORIGINAL"')
    at = data.index(b"</TITLE>", last)
    bad = data[:at] + b"</TITEL>" + data[at + len(b"</TITLE>"):]
    with pytest.raises(Quarantined, match="malformed"):
        xmlsafe.parse(bad, "bad.xml")
    res = ted_legacy.parse(bad, "bad.xml")
    assert res.quarantine == [] and res.rows == ted_legacy.parse(data, "bad.xml").rows


def _second(data: bytes, old: bytes, new: bytes) -> bytes:
    """``data`` with the second occurrence of ``old`` replaced by ``new``."""
    i = data.index(old, data.index(old) + 1)
    return data[:i] + new + data[i + len(old):]


def test_an_award_of_several_lots_is_divided_among_them(fixtures):
    # 22-086633: lots 1-8, one award per lot; its lot 3 award is made to name lots 3 and 4
    data = (fixtures / "ted_legacy" / "ted-xml" / "22-086633-001-EXP.xml").read_bytes()
    before = {a["lot_id"]: a for a in ted_legacy.parse(data, "x").rows["awards"]}
    res = ted_legacy.parse(_second(data, b"<LOT_NO>3</LOT_NO>",
                                   b"<LOT_NO>Lots 3 and 4</LOT_NO>"), "x")
    after = {a["lot_id"]: a for a in res.rows["awards"]}
    assert set(after) == set(before)
    half = before["LOT-0003"]["awarded_value"] / 2
    assert after["LOT-0003"]["awarded_value"] == half
    assert after["LOT-0004"]["awarded_value"] == before["LOT-0004"]["awarded_value"] + half
    # the notice's total is not counted twice
    assert (sum(a["awarded_value"] for a in after.values() if a["awarded_value"])
            == pytest.approx(sum(a["awarded_value"] for a in before.values()
                                 if a["awarded_value"])))
    # the award's 2 tenders are not lot 3's count: kept beside; lot 4 keeps its own
    assert before["LOT-0003"]["tenders_received"] == 2
    assert after["LOT-0003"]["tenders_received"] is None
    assert after["LOT-0003"]["award_tenders_received"] == 2
    assert after["LOT-0004"]["tenders_received"] == before["LOT-0004"]["tenders_received"]
    assert after["LOT-0003"]["lots_in_award"] == after["LOT-0004"]["lots_in_award"] == 2
    assert after["LOT-0003"]["lot_refs"] == "Lots 3 and 4"
    (issue,) = res.issues
    assert (issue.field, issue.value, issue.action) == ("LOT_NO", "Lots 3 and 4", "normalised")
    assert "LOT-0003, LOT-0004" in issue.reason


def test_contracts_of_one_lot_in_two_currencies_fall_back_to_the_notice_total(fixtures):
    # 22-086633 reports lot 1 in EUR and lot 2 in PLN: an award of both mixes them
    data = (fixtures / "ted_legacy" / "ted-xml" / "22-086633-001-EXP.xml").read_bytes()
    res = ted_legacy.parse(_second(data, b"<LOT_NO>1</LOT_NO>", b"<LOT_NO>1, 2</LOT_NO>"), "x")
    lot2 = next(a for a in res.rows["awards"] if a["lot_id"] == "LOT-0002")
    assert lot2["value_source"] == "BT-161" and lot2["awarded_value_currency"] == "PLN"
    assert ("VAL_TOTAL", "nulled") in {(i.field, i.action) for i in res.issues}


def test_a_single_tender_for_several_lots_is_one_tender_for_each(fixtures):
    data = (fixtures / "ted_legacy" / "ted-xml" / "22-086633-001-EXP.xml").read_bytes()
    one = _second(data, b"<LOT_NO>1</LOT_NO>", b"<LOT_NO>1-2</LOT_NO>").replace(
        b"<NB_TENDERS_RECEIVED>3</NB_TENDERS_RECEIVED>",
        b"<NB_TENDERS_RECEIVED>1</NB_TENDERS_RECEIVED>", 1)
    after = {a["lot_id"]: a for a in ted_legacy.parse(one, "x").rows["awards"]}
    assert after["LOT-0001"]["tenders_received"] == 1
    assert after["LOT-0001"]["award_tenders_received"] is None
    # lot 2 has its own award too: the larger of the two counts (its own) is kept
    assert after["LOT-0002"]["tenders_received"] == 2


def test_an_award_naming_no_lot_keeps_its_text_with_an_issue(fixtures):
    data = (fixtures / "ted_legacy" / "ted-xml" / "22-086633-001-EXP.xml").read_bytes()
    res = ted_legacy.parse(_second(data, b"<LOT_NO>1</LOT_NO>",
                                   b"<LOT_NO>Reserve list</LOT_NO>"), "x")
    assert res.quarantine == []
    assert "Reserve list" in {a["lot_id"] for a in res.rows["awards"]}
    (issue,) = res.issues
    assert (issue.record, issue.field, issue.action) == ("88158-2022", "LOT_NO", "kept_raw")
    assert "names no lot of the notice" in issue.reason


def test_schema_namespaces_of_2016_to_2018(fixtures):
    assert ted_legacy._schema_version(
        "http://formex.publications.europa.eu/ted/schema/export/R2.0.9.S01.E01") == "R2.0.9"
    assert ted_legacy._schema_version("ted/R2.0.9.S02/publication") == "R2.0.9"
    assert ted_legacy._schema_version(
        "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication") == "R2.0.9"
    assert ted_legacy._schema_version(
        "http://publications.europa.eu/resource/schema/ted/R2.0.8/publication") == "R2.0.8"


def test_result_notice_awards_join_the_contract_notice_lots(fixtures, tmp_path):
    """An award joins the lots of its procedure's contract notice by lot number.

    Two real notices are made into one procedure: the contract notice
    20-566267 (lots 1-3, a framework agreement, CPV 80000000) is given the
    publication number that the result notice 22-086633 refers to, and the
    result notice loses its own description of lot 2. Its award for lot 2
    then takes CPV and framework flag from the contract notice's lot 2.
    """
    import keino_metrics as km
    from keino_metrics.indicators.frames import load_frames

    root = fixtures.parents[1]
    cn = (root / "data" / "raw" / "samples" / "ted-legacy" / "20-566267-001-EXP.xml").read_bytes()
    can = (fixtures / "ted_legacy" / "ted-xml" / "22-086633-001-EXP.xml").read_bytes()
    cn = cn.replace(b'DOC_ID="549479-2020"', b'DOC_ID="628645-2020"', 1)
    start = can.index(b'<OBJECT_DESCR ITEM="2">')
    end = can.index(b"</OBJECT_DESCR>", start) + len(b"</OBJECT_DESCR>")
    can = can[:start] + can[end:]
    (tmp_path / "cn.xml").write_bytes(cn)
    (tmp_path / "can.xml").write_bytes(can)
    data = km.read(tmp_path, workers=1)
    assert data.quarantine.empty
    assert set(data.notices["procedure_id"]) == {"628645-2020"}
    frames = load_frames(data, engine="pandas")
    lr = frames.collect(frames.frame("lot_results")).set_index("lot_id")
    assert lr.loc["LOT-0002", "cpv_main"] == "80000000"
    assert bool(lr.loc["LOT-0002", "framework_agreement"]) is True
    can_cpv = data.lots.loc[data.lots["notice_id"] == "88158-2022", "cpv_main"].iloc[0]
    assert lr.loc["LOT-0001", "cpv_main"] == can_cpv != "80000000"
    issue = data.field_issues[data.field_issues["record"] == "88158-2022"]
    assert list(issue["reason"]) == ["LOT-0002 not described in the notice; kept to join the "
                                     "procedure's other notices by number"]
