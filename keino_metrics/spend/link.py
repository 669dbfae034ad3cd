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
3. **Weights.** Each candidate's weight is the product of three factors,
   each learnt from the *unambiguous* links (invoices with exactly one
   candidate) once there are :data:`MIN_LEARN` of them:
   recency, the histogram (quarter years, add-one smoothed, peak 1) of the
   invoices' ages since the award (before that: ``exp(-age / decay)``);
   amount, the histogram (half units) of ``log(|amount| / contract value)``
   (an invoice of EUR 2 000 fits a EUR 50 000 contract better than a EUR 20
   million one; contracts without a value: factor 1); and category, the share
   of the invoice category's unambiguous links in the candidate's CPV
   division relative to uniform, smoothed by :attr:`LinkRules.smoothing`
   (no category: factor 1).
4. **Probabilities.** ``p(lot result) = w / (sum of w + w_none)``, where
   ``w_none`` (:attr:`LinkRules.none_weight`) stands for purchases from the
   same supplier outside any noticed contract; a lot result whose expected
   linked euros exceed its value is weighed down (:attr:`LinkRules.capacity_rounds`).
5. **Contract.** The unit linked to is the contract: what one result notice
   awards to the supplier. eForms settles one contract per winner that may
   cover several lots (``efac:SettledContract`` refers to several lot
   results), and invoices name no lot, so the probabilities of the lots of one
   notice won by the supplier are summed. The invoice is linked to the
   contract of highest probability when that probability reaches
   :attr:`LinkRules.threshold` **and** exceeds the runner-up contract's by at
   least :attr:`LinkRules.margin`; otherwise it stays unlinked rather than
   guessed. ``link_score`` is that probability and ``contract`` its most
   probable lot. Every lot result's probability is kept (:func:`link_spend`
   returns them) so that indicators carry the linkage uncertainty.
6. **Lot.** The lot itself is named (``lot_linked``) only when the contract
   is linked and its most probable lot passes the same threshold and margin
   against every other candidate lot. When the supplier won several lots of
   one notice, an invoice carries nothing but its amount to tell them apart
   (same buyer, supplier, award date and usually CPV division), so such
   invoices are often linked to the contract without a lot.

An invoice with no candidate stays unlinked (score 0). Hand-written: the
``splink`` and ``recordlinkage`` packages are not in the environment, and the
blocking keys here are exact identifiers, for which a probabilistic
comparison model adds little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from keino_metrics.spend.ids import map_unique, normalise_business_id

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
    margin: float = 0.1
    capacity_rounds: int = 5


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
    out["supplier_key"] = map_unique(lr["winner_id"], supplier_key).to_numpy()
    return out.loc[out["supplier_key"].notna()].reset_index(drop=True)


def supplier_key(value: object) -> str | None:
    """A supplier id to block on: the Finnish business id, else the id as published
    (upper case, spaces removed), so that foreign suppliers link by their own ids."""
    if not isinstance(value, str) or not value.strip():
        return None
    return normalise_business_id(value) or "".join(value.split()).upper()


def buyer_keys(spend: pd.DataFrame, buyers: pd.DataFrame) -> pd.Series:
    """Each invoice's buyer as a business id (by id, else by a unique buyer name)."""
    by_id = map_unique(spend["buyer_id"], normalise_business_id)
    if buyers.empty:
        return by_id
    b = buyers.assign(key=[normalise_business_id(i) or (
        normalise_business_id(r) if isinstance(r, str) else None) or i
        for i, r in zip(buyers["buyer_id"], buyers.get(
            "registration_number", pd.Series(None, index=buyers.index)), strict=True)],
        fname=buyers["name"].map(_fold))
    counts = b.groupby("fname")["key"].nunique()
    unique = b.loc[b["fname"].isin(counts.index[counts == 1])].drop_duplicates("fname")
    by_name = map_unique(spend["buyer_name"], _fold).map(unique.set_index("fname")["key"])
    return by_id.fillna(by_name)


#: Unambiguous links needed before a distribution is learnt from them.
MIN_LEARN = 30


def _learnt(x: np.ndarray, ref: np.ndarray, edges: np.ndarray,
            fallback: np.ndarray) -> np.ndarray:
    """Histogram density of ``ref`` (add-one smoothed, peak 1) evaluated at ``x``.

    ``fallback`` is returned when ``ref`` has fewer than :data:`MIN_LEARN` values.
    """
    ref = ref[np.isfinite(ref)]
    if len(ref) < MIN_LEARN:
        return fallback
    counts, _ = np.histogram(np.clip(ref, edges[0], edges[-1]), bins=edges)
    dens = (counts + 1.0) / (counts + 1.0).max()
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(dens) - 1)
    return dens[idx]


