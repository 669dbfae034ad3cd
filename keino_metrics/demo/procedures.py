"""Procedures and their notices: who buys what, how, and when notices appear.

A procedure has a buyer (drawn with :func:`keino_metrics.demo.buyers.activity`),
a contract nature (mix of FI-NOTICES), a main CPV code, a procedure type
(eForms ``procurement-procedure-type``), a number of lots, a language, and a
chain of notices linked by ``procedure_id``:

* procedures with a call for competition: an optional prior information
  notice (``pin``), the contract notice (``cn``), sometimes a change notice
  (``corrigendum``), a contract award notice (``can``) and, rarely, a
  ``modification`` notice later;
* direct awards (``neg-wo-call``): often a ``veat`` notice, then a ``can``.

Dates follow the procedure: submission deadline after the contract notice,
award decision after the deadline, award notice after the decision
(standstill and contract signature), all moved off weekends. Procedures of the
year before the first year are drawn too, and only notices published inside
the requested years are kept, so the first year is not short of award notices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics.demo import calibration as cal
from keino_metrics.demo.vectors import lookup

__all__ = ["PROCEDURE_MIX", "CHAIN", "expected_notices_per_procedure", "draw_procedures",
           "notice_rows"]

#: [assumption] Procedure type mix by contract nature (eForms BT-105 codes).
PROCEDURE_MIX: dict[str, dict[str, float]] = {
    "services": {"open": 0.66, "restricted": 0.05, "neg-w-call": 0.07, "neg-wo-call": 0.08,
                 "comp-dial": 0.01, "innovation": 0.004, "oth-single": 0.03, "oth-mult": 0.096},
    "supplies": {"open": 0.80, "restricted": 0.05, "neg-w-call": 0.04, "neg-wo-call": 0.07,
                 "comp-dial": 0.005, "innovation": 0.002, "oth-single": 0.01, "oth-mult": 0.023},
    "works": {"open": 0.74, "restricted": 0.08, "neg-w-call": 0.10, "neg-wo-call": 0.04,
              "comp-dial": 0.01, "innovation": 0.002, "oth-single": 0.01, "oth-mult": 0.018},
}

#: [assumption] Probabilities of the notices of a procedure.
CHAIN: dict[str, float] = {
    "pin": 0.08,           # with a call: prior information notice first
    "corrigendum": 0.06,   # with a call: change notice before the deadline
    "can": 0.93,           # with a call: award notice published (else cancelled/open)
    "veat": 0.60,          # direct award: voluntary ex-ante transparency notice
    "can_direct": 0.92,    # direct award: award notice published
    "modification": 0.04,  # after an award notice: contract modification notice
}

#: [assumption] Probability that a procedure has one lot, by nature; the
#: others have 2 + Poisson(:data:`EXTRA_LOTS_MEAN`) lots.
SINGLE_LOT: dict[str, float] = {"services": 0.68, "supplies": 0.55, "works": 0.82}
EXTRA_LOTS_MEAN: float = 1.3
MAX_LOTS: int = 30

#: [assumption] Relative publication activity by month (quiet July).
MONTH_WEIGHT: tuple[float, ...] = (1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 0.4, 0.8, 1.1, 1.2, 1.2, 0.9)

_DEADLINE_BASE = {"open": 32, "restricted": 45, "neg-w-call": 40, "comp-dial": 60,
                  "innovation": 60, "oth-single": 25, "oth-mult": 30, "neg-wo-call": 0}


def expected_notices_per_procedure() -> float:
    """Expected number of notices of one procedure under :data:`CHAIN`."""
    direct = sum(cal.NATURE_MIX[n] * PROCEDURE_MIX[n]["neg-wo-call"] for n in cal.NATURE_MIX)
    call = 1 - direct
    per_call = CHAIN["pin"] + 1 + CHAIN["corrigendum"] + CHAIN["can"] * (1 + CHAIN["modification"])
    per_direct = CHAIN["veat"] + CHAIN["can_direct"] * (1 + CHAIN["modification"])
    return call * per_call + direct * per_direct


def _weekday(d: np.ndarray) -> np.ndarray:
    # 1970-01-01 was a Thursday (Monday = 0)
    return (d.astype("datetime64[D]").astype(np.int64) + 3) % 7


#: Fixed-date Finnish public holidays (month, day) on which nothing is published.
HOLIDAYS: tuple[tuple[int, int], ...] = ((1, 1), (1, 6), (5, 1), (12, 6), (12, 24), (12, 25),
                                         (12, 26))


def _workday(d: np.ndarray) -> np.ndarray:
    """Move dates off weekends (Saturday back to Friday, Sunday on to Monday) and
    then forward off the fixed public holidays of :data:`HOLIDAYS`."""
    one = np.timedelta64(1, "D")
    wd = _weekday(d)
    d = d + np.where(wd == 5, -1, np.where(wd == 6, 1, 0)).astype("timedelta64[D]")
    holiday_keys = np.array([m * 100 + day for m, day in HOLIDAYS])
    for _ in range(4):
        month_start = d.astype("datetime64[M]")
        key = ((month_start.astype(np.int64) % 12 + 1) * 100
               + (d - month_start.astype("datetime64[D]")).astype(np.int64) + 1)
        d = d + np.isin(key, holiday_keys) * one
        wd = _weekday(d)
        d = d + np.where(wd == 5, 2, np.where(wd == 6, 1, 0)).astype("timedelta64[D]")
    return d


def _days(x: np.ndarray) -> np.ndarray:
    return np.round(x).astype(np.int64).astype("timedelta64[D]")


def _dates_in_year(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    month_len = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    w = np.repeat(np.array(MONTH_WEIGHT) / month_len, month_len)
    doy = rng.choice(365, size=len(years), p=w / w.sum())
    start = (years.astype(np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    return _workday(start + doy.astype("timedelta64[D]"))


def draw_procedures(rng: np.random.Generator, buyers: pd.DataFrame, share: np.ndarray,
                    gen_years: list[int], scale: float, cpv: pd.DataFrame) -> pd.DataFrame:
    """Draw the procedures started in ``gen_years``.

    Parameters
    ----------
    rng : numpy.random.Generator
    buyers : pandas.DataFrame
        :func:`keino_metrics.demo.buyers.buyer_frame`.
    share : numpy.ndarray
        ``(buyers, years)`` purchasing shares (:func:`~keino_metrics.demo.buyers.activity`).
    gen_years : list of int
        Years in which procedures start.
    scale : float
        Multiplies the number of procedures.
    cpv : pandas.DataFrame
        :func:`keino_metrics.demo.cpv.cpv_table`.

    Returns
    -------
    pandas.DataFrame
        One row per procedure with its buyer index, nature, CPV row, type,
        lot count, language, and the dates of each notice (``NaT`` where the
        notice does not exist).
    """
    per_proc = expected_notices_per_procedure()
    counts = [rng.poisson(scale * cal.NOTICES_2021 * cal.NOTICE_INDEX[y] / per_proc)
              for y in gen_years]
    year = np.repeat(np.array(gen_years), counts)
    n = len(year)
    buyer = np.empty(n, dtype=np.int64)
    pos = 0
    for j, c in enumerate(counts):
        p = share[:, j]
        buyer[pos:pos + c] = rng.choice(len(buyers), size=c, p=p / p.sum())
        pos += c
    natures = np.array(list(cal.NATURE_MIX))
    nature = rng.choice(natures, size=n, p=np.array(list(cal.NATURE_MIX.values())))
    cpv_index = np.empty(n, dtype=np.int64)
    ptype = np.empty(n, dtype=object)
    single = np.empty(n)
    for nat in natures:
        sel = nature == nat
        rows = np.flatnonzero(cpv["nature"].to_numpy() == nat)
        w = cpv["weight"].to_numpy(float)[rows]
        cpv_index[sel] = rng.choice(rows, size=sel.sum(), p=w / w.sum())
        mix = PROCEDURE_MIX[nat]
        pm = np.array(list(mix.values()))
        ptype[sel] = rng.choice(np.array(list(mix)), size=sel.sum(), p=pm / pm.sum())
        single[sel] = SINGLE_LOT[nat]
    # R&D services are procured through innovation partnerships and dialogues more often
    rd = cpv["cpv"].to_numpy()[cpv_index] == "73000000"
    swap = rd & (rng.random(n) < 0.15)
    ptype[swap] = np.where(rng.random(swap.sum()) < 0.5, "innovation", "comp-dial")
    n_lots = np.where(rng.random(n) < single, 1,
                      np.minimum(2 + rng.poisson(EXTRA_LOTS_MEAN, size=n), MAX_LOTS))
    u = rng.random(n)
    p_sv = buyers["p_swedish"].to_numpy()[buyer]
    p_en = buyers["p_english"].to_numpy()[buyer]
    lang = np.where(u < p_sv, "sv", np.where(u < p_sv + p_en, "en", "fi"))

    direct = ptype == "neg-wo-call"
    ref = _dates_in_year(rng, year)  # CN date, or the decision date of a direct award
    base = lookup(ptype, _DEADLINE_BASE).astype(float)
    deadline = np.where(direct, np.datetime64("NaT"),
                        _workday(ref + _days(base + rng.gamma(2.0, 6.0, n))))
    works = nature == "works"
    decision = np.where(
        direct, ref,
        _workday(deadline + _days(14 + rng.gamma(2.0, 15.0, n) + 10 * works)))
    has_can = rng.random(n) < np.where(direct, CHAIN["can_direct"], CHAIN["can"])
    can = np.where(has_can, _workday(decision + _days(21 + rng.gamma(2.0, 10.0, n))),
                   np.datetime64("NaT"))
    has_pin = ~direct & (rng.random(n) < CHAIN["pin"])
    pin = np.where(has_pin, _workday(ref - _days(30 + rng.gamma(2.0, 30.0, n))),
                   np.datetime64("NaT"))
    has_corr = ~direct & (rng.random(n) < CHAIN["corrigendum"])
    corr = np.where(has_corr, _workday(ref + _days(3 + rng.integers(0, 15, n))),
                    np.datetime64("NaT"))
    has_veat = direct & (rng.random(n) < CHAIN["veat"])
    veat = np.where(has_veat, _workday(ref + _days(1 + rng.integers(0, 5, n))),
                    np.datetime64("NaT"))
    has_mod = has_can & (rng.random(n) < CHAIN["modification"])
    mod = np.where(has_mod, _workday(can + _days(120 + rng.gamma(2.0, 150.0, n))),
                   np.datetime64("NaT"))
    cn = np.where(direct, np.datetime64("NaT"), ref)
    return pd.DataFrame({
        "buyer": buyer, "start_year": year, "nature": nature, "cpv_index": cpv_index,
        "procedure_type": ptype.astype(str), "n_lots": n_lots, "language": lang,
        "pin": pin.astype("datetime64[D]"), "cn": cn.astype("datetime64[D]"),
        "corrigendum": corr.astype("datetime64[D]"), "veat": veat.astype("datetime64[D]"),
        "can": can.astype("datetime64[D]"), "modification": mod.astype("datetime64[D]"),
        "deadline": deadline.astype("datetime64[D]"),
        "decision": decision.astype("datetime64[D]"),
    })


def notice_rows(procs: pd.DataFrame, years: tuple[int, int]) -> pd.DataFrame:
    """One row per notice published within ``years``: ``proc``, ``notice_type``, ``date``."""
    parts = []
    for order, kind in enumerate(("pin", "cn", "corrigendum", "veat", "can", "modification")):
        d = procs[kind]
        sel = d.notna().to_numpy()
        parts.append(pd.DataFrame({"proc": np.flatnonzero(sel), "notice_type": kind,
                                   "order": order, "date": d[sel].to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    y = out["date"].dt.year
    out = out[(y >= years[0]) & (y <= years[1])]
    return out.sort_values(["date", "proc", "order"], kind="stable").reset_index(drop=True)
