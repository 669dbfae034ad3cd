"""The indicator catalogue as the reports see it: families, ids and names.

Both reports select indicators by catalogue family and show their names in the
language of the run; these look-ups are shared here so that each report's
content module only holds its own selection.
"""

from __future__ import annotations

import pandas as pd

from keino_metrics.indicators import catalogue

__all__ = ["TARGET_FAMILY", "catalogue_frame", "family_ids", "innovation_ids",
           "indicator_names"]

#: Catalogue family holding the candidate definitions of the 10 % target.
TARGET_FAMILY = "innovation-target"


def catalogue_frame(lang: str) -> pd.DataFrame:
    """The catalogue in ``lang`` with the id column named ``indicator_id``."""
    cat = catalogue(lang=lang)
    if "indicator_id" not in cat.columns and "id" in cat.columns:
        cat = cat.rename(columns={"id": "indicator_id"})
    return cat


def family_ids(family: str) -> tuple[str, ...]:
    """Ids of a catalogue family, in catalogue order."""
    return tuple(catalogue(family=family)["id"])


def innovation_ids() -> tuple[str, ...]:
    """Ids of the candidate definitions of the 10 % target (catalogue family)."""
    return family_ids(TARGET_FAMILY)


def indicator_names(lang: str, ids: tuple[str, ...] | None = None) -> dict[str, str]:
    """Indicator id -> name in ``lang``, from the catalogue, in the order of ``ids``."""
    cat = catalogue_frame(lang).set_index("indicator_id")
    wanted = tuple(cat.index) if ids is None else ids
    return {i: str(cat.loc[i, "name"]) if i in cat.index else i for i in wanted}
