"""Conversion of published amounts to euros with a replaceable rate table.

The default table is ``keino_metrics/data/fx_rates.csv`` (ECB annual average
reference rates, units of currency per euro; see ``fx_rates.SOURCE.md``).
Pass your own table (a frame or CSV with ``currency``, ``year``,
``units_per_eur``) to :func:`keino_metrics.readers.read`, or build one from
the ECB's daily history file with :func:`rates_from_ecb_history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["FxTable", "default_rates", "load_rates", "rates_from_ecb_history"]


@dataclass(frozen=True)
class FxTable:
    """Annual rates: ``rates[currency][year]`` = units of currency per euro."""

    rates: Mapping[str, Mapping[int, float]] = field(default_factory=dict)
    name: str = "custom"

    def to_eur(self, amount: float | None, currency: str | None,
               year: int | None) -> float | None:
        """``amount`` in euros, or ``None`` when the currency is not in the table.

        Euro amounts (and amounts without currency, which eForms forbids but
        legacy files contain) are returned unchanged. The rate of the nearest
        year in the table is used for a year outside it.
        """
        if amount is None:
            return None
        cur = (currency or "EUR").strip().upper()
        if cur == "EUR":
            return float(amount)
        by_year = self.rates.get(cur)
        if not by_year:
            return None
        if year is None or year not in by_year:
            years = sorted(by_year)
            y = years[-1] if year is None else min(years, key=lambda k: (abs(k - year), -k))
        else:
            y = year
        return float(amount) / by_year[y]

    def to_frame(self) -> pd.DataFrame:
        """The table as ``currency``, ``year``, ``units_per_eur``."""
        rows = [(c, y, r) for c, d in self.rates.items() for y, r in d.items()]
        return pd.DataFrame(rows, columns=["currency", "year", "units_per_eur"])


def _from_frame(df: pd.DataFrame, name: str) -> FxTable:
    missing = {"currency", "year", "units_per_eur"} - set(df.columns)
    if missing:
        raise ValueError(f"{name}: rate table lacks column(s) {sorted(missing)}")
    rates: dict[str, dict[int, float]] = {}
    for cur, year, rate in df[["currency", "year", "units_per_eur"]].itertuples(index=False):
        r = float(rate)
        if not r > 0:
            raise ValueError(f"{name}: rate for {cur} {year} must be positive, got {rate!r}")
        rates.setdefault(str(cur).upper(), {})[int(year)] = r
    return FxTable(rates, name)


def load_rates(source: str | Path | pd.DataFrame | FxTable | None = None) -> FxTable:
    """A rate table from a CSV path, a frame, an :class:`FxTable` or the default."""
    if source is None:
        return default_rates()
    if isinstance(source, FxTable):
        return source
    if isinstance(source, pd.DataFrame):
        return _from_frame(source, "rate frame")
    return _from_frame(pd.read_csv(source), str(source))


@cache
def default_rates() -> FxTable:
    """The shipped table ``keino_metrics/data/fx_rates.csv``."""
    path = resources.files("keino_metrics") / "data" / "fx_rates.csv"
    with path.open(encoding="utf-8") as fh:
        return _from_frame(pd.read_csv(fh), "keino_metrics/data/fx_rates.csv")


def rates_from_ecb_history(path: str | Path) -> pd.DataFrame:
    """Annual average rates from the ECB's ``eurofxref-hist.csv``.

    The ECB file has a ``Date`` column and one column per currency (units per
    euro, daily). Returns ``currency``, ``year``, ``units_per_eur`` (mean of
    the daily reference rates of each calendar year), ready for
    :func:`load_rates`.
    """
    raw = pd.read_csv(path, na_values=["N/A", ""])
    raw = raw.loc[:, [c for c in raw.columns if c and not str(c).startswith("Unnamed")]]
    raw["year"] = pd.to_datetime(raw["Date"]).dt.year
    long = raw.drop(columns="Date").melt(id_vars="year", var_name="currency",
                                         value_name="units_per_eur").dropna()
    out = long.groupby(["currency", "year"], as_index=False)["units_per_eur"].mean()
    out["currency"] = out["currency"].str.strip()
    return out
