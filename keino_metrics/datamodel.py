"""The canonical data model: table names, columns, types and meaning.

Every reader writes these tables, every indicator and model reads them, and
``docs/data-model.md`` documents them. The declaration below is the single
source: :func:`schema` builds a pandera schema from it, :func:`empty` builds an
empty, correctly typed frame, and :func:`conform` orders and types a frame that
a reader produced.

Column kinds
------------
``id``/``str``/``code``
    Text (pandas ``str`` dtype). ``code`` columns hold an eForms code-list
    value; the list is named in :attr:`Column.codelist`.
``codes``
    A list of codes (multi-valued eForms fields such as BT-06 or BT-774),
    stored as a Python list per cell, as ``list<string>`` in Parquet.
``date``
    A calendar date as ``datetime64``.
``float``/``int``/``bool``
    Numbers and flags; all nullable (``Float64`` uses NaN, ``Int64`` and
    ``boolean`` use ``<NA>``), because notices often leave a field out and the
    difference between "no" and "not reported" matters for coverage.

Money is always in euros in the ``*_eur`` columns; the amount as published and
its ISO 4217 currency are kept beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Kind = Literal["id", "str", "code", "codes", "date", "float", "int", "bool"]

__all__ = [
    "Column",
    "TABLES",
    "TABLE_NAMES",
    "OPTIONAL_TABLES",
    "HILMA_QUESTIONS",
    "NOTICE_TYPES",
    "columns",
    "empty",
    "conform",
    "schema",
]


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name : str
        Column name, exactly as it appears in every frame and Parquet file.
    kind : str
        One of ``id``, ``str``, ``code``, ``codes``, ``date``, ``float``,
        ``int``, ``bool`` (see the module docstring).
    description : str
        What the column holds and which eForms business term (BT) feeds it.
    required : bool
        Whether a value must be present (not null) for a row to be accepted.
    codelist : str or None
        The eForms code list (file stem in ``keino_metrics/data/codelists``)
        that constrains the values, if any.
    ge : float or None
        Lower bound for numeric columns.
    """

    name: str
    kind: Kind
    description: str
    required: bool = False
    codelist: str | None = None
    ge: float | None = None


C = Column

#: Notice types used in ``notices.notice_type``.
NOTICE_TYPES: tuple[str, ...] = (
    "pin",  # prior information notice (market consultation, BT-02 pin-*)
    "cn",  # contract notice (call for competition)
    "can",  # contract award notice (result)
    "veat",  # voluntary ex-ante transparency notice
    "modification",  # contract modification notice
    "corrigendum",  # change notice
    "other",
)

#: Hilma's national statistics questions: canonical column -> Hilma API key.
HILMA_QUESTIONS: dict[str, str] = {
    "innovation_considered": "innovationConsidered",
    "solution_new_to_buyer": "solutionNewToBuyer",
    "solution_new_to_market": "solutionNewToMarketOrIndustry",
    "energy_efficiency": "energyEfficiencyConsidered",
    "low_carbon": "lowCarbon",
    "circular_economy": "circularEconomy",
    "biodiversity": "biodiversity",
    "sustainable_food": "sustainableFoodProduction",
    "listed_green_criteria_used": "listedGreenCriteriaUsed",
    "fair_working_conditions": "justWorkingConditions",
    "employment_condition": "employmentCondition",
    "code_of_conduct": "codeOfConduct",
    "sme_participation_considered": "smeParticipationConsidered",
    "end_user_involved": "endUserInvolved",
}

_HILMA_TEXT: dict[str, str] = {
    "innovation_considered": "Need and opportunities for innovation were considered in preparation",
    "solution_new_to_buyer": "The solution (or part of it) is new to the buyer",
    "solution_new_to_market": "The solution (or part of it) is new to the market or industry",
    "energy_efficiency": "Energy efficiency is taken into account",
    "low_carbon": "The procurement promotes low carbon emissions",
    "circular_economy": "The procurement promotes the circular economy",
    "biodiversity": "The procurement promotes biodiversity",
    "sustainable_food": "The procurement promotes a sustainable food system",
    "listed_green_criteria_used": "Motiva, ecolabel or EU GPP criteria are used",
    "fair_working_conditions": "The procurement promotes fair working conditions",
    "employment_condition": "Employment condition for people with partial work capacity",
    "code_of_conduct": "A supplier code of conduct is used",
    "sme_participation_considered": "SME participation was enabled",
    "end_user_involved": "Service users were involved in preparation",
}

