"""The CPV codes of the demonstration corpus (``data/cpv.csv``).

Sixty-four common main CPV codes (8 digits without the check digit) with their
contract nature, relative frequency within the nature, the median and
log-spread of a lot's estimated value, the additive propensities of a lot to
be truly innovative (``innov``) or truly green (``green``), the probability of
each environmental Hilma answer given that a green lot is reported
(``energy``, ``lowcarb``, ``circ``, ``biodiv``, ``food``), whether the code is
a social/health/education ("light regime") service (``light``, where Hilma asks
whether end users were involved), and title variants and a description phrase
in Finnish, Swedish and English (variants separated by ``|``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

__all__ = ["cpv_table"]


@cache
def _read() -> pd.DataFrame:
    path = resources.files("keino_metrics.demo") / "data" / "cpv.csv"
    with path.open(encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"cpv": str})
    df["division"] = df["cpv"].str[:2]
    df["light"] = df["light"].astype(bool)
    return df


def cpv_table() -> pd.DataFrame:
    """The CPV table (a copy), one row per code; see the module docstring."""
    return _read().copy()
