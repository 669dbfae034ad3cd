"""Compute catalogue indicators on any engine.

The engine step is one narwhals aggregation per unit frame: every
:class:`~keino_metrics.indicators.spec.Ratio` and
:class:`~keino_metrics.indicators.spec.Total` on that frame becomes a few
per-row columns (numerator, denominator, eligible, one column per exclusion
rule), summed by the ``by`` columns and ``buyer_id`` in a single query. The
result is small (groups x buyers), so the statistics step (values, Wilson and
cluster-robust intervals, coverage, lights, warnings) runs in pandas.

Every row also carries its measurability (``status``, ``status_reason``) and
the basis of its light (``light_rule``, ``light_source``), decided by
:mod:`keino_metrics.indicators.measurability`: a row that was not measured has
no value and no light.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from keino_metrics.dataset import Dataset
from keino_metrics.indicators import registry
from keino_metrics.indicators.columns import referenced_columns
from keino_metrics.indicators.frames import (
    BY_COLUMNS,
    MISSING,
    SPEND_ONLY_BY,
    Frames,
    load_frames,
)
from keino_metrics.indicators.keys import group_keys
from keino_metrics.indicators.measurability import (
    DATA_LIMIT_FLAG_SHARE,
    MIN_MEASURABLE_COVERAGE,
    STATUS_COLUMNS,
    assess,
    is_risk_flag,
)
from keino_metrics.indicators.result import RESULT_COLUMNS, IndicatorResult
from keino_metrics.indicators.spec import Custom, Indicator, Ratio, Rule, Total
from keino_metrics.indicators.stats import cluster_ratio_interval, wilson_interval
from keino_metrics.indicators.thresholds import resolve_thresholds

__all__ = ["compute", "normalise_by", "aggregate_rules", "MIN_COVERAGE", "MAX_FLAG_SHARE",
           "MIN_MEASURABLE_COVERAGE", "DATA_LIMIT_FLAG_SHARE"]

#: Coverage below which a result carries a warning.
MIN_COVERAGE = 0.5
#: Share of flagged units above which a red flag carries a false-positive warning.
MAX_FLAG_SHARE = 0.5

L = nw.col
_VALUE_KNOWN = Rule("awarded value not reported", lambda p: ~L("value_eur").is_null())


def normalise_by(by: str | Sequence[str] | None) -> list[str]:
    """Check and list the breakdown columns."""
    if by is None:
        return []
    cols = [by] if isinstance(by, str) else list(by)
    bad = [c for c in cols if c not in BY_COLUMNS]
    if bad:
        raise ValueError(f"cannot break down by {bad}; available: {', '.join(BY_COLUMNS)}")
    if len(set(cols)) != len(cols):
        raise ValueError(f"repeated breakdown column in {cols}")
    return cols


def _rules(ind: Indicator) -> tuple[Rule, ...]:
    m = ind.measure
    rules = tuple(m.rules)
    if isinstance(m, Ratio) and m.weight == "eur":
        rules = rules + (_VALUE_KNOWN,)
    return rules


def _row_columns(ind: Indicator, params: Mapping[str, Any]) -> list[nw.Expr]:
    """Per-row contribution columns of a Ratio or Total indicator.

    Only what the engine must sum is computed there: ``__x<k>`` (rows whose
    first failed rule is ``k``), ``__n`` (eligible rows) and, where they are not
    ``__n`` itself, ``__num`` and ``__den``. Contributions are null on rows that
    are not eligible (sums skip nulls), which engines evaluate faster than a
    zero in an ``otherwise`` branch; :func:`_complete` fills the derived
    columns and the empty sums after the engine step.
    """
    return [expr.alias(name) for name, _, expr in _keyed_row_columns(ind, params)]


def _params_key(params: Mapping[str, Any]) -> str:
    return repr(sorted(params.items()))


def _keyed_row_columns(ind: Indicator, params: Mapping[str, Any]
                       ) -> list[tuple[str, tuple, nw.Expr]]:
    """The columns of :func:`_row_columns` as ``(name, key, expression)``.

    Two columns with equal keys are built by the same functions of equal
    parameters, hence are the same expression: the key names the rule,
    numerator, denominator and value functions (by identity) with the
    indicator's parameters, and the engine computes such columns once
    (:func:`_engine_columns`).
    """
    m = ind.measure
    i = ind.id
    rules = _rules(ind)
    p = _params_key(params)
    rule_keys = [(r.keep, p) for r in rules]
    keeps = [r.keep(params).fill_null(False) for r in rules]
    cols: list[tuple[str, tuple, nw.Expr]] = []
    passed = nw.lit(True)
    for k, keep in enumerate(keeps):
        cols.append((f"{i}__x{k}", ("x", tuple(rule_keys[:k + 1])),
                     (passed & ~keep).cast(nw.Float64)))
        passed = passed & keep
    elig = passed
    nkey = tuple(rule_keys)
    cols.append((f"{i}__n", ("n", nkey), elig.cast(nw.Float64)))
    if isinstance(m, Total):
        if m.value is not None:
            v = L(m.value).cast(nw.Float64).fill_null(0.0)
            cols.append((f"{i}__num", ("value", m.value, nkey), nw.when(elig).then(v)))
        return cols
    num = m.numerator(params).cast(nw.Float64).fill_null(0.0)
    num_key = ("num", m.numerator, p, nkey)
    if m.denominator is None:
        if m.weight == "count":
            cols.append((f"{i}__num", num_key, nw.when(elig).then(num)))
        else:
            w = L("value_eur").cast(nw.Float64)
            cols.append((f"{i}__num", ("num_eur", m.numerator, p, nkey),
                         nw.when(elig).then(num * w)))
            cols.append((f"{i}__den", ("eur", nkey), nw.when(elig).then(w)))
    else:
        den = m.denominator(params).cast(nw.Float64).fill_null(0.0)
        cols.append((f"{i}__num", num_key, nw.when(elig).then(num)))
        cols.append((f"{i}__den", ("den", m.denominator, p, nkey), nw.when(elig).then(den)))
    return cols


def _engine_columns(inds: list[Indicator], params: Mapping[str, Mapping[str, Any]]
                    ) -> tuple[list[nw.Expr], dict[str, str]]:
    """The row columns the engine computes for ``inds``, each distinct one once.

    Returns the expressions (named after the first indicator that needs them)
    and, for every summed column name, the name of the computed column that
    it equals. Indicators that share rules (the value-reported rule of every
    euro-weighted share, for example) share their exclusion and eligibility
    columns, which makes the engine's aggregation narrower.
    """
    exprs: list[nw.Expr] = []
    first: dict[tuple, str] = {}
    source: dict[str, str] = {}
    for ind in inds:
        for name, key, expr in _keyed_row_columns(ind, params.get(ind.id, {})):
            if key not in first:
                first[key] = name
                exprs.append(expr.alias(name))
            source[name] = first[key]
    return exprs, source


def _derived_columns(ind: Indicator) -> dict[str, str | None]:
    """Summed columns not computed by the engine: name -> the column equal to it
    (``None``: zero)."""
    m = ind.measure
    i = ind.id
    if isinstance(m, Total):
        out: dict[str, str | None] = {f"{i}__den": None}
        if m.value is None:
            out[f"{i}__num"] = f"{i}__n"
        return out
    if m.denominator is None and m.weight == "count":
        return {f"{i}__den": f"{i}__n"}
    return {}


def _complete(agg: pd.DataFrame, inds: list[Indicator],
              source: Mapping[str, str]) -> pd.DataFrame:
    """The engine step's sums with empty sums as 0 and the derived columns added.

    ``source`` maps each summed column to the computed column it equals
    (:func:`_engine_columns`).
    """
    sums = [c for ind in inds for c in _column_names(ind)]
    computed = list(dict.fromkeys(source[c] for c in sums))
    # one float block (the engine's frame arrives column by column)
    x = agg[computed].to_numpy(dtype=float, na_value=np.nan)
    x = np.where(np.isnan(x), 0.0, x)
    at = {c: k for k, c in enumerate(computed)}
    filled = pd.DataFrame(x[:, [at[source[c]] for c in sums]], columns=sums,
                          index=agg.index)
    extra = {}
    for ind in inds:
        for name, same in _derived_columns(ind).items():
            extra[name] = filled[same].to_numpy() if same else np.zeros(len(agg))
    return pd.concat([agg.drop(columns=computed), filled,
                      pd.DataFrame(extra, index=agg.index)], axis=1)


def aggregate_rules(frames: Frames, frame: str, inds: list[Indicator], keys: list[str],
                    params: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Run the engine step for all Ratio/Total indicators of one frame.

    Returns one row per ``keys`` x ``buyer_id`` with the summed columns.
    """
    lf = frames.frame(frame)
    gkeys = list(dict.fromkeys([*keys, "buyer_id"]))
    cols, source = _engine_columns(inds, params)
    names = list(dict.fromkeys(source.values()))
    # keys and row columns in one select: the row columns read the reported
    # values, not the group labels that replace missing keys
    q = (lf.select(*group_keys(gkeys), *cols)
         .group_by(*gkeys)
         .agg(nw.len().alias("__rows"), *[L(c).sum() for c in names]))
    with warnings.catch_warnings():
        # narwhals' pandas group-by inserts many columns one by one
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        return _complete(frames.collect(q), inds, source)


