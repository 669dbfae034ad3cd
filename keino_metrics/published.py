"""Published figures that the models and the reports compare with, each with its source.

A report that names a published figure reads it from here (value, unit, year,
source) instead of typing it into a text, so that the text and the computation
use the same number and the source travels with it. The national procurement
volumes are read from ``keino_metrics/data/indicators/fi_procurement_volume.csv``
(where the indicator ``FI-10PCT-MKT-VOL31`` also takes its denominator).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["PublishedFigure", "FI_PROCUREMENT_CO2_2015", "FI_PROCUREMENT_SPEND_2015",
           "FI_INNOVATION_TARGET", "procurement_volume", "FI_PROCUREMENT_VOLUME_2018",
           "FI_MARKET_VOLUME_2018", "FI_ABOVE_THRESHOLD_VOLUME_2018", "FIGURES"]


@dataclass(frozen=True)
class PublishedFigure:
    """A number taken from a publication.

    Attributes
    ----------
    value : float
        The number, in ``unit``.
    unit : str
        ``t CO2e``, ``EUR`` or ``share``.
    year : int or None
        Year the figure refers to.
    source : str
        Where it is published.
    """

    value: float
    unit: str
    year: int | None
    source: str


_ENVIMAT = "Nissinen & Savolainen 2019, SYKE reports 15/2019 (ENVIMAT)"

#: Greenhouse-gas footprint of Finnish public procurement in 2015.
FI_PROCUREMENT_CO2_2015 = PublishedFigure(11.0e6, "t CO2e", 2015, _ENVIMAT)
#: Public procurement spend behind that footprint.
FI_PROCUREMENT_SPEND_2015 = PublishedFigure(28.3e9, "EUR", 2015, _ENVIMAT)
#: The Government's target share of innovative procurement.
FI_INNOVATION_TARGET = PublishedFigure(
    0.10, "share", None, "Government target: innovative procurement 10 % of public "
    "procurement (TEM KEINO goals 2022-2023)")


@cache
def _volumes() -> dict[str, PublishedFigure]:
    path = resources.files("keino_metrics") / "data" / "indicators" / "fi_procurement_volume.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["scope"]: PublishedFigure(float(r["value_eur"]), "EUR", int(r["year"]),
                                            r["source"]) for r in csv.DictReader(fh)}


def procurement_volume(scope: str) -> PublishedFigure:
    """Finnish public procurement volume for ``scope`` (``all``,
    ``competitive_markets``, ``above_eu_threshold``)."""
    vols = _volumes()
    if scope not in vols:
        raise KeyError(f"no published volume for {scope!r}; scopes: {', '.join(vols)}")
    return vols[scope]


#: Finnish public procurement in 2018, all of it (EUR 47 bn).
FI_PROCUREMENT_VOLUME_2018 = procurement_volume("all")
#: Bought from competitive markets in 2018 (EUR 31 bn).
FI_MARKET_VOLUME_2018 = procurement_volume("competitive_markets")
#: Above the EU thresholds in 2018 (EUR 15 bn).
FI_ABOVE_THRESHOLD_VOLUME_2018 = procurement_volume("above_eu_threshold")

#: Every figure of this module by name.
FIGURES: dict[str, PublishedFigure] = {
    "FI_PROCUREMENT_CO2_2015": FI_PROCUREMENT_CO2_2015,
    "FI_PROCUREMENT_SPEND_2015": FI_PROCUREMENT_SPEND_2015,
    "FI_INNOVATION_TARGET": FI_INNOVATION_TARGET,
    "FI_PROCUREMENT_VOLUME_2018": FI_PROCUREMENT_VOLUME_2018,
    "FI_MARKET_VOLUME_2018": FI_MARKET_VOLUME_2018,
    "FI_ABOVE_THRESHOLD_VOLUME_2018": FI_ABOVE_THRESHOLD_VOLUME_2018,
}
