"""Finnish business ids (Y-tunnus) in one form: ``1234567-8``.

Invoices and notices write the same organisation's id in several ways:
``1234567-8``, ``123456-7`` (leading zero dropped), ``FI-1234567-8`` (the
readers' prefixed form), ``FI12345678`` (VAT number), ``12345678``. This
module maps all of them to ``1234567-8`` and checks the check digit (weights
7, 9, 10, 5, 8, 4, 2, see :mod:`keino_metrics.demo.ids`). Written here
because no maintained Python library normalises Y-tunnus variants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["normalise_business_id", "is_business_id", "map_unique", "by_unique"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def is_business_id(value: str) -> bool:
    """Whether ``value`` is ``1234567-8`` with a valid check digit.

    The same rule as :func:`keino_metrics.demo.ids.is_business_id`, one value at
    a time in plain Python (the reader checks millions of ids, one by one).
    """
    if not (isinstance(value, str) and len(value) == 9 and value[7] == "-"):
        return False
    head, check = value[:7], value[8]
    if not (head.isdigit() and check.isdigit()):
        return False
    r = sum(int(d) * w for d, w in zip(head, _WEIGHTS, strict=True)) % 11
    return r != 1 and (0 if r == 0 else 11 - r) == int(check)

_DIGITS = re.compile(r"^(?:FI)?[-\s]?(\d{6,7})[-\s]?(\d)$", re.I)


@lru_cache(maxsize=1 << 16)
def _normalise(value: str) -> str | None:
    m = _DIGITS.match(value.strip().replace(" ", ""))
    if not m:
        return None
    out = f"{int(m.group(1)):07d}-{m.group(2)}"
    return out if is_business_id(out) else None


def normalise_business_id(value: object) -> str | None:
    """``value`` as a Finnish business id ``1234567-8``, or ``None``.

    ``None`` is returned for anything that is not a Finnish business id with
    a valid check digit (foreign ids, unit codes, anonymised values).

    Examples
    --------
    >>> normalise_business_id("FI-0216509-5"), normalise_business_id("FI02165095")
    ('0216509-5', '0216509-5')
    >>> normalise_business_id("216509-5"), normalise_business_id("0216509-4")
    ('0216509-5', None)
    """
    if not isinstance(value, str):
        return None
    return _normalise(value)


def map_unique(values: pd.Series, func: Callable[[object], object]) -> pd.Series:
    """``values.map(func)`` with ``func`` called once per distinct value.

    Invoice tables repeat a few thousand ids over millions of rows: the
    distinct values are found first (:func:`pandas.factorize`), ``func`` is
    applied to them and the results are taken back to every row. Missing
    values stay missing without calling ``func``.

    Parameters
    ----------
    values : pandas.Series
        Values to map (any dtype).
    func : callable
        Applied to each distinct non-missing value.

    Returns
    -------
    pandas.Series
        Object dtype, with the index of ``values``.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([func(v) for v in np.asarray(uniques, dtype=object)] + [None],
                      dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def by_unique(values: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``func(values)`` computed on the distinct values of ``values`` only.

    ``func`` takes and returns a Series (element-wise, such as
    ``lambda u: u.map(table)``); it is applied to the distinct non-missing
    values and its results are taken back to every row, keeping their dtype.
    Rows with a missing value get a missing result.

    Parameters
    ----------
    values : pandas.Series
        Values to transform.
    func : callable
        Element-wise transformation of a Series.

    Returns
    -------
    pandas.Series
        With the index of ``values``.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = func(pd.Series(uniques))
    return pd.Series(mapped.array.take(codes, allow_fill=True), index=values.index,
                     name=values.name)
