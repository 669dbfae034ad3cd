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

The modules beside this one hold the rest: :mod:`.engine` opens the tables
(types, optional columns, DuckDB or Spark session), :mod:`.session` runs the
queries and drops what the engine stored, :mod:`.partitions` splits large data
into parts, :mod:`.memo` keeps what is built once, :mod:`.pieces` builds what
several frames share, :mod:`.inputs` names the columns the frames read and
:mod:`.codes` holds the domain code lists.

Hand-written because no library knows the canonical tables; narwhals does the
engine abstraction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset
from keino_metrics.indicators.codes import SURVEY_ITEMS
from keino_metrics.indicators.engine import ENGINES, OPTIONAL_COLUMNS, open_tables
from keino_metrics.indicators.inputs import FRAME_INPUTS
from keino_metrics.indicators.memo import Memo
from keino_metrics.indicators.partitions import count_parts, gather_part, part_session
from keino_metrics.indicators.pieces import FramePieces, L, day_number
from keino_metrics.indicators.session import Session

__all__ = ["Frames", "BY_COLUMNS", "ENGINES", "OPTIONAL_COLUMNS",
           "MISSING", "load_frames", "register_frame", "FRAME_BUILDERS", "day_number"]

#: Columns a result can be broken down by.
BY_COLUMNS = ("year", "quarter", "buyer_id", "legal_type", "buyer_group", "nuts3",
              "region_code", "cpv_division", "contract_nature", "procedure_type", "source",
              "category")
#: Breakdown columns only the ``spend`` frame has.
SPEND_ONLY_BY = ("category",)
#: Unit frames built in pandas by other packages, by name (see :func:`register_frame`).
FRAME_BUILDERS: dict[str, Callable[[Frames], pd.DataFrame]] = {}
#: Group label used for a breakdown value that is not reported.
MISSING = "(missing)"


def register_frame(name: str, build: Callable[[Frames], pd.DataFrame]) -> None:
    """Let ``Frames.frame(name)`` build the unit frame ``name`` with ``build(frames)``.

    Packages whose frames need more than the canonical tables (the ``spend``
    frame needs the invoice-to-contract linker of :mod:`keino_metrics.spend`)
    register their builder here, so that this module does not import them.
    """
    FRAME_BUILDERS[name] = build