TABLES: dict[str, tuple[Column, ...]] = {
    "buyers": (
        C("buyer_id", "id", "Stable buyer identifier (national registration number where known, "
          "else an id derived from the source, OPT-200/BT-501).", required=True),
        C("name", "str", "Official name of the buyer (BT-500).", required=True),
        C("legal_type", "code", "Buyer legal type (BT-11).", codelist="buyer-legal-type"),
        C("country", "str", "ISO 3166-1 alpha-2 country of the buyer (BT-514)."),
        C("nuts3", "str", "NUTS 3 code of the buyer's address (BT-507), as published."),
        C("municipality_code", "str", "Statistics Finland municipality code (3 digits), "
          "where the buyer is Finnish and the municipality is known."),
        C("region_code", "str", "Finnish region (maakunta) code, 2 digits, derived from the "
          "municipality or from NUTS 3 (2021 or 2024)."),
    ),
    "notices": (
        C("notice_id", "id", "Notice identifier (TED publication number or Hilma id, BT-701).",
          required=True),
        C("procedure_id", "id", "Procedure identifier (BT-04); links the notices of one "
          "procedure.", required=True),
        C("notice_type", "code", "One of " + ", ".join(NOTICE_TYPES) + ".", required=True),
        C("publication_date", "date", "Publication date (or dispatch date BT-05 when the "
          "publication date is not in the file).", required=True),
        C("buyer_id", "id", "Lead buyer (key into ``buyers``).", required=True),
        C("procedure_type", "code", "Procurement procedure type (BT-105).",
          codelist="procurement-procedure-type"),
        C("source", "str", "Source format: eforms, ted-legacy, ted-csv, hilma, ocds, demo.",
          required=True),
        C("source_file", "str", "File the notice was read from (path as given, or "
          "archive!member).", required=True),
    ),
    "lots": (
        C("notice_id", "id", "Notice the lot belongs to.", required=True),
        C("lot_id", "id", "Lot identifier within the notice (BT-137, ``LOT-0001``).",
          required=True),
        C("contract_nature", "code", "works, supplies or services (BT-23).",
          codelist="contract-nature"),
        C("cpv_main", "str", "Main CPV code, 8 digits without check digit (BT-262)."),
        C("nuts3", "str", "Place of performance NUTS 3 code (BT-5071), as published."),
        C("estimated_value_eur", "float", "Estimated value in euros (BT-27).", ge=0),
        C("estimated_value", "float", "Estimated value as published, in its currency.", ge=0),
        C("estimated_value_currency", "str", "ISO 4217 currency of the published estimate."),
        C("strategic_procurement", "codes", "Aims of strategic procurement (BT-06).",
          codelist="strategic-procurement"),
        C("green_procurement", "codes", "Approaches to reducing environmental impacts "
          "(BT-774).", codelist="environmental-impact"),
        C("social_objective", "codes", "Social objectives promoted (BT-775).",
          codelist="social-objective"),
        C("innovation", "codes", "Procurement of innovation (BT-776).",
          codelist="innovative-acquisition"),
        C("gpp_criteria", "codes", "Green public procurement criteria used (BT-805).",
          codelist="gpp-criteria"),
        C("price_only_award", "bool", "True when price is the only award criterion (BT-539)."),
        C("sme_suitable", "bool", "Suitable for SMEs (BT-726)."),
        C("framework_agreement", "bool", "The lot establishes a framework agreement (BT-765 "
          "other than none)."),
    ),
    "awards": (
        C("notice_id", "id", "Result notice the lot result comes from.", required=True),
        C("lot_id", "id", "Lot the result is for (BT-13713).", required=True),
        C("winner_chosen", "bool", "A winner was chosen (BT-142 = selec-w)."),
        C("tenders_received", "int", "Tenders received (BT-759 with BT-760 = tenders).", ge=0),
        C("sme_tenders_received", "int", "Tenders received from SMEs (BT-759 with BT-760 = "
          "t-sme, or the sum of t-micro, t-small and t-med).", ge=0),
        C("awarded_value_eur", "float", "Awarded value in euros, by the documented fallback "
          "order (see ``value_source``).", ge=0),
        C("awarded_value", "float", "Awarded value as published, in its currency.", ge=0),
        C("awarded_value_currency", "str", "ISO 4217 currency of the published value."),
        C("value_source", "str", "Field the value came from: BT-720 (tender value), BT-709 "
          "(framework maximum), BT-161 (notice total, shared over lots), BT-27 (estimate)."),
        C("winner_id", "id", "Winning organisation (registration number or source id)."),
        C("winner_size", "code", "Winner size (BT-165).", codelist="economic-operator-size"),
        C("decision_date", "date", "Date of the award decision (BT-1451)."),
    ),
    "hilma_statistics": (
        C("notice_id", "id", "Notice the answers were given on.", required=True),
        C("lot_id", "id", "Lot the answers are for (BT-137).", required=True),
        *(C(col, "bool", _HILMA_TEXT[col] + f" (Hilma ``{key}``).")
          for col, key in HILMA_QUESTIONS.items()),
    ),
    "programme_participation": (
        C("buyer_id", "id", "Participating buyer.", required=True),
        C("programme", "str", "Development programme or Green Deal.", required=True),
        C("start_date", "date", "Date from which the buyer took part.", required=True),
    ),
    "spend": (
        C("source_file", "str", "File the invoice row was read from.", required=True),
        C("record", "str", "Row within the file (``row 12``: the line of a CSV file or "
          "the row of a worksheet, the header being row 1).", required=True),
        C("invoice_id", "id", "Invoice or voucher number as published (``lasku_id``, "
          "``Tositenumero``)."),
        C("buyer_id", "id", "Buyer: Finnish business id ``1234567-8`` where published "
          "(``Ostajan Y-tunnus``), else the publisher's unit code (``hankintayksikko_tunnus``), "
          "else ``h-`` and a hash of the name; null when the file names no buyer (a "
          "municipality's own file, see ``keino_metrics.spend.set_buyer``)."),
        C("buyer_name", "str", "Buyer (procuring unit or municipality) as published."),
        C("parent_id", "id", "Parent organisation's code (``ylaorganisaatio_tunnus``)."),
        C("parent_name", "str", "Parent organisation (``ylaorganisaatio``), e.g. the "
          "ministry of an agency."),
        C("sector", "str", "Sector as published (``sektori``)."),
        C("supplier_id", "id", "Supplier's Finnish business id ``1234567-8`` (VAT numbers "
          "``FI12345678`` normalised); null when not published (private traders are left "
          "out or anonymised by the publishers)."),
        C("supplier_name", "str", "Supplier as published."),
        C("posting_date", "date", "Voucher or posting date (``tositepvm``, "
          "``Tositepäivämäärä``).", required=True),
        C("amount_eur", "float", "Amount in euros as published; negative for credit notes "
          "and corrections.", required=True),
        C("amount_basis", "str", "What the amount is: ``net`` (without VAT), ``gross`` "
          "(with VAT) or ``posting`` (the posted amount, ``tiliointisumma``)."),
        C("account", "str", "Account number of the posting (``tili``, ``Tilin numero``)."),
        C("account_name", "str", "Account name, where published."),
        C("product_group", "str", "Product and service group (``tuote_palveluryhma``, "
          "``Palveluluokka``)."),
        C("category", "str", "Procurement category (``hankintakategoria``)."),
        C("source", "str", "``spend-treasury`` (State Treasury, tutkihankintoja.fi), "
          "``spend-municipal`` (municipal purchase invoices) or ``demo``.", required=True),
    ),
    "quarantine": (
        C("source_file", "str", "File the record came from.", required=True),
        C("record", "str", "Record within the file (notice id, row number, XPath).",
          required=True),
        C("field", "str", "Field that made the record unusable."),
        C("reason", "str", "Why the record was quarantined.", required=True),
    ),
    "field_issues": (
        C("source_file", "str", "File the record came from.", required=True),
        C("record", "str", "Record within the file (notice id, release id, row number).",
          required=True),
        C("field", "str", "Field whose value was odd (eForms BT id, OCDS path, column).",
          required=True),
        C("value", "str", "The value as published (shortened to 200 characters)."),
        C("action", "str", "What the reader did: ``kept_raw`` (value kept in a documented "
          "raw column), ``nulled`` (value set to null), ``normalised`` (value mapped to the "
          "canonical form), ``ignored`` (part of the record not read).", required=True),
        C("reason", "str", "Why the value was odd.", required=True),
    ),
}

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

