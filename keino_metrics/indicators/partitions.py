"""Computing large data in parts: disjoint sets of procedures on DuckDB.

DuckDB holds the joins of a unit frame in memory only up to a few million lot
results; above :data:`PART_ROWS` award rows the procedures are split by a hash
of ``procedure_id`` into parts of about that size (:func:`count_parts`). Every
join of the lot-result, notice and procedure frames stays within a procedure,
so each part is complete on its own and the sums of the parts are the sums of
the whole. :func:`part_session` gives the tables of one part;
:func:`gather_part` writes a frame of a part to a file so that the whole frame
can be read after all parts are computed. Other engines compute in one part.
"""

from __future__ import annotations

import os
from typing import Any

import narwhals.stable.v2 as nw

from keino_metrics.indicators.inputs import FRAME_INPUTS
from keino_metrics.indicators.session import Session

__all__ = ["PART_ROWS", "PART_KEYS", "REF", "count_parts", "part_session", "gather_part"]

#: Award rows per part when DuckDB computes the unit frames in parts;
#: ``KEINO_PART_ROWS`` overrides it.
PART_ROWS = int(os.environ.get("KEINO_PART_ROWS", "3000000"))
#: Identifier columns that a part replaces with 64-bit keys (see :func:`part_session`).
PART_KEYS = ("notice_id", "procedure_id")
#: The columns of a part's notices that keep the identifiers beside the keys.
REF = {"notice_id": "_notice_ref", "procedure_id": "_procedure_ref"}


def _key_sql(col: str) -> str:
    """SQL of the 64-bit key of an identifier column (null stays null)."""
    return f'CASE WHEN "{col}" IS NULL THEN NULL ELSE hash("{col}") END AS "{col}"'


def count_parts(session: Session, part_rows: int | None = None) -> int:
    """Number of procedure parts that the unit frames are computed in.

    Parameters
    ----------
    session : Session
        The tables.
    part_rows : int, optional
        Award rows per part (default :data:`PART_ROWS`).
    """
    if session.engine != "duckdb":
        return 1
    rows = session.tables["awards"].to_native().aggregate("count(*)").fetchall()[0][0]
    size = part_rows or PART_ROWS
    return max(1, -(-int(rows) // max(size, 1)))


def part_session(session: Session, k: int, parts: int) -> Session:
    """The tables of the ``k``-th of ``parts`` disjoint sets of procedures.

    The part's notices are those whose ``procedure_id`` hashes to ``k``
    (DuckDB's ``hash``; notices without a procedure fall in one part), stored
    with only the columns the unit frames read; the part's lots, Hilma answers
    and awards are projections of the whole tables, which the frames join to
    the part's notices. Close the returned session when done.

    Inside a part, ``notice_id`` and ``procedure_id`` are 64-bit keys (the hash
    of the identifier; null stays null), which DuckDB joins and groups much
    faster than the text identifiers. Rows of other tables find their notice by
    the text ``notice_id`` kept in :data:`REF` ``["notice_id"]``. The keys are
    checked to be one-to-one with the identifiers; a part where they are not
    (or where a notice is repeated) keeps the text identifiers. Counts,
    groupings and joins are therefore those of the identifiers themselves.

    Raises
    ------
    ValueError
        On an engine other than DuckDB.
    """
    if session.engine != "duckdb":
        raise ValueError("computing in parts is implemented for DuckDB")
    out = Session(engine=session.engine, tables=dict(session.tables), absent=session.absent,
                  con=session.con, workdir=session.workdir)
    rel = {n: session.tables[n].to_native().project(", ".join(f'"{c}"' for c in cols))
           for n, cols in FRAME_INPUTS.items()}
    mine = rel["notices"].filter(f"hash(procedure_id) % {int(parts)} = {int(k)}")
    notices = _store_part_notices(out, mine, keyed=True)
    if _keys_one_to_one(notices):
        # the procedure identifiers were kept only for the check
        name = out.created[-1]
        out.con.execute(f'ALTER TABLE "{name}" DROP COLUMN "{REF["procedure_id"]}"')
        notices = out.con.table(name)
    else:
        out.drop_last()
        notices = _store_part_notices(out, mine, keyed=False)
    out.tables["notices"] = nw.from_native(notices).lazy()
    for name in ("lots", "hilma_statistics", "awards"):
        out.tables[name] = nw.from_native(rel[name]).lazy()
    return out


def _store_part_notices(session: Session, notices: Any, keyed: bool) -> Any:
    """Store a part's ``notices`` (a DuckDB relation): with keys in place of the
    identifiers and the identifiers beside them (``keyed``), or with the text
    identifiers, the notice identifier repeated as its reference."""
    cols = FRAME_INPUTS["notices"]
    if keyed:
        sql = [_key_sql(c) if c in PART_KEYS else f'"{c}"' for c in cols]
        sql += [f'"{c}" AS "{REF[c]}"' for c in PART_KEYS]
    else:
        sql = [f'"{c}"' for c in cols] + [f'"notice_id" AS "{REF["notice_id"]}"']
    return session.store(notices.project(", ".join(sql)), "part_notices")


def _keys_one_to_one(notices: Any) -> bool:
    """Whether the keys of a part's notices are one-to-one with the identifiers."""
    # a notice key on two rows is a collision or a repeated notice; the text
    # identifiers then serve for both (grouping by the integer key only is the
    # cheapest check). Two procedures share a key when a key's smallest and
    # largest identifier differ.
    checks = {"notice_id": 'count(*) > 1',
              "procedure_id": f'min("{REF["procedure_id"]}") <> max("{REF["procedure_id"]}")'}
    for c, clash in checks.items():
        shared = (notices.aggregate(f'"{c}", {clash} AS clash', f'"{c}"')
                  .filter("clash").aggregate("count(*)").fetchall()[0][0])
        if shared:
            return False
    return True


def gather_part(session: Session, files: list[str], name: str,
                lf: nw.LazyFrame) -> nw.LazyFrame:
    """Add a part's frame ``lf`` to the frame ``name`` gathered in ``files``.

    Each part's rows are written to a Parquet file in the connection's
    temporary directory rather than kept in memory, where they would crowd the
    later parts' joins into spilling; the returned frame reads all the files
    written so far (``files`` is extended).
    """
    path = session.new_file(f"gathered_{name}")
    lf.to_native().to_parquet(str(path), compression="lz4")
    files.append(str(path))
    return nw.from_native(session.con.read_parquet(files)).lazy()
