"""A straightforward pandas implementation of part of the indicator catalogue.

This is the baseline of ``bench_indicators.py``: plain pandas as an analyst
would write it - ``read_parquet``, ``merge``, ``groupby`` and boolean masks -
with no narwhals, no engine abstraction and no shared code with
:mod:`keino_metrics.indicators`. It follows the catalogue's definitions
(docs/indicators.md) for the ids in :data:`IDS`, by year and buyer region:

* volume: ``KEINO-VOL-NOTICES``, ``KEINO-VOL-LOTS``, ``KEINO-VOL-EUR``,
  ``KEINO-VOL-PROC``;
* every KEINO strategic share (``KEINO-INNOV-*``, ``KEINO-GREEN-*``,
  ``KEINO-SOCIAL-*``, ``KEINO-LOWCARBON-N``, ``KEINO-CIRC-N``, ``KEINO-GPP-N``)
  and the 10 % target candidates that share their formula (``FI-10PCT-MKT-*``,
  ``FI-10PCT-BUY-*``, ``FI-10PCT-EF-*``).

The Single Market Scoreboard, market and red-flag families are not
re-implemented here (their day counts, procedure-level rules and per-buyer
reductions were out of reach); the benchmark says so when it prints the
comparison.

Returns one row per indicator x year x region with ``numerator`` and
``denominator`` (``NaN`` for totals) so that the benchmark can check the
engine's numbers against it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HILMA_ENV = ["energy_efficiency", "low_carbon", "circular_economy", "biodiversity",
             "sustainable_food", "listed_green_criteria_used"]
HILMA_SOCIAL = ["fair_working_conditions", "employment_condition", "code_of_conduct"]
HILMA = ["solution_new_to_market", "solution_new_to_buyer", "innovation_considered",
         *HILMA_ENV, *HILMA_SOCIAL]

VOLUME = ["KEINO-VOL-NOTICES", "KEINO-VOL-LOTS", "KEINO-VOL-EUR", "KEINO-VOL-PROC"]
STRATEGIC = [f"{p}-{s}" for p in ("KEINO-INNOV-MKT", "KEINO-INNOV-BUY", "KEINO-INNOV-EF",
                                  "KEINO-GREEN", "KEINO-SOCIAL", "FI-10PCT-MKT",
                                  "FI-10PCT-BUY", "FI-10PCT-EF") for s in ("N", "EUR")] + [
    "KEINO-INNOV-CONS-N", "KEINO-LOWCARBON-N", "KEINO-CIRC-N", "KEINO-GPP-N"]
#: Indicator ids the baseline computes.
IDS = VOLUME + STRATEGIC

KEYS = ["year", "region_code"]


def _read(d: Path, name: str, columns: list[str]) -> pd.DataFrame:
    path = d / f"{name}.parquet"
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    import pyarrow.parquet as pq

    have = set(pq.read_schema(path).names)
    df = pd.read_parquet(path, columns=[c for c in columns if c in have])
    for c in columns:
        if c not in df:
            df[c] = None
    return df


def _list_flags(lots: pd.DataFrame, col: str, codes: dict[str, list[str] | None]
                ) -> pd.DataFrame:
    """Per lot row: for every output name, whether the list ``col`` holds one of the codes.

    ``None`` as codes means "the list is not empty". A missing list gives a missing flag.
    """
    s = lots[col]
    missing = s.isna()
    e = s.explode()
    out = {}
    for name, wanted in codes.items():
        hit = e.notna() if wanted is None else e.isin(wanted)
        flag = hit.groupby(level=0).any().astype("boolean")
        flag[missing] = pd.NA
        out[name] = flag
    return pd.DataFrame(out, index=lots.index)


def lot_results(d: Path) -> pd.DataFrame:
    """One row per awarded lot result with the fields the strategic shares need."""
    notices = _read(d, "notices", ["notice_id", "procedure_id", "notice_type",
                                   "publication_date", "buyer_id", "procedure_type"])
    buyers = _read(d, "buyers", ["buyer_id", "region_code"])
    region = buyers.groupby("buyer_id")["region_code"].max()
    lots = _read(d, "lots", ["notice_id", "lot_id", "strategic_procurement",
                             "green_procurement", "social_objective", "innovation",
                             "gpp_criteria"])
    lots = lots.reset_index(drop=True)
    flags = pd.concat([
        lots[["notice_id", "lot_id"]],
        _list_flags(lots, "strategic_procurement", {
            "sp_present": None, "sp_env": ["env-imp"], "sp_soc": ["soc-obj"],
            "sp_inn": ["inn-pur"]}),
        _list_flags(lots, "green_procurement", {"env_any": None, "env_clim_mitig":
                                                ["clim-mitig"], "env_circ_econ": ["circ-econ"]}),
        _list_flags(lots, "social_objective", {"soc_any": None}),
        _list_flags(lots, "innovation", {"inn_any": None}),
        _list_flags(lots, "gpp_criteria", {"gpp_present": None,
                                           "gpp_yes": ["eu", "national", "other"]}),
    ], axis=1)
    fcols = [c for c in flags.columns if c not in ("notice_id", "lot_id")]
    hilma = _read(d, "hilma_statistics", ["notice_id", "lot_id", *HILMA])
    for c in HILMA:
        hilma[c] = hilma[c].astype("boolean")

    # contract-notice values complete the result notice's own (any over CNs)
    cn = notices.loc[notices["notice_type"] == "cn", ["notice_id", "procedure_id"]]
    cn_flags = (flags.merge(cn, on="notice_id").groupby(["procedure_id", "lot_id"])[fcols]
                .max().add_suffix("_cn").reset_index())
    cn_hilma = (hilma.merge(cn, on="notice_id").groupby(["procedure_id", "lot_id"])[HILMA]
                .max().add_suffix("_cn").reset_index())

    awards = _read(d, "awards", ["notice_id", "lot_id", "winner_chosen", "winner_id",
                                 "awarded_value_eur"])
    chosen = awards["winner_chosen"].astype("boolean")
    awarded = chosen.fillna(False) | (chosen.isna() & awards["winner_id"].notna())
    can = notices[notices["notice_type"] == "can"]
    ptype_any = notices.groupby("procedure_id")["procedure_type"].max().rename("ptype_any")
    lr = (awards.loc[awarded, ["notice_id", "lot_id", "awarded_value_eur"]]
          .merge(can, on="notice_id")
          .merge(flags, on=["notice_id", "lot_id"], how="left")
          .merge(hilma, on=["notice_id", "lot_id"], how="left")
          .merge(cn_flags, on=["procedure_id", "lot_id"], how="left")
          .merge(cn_hilma, on=["procedure_id", "lot_id"], how="left")
          .merge(ptype_any, left_on="procedure_id", right_index=True, how="left"))
    for c in fcols + HILMA:
        lr[c] = lr[c].astype("boolean").fillna(lr[c + "_cn"].astype("boolean"))
    lr["procedure_type"] = lr["procedure_type"].fillna(lr["ptype_any"])
    lr["year"] = lr["publication_date"].dt.year
    lr["region_code"] = lr["buyer_id"].map(region)
    return lr[["year", "region_code", "awarded_value_eur", "procedure_type", *fcols, *HILMA]]


def _by(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["year"] = out["year"].astype("Int64")
    out["region_code"] = out["region_code"].astype(object).where(out["region_code"].notna(),
                                                                 "(missing)")
    return out


def _share(lr: pd.DataFrame, iid: str, flag: pd.Series, eligible: pd.Series) -> pd.DataFrame:
    """Count share (``-N``) or value share (``-EUR``) of ``flag`` among ``eligible``."""
    if iid.endswith("-EUR"):
        w = lr["awarded_value_eur"]
        eligible = eligible & w.notna()
        num, den = w.where(eligible & flag, 0.0), w.where(eligible, 0.0)
    else:
        num, den = (eligible & flag).astype(float), eligible.astype(float)
    g = (pd.DataFrame({"year": lr["year"], "region_code": lr["region_code"],
                       "numerator": num.to_numpy(float), "denominator": den.to_numpy(float)})
         .groupby(KEYS, dropna=False)[["numerator", "denominator"]].sum().reset_index())
    g.insert(0, "indicator_id", iid)
    return g


def compute_baseline(d: str | Path) -> pd.DataFrame:
    """The indicators of :data:`IDS` by year and region from a Parquet directory."""
    d = Path(d)
    lr = _by(lot_results(d))

    def t(c):
        return lr[c].fillna(False).astype(bool)

    def k(c):
        return lr[c].notna()

    ef_reported = t("sp_present") | t("env_any") | t("soc_any") | t("inn_any") | t("gpp_present")
    ef_innov = t("sp_inn") | t("inn_any") | (lr["procedure_type"] == "innovation").fillna(False)
    env_yes = np.logical_or.reduce([t(c) for c in HILMA_ENV])
    env_known = np.logical_or.reduce([k(c) for c in HILMA_ENV])
    soc_yes = np.logical_or.reduce([t(c) for c in HILMA_SOCIAL])
    soc_known = np.logical_or.reduce([k(c) for c in HILMA_SOCIAL])
    defs = {}
    for s in ("N", "EUR"):
        for p in ("KEINO-INNOV", "FI-10PCT"):
            defs[f"{p}-MKT-{s}"] = (t("solution_new_to_market"), k("solution_new_to_market"))
            defs[f"{p}-BUY-{s}"] = (t("solution_new_to_buyer"), k("solution_new_to_buyer"))
        defs[f"KEINO-INNOV-EF-{s}"] = defs[f"FI-10PCT-EF-{s}"] = (ef_innov, t("sp_present"))
        defs[f"KEINO-GREEN-{s}"] = (env_yes | t("sp_env") | t("env_any") | t("gpp_yes"),
                                    env_known | ef_reported)
        defs[f"KEINO-SOCIAL-{s}"] = (soc_yes | t("sp_soc") | t("soc_any"),
                                     soc_known | ef_reported)
    defs["KEINO-INNOV-CONS-N"] = (t("innovation_considered"), k("innovation_considered"))
    defs["KEINO-LOWCARBON-N"] = (t("low_carbon") | t("env_clim_mitig"),
                                 k("low_carbon") | ef_reported)
    defs["KEINO-CIRC-N"] = (t("circular_economy") | t("env_circ_econ"),
                            k("circular_economy") | ef_reported)
    defs["KEINO-GPP-N"] = (t("listed_green_criteria_used") | t("gpp_yes"),
                           k("listed_green_criteria_used") | t("gpp_present"))
    parts = [_share(lr, i, *defs[i]) for i in STRATEGIC]

    # volume
    g = lr.groupby(KEYS, dropna=False)
    lots = g.size().rename("numerator").reset_index()
    eur = g["awarded_value_eur"].sum().rename("numerator").reset_index()
    notices = _read(d, "notices", ["notice_id", "procedure_id", "notice_type",
                                   "publication_date", "buyer_id"])
    buyers = _read(d, "buyers", ["buyer_id", "region_code"])
    region = buyers.groupby("buyer_id")["region_code"].max()
    notices["year"] = notices["publication_date"].dt.year
    notices["region_code"] = notices["buyer_id"].map(region)
    nn = _by(notices).groupby(KEYS, dropna=False).size().rename("numerator").reset_index()
    can = notices[notices["notice_type"] == "can"]
    proc = can.groupby("procedure_id").agg(publication_date=("publication_date", "min"),
                                          buyer_id=("buyer_id", "min"))
    proc["year"] = proc["publication_date"].dt.year
    proc["region_code"] = proc["buyer_id"].map(region)
    pp = _by(proc).groupby(KEYS, dropna=False).size().rename("numerator").reset_index()
    for iid, frame in (("KEINO-VOL-NOTICES", nn), ("KEINO-VOL-LOTS", lots),
                       ("KEINO-VOL-EUR", eur), ("KEINO-VOL-PROC", pp)):
        frame = frame.copy()
        frame.insert(0, "indicator_id", iid)
        frame["numerator"] = frame["numerator"].astype(float)
        frame["denominator"] = np.nan
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["region_code"] = out["region_code"].where(out["region_code"] != "(missing)", None)
    return out
