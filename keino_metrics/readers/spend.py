"""Purchase-invoice data (ostolaskut) into the canonical ``spend`` table.

Two published layouts are read, as CSV (tab, semicolon or comma separated;
UTF-8 or Windows-1252; decimal comma or point) or as an Excel workbook
(``.xlsx``, first worksheet):

``spend-treasury``
    The State Treasury's yearly files behind tutkihankintoja.fi
    (``th_data_YYYY.csv``, CC BY 4.0): ``lasku_id, tili, tiliointisumma,
    tositepvm, toimittaja_y_tunnus, toimittaja_nimi, hankintayksikko_tunnus,
    hankintayksikko, ylaorganisaatio_tunnus, ylaorganisaatio, sektori,
    tuote_palveluryhma, hankintakategoria`` and, in newer files,
    ``toimittaja_kunta``. Recognised by ``tiliointisumma`` or by ``lasku_id``
    with ``hankintayksikko``.
``spend-municipal``
    Municipal purchase invoices in the layout the six largest cities and the
    Association of Finnish Municipalities recommend ("Kuntien ostolaskujen
    avaamisohje", 2015) and its variants in published files: ``Kuntakoodi``,
    ``Kunnan nimi``, ``Ostajan Y-tunnus`` (or ``Kunnan y-tunnus``,
    ``<Kunta> Y-tunnus``), ``Tositteen numero``, ``Tositepäivämäärä`` or
    ``Kirjauspäivämäärä``, ``Tilin numero``, ``Tilin nimi``, ``Toimittajan
    nimi``, ``Toimittajan Y-tunnus``, ``Summa ALV0 euroina`` (else
    ``Kokonaissumma euroina``), ``Palveluluokka``. Recognised by a supplier
    business-id column together with an amount column.

Header names are matched after folding (case, spaces, hyphens, ``ä``/``ö``)
against the aliases in :data:`ALIASES`, so the header variants of different
years and publishers are one layout (Jyväskylä's ``Nettosumma``,
``Kirjauspvm``, ``Y-tunnus``; Paimio's ``Tositepvä``, ``Summa (alv 0%)``).
The header is the first of the first :data:`HEADER_ROWS` rows in a known
layout (workbooks may have title rows above it). Detection is by content (the
header line, or for a workbook the zip's ``xl/`` parts), never by file name.
A municipality's own file often names no buyer: its rows are kept with a null
``buyer_id`` and one field-level issue for the file
(:func:`keino_metrics.spend.set_buyer` sets it). A file without a date column
is quarantined whole: its rows cannot be placed in time.

Each data row is one record (unit ``invoice row``). A row is quarantined, with
file, row and column, when its amount or date cannot be read or it names no
buyer; values that are odd but usable are kept with a field-level issue (a
supplier id that is not a valid business id is kept as published). Rows in =
accepted + quarantined.

Hand-written: the layouts are Finnish and not known to any library; ``csv``
and ``openpyxl`` do the parsing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator
from functools import lru_cache

from keino_metrics.readers.base import ParseResult, Quarantined
from keino_metrics.spend.ids import normalise_business_id

__all__ = ["FORMAT", "ALIASES", "sniff", "parse", "fold", "parse_amount", "parse_date"]

FORMAT = "spend"
UNIT = "invoice row"

#: Canonical field -> folded header names that hold it, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "invoice_id": ("lasku_id", "tositteen_numero", "tositenumero", "tosite_numero",
                   "laskun_numero", "tositenro", "tapahtumanumero"),
    "buyer_id": ("hankintayksikko_tunnus", "ostajan_y_tunnus", "kunnan_y_tunnus",
                 "organisaation_y_tunnus"),
    "buyer_name": ("hankintayksikko", "kunnan_nimi", "kunnan_tai_kuntayhtyman_nimi",
                   "organisaation_nimi", "organisaatio"),
    "parent_id": ("ylaorganisaatio_tunnus",),
    "parent_name": ("ylaorganisaatio",),
    "sector": ("sektori",),
    "supplier_id": ("toimittaja_y_tunnus", "toimittajan_y_tunnus", "toimittajan_ytunnus",
                    "y_tunnus", "ytunnus"),
    "supplier_name": ("toimittaja_nimi", "toimittajan_nimi", "toimittaja"),
    "posting_date": ("tositepvm", "tositepaivamaara", "kirjauspaivamaara", "kirjauspvm",
                     "kirjauspaiva", "tositepva", "tapaht_pvm", "tapahtpvm",
                     "laskun_paivamaara", "laskun_pvm", "tositepaiva"),
    "amount_net": ("summa_alv0_euroina", "summa_alv_0_euroina", "summa_alv0", "summa_alv_0",
                   "laskun_summa_ilman_alv", "nettosumma", "netto", "summa_euroa",
                   "summa_veroton", "summa"),
    "amount_gross": ("kokonaissumma_euroina", "kokonaissumma"),
    "amount_posting": ("tiliointisumma",),
    "account": ("tili", "tilin_numero", "kirjanpidon_tilinumero", "tilinumero", "tili_nro",
                "tilinro", "tilit"),
    "account_name": ("tilin_nimi",),
    "account_group": ("tiliryhman_nimi", "tiliryhma", "kirjanpidon_tiliryhmat"),
    "product_group": ("tuote_palveluryhma", "palveluluokka"),
    "category": ("hankintakategoria",),
    "municipality_code": ("kuntakoodi", "kuntanumero", "kuntanro"),
    "supplier_municipality": ("toimittaja_kunta",),
    "supplier_country": ("toimittajan_maakoodi",),
    "supplier_number": ("toimittaja_nro", "toimittajan_nro", "toimittajan_numero"),
    "contract_number": ("sopimusnumero",),
    "unit_name": ("tulosyksikon_nimi", "vastuualue", "toimielin", "tulosalue"),
}

#: Extra (non-canonical) columns written where the file has them.
EXTRAS = ("municipality_code", "supplier_municipality", "supplier_country", "supplier_number",
          "contract_number", "unit_name", "account_group")
#: Rows searched for the header (some workbooks have title rows above it).
HEADER_ROWS = 30

_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e"})
_ANY_AMOUNT = ("amount_posting", "amount_net", "amount_gross")


def fold(name: object) -> str:
    """A header name folded for matching: ``"Toimittajan Y-tunnus"`` -> ``toimittajan_y_tunnus``."""
    s = str(name or "").strip().lstrip("\ufeff").strip('"').casefold().translate(_FOLD)
    return re.sub(r"[^0-9a-z]+", "_", s).strip("_")


def _columns(header: list[str]) -> dict[str, int]:
    """Canonical field -> column index, by :data:`ALIASES` (first alias present wins)."""
    folded = [fold(h) for h in header]
    out: dict[str, int] = {}
    for fld, names in ALIASES.items():
        for name in names:
            if name in folded:
                out[fld] = folded.index(name)
                break
    if "buyer_id" not in out:
        # "Oulun kaupungin Y-tunnus": a business-id column that is not the supplier's
        for i, f in enumerate(folded):
            if (f.endswith("y_tunnus") and f not in ("y_tunnus", "ytunnus")
                    and not f.startswith("toimittaja")):
                out["buyer_id"] = i
                break
    return out


def _layout(cols: dict[str, int]) -> str | None:
    if "amount_posting" in cols or ("invoice_id" in cols and "buyer_name" in cols
                                    and "parent_name" in cols):
        return "spend-treasury" if any(a in cols for a in _ANY_AMOUNT) else None
    if (("supplier_id" in cols or "supplier_name" in cols)
            and any(a in cols for a in _ANY_AMOUNT) and "posting_date" in cols):
        return "spend-municipal"
    return None


def _near_miss(cols: dict[str, int]) -> bool:
    """A supplier and an amount but no date: purchase invoices this reader cannot date."""
    return (("supplier_id" in cols or "supplier_name" in cols)
            and any(a in cols for a in _ANY_AMOUNT))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(line: str) -> str:
    return max("\t;,", key=line.count)


def _is_workbook(head: bytes) -> bool:
    """A zip whose first 4 KB name workbook parts (Excel writes ``[Content_Types].xml``
    first, other writers ``docProps/`` and then ``xl/``)."""
    return head.startswith(b"PK\x03\x04") and (b"[Content_Types].xml" in head[:4096]
                                               or b"xl/" in head[:4096])


def sniff(head: bytes) -> bool:
    """Whether ``head`` starts purchase-invoice data in a known layout.

    A CSV file is recognised by a header line among its first lines (also one
    with a supplier and an amount but no date, so that :func:`parse` can say
    why it cannot be read); an ``.xlsx`` workbook by its zip structure (its
    header row is checked when it is parsed).
    """
    if _is_workbook(head):
        return True
    text = _decode(head).lstrip()
    if not text or text[0] in "<[{":
        return False
    lines = text.splitlines()[:HEADER_ROWS]
    sep = _delimiter(lines[0]) if lines else ","
    for header in csv.reader(lines[:-1] or lines, delimiter=sep):
        cols = _columns(header)
        if _layout(cols) is not None or _near_miss(cols):
            return True
    return False


# -- values -------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_amount(text: object) -> float | None:
    """A published amount as a float, or ``None`` when it is not a number.

    Accepts a decimal comma (``1 234,56``), a decimal point, thousands
    separators (space, no-break space, point or comma before a decimal mark
    of the other kind) and a trailing minus (``12,50-``).

    Examples
    --------
    >>> parse_amount("1 234,56"), parse_amount("-12.5"), parse_amount("1.234,5"), parse_amount("7,00-")
    (1234.56, -12.5, 1234.5, -7.0)
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text) if text == text else None
    if not isinstance(text, str):
        return None
    return _parse_amount_text(text)


