"""The buyer-by-year panel that the impact models take as input."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from keino_metrics.dataset import Dataset
from keino_metrics.indicators.codes import BUYER_GROUPS
from keino_metrics.indicators.compute import compute

__all__ = ["buyer_year_panel"]


def buyer_year_panel(data: Dataset | str | Path,
                     outcomes: Sequence[str] = ("KEINO-INNOV-MKT-N", "KEINO-GREEN-N"),
                     engine: str = "auto", programme: str | None = None) -> pd.DataFrame:
    """One row per buyer and year with outcome indicators, cohort and covariates.

    Parameters
    ----------
    data : Dataset or path
        Canonical tables (a Parquet directory is read with DuckDB).
    outcomes : sequence of str
        Indicator ids computed ``by=["buyer_id", "year"]``.
    engine : str
        Engine for :func:`~keino_metrics.indicators.compute`.
    programme : str, optional
        Use only this programme of ``programme_participation`` for the cohort.

    Returns
    -------
    pandas.DataFrame
        Balanced over every buyer in ``buyers`` and every year with an awarded
        lot result: ``buyer_id``, ``year``, for each outcome ``<id>`` (value),
        ``<id>__num``, ``<id>__den``; ``cohort`` (first programme start year,
        0 = never), ``treated`` (year >= cohort > 0), ``legal_type``,
        ``buyer_group``, ``region_code``, ``lots`` and ``eur`` (awarded lot
        results and euros in the year), ``log_lots`` = log(1 + lots) and
        ``log_size`` = log(1 + mean yearly awarded lots of the buyer over all
        years), a time-invariant size covariate.
    """
    ids = list(dict.fromkeys([*outcomes, "KEINO-VOL-LOTS", "KEINO-VOL-EUR"]))
    # every buyer-year is kept with its sums, also where its coverage is too low for a
    # published figure: the models weigh the cells by their numerators and denominators
    res = compute(ids, data, by=["buyer_id", "year"], engine=engine,
                  min_measurable_coverage=0.0).to_frame()
    ds = data if isinstance(data, Dataset) else Dataset.from_parquet(data)
    buyers = ds.buyers.drop_duplicates("buyer_id")
    years = sorted(int(y) for y in res["year"].dropna().unique())
    grid = pd.MultiIndex.from_product([buyers["buyer_id"].astype(str), years],
                                      names=["buyer_id", "year"]).to_frame(index=False)
    grid["year"] = grid["year"].astype("int64")
    res = res.dropna(subset=["year"]).assign(year=lambda d: d["year"].astype("int64"))
    out = grid
    for iid in ids:
        r = res[res["indicator_id"] == iid][["buyer_id", "year", "estimate", "numerator",
                                             "denominator"]]
        r = r.rename(columns={"estimate": iid, "numerator": f"{iid}__num",
                              "denominator": f"{iid}__den"})
        out = out.merge(r, on=["buyer_id", "year"], how="left")
    out["lots"] = out.pop("KEINO-VOL-LOTS").fillna(0.0)
    out["eur"] = out.pop("KEINO-VOL-EUR").fillna(0.0)
    out = out.drop(columns=[c for c in out.columns if c.startswith(("KEINO-VOL-LOTS__",
                                                                    "KEINO-VOL-EUR__"))])
    pp = ds.programme_participation
    if programme is not None:
        pp = pp[pp["programme"] == programme]
    first = pp.groupby("buyer_id")["start_date"].min().dt.year.rename("cohort")
    out = out.merge(first, left_on="buyer_id", right_index=True, how="left")
    out["cohort"] = out["cohort"].fillna(0).astype("int64")
    out["treated"] = (out["cohort"] > 0) & (out["year"] >= out["cohort"])
    code_to_group = {c: g for g, codes in BUYER_GROUPS.items() for c in codes}
    cov = buyers[["buyer_id", "legal_type", "region_code"]].copy()
    cov["buyer_group"] = cov["legal_type"].map(
        lambda v: code_to_group.get(v, "other") if isinstance(v, str) else None)
    out = out.merge(cov, on="buyer_id", how="left")
    out["log_lots"] = np.log1p(out["lots"])
    out["log_size"] = np.log1p(out.groupby("buyer_id")["lots"].transform("mean"))
    return out.sort_values(["buyer_id", "year"]).reset_index(drop=True)
