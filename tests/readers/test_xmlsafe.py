"""Hostile XML never resolves entities, files or the network."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keino_metrics.readers import eforms, parse_input, ted_legacy, xmlsafe
from keino_metrics.readers.base import Quarantined
from keino_metrics.readers.inputs import Input


@pytest.mark.parametrize("name", ["xxe_file.xml", "xxe_http.xml", "billion_laughs.xml",
                                  "external_dtd.xml"])
def test_hostile_documents_are_refused(fixtures, name):
    data = (fixtures / "malicious" / name).read_bytes()
    with pytest.raises(Quarantined) as err:
        xmlsafe.parse(data, name)
    assert err.value.field == "DOCTYPE"
    assert "XXE" in err.value.reason


@pytest.mark.parametrize("name", ["xxe_file.xml", "xxe_http.xml", "billion_laughs.xml",
                                  "external_dtd.xml"])
def test_readers_quarantine_hostile_documents(fixtures, name):
    data = (fixtures / "malicious" / name).read_bytes()
    for mod in (eforms, ted_legacy):
        res = mod.parse(data, name)
        assert res.records_in == 1 and res.records_accepted == 0
        assert len(res.quarantine) == 1
        assert not any("root:" in str(v) for rows in res.rows.values() for r in rows
                       for v in r.values())


def test_parser_itself_does_not_expand_entities():
    # Even if the DOCTYPE check were bypassed, the parser is configured not to
    # resolve entities or load DTDs.
    p = xmlsafe.parser()
    doc = b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'
    from lxml import etree

    root = etree.fromstring(doc, p)
    assert root.text is None
    assert isinstance(root[0], etree._Entity)  # left unresolved
    assert b"root:" not in etree.tostring(root)


def test_malformed_truncated_and_wrong_encoding():
    with pytest.raises(Quarantined, match="malformed or truncated XML at line"):
        xmlsafe.parse(b"<?xml version='1.0'?><a><b></a>", "bad.xml")
    with pytest.raises(Quarantined, match="not valid UTF-8"):
        xmlsafe.parse("<?xml version='1.0' encoding='UTF-8'?><a>ä</a>".encode("latin-1"),
                      "latin.xml")
    with pytest.raises(Quarantined, match="empty file"):
        xmlsafe.parse(b"  \n", "empty.xml")


def test_harmless_doctype_without_entities_is_read():
    root = xmlsafe.parse(b"<!DOCTYPE a><a>x</a>", "ok.xml")
    assert root.text == "x"


@pytest.mark.parametrize(("head", "expected"), [
    (b"<?xml version='1.0'?><a/>", True),
    (b"\xef\xbb\xbf\n  <?xml version='1.0'?><a/>", True),
    ("\ufeff<a/>".encode("utf-16-le"), True),
    (b"  \r\n<ContractNotice/>", True),
    (b'{"eForm": "<?xml version=\'1.0\'?><ContractNotice/>"}', False),
    (b"\xef\xbb\xbf[1, 2]", False),
    (b"", False),
])
def test_looks_like_xml(head, expected):
    assert xmlsafe.looks_like_xml(head) is expected


@given(st.lists(st.sampled_from([b"<", b"!", b"?", b"a", b" "]), max_size=40).map(b"".join),
       st.integers(0, 45))
def test_has_pair_is_a_two_byte_search(data, start):
    for char in (b"!", b"?"):
        assert xmlsafe.has_pair(data, b"<", char, start) == (b"<" + char in data[start:])


# -- the refusal is the parser's: no byte pattern gets around it --------------

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "raw" / "samples"
_EFORMS = SAMPLES / "ted-eforms" / "2023-OJS165-00522031.xml"
_LEGACY = next(iter(sorted((SAMPLES / "ted-legacy").glob("*.xml"))))

#: Document type declarations that try to get around a byte scan.
PAYLOADS = {
    "bracket in comment": b'<!DOCTYPE r [<!-- ] --><!ENTITY e "x">]>',
    "bracket in attlist": b'<!DOCTYPE r [<!ATTLIST r a CDATA "]"><!ENTITY e SYSTEM '
                          b'"file:///etc/passwd">]>',
    "parameter entity": b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">]>',
    "external public": b'<!DOCTYPE r PUBLIC "-//X//Y" "http://127.0.0.1:9/y.dtd">',
    "after 64 KiB of prolog": b"<!--" + b"x" * 70_000 + b'--><!DOCTYPE r [<!ENTITY e "x">]>',
    "laughs": b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
}


def _encode(doc: bytes, encoding: str) -> bytes:
    text = doc.decode("utf-8")
    text = re.sub(r'encoding="[^"]+"', f'encoding="{encoding}"', text, count=1)
    if encoding.startswith("UTF-16") or encoding.startswith("UTF-32"):
        codec = {"UTF-16": "utf-16", "UTF-16LE": "utf-16-le", "UTF-16BE": "utf-16-be",
                 "UTF-32": "utf-32"}[encoding]
        bom = "" if codec in ("utf-16", "utf-32") else "\ufeff"
        return (bom + text).encode(codec)
    return text.encode(encoding, "xmlcharrefreplace")


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "UTF-16BE", "UTF-32", "ISO-8859-1",
                                      "windows-1252", "US-ASCII"])
@pytest.mark.parametrize("payload", list(PAYLOADS))
@pytest.mark.parametrize("sample", [_EFORMS, _LEGACY], ids=["eforms", "legacy"])
def test_entity_and_dtd_payloads_are_refused_in_every_encoding(sample, payload, encoding):
    doc = sample.read_bytes()
    cut = doc.index(b"?>") + 2
    data = _encode(doc[:cut] + PAYLOADS[payload] + doc[cut:], encoding)
    res = parse_input(Input(f"{payload}.xml", data=data))
    assert res.records_accepted == 0 and res.records_in == 1
    (q,) = res.quarantine
    assert q.field == "DOCTYPE" and "entities and external DTDs are never read" in q.reason


@pytest.mark.parametrize("encoding", ["UTF-16", "UTF-16BE", "UTF-32"])
@pytest.mark.parametrize("sample", [_EFORMS, _LEGACY], ids=["eforms", "legacy"])
def test_valid_unicode_notices_with_a_byte_order_mark_are_read(sample, encoding):
    plain = parse_input(Input("u8.xml", data=sample.read_bytes()))
    wide = parse_input(Input("u16.xml", data=_encode(sample.read_bytes(), encoding)))
    assert wide.records_accepted == plain.records_accepted == 1
    assert wide.rows["notices"][0]["notice_id"] == plain.rows["notices"][0]["notice_id"]
    assert wide.rows["notices"][0].get("title") == plain.rows["notices"][0].get("title")


def test_encoding_that_does_not_match_the_bytes_is_refused():
    doc = _EFORMS.read_bytes().replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1)
    res = parse_input(Input("mojibake.xml", data=doc))
    (q,) = res.quarantine
    assert q.field == "encoding" and "bytes are UTF-8" in q.reason
    latin = _encode(_EFORMS.read_bytes(), "ISO-8859-1")  # truly Latin-1: read
    assert parse_input(Input("latin.xml", data=latin)).records_accepted == 1
    # declares UTF-8, starts with a UTF-16 byte-order mark
    wrong_bom = ("\ufeff" + _EFORMS.read_text(encoding="utf-8")).encode("utf-16-le")
    (q,) = parse_input(Input("bom.xml", data=wrong_bom)).quarantine
    assert q.field == "encoding"