def _probabilities(pairs: pd.DataFrame, rules: LinkRules) -> np.ndarray:
    """Candidate probabilities, with contracts paid beyond their value weighed down.

    ``p = w / (sum of w + none_weight)``; then, :attr:`LinkRules.capacity_rounds`
    times, a contract whose expected linked euros ``sum(p * |amount|)`` exceed its
    value has its weights divided by that excess, and ``p`` is computed again.
    """
    w = pairs["w"].to_numpy(float)
    row = pairs["row"].to_numpy()
    _, ridx = np.unique(row, return_inverse=True)
    cidx, _ = pd.factorize(pairs["contract"])
    amount = np.abs(pairs["amount"].to_numpy(float))
    amount = np.where(np.isfinite(amount), amount, 0.0)
    value = pd.Series(pairs["value_eur"].to_numpy(float)).groupby(cidx).first().to_numpy()
    factor = np.ones(cidx.max() + 1)
    for k in range(rules.capacity_rounds + 1):
        wk = w * factor[cidx]
        p = wk / (np.bincount(ridx, weights=wk)[ridx] + rules.none_weight)
        if k == rules.capacity_rounds:
            return p
        paid = np.bincount(cidx, weights=p * amount)
        excess = np.where(value > 0, paid / np.where(value > 0, value, 1.0), 0.0)
        factor = factor / np.maximum(excess, 1.0)
    return p


def _categories(spend: pd.DataFrame) -> pd.Series:
    cat = spend["category"].astype(object)
    return cat.where(cat.notna(), spend["product_group"].astype(object))


