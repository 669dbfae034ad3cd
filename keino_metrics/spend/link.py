"""Linking purchase-invoice rows to awarded contracts, with a score per link.

No public source links Finnish invoices to notices, so the linker is a set of
documented rules that give each candidate contract a weight and turn the
weights into probabilities:

1. **Blocking.** A candidate is an awarded lot result (a ``can`` lot with a
   winner) whose buyer and winner are the invoice's buyer and supplier. Both
   sides are compared as Finnish business ids (:mod:`.ids`: ``FI-0216509-5``,
   ``FI02165095`` and ``216509-5`` are one id). An invoice whose buyer is a
   publisher's unit code rather than a business id finds its buyer by name
   (case and spacing folded) among the buyers of the notices, when exactly one
   buyer has that name. Invoices without a supplier business id have no
   candidate.
2. **Time window.** The posting date lies from :attr:`LinkRules.before_days`
   before the award decision (else the result notice's publication) to
   :attr:`LinkRules.years` years after it (four years: the longest framework
   agreement of Directive 2014/24/EU art. 33, plus the half year in which
   last invoices arrive).
3. **Weights.** A candidate's weight is ``exp(-age / decay)`` (``age``: years
   from the award to the posting; recent contracts are likelier) times the
   category compatibility: the share of the invoice category's *unambiguous*
   links (invoices with exactly one candidate) that fall in the candidate's
   CPV division, smoothed towards uniform (:attr:`LinkRules.smoothing`). The
   compatibility is thus learnt from the data itself; with no category the
   factor is 1. It is also multiplied by the amount compatibility: a normal
   density (peak 1) of ``log(|invoice amount| / contract value)`` around the
   median of the unambiguous links, with their standard deviation (an
   invoice of EUR 2 000 fits a EUR 50 000 contract better than a EUR 20
   million one). Contracts without a value get factor 1.
4. **Probabilities.** ``p(contract) = w / (sum of w + w_none)``, where
   ``w_none`` (:attr:`LinkRules.none_weight`) stands for purchases from the
   same supplier outside any noticed contract. The invoice is linked to the
   contract of highest probability when that probability reaches
   :attr:`LinkRules.threshold`; its ``link_score`` is that probability. The
   other candidates' probabilities are kept (:func:`link_spend` returns them)
   so that indicators can carry the linkage uncertainty.

An invoice with no candidate stays unlinked (score 0). Hand-written: the
``splink`` and ``recordlinkage`` packages are not in the environment, and the
blocking keys here are exact identifiers, for which a probabilistic
comparison model adds little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from keino_metrics.spend.ids import normalise_business_id

__all__ = ["LinkRules", "contracts", "link_spend", "buyer_keys", "supplier_key"]


@dataclass(frozen=True)
class LinkRules:
    """Parameters of the linker (see the module docstring)."""

    before_days: int = 31
    years: float = 4.5
    decay: float = 2.0
    smoothing: float = 1.0
    none_weight: float = 0.01
    threshold: float = 0.5


def _fold(name: object) -> str | None:
    if not isinstance(name, str):
        return None
    return " ".join(name.casefold().split()) or None


def contracts(lot_results: pd.DataFrame) -> pd.DataFrame:
    """Awarded lot results as linkable contracts.

    ``lot_results`` is the catalogue's lot-result frame (one row per awarded
    lot result, with ``buyer_id``, ``registration_number``, ``winner_id``,
    ``decision_date``, ``publication_date``, ``cpv_division``, ``value_eur``).
    """
    lr = lot_results
    out = pd.DataFrame({
        "contract": lr["notice_id"].astype(str) + "/" + lr["lot_id"].astype(str),
        "notice_id": lr["notice_id"].astype(str), "lot_id": lr["lot_id"].astype(str),
        "buyer_id": lr["buyer_id"].astype(str),
        "start": pd.to_datetime(lr["decision_date"]).fillna(
            pd.to_datetime(lr["publication_date"])).astype("datetime64[us]"),
        "cpv_division": lr["cpv_division"].astype(object),
        "value_eur": pd.to_numeric(lr["value_eur"], errors="coerce").astype(float),
    })
    reg = lr["registration_number"] if "registration_number" in lr else pd.Series(
        None, index=lr.index)
    out["buyer_key"] = [normalise_business_id(b) or normalise_business_id(r) or b
                        for b, r in zip(lr["buyer_id"], reg, strict=True)]
    out["supplier_key"] = lr["winner_id"].map(supplier_key).to_numpy()
    return out.loc[out["supplier_key"].notna()].reset_index(drop=True)


def supplier_key(value: object) -> str | None:
    """A supplier id to block on: the Finnish business id, else the id as published
    (upper case, spaces removed), so that foreign suppliers link by their own ids."""
    if not isinstance(value, str) or not value.strip():
        return None
    return normalise_business_id(value) or "".join(value.split()).upper()


def buyer_keys(spend: pd.DataFrame, buyers: pd.DataFrame) -> pd.Series:
    """Each invoice's buyer as a business id (by id, else by a unique buyer name)."""
    by_id = spend["buyer_id"].map(normalise_business_id)
    if buyers.empty:
        return by_id
    b = buyers.assign(key=[normalise_business_id(i) or (
        normalise_business_id(r) if isinstance(r, str) else None) or i
        for i, r in zip(buyers["buyer_id"], buyers.get(
            "registration_number", pd.Series(None, index=buyers.index)), strict=True)],
        fname=buyers["name"].map(_fold))
    counts = b.groupby("fname")["key"].nunique()
    unique = b.loc[b["fname"].isin(counts.index[counts == 1])].drop_duplicates("fname")
    by_name = spend["buyer_name"].map(_fold).map(unique.set_index("fname")["key"])
    return by_id.fillna(by_name)


