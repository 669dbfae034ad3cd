"""The invoice frame of the ``SPEND-*`` indicators, and its linkage-aware statistics.

:func:`spend_tables` links the invoices of a dataset to its contracts
(:mod:`.link`) and returns

* the frame: one row per invoice row with ``amount`` (euros), the breakdown
  columns ``year``, ``quarter``, ``buyer_id``, ``category``, ``legal_type``,
  ``buyer_group``, ``region_code``, ``source`` (the others null) and, for the
  chosen link, ``contract``, ``link_score``, ``lot_linked`` and ``cpv_division``;
* the candidates: every (invoice, contract) pair with its probability ``p``
  and the contract's flags ``innovative``, ``green``, ``social``.

A contract is **innovative** when its lot carries any official innovation
signal (Hilma: solution new to the buyer or to the market; eForms BT-06
``inn-pur`` or BT-776), **green** on any environmental signal (BT-06
``env-imp``, BT-774, BT-805 criteria, Hilma energy efficiency, low carbon,
circular economy, biodiversity, sustainable food, listed criteria) and
**social** on any social signal (BT-06 ``soc-obj``, BT-775, Hilma fair
working conditions, employment condition, code of conduct).

:func:`linked_share` computes a share of spend whose interval carries both
the sampling uncertainty (buyers resampled, Poisson bootstrap) and the
linkage uncertainty (each draw picks each invoice's contract, or none, with
the linker's probabilities).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from keino_metrics.dataset import Dataset
from keino_metrics.indicators.codes import BUYER_GROUPS
from keino_metrics.indicators.frames import load_frames
from keino_metrics.spend.link import LinkRules, link_spend

__all__ = ["contract_flags", "spend_tables", "linked_share", "split_linked", "DRAWS"]

#: Monte Carlo draws behind an interval.
DRAWS = 400

_INNOV = ("solution_new_to_buyer", "solution_new_to_market", "sp_inn", "inn_any")
_GREEN = ("sp_env", "env_any", "gpp_yes", "energy_efficiency", "low_carbon",
          "circular_economy", "biodiversity", "sustainable_food", "listed_green_criteria_used")
_SOCIAL = ("sp_soc", "soc_any", "fair_working_conditions", "employment_condition",
           "code_of_conduct")
_SME = ("micro", "small", "medium", "sme")


def _any(df: pd.DataFrame, cols: tuple[str, ...]) -> np.ndarray:
    out = np.zeros(len(df), dtype=bool)
    for c in cols:
        if c in df:
            out |= df[c].fillna(False).astype(bool).to_numpy()
    return out


def contract_flags(data: Dataset) -> pd.DataFrame:
    """The catalogue's lot-result frame with ``contract`` and the three flags."""
    fr = load_frames(data, "pandas")
    try:
        lr = fr.collect(fr.frame("lot_results"))
    finally:
        fr.close()
    lr = lr.assign(contract=lr["notice_id"].astype(str) + "/" + lr["lot_id"].astype(str),
                   innovative=_any(lr, _INNOV), green=_any(lr, _GREEN),
                   social=_any(lr, _SOCIAL))
    return lr


def _dataset(source: Dataset | str | Path) -> Dataset:
    return source if isinstance(source, Dataset) else Dataset.from_parquet(source)


