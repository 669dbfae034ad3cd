"""The shared grouped computation: km.compute rows with the small-number rule, ranks
by direction and notes in the reader's language."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import keino_metrics as km
from keino_metrics import demo
from keino_metrics.report import grouped

IDS = ("KEINO-GREEN-N", "KEINO-SOCIAL-N", "SMS-01")
#: Smallest denominator of these tests (the small corpus has few lots per buyer).
N = 5


@pytest.fixture(scope="module")
def data():
    return demo.generate(seed=5, scale=0.03)


@pytest.fixture(scope="module")
def by_buyer(data):
    return grouped.rows(IDS, data, ["buyer_id", "year"], min_n=N)


def test_rows_are_the_compute_rows(data, by_buyer):
    ref = km.compute(list(IDS), data, by=["buyer_id", "year"], engine=grouped.ENGINE
                     ).to_frame()
    ref = ref[ref["year"].notna()].reset_index(drop=True)
    assert len(ref) == len(by_buyer)
    # the pages name the result's estimate "value" (grouped.SHOWN_NAMES)
    pairs = {"value": "estimate", **{c: c for c in ("numerator", "denominator", "ci_low",
                                                    "ci_high", "coverage")}}
    for col, ref_col in pairs.items():
        np.testing.assert_allclose(by_buyer[col].astype(float), ref[ref_col].astype(float),
                                   equal_nan=True, err_msg=col)
    assert by_buyer["year"].dtype.kind == "i"
    assert list(by_buyer["status"]) == list(ref["status"])


def test_small_numbers_keep_their_value_but_lose_the_light(data, by_buyer):
    small = by_buyer["denominator"] < N
    assert small.any() and (~small).any()
    assert by_buyer["small"].equals(small)
    assert by_buyer.loc[small, "light"].isna().all()
    ref = km.compute(list(IDS), data, by=["buyer_id", "year"], engine=grouped.ENGINE
                     ).to_frame()
    ref = ref[ref["year"].notna()].reset_index(drop=True)
    big = ~small & ref["light"].notna()
    assert big.any()
    assert list(by_buyer.loc[big, "light"]) == list(ref.loc[big, "light"])


def test_ranks_follow_the_direction_and_skip_small_and_unmeasured(by_buyer):
    f = grouped.ranks(by_buyer, min_n=N)
    ranked = f[f["rank"].notna()]
    assert not ranked.empty
    assert (ranked["denominator"] >= N).all()
    assert (ranked["status"] != "not_measurable").all()
    for (ind, _), g in ranked.groupby(["indicator_id", "year"]):
        v = g.sort_values("rank")["value"]
        # SMS-01 (single bidding) is better lower; the shares better higher
        assert v.is_monotonic_increasing if ind == "SMS-01" else v.is_monotonic_decreasing
        assert g["n_ranked"].eq(len(g)).all()


def test_reason_is_in_the_reader_language():
    row = {"warning": "not measurable: no eligible units: nothing to measure",
           "status": "not_measurable"}
    fi = grouped.reason(row, "fi")
    assert fi and "not measurable" not in fi
    assert grouped.reason(row, "en") == row["warning"]
    assert grouped.reason({"warning": None}, "sv") == ""
    assert grouped.reason(pd.Series({"warning": float("nan")}), "fi") == ""
