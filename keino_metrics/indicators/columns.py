"""Columns an expression reads, so that a unit frame carries only those.

A computed unit frame carries every column through every join; on DuckDB the
joins cost in proportion to the row width, so :func:`compute` keeps only the
columns the requested indicators read. narwhals (2.x) has no public
``root_names``; its expressions are walked here. Anything this walker does not
recognise (selectors, ``nth``, ``all``) answers ``None``: "cannot tell", and
the caller then keeps every column.
"""

from __future__ import annotations

from collections.abc import Iterable

import narwhals.stable.v2 as nw

__all__ = ["referenced_columns"]

#: Node names that select columns by something other than their name.
_OPAQUE = {"nth", "all", "exclude", "selector", "by_dtype", "matches", "first_col"}


def _walk(expr: nw.Expr, out: set[str]) -> bool:
    nodes = getattr(expr, "_nodes", None)
    if nodes is None:
        return False
    for node in nodes:
        name = getattr(node, "name", "")
        kwargs = getattr(node, "kwargs", None) or {}
        if name == "col":
            out.update(kwargs.get("names", ()))
        elif name in _OPAQUE or "selector" in str(getattr(node, "kind", "")).lower():
            return False
        children = [*(getattr(node, "exprs", None) or ()), *kwargs.values()]
        for child in children:
            if isinstance(child, nw.Expr) or hasattr(child, "_nodes"):
                if not _walk(child, out):
                    return False
            elif isinstance(child, (list, tuple)):
                for c in child:
                    if hasattr(c, "_nodes") and not _walk(c, out):
                        return False
    return True


def referenced_columns(exprs: Iterable[nw.Expr]) -> set[str] | None:
    """Names of the columns ``exprs`` read, or ``None`` when that cannot be told.

    Parameters
    ----------
    exprs : iterable of narwhals expressions

    Returns
    -------
    set of str or None
    """
    out: set[str] = set()
    for e in exprs:
        if not _walk(e, out):
            return None
    return out
