"""Assemble the demonstration corpus: :func:`generate`.

The steps, each in its own module and each with its own random stream (a
child of ``numpy.random.SeedSequence(seed)``, so changing one step does not
shift the draws of the others):

1. buyers and their purchasing shares (:mod:`~keino_metrics.demo.buyers`);
2. programme cohorts (:mod:`~keino_metrics.demo.programmes`);
3. procedures and notice dates (:mod:`~keino_metrics.demo.procedures`);
4. lots, values, titles (:mod:`~keino_metrics.demo.lots`);
5. true labels and reported flags (:mod:`~keino_metrics.demo.labels`), and
   innovation and green wording in the texts of lots, driven by the true
   labels (:mod:`~keino_metrics.demo.cues`, its own stream);
6. suppliers and lot results (:mod:`~keino_metrics.demo.suppliers`,
   :mod:`~keino_metrics.demo.awards`);
7. value calibration: each year's awarded values of the state and of the
   local sector are scaled to the volume target of
   :mod:`~keino_metrics.demo.calibration` times ``scale``;
8. the canonical tables, Hilma answers (:mod:`~keino_metrics.demo.hilma`),
   eForms strategic fields (:mod:`~keino_metrics.demo.strategic`), the
   capability survey (:mod:`~keino_metrics.demo.survey`) and the truth tables;
9. on request (``invoices=True``), purchase invoices with their true links
   (:mod:`~keino_metrics.demo.spend`, a stream of its own drawn after
   everything else).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics import datamodel
from keino_metrics.dataset import ACCOUNTING_COLUMNS, Dataset
from keino_metrics.demo import calibration as cal
from keino_metrics.demo.awards import draw_results
from keino_metrics.demo.buyers import activity, buyer_frame
from keino_metrics.demo.cpv import cpv_table
from keino_metrics.demo.cues import add_cues
from keino_metrics.demo.hilma import hilma_rows
from keino_metrics.demo.ids import procedure_ids
from keino_metrics.demo.labels import buyer_levels, draw_labels
from keino_metrics.demo.lots import lot_rows, procedure_lots
from keino_metrics.demo.procedures import draw_procedures, notice_rows
from keino_metrics.demo.programmes import assign_cohorts, participation, programme_truth
from keino_metrics.demo.spend import invoices as draw_invoices
from keino_metrics.demo.strategic import strategic_fields
from keino_metrics.demo.suppliers import supplier_pool
from keino_metrics.demo.survey import capability_survey
from keino_metrics.demo.vectors import take

__all__ = ["GENERATOR", "VERSION", "generate", "provenance"]

GENERATOR = "keino_metrics.demo"
#: Version of the generator's output: changes whenever the same parameters
#: would give different data.
VERSION = "1.2.0"

#: Suppliers in the pool at scale 1 (the pool grows with ``scale ** 0.8``).
SUPPLIERS_AT_SCALE_1: int = 15_000


def provenance(seed: int, scale: float, years: tuple[int, int],
               invoices: bool = False) -> dict[str, object]:
    """The provenance record of a demo dataset (``invoices`` only when they were drawn)."""
    out: dict[str, object] = {
        "generator": GENERATOR, "version": VERSION, "seed": int(seed), "scale": float(scale),
        "years": [int(years[0]), int(years[1])], "demo": True,
        "description": "Generated demonstration data, not real procurement data. "
                       "See docs/demo-data.md.",
    }
    if invoices:
        out["invoices"] = True
    return out


def _check(seed: int, scale: float, years: tuple[int, int]) -> tuple[int, float, tuple[int, int]]:
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not (isinstance(scale, (int, float)) and 0 < scale <= 10):
        raise ValueError(f"scale must be a number in (0, 10], got {scale!r}")
    y0, y1 = (int(y) for y in years)
    known = sorted(cal.NOTICE_INDEX)
    if not (known[0] + 1 <= y0 <= y1 <= known[-1]):
        raise ValueError(f"years must lie within {known[0] + 1}-{known[-1]}, got {years!r}")
    return int(seed), float(scale), (y0, y1)


def _year_of(d: pd.Series) -> np.ndarray:
    return d.dt.year.to_numpy(dtype=float, na_value=np.nan)


def _calibrate(plots, procs, results, buyers, plot_year, in_window, scale, years):
    """Scale lot values so awarded volume per year and sector meets the target."""
    b = procs["buyer"].to_numpy()[plots["proc"].to_numpy()]
    state = buyers["buyer_kind"].to_numpy()[b] == "state"
    has_can = procs["can"].notna().to_numpy()[plots["proc"].to_numpy()]
    counted = (has_can & in_window & results["winner_chosen"].to_numpy()
               & results["value_source"].notna().to_numpy())
    raw = plots["value"].to_numpy() * results["value_ratio"].to_numpy()
    factor = np.ones(len(plots))
    y0, y1 = years
    for sector, share in ((True, cal.STATE_VALUE_SHARE), (False, 1 - cal.STATE_VALUE_SHARE)):
        per_year = {}
        for y in range(y0, y1 + 1):
            target = (cal.AWARDED_VOLUME_2018_EUR * (1 + cal.VOLUME_GROWTH) ** (y - 2018)
                      * scale * share)
            total = raw[counted & (state == sector) & (plot_year == y)].sum()
            per_year[y] = target / total if total > 0 else 1.0
        clipped = np.clip(plot_year, y0, y1).astype(int)
        f = pd.Series(clipped).map(per_year).to_numpy(float)
        factor = np.where(state == sector, f, factor)
    return factor


def generate(seed: int = 2024, scale: float = 1.0,
             years: tuple[int, int] = (2018, 2025), invoices: bool = False) -> Dataset:
    """Generate the demonstration corpus in memory.

    A seeded, deterministic national-scale corpus of Finnish public
    procurement notices in the canonical tables, calibrated to published
    figures: about 19 000 notices a year at ``scale=1`` (FI-NOTICES: 19 076
    notices in 2021; services 50 %, supplies 27 %, works 23 %; see
    ``/work/shared/reference/indicators.md`` section 3.3 and
    :mod:`keino_metrics.demo.calibration`), an awarded volume of EUR 15.5 bn
    in 2018 (half of the EUR 31 bn bought from markets, FI-VOL), a
    single-bidder rate of about 25 %, Hilma answers calibrated to the KEINO
    2020 survey (5 % new to market, 45 % new to buyer) and SYKE 2017 (44 %
    green). It is generated data, not real procurement data.

    Parameters
    ----------
    seed : int
        Seed of all random draws; the same seed gives identical tables.
    scale : float
        Multiplies the number of procedures and the volume (``0.05`` for a
        small test corpus). All buyers are present at every scale.
    years : (int, int)
        First and last publication year (within 2017-2026).
    invoices : bool
        Also draw purchase invoices (the ``spend`` table, extra table
        ``spend_truth`` with each invoice's true contract, and their
        accounting line; :mod:`keino_metrics.demo.spend`). They come from a
        random stream of their own, so every other table is the same with or
        without them.

    Returns
    -------
    keino_metrics.Dataset
        Canonical tables plus the extra tables ``lot_truth``,
        ``programme_truth``, ``capability_survey`` and ``suppliers``; the
        provenance records generator, version, seed, scale and years.

    Examples
    --------
    >>> from keino_metrics import demo
    >>> data = demo.generate(seed=1, scale=0.02)
    >>> data.provenance["demo"]
    True
    """
    seed, scale, years = _check(seed, scale, years)
    y0, y1 = years
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    cpv = cpv_table()
    buyers = buyer_frame()
    gen_years = list(range(y0 - 1, y1 + 1))
    share = activity(buyers, gen_years)

    cohort = assign_cohorts(streams[0], buyers, share[:, 1:].mean(axis=1))
    programme_rows = participation(streams[0], buyers, cohort, y1)

    procs = draw_procedures(streams[1], buyers, share, gen_years, scale, cpv)
    procs["procedure_id"] = procedure_ids(streams[1], len(procs))
    plots = procedure_lots(streams[2], procs, cpv, buyers)
    proc_year = np.where(procs["can"].notna(), _year_of(procs["can"]),
                         np.where(procs["cn"].notna(), _year_of(procs["cn"]),
                                  _year_of(procs["decision"])))
    plot_year = proc_year[plots["proc"].to_numpy()].astype(int)
    plot_buyer = procs["buyer"].to_numpy()[plots["proc"].to_numpy()]
    levels = buyer_levels(streams[3], buyers)
    labels = draw_labels(streams[3], plots, plot_buyer, plot_year, cohort, levels, cpv)
    plots["title"], plots["description"], _ = add_cues(
        streams[10], plots["title"], plots["description"], plots["language"].to_numpy(),
        {o: labels[f"true_{o}"].to_numpy() for o in ("innovative", "green")})

    demand = plots.groupby(plots["cpv_main"].str[:2]).size()
    demand = demand.reindex(sorted(set(cpv["division"])), fill_value=0) + 1
    n_sup = max(300, int(SUPPLIERS_AT_SCALE_1 * scale ** 0.8))
    suppliers, pool = supplier_pool(streams[4], n_sup, demand, set(buyers["buyer_id"]))
    results = draw_results(streams[5], plots, procs, buyers, pool, suppliers)

    in_window = (plot_year >= y0) & (plot_year <= y1)
    factor = _calibrate(plots, procs, results, buyers, plot_year, in_window, scale, years)
    value = plots["value"].to_numpy() * factor
    plots["value"] = np.where(value >= 1e4, np.round(value, -3), np.round(value, -2))
    awarded_value = np.round(plots["value"].to_numpy() * results["value_ratio"].to_numpy(), 2)

    # notices
    nrows = notice_rows(procs, years)
    nyear = nrows["date"].dt.year.astype("str")
    serial = nrows.groupby(nyear).cumcount() + 1
    nrows["notice_id"] = (nyear + "-" + serial.astype("str").str.zfill(6)).to_numpy()
    source_file = f"demo:seed={seed},scale={scale:g}"
    notices = pd.DataFrame({
        "notice_id": nrows["notice_id"],
        "procedure_id": take(procs["procedure_id"], nrows["proc"]),
        "notice_type": nrows["notice_type"],
        "publication_date": nrows["date"],
        "buyer_id": take(buyers["buyer_id"], procs["buyer"].to_numpy()[nrows["proc"]]),
        "procedure_type": take(procs["procedure_type"], nrows["proc"]),
        "source": "demo", "source_file": source_file,
    })

    # lots
    lots = lot_rows(streams[6], nrows, plots, procs, buyers)
    pl = lots["plot"].to_numpy()
    strat = strategic_fields(streams[7], lots["date"].to_numpy(),
                             labels["reported_innovative"].to_numpy()[pl],
                             labels["reported_green"].to_numpy()[pl])
    for c in strat:
        lots[c] = strat[c].to_numpy()
    lots["estimated_value"] = lots["estimated_value_eur"]
    lots["estimated_value_currency"] = np.where(lots["estimated_value_eur"].notna(), "EUR", None)

    # awards
    can = lots[lots["notice_type"] == "can"]
    cp = can["plot"].to_numpy()
    res = results.iloc[cp].reset_index(drop=True)
    chosen = res["winner_chosen"].to_numpy()
    has_value = res["value_source"].notna().to_numpy()
    val = np.where(has_value, awarded_value[cp], np.nan)
    decision = procs["decision"].to_numpy()[plots["proc"].to_numpy()[cp]]
    tenders = res["tenders_received"].astype("Int64")
    tenders[res["tenders_na"].to_numpy()] = pd.NA
    sme = res["sme_tenders_received"].astype("Int64")
    sme[res["sme_na"].to_numpy()] = pd.NA
    awards = pd.DataFrame({
        "notice_id": can["notice_id"].reset_index(drop=True),
        "lot_id": can["lot_id"].reset_index(drop=True),
        "winner_chosen": chosen, "tenders_received": tenders,
        "sme_tenders_received": sme, "awarded_value_eur": val, "awarded_value": val,
        "awarded_value_currency": np.where(has_value, "EUR", None),
        "value_source": res["value_source"], "winner_id": res["winner_id"],
        "winner_size": res["winner_size"], "decision_date": decision,
    })

    # truth, Hilma
    lab = labels.iloc[pl].reset_index(drop=True)
    is_can = (lots["notice_type"] == "can").to_numpy()
    awarded_flag = np.zeros(len(lots), dtype=bool)
    awarded_flag[np.flatnonzero(is_can)] = chosen
    lot_truth = pd.DataFrame({
        "notice_id": lots["notice_id"], "lot_id": lots["lot_id"],
        "notice_type": lots["notice_type"],
        "buyer_id": take(buyers["buyer_id"], plot_buyer[pl]),
        "year": pd.DatetimeIndex(lots["date"]).year.to_numpy().astype(np.int64),
        "awarded": awarded_flag,
        "cohort": cohort[plot_buyer[pl]],
        **{c: lab[c].to_numpy() for c in lab.columns},
    })
    aw = lots[awarded_flag].assign(
        year=lot_truth.loc[awarded_flag, "year"].to_numpy(),
        cpv_index=plots["cpv_index"].to_numpy()[pl[awarded_flag]],
        reported_innovative=lot_truth.loc[awarded_flag, "reported_innovative"].to_numpy(),
        reported_green=lot_truth.loc[awarded_flag, "reported_green"].to_numpy())
    hilma = hilma_rows(streams[8], aw, cpv)

    truth = programme_truth(buyers, cohort, levels, years)
    survey = capability_survey(streams[9], buyers, cohort, years)

    buyers_out = buyers.rename(columns={"nuts3_2024": "nuts3"})[
        ["buyer_id", "name", "legal_type", "country", "nuts3", "municipality_code",
         "region_code", "buyer_kind", "population", "active_from", "active_to"]]
    buyers_out = buyers_out.astype({"population": "Int64", "active_from": "Int64",
                                    "active_to": "Int64"})
    lot_cols = [c.name for c in datamodel.columns("lots")] + [
        "title", "description", "language", "submission_deadline"]
    codes_cols = [c.name for c in datamodel.columns("lots") if c.kind == "codes"]
    # the list columns are already canonical (lists of codes or None)
    lots_out = datamodel.conform("lots", lots.reindex(columns=lot_cols).drop(columns=codes_cols))
    for c in codes_cols:
        lots_out[c] = lots[c].to_numpy()
    accounting = pd.DataFrame([{
        "input": source_file, "source": "demo", "unit": "notice", "rows_in": len(notices),
        "rows_accepted": len(notices), "rows_quarantined": 0, "field_issues": 0}], columns=list(ACCOUNTING_COLUMNS))
    sup = suppliers.drop(columns=["fitness", "division"])
    data = Dataset(
        buyers=datamodel.conform("buyers", buyers_out),
        notices=datamodel.conform("notices", notices),
        lots=lots_out,
        awards=datamodel.conform("awards", awards),
        hilma_statistics=datamodel.conform("hilma_statistics", hilma),
        programme_participation=datamodel.conform("programme_participation", programme_rows),
        accounting=accounting,
        extra={"lot_truth": lot_truth, "programme_truth": truth,
               "capability_survey": survey, "suppliers": sup},
        provenance=provenance(seed, scale, years),
    )
    if not invoices:
        return data
    # 9. purchase invoices, from a stream of their own (no other table changes)
    spend, spend_truth = draw_invoices(data, seed, scale, years)
    acc_spend = pd.DataFrame([{
        "input": spend["source_file"].iat[0] if len(spend) else "demo:spend", "source": "demo",
        "unit": "invoice row", "rows_in": len(spend), "rows_accepted": len(spend),
        "rows_quarantined": 0, "field_issues": 0}], columns=list(ACCOUNTING_COLUMNS))
    return data.replace(spend=datamodel.conform("spend", spend),
                        accounting=pd.concat([accounting, acc_spend], ignore_index=True),
                        extra={**data.extra, "spend_truth": spend_truth},
                        provenance=provenance(seed, scale, years, invoices=True))
