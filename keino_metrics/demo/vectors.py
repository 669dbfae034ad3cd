"""Vectorised helpers: fast string columns and dictionary look-ups on arrays.

``pandas.Series.map`` with a dict and building a ``str`` Series from a NumPy
object array both go through Python objects row by row; for the few hundred
thousand lots of the default corpus these two helpers (Arrow conversion,
look-up through the distinct values) are several times faster.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["as_str", "lookup", "take"]


def as_str(values) -> pd.Series:
    """A pandas ``str`` Series from an array of strings and ``None``."""
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object)
    return pd.Series(pa.array(np.asarray(values, dtype=object), type=pa.string()), dtype="str")


def lookup(values, mapping: Mapping, default=np.nan) -> np.ndarray:
    """``mapping[v]`` for each element of ``values`` (``default`` when absent)."""
    values = np.asarray(values, dtype=object)
    if not len(values):
        return np.array([], dtype=float)
    uniq, inverse = np.unique(values.astype(str), return_inverse=True)
    table = np.array([mapping.get(u, default) for u in uniq.tolist()])
    return table[inverse]


def take(series: pd.Series, index) -> pd.Series:
    """``series`` at positions ``index``, with a fresh range index (Arrow take for strings)."""
    return series.take(np.asarray(index)).reset_index(drop=True)
