"""Which reader a file belongs to, decided by the file's structure.

A byte window is not enough: OCDS publishers put long ``extensions``,
``publisher`` and ``links`` blocks before ``releases`` or ``records``, and a
release's ``ocid`` may come after kilobytes of ``parties``. So the shape of
the document is read instead, without loading it:

* **XML** (after any byte-order mark, white space, XML declaration, comments
  and processing instructions): the root element, read with lxml's pull parser
  (``XMLPullParser``: no entities resolved, no DTD loaded, no network), fed in
  chunks (512 bytes, then doubling) until the root's start tag has been seen. ``TED_EXPORT`` is legacy TED
  XML; ``ContractNotice``, ``ContractAwardNotice`` or ``PriorInformationNotice``
  in a UBL namespace is eForms.
* **JSON** (an object or array after a byte-order mark and white space; JSON
  Lines included): the keys of the top-level object, and the keys of the first
  item of the first array (a top-level array, or the array under a top-level
  key), read with ijson's event stream, stopping as soon as they decide.
  ``ocid``, ``releases`` or ``records`` at the top is OCDS; a first item with
  ``ocid`` is OCDS, with ``noticeId`` or ``hilmaStatistics`` Hilma, with
  ``notice_id``, ``lot_number`` and ``lot_value_eur`` (or a top-level object
  with them) the TED CSV variant.
* **Anything else** is text: TED CSV when its header line says so
  (:func:`keino_metrics.readers.ted_csv.sniff`).

When the structure cannot be read at all (a document damaged before its first
key or its root element) the readers' own ``sniff`` of the first bytes is
asked, so that a damaged file still reaches the reader that explains the
damage.

ijson and lxml do the parsing; only the rules above are written here.
"""

from __future__ import annotations

import io
from types import ModuleType

__all__ = ["Shape", "shape_of", "format_of", "reader_for", "XML_FIRST", "XML_CHUNK"]

#: Bytes first fed to the XML pull parser while looking for the root; each
#: further feed doubles, up to :data:`XML_CHUNK`. The root usually stands in
#: the first kilobyte, and the parser parses all it is fed.
XML_FIRST = 512
#: Largest feed to the XML pull parser.
XML_CHUNK = 64 * 1024
#: Bytes of a UTF-16 JSON file transcoded to look at its structure.
_UTF16_HEAD = 4 * 1024 * 1024
_UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
_EFORMS_ROOTS = ("ContractNotice", "ContractAwardNotice", "PriorInformationNotice")
_HILMA_LIST_KEYS = ("notices", "value", "items")
_TED_CSV_KEYS = frozenset({"notice_id", "lot_number", "lot_value_eur"})
_HILMA_KEYS = frozenset({"noticeId", "hilmaStatistics"})
_HILMA_XML_KEYS = frozenset({"eForm", "eform", "eFormXml", "eformXml", "xml"})


class Shape:
    """What was read of a document's structure.

    Attributes
    ----------
    syntax : str
        ``xml``, ``json`` or ``text``.
    root : tuple of (str, str) or None
        Namespace and local name of an XML root element.
    top_keys : list of str
        Keys of a top-level JSON object, in order.
    array_key : str or None
        Top-level key of the first array whose first item was read (``""``
        for a top-level array).
    item_keys : list of str
        Keys of that first item.
    complete : bool
        Whether the structure was read without a syntax error.
    """

    def __init__(self, syntax: str):
        self.syntax = syntax
        self.root: tuple[str, str] | None = None
        self.top_keys: list[str] = []
        self.array_key: str | None = None
        self.item_keys: list[str] = []
        self.complete = True

    def __repr__(self) -> str:
        return (f"Shape({self.syntax!r}, root={self.root}, top_keys={self.top_keys}, "
                f"array_key={self.array_key!r}, item_keys={self.item_keys})")


