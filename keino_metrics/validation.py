"""The boundary between raw and processed data: validate, quarantine, account.

:func:`validate` checks every canonical table of a :class:`~keino_metrics.Dataset`
against its pandera schema (built from :mod:`keino_metrics.datamodel`), checks
keys and references between tables, and moves every failing row into the
``quarantine`` table with the file, record, field and reason. Nothing is
dropped silently: for each table, rows in = rows accepted + rows quarantined,
and the accounting says so.
"""

from __future__ import annotations

import pandas as pd

from keino_metrics import datamodel
from keino_metrics.dataset import ACCOUNTING_COLUMNS, Dataset

__all__ = ["validate"]

# Checked in this order so that references are checked against accepted rows.
_ORDER = ("buyers", "notices", "lots", "awards", "hilma_statistics", "programme_participation",
          "spend")

# table -> (referenced table, key columns)
_REFERENCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "notices": ("buyers", ("buyer_id",)),
    "lots": ("notices", ("notice_id",)),
    "awards": ("notices", ("notice_id",)),
    "hilma_statistics": ("notices", ("notice_id",)),
    "programme_participation": ("buyers", ("buyer_id",)),
}


def _record_label(table: str, row: pd.Series) -> str:
    keys = datamodel.KEYS.get(table) or ()
    parts = [f"{k}={row[k]}" for k in keys if k in row.index]
    return f"{table}[{', '.join(parts)}]" if parts else f"{table}[row {row.name}]"


def _source_of(table: str, frame: pd.DataFrame, notices: pd.DataFrame) -> pd.Series:
    """The source file of each row (from the row itself or its notice)."""
    if "source_file" in frame:
        return frame["source_file"].astype("str")
    if "notice_id" in frame and len(notices):
        lookup = notices.drop_duplicates("notice_id").set_index("notice_id")["source_file"]
        return frame["notice_id"].map(lookup).fillna(f"<{table}>").astype("str")
    return pd.Series(f"<{table}>", index=frame.index, dtype="str")


def _reason(col: datamodel.Column | None, check: str, value: object) -> str:
    """A readable reason for one failed schema check."""
    if col is not None and col.codelist and ("isin" in check or "code list" in check):
        return f"value {value!r} is not a code of the eForms list {col.codelist}"
    if "not_nullable" in check:
        return "required value is missing"
    if col is not None and col.ge is not None and "greater_than" in check:
        return f"value {value!r} is below the allowed minimum {col.ge:g}"
    if "dtype" in check:
        return f"wrong type: {check}"
    return f"failed check {check} with value {value!r}"


def _schema_failures(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows failing the pandera schema: index, field, reason."""
    import pandera.errors as pe

    try:
        datamodel.schema(table).validate(frame, lazy=True)
    except pe.SchemaErrors as err:
        fc = err.failure_cases
        fc = fc[fc["index"].notna()]
        spec = {c.name: c for c in datamodel.columns(table)}
        reasons = [_reason(spec.get(col), str(check), value)
                   for col, check, value in zip(fc["column"], fc["check"], fc["failure_case"],
                                                strict=True)]
        out = pd.DataFrame({"index": fc["index"].astype("int64"),
                            "field": fc["column"].astype("str"), "reason": reasons})
        return (out.drop_duplicates().groupby("index", as_index=False, sort=True)
                .agg({"field": ",".join, "reason": "; ".join}))
    return pd.DataFrame(columns=["index", "field", "reason"])


def validate(data: Dataset) -> Dataset:
    """Validate a dataset and quarantine every row that cannot be used.

    Checks, per canonical table: declared dtypes, required values, numeric
    bounds, code-list membership (current and retired codes), duplicate keys
    (the first row of a key is kept, later ones are quarantined) and
    references (a lot's notice, a notice's buyer, ...) to accepted rows.

    Parameters
    ----------
    data : Dataset
        Canonical tables as produced by a reader or by the demo generator.

    Returns
    -------
    Dataset
        Accepted rows only; ``quarantine`` extended by the rejected rows and
        ``accounting`` extended by one row per table (unit ``row``) with
        ``rows_in = rows_accepted + rows_quarantined``.
    """
    accepted: dict[str, pd.DataFrame] = {}
    quarantined: list[pd.DataFrame] = [data.quarantine]
    accounting: list[dict] = []
    for table in _ORDER:
        frame = datamodel.conform(table, getattr(data, table))
        bad = _schema_failures(table, frame)
        keys = list(datamodel.KEYS[table])
        if keys and len(frame):
            dup = (frame.duplicated(subset=keys, keep="first")
                   & ~frame.index.isin(bad["index"]))
            dup &= frame.loc[~frame.index.isin(bad["index"])].duplicated(
                subset=keys, keep="first").reindex(frame.index, fill_value=False)
            bad = pd.concat([bad, pd.DataFrame({
                "index": frame.index[dup], "field": ",".join(keys),
                "reason": "duplicate key: an earlier row has the same " + ", ".join(keys)})])
        if table in _REFERENCES and len(frame):
            ref_table, ref_keys = _REFERENCES[table]
            ref = accepted.get(ref_table)
            if ref is not None and len(ref):
                known = pd.MultiIndex.from_frame(ref[list(ref_keys)].drop_duplicates())
                mine = pd.MultiIndex.from_frame(frame[list(ref_keys)])
                missing = ~mine.isin(known)
                bad = pd.concat([bad, pd.DataFrame({
                    "index": frame.index[missing], "field": ",".join(ref_keys),
                    "reason": f"refers to a row missing from {ref_table}"})])
        bad = bad.drop_duplicates("index")
        is_bad = frame.index.isin(bad["index"])
        if is_bad.any():
            rejected = frame.loc[is_bad]
            notices = accepted.get("notices", data.notices)
            src = _source_of(table, rejected, notices)
            reasons = bad.set_index("index").loc[rejected.index]
            quarantined.append(pd.DataFrame({
                "source_file": src.to_numpy(),
                "record": [_record_label(table, r) for _, r in rejected.iterrows()],
                "field": reasons["field"].to_numpy(),
                "reason": reasons["reason"].to_numpy(),
            }))
        accepted[table] = frame.loc[~is_bad].reset_index(drop=True)
        accounting.append({"input": table, "source": "validation", "unit": "row",
                           "rows_in": len(frame), "rows_accepted": int((~is_bad).sum()),
                           "rows_quarantined": int(is_bad.sum()), "field_issues": 0})
    acc = pd.DataFrame(accounting, columns=list(ACCOUNTING_COLUMNS))
    parts = [a for a in (data.accounting, acc) if len(a)]
    return data.replace(
        **accepted,
        quarantine=datamodel.conform("quarantine", pd.concat(
            [q for q in quarantined if len(q)] or [data.quarantine], ignore_index=True)),
        accounting=pd.concat(parts, ignore_index=True),
    )
