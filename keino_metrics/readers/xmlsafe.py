"""Safe XML parsing for untrusted notice files.

Notices come from the internet, so parsing must never resolve external
entities, never read a local file or the network through a document and never
expand entities without bound. lxml is configured with
``resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False``,
and, as defusedxml does, any document type declaration that declares an
entity (or refers to an external DTD) is refused before parsing, so neither
XXE (``file://``, ``http://``) nor "billion laughs" payloads get a chance.
The check is written here rather than taken from defusedxml because
defusedxml's lxml support is deprecated and the project parses with lxml.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from keino_metrics.readers.base import ParseResult, Quarantined

__all__ = ["parse", "parser", "looks_like_xml", "DOCTYPE_RISK"]

#: A DOCTYPE that declares entities or pulls in an external DTD.
DOCTYPE_RISK = re.compile(rb"<!DOCTYPE[^>\[]*(\[[^\]]*<!ENTITY|SYSTEM|PUBLIC)", re.I | re.S)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
#: A DOCTYPE can only stand in the prolog; the first 64 KiB are scanned for
#: one. Beyond that the parser's own settings (no entity resolution, no DTD
#: loading, libxml2's expansion limits) still hold.
PROLOG_SCAN = 64 * 1024


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def looks_like_xml(head: bytes) -> bool:
    """Whether ``head`` starts as an XML document does.

    After an optional byte-order mark and white space the first character
    must be ``<`` (an XML declaration, a comment or the root element), so
    that, for example, a JSON file that embeds a notice as a string is not
    taken for the notice itself.

    Parameters
    ----------
    head : bytes
        The first bytes of a file.

    Returns
    -------
    bool
    """
    for bom in _BOMS:
        if head.startswith(bom):
            if bom != _BOMS[0]:  # UTF-16: '<' is two bytes
                body = head[len(bom):].decode("utf-16-le" if bom == b"\xff\xfe"
                                                else "utf-16-be", errors="ignore")
                return body.lstrip(" \t\r\n").startswith("<")
            head = head[len(bom):]
            break
    return head.lstrip(b" \t\r\n").startswith(b"<")


def parser() -> etree.XMLParser:
    """A new hardened lxml parser."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, dtd_validation=False)


_local = threading.local()


def _thread_parser() -> etree.XMLParser:
    # parsers are not thread-safe: one per thread, reused across documents
    p = getattr(_local, "parser", None)
    if p is None:
        p = _local.parser = parser()
    return p


def _decode_problem(data: bytes) -> str | None:
    head = data[:200].lstrip()
    m = re.match(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", head)
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    if declared.replace("_", "-") in ("utf-8", "utf8"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return (f"bytes at offset {exc.start} are not valid UTF-8 although the file "
                    "declares UTF-8 (wrong encoding?)")
    return None


def parse(data: bytes, source_file: str) -> etree._Element:
    """Parse ``data`` into an element tree or raise :class:`Quarantined`.

    Parameters
    ----------
    data : bytes
        The whole file.
    source_file : str
        Path (or ``archive!member``) used in messages.

    Raises
    ------
    Quarantined
        For an empty file, a risky DOCTYPE, bytes that do not match the
        declared encoding, or malformed/truncated XML (with line and column).
    """
    if not data or (data[:64].isspace() and data.isspace()):  # no copy of the file
        raise Quarantined(source_file, "file", None, "empty file")
    head = data[:PROLOG_SCAN]
    if b"<!" in head and _DOCTYPE.search(head) and DOCTYPE_RISK.search(head):
        raise Quarantined(source_file, "file", "DOCTYPE",
                          "document type declaration with entities or an external DTD "
                          "refused (XXE / entity-expansion protection)")
    try:
        root = etree.fromstring(data, _thread_parser())
    except etree.XMLSyntaxError as exc:
        problem = _decode_problem(data)
        if problem:
            raise Quarantined(source_file, "file", "encoding", problem) from None
        line, col = exc.position if exc.position else (0, 0)
        raise Quarantined(source_file, "file", None,
                          f"malformed or truncated XML at line {line}, column {col}: "
                          f"{exc.msg}") from None
    return root


def read_notice(data: bytes, source_file: str, fmt: str, extract) -> ParseResult:
    """Parse one XML notice safely and turn it into canonical rows.

    ``extract(root, source_file)`` returns ``{table: [row, ...]}`` or raises
    :class:`~keino_metrics.readers.base.Quarantined`; the notice is then the
    one record of the file, accepted or quarantined.
    """
    res = ParseResult(source_file=source_file, format=fmt, unit="notice", records_in=1)
    try:
        tables = extract(parse(data, source_file), source_file)
    except Quarantined as q:
        res.quarantine.append(q)
        return res
    for table, rows in tables.items():
        for row in rows:
            res.add(table, row)
    res.records_accepted = 1
    return res
