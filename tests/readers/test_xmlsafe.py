"""Hostile XML never resolves entities, files or the network."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keino_metrics.readers import eforms, ted_legacy, xmlsafe
from keino_metrics.readers.base import Quarantined


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