#: Tables a dataset carries only when it has rows: an empty one is not listed by
#: ``Dataset.tables()``, not written to Parquet and not counted (notice data
#: without purchase invoices looks as it did before invoices were read).
OPTIONAL_TABLES: tuple[str, ...] = ("spend",)

#: Primary keys, used to find duplicates.
KEYS: dict[str, tuple[str, ...]] = {
    "buyers": ("buyer_id",),
    "notices": ("notice_id",),
    "lots": ("notice_id", "lot_id"),
    "awards": ("notice_id", "lot_id"),
    "hilma_statistics": ("notice_id", "lot_id"),
    "programme_participation": ("buyer_id", "programme"),
    "spend": ("source_file", "record"),
    "quarantine": (),
    "field_issues": (),
}

_DTYPES: dict[str, str] = {
    "id": "str",
    "str": "str",
    "code": "str",
    "codes": "object",
    "date": "datetime64[us]",
    "float": "Float64",
    "int": "Int64",
    "bool": "boolean",
}


def columns(table: str) -> tuple[Column, ...]:
    """Return the declared columns of ``table``.

    Raises
    ------
    KeyError
        If ``table`` is not a canonical table name.
    """
    try:
        return TABLES[table]
    except KeyError:
        raise KeyError(f"unknown table {table!r}; canonical tables: {', '.join(TABLES)}") from None


