"""The :class:`Dataset`: the canonical tables of one body of procurement data.

A dataset is what readers return, what :mod:`keino_metrics.validation` checks,
what the indicator catalogue computes on and what is written to
``data/processed`` as Parquet (one file per table). It is immutable: methods
that change something return a new dataset.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import pandas as pd

from keino_metrics import datamodel

__all__ = ["Dataset", "ACCOUNTING_COLUMNS", "latest_complete_year", "MANIFEST", "verify_folder",
           "check_target"]

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
    def to_parquet(self, directory: str | Path, *, overwrite: bool = False) -> Path:
        """Write every table to ``directory/<table>.parquet``, atomically.

        Also writes ``accounting.parquet``, extra tables, ``provenance.json``
        and, last, ``manifest.json`` (:data:`MANIFEST`: every file with its
        table, rows and SHA-256), which :meth:`from_parquet` requires. All of
        it is written into a temporary sibling folder that is renamed into
        place when complete, so an interrupted write never leaves a folder
        that reads as a dataset, and an existing folder is replaced whole,
        never mixed with the new tables.

        Parameters
        ----------
        directory : str or Path
            Target folder. It may be missing or empty.
        overwrite : bool
            Replace a ``directory`` that already holds files.

        Returns
        -------
        pathlib.Path
            The directory.

        Raises
        ------
        FileExistsError
            When ``directory`` holds files and ``overwrite`` is false, or is
            not a folder.
        """
        d = Path(directory)
        check_target(d, overwrite)
        d.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{d.name}.tmp-", dir=d.parent))
        try:
            files: dict[str, dict[str, object]] = {}
            frames = {**self.tables(), "accounting": self.accounting, **dict(self.extra)}
            for name, df in frames.items():
                f = tmp / f"{name}.parquet"
                df.to_parquet(f, index=False)
                files[f.name] = {"table": name, "rows": int(len(df)), "sha256": _sha256(f)}
            prov = tmp / "provenance.json"
            prov.write_text(json.dumps(dict(self.provenance), indent=2, sort_keys=True,
                                       default=str) + "\n", encoding="utf-8")
            files[prov.name] = {"sha256": _sha256(prov)}
            manifest = {"format": MANIFEST_FORMAT, "files": files}
            with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            _swap_into_place(tmp, d)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return d

    @classmethod
    def from_parquet(cls, directory: str | Path) -> Dataset:
        """Read a dataset written by :meth:`to_parquet` (or by the demo generator).

        The folder's ``manifest.json`` is required and checked first
        (:func:`verify_folder`): every file it lists must be there with its
        SHA-256 and row count, and no other ``*.parquet`` file may be beside
        them. Canonical tables that are missing are empty; any other table
        becomes an extra table.

        Raises
        ------
        FileNotFoundError
            When ``directory`` is not a folder.
        ValueError
            When the manifest is missing or does not match the files (an
            interrupted or mixed write).
        """
        d = Path(directory)
        manifest = verify_folder(d)
        kwargs: dict[str, object] = {}
        extra: dict[str, pd.DataFrame] = {}
        for fname, entry in sorted(manifest["files"].items()):
            if "table" not in entry:
                continue
            name = entry["table"]
            df = pd.read_parquet(d / fname)
            if len(df) != entry["rows"]:
                raise ValueError(f"{d / fname}: {len(df):,} rows, the manifest says "
                                 f"{entry['rows']:,}")
            if name in datamodel.TABLES:
                kwargs[name] = datamodel.conform(name, df)
            elif name == "accounting":
                kwargs[name] = df
            else:
                extra[name] = df
        prov = d / "provenance.json"
        kwargs["provenance"] = json.loads(prov.read_text(encoding="utf-8")) if prov.exists() else {}
        return cls(**kwargs, extra=extra)


#: Name of the file that lists a dataset folder's tables, rows and hashes.
MANIFEST = "manifest.json"
MANIFEST_FORMAT = "keino-metrics canonical tables 1"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_folder(directory: str | Path) -> dict:
    """Check a folder of canonical Parquet tables against its manifest.

    Every file the manifest lists must exist with the recorded SHA-256, and
    no ``*.parquet`` file may be there that it does not list. Engines that
    read the Parquet files directly call this first.

    Returns
    -------
    dict
        The manifest (``files``: file name -> ``table``, ``rows``, ``sha256``).

    Raises
    ------
    FileNotFoundError
        When ``directory`` is not a folder.
    ValueError
        When the manifest is missing, unreadable or does not match.
    """
    d = Path(directory)
    if not d.is_dir():
        raise FileNotFoundError(f"{d}: not a directory of canonical Parquet tables")
    m = d / MANIFEST
    if not m.is_file():
        raise ValueError(f"{d}: no {MANIFEST}; not a complete dataset written by "
                         "Dataset.to_parquet or keino ingest (an interrupted write, or tables "
                         "put there by hand)")
    try:
        manifest = json.loads(m.read_text(encoding="utf-8"))
        files = manifest["files"]
        if manifest.get("format") != MANIFEST_FORMAT or not isinstance(files, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError, OSError):
        raise ValueError(f"{m}: not a manifest of canonical tables") from None
    for fname, entry in files.items():
        f = d / fname
        if Path(fname).name != fname or not f.is_file():
            raise ValueError(f"{d}: {fname}, listed in {MANIFEST}, is missing")
        if _sha256(f) != entry.get("sha256"):
            raise ValueError(f"{f}: content differs from {MANIFEST} (changed or partly "
                             "written)")
    unlisted = sorted(p.name for p in d.glob("*.parquet") if p.name not in files)
    if unlisted:
        raise ValueError(f"{d}: {', '.join(unlisted)} not listed in {MANIFEST} (tables "
                         "from another write)")
    return manifest


def check_target(directory: str | Path, overwrite: bool = False) -> None:
    """Raise ``FileExistsError`` unless ``directory`` may receive a dataset.

    It may when it is missing, an empty folder, or a folder and ``overwrite``
    is true; the nearest existing parent must be a folder.
    """
    d = Path(directory)
    if d.exists() or d.is_symlink():
        if not d.is_dir() or d.is_symlink():
            raise FileExistsError(f"{d}: exists and is not a folder")
        if not overwrite and any(d.iterdir()):
            raise FileExistsError(f"{d}: the folder is not empty; choose another or "
                                  "replace it whole (overwrite=True, keino ingest "
                                  "--overwrite)")
    for parent in d.parents:
        if parent.exists():
            if not parent.is_dir():
                raise FileExistsError(f"{d}: {parent} is not a folder")
            break


def _swap_into_place(tmp: Path, d: Path) -> None:
    """Rename the complete folder ``tmp`` to ``d``, replacing ``d`` whole."""
    if not d.exists():
        os.replace(tmp, d)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{d.name}.old-", dir=d.parent))
    os.replace(d, old / d.name)
    try:
        os.replace(tmp, d)
    except OSError:
        os.replace(old / d.name, d)  # put the earlier folder back
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def latest_complete_year(data: Dataset) -> int:
    """The latest year whose notices reach December (else the latest year with notices).

    The default year of the reports and of the site.

    Raises
    ------
    ValueError
        If no notice has a publication date.
    """
    dates = data.notices["publication_date"].dropna()
    if dates.empty:
        raise ValueError("the data hold no dated notices, so no year can be chosen")
    dates = dates.astype("datetime64[us]")
    december = sorted(set(dates[dates.dt.month == 12].dt.year.astype(int)))
    return december[-1] if december else int(dates.dt.year.max())