def _column_names(ind: Indicator) -> list[str]:
    """Names of the columns :func:`_row_columns` gives, in order."""
    n = len(_rules(ind))
    derived = _derived_columns(ind)
    return [f"{ind.id}__x{k}" for k in range(n)] + [
        c for c in (f"{ind.id}__n", f"{ind.id}__num", f"{ind.id}__den") if c not in derived]


def _group_sums(agg: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum the per-buyer rows of the engine step over the ``by`` groups (once per frame)."""
    cols = [c for c in agg.columns if "__" in c and c != "__rows"]
    if keys:
        return agg.groupby(keys, dropna=False, sort=True)[cols].sum().reset_index()
    return pd.DataFrame({c: [agg[c].sum()] for c in cols})


def _finish_rule_indicator(ind: Indicator, agg: pd.DataFrame, keys: list[str],
                           g: pd.DataFrame | None = None) -> pd.DataFrame:
    m = ind.measure
    rules = _rules(ind)
    i = ind.id
    if g is None:
        g = _group_sums(agg, keys)
    out = g[keys].copy()
    n = g[f"{i}__n"].to_numpy(float)
    num = g[f"{i}__num"].to_numpy(float)
    den = g[f"{i}__den"].to_numpy(float)
    x = np.column_stack([g[f"{i}__x{k}"].to_numpy(float) for k in range(len(rules))]) \
        if rules else np.zeros((len(g), 0))
    out["n_eligible"] = n
    out["excluded"] = x.sum(axis=1)
    out["excluded_reasons"] = [
        "; ".join(f"{r.reason}: {int(c)}" for r, c in zip(rules, row, strict=True) if c > 0)
        for row in x]
    miss = np.array([r.missing for r in rules], dtype=bool)
    missing = x[:, miss].sum(axis=1) if miss.any() else np.zeros(len(g))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["coverage"] = np.where(n + missing > 0, n / (n + missing), np.nan)
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    if isinstance(m, Total):
        out["value"] = num
        out["numerator"] = num
        out["denominator"] = np.nan
        return out
    with np.errstate(invalid="ignore", divide="ignore"):
        out["value"] = np.where(den != 0, num / den, np.nan)
    out["numerator"] = num
    out["denominator"] = den
    if m.ci == "wilson":
        lo, hi = wilson_interval(num, den)
        out["ci_low"], out["ci_high"] = lo, hi
    elif m.ci == "cluster":
        bounds = {"share": (0.0, 1.0), "index": (0.0, 100.0)}.get(ind.unit, (0.0, None))
        ci = cluster_ratio_interval(agg, keys, f"{i}__num", f"{i}__den", bounds=bounds)
        if keys:
            merged = out[keys].merge(ci, on=keys, how="left")
            out["ci_low"] = merged["ci_low"].to_numpy()
            out["ci_high"] = merged["ci_high"].to_numpy()
        else:
            out["ci_low"] = ci["ci_low"].to_numpy()
            out["ci_high"] = ci["ci_high"].to_numpy()
    return out


def _warnings(ind: Indicator, df: pd.DataFrame, absent: frozenset[str],
              min_coverage: float, max_flag: float) -> list[str | None]:
    """The warning text of every row of one indicator's result (vectorised).

    A row that is not measured starts with its status and reason, so that the
    warning alone already says that the missing value is not a zero.
    """
    n = len(df)
    msgs: list[list[str]] = [[] for _ in range(n)]
    measured = np.ones(n, dtype=bool)
    if "status" in df:
        for k, (st, why) in enumerate(zip(df["status"], df["status_reason"], strict=True)):
            if st != "measured":
                msgs[k].append(f"{st.replace('_', ' ')}: {why}")
        measured = (df["status"] != "not_measurable").to_numpy()

    def add(mask, text) -> None:
        for k in np.flatnonzero(np.asarray(mask, dtype=bool)):
            msgs[k].append(text if isinstance(text, str) else text[k])

    gone = [f[:-1] for f in ind.fields if f.endswith("?") and f[:-1] in absent]
    if gone:  # the status says it for rows that are not measured
        add(measured, f"column(s) {', '.join(gone)} not in the data: the indicator cannot "
            "be measured (coverage 0)")
    weak = [f[:-1] for f in ind.fields if f.endswith("+") and f[:-1] in absent]
    if weak:
        add(measured, f"supplementary column(s) {', '.join(weak)} not in the data: the "
            "value is a lower bound")
    if ind.unit not in ("count", "eur"):
        add((df["n_eligible"].to_numpy(float) == 0) & measured, "no eligible units")
    cov = df["coverage"].to_numpy(float)
    if not gone:
        low = ~np.isnan(cov) & (cov < min_coverage) & measured
        add(low, [f"low coverage: {c:.0%} of units report the fields needed" for c in cov])
    v = df["value"].to_numpy(float)
    limit = (df["status"] == "data_limit").to_numpy() if "status" in df else np.zeros(n, bool)
    if is_risk_flag(ind):
        add(~np.isnan(v) & (v > max_flag) & ~limit,
            [f"the flag fires on {x:.0%} of units: likely false positives, review the "
             "configuration" for x in v])
    if "warning" in df:
        own = df["warning"].to_numpy(object)
        add([w is not None and w == w and w != "" for w in own], [str(w) for w in own])
    return ["; ".join(m) if m else None for m in msgs]


#: Lot-result columns that the notice and procedure frames read.
_FRAME_NEEDS = {"notices": {"notice_id", "value_eur"},
                "procedures": {"procedure_id", "contract_nature", "cpv_main", "nuts3"}}


def _custom_columns(inds: list[Indicator], frame: str, keys: list[str]) -> set[str] | None:
    """Columns of ``frame`` that the custom indicators on it read (``None``: cannot tell)."""
    cols: set[str] = set()
    for ind in inds:
        m = ind.measure
        if isinstance(m, Custom) and m.frame == frame:
            if m.reads is None:
                return None
            cols |= {*m.reads, *keys, "buyer_id"}
    return cols


def _lot_result_columns(inds: list[Indicator], by_frame: dict[str, list[Indicator]],
                        keys: list[str], params: Mapping[str, Mapping[str, Any]]
                        ) -> set[str] | None:
    """Lot-result columns the requested indicators read (``None``: all of them).

    Custom indicators that do not declare what they read keep the whole frame.
    """
    cols = _frame_columns(by_frame.get("lot_results", []), keys, params)
    custom = _custom_columns(inds, "lot_results", keys)
    if cols is None or custom is None:
        return None
    cols |= custom
    for frame, need in _FRAME_NEEDS.items():
        if frame in by_frame:
            cols |= need
    return cols


def _frame_columns(inds: list[Indicator], keys: list[str],
                   params: Mapping[str, Mapping[str, Any]]) -> set[str] | None:
    """Columns of a unit frame that ``inds`` and the breakdown read (``None``: cannot tell)."""
    exprs = [e for ind in inds for e in _row_columns(ind, params.get(ind.id, {}))]
    cols = referenced_columns(exprs)
    return None if cols is None else cols | {*keys, "buyer_id"}


#: Unit frames that large data computes in parts of procedures.
PARTED = ("lot_results", "notices", "procedures")


def _aggregate_in_parts(frames: Frames, parts: int, by_frame: dict[str, list[Indicator]],
                        customs: list[Indicator], keys: list[str],
                        params: Mapping[str, Mapping[str, Any]]) -> dict[str, pd.DataFrame]:
    """The engine step of every frame, run on each part of the procedures and summed.

    The rule indicators' sums are additive over disjoint sets of procedures.
    The frames that custom indicators read are gathered from the parts (with
    only the columns they read) into ``frames``, where the custom indicators
    then run on the whole.
    """
    gkeys = list(dict.fromkeys([*keys, "buyer_id"]))
    parted = [f for f in by_frame if f in PARTED]
    gather = {m.frame: _custom_columns(customs, m.frame, keys)
              for m in (i.measure for i in customs) if m.frame in PARTED}
    pieces: dict[str, list[pd.DataFrame]] = {f: [] for f in parted}
    for k in range(parts):
        part = frames.part(k, parts)
        try:
            for f in parted:
                pieces[f].append(aggregate_rules(part, f, by_frame[f], keys, params))
            for f, cols in gather.items():
                frames.gather(f, part, cols)
        finally:
            part.close()
    out = {f: pd.concat(p, ignore_index=True).groupby(gkeys, sort=False, as_index=False)
           .sum() for f, p in pieces.items()}
    for f, group in by_frame.items():
        if f not in out:
            out[f] = aggregate_rules(frames, f, group, keys, params)
    return out


def _resolve_ids(ids: str | Sequence[str]) -> list[str]:
    return registry.resolve(ids)


def compute(ids: str | Sequence[str], data: Dataset | str | Path,
            by: str | Sequence[str] | None = None, engine: str = "auto",
            thresholds: str | Path | Mapping[str, Any] | None = None,
            min_coverage: float = MIN_COVERAGE, max_flag_share: float = MAX_FLAG_SHARE,
            min_measurable_coverage: float = MIN_MEASURABLE_COVERAGE,
            data_limit_flag_share: float = DATA_LIMIT_FLAG_SHARE) -> IndicatorResult:
    """Compute indicators of the catalogue.

    Parameters
    ----------
    ids : str or sequence of str
        Indicator ids, a family prefix such as ``"SMS-"`` or ``"KEINO-INNOV-"``,
        or ``"all"``.
    data : Dataset or path
        Canonical tables, or a directory of canonical Parquet files (read by
        DuckDB by default).
    by : str or sequence of str, optional
        Breakdown columns (see :data:`~keino_metrics.indicators.frames.BY_COLUMNS`).
    engine : str
        ``auto`` (DuckDB for a directory or large data, pandas otherwise),
        ``pandas``, ``polars``, ``duckdb`` or ``pyspark``.
    thresholds : path or mapping, optional
        Overrides of targets, traffic-light thresholds and definition
        parameters (layout of ``keino_metrics/data/indicators/thresholds.yaml``).
    min_coverage : float
        Coverage below which a row carries a warning.
    max_flag_share : float
        Share of flagged units above which a red flag carries a warning.
    min_measurable_coverage : float
        Coverage below which a row is not measurable (value and light null).
    data_limit_flag_share : float
        Share of flagged units at or above which a risk flag is a data limit.

    Returns
    -------
    IndicatorResult
    """
    id_list = _resolve_ids(ids)
    keys = normalise_by(by)
    settings = resolve_thresholds(thresholds, known_ids=set(registry.ids()))
    inds = [registry.get(i) for i in id_list]
    spend_keys = [k for k in keys if k in SPEND_ONLY_BY]
    if spend_keys and any(i.measure.frame != "spend" for i in inds):
        raise ValueError(f"breakdown {spend_keys} exists only for the spend indicators "
                         "(SPEND-*); compute the others without it")
    params = {ind.id: {**ind.params, **settings.get(ind.id, {}).get("params", {})}
              for ind in inds}
    frames = load_frames(data, engine)
    pieces = []
    by_frame: dict[str, list[Indicator]] = {}
    for ind in inds:
        if isinstance(ind.measure, (Ratio, Total)):
            by_frame.setdefault(ind.measure.frame, []).append(ind)
    needed = _lot_result_columns(inds, by_frame, keys, params)
    if needed is not None:
        frames.keep["lot_results"] = needed
    for frame in ("notices", "procedures"):
        cols = _frame_columns(by_frame.get(frame, []), keys, params)
        custom = _custom_columns(inds, frame, keys)
        if cols is not None and custom is not None:
            frames.keep[frame] = cols | custom
    customs = [i for i in inds if isinstance(i.measure, Custom)]
    parts = frames.parts() if any(f in PARTED for f in
                                  [*by_frame, *(i.measure.frame for i in customs)]) else 1
    if parts > 1:
        aggs = _aggregate_in_parts(frames, parts, by_frame, customs, keys, params)
    else:
        aggs = {frame: aggregate_rules(frames, frame, group, keys, params)
                for frame, group in by_frame.items()}
    for frame, group in by_frame.items():
        agg = aggs[frame]
        sums = _group_sums(agg, keys)
        for ind in group:
            pieces.append((ind, _finish_rule_indicator(ind, agg, keys, sums)))
    for ind in inds:
        if isinstance(ind.measure, Custom):
            df = ind.measure.function(frames, ind, keys, params[ind.id])
            if keys:  # engines return groups in any order; rule results are sorted
                df = df.sort_values(keys, kind="stable", na_position="first",
                                    ignore_index=True)
            pieces.append((ind, df))
    order = {i: k for k, i in enumerate(id_list)}
    pieces.sort(key=lambda p: order[p[0].id])
    rows = []
    for ind, df in pieces:
        df = df.copy()
        s = settings.get(ind.id, {})
        df.insert(0, "indicator_id", ind.id)
        df["unit"] = ind.unit
        df["weighting"] = ind.weighting
        df["target"] = s.get("target", np.nan)
        df = assess(ind, df, frames.absent, s, min_measurable_coverage, data_limit_flag_share)
        if "warning" not in df:
            df["warning"] = None
        df["warning"] = _warnings(ind, df, frames.absent, min_coverage, max_flag_share)
        rows.append(df)
    frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    for k in keys:
        if k == "year":
            frame[k] = frame[k].astype("Int64").where(frame[k] != -1, pd.NA)
        else:
            frame[k] = frame[k].astype(object).where(frame[k] != MISSING, None)
    cols = ["indicator_id", *keys, *RESULT_COLUMNS, *STATUS_COLUMNS]
    for c in cols:
        if c not in frame:
            frame[c] = np.nan
    frame = frame[cols]
    for c in ("value", "numerator", "denominator", "n_eligible", "excluded", "coverage",
              "ci_low", "ci_high", "target"):
        frame[c] = frame[c].astype(float)
    frame["n_eligible"] = frame["n_eligible"].round().astype("Int64")
    frame["excluded"] = frame["excluded"].round().astype("Int64")
    for c in ("warning", "light", *STATUS_COLUMNS):  # None, never NaN, where there is none
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return IndicatorResult(frame=frame, by=tuple(keys), engine=frames.engine,
                           ids=tuple(id_list), thresholds=settings)
