"""Data coverage for the report: rows and completeness per table and year.

Completeness is the share of rows in which a key field holds a value (for
multi-valued code fields, any list, even an empty one, counts as answered).
Tables without their own date take the year of their notice's publication
date; ``buyers`` and ``programme_participation`` have no year.
"""

from __future__ import annotations

import pandas as pd

from keino_metrics.dataset import Dataset

__all__ = ["KEY_FIELDS", "table_years", "rows_by_year", "completeness", "quarantine_counts",
           "data_years"]

#: Key fields whose completeness the report shows, per table.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "notices": ("procedure_type", "buyer_id"),
    "lots": ("contract_nature", "cpv_main", "estimated_value_eur", "strategic_procurement",
             "green_procurement", "social_objective", "innovation", "sme_suitable"),
    "awards": ("winner_chosen", "tenders_received", "sme_tenders_received",
               "awarded_value_eur", "winner_size"),
    "hilma_statistics": ("innovation_considered", "solution_new_to_buyer",
                         "solution_new_to_market", "low_carbon", "circular_economy",
                         "sme_participation_considered"),
    "buyers": ("legal_type", "region_code"),
}

_DATED = ("notices", "lots", "awards", "hilma_statistics")


def _notice_years(data: Dataset) -> pd.Series:
    n = data.notices.drop_duplicates("notice_id")
    return pd.Series(pd.to_datetime(n["publication_date"]).dt.year.astype("Int64").to_numpy(),
                     index=n["notice_id"].to_numpy())


def table_years(data: Dataset, table: str) -> pd.Series:
    """Publication year of each row of ``table`` (``<NA>`` when not dated)."""
    df = data[table]
    if table == "notices":
        return pd.to_datetime(df["publication_date"]).dt.year.astype("Int64")
    if "notice_id" in df.columns:
        return df["notice_id"].map(_notice_years(data)).astype("Int64")
    return pd.Series(pd.NA, index=df.index, dtype="Int64")


def data_years(data: Dataset) -> list[int]:
    """Years in which the data hold published notices, ascending."""
    y = table_years(data, "notices").dropna()
    return sorted(int(v) for v in y.unique())


def rows_by_year(data: Dataset, tables: tuple[str, ...] = _DATED) -> pd.DataFrame:
    """Rows per table (index) and year (columns), with a ``total`` column."""
    parts = []
    for t in tables:
        y = table_years(data, t)
        parts.append(pd.DataFrame({"table": t, "year": y}))
    df = pd.concat(parts, ignore_index=True)
    out = (df.dropna(subset=["year"]).groupby(["table", "year"]).size()
           .unstack("year", fill_value=0))
    out = out.reindex(list(tables), fill_value=0)
    out.columns = [int(c) for c in out.columns]
    out["total"] = [len(data[t]) for t in out.index]
    return out.astype("int64")


def _filled(s: pd.Series) -> pd.Series:
    if s.dtype == object:
        return s.map(lambda v: v is not None and not (isinstance(v, float) and v != v))
    return s.notna()


def completeness(data: Dataset, fields: dict[str, tuple[str, ...]] | None = None
                 ) -> pd.DataFrame:
    """Share of rows with a value, per ``table``/``field`` (rows) and year (columns).

    Undated tables get one ``total`` column only; dated ones a column per
    year and ``total``.
    """
    fields = KEY_FIELDS if fields is None else fields
    rows = []
    for table, cols in fields.items():
        df = data[table]
        years = table_years(data, table)
        for col in cols:
            if col not in df.columns:
                continue
            filled = _filled(df[col]).astype(float)
            rec = {"table": table, "field": col,
                   "total": float(filled.mean()) if len(df) else float("nan")}
            if years.notna().any():
                by = filled.groupby(years.to_numpy()).mean()
                rec.update({int(k): float(v) for k, v in by.items()})
            rows.append(rec)
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=["table", "field", "total"]).set_index(["table", "field"])
    years_cols = sorted(c for c in out.columns if isinstance(c, int))
    return out.set_index(["table", "field"])[[*years_cols, "total"]]


def quarantine_counts(data: Dataset, top: int | None = 20) -> pd.DataFrame:
    """Quarantined records by field and reason, most frequent first."""
    q = data.quarantine
    if q.empty:
        return pd.DataFrame(columns=["field", "reason", "records"])
    out = (q.assign(field=q["field"].fillna("").astype(str))
           .groupby(["field", "reason"], as_index=False).size()
           .rename(columns={"size": "records"})
           .sort_values(["records", "field", "reason"], ascending=[False, True, True])
           .reset_index(drop=True))
    return out.head(top) if top is not None else out
