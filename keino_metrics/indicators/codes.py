"""Domain code lists the indicators read: buyer groups, eForms and Hilma aims, survey items.

The labels of the buyer groups are in the language catalogue
(``buyer_group.<group>`` in ``keino_metrics/labels/*.toml``).
"""

from __future__ import annotations

__all__ = ["BUYER_GROUPS", "ENV_CODES", "HILMA_ENV", "HILMA_SOCIAL", "SURVEY_CONSTRUCTS",
           "SURVEY_ITEMS", "env_flag"]

#: Derived grouping of eForms buyer legal types (BT-11): group -> legal-type codes.
BUYER_GROUPS: dict[str, tuple[str, ...]] = {
    "municipality": ('la',),
    "joint_municipal": ('body-pl-la', 'org-sub-la'),
    "region": ('ra', 'body-pl-ra', 'org-sub-ra'),
    "state": ('cga', 'body-pl-cga', 'org-sub-cga', 'def-cont'),
    "public_undertaking": ('pub-undert', 'pub-undert-la', 'pub-undert-ra', 'pub-undert-cga', 'spec-rights-entity'),
    "other": (),
}

#: Environmental-impact codes (BT-774) with a flag column each (current codes).
ENV_CODES = ("biodiv-eco", "circ-econ", "clim-adapt", "clim-mitig", "pollu-prev",
             "water-mar", "other")
HILMA_ENV = ("energy_efficiency", "low_carbon", "circular_economy", "biodiversity",
             "sustainable_food", "listed_green_criteria_used")
HILMA_SOCIAL = ("fair_working_conditions", "employment_condition", "code_of_conduct")

SURVEY_CONSTRUCTS = ("strategy", "leadership", "competence", "dialogue", "followup")
SURVEY_ITEMS = tuple(f"{c}_{i}" for c in SURVEY_CONSTRUCTS for i in (1, 2, 3))


def env_flag(code: str) -> str:
    """Name of the lot flag column of the eForms environmental code ``code``."""
    return "env_" + code.replace("-", "_")
