"""The pieces the unit frames are built from: buyers, notices, lot attributes, procedures.

:class:`FramePieces` holds the engine session, the columns the requested
indicators read and the frames built so far, and builds what several unit
frames share: the buyers with their group, each notice's lots with their
flags, the contract notices' lot attributes combined per procedure and lot,
the per-procedure facts (first notice dates, several buyers) and the
breakdown columns. :class:`keino_metrics.indicators.frames.Frames` builds the
unit frames from them.

Hand-written because no library knows the canonical tables; narwhals does the
engine abstraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import narwhals.stable.v2 as nw

from keino_metrics.indicators.codes import BUYER_GROUPS, ENV_CODES, env_flag
from keino_metrics.indicators.inputs import FRAME_INPUTS, LOT_CODE_LISTS
from keino_metrics.indicators.memo import Memo
from keino_metrics.indicators.partitions import REF
from keino_metrics.indicators.session import Session

__all__ = ["FramePieces", "day_number", "L"]

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


@dataclass
class FramePieces:
    """The engine session, what the indicators read, and the pieces built so far.

    Parameters
    ----------
    session : Session
        The canonical tables on their engine.
    keep : dict of str to set of str
        Per unit frame, the columns the requested indicators and breakdowns
        read: ``keep["lot_results"]`` leaves lot attributes and Hilma answers
        outside it out of the joins; ``keep["notices"]`` and
        ``keep["procedures"]`` leave out the joins whose columns are not read
        (those columns are then null). Without an entry a frame has every
        column.
    cache : Memo
        The frames and pieces built so far, by name.
    """

    session: Session
    keep: dict[str, set[str]] = field(default_factory=dict)
    cache: Memo = field(default_factory=Memo)

    def _buyers(self) -> nw.LazyFrame:
        b = self.session.tables["buyers"]
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
        return self.session.tables["notices"].select(*FRAME_INPUTS["notices"])

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

        In a part (see :func:`~keino_metrics.indicators.partitions.part_session`) the notices carry keys, so rows find their
        notice by the identifier kept beside the key.
        """
        n = self.session.tables["notices"]
        if notice_type is not None:
            n = n.filter(L("notice_type") == notice_type)
        ref = REF["notice_id"]
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
        if key not in self.cache:
            rows = self._with_notice(self.session.tables[table],
                                     ("notice_id", "procedure_id", "notice_type"))
            if table == "lots":
                rows = rows.with_columns(
                    *[e.alias(f) for f, e in self._lot_flags().items()]).drop(*LOT_CODE_LISTS)
            self.cache[key] = rows
        return self.cache[key]

    def _lot_attrs(self, columns: tuple[str, ...], notice_type: str, key: str) -> nw.LazyFrame:
        """``key``, ``lot_id`` and the lot attributes named in ``columns`` of the lots
        of notices of ``notice_type``."""
        plain = [c for c in self._PLAIN_LOT_COLUMNS if c in columns]
        flags = [f for f in self._lot_flags() if f in columns]
        return (self._noticed("lots").filter(L("notice_type") == notice_type)
                .select(key, "lot_id", *plain, *flags))

    def _proc_info(self) -> nw.LazyFrame:
        if "_proc_info" not in self.cache:
            self.cache["_proc_info"] = self.session.materialise(self._build_proc_info(), "proc")
        return self.cache["_proc_info"]

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

    def combined(self, rows: nw.LazyFrame, cols: list[str] | tuple[str, ...]
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
        if int(self.session.collect(repeated)["_repeated"].iloc[0]) == 0:
            return rows.select(*key, *[L(c).alias(n) for c, n in names.items()])
        return rows.group_by(*key).agg(*[L(c).max().alias(n) for c, n in names.items()])

    def _join_if_read(self, out: nw.LazyFrame, frame: str, read_by: tuple[str, ...],
                      on: str, build, nulls: Mapping[str, str]) -> nw.LazyFrame:
        """``out`` left-joined with ``build()`` when ``frame``'s indicators read any of
        ``read_by`` (or every column is kept); otherwise ``out`` with the ``nulls``
        columns (name: kind, see :meth:`Session.with_nulls`) in place of what the join would bring."""
        want = self.keep.get(frame)
        if want is None or not want.isdisjoint(read_by):
            return out.join(build(), on=on, how="left")
        return self.session.with_nulls(out, nulls)

    #: Columns a lot-level breakdown reads, and the lot fields behind them.
    _BY_LOT = ("contract_nature", "cpv_main", "nuts3", "cpv_division")

    _LOT_FIELDS = {"contract_nature": "str", "cpv_main": "str", "nuts3": "str"}

    @classmethod
    def _lot_fields(cls, lots: nw.LazyFrame, key: str) -> nw.LazyFrame:
        return lots.group_by(key).agg(*[L(c).max() for c in cls._LOT_FIELDS])
