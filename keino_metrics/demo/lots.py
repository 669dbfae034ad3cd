"""Lots: what is bought in each procedure, its value and its award terms.

Each procedure has ``n_lots`` lots (``LOT-0001`` ...), drawn once and repeated
on the procedure's contract notice, award notice and voluntary ex-ante
transparency notice (so those notices share lot ids, titles and values).

Values are heavy-tailed: a log-normal with the CPV code's median and spread,
a buyer-size factor, and for :data:`TAIL_SHARE` of lots a Pareto multiplier
(shape :data:`TAIL_SHAPE`). :mod:`keino_metrics.demo.generate` then scales the
values of each year and sector so that the awarded volume meets the
calibration target (:mod:`keino_metrics.demo.calibration`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics.demo import calibration as cal
from keino_metrics.demo.titles import titles_and_descriptions
from keino_metrics.demo.vectors import as_str, lookup, take

__all__ = ["TAIL_SHARE", "TAIL_SHAPE", "procedure_lots", "lot_rows"]

#: [assumption] Share of lots with a Pareto value multiplier, and its shape.
TAIL_SHARE: float = 0.05
TAIL_SHAPE: float = 1.4

#: [assumption] Framework agreements by nature (about 20 % overall).
FRAMEWORK_BY_NATURE: dict[str, float] = {"services": 0.20, "supplies": 0.30, "works": 0.08}

#: [assumption] Share of lots whose estimated value is published, by notice type.
ESTIMATE_PUBLISHED: dict[str, float] = {"cn": 0.75, "can": 0.55, "veat": 0.40}

#: [assumption] Share of a lot's CPV codes that differ from the procedure's.
OTHER_CPV_SHARE: float = 0.15

#: [assumption] Share of state lots performed nationwide (no NUTS 3 code).
NATIONWIDE_STATE_SHARE: float = 0.25


def procedure_lots(rng: np.random.Generator, procs: pd.DataFrame, cpv: pd.DataFrame,
                   buyers: pd.DataFrame) -> pd.DataFrame:
    """One row per lot of each procedure (``proc``, ``lot_no``, terms, value, text)."""
    proc = np.repeat(np.arange(len(procs)), procs["n_lots"].to_numpy())
    starts = np.concatenate([[0], np.cumsum(procs["n_lots"].to_numpy())[:-1]])
    lot_no = np.arange(len(proc)) - np.repeat(starts, procs["n_lots"].to_numpy()) + 1
    n = len(proc)
    nature = procs["nature"].to_numpy()[proc]
    ptype = procs["procedure_type"].to_numpy()[proc]
    year = procs["start_year"].to_numpy()[proc]
    cpv_index = procs["cpv_index"].to_numpy()[proc].copy()
    other = rng.random(n) < OTHER_CPV_SHARE
    for nat in ("services", "supplies", "works"):
        rows = np.flatnonzero(cpv["nature"].to_numpy() == nat)
        sel = other & (nature == nat)
        w = cpv["weight"].to_numpy(float)[rows]
        cpv_index[sel] = rng.choice(rows, size=sel.sum(), p=w / w.sum())
    median = cpv["median_eur"].to_numpy(float)[cpv_index]
    sigma = cpv["sigma"].to_numpy(float)[cpv_index]
    size = np.log(buyers["weight"].to_numpy(float))
    kind = buyers["buyer_kind"].to_numpy()
    zsize = np.zeros(len(buyers))
    for k in np.unique(kind):
        sel = kind == k
        s = size[sel]
        zsize[sel] = (s - s.mean()) / (s.std() or 1.0)
    b = procs["buyer"].to_numpy()[proc]
    value = median * np.exp(sigma * rng.standard_normal(n) + 0.25 * zsize[b])
    tail = rng.random(n) < TAIL_SHARE
    value = np.where(tail, value * (rng.pareto(TAIL_SHAPE, n) + 1), value)
    value = value / np.sqrt(procs["n_lots"].to_numpy()[proc])  # lots split a procedure
    framework = rng.random(n) < lookup(nature, FRAMEWORK_BY_NATURE)
    p_price = (lookup(nature, cal.PRICE_ONLY_2018)
               + cal.PRICE_ONLY_TREND * (year - 2018))
    p_price = np.where(np.isin(ptype, ["innovation", "comp-dial"]), 0.05, p_price)
    price_only = pd.array(rng.random(n) < p_price, dtype="boolean")
    price_only[(ptype == "neg-wo-call") | (rng.random(n) < 0.04)] = pd.NA
    sme_p = np.clip(0.77 + 0.025 * (year - 2020), 0.6, 0.88)
    sme = rng.random(n) < sme_p
    contract_years = rng.integers(1, 5, n)
    option_years = np.where(rng.random(n) < 0.55, rng.integers(1, 3, n), 0)
    works_months = 4 + 2 * rng.integers(0, 12, n)
    show_years = (nature != "works") & (rng.random(n) < 0.3)
    title, description = titles_and_descriptions(
        cpv, cpv_index, procs["language"].to_numpy()[proc], rng.random(n), lot_no,
        procs["n_lots"].to_numpy()[proc], framework, year + 1, contract_years, option_years,
        works_months, show_years)
    return pd.DataFrame({
        "proc": proc, "lot_no": lot_no, "nature": nature, "cpv_index": cpv_index,
        "cpv_main": cpv["cpv"].to_numpy()[cpv_index], "value": value,
        "framework_agreement": framework, "price_only_award": price_only,
        "sme_suitable": sme, "title": title, "description": description,
        "language": procs["language"].to_numpy()[proc],
    })


def lot_rows(rng: np.random.Generator, notices: pd.DataFrame, plots: pd.DataFrame,
             procs: pd.DataFrame, buyers: pd.DataFrame) -> pd.DataFrame:
    """Lots of the contract, award and VEAT notices.

    ``notices`` needs ``notice_id``, ``proc``, ``notice_type`` and ``date``.
    Returns the canonical lot columns (strategic fields are added later) plus
    ``plot`` (row of ``plots``), ``notice_type``, ``date`` and the extra
    columns ``title``, ``description``, ``language``, ``submission_deadline``.
    """
    with_lots = notices[notices["notice_type"].isin(["cn", "can", "veat"])]
    first = np.concatenate([[0], np.cumsum(procs["n_lots"].to_numpy())[:-1]])
    k = procs["n_lots"].to_numpy()[with_lots["proc"].to_numpy()]
    rep = np.repeat(np.arange(len(with_lots)), k)
    within = np.arange(len(rep)) - np.repeat(np.concatenate([[0], np.cumsum(k)[:-1]]), k)
    plot = np.repeat(first[with_lots["proc"].to_numpy()], k) + within
    nt = with_lots["notice_type"].to_numpy()[rep]
    date = with_lots["date"].to_numpy()[rep]
    n = len(rep)
    pl = plots.iloc[plot].reset_index(drop=True)
    b = procs["buyer"].to_numpy()[pl["proc"].to_numpy()]
    year = pd.DatetimeIndex(date).year.to_numpy()
    n21 = buyers["nuts3_2021"].to_numpy()[b]
    n24 = buyers["nuts3_2024"].to_numpy()[b]
    nuts = np.where(year >= 2024, n24, n21).astype(object)
    state = buyers["buyer_kind"].to_numpy()[b] == "state"
    nuts[state & (rng.random(n) < NATIONWIDE_STATE_SHARE)] = None
    published = rng.random(n) < lookup(nt, ESTIMATE_PUBLISHED, 0.0)
    est = np.where(published, pl["value"].to_numpy(), np.nan)
    deadline = procs["deadline"].to_numpy()[pl["proc"].to_numpy()]
    deadline = np.where(nt == "veat", np.datetime64("NaT"), deadline)
    lot_id = "LOT-" + pl["lot_no"].astype("str").str.zfill(4)
    return pd.DataFrame({
        "notice_id": take(with_lots["notice_id"], rep),
        "lot_id": lot_id,
        "contract_nature": pl["nature"],
        "cpv_main": pl["cpv_main"],
        "nuts3": as_str(nuts),
        "estimated_value_eur": est,
        "price_only_award": pl["price_only_award"].to_numpy(),
        "sme_suitable": pl["sme_suitable"].to_numpy(),
        "framework_agreement": pl["framework_agreement"].to_numpy(),
        "title": pl["title"], "description": pl["description"],
        "language": pl["language"],
        "submission_deadline": pd.to_datetime(deadline),
        "plot": plot, "notice_type": nt, "date": date,
    })