def _strip(data: bytes) -> bytes:
    """``data`` without a UTF-8 byte-order mark and leading white space."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip(b" \t\r\n")


def _utf16(data: bytes) -> str | None:
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return enc
    return None


def _first_char(data: bytes) -> str:
    enc = _utf16(data)
    if enc is not None:
        head = data[2:2 + 4096].decode(enc, errors="ignore").lstrip(" \t\r\n")
        return head[:1]
    body = _strip(data[:4096])
    return body[:1].decode("latin-1")


def _xml_root(data: bytes, shape: Shape) -> None:
    from lxml import etree

    pull = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True,
                               load_dtd=False, huge_tree=False, dtd_validation=False)
    view = memoryview(data)
    start, size = 0, XML_FIRST
    try:
        while start < len(data):
            pull.feed(bytes(view[start:start + size]))
            for _event, el in pull.read_events():
                qname = etree.QName(el)
                shape.root = (qname.namespace or "", qname.localname)
                return
            start, size = start + size, min(size * 2, XML_CHUNK)
    except etree.XMLSyntaxError:
        shape.complete = False


#: Nesting depth at which detection stops reading a JSON document (the keys that
#: decide its format are at the first two levels).
MAX_DETECTION_DEPTH = 32


def _json_shape(data: bytes, shape: Shape) -> None:
    import ijson

    enc = _utf16(data)
    if enc is not None:
        data = data[2:2 + _UTF16_HEAD].decode(enc, errors="ignore").encode("utf-8")
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    top_is_array = None
    first_item_prefix: str | None = None
    depth = 0
    try:
        # small reads: a chunk of deep nesting costs the square of its depth to parse
        for prefix, event, value in ijson.parse(io.BytesIO(data), buf_size=2048,
                                                multiple_values=True):
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > MAX_DETECTION_DEPTH:
                    # the keys that decide stand at the first two levels; deeper
                    # nesting is left to the reader (its own nesting limit), and
                    # following it would cost time and memory with every level
                    shape.complete = False
                    return
            elif event in ("end_map", "end_array"):
                depth -= 1
            if top_is_array is None:
                top_is_array = event == "start_array"
                if top_is_array:
                    shape.array_key = ""
                    first_item_prefix = "item"
                continue
            if prefix == "" and event == "map_key":
                shape.top_keys.append(value)
                if _decided(shape):
                    return
            elif (first_item_prefix is None and event == "start_array"
                  and "." not in prefix and prefix in shape.top_keys):
                shape.array_key = prefix
                first_item_prefix = f"{prefix}.item"
            elif first_item_prefix is not None and event == "map_key" \
                    and prefix == first_item_prefix:
                shape.item_keys.append(value)
                if _decided(shape):
                    return
            elif first_item_prefix is not None and prefix == first_item_prefix \
                    and event == "end_map":
                if _decided(shape) or top_is_array:
                    return
                first_item_prefix = "-"  # first item read; go on with the top keys
            elif prefix == "" and event in ("end_map", "end_array"):
                return  # the first JSON value is complete (JSON Lines: its first line)
    except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError):
        shape.complete = False


def _decided(shape: Shape) -> bool:
    return _json_format(shape) is not None


def _json_format(shape: Shape) -> str | None:
    top = set(shape.top_keys)
    item = set(shape.item_keys)
    if "ocid" in top or "releases" in top or "records" in top:
        return "ocds"
    if "ocid" in item:
        return "ocds"
    if "hilmaStatistics" in top or ("noticeId" in top and top & _HILMA_XML_KEYS):
        return "hilma"
    if (shape.array_key == "" or shape.array_key in _HILMA_LIST_KEYS) and item & _HILMA_KEYS:
        return "hilma"
    if _TED_CSV_KEYS <= item or _TED_CSV_KEYS <= top:
        return "ted-csv"
    return None


def shape_of(data: bytes) -> Shape:
    """Read the structure of ``data`` (see the module docstring)."""
    first = _first_char(data)
    if first == "<":
        shape = Shape("xml")
        _xml_root(data, shape)
    elif first in ("{", "["):
        shape = Shape("json")
        _json_shape(data, shape)
    else:
        shape = Shape("text")
    return shape


def format_of(data: bytes) -> str | None:
    """The format name (``eforms``, ``ted-legacy``, ``hilma``, ``ocds``, ``ted-csv``,
    ``spend``) or ``None``."""
    mod = reader_for(data)
    return None if mod is None else mod.FORMAT


def _module(name: str) -> ModuleType:
    import importlib

    return importlib.import_module(f"keino_metrics.readers.{name}")


def reader_for(data: bytes) -> ModuleType | None:
    """The reader module for a whole file's bytes, or ``None`` when none fits.

    Parameters
    ----------
    data : bytes
        The file's content (or its first part: a document cut short is judged
        on what was read).

    Returns
    -------
    module or None
        One of the modules of :mod:`keino_metrics.readers.registry`.
    """
    shape = shape_of(data)
    name = None
    if shape.syntax == "xml" and shape.root is not None:
        ns, local = shape.root
        if local == "TED_EXPORT":
            name = "ted_legacy"
        elif local in _EFORMS_ROOTS and ns.startswith(_UBL_NS):
            name = "eforms"
    elif shape.syntax == "json":
        fmt = _json_format(shape)
        name = {"ted-csv": "ted_csv"}.get(fmt, fmt) if fmt else None
    if name is not None:
        return _module(name)
    if shape.syntax == "text" or not shape.complete or (shape.syntax == "xml"
                                                         and shape.root is None):
        return _sniffed(data[:65536], shape.syntax)
    return None


#: Formats that are neither XML nor JSON (CSV, spreadsheets): told apart by their
#: readers' ``sniff`` of the first bytes.
_TEXT_FORMATS = ("ted-csv", "spend")


def _sniffed(head: bytes, syntax: str) -> ModuleType | None:
    """The first reader whose ``sniff`` accepts ``head`` (damaged or textual input)."""
    from keino_metrics.readers import registry

    for mod in registry.modules():
        if syntax == "text" and mod.FORMAT not in _TEXT_FORMATS:
            continue
        try:
            if mod.sniff(head):
                return mod
        except Exception:  # a sniff that fails on odd bytes simply does not accept them
            continue
    return None
