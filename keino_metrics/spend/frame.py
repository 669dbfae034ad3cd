"""The invoice frame of the ``SPEND-*`` indicators, and its linkage-aware statistics.

:func:`spend_tables` links the invoices of a dataset to its contracts
(:mod:`.link`) and returns

* the frame: one row per invoice row with ``amount`` (euros), the breakdown
  columns ``year``, ``quarter``, ``buyer_id``, ``category``, ``legal_type``,
  ``buyer_group``, ``region_code``, ``source`` (the others null) and, for the
  chosen link, ``contract``, ``link_score``, ``lot_linked`` and ``cpv_division``;
  ``supplier_linkable`` says whether the row's supplier has an id to link on;
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
linkage uncertainty (each draw decides, for each invoice, whether it was paid
under a flagged contract, with the linker's probabilities).

Linking a million invoice rows takes seconds, and a report asks for the
spend tables several times (each indicator computation, the linkage table).
:func:`spend_tables` therefore keeps its last :data:`CACHE_SIZE` results for
the life of the process, keyed by the identity of the dataset's tables (the
objects themselves, held by weak references, and their lengths) and the
linker's rules: a dataset whose tables are the same objects is linked once;
a changed table (:meth:`Dataset.replace <keino_metrics.dataset.Dataset.replace>`
makes a new object) is linked again. Tables are taken as not changed in
place, as everywhere in the package. :func:`clear_cache` empties the cache,
``linking_cache(False)`` switches it off for a block.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset
from keino_metrics.indicators.codes import BUYER_GROUPS
from keino_metrics.indicators.frames import load_frames
from keino_metrics.spend.ids import by_unique, map_unique, normalise_business_id
from keino_metrics.spend.link import LinkRules, link_spend, supplier_key
from keino_metrics.table_cache import TableCache

__all__ = ["contract_flags", "spend_tables", "linked_share", "share_table", "split_linked",
           "group_codes",
           "DRAWS", "CACHE_SIZE", "FLAG_COLUMNS", "clear_cache", "linking_cache",
           "flag_coverage"]

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
                   social=_any(lr, _SOCIAL), innovative_known=_known(lr, _INNOV),
                   green_known=_known(lr, _GREEN), social_known=_known(lr, _SOCIAL))
    return lr


def _known(df: pd.DataFrame, cols: tuple[str, ...]) -> np.ndarray:
    """Whether the notice records any of ``cols`` (a flag read from no field is unknown)."""
    present = [c for c in cols if c in df]
    return df[present].notna().any(axis=1).to_numpy() if present else np.zeros(len(df), bool)


#: Columns of the candidate links that come from the contract: each flag and
#: whether the contract's notices record the fields the flag is read from.
FLAG_COLUMNS = ("innovative", "green", "social", "innovative_known", "green_known",
                "social_known")


def flag_coverage(frame: pd.DataFrame, cand: pd.DataFrame, flag: str,
                  keys: list[str]) -> pd.DataFrame:
    """Share of the linked euros paid under contracts whose notices record ``flag``, by ``keys``.

    The euros are expected values under the link probabilities. A contract
    whose notices leave every field of the flag empty (for example notices
    published before the fields were in use) can be neither counted as
    innovative, green or social nor as not: the share of spend under flagged
    contracts is measured only on the part of the linked spend whose flag is
    known. Groups with no linked spend get 1 (nothing to classify).

    Returns
    -------
    pandas.DataFrame
        ``keys`` and ``flag_known``.
    """
    codes, key_frame = group_codes(frame, keys)
    n, ng = len(frame), len(key_frame)
    crow = cand["row"].to_numpy(np.int64)
    p = cand["p"].to_numpy(float)
    known = cand[f"{flag}_known"].fillna(False).astype(bool).to_numpy()
    amount = np.abs(frame["amount"].to_numpy(float))
    linked = np.bincount(codes, weights=amount * np.bincount(crow, weights=p, minlength=n),
                         minlength=ng)
    recorded = np.bincount(codes, weights=amount * np.bincount(crow, weights=p * known,
                                                               minlength=n), minlength=ng)
    share = np.divide(recorded, linked, out=np.ones(ng), where=linked > 0)
    return key_frame.assign(flag_known=share)


def _dataset(source: Dataset | str | Path) -> Dataset:
    return source if isinstance(source, Dataset) else Dataset.from_parquet(source)


#: How many datasets' spend tables the process keeps (each holds a frame of the
#: size of the ``spend`` table).
CACHE_SIZE = 2

_cache: TableCache[tuple[pd.DataFrame, pd.DataFrame]] = TableCache(CACHE_SIZE)


def clear_cache() -> None:
    """Forget every cached result of :func:`spend_tables`."""
    _cache.clear()


def linking_cache(enabled: bool):
    """Switch the cache of :func:`spend_tables` on or off inside a ``with`` block."""
    return nullcontext() if enabled else _cache.disabled()


def _tables(data: Dataset) -> list[pd.DataFrame]:
    return [getattr(data, name) for name in datamodel.TABLE_NAMES]


def spend_tables(source: Dataset | str | Path, rules: LinkRules | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The invoice frame and the candidate links of ``source`` (see the module docstring).

    Results are cached for the life of the process (see the module
    docstring): callers must not change the returned frames in place.
    """
    data = _dataset(source)
    rules = rules or LinkRules()
    return _cache.get(_tables(data), rules, lambda: _spend_tables(data, rules))


