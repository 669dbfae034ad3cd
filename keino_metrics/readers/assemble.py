"""From per-file parse results to one checked :class:`~keino_metrics.Dataset`.

Steps, in order (each documented in ``docs/readers.md``):

1. rows are gathered per table in batches (frames, not dicts, so memory grows
   with the rows kept, not with the files read);
2. amounts are converted to euros with the rate table (:mod:`.fx`); a value
   past ``limits.MAX_LOT_VALUE_EUR`` in euros, or a count past
   ``limits.MAX_COUNT``, is nulled with a field-level issue (:mod:`.limits`);
3. buyers get their municipality (Finnish buyers, by city name) and region
   (from the municipality, else from NUTS 3 2021 or 2024);
4. a notice read twice (same ``notice_id``) is kept once; the later copies
   go to quarantine naming the first file;
5. every table is typed with :func:`keino_metrics.datamodel.conform` and
   checked with :func:`keino_metrics.datamodel.schema`; a notice with a
   failing row goes to quarantine with the column and the check; so does a
   result notice whose award predates its procedure's contract notice;
6. lot results of one procedure and lot seen in several notices: the latest
   (by publication date) stays in ``awards``, all of them are kept in the
   extra table ``award_history``;
7. the accounting per input is updated so that rows in = accepted +
   quarantined still holds, in the input's own unit: a notice quarantined
   here moves the records it was read from (one notice, one release, or
   the award rows of a TED CSV notice) from accepted to quarantined.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keino_metrics import datamodel, geography
from keino_metrics.dataset import ACCOUNTING_COLUMNS, Dataset
from keino_metrics.readers import limits
from keino_metrics.readers.base import ParseResult
from keino_metrics.readers.fx import FxTable

__all__ = ["Collector"]

_ROW_TABLES = ("buyers", "notices", "lots", "awards", "hilma_statistics",
               "programme_participation", "spend")


@dataclass
class Collector:
    """Accumulates parse results batch by batch and builds the dataset."""

    fx: FxTable
    frames: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    quarantine: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    accounting: list[dict] = field(default_factory=list)
    _pending: dict[str, list[dict]] = field(default_factory=dict)
    _n_pending: int = 0
    #: (input, notice_id) -> accounting units the notice was read from, where not 1
    units: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, res: ParseResult) -> None:
        """Take one file's result."""
        for table, rows in res.rows.items():
            self._pending.setdefault(table, []).extend(rows)
            self._n_pending += len(rows)
        for q in res.quarantine:
            self.quarantine.append(q.row())
        for i in res.issues:
            self.issues.append(i.row())
        self.accounting.append({
            "input": res.source_file, "source": res.format, "unit": res.unit,
            "rows_in": res.records_in, "rows_accepted": res.records_accepted,
            "rows_quarantined": res.records_in - res.records_accepted,
            "field_issues": len(res.issues)})
        self.units.update(_units_per_notice(res))
        if self._n_pending >= 20_000:
            self.flush()

    def flush(self) -> None:
        """Turn pending row dicts into frames."""
        for table, rows in self._pending.items():
            if rows:
                self.frames.setdefault(table, []).append(pd.DataFrame.from_records(rows))
        self._pending = {}
        self._n_pending = 0

    # -------------------------------------------------------------------
    def build(self, provenance: dict | None = None) -> Dataset:
        """The checked dataset (steps 2-7 of the module docstring)."""
        self.flush()
        t = {name: (pd.concat(fs, ignore_index=True) if fs else pd.DataFrame())
             for name, fs in self.frames.items()}
        for name in _ROW_TABLES:
            t.setdefault(name, pd.DataFrame())
        acc = pd.DataFrame(self.accounting, columns=list(ACCOUNTING_COLUMNS))
        quarantined: list[dict] = list(self.quarantine)

        _to_eur(t, self.fx)
        late = _implausible(t)
        if late:
            self.issues += late
            per_input = pd.Series([i["source_file"] for i in late]).value_counts()
            acc["field_issues"] = acc["field_issues"] + acc["input"].map(per_input).fillna(0
                                                                                      ).astype(int)
        t["buyers"] = _locate_buyers(t["buyers"])
        drop = _duplicates(t["notices"])
        quarantined += drop
        if drop:
            t["notices"] = t["notices"].drop_duplicates("notice_id").reset_index(drop=True)
            for name in ("lots", "awards", "hilma_statistics"):
                if not t[name].empty:
                    t[name] = _drop_duplicate_children(t[name], name)
        typed, bad = _conform_and_check(t)
        bad += _awards_before_call(typed, {(b["source_file"], b["record"]) for b in bad})
        quarantined += bad
        typed = _remove(typed, bad) if bad else typed
        awards, history = _latest_results(typed["awards"], typed["notices"])
        typed["awards"] = awards
        acc = _rebalance(acc, drop + bad, self.units)
        q = datamodel.conform("quarantine", pd.DataFrame(
            quarantined, columns=["source_file", "record", "field", "reason"]))
        issues = datamodel.conform("field_issues", pd.DataFrame(
            self.issues, columns=[c.name for c in datamodel.columns("field_issues")]))
        return Dataset(buyers=typed["buyers"], notices=typed["notices"], lots=typed["lots"],
                       awards=typed["awards"], hilma_statistics=typed["hilma_statistics"],
                       programme_participation=typed["programme_participation"],
                       spend=typed["spend"], quarantine=q, field_issues=issues, accounting=acc,
                       extra={"award_history": history} if len(history) else {},
                       provenance=provenance or {})


