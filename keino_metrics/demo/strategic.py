"""eForms strategic-procurement fields (BT-06, BT-774, BT-775, BT-776, BT-805).

They exist only on lots of notices published on or after
:data:`~keino_metrics.demo.calibration.EFORMS_FROM`, and even then are sparse:
a buyer fills BT-06 on :data:`FILL_RATE` of lots. When filled, BT-06 holds
``inn-pur`` if the lot is reported innovative (with :data:`INNOVATION_TAGGED`),
``env-imp`` if reported green (with :data:`GREEN_TAGGED`), ``soc-obj`` for
some lots, else ``none``; BT-776 (innovative acquisition), BT-774
(environmental impact), BT-805 (green criteria) and BT-775 (social objective)
follow BT-06. All codes come from :func:`keino_metrics.codelists.codes`. The
lists are built once per distinct combination and indexed, not built per lot.
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


def _index(rng, table: dict[str, float], n: int) -> np.ndarray:
    p = np.array(list(table.values()))
    return rng.choice(len(table), size=n, p=p / p.sum())


def _cells(key: np.ndarray, lists: list) -> np.ndarray:
    """Object array of the lists ``lists[key]`` (``None`` for key -1)."""
    table = np.empty(len(lists) + 1, dtype=object)
    for i, v in enumerate(lists):
        table[i] = v
    table[-1] = None
    return table[np.where(key < 0, len(lists), key)]


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
    # BT-06: one list per combination of the four flags (bit key)
    bits = [("inn-pur", inn), ("env-imp", env), ("none", none), ("soc-obj", soc)]
    key06 = sum(m.astype(np.int64) << i for i, (_, m) in enumerate(bits))
    lists06 = [[c for i, (c, _) in enumerate(bits) if k >> i & 1] for k in range(16)]
    bt06 = _cells(np.where(filled, key06, -1), lists06)
    # BT-774: one or two environmental approaches
    envc = list(_ENV)
    e1, e2 = _index(rng, _ENV, n), _index(rng, _ENV, n)
    e2 = np.where((rng.random(n) < 0.3) & (e2 != e1), e2, len(envc))
    lists774 = [[envc[i]] + ([envc[j]] if j < len(envc) else [])
                for i in range(len(envc)) for j in range(len(envc) + 1)]
    bt774 = _cells(np.where(env, e1 * (len(envc) + 1) + e2, -1), lists774)
    # BT-805: the criteria used when green, sometimes "none" otherwise
    gppc = [*_GPP, "none"]
    g = np.where(env, _index(rng, _GPP, n), len(_GPP))
    bt805 = _cells(np.where(env | (filled & (rng.random(n) < 0.3)), g, -1),
                   [[c] for c in gppc])
    bt775 = _cells(np.where(soc, _index(rng, _SOC, n), -1), [[c] for c in _SOC])
    bt776 = _cells(np.where(inn, _index(rng, _INNOV, n), -1), [[c] for c in _INNOV])
    return pd.DataFrame({
        "strategic_procurement": bt06, "green_procurement": bt774,
        "social_objective": bt775, "innovation": bt776, "gpp_criteria": bt805,
    })
