"""Tests of format detection by structure (XML root, JSON keys)."""

from __future__ import annotations

import json

import pytest

from keino_metrics.readers import detection, eforms, hilma, ocds, parse_input, ted_csv, ted_legacy
from keino_metrics.readers.inputs import Input

_EXTENSIONS = [f"https://example.org/extensions/ext_{i:03d}/extension.json" for i in range(240)]


def _release(n: int = 0) -> dict:
    return {"ocid": f"ocds-abc123-{n}", "id": f"r{n}", "date": "2024-03-01T00:00:00Z",
            "tag": ["tender"], "buyer": {"id": "FI-1", "name": "Kunta"},
            "tender": {"id": "t", "procurementMethod": "open"}}


def test_release_package_with_releases_far_beyond_the_first_kilobytes():
    doc = {"uri": "https://example.org/p.json", "version": "1.1", "extensions": _EXTENSIONS,
           "publisher": {"name": "Publisher"}, "publishedDate": "2024-03-02T00:00:00Z",
           "releases": [_release()]}
    data = json.dumps(doc, indent=2).encode()
    assert data.index(b'"releases"') > 12_976 and data.index(b'"ocid"') > 12_976
    assert detection.reader_for(data) is ocds
    res = parse_input(Input("package.json", data=data))
    assert (res.format, res.records_in, res.records_accepted) == ("ocds", 1, 1)


def test_record_package_whose_records_key_comes_after_long_blocks():
    links = {f"page{i}": f"https://example.org/records?page={i}&cursor={'x' * 200}"
             for i in range(140)}
    doc = {"uri": "https://example.org/r.json", "version": "1.1", "extensions": _EXTENSIONS,
           "publisher": {"name": "Publisher", "uri": "https://example.org"},
           "links": links, "publishedDate": "2024-03-02T00:00:00Z",
           "records": [{"ocid": "ocds-abc123-0", "compiledRelease": _release()}]}
    data = json.dumps(doc).encode()
    assert data.index(b'"records"') > 31_675
    assert detection.reader_for(data) is ocds
    res = parse_input(Input("records.json", data=data))
    assert (res.format, res.unit, res.records_accepted) == ("ocds", "record", 1)


def test_single_release_with_ocid_after_its_parties():
    rel = _release()
    parties = [{"id": f"P{i}", "name": "x" * 100, "roles": ["tenderer"]} for i in range(60)]
    data = json.dumps({"parties": parties, **rel}).encode()
    assert data.index(b'"ocid"') > 4096
    assert detection.reader_for(data) is ocds


def test_json_lines_are_judged_on_their_first_line():
    data = b"\n".join(json.dumps(_release(i)).encode() for i in range(3)) + b"\n"
    assert detection.reader_for(data) is ocds


def test_hilma_and_ted_csv_json_by_the_keys_of_their_first_item(fixtures):
    assert detection.reader_for((fixtures / "hilma" / "hilma_read_api.json").read_bytes()) is hilma
    rows = (fixtures / "ted_csv" / "eu_procurement_500_sample_v1.1.json").read_bytes()
    assert detection.reader_for(rows) is ted_csv
    assert detection.reader_for(b'{"value": [{"noticeId": 1, "hilmaStatistics": {}}]}') is hilma
    one_row = b'{"notice_id": "1", "lot_number": 1, "lot_value_eur": 2}'
    assert detection.reader_for(one_row) is ted_csv


def test_csv_by_its_header_line():
    assert detection.reader_for(b"ID_NOTICE_CAN;YEAR;CPV\n1;2020;45000000\n") is ted_csv


@pytest.mark.parametrize("prolog", [
    b"\xef\xbb\xbf",
    b"  \n\t",
    b'<?xml version="1.0" encoding="UTF-8"?>\n',
    b"<!-- " + b"a long comment " * 600 + b"-->\n",
    b'<?xml-stylesheet type="text/xsl" href="s.xsl"?>\n<!-- x -->\n',
])
def test_xml_root_is_found_after_any_prolog(fixtures, prolog):
    notice = next((fixtures / "eforms" / "ted").glob("*.xml")).read_bytes()
    legacy = next((fixtures / "ted_legacy" / "ted-xml").glob("*.xml")).read_bytes()

    def body(doc: bytes) -> bytes:  # the document without its own XML declaration
        return doc.split(b"?>", 1)[1] if doc.lstrip().startswith(b"<?xml") else doc

    for doc, mod in ((notice, eforms), (legacy, ted_legacy)):
        data = prolog + body(doc)
        assert detection.reader_for(data) is mod, (prolog[:20], mod.FORMAT)


def test_the_root_decides_not_words_in_comments():
    data = b"<!-- TED_EXPORT ContractNotice ocid releases -->\n<Catalogue/>"
    assert detection.reader_for(data) is None
    res = parse_input(Input("catalogue.xml", data=data))
    assert res.records_in == 1 and res.records_accepted == 0
    assert "format not recognised" in res.quarantine[0].reason
    assert "Catalogue" in res.quarantine[0].reason


def test_hostile_xml_is_routed_without_expanding_or_fetching(fixtures):
    for f in sorted((fixtures / "malicious").glob("*.xml")):
        mod = detection.reader_for(f.read_bytes())
        assert mod in (ted_legacy, eforms, None), f.name
        res = parse_input(Input(f.name, data=f.read_bytes()))
        assert res.records_accepted == 0 and res.quarantine, f.name


def test_json_that_is_no_known_format_is_refused_with_its_shape():
    res = parse_input(Input("other.json", data=b'{"foo": [{"bar": 1}]}'))
    assert res.records_accepted == 0
    assert "format not recognised" in res.quarantine[0].reason and "foo" in res.quarantine[0].reason


def test_damaged_json_still_reaches_the_reader_that_explains_it():
    data = json.dumps({"version": "1.1", "releases": [_release(0), _release(1)]}).encode()
    cut = data[: data.index(b'"r1"') + 2]
    assert detection.reader_for(cut) is ocds
    res = parse_input(Input("cut.json", data=cut))
    assert res.records_accepted == 1 and "truncated" in res.quarantine[0].reason


def test_shape_reports_what_was_read():
    shape = detection.shape_of(b'[{"notice_id": 1, "lot_number": 1, "lot_value_eur": 2}]')
    assert (shape.syntax, shape.array_key) == ("json", "")
    assert shape.item_keys == ["notice_id", "lot_number", "lot_value_eur"]
    assert detection.format_of(b"<TED_EXPORT/>") == "ted-legacy"


def test_deeply_nested_json_is_refused_quickly_not_followed():
    """100,000 nested arrays: detection stops at its depth limit (reading every level
    made the key paths grow with the square of the depth and ran out of memory)."""
    from keino_metrics.readers import detection, parse_input
    from keino_metrics.readers.inputs import Input

    data = b"[" * 100_000 + b"]" * 100_000
    shape = detection.shape_of(data)
    assert shape.syntax == "json" and not shape.complete
    res = parse_input(Input("deep.json", data=data))
    assert res.records_in == len(res.quarantine) == 1 and res.records_accepted == 0