def _categories(spend: pd.DataFrame) -> pd.Series:
    cat = spend["category"].astype(object)
    return cat.where(cat.notna(), spend["product_group"].astype(object))


def link_spend(spend: pd.DataFrame, lot_results: pd.DataFrame,
               buyers: pd.DataFrame | None = None, rules: LinkRules | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Link invoice rows to contracts.

    Parameters
    ----------
    spend : pandas.DataFrame
        The canonical ``spend`` table.
    lot_results : pandas.DataFrame
        The catalogue's lot-result frame (see :func:`contracts`).
    buyers : pandas.DataFrame, optional
        The canonical ``buyers`` table, for buyers named rather than numbered.
    rules : LinkRules, optional
        Linker parameters.

    Returns
    -------
    links : pandas.DataFrame
        One row per invoice row, in the order of ``spend``: ``row`` (position
        in ``spend``), ``contract`` (``notice_id/lot_id`` or null),
        ``link_score`` (probability of the chosen contract; 0 when unlinked),
        ``candidates`` (number of candidate contracts).
    candidates : pandas.DataFrame
        Every candidate pair: ``row``, ``contract``, ``p`` (its probability).
        ``1 - sum(p)`` of a row is the probability that it is outside any
        noticed contract.
    """
    rules = rules or LinkRules()
    n = len(spend)
    empty_links = pd.DataFrame({"row": np.arange(n), "contract": pd.Series([None] * n,
                                dtype=object), "link_score": 0.0, "candidates": 0})
    empty_cand = pd.DataFrame({"row": pd.Series(dtype="int64"),
                               "contract": pd.Series(dtype=object), "p": pd.Series(dtype=float)})
    if n == 0:
        return empty_links, empty_cand
    con = contracts(lot_results)
    inv = pd.DataFrame({
        "row": np.arange(n),
        "buyer_key": buyer_keys(spend.reset_index(drop=True),
                                buyers if buyers is not None else pd.DataFrame()).to_numpy(),
        "supplier_key": spend["supplier_id"].map(supplier_key).to_numpy(),
        "amount": pd.to_numeric(spend["amount_eur"], errors="coerce").to_numpy(float),
        "date": pd.to_datetime(spend["posting_date"]).to_numpy(),
        "category": _categories(spend).to_numpy(),
    })
    inv = inv.loc[inv["buyer_key"].notna() & inv["supplier_key"].notna()]
    if inv.empty or con.empty:
        return empty_links, empty_cand
    pairs = inv.merge(con[["contract", "buyer_key", "supplier_key", "start", "cpv_division",
                           "value_eur"]],
                      on=["buyer_key", "supplier_key"], how="inner")
    age = (pairs["date"] - pairs["start"]).dt.days.to_numpy() / 365.25
    inside = (age >= -rules.before_days / 365.25) & (age <= rules.years)
    pairs = pairs.loc[inside].assign(age=np.clip(age[inside], 0, None))
    if pairs.empty:
        return empty_links, empty_cand
    pairs["w"] = np.exp(-pairs["age"].to_numpy() / rules.decay)
    # category compatibility learnt from the unambiguous links
    size = pairs.groupby("row")["contract"].transform("size")
    single = pairs.loc[(size == 1) & pairs["category"].notna()]
    divisions = max(pairs["cpv_division"].nunique(), 1)
    if len(single):
        joint = single.groupby(["category", "cpv_division"], dropna=False).size().rename("k")
        total = single.groupby("category").size().rename("m")
        pairs = pairs.merge(joint.reset_index(), on=["category", "cpv_division"], how="left"
                            ).merge(total.reset_index(), on="category", how="left")
        k = pairs["k"].fillna(0).to_numpy()
        m = pairs["m"].fillna(0).to_numpy()
        compat = (k + rules.smoothing / divisions) / (m + rules.smoothing)
        compat = np.where(pairs["category"].isna() | (m == 0), 1.0, compat * divisions)
        pairs["w"] = pairs["w"] * np.minimum(compat, divisions)
    # amount compatibility: log(invoice / contract value) near its usual level
    ratio = np.log(np.abs(pairs["amount"].to_numpy()) / pairs["value_eur"].to_numpy())
    known = np.isfinite(ratio)
    ref = ratio[known & (pairs.groupby("row")["contract"].transform("size") == 1).to_numpy()]
    if len(ref) >= 30:
        mu, sd = float(np.median(ref)), float(np.std(ref)) or 1.0
        fit = np.exp(-0.5 * ((ratio - mu) / sd) ** 2)
        pairs["w"] = pairs["w"] * np.where(known, np.maximum(fit, 1e-6), 1.0)
    total_w = pairs.groupby("row")["w"].transform("sum")
    pairs["p"] = pairs["w"] / (total_w + rules.none_weight)
    pairs = pairs.sort_values(["row", "p"], ascending=[True, False], kind="stable")
    best = pairs.drop_duplicates("row")
    counts = pairs.groupby("row").size()
    links = empty_links.copy()
    chosen = best.loc[best["p"] >= rules.threshold]
    links.loc[chosen["row"].to_numpy(), "contract"] = chosen["contract"].to_numpy()
    links.loc[chosen["row"].to_numpy(), "link_score"] = chosen["p"].to_numpy()
    links.loc[counts.index.to_numpy(), "candidates"] = counts.to_numpy()
    cand = pairs[["row", "contract", "p"]].reset_index(drop=True)
    return links, cand
