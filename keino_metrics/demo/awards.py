"""Lot results: winner, tenders received, awarded value and its source.

Drawn once per lot (row of the procedure-lot table) and written on the lots of
the procedure's contract award notice. The number of tenders is one plus a
negative binomial (shape :data:`~keino_metrics.demo.calibration.EXTRA_TENDERS_SHAPE`,
mean by nature), which together with direct awards (mostly one tender) gives
a single-bidder rate of about 25 % (EU average 28 %, SMS-2024). SME tenders
are the winner (if an SME) plus a binomial share of the other tenders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics.demo import calibration as cal
from keino_metrics.demo.suppliers import choose_winners
from keino_metrics.demo.vectors import as_str, lookup

__all__ = ["NO_WINNER_SHARE", "VALUE_SOURCE", "draw_results"]

#: [assumption] Share of award-notice lots without a winner (no suitable
#: tenders, procedure discontinued for the lot).
NO_WINNER_SHARE: float = 0.05

#: [assumption] Where the awarded value comes from, for lots that are not
#: framework agreements (the rest of the probability: value not published).
VALUE_SOURCE: dict[str, float] = {"BT-720": 0.90, "BT-161": 0.05, "BT-27": 0.02}

#: [assumption] Share of framework lots valued by their maximum (BT-709).
FRAMEWORK_MAXIMUM_SHARE: float = 0.7

#: [assumption] Probability that a non-winning tender comes from an SME.
SME_TENDER_P: dict[str, float] = {"services": 0.74, "supplies": 0.66, "works": 0.76}


def draw_results(rng: np.random.Generator, plots: pd.DataFrame, procs: pd.DataFrame,
                 buyers: pd.DataFrame, pool: pd.DataFrame,
                 suppliers: pd.DataFrame) -> pd.DataFrame:
    """Results for every procedure lot (used where an award notice exists).

    Returns ``winner_chosen``, ``tenders_received``, ``sme_tenders_received``,
    ``winner_id``, ``winner_size``, ``value_ratio`` (awarded / estimated
    value), ``value_source`` and ``value_published``, aligned with ``plots``.
    """
    n = len(plots)
    nature = plots["nature"].to_numpy()
    ptype = procs["procedure_type"].to_numpy()[plots["proc"].to_numpy()]
    direct = ptype == "neg-wo-call"
    chosen = rng.random(n) >= NO_WINNER_SHARE
    r = cal.EXTRA_TENDERS_SHAPE
    m = lookup(nature, cal.EXTRA_TENDERS_MEAN)
    m = np.where(np.isin(ptype, ["innovation", "comp-dial", "restricted"]), 0.7 * m, m)
    extra = rng.negative_binomial(r, r / (r + m))
    tenders = np.where(direct, 1 + (rng.random(n) < 0.12), 1 + extra)
    tenders = np.where(chosen, tenders, np.where(rng.random(n) < 0.5, 0, tenders))
    b = procs["buyer"].to_numpy()[plots["proc"].to_numpy()]
    winner = choose_winners(rng, pool, plots["cpv_main"].str[:2].to_numpy(),
                            buyers["region_code"].to_numpy()[b], nature)
    size = suppliers["size"].to_numpy()[winner]
    sme_winner = (size != "large") & chosen
    p_sme = lookup(nature, SME_TENDER_P)
    big = plots["value"].to_numpy() > np.quantile(plots["value"].to_numpy(), 0.9)
    p_sme = np.where(big, p_sme - 0.2, p_sme)
    others = np.maximum(tenders - chosen.astype(int), 0)
    sme_tenders = rng.binomial(others, p_sme) + sme_winner.astype(int)
    tenders_na = rng.random(n) < 0.03
    sme_na = tenders_na | (rng.random(n) < 0.10)
    winner_id = np.where(chosen, suppliers["supplier_id"].to_numpy()[winner], None)
    wsize = np.where(chosen, size, None).astype(object)
    coded_sme = chosen & (size != "large") & (rng.random(n) < 0.04)
    wsize[coded_sme] = "sme"
    wsize[rng.random(n) < 0.08] = None
    ratio = np.exp(-0.05 + 0.25 * rng.standard_normal(n))
    framework = plots["framework_agreement"].to_numpy()
    u = rng.random(n)
    c = np.cumsum(list(VALUE_SOURCE.values()))
    source = np.select([u < c[0], u < c[1], u < c[2]], list(VALUE_SOURCE), "").astype(object)
    fw_max = framework & (rng.random(n) < FRAMEWORK_MAXIMUM_SHARE)
    source[framework] = np.where(fw_max[framework], "BT-709", "BT-720")
    ratio = np.where(source == "BT-709", ratio * 1.3, ratio)
    ratio = np.where(source == "BT-27", 1.0, ratio)
    source[(source == "") | ~chosen] = None
    return pd.DataFrame({
        "winner_chosen": chosen,
        "tenders_received": pd.array(np.where(tenders_na, 0, tenders), dtype="Int64"),
        "sme_tenders_received": pd.array(np.where(sme_na, 0, sme_tenders), dtype="Int64"),
        "tenders_na": tenders_na, "sme_na": sme_na,
        "winner_id": as_str(winner_id),
        "winner_size": as_str(wsize),
        "value_ratio": ratio, "value_source": as_str(source),
        "winner_index": np.where(chosen, winner, -1),
    })
