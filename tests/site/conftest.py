"""A small real-shaped corpus for the site tests: the demo generator at a small scale,
cut down to a few buyers so that a whole site builds in seconds."""

from __future__ import annotations

from dataclasses import fields, replace

import pandas as pd
import pytest

from keino_metrics import demo
from keino_metrics.dataset import Dataset
from keino_metrics.site import content as site_content

#: Buyers kept: the busiest ones of the small corpus.
N_BUYERS = 6


def _subset(data: Dataset, n: int) -> Dataset:
    busiest = data.notices["buyer_id"].value_counts().index[:n]
    keep = set(busiest)
    notices = data.notices[data.notices["buyer_id"].isin(keep)]
    ids = set(notices["notice_id"])
    changes = {}
    for f in fields(Dataset):
        table = getattr(data, f.name)
        if not isinstance(table, pd.DataFrame):
            continue
        if "notice_id" in table.columns:
            changes[f.name] = table[table["notice_id"].isin(ids)].reset_index(drop=True)
        elif "buyer_id" in table.columns:
            changes[f.name] = table[table["buyer_id"].isin(keep)].reset_index(drop=True)
    return replace(data, **changes)


@pytest.fixture(scope="session")
def small_corpus() -> Dataset:
    """The demo corpus at scale 0.05 with its purchase invoices, limited to its
    :data:`N_BUYERS` busiest buyers."""
    return _subset(demo.generate(seed=2024, scale=0.05, invoices=True), N_BUYERS)


@pytest.fixture(scope="session")
def small_content(small_corpus: Dataset) -> site_content.SiteContent:
    """The site content of :func:`small_corpus`, computed once per test session."""
    return site_content.compute(small_corpus)