def dtypes(table: str) -> dict[str, str]:
    """Pandas dtype of each declared column of ``table``."""
    return {c.name: _DTYPES[c.kind] for c in columns(table)}


def empty(table: str) -> pd.DataFrame:
    """An empty frame with the declared columns and dtypes of ``table``."""
    return pd.DataFrame({n: pd.Series(dtype=d) for n, d in dtypes(table).items()})


def _as_codes(value: object) -> list[str] | None:
    if value is None:
        return None
    if type(value) is list and all(type(v) is str for v in value):
        return value  # already a list of codes (what the readers produce)
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, str):
        return [v for v in value.replace(";", ",").split(",") if v] if value else []
    return [str(v) for v in value]


def conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Order and type ``frame`` as the canonical ``table``.

    Missing declared columns are added as nulls; extra columns are kept after
    the declared ones (readers may carry source-specific detail). Values are
    converted to the declared dtypes; a value that cannot be converted raises,
    so readers must check values before calling this (see
    :mod:`keino_metrics.validation`).
    """
    out = pd.DataFrame(index=frame.index)
    for col in columns(table):
        dtype = _DTYPES[col.kind]
        if col.name not in frame:
            if dtype == "object":
                out[col.name] = pd.Series([None] * len(frame), index=frame.index, dtype="object")
            else:
                out[col.name] = pd.Series(pd.NA, index=frame.index, dtype=dtype)
            continue
        s = frame[col.name]
        if col.kind == "codes":
            has = s.notna().to_numpy()  # convert only the reported lists
            codes = pd.Series([None] * len(s), index=s.index, dtype="object")
            codes[has] = s[has].map(_as_codes).astype("object")
            out[col.name] = codes
        elif col.kind == "date":
            out[col.name] = pd.to_datetime(s, errors="raise").astype(dtype)
        elif col.kind in ("id", "str", "code"):
            out[col.name] = s.astype("str").where(s.notna(), None).astype("str")
        else:
            out[col.name] = s.astype(dtype)
    extra = [c for c in frame.columns if c not in out.columns]
    for c in extra:
        out[c] = frame[c]
    return out.reset_index(drop=True)


def schema(table: str):
    """A pandera schema for ``table``, built from the declaration.

    Checks column presence, dtype, nullability of required columns, numeric
    lower bounds and code-list membership (current and retired codes, see
    :mod:`keino_metrics.codelists`). Extra columns are allowed.
    """
    import pandera.pandas as pa

    from keino_metrics import codelists

    cols = {}
    for col in columns(table):
        checks = []
        if col.ge is not None:
            checks.append(pa.Check.ge(col.ge))
        if col.codelist is not None:
            allowed = codelists.accepted_codes(col.codelist)
            if col.kind == "codes":
                checks.append(pa.Check(
                    lambda s, allowed=allowed: s.map(
                        lambda v: v is None or all(c in allowed for c in v)),
                    element_wise=False, error=f"codes outside code list {col.codelist}"))
            else:
                checks.append(pa.Check.isin(sorted(allowed)))
        if col.name == "notice_type":
            checks.append(pa.Check.isin(NOTICE_TYPES))
        cols[col.name] = pa.Column(
            None if col.kind == "codes" else _DTYPES[col.kind],
            checks=checks,
            nullable=not col.required,
            required=True,
        )
    return pa.DataFrameSchema(cols, strict=False, name=table, coerce=False)


def markdown() -> str:
    """Render the data model as Markdown (the body of ``docs/data-model.md``)."""
    lines: list[str] = []
    for table, cols in TABLES.items():
        key = ", ".join(f"`{k}`" for k in KEYS[table]) or "none"
        lines += [f"## `{table}`", "", f"Key: {key}.", "",
                  "| column | type | required | code list | meaning |",
                  "|---|---|---|---|---|"]
        for c in cols:
            lines.append(f"| `{c.name}` | {c.kind} | {'yes' if c.required else ''} | "
                         f"{c.codelist or ''} | {c.description} |")
        lines.append("")
    return "\n".join(lines)


_DOC_HEADER = """# The canonical data model

