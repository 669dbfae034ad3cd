"""keino_metrics.fetch.verify: what may be stored as a notice."""

from __future__ import annotations

from pathlib import Path

import pytest

from keino_metrics.fetch.http import Response
from keino_metrics.fetch.verify import BodyRejected, check_notice_xml, check_response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_only_a_200_with_content_passes():
    assert check_response(Response("u", 200, {}, b"<x/>")) == b"<x/>"
    with pytest.raises(BodyRejected, match="HTTP 202"):
        check_response(Response("u", 202, {}, b""))
    with pytest.raises(BodyRejected, match="empty"):
        check_response(Response("u", 200, {}, b"  \n"))


def test_real_notices_pass(samples):
    roots = {check_notice_xml(n["xml"], "x") for n in samples.values()}
    assert {"TED_EXPORT", "ContractAwardNotice", "ContractNotice"} <= roots


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe_file.xml", "external_dtd.xml"])
def test_entities_and_dtds_are_refused(name):
    with pytest.raises(BodyRejected, match="refused"):
        check_notice_xml((FIXTURES / "malicious" / name).read_bytes(), name)


def test_truncated_and_foreign_xml_are_refused(samples):
    xml = next(iter(samples.values()))["xml"]
    with pytest.raises(BodyRejected, match="truncated"):
        check_notice_xml(xml[: len(xml) // 2], "half")
    with pytest.raises(BodyRejected, match="not a notice"):
        check_notice_xml(b"<html><body/></html>", "page")
