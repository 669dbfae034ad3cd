"""Reading the capability survey of procuring units (input of the CAP-* indicators).

CSV layout: header ``unit,year,strategy_1,strategy_2,strategy_3,leadership_1,...,
followup_3``; one row per responding unit and year; items are integers 1-5 or
empty (not answered). ``unit`` is the buyer id used in the procurement data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from keino_metrics.indicators.codes import SURVEY_ITEMS

__all__ = ["read_capability_survey", "SURVEY_COLUMNS"]

SURVEY_COLUMNS = ("unit", "year", *SURVEY_ITEMS)


def read_capability_survey(path: str | Path) -> pd.DataFrame:
    """Read and check a capability-survey CSV.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SURVEY_COLUMNS` (items as float, NaN = not answered),
        ready for ``Dataset.extra["capability_survey"]``.

    Raises
    ------
    ValueError
        Naming the file, row and column of a missing column, a bad year or an
        item outside 1-5.
    """
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in SURVEY_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {list(SURVEY_COLUMNS)}")
    out = pd.DataFrame({"unit": df["unit"].str.strip()})
    for i, u in enumerate(out["unit"]):
        if not u:
            raise ValueError(f"{path}, row {i + 2}, column unit: empty unit id")
    years = pd.to_numeric(df["year"], errors="coerce")
    bad = years.isna() | (years % 1 != 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(f"{path}, row {i + 2}, column year: {df['year'].iloc[i]!r} is not a "
                         "year")
    out["year"] = years.astype("int64")
    for c in SURVEY_ITEMS:
        raw = df[c].str.strip()
        vals = pd.to_numeric(raw.where(raw != ""), errors="coerce")
        bad = (raw != "") & (vals.isna() | ~vals.isin([1, 2, 3, 4, 5]))
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise ValueError(f"{path}, row {i + 2}, column {c}: {raw.iloc[i]!r} is not a "
                             "Likert answer 1-5")
        out[c] = vals.astype(float)
    return out