Readers, indicators, impact models and users meet in these tables. They are declared
once in `keino_metrics/datamodel.py`; this page is generated from that declaration
(`make docs`), and a test keeps the two identical. Pandera schemas built from the same
declaration are enforced at the boundary between raw and processed data
(`keino_metrics.validation.validate`): a row that fails goes to `quarantine` with its
file, record, field and reason, and every table's accounting shows rows in = rows
accepted + rows quarantined.

Conventions:

- Money is in euros in the `*_eur` columns; the amount as published and its ISO 4217
  currency are kept beside it (`estimated_value`, `estimated_value_currency`,
  `awarded_value`, `awarded_value_currency`).
- Codes are eForms code-list values (`keino_metrics/data/codelists`, with Finnish,
  Swedish and English labels: `keino_metrics.codelists.label`). Codes retired by a later
  SDK version are accepted.
- Multi-valued fields (`codes`) are lists of codes; an empty list means the field was
  present and empty, a null means it was not reported.
- Every column is nullable unless it is marked required: "not reported" is kept apart
  from "no", because coverage is part of every indicator.
- Readers may add columns after the declared ones (for example `lots.title`,
  `lots.submission_deadline`); they are documented in `docs/readers.md`.
- `spend` (purchase invoices, `docs/spend.md`) is optional: a dataset lists, writes
  and counts it only when it has rows.

"""


if __name__ == "__main__":  # pragma: no cover - `make docs`
    print(_DOC_HEADER + markdown(), end="")
