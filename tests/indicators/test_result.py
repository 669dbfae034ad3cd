"""IndicatorResult: immutability, summary, plot, Excel; catalogue export."""

from __future__ import annotations

import dataclasses

import matplotlib
import pandas as pd
import pytest

from keino_metrics.indicators import compute, export_catalogue

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def res(tiny):
    return compute(["SMS-01", "KEINO-VOL-LOTS"], tiny, by="year", engine="pandas")


def test_frozen_and_copy(res):
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.engine = "x"
    f = res.to_frame()
    f.loc[0, "value"] = -1
    assert res.to_frame().loc[0, "value"] != -1


def test_summary_languages(res):
    fi = res.summary("fi")
    assert "Yhden tarjoajan kilpailutukset" in fi and "Liikennevalo" in fi
    assert "Single bidder" in res.summary("en")


def test_value_lookup(res):
    assert res.value("KEINO-VOL-LOTS", year=2024) == 3
    with pytest.raises(KeyError):
        res.value("KEINO-VOL-LOTS")


def test_plot(res):
    ax = res.plot("SMS-01")
    assert ax.get_title().startswith("SMS-01")
    with pytest.raises(KeyError):
        res.plot("SMS-02")


def test_to_excel(res, tmp_path):
    p = tmp_path / "r.xlsx"
    res.to_excel(p, lang="sv")
    back = pd.read_excel(p, sheet_name=None)
    assert set(back) == {"indicators", "indicators_def"}
    assert len(back["indicators"]) == len(res.to_frame())
    assert "name" in back["indicators"].columns


@pytest.mark.parametrize("suffix", [".csv", ".md", ".xlsx"])
def test_export_catalogue(tmp_path, suffix):
    p = tmp_path / f"cat{suffix}"
    export_catalogue(p, lang="fi", family="scoreboard")
    assert p.stat().st_size > 0
    with pytest.raises(ValueError, match="use a .csv"):
        export_catalogue(tmp_path / "cat.txt")
