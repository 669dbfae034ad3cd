"""Safe XML parsing for untrusted notice files.

Notices come from the internet, so parsing must never resolve external
entities, never read a local file or the network through a document and never
expand entities without bound. lxml is configured with
``resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False``
(no resolver is ever consulted), and, as in defusedxml's threat model, a
document whose document type declaration declares an entity (general or
parameter) or names an external DTD is refused. The refusal is decided by the
parser, not by a scan of the bytes: after a successful parse the document's
``docinfo`` (external identifier, internal subset and its entity
declarations) is checked; when the parse fails (libxml2 stops entity
amplification such as "billion laughs" itself), the document is parsed again
up to its root element to tell a refused document type declaration from
malformed XML. So comments, ``ATTLIST`` defaults containing ``]``, a
declaration after a long prolog and every encoding libxml2 reads are judged
alike. defusedxml's lxml support is deprecated, so the check is written here
on lxml's own document information.

UTF-16 and UTF-32 documents with a byte-order mark are transcoded to UTF-8
before their format is detected (:func:`utf16_to_utf8`), so that detection and
the readers see the same bytes whatever the encoding; a declaration that
contradicts the byte-order mark is refused. A document that declares a
single-byte encoding (ISO 8859, Windows 125x) but whose bytes are UTF-8 is
refused rather than read as mojibake.

:func:`read_notice` lets a reader parse only the parts of a file it reads (the
legacy TED reader skips the translations, see
:func:`keino_metrics.readers.ted_legacy.original_only`): the part is parsed
with the same parser and the same checks, and when the part does not parse
the whole file is parsed, so that defects are reported with the file's own
line and column.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from lxml import etree

from keino_metrics.readers.base import ParseResult, Quarantined

__all__ = ["parse", "parser", "read_notice", "looks_like_xml", "has_pair", "utf16_to_utf8",
           "REFUSED_DTD"]

#: Reason given when a document type declaration is refused.
REFUSED_DTD = ("document type declaration refused: entities and external DTDs are never "
               "read (XXE / entity-expansion protection)")

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


def _dtd_problem(docinfo) -> str | None:
    """Why the document type declaration of ``docinfo`` is refused, if it is."""
    if docinfo.system_url or docinfo.public_id:
        ext = docinfo.system_url or docinfo.public_id
        return f"it names an external DTD ({ext[:100]!r})"
    dtd = docinfo.internalDTD
    if dtd is not None:
        names = [e.name for e in dtd.entities()]
        if names:
            return f"it declares entities ({', '.join(names[:5])})"
        if dtd.system_url or dtd.external_id:
            return "it names an external DTD"
    return None


_SINGLE_BYTE = re.compile(r"^(iso[-_]?8859[-_]?\d+|latin[-_]?\d|(windows|cp)[-_]?125\d|"
                          r"us-ascii|ascii)$", re.I)


def _check_document(root: etree._Element, data: bytes, source_file: str) -> None:
    """Refuse a risky document type declaration or a contradicted encoding."""
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        why = _dtd_problem(docinfo)
        if why:
            raise Quarantined(source_file, "file", "DOCTYPE", f"{REFUSED_DTD}: {why}")
    enc = docinfo.encoding or ""
    if _SINGLE_BYTE.match(enc) and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return
        raise Quarantined(source_file, "file", "encoding",
                          f"the file declares {enc} but its bytes are UTF-8 (read as {enc} "
                          "they would be garbled)")


class _Enough(Exception):
    """The root element was reached."""


class _DoctypeSeen:
    """lxml parser target: notes a document type declaration, stops at the root."""

    def __init__(self) -> None:
        self.declared = False
        self.root = False

    def doctype(self, name, pubid, system) -> None:
        self.declared = True

    def start(self, tag, attrib) -> None:
        self.root = True
        raise _Enough

    def end(self, tag) -> None:
        pass

    def data(self, data) -> None:
        pass

    def close(self) -> None:
        return None


def _refused_after_error(data: bytes) -> str | None:
    """For a document that failed to parse: why its DTD is refused, if it is.

    The parser is run again on the prolog. When it met a document type
    declaration and stopped inside it (libxml2 stops entity amplification),
    the declaration is refused; when it reached the root element, the
    declaration is judged by its entities and external identifier.
    """
    seen = _DoctypeSeen()
    try:
        etree.fromstring(data, etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
            target=seen))
    except Exception as exc:  # any stop of the probe is an answer
        if isinstance(exc, _Enough) or seen.root:
            pass
        elif seen.declared:
            msg = str(exc).split(", line")[0]
            return f"the parser stopped inside it ({msg[:160]})"
        else:
            return None
    if not seen.declared:
        return None
    pull = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True,
                               load_dtd=False, huge_tree=False)
    try:
        for i in range(0, len(data), 1 << 16):
            pull.feed(data[i:i + (1 << 16)])
            for _, el in pull.read_events():
                return _dtd_problem(el.getroottree().docinfo)
    except etree.XMLSyntaxError:
        return None
    return None


def _parse_whole(data: bytes, source_file: str) -> etree._Element:
    try:
        root = etree.fromstring(data, _thread_parser())
    except etree.XMLSyntaxError as exc:
        why = _refused_after_error(data)
        if why:
            raise Quarantined(source_file, "file", "DOCTYPE", f"{REFUSED_DTD}: {why}") from None
        problem = _decode_problem(data)
        if problem:
            raise Quarantined(source_file, "file", "encoding", problem) from None
        line, col = exc.position if exc.position else (0, 0)
        raise Quarantined(source_file, "file", None,
                          f"malformed or truncated XML at line {line}, column {col}: "
                          f"{exc.msg}") from None
    _check_document(root, data, source_file)
    return root


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
        For an empty file, a document type declaration with entities or an
        external DTD, bytes that do not match the declared encoding, or
        malformed/truncated XML (with line and column).
    """
    _check_prolog(data, source_file)
    return _parse_whole(data, source_file)