def _to_eur(t: dict[str, pd.DataFrame], fx: FxTable) -> None:
    """Fill ``*_eur`` where a reader left it empty, one rate per (currency, year)."""
    for table, stem in (("lots", "estimated_value"), ("awards", "awarded_value")):
        df = t.get(table)
        if df is None or df.empty or stem not in df:
            continue
        amount = pd.to_numeric(df[stem], errors="coerce")
        eur = (pd.to_numeric(df[f"{stem}_eur"], errors="coerce") if f"{stem}_eur" in df
               else pd.Series(np.nan, index=df.index))
        cur = df.get(f"{stem}_currency", pd.Series(None, index=df.index, dtype="object"))
        year = df.get("value_year", pd.Series(None, index=df.index, dtype="object"))
        need = eur.isna() & amount.notna()
        if need.any():
            keys = list(zip(cur[need], year[need], strict=True))
            factor = {k: fx.to_eur(1.0, k[0] if isinstance(k[0], str) else None,
                                   int(k[1]) if pd.notna(k[1]) else None) for k in set(keys)}
            per_unit = pd.Series([factor[k] for k in keys], index=amount.index[need],
                                 dtype="float64")
            eur = eur.astype("float64")
            eur.loc[need] = amount[need].astype("float64") * per_unit
        df[f"{stem}_eur"] = eur


#: Value columns bounded by ``limits.MAX_LOT_VALUE_EUR`` (through their euro
#: column) and count columns bounded by ``limits.MAX_COUNT``.
_VALUES = (("lots", "estimated_value"), ("awards", "awarded_value"))
_COUNTS = (("awards", ("tenders_received", "sme_tenders_received", "submissions_untyped",
                       "requests_to_participate", "tenders_electronic", "winners")),)


def _implausible(t: dict[str, pd.DataFrame]) -> list[dict]:
    """Null values past the plausibility limits; one field-level issue each.

    The readers refuse garbage (not finite, past ``limits.MAX_AMOUNT`` or
    ``limits.MAX_COUNT``); this catches what only the euro value shows (an
    amount that is plausible in its currency units but not as euros) and any
    count or non-finite number a reader let through, so that no such value
    reaches the tables.
    """
    issues: list[dict] = []

    def note(df: pd.DataFrame, bad: pd.Series, col: str, shown: pd.Series, why: str) -> None:
        for i in bad[bad].index:
            issues.append({"source_file": df.at[i, "source_file"] if "source_file" in df
                           else _source_of(t, df.at[i, "notice_id"]),
                           "record": str(df.at[i, "notice_id"]),
                           "field": f"{col} ({df.at[i, 'lot_id']})" if "lot_id" in df else col,
                           "value": str(shown[i]), "action": "nulled", "reason": why})

    for table, stem in _VALUES:
        df = t.get(table)
        if df is None or df.empty or f"{stem}_eur" not in df:
            continue
        eur = pd.to_numeric(df[f"{stem}_eur"], errors="coerce").astype("float64")
        raw = pd.to_numeric(df[stem], errors="coerce").astype("float64") if stem in df else eur
        # without a rate (a currency the table lacks) the amount is judged as if in euros
        judged = eur.where(eur.notna(), raw)
        bad = (judged.abs() > limits.MAX_LOT_VALUE_EUR) | np.isinf(eur) | np.isinf(raw)
        if bad.any():
            note(df, bad, f"{stem}_eur", judged,
                 f"implausible value in euros (limit {limits.MAX_LOT_VALUE_EUR:g}; an amount "
                 "in a currency without a rate is judged as if in euros)")
            for col in (stem, f"{stem}_eur"):
                if col in df:
                    df[col] = df[col].astype("object").where(~bad, None)
    for table, cols in _COUNTS:
        df = t.get(table)
        if df is None or df.empty:
            continue
        for col in cols:
            if col not in df:
                continue
            x = pd.to_numeric(df[col], errors="coerce").astype("float64")
            bad = (x.abs() > limits.MAX_COUNT) | np.isinf(x)
            if bad.any():
                note(df, bad, col, x, f"implausible count (limit {limits.MAX_COUNT:,})")
                df[col] = df[col].astype("object").where(~bad, None)
    return issues


