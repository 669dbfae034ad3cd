"""Checks that a fetched body is a complete notice before it is stored.

A body is stored only when the answer was HTTP 200, the body is not empty,
and it parses with the project's hardened XML parser
(:func:`keino_metrics.readers.xmlsafe.parse`: no entities, no DTD, no
network) into an eForms or TED notice. The stored bytes are the bytes
received; nothing is re-encoded.
"""

from __future__ import annotations

from keino_metrics.fetch.http import Response
from keino_metrics.readers import xmlsafe
from keino_metrics.readers.base import Quarantined

__all__ = ["NOTICE_ROOTS", "BodyRejected", "check_response", "check_notice_xml"]

#: Root elements of notices: the eForms UBL documents and the TED export.
NOTICE_ROOTS = frozenset({"ContractNotice", "ContractAwardNotice", "PriorInformationNotice",
                          "BusinessRegistrationInformationNotice", "TED_EXPORT"})


class BodyRejected(ValueError):
    """A body that must not be stored, with the reason."""


def check_response(r: Response) -> bytes:
    """The body of ``r`` when it is a 200 with content, else :class:`BodyRejected`."""
    if r.status != 200:
        raise BodyRejected(f"HTTP {r.status} (not stored)")
    if not r.content.strip():
        raise BodyRejected("empty body (not stored)")
    return r.content


def check_notice_xml(data: bytes, label: str) -> str:
    """Check that ``data`` is one well-formed, safe notice; returns its root name.

    Raises
    ------
    BodyRejected
        When the bytes are empty, malformed or truncated XML, declare
        entities or a DTD, or are not a notice.
    """
    try:
        root = xmlsafe.parse(data, label)
    except Quarantined as q:
        raise BodyRejected(q.reason) from None
    name = root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else ""
    if name not in NOTICE_ROOTS:
        raise BodyRejected(f"XML root <{name}> is not a notice")
    return name
