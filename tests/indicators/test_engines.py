"""The whole catalogue gives the same numbers on every engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from keino_metrics.indicators import compute

BY = ["year", "buyer_group"]
NUMERIC = ["value", "numerator", "denominator", "coverage", "ci_low", "ci_high", "n_eligible",
           "excluded"]


def _sorted(f: pd.DataFrame) -> pd.DataFrame:
    return f.sort_values(["indicator_id", *BY], na_position="first").reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tiny):
    return _sorted(compute("all", tiny, by=BY, engine="pandas").to_frame())


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a["indicator_id"]) == list(b["indicator_id"])
    for c in NUMERIC:
        np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), rtol=1e-9,
                                   equal_nan=True, err_msg=c)
    for c in ("excluded_reasons", "light", "warning", *BY):
        assert list(a[c].fillna("").astype(str)) == list(b[c].fillna("").astype(str)), c


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_engine_parity(tiny, reference, engine):
    _same(reference, _sorted(compute("all", tiny, by=BY, engine=engine).to_frame()))


def test_parquet_directory_on_duckdb(tiny, reference, tmp_path):
    tiny.to_parquet(tmp_path)
    res = compute("all", tmp_path, by=BY)
    assert res.engine == "duckdb"
    _same(reference, _sorted(res.to_frame()))


def test_pyspark_parity(tiny, reference):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark; "
                        "needs Java 17)")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("pyspark is installed but no Java runtime was found")
    _same(reference, _sorted(compute("all", tiny, by=BY, engine="pyspark").to_frame()))