@dataclass
class Frames(FramePieces):
    """Lazily built unit frames on one engine.

    Parameters
    ----------
    session : Session
        The canonical tables on their engine (:mod:`.session`).
    keep : dict of str to set of str
        Per unit frame, the columns the requested indicators and breakdowns
        read (see :class:`~keino_metrics.indicators.pieces.FramePieces`).
    part_rows : int, optional
        Award rows per part when DuckDB computes in parts (:meth:`parts`);
        default :data:`~keino_metrics.indicators.partitions.PART_ROWS`.
    memo : Memo
        Results that several custom indicators share (such as the per-buyer
        supplier shares behind HHI and the top-supplier share), by a key the
        indicators choose.
    source : object
        The dataset or Parquet directory the frames were loaded from (read by
        the ``spend`` frame, which is built in pandas, see
        :mod:`keino_metrics.spend.frame`).
    """

    part_rows: int | None = None
    memo: Memo = field(default_factory=Memo)
    source: Any = None
    gathered: dict[str, list[str]] = field(default_factory=dict)

    # -- the session's parts, under the names the indicators use ------------
    @property
    def engine(self) -> str:
        """``pandas``, ``polars``, ``duckdb`` or ``pyspark``."""
        return self.session.engine

    @property
    def tables(self) -> Mapping[str, nw.LazyFrame]:
        """The canonical tables as narwhals LazyFrames."""
        return self.session.tables

    @property
    def absent(self) -> frozenset[str]:
        """Optional ``table.column`` names that the data does not carry."""
        return self.session.absent

    @property
    def con(self) -> Any:
        """The DuckDB connection or Spark session, when used."""
        return self.session.con

    def collect(self, lf: nw.LazyFrame) -> pd.DataFrame:
        """Run a lazy query and return a pandas frame (:meth:`Session.collect`)."""
        return self.session.collect(lf)

    def has(self, column: str) -> bool:
        """Whether ``table.column`` is present in the data."""
        return self.session.has(column)

    def close(self) -> None:
        """Drop what the engine stored for these frames (they are unusable after)."""
        self.session.close()
        self.gathered.clear()
        self.cache.clear()
        self.memo.clear()

    # -- computing large data in parts (see :mod:`.partitions`) -------------
    def parts(self) -> int:
        """Number of procedure parts that the unit frames are computed in."""
        return count_parts(self.session, self.part_rows)

    def part(self, k: int, parts: int) -> Frames:
        """The frames of the ``k``-th of ``parts`` disjoint sets of procedures.

        See :func:`~keino_metrics.indicators.partitions.part_session`. The
        part's lots and Hilma answers are stored once with their notice, for
        the several frames that read them. Call :meth:`close` on the result
        when done.
        """
        out = Frames(session=part_session(self.session, k, parts), keep=self.keep,
                     part_rows=self.part_rows)
        # one pass reads them from the files: as fast at a million lots, with
        # 0.8 GB less memory; awards need no copy: the lot-result frame joins
        # them to the part's result notices
        for name in ("lots", "hilma_statistics"):
            out.cache[f"_noticed_{name}"] = out.session.materialise(out._noticed(name),
                                                                    f"part_{name}")
        return out

    def gather(self, name: str, part: Frames, columns: set[str] | None = None) -> None:
        """Add the unit frame ``name`` of ``part`` (only ``columns``, if given) to
        this object's frame ``name``, so that indicators that need the whole frame
        (the custom ones) read it after all parts are computed
        (:func:`~keino_metrics.indicators.partitions.gather_part`)."""
        lf = part.frame(name)
        if columns is not None:
            lf = lf.select(*[c for c in lf.columns if c in columns])
        files = self.gathered.setdefault(name, [])
        self.cache[name] = gather_part(self.session, files, name, lf)

    #: Unit frames that DuckDB computes inside the query that reads them instead of
    #: storing them first: each is read once (by its indicators' aggregation).
    _STREAMED = ("notices", "procedures")

    def frame(self, name: str) -> nw.LazyFrame:
        """The unit frame ``name`` (built on first use)."""
        if name not in self.cache:
            if name in FRAME_BUILDERS:  # a frame built outside the catalogue (spend)
                self.cache[name] = nw.from_native(FRAME_BUILDERS[name](self)).lazy()
                return self.cache[name]
            builder = {"lot_results": self._lot_results, "notices": self._notices,
                       "procedures": self._procedures, "survey": self._survey}[name]
            lf = builder()
            streamed = self.engine == "duckdb" and name in self._STREAMED
            self.cache[name] = lf if streamed else self.session.materialise(lf, name)
        return self.cache[name]

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
        cn_attrs = self.combined(self._lot_attrs(attr_cols, "cn", "procedure_id"), attr_cols)
        cn_hilma = self.combined(hilma_rows.filter(L("notice_type") == "cn")
                                  .select("procedure_id", "lot_id", *hilma_cols), hilma_cols)
        awarded = (L("winner_chosen").fill_null(False)
                   | (L("winner_chosen").is_null() & L("winner_id").is_null().__invert__()))
        a = self.session.tables["awards"].filter(awarded).select(
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
        s = self.session.tables["capability_survey"]
        s = s.with_columns(L("unit").alias("buyer_id"))
        s = s.join(self._buyers(), on="buyer_id", how="left")
        out = s.with_columns(
            L("year").cast(nw.Int64).alias("year"), L("buyer_nuts3").alias("nuts3"),
            nw.lit("survey").alias("source"))
        for c in SURVEY_ITEMS:
            out = out.with_columns(L(c).cast(nw.Float64))
        return out


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
    session = Session(engine=engine, tables=tables, absent=frozenset(absent), con=con,
                      workdir=keep)
    return Frames(session=session, source=data)
