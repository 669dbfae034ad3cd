"""The plain pandas baseline of the indicator benchmark agrees with the DuckDB engine."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keino_metrics import Dataset, datamodel, demo
from keino_metrics.indicators import compute, registry

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import baseline_pandas  # noqa: E402
from bench_indicators import compare  # noqa: E402

COLS = ["indicator_id", "year", "region_code", "numerator", "denominator"]


def _some(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return rng.random(n) < share


def _perturb(d: Path, seed: int) -> None:
    """Edit the demo tables so that the rarer paths of the definitions are exercised.

    TED sources (SMS-03), procedure types reported only on another notice,
    joint buyers and central purchasing bodies (SMS-04), buyers without a
    region or unknown to the buyer table, short submission periods (RF-R003),
    winners chosen but not flagged, and the optional columns accessibility
    (EF-ACCESS), clean-vehicle counts (EF-CVD-CLEAN) and lowest/highest tender
    values (RF-R058).
    """
    rng = np.random.default_rng(seed)
    buyers = pd.read_parquet(d / "buyers.parquet")
    nb = len(buyers)
    buyers.loc[_some(rng, nb, 0.1), "region_code"] = None
    buyers.loc[_some(rng, nb, 0.1), "legal_type"] = None
    buyers.to_parquet(d / "buyers.parquet", index=False)

    notices = pd.read_parquet(d / "notices.parquet")
    n = len(notices)
    notices.loc[_some(rng, n, 0.5), "source"] = "eforms"
    notices.loc[_some(rng, n, 0.15), "procedure_type"] = None
    other = _some(rng, n, 0.05) & (notices["notice_type"] == "cn").to_numpy()
    notices.loc[other, "buyer_id"] = buyers["buyer_id"].to_numpy()[
        rng.integers(0, nb, other.sum())]
    notices.loc[_some(rng, n, 0.02), "buyer_id"] = "0000000-0"  # not in the buyer table
    cpb = pd.array(rng.random(n) < 0.1, dtype="boolean")
    cpb[_some(rng, n, 0.5)] = pd.NA
    notices["central_purchasing_body"] = cpb
    notices.to_parquet(d / "notices.parquet", index=False)

    lots = pd.read_parquet(d / "lots.parquet")
    m = len(lots)
    acc = np.array([["inc"], ["n-inc"], None, None], dtype=object)[rng.integers(0, 4, m)]
    lots["accessibility"] = pd.Series(list(acc), dtype=object)
    short = _some(rng, m, 0.2)
    lots.loc[short, "submission_deadline"] = (lots.loc[short, "submission_deadline"]
                                              - pd.Timedelta(days=40))
    lots.loc[_some(rng, m, 0.1), "submission_deadline"] = pd.NaT
    lots.to_parquet(d / "lots.parquet", index=False)

    awards = pd.read_parquet(d / "awards.parquet")
    k = len(awards)
    chosen = awards["winner_chosen"].astype("boolean")
    chosen[_some(rng, k, 0.1)] = pd.NA
    awards["winner_chosen"] = chosen
    vehicles = rng.integers(0, 6, k).astype(float)
    vehicles[_some(rng, k, 0.5)] = np.nan
    clean = np.minimum(vehicles, rng.integers(0, 4, k))
    clean[_some(rng, k, 0.1)] = np.nan
    awards["cvd_vehicles"], awards["cvd_vehicles_clean"] = vehicles, clean
    low = rng.lognormal(10, 1, k)
    high = low * (1 + rng.exponential(0.5, k))
    low[_some(rng, k, 0.1)] = np.nan
    awards["lowest_tender_value_eur"], awards["highest_tender_value_eur"] = low, high
    awards.to_parquet(d / "awards.parquet", index=False)

    survey = pd.read_parquet(d / "capability_survey.parquet")
    items = [c for c in survey.columns if c[-2:] in ("_1", "_2", "_3")]
    survey[items] = survey[items].astype(float).mask(rng.random((len(survey), len(items)))
                                                      < 0.2)
    survey.to_parquet(d / "capability_survey.parquet", index=False)


def _rewrite(d: Path, out: Path) -> Path:
    """The tables of ``d``, edited by hand, written as a dataset (with its manifest)."""
    frames = {p.stem: pd.read_parquet(p) for p in sorted(d.glob("*.parquet"))}
    tables = {k: frames.pop(k) for k in list(frames) if k in datamodel.TABLES}
    if "accounting" in frames:
        tables["accounting"] = frames.pop("accounting")
    return Dataset(**tables, extra=frames).to_parquet(out)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    demo.generate(seed=11, scale=0.05).to_parquet(d)
    _perturb(d, seed=11)
    return _rewrite(d, tmp_path_factory.mktemp("checked") / "corpus")


@pytest.fixture(scope="module")
def results(corpus) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = baseline_pandas.compute_baseline(corpus)[COLS]
    engine = compute(baseline_pandas.IDS, corpus, by=["year", "region_code"],
                     engine="duckdb").to_frame()[COLS]
    return base, engine


def test_ids_are_catalogue_ids_and_listed_once():
    ids = baseline_pandas.IDS
    assert len(ids) == len(set(ids))
    assert set(ids) <= set(registry.ids())
    assert ids == [i for fam in baseline_pandas.FAMILIES.values() for i in fam
                   if i not in baseline_pandas.ENGINE_DIFFERS]


def test_every_catalogue_id_outside_the_baseline_is_an_alpha_or_a_known_difference():
    missing = set(registry.ids()) - set(baseline_pandas.IDS)
    alphas = {i for i in registry.ids() if i.startswith("CAP-") and i.endswith("-ALPHA")}
    # the spend family reads purchase invoices through the linker, not the notice tables
    spend = {i for i in registry.ids() if registry.get(i).family == "spend"}
    assert missing == alphas | spend | set(baseline_pandas.ENGINE_DIFFERS)


def test_unknown_id_is_refused(corpus):
    with pytest.raises(ValueError, match="CAP-OVERALL-ALPHA"):
        baseline_pandas.compute_baseline(corpus, ids=["CAP-OVERALL-ALPHA"])


def test_region_completeness_follows_its_definition(corpus):
    """Lot results of buyers without a region count as not reporting it."""
    b = baseline_pandas.compute_baseline(corpus, ids=["DQ-BUYERS-REGION_CODE"])
    assert set(b["indicator_id"]) == {"DQ-BUYERS-REGION_CODE"}
    missing = b["region_code"].isna()
    assert missing.any() and (~missing).any()
    assert (b.loc[missing, "numerator"] == 0).all()
    assert (b.loc[missing, "denominator"] > 0).all()
    assert (b.loc[~missing, "numerator"] == b.loc[~missing, "denominator"]).all()


def test_engine_region_completeness_by_region(corpus):
    """Broken down by region, the engine reads the field, not the group label."""
    ids = ["DQ-BUYERS-REGION_CODE"]
    base = baseline_pandas.compute_baseline(corpus, ids=ids)
    engine = compute(ids, corpus, by=["year", "region_code"], engine="duckdb").to_frame()[COLS]
    compare(engine, base)


def test_baseline_agrees_with_duckdb(results):
    base, engine = results
    rows = compare(engine, base)
    assert rows > 0
    assert set(base["indicator_id"]) == set(baseline_pandas.IDS)
    assert set(engine["indicator_id"]) == set(baseline_pandas.IDS)


def test_rare_paths_are_exercised(results):
    """The perturbed corpus gives non-zero numerators where the demo alone gives none."""
    base, _ = results
    num = base.groupby("indicator_id")["numerator"].sum()
    den = base.groupby("indicator_id")["denominator"].sum()
    for iid in ("SMS-03", "SMS-04", "RF-R003", "RF-R058", "EF-ACCESS", "EF-CVD-CLEAN",
                "KEINO-MKT-HHI", "RF-R048"):
        assert num[iid] > 0, iid
        assert den[iid] > 0, iid
    assert base["region_code"].isna().any()


def test_compare_detects_a_changed_numerator(results):
    base, engine = results
    changed = base.copy()
    i = changed.index[changed["numerator"] > 0][0]
    changed.loc[i, "numerator"] *= 1 + 1e-6
    with pytest.raises(AssertionError, match="numerator differs"):
        compare(engine, changed)
