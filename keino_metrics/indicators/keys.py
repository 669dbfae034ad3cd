"""Breakdown keys: the columns results are grouped by, made groupable.

Both the engine (:mod:`keino_metrics.indicators.compute`) and the custom
indicators of :mod:`keino_metrics.indicators.families` group rows by the
breakdown columns; a missing value is a group of its own.
"""

from __future__ import annotations

import narwhals.stable.v2 as nw

from keino_metrics.indicators.frames import MISSING

__all__ = ["group_keys", "with_keys"]

L = nw.col


def group_keys(keys: list[str]) -> list[nw.Expr]:
    """Breakdown columns as group labels: missing text becomes :data:`MISSING`, a missing
    year -1."""
    return [L(k).cast(nw.String).fill_null(MISSING).alias(k) if k != "year"
            else L(k).cast(nw.Int64).fill_null(-1).alias(k) for k in keys]


def with_keys(lf: nw.LazyFrame, keys: list[str]) -> nw.LazyFrame:
    """``lf`` with breakdown columns made groupable (nulls become a group)."""
    return lf.with_columns(*group_keys(keys)) if keys else lf
