"""Published figures: values with their sources, one place for the library and the reports."""

from __future__ import annotations

import pytest

from keino_metrics import published
from keino_metrics.impact.carbon import PUBLISHED_FI_CO2


def test_every_figure_has_a_source_and_unit():
    assert len(published.FIGURES) >= 5
    for name, fig in published.FIGURES.items():
        assert fig.source and fig.unit, name
        assert fig.value > 0, name


def test_figures_the_models_use():
    assert published.FI_PROCUREMENT_CO2_2015.value == pytest.approx(11.0e6)
    assert published.FI_PROCUREMENT_SPEND_2015.value == pytest.approx(28.3e9)
    assert PUBLISHED_FI_CO2["emissions_t"] == published.FI_PROCUREMENT_CO2_2015.value
    assert PUBLISHED_FI_CO2["spend_eur"] == published.FI_PROCUREMENT_SPEND_2015.value
    assert published.FI_MARKET_VOLUME_2018.value == pytest.approx(31e9)
    assert published.FI_PROCUREMENT_VOLUME_2018.year == 2018


def test_unknown_scope_is_named():
    with pytest.raises(KeyError, match="nowhere"):
        published.procurement_volume("nowhere")
