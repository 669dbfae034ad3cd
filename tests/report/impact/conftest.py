"""A small generated corpus and the impact report's content on it, computed once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory):
    """A small generated corpus written as Parquet (demo provenance)."""
    from keino_metrics import demo
    from keino_metrics.dataset import Dataset

    d = tmp_path_factory.mktemp("impact") / "demo"
    demo.write(d, seed=11, scale=0.05)
    return Dataset.from_parquet(d), d


@pytest.fixture(scope="session")
def small_content(small_demo):
    """The impact report's content of 2025 on the small corpus."""
    from keino_metrics.report.impact.content import compute_impact

    data, _ = small_demo
    return compute_impact(data, 2025, seed=11)
