"""The supplier pool of the demonstration corpus and the choice of winners.

Suppliers have a size class (BT-165 codes), a home region, one main CPV
division (a few heterogeneous suppliers serve several divisions) and a
heavy-tailed "fitness" (Pareto, shape :data:`FITNESS_SHAPE`, times a size
multiplier) that makes market shares concentrated. A lot's winner is drawn
among the suppliers of the lot's division with probability proportional to
fitness, from the buyer's region with a probability that depends on the
contract nature (local markets for works and services), nationally otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics import geography
from keino_metrics.demo.ids import random_business_ids
from keino_metrics.demo.vectors import as_str, lookup

__all__ = ["SIZE_SHARE", "FITNESS_SHAPE", "LOCAL_SHARE", "supplier_pool", "choose_winners"]

#: [assumption] Size mix of the supplier pool (BT-165 codes).
SIZE_SHARE: dict[str, float] = {"micro": 0.38, "small": 0.30, "medium": 0.19, "large": 0.13}

#: [assumption] Size multiplier of fitness (how much more a size class wins).
SIZE_WEIGHT: dict[str, float] = {"micro": 0.5, "small": 1.0, "medium": 2.0, "large": 4.0}

#: [assumption] Pareto shape of supplier fitness (smaller: more concentrated).
FITNESS_SHAPE: float = 1.3

#: [assumption] Probability that a lot's winner is drawn from the buyer's region.
LOCAL_SHARE: dict[str, float] = {"works": 0.65, "services": 0.5, "supplies": 0.2}

#: [assumption] Share of suppliers that serve several CPV divisions, and of
#: foreign suppliers.
MULTI_DIVISION_SHARE: float = 0.06
FOREIGN_SHARE: float = 0.03

_SURNAMES = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
             "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen",
             "Heinonen", "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo",
             "Laitinen", "Tuominen", "Rantanen", "Karjalainen", "Jokinen", "Mattila", "Savolainen",
             "Lahtinen", "Ahonen", "Nordic", "Pohjola", "Suomen", "Itä", "Länsi", "Lappi"]
_SECTOR = {"45": "Rakennus", "71": "Suunnittelu", "72": "Data", "48": "Software", "30": "IT",
           "90": "Ympäristöpalvelut", "85": "Hoiva", "80": "Koulutus", "60": "Liikenne",
           "55": "Catering", "15": "Tukku", "33": "Medical", "34": "Auto", "09": "Energia",
           "79": "Consulting", "73": "Tutkimus", "50": "Huolto", "77": "Viher", "39": "Kaluste",
           "18": "Tekstiili", "22": "Kirja", "44": "Rakennustarvike", "43": "Kone",
           "32": "Tele", "38": "Lab", "64": "Tele", "66": "Vakuutus", "92": "Elämys"}
_FOREIGN = {"SE": ("SE", 10, "AB"), "EE": ("EE", 8, "OÜ"), "DE": ("DE", 9, "GmbH"),
            "DK": ("DK", 8, "A/S"), "NO": ("NO", 9, "AS")}


def supplier_pool(rng: np.random.Generator, n: int, divisions: pd.Series,
                  exclude_ids: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw ``n`` suppliers.

    Parameters
    ----------
    rng : numpy.random.Generator
    n : int
        Number of suppliers.
    divisions : pandas.Series
        Relative demand per CPV division (index: two-digit division).
    exclude_ids : set of str
        Business ids already used (buyers).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The suppliers (``supplier_id``, ``name``, ``size``, ``country``,
        ``region_code``, ``division``, ``fitness``, ``divisions``) and the
        pool (one row per supplier and division served: ``supplier``,
        ``division``, ``region_code``, ``weight``), sorted by division and
        region.
    """
    regions = geography.regions()
    rprob = regions["population_2020_12_31"].to_numpy(float)
    region = rng.choice(regions["region_code"].to_numpy(), size=n, p=rprob / rprob.sum())
    sizes = np.array(list(SIZE_SHARE))
    size = rng.choice(sizes, size=n, p=np.array(list(SIZE_SHARE.values())))
    div_codes = divisions.index.to_numpy()
    dprob = divisions.to_numpy(float) / divisions.sum()
    division = rng.choice(div_codes, size=n, p=dprob)
    fitness = (rng.pareto(FITNESS_SHAPE, size=n) + 1) * lookup(size, SIZE_WEIGHT)
    foreign = rng.random(n) < FOREIGN_SHARE
    country = np.where(foreign, rng.choice(list(_FOREIGN), size=n), "FI")
    ids = np.array(random_business_ids(rng, n, exclude_ids), dtype=object)
    for code, (prefix, digits, _) in _FOREIGN.items():
        sel = country == code
        nums = rng.integers(10 ** (digits - 1), 10**digits, size=sel.sum())
        ids[sel] = [f"{prefix}{x}" for x in nums.tolist()]
    form = np.where(region == "21", "Ab", np.where(size == "large", "Oyj", "Oy"))
    for code, (_, _, legal) in _FOREIGN.items():
        form[country == code] = legal
    sector = lookup(division, _SECTOR, "Palvelut")
    surname = rng.choice(_SURNAMES, size=n)
    names = as_str(surname) + " " + as_str(sector) + " " + as_str(form)
    suppliers = pd.DataFrame({
        "supplier_id": as_str(ids), "name": names, "size": size,
        "country": country, "region_code": region, "division": division, "fitness": fitness,
    })
    # heterogeneous suppliers: serve one to three further divisions
    multi = np.flatnonzero(rng.random(n) < MULTI_DIVISION_SHARE)
    extra_n = rng.integers(1, 4, size=len(multi))
    extra_sup = np.repeat(multi, extra_n)
    extra_div = rng.choice(div_codes, size=len(extra_sup), p=dprob)
    pool = pd.DataFrame({
        "supplier": np.concatenate([np.arange(n), extra_sup]),
        "division": np.concatenate([division, extra_div]),
    })
    pool = pool.drop_duplicates().reset_index(drop=True)
    pool["region_code"] = region[pool["supplier"].to_numpy()]
    pool["weight"] = fitness[pool["supplier"].to_numpy()]
    # every division must have at least one supplier
    missing = sorted(set(div_codes) - set(pool["division"]))
    if missing:
        big = np.argsort(-fitness)[: len(missing)]
        pool = pd.concat([pool, pd.DataFrame({
            "supplier": big, "division": missing, "region_code": region[big],
            "weight": fitness[big]})], ignore_index=True)
    pool = pool.sort_values(["division", "region_code", "supplier"], kind="stable")
    pool = pool.reset_index(drop=True)
    divisions_served = np.asarray(division, dtype=object).copy()
    several = pool[pool["supplier"].duplicated(keep=False)]
    if len(several):
        joined = several.groupby("supplier")["division"].agg(lambda s: ",".join(sorted(s)))
        divisions_served[joined.index.to_numpy()] = joined.to_numpy()
    suppliers["divisions"] = as_str(divisions_served)
    return suppliers, pool


