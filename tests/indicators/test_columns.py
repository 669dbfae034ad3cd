"""Columns read by an expression, and the narrowed lot-result frame they give."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import narwhals.stable.v2.selectors as ncs
import numpy as np
import pytest

from keino_metrics.indicators import compute, registry
from keino_metrics.indicators.columns import referenced_columns
from keino_metrics.indicators.spec import Custom

L = nw.col


def test_names_through_nesting():
    e = (L("a").fill_null(False) | L("b").is_null()
         | nw.when(L("c") > 1).then(nw.lit(1.0)).otherwise(L("d"))).alias("x")
    got = referenced_columns([e, nw.coalesce(L("e"), L("f")), L("g").list.contains("v"),
                              L("h").is_in(["a"]).cast(nw.Float64)])
    assert got == set("abcdefgh")


@pytest.mark.parametrize("opaque", [nw.nth(0), nw.all(), ncs.numeric()])
def test_unknown_selection_means_all(opaque):
    assert referenced_columns([L("a"), opaque]) is None


#: Every lot-result Ratio/Total indicator (no Custom one, so the frame is narrowed).
NARROW = [i for i in registry.ids() if not isinstance(registry.get(i).measure, Custom)
          and registry.get(i).measure.frame == "lot_results"]


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_narrow_frame_gives_the_full_frame_numbers(tiny, engine):
    """Without Custom indicators only the columns read are built; the numbers do not move."""
    full = compute("all", tiny, by="year", engine="pandas").to_frame()
    full = full[full["indicator_id"].isin(NARROW)].sort_values(["indicator_id", "year"])
    narrow = compute(NARROW, tiny, by="year", engine=engine).to_frame()
    narrow = narrow.sort_values(["indicator_id", "year"])
    assert list(full["indicator_id"]) == list(narrow["indicator_id"])
    for c in ("numerator", "denominator", "n", "excluded", "coverage", "ci_low"):
        np.testing.assert_allclose(full[c].to_numpy(float), narrow[c].to_numpy(float),
                                   rtol=1e-9, equal_nan=True, err_msg=c)
    assert list(full["excluded_reasons"]) == list(narrow["excluded_reasons"])
