"""The buyer-by-year panel that the programme effects are estimated on.

Both reports estimate programme effects (the impact report in full, the annual
report's headline in brief) on the panel :func:`impact_panel` builds, so that
their numbers are the same.
"""

from __future__ import annotations

from contextlib import nullcontext

import pandas as pd

from keino_metrics.dataset import Dataset
from keino_metrics.report.impact.params import ALL_PROGRAMMES
from keino_metrics.results import Note, recorded_notes

__all__ = ["impact_panel"]


def impact_panel(data: Dataset, outcome: str, programme: str = ALL_PROGRAMMES,
                 year: int | None = None, *,
                 log: list[Note] | None = None) -> pd.DataFrame:
    """Buyer-by-year panel of ``outcome`` for the programme effect.

    The cohort is the year of a buyer's first programme start (any programme),
    because the effect of participation is counted from the first join. For one
    programme, buyers whose first programme is another one are left out, so the
    treated are the buyers that joined this programme first and the controls
    never joined any. Joins after ``year`` count as not joined, and years after
    ``year`` are dropped.

    Parameters
    ----------
    data : Dataset
        Canonical tables with ``programme_participation``.
    outcome : str
        Outcome indicator id.
    programme : str
        ``"all"`` or a programme name.
    year : int, optional
        Last year of the panel.
    log : list, optional
        Receives the warnings raised while the panel is built (else they are
        passed on to the caller).

    Returns
    -------
    pandas.DataFrame
        :func:`keino_metrics.indicators.buyer_year_panel` rows, sorted by buyer and
        year, with ``first_programme``.
    """
    from keino_metrics.indicators import buyer_year_panel

    with nullcontext() if log is None else recorded_notes(log, "panel"):
        panel = buyer_year_panel(data, outcomes=[outcome])
    pp = data.programme_participation.dropna(subset=["buyer_id", "start_date"])
    first = (pp.sort_values(["buyer_id", "start_date", "programme"], kind="stable")
             .drop_duplicates("buyer_id").set_index("buyer_id")["programme"].astype(str))
    panel["first_programme"] = panel["buyer_id"].map(first)
    if programme != ALL_PROGRAMMES:
        other = panel["first_programme"].notna() & (panel["first_programme"] != programme)
        panel = panel[~other]
    if year is not None:
        panel = panel[panel["year"] <= year].copy()
        panel.loc[panel["cohort"] > year, "cohort"] = 0
    return panel.sort_values(["buyer_id", "year"], kind="stable").reset_index(drop=True)
