"""The :class:`Dataset`: the canonical tables of one body of procurement data.

A dataset is what readers return, what :mod:`keino_metrics.validation` checks,
what the indicator catalogue computes on and what is written to
``data/processed`` as Parquet (one file per table). It is immutable: methods
that change something return a new dataset.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import pandas as pd

from keino_metrics import datamodel

__all__ = ["Dataset", "ACCOUNTING_COLUMNS"]

#: Columns of :attr:`Dataset.accounting`: one row per input (file or table).
ACCOUNTING_COLUMNS = ("input", "source", "unit", "rows_in", "rows_accepted", "rows_quarantined",
                      "field_issues")


def _empty(name: str):
    return field(default_factory=lambda: datamodel.empty(name))


@dataclass(frozen=True)
class Dataset:
    """Canonical procurement tables with their quarantine and accounting.

    Attributes
    ----------
    buyers, notices, lots, awards, hilma_statistics, programme_participation
        The canonical tables (see ``docs/data-model.md``).
    spend : pandas.DataFrame
        Purchase-invoice rows: what was actually paid, by buyer, supplier,
        date and account (see ``docs/spend.md``).
    quarantine : pandas.DataFrame
        Records that could not be used: ``source_file``, ``record``, ``field``,
        ``reason``.
    field_issues : pandas.DataFrame
        Odd values of records that were kept: ``source_file``, ``record``,
        ``field``, ``value``, ``action`` (kept raw, nulled, normalised,
        ignored) and ``reason``.
    accounting : pandas.DataFrame
        One row per input with ``rows_in = rows_accepted + rows_quarantined``
        and the number of ``field_issues`` of its kept records.
    extra : Mapping[str, pandas.DataFrame]
        Non-canonical tables that travel with the data (for example the demo
        generator's ``lot_truth`` or a ``capability_survey``).
    provenance : Mapping[str, object]
        Where the data came from (paths, hashes, generator parameters).
    """

    buyers: pd.DataFrame = _empty("buyers")
    notices: pd.DataFrame = _empty("notices")
    lots: pd.DataFrame = _empty("lots")
    awards: pd.DataFrame = _empty("awards")
    hilma_statistics: pd.DataFrame = _empty("hilma_statistics")
    programme_participation: pd.DataFrame = _empty("programme_participation")
    spend: pd.DataFrame = _empty("spend")
    quarantine: pd.DataFrame = _empty("quarantine")
    field_issues: pd.DataFrame = _empty("field_issues")
    accounting: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(ACCOUNTING_COLUMNS)))
    extra: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    provenance: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # accounting written before field-level issues were counted has none
        if len(self.accounting.columns) and "field_issues" not in self.accounting:
            object.__setattr__(self, "accounting", self.accounting.assign(field_issues=0))

    # -- access -------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """The canonical tables by name (including ``quarantine``).

        Optional tables (:data:`keino_metrics.datamodel.OPTIONAL_TABLES`, such as
        ``spend``) are included only when they have rows.
        """
        return {name: getattr(self, name) for name in datamodel.TABLE_NAMES
                if name not in datamodel.OPTIONAL_TABLES or len(getattr(self, name))}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name in datamodel.TABLES:
            return getattr(self, name)
        if name == "accounting":
            return self.accounting
        return self.extra[name]

    def replace(self, **changes) -> Dataset:
        """A copy with some tables replaced (``dataset.replace(lots=new_lots)``)."""
        return replace(self, **changes)

    # -- combination --------------------------------------------------------
    @classmethod
    def concat(cls, parts: Iterable[Dataset]) -> Dataset:
        """Stack datasets table by table (inputs read from several files)."""
        parts = list(parts)
        if not parts:
            return cls()
        out = {}
        for f in fields(cls):
            if f.name in datamodel.TABLES or f.name == "accounting":
                frames = [getattr(p, f.name) for p in parts if len(getattr(p, f.name))]
                out[f.name] = (pd.concat(frames, ignore_index=True) if frames
                               else getattr(parts[0], f.name))
        extra: dict[str, list[pd.DataFrame]] = {}
        for p in parts:
            for k, v in p.extra.items():
                extra.setdefault(k, []).append(v)
        out["extra"] = {k: pd.concat(v, ignore_index=True) for k, v in extra.items()}
        prov: dict[str, object] = {}
        for p in parts:
            for k, v in p.provenance.items():
                prov.setdefault(k, v)
        out["provenance"] = prov
        return cls(**out)

    # -- summaries ----------------------------------------------------------
    def accounting_summary(self) -> pd.DataFrame:
        """Totals of :attr:`accounting` by source and unit, with a balance check."""
        a = self.accounting
        if a.empty:
            return pd.DataFrame(columns=["source", "unit", "inputs", "rows_in", "rows_accepted",
                                         "rows_quarantined", "field_issues", "balanced"])
        g = (a.groupby(["source", "unit"], as_index=False)
             .agg(inputs=("input", "count"), rows_in=("rows_in", "sum"),
                  rows_accepted=("rows_accepted", "sum"),
                  rows_quarantined=("rows_quarantined", "sum"),
                  field_issues=("field_issues", "sum")))
        g["balanced"] = g["rows_in"] == g["rows_accepted"] + g["rows_quarantined"]
        return g

    def summary(self) -> str:
        """A short text description: rows per table and the accounting."""
        lines = ["Dataset"]
        for name, df in self.tables().items():
            lines.append(f"  {name:<24}{len(df):>10,} rows")
        for name, df in self.extra.items():
            lines.append(f"  {name + ' (extra)':<24}{len(df):>10,} rows")
        acc = self.accounting_summary()
        if len(acc):
            lines.append("Accounting (rows in = accepted + quarantined; field-level issues)")
            for r in acc.itertuples():
                ok = "ok" if r.balanced else "UNBALANCED"
                lines.append(f"  {r.source:<12}{r.unit:<10}{r.rows_in:>9,} = "
                             f"{r.rows_accepted:,} + {r.rows_quarantined:,}  [{ok}]; "
                             f"{int(r.field_issues):,} field-level issues")
        return "\n".join(lines)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(df)}" for n, df in self.tables().items())
        return f"Dataset({sizes})"

    # -- storage ------------------------------------------------------------
    def to_parquet(self, directory: str | Path) -> Path:
        """Write every table to ``directory/<table>.parquet``.

        Also writes ``accounting.parquet``, extra tables and
        ``provenance.json``. Returns the directory.
        """
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables().items():
            df.to_parquet(d / f"{name}.parquet", index=False)
        self.accounting.to_parquet(d / "accounting.parquet", index=False)
        for name, df in self.extra.items():
            df.to_parquet(d / f"{name}.parquet", index=False)
        (d / "provenance.json").write_text(
            json.dumps(dict(self.provenance), indent=2, sort_keys=True, default=str) + "\n",
            encoding="utf-8")
        return d

    @classmethod
    def from_parquet(cls, directory: str | Path) -> Dataset:
        """Read a dataset written by :meth:`to_parquet` (or by the demo generator).

        Canonical tables that are missing are empty; any other ``*.parquet``
        file becomes an extra table.
        """
        d = Path(directory)
        if not d.is_dir():
            raise FileNotFoundError(f"{d}: not a directory of canonical Parquet tables")
        kwargs: dict[str, object] = {}
        extra: dict[str, pd.DataFrame] = {}
        for p in sorted(d.glob("*.parquet")):
            name = p.stem
            df = pd.read_parquet(p)
            if name in datamodel.TABLES:
                df = datamodel.conform(name, df)
                kwargs[name] = df
            elif name == "accounting":
                kwargs[name] = df
            else:
                extra[name] = df
        prov = d / "provenance.json"
        kwargs["provenance"] = json.loads(prov.read_text(encoding="utf-8")) if prov.exists() else {}
        return cls(**kwargs, extra=extra)
