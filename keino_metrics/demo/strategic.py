"""eForms strategic-procurement fields (BT-06, BT-774, BT-775, BT-776, BT-805).

They exist only on lots of notices published on or after
:data:`~keino_metrics.demo.calibration.EFORMS_FROM`, and even then are sparse:
a buyer fills BT-06 on :data:`FILL_RATE` of lots. When filled, BT-06 holds
``inn-pur`` if the lot is reported innovative (with :data:`INNOVATION_TAGGED`),
``env-imp`` if reported green (with :data:`GREEN_TAGGED`), ``soc-obj`` for
some lots, else ``none``; BT-776 (innovative acquisition), BT-774
(environmental impact), BT-805 (green criteria) and BT-775 (social objective)
follow BT-06. All codes come from :func:`keino_metrics.codelists.codes`. The
lists are built for each distinct combination, not per lot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics import codelists
from keino_metrics.demo import calibration as cal

__all__ = ["FILL_RATE", "strategic_fields"]

#: [assumption] Share of eForms lots with BT-06 filled.
FILL_RATE: float = 0.35
#: [assumption] Reported innovative / green lots tagged in BT-06 when filled.
INNOVATION_TAGGED: float = 0.6
GREEN_TAGGED: float = 0.7
#: [assumption] Lots with a social objective in BT-06 when filled.
SOCIAL_TAGGED: float = 0.12

_INNOV = {"mar-nov": 0.4, "prod-innov": 0.25, "proc-innov": 0.2, "rd-act": 0.15}
_ENV = {"clim-mitig": 0.35, "circ-econ": 0.25, "pollu-prev": 0.15, "biodiv-eco": 0.1,
        "other": 0.1, "clim-adapt": 0.03, "water-mar": 0.02}
_SOC = {"work-cond": 0.5, "opp": 0.2, "acc-all": 0.12, "et-eq": 0.08, "gen-eq": 0.05,
        "hum-right": 0.03, "other": 0.02}
_GPP = {"eu": 0.45, "national": 0.35, "other": 0.2}


def _check(listname: str, table: dict[str, float]) -> None:
    bad = set(table) - codelists.codes(listname)
    if bad:  # pragma: no cover - guards the tables above
        raise ValueError(f"codes {sorted(bad)} are not in code list {listname}")


def _choice(rng, table: dict[str, float], n: int) -> np.ndarray:
    p = np.array(list(table.values()))
    return rng.choice(np.array(list(table)), size=n, p=p / p.sum())


def _lists(keys: pd.Series) -> pd.Series:
    """Map ``a;b`` keys to lists, once per distinct key."""
    mapping = {k: [c for c in k.split(";") if c] for k in keys.dropna().unique()}
    return keys.map(mapping).astype("object")


def strategic_fields(rng: np.random.Generator, date: np.ndarray, innovative: np.ndarray,
                     green: np.ndarray) -> pd.DataFrame:
    """The five list-valued strategic columns for lots (null before eForms)."""
    for name, table in (("innovative-acquisition", _INNOV), ("environmental-impact", _ENV),
                        ("social-objective", _SOC), ("gpp-criteria", _GPP)):
        _check(name, table)
    n = len(date)
    filled = (date >= np.datetime64(cal.EFORMS_FROM)) & (rng.random(n) < FILL_RATE)
    inn = filled & innovative & (rng.random(n) < INNOVATION_TAGGED)
    env = filled & green & (rng.random(n) < GREEN_TAGGED)
    soc = filled & (rng.random(n) < SOCIAL_TAGGED)
    none = filled & ~(inn | env | soc)
    def part(mask, code):
        return pd.Series(np.where(mask, code + ";", ""), dtype="str")

    bt06 = part(inn, "inn-pur") + part(env, "env-imp") + part(none, "none") + part(soc, "soc-obj")
    env1 = _choice(rng, _ENV, n)
    env2 = _choice(rng, _ENV, n)
    two = rng.random(n) < 0.3
    bt774 = pd.Series(env1, dtype="str") + ";" + pd.Series(
        np.where(two & (env2 != env1), env2, ""), dtype="str")
    gpp = pd.Series(_choice(rng, _GPP, n), dtype="str")
    bt805 = gpp.where(env, "none").where(filled, "")
    bt805 = bt805.where(env | (rng.random(n) < 0.3), "")
    bt775 = pd.Series(_choice(rng, _SOC, n), dtype="str").where(soc, "")
    bt776 = pd.Series(_choice(rng, _INNOV, n), dtype="str").where(inn, "")
    out = pd.DataFrame({
        "strategic_procurement": _lists(bt06.where(filled)),
        "green_procurement": _lists(bt774.where(env)),
        "social_objective": _lists(bt775.where(soc)),
        "innovation": _lists(bt776.where(inn)),
        "gpp_criteria": _lists(bt805.where(bt805 != "")),
    })
    return out
