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

:func:`read_notice` lets a reader parse only the parts of a file it reads (the
legacy TED reader skips the translations, see
:func:`keino_metrics.readers.ted_legacy.original_only`): the checks above run
on the whole file first, the part is parsed with the same parser, and when the
part does not parse the whole file is parsed, so that defects are reported
with the file's own line and column.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from lxml import etree

from keino_metrics.readers.base import ParseResult, Quarantined

__all__ = ["parse", "parser", "read_notice", "looks_like_xml", "has_pair",
           "DOCTYPE_RISK"]

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


def has_pair(data: bytes, before: bytes, char: bytes, start: int = 0) -> bool:
    """Whether ``before + char`` (two single bytes) occurs in ``data`` from ``start``.

    ``char`` is looked for with ``bytes.find`` of one byte (memchr), which is
    many times faster than searching for two bytes when ``before`` (such as
    ``<`` in XML) is frequent and ``char`` (``!``, ``?``) is rare; the result
    is that of ``before + char in data[start:]``.
    """
    i = data.find(char, start)
    while i >= 0:
        if i > start and data[i - 1] == before[0]:
            return True
        i = data.find(char, i + 1)
    return False


def _check_prolog(data: bytes, source_file: str) -> None:
    if not data or (data[:64].isspace() and data.isspace()):  # no copy of the file
        raise Quarantined(source_file, "file", None, "empty file")
    head = data[:PROLOG_SCAN]
    if has_pair(head, b"<", b"!") and _DOCTYPE.search(head) and DOCTYPE_RISK.search(head):
        raise Quarantined(source_file, "file", "DOCTYPE",
                          "document type declaration with entities or an external DTD "
                          "refused (XXE / entity-expansion protection)")


def _parse_whole(data: bytes, source_file: str) -> etree._Element:
    try:
        return etree.fromstring(data, _thread_parser())
    except etree.XMLSyntaxError as exc:
        problem = _decode_problem(data)
        if problem:
            raise Quarantined(source_file, "file", "encoding", problem) from None
        line, col = exc.position if exc.position else (0, 0)
        raise Quarantined(source_file, "file", None,
                          f"malformed or truncated XML at line {line}, column {col}: "
                          f"{exc.msg}") from None


def parse(data: bytes, source_file: str) -> etree._Element:
    """Parse ``data`` into an element tree or raise :class:`Quarantined`.

    Parameters
    ----------
    data : bytes
        The whole file.
    source_file : str
        Path (or ``archive!member``) used in messages.

    Returns
    -------
    lxml.etree._Element
        The root element.

    Raises
    ------
    Quarantined
        For an empty file, a risky DOCTYPE, bytes that do not match the
        declared encoding, or malformed/truncated XML (with line and column).
    """
    _check_prolog(data, source_file)
    return _parse_whole(data, source_file)


def _parse_selected(data: bytes, source_file: str, select, res: ParseResult
                    ) -> etree._Element:
    """Parse the part of ``data`` that ``select`` picks, else the whole file.

    The empty-file and DOCTYPE checks of :func:`parse` run first, on the
    whole file. Then ``select(data)`` may return a smaller well-formed
    document made of the parts of the file that are read (see
    :func:`keino_metrics.readers.ted_legacy.original_only`); it is parsed with
    the same hardened parser. When ``select`` returns ``None`` or its document
    does not parse, the whole file is parsed as by :func:`parse`, so that a
    defect is reported with the file's own line and column. The bytes given
    to the parser are added to ``res.bytes_parsed`` as they go, so that they
    are counted when the file is quarantined too.
    """
    _check_prolog(data, source_file)
    part = select(data) if select is not None else None
    if part is not None:
        res.bytes_parsed += len(part)
        try:
            return etree.fromstring(part, _thread_parser())
        except etree.XMLSyntaxError:
            pass
    res.bytes_parsed += len(data)
    return _parse_whole(data, source_file)


def read_notice(data: bytes, source_file: str, fmt: str, extract,
                select: Callable[[bytes], bytes | None] | None = None) -> ParseResult:
    """Parse one XML notice safely and turn it into canonical rows.

    ``extract(root, source_file)`` returns ``{table: [row, ...]}`` or raises
    :class:`~keino_metrics.readers.base.Quarantined`; the notice is then the
    one record of the file, accepted or quarantined. ``select`` (``bytes ->
    bytes | None``) may pick the part of the file to parse instead of the
    whole (see :func:`_parse_selected`).
    """
    res = ParseResult(source_file=source_file, format=fmt, unit="notice", records_in=1,
                      bytes_in=len(data))
    try:
        tables = extract(_parse_selected(data, source_file, select, res), source_file)
    except Quarantined as q:
        res.quarantine.append(q)
        return res
    res.rows = {table: rows for table, rows in tables.items() if rows}
    res.records_accepted = 1
    return res