def _source_of(t: dict[str, pd.DataFrame], notice_id: object) -> str:
    n = t.get("notices")
    if n is None or n.empty:
        return "?"
    hit = n.loc[n["notice_id"] == notice_id, "source_file"]
    return str(hit.iloc[0]) if len(hit) else "?"


def _locate_buyers(b: pd.DataFrame) -> pd.DataFrame:
    if b.empty:
        return b
    b = b.copy()
    muni = geography.municipalities()
    by_name = {}
    for code, fi, sv in muni[["municipality_code", "name_fi", "name_sv"]].itertuples(index=False):
        by_name[fi.casefold()] = code
        by_name[sv.casefold()] = code
    region_of = dict(zip(muni["municipality_code"], muni["region_code"], strict=True))
    city = b["city"] if "city" in b else pd.Series(None, index=b.index)
    country = b["country"] if "country" in b else pd.Series(None, index=b.index)
    mcode = [by_name.get(str(c).strip().casefold()) if (k == "FI" and isinstance(c, str))
             else None for c, k in zip(city, country, strict=True)]
    if "municipality_code" in b:
        mcode = [m0 if isinstance(m0, str) else m1
                 for m0, m1 in zip(b["municipality_code"], mcode, strict=True)]
    b["municipality_code"] = mcode
    nuts = b["nuts3"] if "nuts3" in b else pd.Series(None, index=b.index)
    b["region_code"] = [region_of.get(m) if m else geography.nuts3_to_region(n)
                        for m, n in zip(mcode, nuts, strict=True)]
    # one row per buyer: the first seen, with gaps filled from later rows
    return b.groupby("buyer_id", sort=False, as_index=False).first()


def _duplicates(notices: pd.DataFrame) -> list[dict]:
    if notices.empty:
        return []
    dup = notices.duplicated("notice_id", keep="first")
    if not dup.any():
        return []
    first = notices.drop_duplicates("notice_id").set_index("notice_id")["source_file"]
    out = []
    for nid, src in notices.loc[dup, ["notice_id", "source_file"]].itertuples(index=False):
        out.append({"source_file": src, "record": nid, "field": "notice_id",
                    "reason": f"duplicate: notice {nid} was already read from {first[nid]}"})
    return out


def _remove(t: dict[str, pd.DataFrame], bad: list[dict]) -> dict[str, pd.DataFrame]:
    """Drop every row of the quarantined (source_file, notice) pairs."""
    if not bad:
        return t
    keys = {(b["source_file"], b["record"]) for b in bad}
    n = t["notices"]
    if n.empty:
        return t
    mask = pd.Series([(s, i) in keys for s, i in zip(n["source_file"], n["notice_id"],
                                                       strict=True)], index=n.index)
    gone_ids = set(n.loc[mask, "notice_id"])
    out = dict(t)
    out["notices"] = n.loc[~mask].reset_index(drop=True)
    for name in ("lots", "awards", "hilma_statistics"):
        df = t.get(name)
        if df is None or df.empty or "notice_id" not in df:
            continue
        out[name] = df.loc[~df["notice_id"].isin(gone_ids)].reset_index(drop=True)
    return out


