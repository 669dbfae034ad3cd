"""Fixtures of the impact tests: the mpdta reference panel and a simulated panel."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def mpdta() -> pd.DataFrame:
    """The R ``did`` example panel (see ``data/SOURCE.md``)."""
    return pd.read_csv(DATA / "mpdta.csv")


@pytest.fixture(scope="session")
def mpdta_did(mpdta):
    """Callaway & Sant'Anna on mpdta with the R defaults (never treated, DR)."""
    from keino_metrics.impact import staggered_did

    return staggered_did(mpdta, outcome="lemp", unit="countyreal", time="year",
                         cohort="first.treat", seed=20240601)
