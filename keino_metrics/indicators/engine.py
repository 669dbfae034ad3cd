"""Engine sessions: the canonical tables opened on pandas, Polars, DuckDB or PySpark.

:func:`open_tables` brings a dataset (or a directory of canonical Parquet
files) onto one engine as narwhals LazyFrames with the declared column types,
adding the optional columns a source lacks as nulls (and naming them), and
opens the engine's session (a DuckDB connection with its spill directory, a
Spark session). :mod:`keino_metrics.indicators.frames` builds the unit frames
on top of these tables.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pyarrow as pa

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset, verify_folder
from keino_metrics.indicators.codes import SURVEY_ITEMS
from keino_metrics.table_cache import TableCache

__all__ = ["ARROW_TYPES", "ENGINES", "OPTIONAL_COLUMNS", "open_tables", "to_arrow", "survey_frame",
           "column_kinds"]

#: Engines the indicators run on.
ENGINES = ("pandas", "polars", "duckdb", "pyspark")

#: Optional (non-canonical) columns the catalogue uses when a reader provides them.
OPTIONAL_COLUMNS: dict[str, dict[str, str]] = {
    "lots": {"submission_deadline": "date", "accessibility": "codes"},
    "awards": {"cvd_vehicles": "float", "cvd_vehicles_clean": "float",
               "lowest_tender_value_eur": "float", "highest_tender_value_eur": "float"},
    "notices": {"central_purchasing_body": "bool"},
    "buyers": {"registration_number": "str"},
}

ARROW_TYPES = {"id": pa.string(), "str": pa.string(), "code": pa.string(),
          "codes": pa.list_(pa.string()), "date": pa.timestamp("us"), "float": pa.float64(),
          "int": pa.int64(), "bool": pa.bool_()}


def column_kinds(table: str, columns: list[str]) -> dict[str, str]:
    """Declared kinds (data model or optional columns) of ``columns`` of ``table``."""
    declared = {c.name: c.kind for c in datamodel.columns(table)} if table in datamodel.TABLES \
        else {}
    declared.update(OPTIONAL_COLUMNS.get(table, {}))
    return {c: declared[c] for c in columns if c in declared}


def to_arrow(table: str, df: pd.DataFrame) -> pa.Table:
    """Arrow table with the declared types (lists of codes as ``list<string>``)."""
    kinds = column_kinds(table, list(df.columns))
    arrays, names = [], []
    for col in df.columns:
        kind = kinds.get(col)
        s = df[col]
        if kind == "codes":
            vals = [None if v is None or (isinstance(v, float) and pd.isna(v))
                    else [str(x) for x in v] for v in s.tolist()]
            arr = pa.array(vals, type=ARROW_TYPES["codes"])
        elif kind is not None:
            arr = pa.array(s.astype(object).where(s.notna(), None).tolist()
                           if kind in ("id", "str", "code", "bool", "int") else
                           s, type=ARROW_TYPES[kind], from_pandas=True)
        else:
            try:
                arr = pa.array(s, from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                arr = pa.array(s.astype(str).where(s.notna(), None), type=pa.string())
        arrays.append(arr)
        names.append(col)
    return pa.Table.from_arrays(arrays, names=names)


_SURVEY_KINDS = {"unit": "id", "year": "int", **{c: "float" for c in SURVEY_ITEMS}}
#: Breakdown columns a survey does not have (added as nulls).
_SURVEY_NULLS = ("quarter", "cpv_division", "contract_nature", "procedure_type")
_SQL = {"codes": "VARCHAR[]", "date": "TIMESTAMP", "bool": "BOOLEAN", "float": "DOUBLE",
        "int": "BIGINT", "id": "VARCHAR", "str": "VARCHAR", "code": "VARCHAR"}


def _optional(name: str) -> dict[str, str]:
    if name == "capability_survey":
        return {**{c: "float" for c in SURVEY_ITEMS}, **{c: "str" for c in _SURVEY_NULLS}}
    return OPTIONAL_COLUMNS.get(name, {})


def survey_frame(data: Dataset) -> pd.DataFrame:
    if "capability_survey" in data.extra:
        s = data.extra["capability_survey"]
        if "unit" not in s.columns and "buyer_id" in s.columns:
            s = s.rename(columns={"buyer_id": "unit"})
        return s
    return pd.DataFrame({c: pd.Series(dtype="float64" if k == "float" else
                                      ("Int64" if k == "int" else "str"))
                         for c, k in _SURVEY_KINDS.items()})


def _with_optional(name: str, table: pa.Table, absent: set[str]) -> pa.Table:
    for col, kind in _optional(name).items():
        if col not in table.column_names:
            if name != "capability_survey":
                absent.add(f"{name}.{col}")
            table = table.append_column(col, pa.nulls(len(table), type=ARROW_TYPES[kind]))
    return table


#: Arrow tables of the last datasets opened from memory, by the identity of their
#: tables: a report's several ``compute`` calls on one dataset convert it once.
_ARROW: TableCache[tuple[dict[str, pa.Table], frozenset[str]]] = TableCache(2)


def _arrow_tables(data: Dataset, absent: set[str]) -> dict[str, pa.Table]:
    """:func:`_prepare_pandas_tables`, once per dataset (Arrow tables are immutable)."""
    def convert() -> tuple[dict[str, pa.Table], frozenset[str]]:
        found: set[str] = set()
        return _prepare_pandas_tables(data, found), frozenset(found)

    sources = [getattr(data, n) for n in ("buyers", "notices", "lots", "awards",
                                          "hilma_statistics")]
    if "capability_survey" in data.extra:
        sources.append(data.extra["capability_survey"])
    tables, found = _ARROW.get(sources, "arrow", convert)
    absent.update(found)
    return dict(tables)


def _prepare_pandas_tables(data: Dataset, absent: set[str]) -> dict[str, pa.Table]:
    out = {}
    for name in ("buyers", "notices", "lots", "awards", "hilma_statistics"):
        out[name] = _with_optional(name, to_arrow(name, getattr(data, name)), absent)
    survey = survey_frame(data)
    arr = []
    for c in survey.columns:
        k = _SURVEY_KINDS.get(c)
        s = survey[c]
        arr.append(pa.array(s.astype(object).where(s.notna(), None).tolist(), type=ARROW_TYPES[k])
                   if k else pa.array(s, from_pandas=True))
    out["capability_survey"] = _with_optional(
        "capability_survey", pa.Table.from_arrays(arr, names=list(survey.columns)), absent)
    return out


#: DuckDB settings: insertion order is not needed (every result is sorted later),
#: which lets DuckDB stream and spill instead of buffering; with a memory limit
#: the materialised unit frames are swapped out to the temporary directory.
#: ``KEINO_DUCKDB_MEMORY`` overrides the limit. Joins run in the order the frames
#: write them, each hash table built on the joined (lookup) side: DuckDB's own
#: choice, guided by row estimates that miss the award filter by a factor of
#: 25, built its hash tables on the growing wide side instead, which needed
#: three times the memory and stopped with an out-of-memory error at 2.5 million
#: lot results (docs/indicators.md, "Performance").
_DUCKDB_CONFIG = {"preserve_insertion_order": False,
                  "memory_limit": os.environ.get("KEINO_DUCKDB_MEMORY", "3GB"),
                  "disabled_optimizers": "build_side_probe_side,join_order"}


def _duckdb_connect():
    """An in-memory DuckDB connection that spills to a temporary directory."""
    tmp = tempfile.TemporaryDirectory(prefix="keino-duckdb-")
    con = duckdb.connect(":memory:", config={**_DUCKDB_CONFIG, "temp_directory": tmp.name})
    con.execute("SET enable_progress_bar = false")
    return con, tmp


_SPARK = {"codes": "array<string>", "date": "timestamp", "bool": "boolean",
          "float": "double", "int": "bigint", "id": "string", "str": "string",
          "code": "string"}


def _spark_tables(spark, d: Path, absent: set[str]) -> dict[str, nw.LazyFrame]:
    """Canonical Parquet files read by Spark itself (no data through the driver)."""
    from pyspark.sql import functions as F  # optional dependency (extra "spark")

    tables = {}
    for name in ("buyers", "notices", "lots", "awards", "hilma_statistics",
                 "capability_survey"):
        p = d / f"{name}.parquet"
        if p.exists():
            sdf = spark.read.parquet(str(p))
        else:
            sdf = spark.createDataFrame(_prepare_pandas_tables(Dataset(), set())[name])
        if name == "capability_survey" and "unit" not in sdf.columns \
                and "buyer_id" in sdf.columns:
            sdf = sdf.withColumnRenamed("buyer_id", "unit")
        declared = {} if name == "capability_survey" else {
            c.name: c.kind for c in datamodel.columns(name)}
        types = dict(sdf.dtypes)
        for c, k in {**declared, **_optional(name)}.items():
            if c in types and k == "codes" and not types[c].startswith("array"):
                # an all-null column written without a list type cannot hold codes
                sdf = sdf.withColumn(c, F.lit(None).cast(_SPARK[k]))
            elif c in types:
                sdf = sdf.withColumn(c, F.col(c).cast(_SPARK[k]))
            else:
                if name != "capability_survey" and c in _optional(name):
                    absent.add(f"{name}.{c}")
                sdf = sdf.withColumn(c, F.lit(None).cast(_SPARK[k]))
        tables[name] = nw.from_native(sdf).lazy()
    return tables


def _spark_session():
    from pyspark.sql import SparkSession  # optional dependency (extra "spark")

    # a local session: a few shuffle partitions per core instead of Spark's 200,
    # which are meant for a cluster and make every small aggregation slow
    return (SparkSession.builder.master("local[2]").appName("keino-metrics")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4").getOrCreate())


def open_tables(data: Dataset | str | Path, engine: str = "auto", large: int = 500_000
                ) -> tuple[str, dict[str, nw.LazyFrame], set[str], Any, Any]:
    """The canonical tables of ``data`` on ``engine`` (see :func:`frames.load_frames`).

    Returns
    -------
    tuple
        The engine chosen, the tables as LazyFrames by name, the optional
        columns absent from the data (``"table.column"``), the engine's session
        (DuckDB connection or Spark session, else ``None``) and what keeps the
        session's spill directory alive.
    """
    if engine not in (*ENGINES, "auto"):
        raise ValueError(f"unknown engine {engine!r}; use auto or one of {', '.join(ENGINES)}")
    is_dir = isinstance(data, (str, Path))
    if is_dir and not Path(data).is_dir():
        raise FileNotFoundError(f"{data}: not a directory of canonical Parquet tables")
    if is_dir:
        verify_folder(data)  # a complete write, not an interrupted or mixed one
    if engine == "auto":
        engine = "duckdb" if is_dir or len(data.awards) > large else "pandas"
    absent: set[str] = set()
    con = None
    keep = None
    tables: dict[str, nw.LazyFrame] = {}
    if is_dir and engine == "duckdb":
        con, keep = _duckdb_connect()
        d = Path(data)
        for name in ("buyers", "notices", "lots", "awards", "hilma_statistics",
                     "capability_survey"):
            p = d / f"{name}.parquet"
            if p.exists():
                rel = con.read_parquet(str(p))
                casts = []
                kinds = (column_kinds(name, rel.columns) if name != "capability_survey"
                         else {c: k for c, k in _SURVEY_KINDS.items() if c in rel.columns})
                alias_unit = (name == "capability_survey" and "unit" not in rel.columns
                              and "buyer_id" in rel.columns)
                if alias_unit:
                    casts.append('CAST("buyer_id" AS VARCHAR) AS "unit"')
                for c in rel.columns:
                    if alias_unit and c == "buyer_id":
                        continue
                    sqltype = _SQL.get(kinds.get(c))
                    casts.append(f'CAST("{c}" AS {sqltype}) AS "{c}"' if sqltype
                                 else f'"{c}"')
                declared = {} if name == "capability_survey" else {
                    c.name: c.kind for c in datamodel.columns(name)}
                for c, k in declared.items():
                    if c not in rel.columns:
                        casts.append(f'CAST(NULL AS {_SQL[k]}) AS "{c}"')
                for c, k in _optional(name).items():
                    if c not in rel.columns:
                        if name != "capability_survey":
                            absent.add(f"{name}.{c}")
                        casts.append(f'CAST(NULL AS {_SQL[k]}) AS "{c}"')
                rel = rel.project(", ".join(casts))
                tables[name] = nw.from_native(rel).lazy()
            else:
                arrow = _prepare_pandas_tables(Dataset(), set())[name]
                if name != "capability_survey":
                    absent.update(f"{name}.{c}" for c in _optional(name))
                tables[name] = nw.from_native(con.from_arrow(arrow)).lazy()
    elif is_dir and engine == "pyspark":
        con = _spark_session()
        tables = _spark_tables(con, Path(data), absent)
    else:
        if is_dir:
            data = Dataset.from_parquet(data)
        arrow = _arrow_tables(data, absent)
        if engine == "pandas":
            tables = {k: nw.from_native(v.to_pandas(types_mapper=pd.ArrowDtype)).lazy()
                      for k, v in arrow.items()}
        elif engine == "polars":
            tables = {k: nw.from_native(pl.from_arrow(v)).lazy() for k, v in arrow.items()}
        elif engine == "duckdb":
            con, keep = _duckdb_connect()
            tables = {k: nw.from_native(con.from_arrow(v)).lazy() for k, v in arrow.items()}
        else:  # pyspark
            con = _spark_session()
            # pyspark >= 4 takes Arrow tables with their types (all-null columns too)
            tables = {k: nw.from_native(con.createDataFrame(v)).lazy()
                      for k, v in arrow.items()}
    return engine, tables, absent, con, keep