def _spend_tables(data: Dataset, rules: LinkRules) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    legal = by_unique(s["buyer_id"], lambda u: u.map(b["legal_type"])) if "legal_type" in b \
        else None
    frame = pd.DataFrame({
        "row": np.arange(len(s)), "amount": s["amount_eur"].astype(float).to_numpy(),
        "year": d.dt.year.astype("Int64"),
        "quarter": by_unique(d, lambda u: u.dt.year.astype("string") + "-Q"
                             + u.dt.quarter.astype("string")),
        "buyer_id": s["buyer_id"].astype(object), "category": s["category"].astype(object),
        "legal_type": legal,
        "buyer_group": by_unique(legal, lambda u: u.map(
            lambda v: group_of.get(v, "other") if isinstance(v, str) else None))
        if legal is not None else None,
        "region_code": by_unique(s["buyer_id"], lambda u: u.map(b["region_code"]))
        if "region_code" in b else None,
        "nuts3": None, "contract_nature": None, "procedure_type": None,
        "source": s["source"].astype(object), "supplier_id": s["supplier_id"].astype(object),
        "supplier_linkable": map_unique(s["supplier_id"], supplier_key).notna().to_numpy(),
        "contract": links["contract"].to_numpy(), "link_score": links["link_score"].to_numpy(),
        "lot_linked": links["lot_linked"].to_numpy(bool),
    })
    flags = lr.drop_duplicates("contract").set_index("contract") if len(lr) else None
    frame["cpv_division"] = (by_unique(frame["contract"], lambda u: u.map(flags["cpv_division"]))
                             if flags is not None else None)
    if flags is not None and len(cand):
        cand = cand.join(flags[list(FLAG_COLUMNS)], on="contract")
    else:
        cand = cand.assign(**dict.fromkeys(FLAG_COLUMNS, False))
    # supplier size, where any award names it
    if len(lr) and "winner_size" in lr:
        sizes = lr.dropna(subset=["winner_id", "winner_size"])
        sizes = pd.DataFrame({"key": map_unique(sizes["winner_id"], normalise_business_id),
                              "sme": sizes["winner_size"].isin(_SME).to_numpy(bool)})
        sme = sizes.groupby("key")["sme"].any()
        key = map_unique(s["supplier_id"], normalise_business_id)
        frame["sme_supplier"] = by_unique(key, lambda u: u.map(sme)).astype("boolean")
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


