"""IndicatorResult: immutability, summary, plot, Excel; catalogue export."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from keino_metrics.indicators import compute, export_catalogue

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def res(tiny):
    return compute(["SMS-01", "KEINO-VOL-LOTS"], tiny, by="year", engine="pandas")


def test_frozen_and_copy(res):
    with pytest.raises(AttributeError, match="immutable"):
        res.engine = "x"
    f = res.to_frame()
    f.loc[0, "estimate"] = -1
    assert res.to_frame().loc[0, "estimate"] != -1
    g = res.frame  # the frame attribute is a copy too
    g.loc[0, "estimate"] = -2
    assert res.to_frame().loc[0, "estimate"] not in (-1, -2)


def test_result_protocol(res):
    from keino_metrics.results import COLUMNS

    tidy = res.tidy()
    assert list(tidy.columns[:5]) == ["estimate", "ci_low", "ci_high", "numerator",
                                      "denominator"]
    assert set(COLUMNS) - set(tidy.columns) == {"std_error"}
    assert (tidy["estimate"].to_numpy() == res.to_frame()["estimate"].to_numpy()).all() or \
        tidy["estimate"].isna().equals(res.to_frame()["estimate"].isna())
    assert repr(res).startswith("IndicatorResult\nIndicators (pandas; by year)")
    assert "<pre>" in res._repr_html_() and "<table" in res._repr_html_()
    assert all(n.kind == "warning" for n in res.notes)
    assert "Indikatorer" in res.summary("sv")


def test_summary_languages(res):
    fi = res.summary("fi")
    assert "Yhden tarjoajan kilpailutukset" in fi and "Liikennevalo" in fi
    assert "Single bidder" in res.summary("en")


def test_value_lookup(res):
    assert res.value("KEINO-VOL-LOTS", year=2024) == 3
    with pytest.raises(KeyError):
        res.value("KEINO-VOL-LOTS")


def test_plot(res):
    from matplotlib.figure import Figure

    fig = res.plot("SMS-01")
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_title().startswith("SMS-01")
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
