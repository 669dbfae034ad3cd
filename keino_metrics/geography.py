"""Finnish regions and municipalities, and NUTS 3 codes of 2021 and 2024.

Nine of Finland's nineteen NUTS 3 codes changed between the 2021 and the 2024
NUTS classification (for example Pohjanmaa FI195 -> FI19A). Notices carry
whichever version was in force when they were written, so both map to the
same region here.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

__all__ = ["municipalities", "regions", "nuts3_to_region", "region_name"]


def _read(name: str) -> pd.DataFrame:
    path = resources.files("keino_metrics") / "data" / "finland" / name
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@cache
def municipalities() -> pd.DataFrame:
    """The 309 municipalities of 2021 (code, names, region, NUTS 3, population)."""
    df = _read("municipalities_2021.csv")
    for col in ("population_2020_12_31", "population_2019_12_31"):
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    return df


@cache
def regions() -> pd.DataFrame:
    """The 19 regions (maakunnat) with names in fi/sv/en and NUTS 3 codes."""
    df = _read("regions_maakunnat.csv")
    df["population_2020_12_31"] = pd.to_numeric(df["population_2020_12_31"]).astype("Int64")
    return df


@cache
def _nuts_map() -> dict[str, str]:
    r = regions()
    out = dict(zip(r["nuts3_2021"], r["region_code"], strict=True))
    out.update(zip(r["nuts3_2024"], r["region_code"], strict=True))
    return out


def nuts3_to_region(code: str | None) -> str | None:
    """Finnish region code for a NUTS 3 code of the 2021 or 2024 classification.

    Returns ``None`` for codes outside Finland, NUTS levels above 3 and nulls.

    Examples
    --------
    >>> nuts3_to_region("FI195"), nuts3_to_region("FI19A")
    ('15', '15')
    """
    if not isinstance(code, str):
        return None
    return _nuts_map().get(code.strip().upper())


def region_name(region_code: str, lang: str = "fi") -> str:
    """Name of a region in ``fi``, ``sv`` or ``en``."""
    r = regions().set_index("region_code")
    col = {"fi": "name_fi", "sv": "name_sv", "en": "name_en"}[lang]
    return str(r.loc[region_code, col]) if region_code in r.index else region_code