def group_codes(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group code of each row by ``keys`` (missing values a group of their own) and
    the groups' key values (``None`` for missing), in order of first appearance.

    Returns
    -------
    (codes, key_frame) : numpy.ndarray and pandas.DataFrame
        ``codes[i]`` is the row of ``key_frame`` (one row per group, columns
        ``keys``) that row ``i`` of ``frame`` belongs to.
    """
    if not keys:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=[0])
    combined = np.zeros(len(frame), dtype=np.int64)
    for k in keys:
        c, u = pd.factorize(frame[k])
        combined, _ = pd.factorize(combined * (len(u) + 1) + np.where(c < 0, len(u), c))
    codes = combined
    first = np.unique(codes, return_index=True)[1]
    g = frame[keys].iloc[first].astype(object)
    key_frame = g.where(g.notna(), None).reset_index(drop=True)
    return codes.astype(np.int64), key_frame


#: Draws generated at once by :func:`linked_share` (bounds its memory: rows
#: with an uncertain link times this many numbers).
CHUNK = 16


def linked_share(frame: pd.DataFrame, cand: pd.DataFrame, flag: str | None, keys: list[str],
                 draws: int = DRAWS, seed: int = 0) -> pd.DataFrame:
    """Share of spend under contracts with ``flag`` (``None``: any contract), by ``keys``.

    Returns ``keys`` + ``value`` (expected share under the link
    probabilities), ``numerator``, ``denominator`` (euros), ``n_eligible``,
    ``ci_low``, ``ci_high`` (2.5 and 97.5 percentiles over ``draws`` draws of
    buyers and links).

    Notes
    -----
    An invoice row was paid under a flagged contract with probability ``q``,
    the sum of its flagged candidates' ``p``. Each draw gives every buyer a
    Poisson(1) weight and every row with ``0 < q < 1`` a Bernoulli(``q``)
    outcome; rows with ``q = 0`` (most unlinkable rows) or ``q >= 1`` add the
    same to every draw and draw nothing. The rows are summed by cell (group
    times buyer, a sparse matrix product) before the buyers' weights apply,
    so a draw costs one random number per uncertain row and one sum per cell.
    The uniform numbers and the drawn euros of a cell are single precision
    (relative steps of 2**-24, far below the Monte Carlo error); the shares
    themselves are double precision. The same ``seed`` gives the same
    intervals.
    """
    rng = np.random.default_rng(seed)
    codes, key_frame = group_codes(frame, keys)
    ng = len(key_frame)
    n = len(frame)
    amount = frame["amount"].to_numpy(float)
    hit = (np.ones(len(cand), dtype=bool) if flag is None
           else cand[flag].fillna(False).astype(bool).to_numpy())
    crow = cand["row"].to_numpy(np.int64)
    q = np.bincount(crow, weights=cand["p"].to_numpy(float) * hit, minlength=n)
    num = np.bincount(codes, weights=amount * q, minlength=ng)
    den = np.bincount(codes, weights=amount, minlength=ng)
    bidx, buyers = pd.factorize(frame["buyer_id"], use_na_sentinel=False)
    # cells: (group, buyer) pairs; what is certain is summed once per cell
    cell, cells = pd.factorize(codes * len(buyers) + bidx)
    cell_group, cell_buyer = np.divmod(np.asarray(cells, dtype=np.int64), len(buyers))
    sure = np.bincount(cell, weights=np.where(q >= 1, amount, 0.0), minlength=len(cells))
    base = np.bincount(cell, weights=amount, minlength=len(cells))
    open_ = np.flatnonzero((q > 0) & (q < 1))
    q_open = q[open_].astype(np.float32)
    # amounts of the uncertain rows summed into cells, cells summed into groups
    to_cell = sp.csr_matrix((amount[open_].astype(np.float32),
                             (cell[open_], np.arange(len(open_)))),
                            shape=(len(cells), len(open_)))
    to_group = sp.csr_matrix((np.ones(len(cells)), (np.arange(len(cells)), cell_group)),
                             shape=(len(cells), ng))
    sims = np.empty((draws, ng))
    for k0 in range(0, draws, CHUNK):
        k = min(CHUNK, draws - k0)
        w = rng.poisson(1.0, (k, len(buyers))).astype(float)[:, cell_buyer]
        u = rng.random((len(open_), k), dtype=np.float32)
        paid = sure + (to_cell @ (u < q_open[:, None])).T
        sn = np.asarray((w * paid) @ to_group)
        sd = np.asarray((w * base) @ to_group)
        sims[k0:k0 + k] = np.where(sd != 0, sn / np.where(sd != 0, sd, 1), np.nan)
    return share_table(key_frame, codes, num, den, sims)


def share_table(key_frame: pd.DataFrame, codes: np.ndarray, num: np.ndarray, den: np.ndarray,
                sims: np.ndarray) -> pd.DataFrame:
    """The rows of :func:`linked_share` from its sums and draws.

    ``key_frame`` and ``codes`` come from :func:`group_codes`; ``num`` and
    ``den`` are the euros by group; ``sims`` holds one drawn share per draw
    (rows) and group (columns), whose 2.5 and 97.5 percentiles are the interval.
    """
    out = key_frame.copy()
    out["numerator"] = num
    out["denominator"] = den
    out["value"] = np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)
    out["n_eligible"] = np.bincount(codes, minlength=len(key_frame)).astype(float)
    out["ci_low"], out["ci_high"] = _percentiles(sims)
    return out


def _percentiles(sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2.5 and 97.5 percentiles of each column of ``sims``, ignoring NaN draws
    (a group whose buyers all drew weight 0); NaN for a column of NaN only."""
    ng = sims.shape[1]
    low = np.full(ng, np.nan)
    high = np.full(ng, np.nan)
    finite = np.isfinite(sims)
    full = finite.all(axis=0)  # np.percentile is much faster than np.nanpercentile
    if full.any():
        low[full], high[full] = np.percentile(sims[:, full], [2.5, 97.5], axis=0)
    part = finite.any(axis=0) & ~full
    if part.any():
        low[part], high[part] = np.nanpercentile(sims[:, part], [2.5, 97.5], axis=0)
    return low, high


def frame_source(frames: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The invoice frame and candidates of a :class:`~keino_metrics.indicators.frames.Frames`,
    built once per computation."""
    key = ("spend_tables",)
    if key not in frames.memo:
        if frames.source is None:
            raise ValueError("the spend indicators need the dataset the frames were loaded from")
        frames.memo[key] = spend_tables(frames.source)
    return frames.memo[key]