def spend_tables(source: Dataset | str | Path, rules: LinkRules | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The invoice frame and the candidate links of ``source`` (see the module docstring)."""
    data = _dataset(source)
    s = data.spend.reset_index(drop=True)
    lr = contract_flags(data) if len(s) else pd.DataFrame(
        columns=["contract", "innovative", "green", "social", "cpv_division"])
    links, cand = link_spend(s, lr, data.buyers, rules) if len(lr) else link_spend(
        s.iloc[:0], lr, data.buyers, rules)
    if len(links) != len(s):  # no contract at all: every row unlinked
        links = pd.DataFrame({"row": np.arange(len(s)), "contract": None, "link_score": 0.0,
                              "lot_linked": False, "candidates": 0})
    d = pd.to_datetime(s["posting_date"])
    b = data.buyers.drop_duplicates("buyer_id").set_index("buyer_id")
    group_of = {code: key for key, codes in BUYER_GROUPS.items() for code in codes}
    legal = s["buyer_id"].map(b["legal_type"]) if "legal_type" in b else None
    frame = pd.DataFrame({
        "row": np.arange(len(s)), "amount": s["amount_eur"].astype(float).to_numpy(),
        "year": d.dt.year.astype("Int64"),
        "quarter": d.dt.year.astype("string") + "-Q" + d.dt.quarter.astype("string"),
        "buyer_id": s["buyer_id"].astype(object), "category": s["category"].astype(object),
        "legal_type": legal,
        "buyer_group": legal.map(lambda v: group_of.get(v, "other") if isinstance(v, str)
                                 else None) if legal is not None else None,
        "region_code": s["buyer_id"].map(b["region_code"]) if "region_code" in b else None,
        "nuts3": None, "contract_nature": None, "procedure_type": None,
        "source": s["source"].astype(object), "supplier_id": s["supplier_id"].astype(object),
        "contract": links["contract"].to_numpy(), "link_score": links["link_score"].to_numpy(),
        "lot_linked": links["lot_linked"].to_numpy(bool),
    })
    flags = lr.drop_duplicates("contract").set_index("contract") if len(lr) else None
    frame["cpv_division"] = (frame["contract"].map(flags["cpv_division"]) if flags is not None
                             else None)
    if flags is not None and len(cand):
        cand = cand.join(flags[["innovative", "green", "social"]], on="contract")
    else:
        cand = cand.assign(innovative=False, green=False, social=False)
    # supplier size, where any award names it
    if len(lr) and "winner_size" in lr:
        from keino_metrics.spend.ids import normalise_business_id

        sizes = lr.dropna(subset=["winner_id", "winner_size"]).assign(
            key=lambda x: x["winner_id"].map(normalise_business_id))
        sme = sizes.groupby("key")["winner_size"].agg(lambda v: bool(v.isin(_SME).any()))
        key = s["supplier_id"].map(normalise_business_id)
        frame["sme_supplier"] = key.map(sme).astype("boolean")
    else:
        frame["sme_supplier"] = pd.array([pd.NA] * len(s), dtype="boolean")
    return frame, cand


def split_linked(source: Dataset | str | Path, rules: LinkRules | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The invoice rows of ``source`` split into linked and unlinked.

    Returns
    -------
    (linked, unlinked) : pair of pandas.DataFrame
        Rows of the ``spend`` table; ``linked`` adds ``notice_id`` (the result
        notice of the contract), ``contract`` (its most probable lot),
        ``link_score`` and ``lot_linked`` (whether that lot itself is
        identified); ``unlinked`` holds the rest (``link_score`` 0 or below
        the threshold, ``candidates`` how many lot results were considered).
    """
    data = _dataset(source)
    s = data.spend.reset_index(drop=True)
    if s.empty:
        return s.copy(), s.copy()
    lr = contract_flags(data)
    links, _ = link_spend(s, lr, data.buyers, rules)
    out = pd.concat([s, links[["notice_id", "contract", "link_score", "lot_linked",
                               "candidates"]]], axis=1)
    is_linked = out["contract"].notna()
    return (out.loc[is_linked].reset_index(drop=True),
            out.loc[~is_linked].drop(columns=["notice_id", "contract", "lot_linked"]
                                     ).reset_index(drop=True))


def _codes(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    if not keys:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=[0])
    g = frame[keys].astype(object).where(frame[keys].notna(), None)
    key_frame = g.drop_duplicates().reset_index(drop=True)
    codes = pd.MultiIndex.from_frame(g.fillna("\x00")).map(
        {k: i for i, k in enumerate(pd.MultiIndex.from_frame(key_frame.fillna("\x00")))})
    return np.asarray(codes, dtype=np.int64), key_frame


def linked_share(frame: pd.DataFrame, cand: pd.DataFrame, flag: str | None, keys: list[str],
                 draws: int = DRAWS, seed: int = 0) -> pd.DataFrame:
    """Share of spend under contracts with ``flag`` (``None``: any contract), by ``keys``.

    Returns ``keys`` + ``value`` (expected share under the link
    probabilities), ``numerator``, ``denominator`` (euros), ``n_eligible``,
    ``ci_low``, ``ci_high`` (2.5 and 97.5 percentiles over ``draws`` draws of
    buyers and links).
    """
    rng = np.random.default_rng(seed)
    codes, key_frame = _codes(frame, keys)
    ng = len(key_frame)
    amount = frame["amount"].to_numpy(float)
    hit = (np.ones(len(cand), dtype=bool) if flag is None
           else cand[flag].fillna(False).astype(bool).to_numpy())
    crow = cand["row"].to_numpy(np.int64)
    p = cand["p"].to_numpy(float)
    cum = pd.Series(p).groupby(crow).cumsum().to_numpy()
    low = cum - p
    expected = np.bincount(crow, weights=p * hit, minlength=len(frame))
    num = np.bincount(codes, weights=amount * expected, minlength=ng)
    den = np.bincount(codes, weights=amount, minlength=ng)
    buyers, bidx = np.unique(frame["buyer_id"].astype(str).to_numpy(), return_inverse=True)
    sims = np.empty((draws, ng))
    for k in range(draws):
        w = rng.poisson(1.0, len(buyers))[bidx].astype(float)
        u = rng.random(len(frame))[crow]
        chosen = (u >= low) & (u < cum) & hit
        f = np.bincount(crow[chosen], minlength=len(frame)).astype(float)
        sn = np.bincount(codes, weights=w * amount * f, minlength=ng)
        sd = np.bincount(codes, weights=w * amount, minlength=ng)
        sims[k] = np.where(sd != 0, sn / np.where(sd != 0, sd, 1), np.nan)
    out = key_frame.copy()
    out["numerator"] = num
    out["denominator"] = den
    out["value"] = np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)
    out["n_eligible"] = np.bincount(codes, minlength=ng).astype(float)
    low = np.full(ng, np.nan)
    high = np.full(ng, np.nan)
    some = np.isfinite(sims).any(axis=0)  # groups with spend in some draw
    if some.any():
        low[some] = np.nanpercentile(sims[:, some], 2.5, axis=0)
        high[some] = np.nanpercentile(sims[:, some], 97.5, axis=0)
    out["ci_low"] = low
    out["ci_high"] = high
    return out


def frame_source(frames: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The invoice frame and candidates of a :class:`~keino_metrics.indicators.frames.Frames`,
    built once per computation."""
    key = ("spend_tables",)
    if key not in frames.memo:
        if frames.source is None:
            raise ValueError("the spend indicators need the dataset the frames were loaded from")
        frames.memo[key] = spend_tables(frames.source)
    return frames.memo[key]