@lru_cache(maxsize=1 << 16)
def _parse_amount_text(text: str) -> float | None:
    s = text.strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if s.endswith("-") and len(s) > 1:
        s = "-" + s[:-1]
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        if s.count(",") > 1:
            return None
        s = s.replace(",", ".")
    if not _NUMBER.match(s):
        return None
    return float(s)


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M")


def parse_date(value: object) -> dt.date | None:
    """A published date (``2021-03-31``, ``31.3.2021``, ``20210331``, Excel date)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    return _parse_date_text(value.strip())


@lru_cache(maxsize=1 << 14)
def _parse_date_text(s: str) -> dt.date | None:
    """A date written as text (dates repeat across rows, so results are cached)."""
    if len(s) == 10 and s[4] == "-" and s[7] == "-":
        try:
            d = dt.date.fromisoformat(s)
        except ValueError:
            return None
        return d if 1990 <= d.year <= 2100 else None
    for fmt in _DATE_FORMATS:
        try:
            d = dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
        return d if 1990 <= d.year <= 2100 else None
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s or None


# -- rows ---------------------------------------------------------------------

def _find_header(rows: Iterator[list], start: int) -> tuple[list[str], int, list[list]]:
    """The header row among the first :data:`HEADER_ROWS` rows: the first row in a
    known layout, else the first row. Returns it, its row number and the rows
    read before it was found (when none was, all of them)."""
    seen: list[list] = []
    for n, row in enumerate(rows, start=start):
        header = [_text(c) or "" for c in row]
        if _layout(_columns(header)) is not None or _near_miss(_columns(header)):
            return header, n, []
        seen.append(row)
        if len(seen) >= HEADER_ROWS:
            break
    first = [_text(c) or "" for c in seen[0]] if seen else []
    return first, start, seen[1:]


def _csv_table(data: bytes) -> tuple[list[str], int, Iterator[tuple[int, list]]]:
    text = _decode(data)
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    reader = csv.reader(io.StringIO(text.lstrip()), delimiter=_delimiter(first))
    header, at, _ = _find_header(reader, 1)
    if at == 1 and _layout(_columns(header)) is None:
        reader = csv.reader(io.StringIO(text.lstrip()), delimiter=_delimiter(first))
        next(reader, None)

    def rows() -> Iterator[tuple[int, list | Exception]]:
        i = at
        while True:
            i += 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # a broken record: reported, the rest is read
                yield i, exc
                continue
            if any(c.strip() for c in row):
                yield i, row
    return header, at, rows()


def _xlsx_table(data: bytes, source_file: str
                ) -> tuple[list[str], int, Iterator[tuple[int, list[object]]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise Quarantined(source_file, "file", None,
                          f"not a readable Excel workbook: {type(exc).__name__}: {exc}"
                          ) from None
    it = ws.iter_rows(values_only=True)
    header, at, _ = _find_header((list(r) for r in it), 1)
    if at == 1 and _layout(_columns(header)) is None:
        it = ws.iter_rows(values_only=True)
        next(it, None)

    def rows() -> Iterator[tuple[int, list[object]]]:
        for i, row in enumerate(it, start=at + 1):
            if any(_text(c) for c in row):
                yield i, list(row)
        wb.close()
    return header, at, rows()


def _buyer_hash(name: str) -> str:
    return "h-" + hashlib.sha256(name.casefold().encode("utf-8")).hexdigest()[:12]


def parse(data: bytes, source_file: str) -> ParseResult:
    """Read one purchase-invoice file (CSV or ``.xlsx``) into ``spend`` rows."""
    res = ParseResult(source_file, FORMAT, UNIT, bytes_in=len(data), bytes_parsed=len(data))
    workbook = _is_workbook(data[:4096])
    try:
        header, at, rows = _xlsx_table(data, source_file) if workbook else _csv_table(data)
    except Quarantined:
        raise
    except Exception as exc:  # a header that cannot be read: the file is quarantined
        raise Quarantined(source_file, "file", "header",
                          f"cannot read the header: {type(exc).__name__}: {exc}") from None
    cols = _columns(header)
    layout = _layout(cols)
    if layout is None and _near_miss(cols):
        raise Quarantined(source_file, "file", "header",
                          f"purchase invoices without a date column (header row {at}: "
                          f"{', '.join(map(str, header[:10]))}); rows cannot be dated")
    if layout is None:
        raise Quarantined(source_file, "file", "header",
                          "no purchase-invoice header (State Treasury or municipal layout) "
                          f"in the first {HEADER_ROWS} rows: {', '.join(map(str, header[:8]))}")
    if "buyer_id" not in cols and "buyer_name" not in cols:
        res.note("file", "buyer", None, "nulled",
                 "the file names no buyer (a publisher's own purchases); buyer_id is null "
                 "until set with keino_metrics.spend.set_buyer")
    amount_col = next(a for a in _ANY_AMOUNT if a in cols)
    basis = amount_col.removeprefix("amount_")
    batch: list[tuple[int, list | Exception]] = []
    try:
        for item in rows:
            res.records_in += 1
            batch.append(item)
            if len(batch) >= BATCH:
                _take_batch(res, batch, header, cols, amount_col, not workbook, basis, layout)
                batch = []
    except Exception as exc:  # a damaged worksheet: what was read is kept
        res.records_in += 1
        res.quarantine.append(Quarantined(
            source_file, f"row {res.records_in + at}", None,
            f"the rest of the file cannot be read: {type(exc).__name__}: {exc}"))
    _take_batch(res, batch, header, cols, amount_col, not workbook, basis, layout)
    return res


#: Rows converted together (each distinct value is converted once per batch).
BATCH = 50_000


def _convert(values: list, fn) -> list:
    """``fn`` of every value, computed once per distinct value."""
    memo: dict = {}
    out = []
    for v in values:
        try:
            out.append(memo[v])
        except KeyError:
            out.append(memo.setdefault(v, fn(v)))
        except TypeError:  # an unhashable cell
            out.append(fn(v))
    return out


def _take_batch(res: ParseResult, batch: list[tuple[int, list | Exception]],
                header: list[str], cols: dict[str, int], amount_col: str, strict: bool,
                basis: str, layout: str) -> None:
    """Add a batch of rows to ``res``, each accepted or quarantined.

    A row is quarantined (first failing check names the column) when its
    number of fields does not match the header (``strict``: also fewer fields,
    as in CSV, where it means a broken line; a worksheet row may end early),
    its amount is not a number, its date is not a date, or the file has buyer
    columns and both are empty. A supplier id that is not a valid Finnish
    business id is kept as published with a field-level issue.
    """
    src = res.source_file
    width = len(header)
    lines: list[int] = []
    rows: list[list] = []
    for line, row in batch:
        if isinstance(row, Exception):
            res.quarantine.append(Quarantined(src, f"row {line}", None,
                                              f"unreadable CSV record: {row}"))
            continue
        while len(row) > width and _text(row[-1]) is None:
            row = row[:-1]  # empty cells after the last column
        if len(row) > width or (strict and len(row) < width):
            res.quarantine.append(Quarantined(
                src, f"row {line}", None, f"{len(row)} fields where the header has {width}"))
            continue
        if len(row) < width:
            row = [*row, *([None] * (width - len(row)))]
        lines.append(line)
        rows.append(row)
    if not rows:
        return

    def column(fld: str, fn=_text) -> list:
        i = cols.get(fld)
        return [None] * len(rows) if i is None else _convert([r[i] for r in rows], fn)

    raw_amount = [r[cols[amount_col]] for r in rows]
    amount = _convert(raw_amount, parse_amount)
    has_date = "posting_date" in cols
    raw_date = [r[cols["posting_date"]] for r in rows] if has_date else [None] * len(rows)
    date = _convert(raw_date, parse_date) if has_date else [None] * len(rows)
    buyer_name = column("buyer_name")
    raw_buyer = column("buyer_id")
    has_buyer = "buyer_id" in cols or "buyer_name" in cols
    raw_supplier = column("supplier_id")
    supplier = _convert(raw_supplier, normalise_business_id)
    buyer_norm = _convert(raw_buyer, normalise_business_id)
    texts = {f: column(f) for f in ("invoice_id", "parent_id", "parent_name", "sector",
                                    "supplier_name", "account", "account_name",
                                    "product_group", "category")}
    extras = {f: column(f) for f in EXTRAS if f in cols}
    amount_name = header[cols[amount_col]]
    date_name = header[cols["posting_date"]] if has_date else "posting date"
    supplier_name = header[cols["supplier_id"]] if "supplier_id" in cols else None
    for k, line in enumerate(lines):
        record = f"row {line}"
        if amount[k] is None:
            res.quarantine.append(Quarantined(src, record, amount_name,
                                              f"amount {raw_amount[k]!r} is not a number"))
            continue
        if date[k] is None:
            res.quarantine.append(Quarantined(src, record, date_name,
                                              f"date {raw_date[k]!r} is not a date"))
            continue
        if has_buyer and raw_buyer[k] is None and buyer_name[k] is None:
            res.quarantine.append(Quarantined(src, record, "buyer",
                                              "neither a buyer id nor a buyer name"))
            continue
        if raw_buyer[k] is not None:
            buyer_id = buyer_norm[k] or raw_buyer[k]
        elif buyer_name[k] is not None:
            buyer_id = _buyer_hash(buyer_name[k])
        else:
            buyer_id = None  # the file names no buyer (noted once per file)
        supplier_id = supplier[k]
        raw = raw_supplier[k]
        if raw is not None and supplier_id is None:
            supplier_id = raw
            res.note(record, supplier_name, raw, "kept_raw",
                     "not a Finnish business id with a valid check digit")
        elif raw is not None and supplier_id != raw:
            res.note(record, supplier_name, raw, "normalised",
                     f"business id written as {supplier_id}")
        out = {"invoice_id": texts["invoice_id"][k], "buyer_id": buyer_id,
               "buyer_name": buyer_name[k], "parent_id": texts["parent_id"][k],
               "parent_name": texts["parent_name"][k], "sector": texts["sector"][k],
               "supplier_id": supplier_id, "supplier_name": texts["supplier_name"][k],
               "posting_date": date[k], "amount_eur": amount[k],
               "account": texts["account"][k], "account_name": texts["account_name"][k],
               "product_group": texts["product_group"][k], "category": texts["category"][k]}
        for f, vals in extras.items():
            out[f] = vals[k]
        out.update(source_file=src, record=record, amount_basis=basis, source=layout)
        res.add("spend", out)
        res.records_accepted += 1
