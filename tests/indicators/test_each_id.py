"""Every catalogue id computes alone and gives its rows of the whole catalogue.

Which columns a computation reads, and so which joins build the unit frames,
depends on the ids asked for: an id asked for alone runs without the columns
that only other indicators read. Its rows (numerator, denominator, value,
coverage, intervals, exclusions, light and warning) must still equal its rows
in the whole catalogue on the same engine and breakdown.

Every id runs alone once on each engine. The breakdown turns with the id (the
``k``-th id on the ``e``-th engine uses ``BREAKDOWNS[(k + e) % 3]``), so every
id also runs alone with each breakdown, and each engine with each breakdown,
while the test stays near a minute on one core.
"""

from __future__ import annotations

import pandas as pd
import pytest

from keino_metrics.indicators import compute, registry
from tests.indicators.test_engines import _same

ENGINES = ("pandas", "polars", "duckdb")
#: No breakdown, a breakdown of every unit frame's own year, and one from the buyers.
BREAKDOWNS = ((), ("year",), ("buyer_group",))


def _cases() -> list:
    cases = []
    for e, engine in enumerate(ENGINES):
        for k, ind in enumerate(registry.ids()):
            by = BREAKDOWNS[(k + e) % len(BREAKDOWNS)]
            cases.append(pytest.param(engine, list(by), ind,
                                      id=f"{engine}-{'+'.join(by) or 'total'}-{ind}"))
    return cases


@pytest.fixture(scope="module")
def whole(tiny):
    """The whole catalogue's result frame for an engine and breakdown (computed once)."""
    done = {}

    def get(engine: str, by: list[str]):
        key = (engine, tuple(by))
        if key not in done:
            done[key] = compute("all", tiny, by=by, engine=engine).to_frame()
        return done[key]

    return get


def test_every_id_and_breakdown_is_covered_on_every_engine():
    cases = [p.values for p in _cases()]
    assert {c[2] for c in cases} == set(registry.ids())
    for ind in registry.ids():
        assert {c[0] for c in cases if c[2] == ind} == set(ENGINES)
        assert {tuple(c[1]) for c in cases if c[2] == ind} == set(BREAKDOWNS)


@pytest.mark.parametrize(("engine", "by", "ind"), _cases())
def test_id_alone_gives_its_rows_of_the_whole_catalogue(tiny, whole, engine, by, ind):
    alone = compute([ind], tiny, by=by, engine=engine).to_frame()
    together = whole(engine, by)
    together = together[together["indicator_id"] == ind]
    if registry.get(ind).family == "spend" and tiny.spend.empty:
        # the small corpus holds no invoices: nothing is measured, alone or together
        assert not (alone.get("status", pd.Series(dtype=str)) == "measured").any()
    else:
        assert len(together) > 0
    _same(together, alone, by)
