import numpy as np

from keino_metrics import codelists
from keino_metrics.demo.strategic import strategic_fields


def _fields(n=20_000, seed=0):
    rng = np.random.default_rng(seed)
    date = np.where(rng.random(n) < 0.5, np.datetime64("2023-01-01"), np.datetime64("2024-06-01"))
    innov = rng.random(n) < 0.2
    green = rng.random(n) < 0.5
    return date, innov, green, strategic_fields(rng, date.astype("datetime64[D]"), innov, green)


def test_only_after_eforms_date_and_valid_codes():
    date, innov, green, f = _fields()
    before = date < np.datetime64("2023-10-25")
    assert f.loc[before].isna().all().all()
    lists = {"strategic_procurement": "strategic-procurement",
             "green_procurement": "environmental-impact", "social_objective": "social-objective",
             "innovation": "innovative-acquisition", "gpp_criteria": "gpp-criteria"}
    for col, listname in lists.items():
        allowed = codelists.codes(listname)
        vals = f[col].dropna()
        assert len(vals) and vals.map(lambda v, a=allowed: len(v) > 0 and set(v) <= a).all(), col


def test_consistency_with_labels():
    _, innov, green, f = _fields()
    bt06 = f["strategic_procurement"]
    has = bt06.map(lambda v: v is not None)
    inn = bt06.map(lambda v: v is not None and "inn-pur" in v).to_numpy()
    env = bt06.map(lambda v: v is not None and "env-imp" in v).to_numpy()
    assert not (inn & ~innov).any() and not (env & ~green).any()
    assert (f["innovation"].notna().to_numpy() == inn).all()
    assert (f["green_procurement"].notna().to_numpy() == env).all()
    assert bt06[has].map(lambda v: "none" not in v or len(v) == 1).all()
