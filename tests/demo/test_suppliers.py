import numpy as np
import pandas as pd

from keino_metrics.demo.ids import is_business_id
from keino_metrics.demo.suppliers import SIZE_SHARE, choose_winners, supplier_pool


def _pool(n=2000, seed=0):
    demand = pd.Series({"45": 5.0, "72": 2.0, "90": 3.0, "15": 1.0})
    return supplier_pool(np.random.default_rng(seed), n, demand, set())


def test_pool_layout():
    sup, pool = _pool()
    assert sup["supplier_id"].is_unique
    fi = sup[sup["country"] == "FI"]
    assert all(is_business_id(x) for x in fi["supplier_id"])
    assert set(sup["size"]) == set(SIZE_SHARE)
    assert set(pool["division"]) == {"45", "72", "90", "15"}
    several = sup["divisions"].str.contains(",")
    assert 0.02 < several.mean() < 0.12  # heterogeneous suppliers
    assert pool.equals(pool.sort_values(["division", "region_code", "supplier"]).reset_index(
        drop=True))


def test_winners_serve_the_division_and_are_concentrated():
    sup, pool = _pool()
    rng = np.random.default_rng(1)
    n = 20_000
    division = rng.choice(["45", "72"], size=n)
    region = rng.choice(["01", "06", "19"], size=n)
    nature = np.where(division == "45", "works", "services")
    w = choose_winners(rng, pool, division, region, nature)
    served = pool.groupby("supplier")["division"].agg(set)
    assert all(d in served[s] for s, d in zip(w, division, strict=True))
    local = sup["region_code"].to_numpy()[w] == region
    assert local[division == "45"].mean() > 0.6
    share = pd.Series(w).value_counts(normalize=True)
    assert share.head(int(len(share) * 0.05) or 1).sum() > 0.2