def choose_winners(rng: np.random.Generator, pool: pd.DataFrame, division: np.ndarray,
                   region: np.ndarray, nature: np.ndarray) -> np.ndarray:
    """Index of the winning supplier for each lot (vectorised).

    Draws within the ``(division, region)`` group with probability
    :data:`LOCAL_SHARE` of the nature when that group has suppliers, within
    the division nationally otherwise; probability proportional to weight.
    """
    cum = np.concatenate([[0.0], np.cumsum(pool["weight"].to_numpy(float))])
    key_dr = pool["division"].astype(str) + "|" + pool["region_code"].astype(str)
    bounds_dr = pd.Series(np.arange(len(pool))).groupby(key_dr.to_numpy()).agg(["min", "max"])
    bounds_d = pd.Series(np.arange(len(pool))).groupby(pool["division"].to_numpy()).agg(
        ["min", "max"])
    n = len(division)
    d_lo = bounds_d["min"].reindex(division).to_numpy()
    d_hi = bounds_d["max"].reindex(division).to_numpy() + 1
    lot_key = pd.Series(division, dtype="str") + "|" + pd.Series(region, dtype="str")
    r_lo = bounds_dr["min"].reindex(lot_key.to_numpy()).to_numpy()
    r_hi = bounds_dr["max"].reindex(lot_key.to_numpy()).to_numpy() + 1
    p_local = lookup(nature, LOCAL_SHARE, 0.0)
    local = (rng.random(n) < p_local) & ~np.isnan(r_lo)
    lo = np.where(local, r_lo, d_lo).astype(np.int64)
    hi = np.where(local, r_hi, d_hi).astype(np.int64)
    pos = cum[lo] + rng.random(n) * (cum[hi] - cum[lo])
    row = np.clip(np.searchsorted(cum, pos, side="right") - 1, lo, hi - 1)
    return pool["supplier"].to_numpy()[row]