def _second(row: np.ndarray, values: np.ndarray) -> pd.Series:
    """The second of ``values`` in each group of equal ``row`` (groups contiguous,
    values descending within them), indexed by ``row``."""
    pos = np.arange(len(row))
    start = np.maximum.accumulate(np.where(np.r_[True, row[1:] != row[:-1]], pos, 0))
    at = pos - start == 1
    return pd.Series(values[at], index=row[at])


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
        in ``spend``), ``notice_id`` (the result notice of the linked
        contract, or null), ``contract`` (its most probable lot,
        ``notice_id/lot_id``), ``link_score`` (probability of the contract;
        0 when unlinked), ``lot_score`` (probability of that lot),
        ``candidates`` (number of candidate lot results).
    candidates : pandas.DataFrame
        Every candidate pair: ``row``, ``contract``, ``p`` (its probability).
        ``1 - sum(p)`` of a row is the probability that it is outside any
        noticed contract.
    """
    rules = rules or LinkRules()
    n = len(spend)
    empty_links = pd.DataFrame({"row": np.arange(n),
                                "notice_id": pd.Series([None] * n, dtype=object),
                                "contract": pd.Series([None] * n, dtype=object),
                                "link_score": 0.0, "lot_score": 0.0, "lot_linked": False,
                                "candidates": 0})
    empty_cand = pd.DataFrame({"row": pd.Series(dtype="int64"),
                               "contract": pd.Series(dtype=object), "p": pd.Series(dtype=float)})
    if n == 0:
        return empty_links, empty_cand
    con = contracts(lot_results)
    inv = pd.DataFrame({
        "row": np.arange(n),
        "buyer_key": buyer_keys(spend.reset_index(drop=True),
                                buyers if buyers is not None else pd.DataFrame()).to_numpy(),
        "supplier_key": map_unique(spend["supplier_id"], supplier_key).to_numpy(),
        "amount": pd.to_numeric(spend["amount_eur"], errors="coerce").to_numpy(float),
        "date": pd.to_datetime(spend["posting_date"]).to_numpy(),
        "category": _categories(spend).to_numpy(),
    })
    inv = inv.loc[inv["buyer_key"].notna() & inv["supplier_key"].notna()]
    if inv.empty or con.empty:
        return empty_links, empty_cand
    pairs = inv.merge(con[["contract", "notice_id", "buyer_key", "supplier_key", "start",
                           "cpv_division", "value_eur"]],
                      on=["buyer_key", "supplier_key"], how="inner")
    age = (pairs["date"] - pairs["start"]).dt.days.to_numpy() / 365.25
    inside = (age >= -rules.before_days / 365.25) & (age <= rules.years)
    pairs = pairs.loc[inside].assign(age=np.clip(age[inside], 0, None))
    if pairs.empty:
        return empty_links, empty_cand
    single = (pairs.groupby("row")["contract"].transform("size") == 1).to_numpy()
    # recency: the age distribution of the unambiguous links, else exp(-age / decay)
    age = pairs["age"].to_numpy()
    pairs["w"] = _learnt(age, age[single], np.arange(0.0, rules.years + 0.25, 0.25),
                         np.exp(-age / rules.decay))
    # amount: log(|invoice| / contract value) as among the unambiguous links
    ratio = np.log(np.abs(pairs["amount"].to_numpy()) / pairs["value_eur"].to_numpy())
    known = np.isfinite(ratio)
    fit = _learnt(np.where(known, ratio, 0.0), ratio[single & known],
                  np.arange(-16.0, 4.5, 0.5), np.ones(len(ratio)))
    pairs["w"] = pairs["w"] * np.where(known, fit, 1.0)
    # category compatibility learnt from the unambiguous links
    cat_single = pairs.loc[single & pairs["category"].notna().to_numpy()]
    divisions = max(pairs["cpv_division"].nunique(), 1)
    if len(cat_single):
        joint = cat_single.groupby(["category", "cpv_division"], dropna=False).size().rename("k")
        total = cat_single.groupby("category").size().rename("m")
        pairs = pairs.merge(joint.reset_index(), on=["category", "cpv_division"], how="left"
                            ).merge(total.reset_index(), on="category", how="left")
        k = pairs["k"].fillna(0).to_numpy()
        m = pairs["m"].fillna(0).to_numpy()
        compat = (k + rules.smoothing / divisions) / (m + rules.smoothing)
        compat = np.where(pairs["category"].isna() | (m == 0), 1.0, compat * divisions)
        pairs["w"] = pairs["w"] * np.minimum(compat, divisions)
    pairs["p"] = _probabilities(pairs, rules)
    # the contract is the award(s) of one result notice to the supplier: the lots
    # of a notice that the invoice's supplier won are summed
    notice, _ = pd.factorize(pairs["notice_id"])
    pairs = pairs[["row", "contract", "notice_id", "p"]].assign(
        p_notice=pairs.groupby(["row", "notice_id"])["p"].transform("sum"))
    # sorted by row, then p_notice and p descending (ties keep their order)
    order = np.lexsort((-pairs["p"].to_numpy(), -pairs["p_notice"].to_numpy(),
                        pairs["row"].to_numpy()))
    pairs, notice = pairs.take(order), notice[order]
    row, p = pairs["row"].to_numpy(), pairs["p"].to_numpy()
    first = np.r_[True, row[1:] != row[:-1]]
    best = pairs.loc[first].set_index("row")
    counts = pd.Series(np.diff(np.r_[np.flatnonzero(first), len(row)]), index=row[first])
    # runner-ups: the second contract (result notice) and the second lot of each row
    per_notice = ~pd.Series(row * (notice.max() + 1) + notice).duplicated().to_numpy()
    second_notice = _second(row[per_notice], pairs["p_notice"].to_numpy()[per_notice]
                            ).reindex(best.index).fillna(0.0)
    by_lot = np.lexsort((-p, row))
    second_lot = _second(row[by_lot], p[by_lot]).reindex(best.index).fillna(0.0)
    best_p = pd.Series(p[by_lot][first], index=best.index)  # rows in the same order
    ok = ((best["p_notice"] >= rules.threshold)
          & (best["p_notice"] - second_notice >= rules.margin))
    lot_ok = ok & (best["p"] == best_p) & (best["p"] >= rules.threshold) & (
        best["p"] - second_lot >= rules.margin)
    links = empty_links.copy()
    chosen = best.loc[ok]
    at = chosen.index.to_numpy()
    links.loc[at, "notice_id"] = chosen["notice_id"].to_numpy()
    links.loc[at, "contract"] = chosen["contract"].to_numpy()
    links.loc[at, "link_score"] = chosen["p_notice"].to_numpy()
    links.loc[at, "lot_score"] = chosen["p"].to_numpy()
    links.loc[at, "lot_linked"] = lot_ok.loc[ok].to_numpy()
    links.loc[counts.index.to_numpy(), "candidates"] = counts.to_numpy()
    cand = pairs[["row", "contract", "p"]].reset_index(drop=True)
    return links, cand
