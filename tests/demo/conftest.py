"""Shared demo corpora: a small one for most tests, the default size for calibration."""

from __future__ import annotations

import pytest

from keino_metrics import demo


@pytest.fixture(scope="session")
def small():
    """A small corpus (scale 0.05) for structural tests."""
    return demo.generate(seed=7, scale=0.05)


@pytest.fixture(scope="session")
def full():
    """The default corpus (seed 2024, scale 1), for calibration and truth checks."""
    return demo.generate()
