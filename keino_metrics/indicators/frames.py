"""Unit frames: the canonical tables joined into one row per unit of analysis.

The frames are built once per computation with narwhals expressions, so the
same code runs on pandas, Polars, DuckDB and PySpark:

``lot_results``
    One row per **awarded lot result**: a row of ``awards`` from a notice of
    type ``can`` whose winner was chosen (``winner_chosen`` true, or not
    reported while a winner is named). The year and quarter are those of the
    result notice's ``publication_date``. Lot attributes (CPV, nature,
    strategic fields, deadline) come from the result notice's own ``lots`` row
    for the same ``lot_id``; a field the result notice leaves empty is taken
    from the contract notices (``cn``) of the same procedure and lot, combined
    over several contract notices as *any* for flags and the largest value for
    the rest. Hilma answers are taken the same way (result notice first, then
    contract notice). Contract-notice lots are therefore never counted as lots
    of their own: they only complete the lot results, which avoids counting a
    lot once at the call and again at the award.
``notices``
    One row per published notice of any type, with the year of its
    publication date.
``procedures``
    One row per **procedure with at least one result notice**; its year is the
    year of the first result notice.
``survey``
    One row per survey response of a procuring unit (capability survey).
``spend``
    One row per purchase-invoice row, linked to the lot results
    (:mod:`keino_metrics.spend.frame`; built in pandas whatever the engine).
    Only this frame has the breakdown ``category`` (procurement category).

Breakdown columns carried by every frame: ``year``, ``quarter``, ``buyer_id``,
``legal_type``, ``buyer_group``, ``nuts3``, ``region_code``, ``cpv_division``,
``contract_nature``, ``procedure_type``, ``source``. ``nuts3`` is the place of
performance (BT-5071) when given, else the buyer's NUTS 3 code; ``region_code``
is the buyer's region. Text breakdowns that are not reported become the group
``(missing)`` during aggregation and ``None`` in results.

The tables come from :mod:`keino_metrics.indicators.engine` (the engine
session: types, optional columns, DuckDB or Spark session); the domain code
lists the frames read are in :mod:`keino_metrics.indicators.codes`.

Hand-written because no library knows the canonical tables; narwhals does the
engine abstraction.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd
import pyarrow as pa

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset
from keino_metrics.indicators.codes import (
    BUYER_GROUPS,
    ENV_CODES,
    SURVEY_ITEMS,
    env_flag,
)
from keino_metrics.indicators.engine import ARROW_TYPES, ENGINES, OPTIONAL_COLUMNS, open_tables

__all__ = ["Frames", "BY_COLUMNS", "ENGINES", "OPTIONAL_COLUMNS",
           "MISSING", "load_frames", "register_frame", "FRAME_BUILDERS"]

#: Columns a result can be broken down by.
BY_COLUMNS = ("year", "quarter", "buyer_id", "legal_type", "buyer_group", "nuts3",
              "region_code", "cpv_division", "contract_nature", "procedure_type", "source",
              "category")
#: Breakdown columns only the ``spend`` frame has.
SPEND_ONLY_BY = ("category",)
#: Unit frames built in pandas by other packages, by name (see :func:`register_frame`).
FRAME_BUILDERS: dict[str, Callable[[Frames], pd.DataFrame]] = {}


def register_frame(name: str, build: Callable[[Frames], pd.DataFrame]) -> None:
    """Let ``Frames.frame(name)`` build the unit frame ``name`` with ``build(frames)``.

    Packages whose frames need more than the canonical tables (the ``spend``
    frame needs the invoice-to-contract linker of :mod:`keino_metrics.spend`)
    register their builder here, so that this module does not import them.
    """
    FRAME_BUILDERS[name] = build


#: Group label used for a breakdown value that is not reported.
MISSING = "(missing)"

#: Code-list columns of ``lots`` that the frames read (through flags, see ``Frames._lot_flags``).
LOT_CODE_LISTS = ("strategic_procurement", "green_procurement", "social_objective",
                  "innovation", "gpp_criteria", "accessibility")
#: Columns of the canonical tables that the unit frames read (a part copies only these).
FRAME_INPUTS: dict[str, tuple[str, ...]] = {
    "notices": ("notice_id", "procedure_id", "notice_type", "publication_date", "buyer_id",
                "procedure_type", "source", "central_purchasing_body"),
    "lots": ("notice_id", "lot_id", "contract_nature", "cpv_main", "nuts3",
             "estimated_value_eur", "price_only_award", "sme_suitable", "framework_agreement",
             "submission_deadline", *LOT_CODE_LISTS),
    "awards": ("notice_id", "lot_id", "winner_chosen", "winner_id", "winner_size",
               "tenders_received", "sme_tenders_received", "awarded_value_eur",
               "decision_date", "cvd_vehicles", "cvd_vehicles_clean",
               "lowest_tender_value_eur", "highest_tender_value_eur"),
    "hilma_statistics": ("notice_id", "lot_id", *datamodel.HILMA_QUESTIONS),
}

#: Award rows per part when DuckDB computes the unit frames in parts (see
#: :meth:`Frames.parts`); ``KEINO_PART_ROWS`` overrides it.
PART_ROWS = int(os.environ.get("KEINO_PART_ROWS", "3000000"))
_TABLE_NUMBERS = itertools.count(1)
#: Identifier columns that a part replaces with 64-bit keys (see :meth:`Frames.part`),
#: and the columns of the part's notices that keep the identifiers meanwhile.
_PART_KEYS = ("notice_id", "procedure_id")
_REF = {"notice_id": "_notice_ref", "procedure_id": "_procedure_ref"}


def _key_sql(col: str) -> str:
    """SQL of the 64-bit key of an identifier column (null stays null)."""
    return f'CASE WHEN "{col}" IS NULL THEN NULL ELSE hash("{col}") END AS "{col}"'

L = nw.col


def day_number(col: str) -> nw.Expr:
    """Days since 1970-01-01 of a date column, from its calendar parts.

    Written with year/month/day and integer arithmetic (H. Hinnant's
    days-from-civil algorithm) because duration and epoch accessors are not
    available on every engine (PySpark, DuckDB); whole calendar days.
    """
    d = L(col)
    m = d.dt.month().cast(nw.Int64)
    y = d.dt.year().cast(nw.Int64) - (m <= 2).cast(nw.Int64)
    era = y // 400
    yoe = y - era * 400
    mp = m + 9 - 12 * ((m + 9) // 12)  # (m + 9) mod 12; mod is missing on Arrow-backed pandas
    doy = (153 * mp + 2) // 5 + d.dt.day().cast(nw.Int64) - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


#: The narwhals types of the kinds that unit frames add as null columns.
_NARWHALS = {"str": nw.String(), "date": nw.Datetime("us"), "int": nw.Int64(),
             "bool": nw.Boolean()}


@dataclass
class Frames:
    """Lazily built unit frames on one engine.

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
    keep : dict of str to set of str
        Per unit frame, the columns the requested indicators and breakdowns
        read: ``keep["lot_results"]`` leaves lot attributes and Hilma answers
        outside it out of the joins; ``keep["notices"]`` and
        ``keep["procedures"]`` leave out the joins whose columns are not read
        (those columns are then null). Without an entry a frame has every
        column.
    part_rows : int, optional
        Award rows per part when DuckDB computes in parts (:meth:`parts`);
        default :data:`PART_ROWS`.
    memo : dict
        Results that several custom indicators share (such as the per-buyer
        supplier shares behind HHI and the top-supplier share), by a key the
        indicators choose.
    """

    engine: str
    tables: Mapping[str, nw.LazyFrame]
    absent: frozenset[str]
    con: Any = None
    keep: dict[str, set[str]] = field(default_factory=dict)
    part_rows: int | None = None
    memo: dict[Any, Any] = field(default_factory=dict)
    #: The dataset or Parquet directory the frames were loaded from (read by the
    #: ``spend`` frame, which is built in pandas, see :mod:`keino_metrics.spend.frame`).
    source: Any = None
    _cache: dict[str, nw.LazyFrame] = field(default_factory=dict)
    _created: list[str] = field(default_factory=list)
    _gathered: dict[str, list[str]] = field(default_factory=dict)
    _workdir: Any = None

    # -- engine helpers -------------------------------------------------------
    def collect(self, lf: nw.LazyFrame) -> pd.DataFrame:
        """Run a lazy query and return a pandas frame."""
        with warnings.catch_warnings():
            # narwhals' pandas group-by inserts aggregated columns one by one
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            return lf.collect(backend="pandas").to_native()

    def materialise(self, lf: nw.LazyFrame, name: str) -> nw.LazyFrame:
        """Compute a frame once so that several queries can reuse it."""
        if self.engine == "duckdb":
            return nw.from_native(self._table(lf.to_native(), name)).lazy()
        if self.engine == "pyspark":
            return nw.from_native(lf.to_native().cache()).lazy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            return lf.collect().lazy()

    def _table(self, rel: Any, name: str) -> Any:
        """A DuckDB relation stored as a table that :meth:`close` drops."""
        tname = f"km_{name}_{next(_TABLE_NUMBERS)}"
        rel.create(tname)
        self._created.append(tname)
        return self.con.table(tname)

    def close(self) -> None:
        """Drop the DuckDB tables this object stored (its frames are unusable after)."""
        for t in self._created:
            self.con.execute(f'DROP TABLE IF EXISTS "{t}"')
        self._created.clear()
        for files in self._gathered.values():
            for f in files:
                Path(f).unlink(missing_ok=True)
        self._gathered.clear()
        self._cache.clear()
        self.memo.clear()

    # -- computing large data in parts ---------------------------------------
    def parts(self) -> int:
        """Number of procedure parts that the unit frames are computed in.

        DuckDB holds the joins of a unit frame in memory only up to a few
        million lot results; above :attr:`part_rows` (default
        :data:`PART_ROWS`) award rows the procedures are split by a hash of
        ``procedure_id`` into parts of about that size. Every join of the lot-result, notice and procedure
        frames stays within a procedure, so each part is complete on its own
        and the sums of the parts are the sums of the whole. Other engines
        compute in one part.
        """
        if self.engine != "duckdb":
            return 1
        rows = self.tables["awards"].to_native().aggregate("count(*)").fetchall()[0][0]
        size = self.part_rows or PART_ROWS
        return max(1, -(-int(rows) // max(size, 1)))

    def part(self, k: int, parts: int) -> Frames:
        """The frames of the ``k``-th of ``parts`` disjoint sets of procedures.

        The part's notices are those whose ``procedure_id`` hashes to ``k``
        (DuckDB's ``hash``; notices without a procedure fall in one part);
        its lots and Hilma answers are those of its notices, stored as
        :meth:`_noticed` gives them from only the columns the unit frames read.
        Awards are not copied: the only frame that reads them joins them to the
        part's result notices. Call :meth:`close` on the result when done.

        Inside a part, ``notice_id`` and ``procedure_id`` are 64-bit keys (the
        hash of the identifier; null stays null), which DuckDB joins and groups
        much faster than the text identifiers. Rows of other tables find their
        notice by the text ``notice_id`` (lots and Hilma answers when the part
        is copied, awards in the lot-result frame). The keys are checked to be
        one-to-one with the identifiers (:meth:`_keys_one_to_one`); a part
        where they are not (or where a notice is repeated) keeps the text
        identifiers. Counts, groupings and joins are therefore those of the
        identifiers themselves; frames gathered from parts (:meth:`gather`)
        carry the keys.
        """
        if self.engine != "duckdb":
            raise ValueError("computing in parts is implemented for DuckDB")
        out = Frames(engine=self.engine, tables=dict(self.tables), absent=self.absent,
                     con=self.con, keep=self.keep, part_rows=self.part_rows,
                     _workdir=self._workdir)
        rel = {n: self.tables[n].to_native().project(", ".join(f'"{c}"' for c in cols))
               for n, cols in FRAME_INPUTS.items()}
        mine = rel["notices"].filter(f"hash(procedure_id) % {int(parts)} = {int(k)}")
        notices = out._store_part_notices(mine, keyed=True)
        if out._keys_one_to_one(notices):
            # the procedure identifiers were kept only for the check
            name = out._created[-1]
            self.con.execute(f'ALTER TABLE "{name}" DROP COLUMN "{_REF["procedure_id"]}"')
            notices = self.con.table(name)
        else:
            self.con.execute(f'DROP TABLE "{out._created.pop()}"')
            notices = out._store_part_notices(mine, keyed=False)
        out.tables["notices"] = nw.from_native(notices).lazy()
        for name in ("lots", "hilma_statistics", "awards"):
            out.tables[name] = nw.from_native(rel[name]).lazy()
        # the part's lots and Hilma answers are stored, for the several frames that
        # read them (one pass reads them from the files: as fast at a million lots,
        # with 0.8 GB less memory); awards need no copy: the lot-result frame joins
        # them to the part's result notices
        for name in ("lots", "hilma_statistics"):
            out._cache[f"_noticed_{name}"] = out.materialise(out._noticed(name),
                                                             f"part_{name}")
        return out

    def _store_part_notices(self, notices: Any, keyed: bool) -> Any:
        """Store a part's ``notices`` (a DuckDB relation): with keys in place of the
        identifiers and the identifiers beside them (``keyed``), or with the text
        identifiers, the notice identifier repeated as its reference."""
        cols = FRAME_INPUTS["notices"]
        if keyed:
            sql = [_key_sql(c) if c in _PART_KEYS else f'"{c}"' for c in cols]
            sql += [f'"{c}" AS "{_REF[c]}"' for c in _PART_KEYS]
        else:
            sql = [f'"{c}"' for c in cols] + [f'"notice_id" AS "{_REF["notice_id"]}"']
        return self._table(notices.project(", ".join(sql)), "part_notices")

    def _keys_one_to_one(self, notices: Any) -> bool:
        """Whether the keys of a part's notices are one-to-one with the identifiers."""
        # a notice key on two rows is a collision or a repeated notice; the text
        # identifiers then serve for both (grouping by the integer key only is the
        # cheapest check). Two procedures share a key when a key's smallest and
        # largest identifier differ.
        checks = {"notice_id": 'count(*) > 1',
                  "procedure_id": f'min("{_REF["procedure_id"]}") <> max("{_REF["procedure_id"]}")'}
        for c, clash in checks.items():
            shared = (notices.aggregate(f'"{c}", {clash} AS clash', f'"{c}"')
                      .filter("clash").aggregate("count(*)").fetchall()[0][0])
            if shared:
                return False
        return True

    def gather(self, name: str, part: Frames, columns: set[str] | None = None) -> None:
        """Add the unit frame ``name`` of ``part`` (only ``columns``, if given) to
        this object's frame ``name``, so that indicators that need the whole frame
        (the custom ones) read it after all parts are computed.

        Each part's rows are written to a Parquet file in the connection's
        temporary directory rather than kept in memory, where they would crowd
        the later parts' joins into spilling; the gathered frame reads the files.
        """
        lf = part.frame(name)
        if columns is not None:
            lf = lf.select(*[c for c in lf.columns if c in columns])
        files = self._gathered.setdefault(name, [])
        path = Path(self._workdir.name) / f"gathered_{name}_{next(_TABLE_NUMBERS)}.parquet"
        lf.to_native().to_parquet(str(path), compression="lz4")
        files.append(str(path))
        self._cache[name] = nw.from_native(self.con.read_parquet(files)).lazy()

    #: Unit frames that DuckDB computes inside the query that reads them instead of
    #: storing them first: each is read once (by its indicators' aggregation).
    _STREAMED = ("notices", "procedures")

    def frame(self, name: str) -> nw.LazyFrame:
        """The unit frame ``name`` (built on first use)."""
        if name not in self._cache:
            if name in FRAME_BUILDERS:  # a frame built outside the catalogue (spend)
                self._cache[name] = nw.from_native(FRAME_BUILDERS[name](self)).lazy()
                return self._cache[name]
            builder = {"lot_results": self._lot_results, "notices": self._notices,
                       "procedures": self._procedures, "survey": self._survey}[name]
            lf = builder()
            streamed = self.engine == "duckdb" and name in self._STREAMED
            self._cache[name] = lf if streamed else self.materialise(lf, name)
        return self._cache[name]

    def has(self, column: str) -> bool:
        """Whether ``table.column`` is present in the data."""
        return column not in self.absent

    # -- shared pieces --------------------------------------------------------
    def _buyers(self) -> nw.LazyFrame:
        b = self.tables["buyers"]
        lt = L("legal_type")
        group = nw.lit("other")
        for key, codes in reversed([(k, v) for k, v in BUYER_GROUPS.items() if v]):
            group = nw.when(lt.is_in(list(codes))).then(nw.lit(key)).otherwise(group)
        group = nw.when(lt.is_null().__invert__()).then(group)
        return (b.group_by("buyer_id")
                .agg(L("legal_type").max(), L("nuts3").max().alias("buyer_nuts3"),
                     L("region_code").max(), L("registration_number").max())
                .with_columns(group.alias("buyer_group")))

    def _notice_base(self) -> nw.LazyFrame:
        return self.tables["notices"].select(*FRAME_INPUTS["notices"])

    #: Lot columns the lot-result frame takes as they are.
    _PLAIN_LOT_COLUMNS = ("contract_nature", "cpv_main", "nuts3", "estimated_value_eur",
                          "price_only_award", "sme_suitable", "framework_agreement",
                          "submission_deadline")

    @staticmethod
    def _lot_flags() -> dict[str, nw.Expr]:
        """Flag columns derived from the lots' code lists, by name."""
        sp, gr, so, inn, gpp, acc = (L("strategic_procurement"), L("green_procurement"),
                                     L("social_objective"), L("innovation"),
                                     L("gpp_criteria"), L("accessibility"))
        return {
            "sp_present": sp.list.len() > 0,
            "sp_env": sp.list.contains("env-imp"),
            "sp_soc": sp.list.contains("soc-obj"),
            "sp_inn": sp.list.contains("inn-pur"),
            "env_any": gr.list.len() > 0,
            "soc_any": so.list.len() > 0,
            "inn_any": inn.list.len() > 0,
            "gpp_present": gpp.list.len() > 0,
            "gpp_yes": (gpp.list.contains("eu") | gpp.list.contains("national")
                        | gpp.list.contains("other")),
            "acc_present": acc.list.len() > 0,
            "acc_inc": acc.list.contains("inc"),
            **{env_flag(c): gr.list.contains(c) for c in ENV_CODES},
        }

    def _with_notice(self, rows: nw.LazyFrame, columns: tuple[str, ...],
                     notice_type: str | None = None) -> nw.LazyFrame:
        """``rows`` (with the text ``notice_id``) joined to the ``columns`` of their
        notice (of ``notice_type``, if given); rows of no such notice are left out.

        In a part (see :meth:`part`) the notices carry keys, so rows find their
        notice by the identifier kept beside the key.
        """
        n = self.tables["notices"]
        if notice_type is not None:
            n = n.filter(L("notice_type") == notice_type)
        ref = _REF["notice_id"]
        if ref not in n.columns:
            return rows.join(n.select(*columns), on="notice_id", how="inner")
        return (rows.rename({"notice_id": ref})
                .join(n.select(ref, *columns), on=ref, how="inner").drop(ref))

    def _noticed(self, table: str) -> nw.LazyFrame:
        """Rows of ``lots`` or ``hilma_statistics`` with the ``procedure_id`` and
        ``notice_type`` of their notice (rows of no known notice are left out:
        no frame can use them); the lots carry their flags in place of the code
        lists, which the frames read only through them."""
        key = f"_noticed_{table}"
        if key not in self._cache:
            rows = self._with_notice(self.tables[table],
                                     ("notice_id", "procedure_id", "notice_type"))
            if table == "lots":
                rows = rows.with_columns(
                    *[e.alias(f) for f, e in self._lot_flags().items()]).drop(*LOT_CODE_LISTS)
            self._cache[key] = rows
        return self._cache[key]

    def _lot_attrs(self, columns: tuple[str, ...], notice_type: str, key: str) -> nw.LazyFrame:
        """``key``, ``lot_id`` and the lot attributes named in ``columns`` of the lots
        of notices of ``notice_type``."""
        plain = [c for c in self._PLAIN_LOT_COLUMNS if c in columns]
        flags = [f for f in self._lot_flags() if f in columns]
        return (self._noticed("lots").filter(L("notice_type") == notice_type)
                .select(key, "lot_id", *plain, *flags))

    def _proc_info(self) -> nw.LazyFrame:
        if "_proc_info" not in self._cache:
            self._cache["_proc_info"] = self.materialise(self._build_proc_info(), "proc")
        return self._cache["_proc_info"]

    def _build_proc_info(self) -> nw.LazyFrame:
        n = self._notice_base()
        t, d = L("notice_type"), L("publication_date")
        # "several buyers" (a missing buyer counts as one) from the smallest and
        # largest buyer and the missing ones, which engines find faster than a
        # distinct count
        nulls = L("_bnull")
        return (n.with_columns(
            nw.when(t == "cn").then(d).alias("cn_date"),
            nw.when(t == "pin").then(d).alias("pin_date"),
            nw.when(t == "can").then(d).alias("can_date"),
            L("buyer_id").is_null().cast(nw.Int64).alias("_bnull"),
            nw.lit(1).cast(nw.Int64).alias("_one"))
            .group_by("procedure_id")
            .agg(L("cn_date").min().alias("first_cn_date"),
                 L("pin_date").min().alias("first_pin_date"),
                 L("can_date").min().alias("first_can_date"),
                 L("buyer_id").min().alias("_bmin"), L("buyer_id").max().alias("_bmax"),
                 nulls.sum(), L("_one").sum(),
                 L("procedure_type").max().alias("procedure_type_any"),
                 L("central_purchasing_body").max().alias("cpb"))
            .with_columns(((L("_bmin") != L("_bmax")).fill_null(False)
                           | ((nulls > 0) & (nulls < L("_one")))).alias("several_buyers"))
            .drop("_bmin", "_bmax", "_bnull", "_one"))

    def _proc_lots(self) -> nw.LazyFrame:
        """Distinct lot ids per procedure over all its notices (``n_lots``).

        Counted in two steps (distinct procedure-lot pairs, then their number
        per procedure), which engines run faster than a distinct count.
        """
        return (self._noticed("lots").select("procedure_id", "lot_id")
                .group_by("procedure_id", "lot_id").agg(nw.len().alias("_k"))
                .group_by("procedure_id").agg(nw.len().alias("n_lots")))

    @staticmethod
    def _prior_call() -> nw.Expr:
        """Whether a contract notice of the procedure was published by this notice."""
        return (L("first_cn_date").is_null().__invert__()
                & (L("first_cn_date") <= L("publication_date"))).alias("prior_call")

    @staticmethod
    def _breakdowns() -> list[nw.Expr]:
        d = L("publication_date")
        return [
            d.dt.year().cast(nw.Int64).alias("year"),
            nw.concat_str([d.dt.year().cast(nw.String), nw.lit("-Q"),
                           ((d.dt.month() - 1) // 3 + 1).cast(nw.Int64).cast(nw.String)]
                          ).alias("quarter"),
            L("cpv_main").str.slice(0, 2).alias("cpv_division"),
            nw.coalesce(L("nuts3"), L("buyer_nuts3")).alias("nuts3"),
        ]

    # -- frames ---------------------------------------------------------------
    #: Derived lot-result columns and the lot attributes they are computed from.
    _DERIVED_FROM = {"cpv_division": ("cpv_main",), "nuts3": ("nuts3",),
                     "decision_days": ("submission_deadline",),
                     "advert_days": ("submission_deadline",)}

    def _lot_results(self) -> nw.LazyFrame:
        want = self.keep.get("lot_results")
        attr_cols = (*self._PLAIN_LOT_COLUMNS, *self._lot_flags())
        hilma_cols = list(datamodel.HILMA_QUESTIONS)
        if want is not None:
            # only what the requested indicators read: narrower rows through every join
            need = set(want)
            for derived, sources in self._DERIVED_FROM.items():
                if derived in want:
                    need.update(sources)
            need.update(("cpv_main", "nuts3"))  # breakdown columns
            attr_cols = tuple(c for c in attr_cols if c in need)
            hilma_cols = [c for c in hilma_cols if c in need]
        # the result notice's own lot rows and answers, then the contract notices'
        # combined per procedure and lot
        attrs = self._lot_attrs(attr_cols, "can", "notice_id")
        hilma_rows = self._noticed("hilma_statistics")
        hilma = (hilma_rows.filter(L("notice_type") == "can")
                 .select("notice_id", "lot_id", *hilma_cols))
        cn_attrs = self._combined(self._lot_attrs(attr_cols, "cn", "procedure_id"), attr_cols)
        cn_hilma = self._combined(hilma_rows.filter(L("notice_type") == "cn")
                                  .select("procedure_id", "lot_id", *hilma_cols), hilma_cols)
        awarded = (L("winner_chosen").fill_null(False)
                   | (L("winner_chosen").is_null() & L("winner_id").is_null().__invert__()))
        a = self.tables["awards"].filter(awarded).select(
            *[c for c in FRAME_INPUTS["awards"] if c != "winner_chosen"])
        lr = (self._with_notice(a, FRAME_INPUTS["notices"], "can")
              .join(attrs, on=["notice_id", "lot_id"], how="left")
              .join(hilma, on=["notice_id", "lot_id"], how="left")
              .join(cn_attrs, on=["procedure_id", "lot_id"], how="left")
              .join(cn_hilma, on=["procedure_id", "lot_id"], how="left")
              .join(self._proc_info(), on="procedure_id", how="left")
              .join(self._buyers(), on="buyer_id", how="left"))
        merged = [nw.coalesce(L(c), L(c + "__cn")).alias(c)
                  for c in (*attr_cols, *hilma_cols)]
        lr = lr.with_columns(*merged).drop(
            *[c + "__cn" for c in (*attr_cols, *hilma_cols)])
        derived = [
            *self._breakdowns(),
            nw.coalesce(L("procedure_type"), L("procedure_type_any")).alias("procedure_type"),
            L("awarded_value_eur").cast(nw.Float64).alias("value_eur"),
            L("tenders_received").cast(nw.Float64).alias("tenders"),
            L("sme_tenders_received").cast(nw.Float64).alias("sme_tenders")]
        if want is None or "decision_days" in want:
            derived.append((day_number("decision_date") - day_number("submission_deadline")
                            ).cast(nw.Float64).alias("decision_days"))
        if want is None or "advert_days" in want:
            derived.append((day_number("submission_deadline") - day_number("first_cn_date")
                            ).cast(nw.Float64).alias("advert_days"))
        derived.append(self._prior_call())
        lr = lr.with_columns(*derived)
        if want is not None:
            lr = lr.select(*[c for c in lr.columns if c in want])
        return lr

    def _combined(self, rows: nw.LazyFrame, cols: list[str] | tuple[str, ...]
                  ) -> nw.LazyFrame:
        """Contract-notice ``rows`` combined per procedure and lot: the largest value
        of each of ``cols``, named ``<col>__cn``.

        When no procedure and lot has two rows (a count that costs a fraction of
        the aggregation), the rows are taken as they are: the largest of one
        value is that value.
        """
        key = ("procedure_id", "lot_id")
        names = {c: c + "__cn" for c in cols}
        repeated = (rows.select(*key).group_by(*key).agg(nw.len().alias("_rows"))
                    .filter(L("_rows") > 1).select(nw.len().alias("_repeated")))
        if int(self.collect(repeated)["_repeated"].iloc[0]) == 0:
            return rows.select(*key, *[L(c).alias(n) for c, n in names.items()])
        return rows.group_by(*key).agg(*[L(c).max().alias(n) for c, n in names.items()])

    def _join_if_read(self, out: nw.LazyFrame, frame: str, read_by: tuple[str, ...],
                      on: str, build, nulls: Mapping[str, str]) -> nw.LazyFrame:
        """``out`` left-joined with ``build()`` when ``frame``'s indicators read any of
        ``read_by`` (or every column is kept); otherwise ``out`` with the ``nulls``
        columns (name: kind, see :meth:`_with_nulls`) in place of what the join would bring."""
        want = self.keep.get(frame)
        if want is None or not want.isdisjoint(read_by):
            return out.join(build(), on=on, how="left")
        return self._with_nulls(out, nulls)

    def _with_nulls(self, lf: nw.LazyFrame, kinds: Mapping[str, str]) -> nw.LazyFrame:
        """``lf`` with all-null columns of the given kinds (name: ``str``, ``bool``,
        ``int`` or ``date``).

        narwhals' pandas backend types a literal through NumPy, which has no
        null integer (``lit(None, Int64)`` raises) and turns a null boolean
        into ``False``; the pandas tables here are Arrow-backed, so on pandas
        the nulls are Arrow arrays of the kind's type, as the join would bring.
        """
        if self.engine != "pandas":
            return lf.with_columns(*[nw.lit(None, _NARWHALS[k]).alias(c)
                                     for c, k in kinds.items()])
        df = lf.to_native()
        nulls = {c: pd.Series(pd.arrays.ArrowExtensionArray(pa.nulls(len(df), ARROW_TYPES[k])),
                              index=df.index) for c, k in kinds.items()}
        return nw.from_native(df.assign(**nulls)).lazy()

    #: Columns a lot-level breakdown reads, and the lot fields behind them.
    _BY_LOT = ("contract_nature", "cpv_main", "nuts3", "cpv_division")
    _LOT_FIELDS = {"contract_nature": "str", "cpv_main": "str", "nuts3": "str"}

    @classmethod
    def _lot_fields(cls, lots: nw.LazyFrame, key: str) -> nw.LazyFrame:
        return lots.group_by(key).agg(*[L(c).max() for c in cls._LOT_FIELDS])

    def _notices(self) -> nw.LazyFrame:
        out = self._notice_base()
        out = self._join_if_read(out, "notices", self._BY_LOT, "notice_id",
                                 lambda: self._lot_fields(self._noticed("lots"), "notice_id"),
                                 self._LOT_FIELDS)
        out = self._join_if_read(
            out, "notices", ("sme_considered",), "notice_id",
            lambda: (self._noticed("hilma_statistics").group_by("notice_id").agg(
                L("sme_participation_considered").max().alias("sme_considered"))),
            {"sme_considered": "bool"})
        out = self._join_if_read(
            out, "notices", ("n_awarded", "n_value_missing"), "notice_id",
            lambda: (self.frame("lot_results")
                     .with_columns(L("value_eur").is_null().cast(nw.Int64).alias("_nv"))
                     .group_by("notice_id")
                     .agg(nw.len().alias("n_awarded"), L("_nv").sum().alias("n_value_missing"))),
            {"n_awarded": "int", "n_value_missing": "int"})
        out = self._join_if_read(out, "notices", ("procedure_type", "prior_call"),
                                 "procedure_id", self._proc_info,
                                 {"procedure_type_any": "str", "first_cn_date": "date"})
        out = out.join(self._buyers(), on="buyer_id", how="left")
        return out.with_columns(
            *self._breakdowns(),
            nw.coalesce(L("procedure_type"), L("procedure_type_any")).alias("procedure_type"),
            self._prior_call(),
            L("n_awarded").fill_null(0).alias("n_awarded"),
            L("n_value_missing").fill_null(0).alias("n_value_missing"))

    def _procedures(self) -> nw.LazyFrame:
        can = self._notice_base().filter(L("notice_type") == "can")
        out = (can.group_by("procedure_id")
               .agg(L("publication_date").min(), L("buyer_id").min(), L("source").min())
               .join(self._proc_info(), on="procedure_id", how="left"))
        out = self._join_if_read(out, "procedures", ("n_lots",), "procedure_id",
                                 self._proc_lots, {"n_lots": "int"})
        out = self._join_if_read(
            out, "procedures", self._BY_LOT, "procedure_id",
            lambda: self._lot_fields(self.frame("lot_results"), "procedure_id"),
            self._LOT_FIELDS)
        out = out.join(self._buyers(), on="buyer_id", how="left")
        return out.with_columns(
            *self._breakdowns(),
            L("procedure_type_any").alias("procedure_type"),
            (L("several_buyers") | L("cpb").fill_null(False)).alias("cooperative"),
            (L("first_pin_date").is_null().__invert__() & L("first_cn_date").is_null().__invert__()
             & (L("first_pin_date") < L("first_cn_date"))).alias("pin_before_cn"))

    def _survey(self) -> nw.LazyFrame:
        s = self.tables["capability_survey"]
        s = s.with_columns(L("unit").alias("buyer_id"))
        s = s.join(self._buyers(), on="buyer_id", how="left")
        out = s.with_columns(
            L("year").cast(nw.Int64).alias("year"), L("buyer_nuts3").alias("nuts3"),
            nw.lit("survey").alias("source"))
        for c in SURVEY_ITEMS:
            out = out.with_columns(L(c).cast(nw.Float64))
        return out


# ---------------------------------------------------------------------------
# construction from a Dataset or a directory
# ---------------------------------------------------------------------------

def load_frames(data: Dataset | str | Path, engine: str = "auto",
                large: int = 500_000) -> Frames:
    """Bring ``data`` onto ``engine`` as narwhals LazyFrames.

    Parameters
    ----------
    data : Dataset or path
        A :class:`~keino_metrics.dataset.Dataset`, or a directory of canonical
        Parquet files (``lots.parquet``, ``awards.parquet`` ...), as written by
        :meth:`Dataset.to_parquet`.
    engine : str
        ``auto``, ``pandas``, ``polars``, ``duckdb`` or ``pyspark``. ``auto``
        uses DuckDB for a directory or when a dataset has more than ``large``
        award rows, pandas otherwise.
    large : int
        Size from which ``auto`` prefers DuckDB.
    """
    engine, tables, absent, con, keep = open_tables(data, engine, large)
    return Frames(engine=engine, tables=tables, absent=frozenset(absent), con=con,
                  source=data, _workdir=keep)
