"""The catalogue gives the same numbers on every engine (rtol 1e-9 after sorting)."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from keino_metrics.indicators import compute, registry

BY = ["year", "buyer_group"]
NUMERIC = ["estimate", "numerator", "denominator", "coverage", "ci_low", "ci_high", "n",
           "excluded"]
#: One indicator of every measure kind and frame, for the breakdown parity test.
SUBSET = ["SMS-", "KEINO-MKT-", "KEINO-VOL-", "KEINO-INNOV-MKT-EUR", "CAP-STRATEGY",
          "CAP-STRATEGY-ALPHA", "RF-R048", "FI-10PCT-MKT-VOL31", "FI-SME-CONS",
          "DQ-NOTICES-PROCEDURE_TYPE"]


#: Breakdowns that turn with the id in the PySpark test of every id alone.
ALONE_BY = ([], ["year"], ["buyer_group"])


def _sorted(f: pd.DataFrame, by) -> pd.DataFrame:
    return f.sort_values(["indicator_id", *by], na_position="first").reset_index(drop=True)


def _same(a: pd.DataFrame, b: pd.DataFrame, by) -> None:
    a, b = _sorted(a, by), _sorted(b, by)
    assert list(a["indicator_id"]) == list(b["indicator_id"])
    for c in NUMERIC:
        np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), rtol=1e-9,
                                   equal_nan=True, err_msg=c)
    for c in ("excluded_reasons", "light", "warning", *by):
        assert list(a[c].fillna("").astype(str)) == list(b[c].fillna("").astype(str)), c


def test_whole_catalogue_polars(tiny, reference_all):
    _same(reference_all.to_frame(), compute("all", tiny, engine="polars").to_frame(), [])


def test_whole_catalogue_duckdb_over_parquet(tiny, reference_all, tmp_path):
    tiny.to_parquet(tmp_path)
    res = compute("all", tmp_path)
    assert res.engine == "duckdb"
    _same(reference_all.to_frame(), res.to_frame(), [])


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_breakdown_parity(tiny, engine):
    ref = compute(SUBSET, tiny, by=BY, engine="pandas").to_frame()
    _same(ref, compute(SUBSET, tiny, by=BY, engine=engine).to_frame(), BY)


@pytest.mark.slow
def test_whole_catalogue_by_breakdown_all_engines(tiny, tmp_path):
    ref = compute("all", tiny, by=BY, engine="pandas").to_frame()
    for engine in ("polars", "duckdb"):
        _same(ref, compute("all", tiny, by=BY, engine=engine).to_frame(), BY)


def _need_spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark; "
                        "it also needs a Java runtime)")
    if shutil.which("java") is None:
        pytest.skip("pyspark is installed but no Java runtime was found")


@pytest.mark.slow
def test_pyspark_parity(tiny, reference_all):
    _need_spark()
    _same(reference_all.to_frame(), compute("all", tiny, engine="pyspark").to_frame(), [])


@pytest.mark.slow
def test_pyspark_over_parquet(tiny, tmp_path):
    _need_spark()
    tiny.to_parquet(tmp_path)
    ref = compute(SUBSET, tiny, by=BY, engine="pandas").to_frame()
    _same(ref, compute(SUBSET, tmp_path, by=BY, engine="pyspark").to_frame(), BY)


@pytest.fixture(scope="module")
def reference_by(tiny):
    """The whole catalogue on pandas by each breakdown of ``ALONE_BY``."""
    _need_spark()
    return {tuple(by): compute("all", tiny, by=by, engine="pandas").to_frame()
            for by in ALONE_BY}


@pytest.mark.slow
@pytest.mark.parametrize(("by", "ind"), [
    pytest.param(ALONE_BY[k % len(ALONE_BY)], ind, id=ind)
    for k, ind in enumerate(registry.ids())])
def test_pyspark_each_id_alone(tiny, reference_by, by, ind):
    """Each id alone on PySpark gives its rows of the whole catalogue on pandas (the
    breakdown turns with the id, as in test_each_id)."""
    ref = reference_by[tuple(by)]
    _same(ref[ref["indicator_id"] == ind], compute([ind], tiny, by=by, engine="pyspark")
          .to_frame(), by)
