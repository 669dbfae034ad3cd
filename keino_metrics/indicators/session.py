"""The engine session of a computation: running queries and the temporary tables they leave.

A :class:`Session` holds the canonical tables on one engine (pandas, Polars,
DuckDB or PySpark, opened by :func:`keino_metrics.indicators.engine.open_tables`)
and does what differs between engines: running a lazy query into pandas,
computing a frame once for several queries (a DuckDB table, a Spark cache, a
collected frame), adding typed null columns, and dropping the DuckDB tables
and files it created when the computation is done.

Hand-written because narwhals abstracts the queries but not the lifetime of
what an engine stores.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd
import pyarrow as pa

from keino_metrics.indicators.engine import ARROW_TYPES

__all__ = ["Session", "TABLE_NUMBERS"]

#: Numbers that make the names of stored tables and files unique in a process.
TABLE_NUMBERS = itertools.count(1)

#: The narwhals types of the kinds that unit frames add as null columns.
_NARWHALS = {"str": nw.String(), "date": nw.Datetime("us"), "int": nw.Int64(),
             "bool": nw.Boolean()}


@dataclass
class Session:
    """Canonical tables on one engine, and what the engine stored for them.

    Parameters
    ----------
    engine : str
        ``pandas``, ``polars``, ``duckdb`` or ``pyspark``.
    tables : mapping
        Canonical tables (and ``capability_survey``) as narwhals LazyFrames.
    absent : frozenset of str
        Optional ``table.column`` names that the data does not carry.
    con : object
        The DuckDB connection or Spark session, when used.
    workdir : object
        The temporary directory of the DuckDB connection (files written there
        are removed by :meth:`close`).
    """

    engine: str
    tables: Mapping[str, nw.LazyFrame]
    absent: frozenset[str]
    con: Any = None
    workdir: Any = None
    created: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def collect(self, lf: nw.LazyFrame) -> pd.DataFrame:
        """Run a lazy query and return a pandas frame."""
        with warnings.catch_warnings():
            # narwhals' pandas group-by inserts aggregated columns one by one; the
            # warning is about speed, which the benchmarks measure
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            return lf.collect(backend="pandas").to_native()

    def materialise(self, lf: nw.LazyFrame, name: str) -> nw.LazyFrame:
        """Compute a frame once so that several queries can reuse it."""
        if self.engine == "duckdb":
            return nw.from_native(self.store(lf.to_native(), name)).lazy()
        if self.engine == "pyspark":
            return nw.from_native(lf.to_native().cache()).lazy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            return lf.collect().lazy()

    def store(self, rel: Any, name: str) -> Any:
        """A DuckDB relation stored as a table that :meth:`close` drops."""
        tname = f"km_{name}_{next(TABLE_NUMBERS)}"
        rel.create(tname)
        self.created.append(tname)
        return self.con.table(tname)

    def drop_last(self) -> None:
        """Drop the table stored last."""
        self.con.execute(f'DROP TABLE "{self.created.pop()}"')

    def new_file(self, stem: str) -> Path:
        """A path in the connection's temporary directory that :meth:`close` removes."""
        path = Path(self.workdir.name) / f"{stem}_{next(TABLE_NUMBERS)}.parquet"
        self.files.append(str(path))
        return path

    def has(self, column: str) -> bool:
        """Whether ``table.column`` is present in the data."""
        return column not in self.absent

    def with_nulls(self, lf: nw.LazyFrame, kinds: Mapping[str, str]) -> nw.LazyFrame:
        """``lf`` with all-null columns of the given kinds (name: ``str``, ``bool``,
        ``int`` or ``date``).

        narwhals' pandas backend types a literal through NumPy, which has no
        null integer (``lit(None, Int64)`` raises) and turns a null boolean
        into ``False``; the pandas tables here are Arrow-backed, so on pandas
        the nulls are Arrow arrays of the kind's type, as a join would bring.
        """
        if self.engine != "pandas":
            return lf.with_columns(*[nw.lit(None, _NARWHALS[k]).alias(c)
                                     for c, k in kinds.items()])
        df = lf.to_native()
        nulls = {c: pd.Series(pd.arrays.ArrowExtensionArray(pa.nulls(len(df), ARROW_TYPES[k])),
                              index=df.index) for c, k in kinds.items()}
        return nw.from_native(df.assign(**nulls)).lazy()

    def close(self) -> None:
        """Drop the DuckDB tables and remove the files this session stored."""
        for t in self.created:
            self.con.execute(f'DROP TABLE IF EXISTS "{t}"')
        self.created.clear()
        for f in self.files:
            Path(f).unlink(missing_ok=True)
        self.files.clear()