def _drop_duplicate_children(df: pd.DataFrame, name: str) -> pd.DataFrame:
    key = list(datamodel.KEYS.get(name, ()))
    if key and all(k in df for k in key):
        df = df.drop_duplicates(key, keep="first")
    return df.reset_index(drop=True)


def _conform_and_check(t: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame],
                                                            list[dict]]:
    """Type every table and validate it; rows that fail condemn their notice."""
    import pandera.errors as pe

    typed: dict[str, pd.DataFrame] = {}
    bad: list[dict] = []
    src_of = {}
    if not t["notices"].empty:
        src_of = dict(zip(t["notices"]["notice_id"], t["notices"]["source_file"], strict=False))
    for name in _ROW_TABLES:
        df = t.get(name, pd.DataFrame())
        if df.empty:
            typed[name] = datamodel.empty(name)
            continue
        df = _type_extras(name, datamodel.conform(name, df))
        try:
            datamodel.schema(name).validate(df, lazy=True)
        except pe.SchemaErrors as err:
            fc = err.failure_cases
            rows = fc["index"].dropna().astype(int).unique()
            for i in rows:
                f = fc.loc[fc["index"] == i].iloc[0]
                nid = df.at[i, "notice_id"] if "notice_id" in df else None
                if nid is None or pd.isna(nid):
                    continue
                bad.append({"source_file": src_of.get(nid, "?"), "record": nid,
                            "field": f"{name}.{f['column']}",
                            "reason": f"value {f['failure_case']!r} fails check {f['check']}"})
        typed[name] = df
    if bad:
        seen = set()
        uniq = []
        for b in bad:
            k = (b["source_file"], b["record"])
            if k not in seen:
                seen.add(k)
                uniq.append(b)
        bad = uniq
    return typed, bad


#: Types of the extra columns the XML readers write (see ``docs/readers.md``).
EXTRA_KINDS: dict[str, str] = {
    **dict.fromkeys(("value_year", "winners", "submissions_untyped", "requests_to_participate",
                     "tenders_electronic", "cvd_vehicles", "cvd_vehicles_clean",
                     "cvd_vehicles_zero_emission"), "int"),
    **dict.fromkeys(("dispatch_date", "contract_date", "submission_deadline"), "date"),
    **dict.fromkeys(("eu_applicable", "predicted_value", "cvd_applicable", "sme_winner"),
                    "bool"),
    **dict.fromkeys(("framework_maximum",), "float"),
    **dict.fromkeys(("accessibility",), "codes"),
    **dict.fromkeys(("notice_subtype", "sdk_version", "schema_version", "notice_uuid",
                     "notice_version", "title", "national_legislation", "city",
                     "registration_number", "framework_maximum_currency", "cvd_contract_type",
                     "cvd_vehicle_category", "energy_efficiency_items",
                     "tenders_received_source", "winner_country"), "str"),
}
_PANDAS = {"int": "Int64", "date": "datetime64[us]", "bool": "boolean", "float": "Float64"}