def _parse_selected(data: bytes, source_file: str, select, res: ParseResult
                    ) -> etree._Element:
    """Parse the part of ``data`` that ``select`` picks, else the whole file.

    The empty-file check of :func:`parse` runs first, on the whole file.
    Then ``select(data)`` may return a smaller well-formed document made of
    the parts of the file that are read (see
    :func:`keino_metrics.readers.ted_legacy.original_only`); it is parsed with
    the same hardened parser and checked as the whole would be. When
    ``select`` returns ``None`` or its document does not parse, the whole file
    is parsed as by :func:`parse`, so that a defect is reported with the
    file's own line and column. The bytes given to the parser are added to
    ``res.bytes_parsed`` as they go, so that they are counted when the file is
    quarantined too.
    """
    _check_prolog(data, source_file)
    part = select(data) if select is not None else None
    if part is not None:
        res.bytes_parsed += len(part)
        try:
            root = etree.fromstring(part, _thread_parser())
        except etree.XMLSyntaxError:
            pass
        else:
            _check_document(root, data, source_file)
            return root
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


_UNICODE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                 (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_DECLARED = re.compile(r"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")


def utf16_to_utf8(data: bytes, source_file: str) -> bytes:
    """An XML document in UTF-16 or UTF-32 with a byte-order mark, as UTF-8.

    Other bytes are returned unchanged. The declaration's ``encoding`` is
    rewritten to ``UTF-8``; nothing else changes, so lines and columns stay
    those of the file.

    Raises
    ------
    Quarantined
        When the bytes are not valid in the encoding of the byte-order mark,
        or the declaration names another encoding.
    """
    found = next(((bom, enc) for bom, enc in _UNICODE_BOMS if data.startswith(bom)), None)
    if found is None:
        return data
    bom, enc = found
    try:
        text = data[len(bom):].decode(enc)
    except UnicodeDecodeError as exc:
        raise Quarantined(source_file, "file", "encoding",
                          f"bytes at offset {exc.start + len(bom)} are not valid "
                          f"{enc.upper()[:6]} although the file starts with its byte-order "
                          "mark") from None
    if not text.lstrip(" \t\r\n").startswith("<"):
        return data  # not XML: left to the other readers
    m = _DECLARED.match(text)
    if m:
        declared = m.group(1).lower().replace("_", "-")
        family = enc[:6]  # utf-16 or utf-32
        if not declared.startswith(family) and declared not in ("ucs-2", "ucs-4"):
            raise Quarantined(source_file, "file", "encoding",
                              f"the file declares {m.group(1)} but starts with a "
                              f"{family.upper()} byte-order mark")
        text = text[:m.start(1)] + "UTF-8" + text[m.end(1):]
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise Quarantined(source_file, "file", "encoding",
                          "the text holds unpaired surrogates") from None