def _type_extras(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Nullable dtypes for extra columns: by :data:`EXTRA_KINDS`, else by content."""
    declared = {c.name for c in datamodel.columns(name)}
    for col in df.columns:
        if col in declared:
            continue
        s = df[col]
        kind = EXTRA_KINDS.get(col)
        if kind is None and s.dtype == object:
            vals = s.dropna()
            if len(vals) and all(isinstance(v, bool) for v in vals):
                kind = "bool"
            elif len(vals) and all(isinstance(v, str) for v in vals):
                kind = "str"
        if kind == "int":
            df[col] = pd.to_numeric(s, errors="coerce").astype("Int64")
        elif kind == "float":
            df[col] = pd.to_numeric(s, errors="coerce").astype("Float64")
        elif kind == "date":
            df[col] = pd.to_datetime(s, errors="coerce").astype("datetime64[us]")
        elif kind == "bool":
            df[col] = s.astype("object").where(s.notna(), None).astype("boolean")
        elif kind == "codes":
            df[col] = s.map(lambda v: list(v) if isinstance(v, (list, tuple)) else None
                            ).astype("object")
        elif kind == "str":
            df[col] = s.astype("str").where(s.notna(), None).astype("str")
    return df


def _awards_before_call(t: dict[str, pd.DataFrame], already: set) -> list[dict]:
    """Result notices whose award predates the procedure's call for competition.

    The award decision (BT-1451, else the contract date BT-145) of a lot in a
    result notice (``can``) cannot be earlier than the publication of a
    contract notice (``cn``) of the same procedure.
    """
    n, a = t["notices"], t["awards"]
    if n.empty or a.empty:
        return []
    calls = (n.loc[n["notice_type"] == "cn"].groupby("procedure_id")["publication_date"]
             .min().rename("call_published"))
    if calls.empty:
        return []
    when = a["decision_date"]
    if "contract_date" in a:
        when = when.fillna(a["contract_date"])
    x = (a.assign(awarded_on=when)[["notice_id", "lot_id", "awarded_on"]]
         .merge(n[["notice_id", "procedure_id", "notice_type", "source_file"]], on="notice_id")
         .merge(calls, left_on="procedure_id", right_index=True))
    x = x.loc[(x["notice_type"] == "can") & (x["awarded_on"] < x["call_published"])]
    out = []
    for r in x.drop_duplicates("notice_id").itertuples(index=False):
        if (r.source_file, r.notice_id) in already:
            continue
        out.append({"source_file": r.source_file, "record": r.notice_id,
                    "field": "awards.decision_date",
                    "reason": f"award of lot {r.lot_id} on {r.awarded_on.date()} is before the "
                              f"procedure's contract notice was published "
                              f"({r.call_published.date()})"})
    return out


def _latest_results(awards: pd.DataFrame, notices: pd.DataFrame
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    if awards.empty or notices.empty:
        return awards, pd.DataFrame()
    meta = notices[["notice_id", "procedure_id", "publication_date", "notice_type"]]
    a = awards.merge(meta, on="notice_id", how="left", validate="many_to_one")
    a = a.sort_values(["procedure_id", "lot_id", "publication_date", "notice_id"],
                      kind="stable")
    grp = a.groupby(["procedure_id", "lot_id"], sort=False, dropna=False)
    a["version"] = grp.cumcount() + 1
    a["versions"] = grp["notice_id"].transform("size")
    multi = a["versions"] > 1
    if not multi.any():
        return awards, pd.DataFrame()
    last = a["version"] == a["versions"]
    a["current"] = last
    latest_id = grp["notice_id"].transform("last")
    a["superseded_by"] = np.where(last, None, latest_id)
    history = a.loc[multi].reset_index(drop=True)
    keep = a.loc[last, awards.columns]
    return keep.reset_index(drop=True), history


def _units_per_notice(res: ParseResult) -> dict[tuple[str, str], int]:
    """Accounting units behind each notice of ``res``, where not one.

    A notice is one unit for the XML, Hilma and OCDS readers. A TED CSV
    notice (unit ``award row``) pools its award rows: each accepted row adds
    one winner to one award of the notice, so the notice's rows are the sum
    of its awards' ``winners``. The split is used only when it adds up to
    the rows the reader accepted.
    """
    if res.unit != "award row" or not res.records_accepted:
        return {}
    per: dict[str, int] = {}
    for a in res.rows.get("awards", []):
        per[a["notice_id"]] = per.get(a["notice_id"], 0) + int(a.get("winners") or 1)
    if sum(per.values()) != res.records_accepted:
        return {}
    return {(res.source_file, nid): n for nid, n in per.items() if n != 1}


def _rebalance(acc: pd.DataFrame, removed: Iterable[dict],
               units: dict[tuple[str, str], int] | None = None) -> pd.DataFrame:
    """Move the units of notices removed during assembly to quarantined."""
    acc = acc.copy()
    units = units or {}
    counts: dict[str, int] = {}
    for r in removed:
        n = units.get((r["source_file"], r["record"]), 1)
        counts[r["source_file"]] = counts.get(r["source_file"], 0) + n
    if counts:
        idx = {s: i for i, s in enumerate(acc["input"])}
        ok, bad = acc.columns.get_loc("rows_accepted"), acc.columns.get_loc("rows_quarantined")
        for src, n in counts.items():
            i = idx.get(src)
            if i is None:
                continue
            n = min(n, int(acc.iat[i, ok]))  # never below zero accepted
            acc.iat[i, ok] -= n
            acc.iat[i, bad] += n
    for c in ("rows_in", "rows_accepted", "rows_quarantined", "field_issues"):
        acc[c] = acc[c].fillna(0).astype("int64")
    return acc
