"""The numbers of the impact report, computed once into :class:`ImpactContent`.

:func:`compute_impact` runs the models of :mod:`keino_metrics.impact` on the
buyer-by-year panel of one outcome indicator and on the lots and awards of the
report year. The frozen result is what the notebook renders in every language
and what the driver exports as figures, CSV and Excel. Nothing here draws or
writes HTML. Warnings the models raise are recorded into the content's
``warnings`` (by part), never silenced.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keino_metrics import published
from keino_metrics.dataset import Dataset
from keino_metrics.impact.did import POOLED
from keino_metrics.labels import text
from keino_metrics.report import grouped, metadata
from keino_metrics.report.anchors import programme_anchor
from keino_metrics.report.impact.panel import impact_panel
from keino_metrics.report.impact.params import (
    ALL_PROGRAMMES,
    CONTROLS,
    DEFAULT_OUTCOME,
    DEMO_TRUTH,
    HIDDEN_AUDIT,
    HIDDEN_SAMPLE,
    MIN_COVERAGE,
    N_BOOT,
    N_BOOT_ROBUST,
    N_SIMS,
    TARGET_FAMILY,
    TARGET_YEAR,
)
from keino_metrics.results import Note, recorded_notes

__all__ = ["ImpactContent", "compute_impact", "programme_anchor", "POOLED", "EXCEL_FORMATS"]



def _recording(part: str, log: list[Note] | None):
    """Record the warnings raised inside into ``log`` (else let them through)."""
    return nullcontext() if log is None else recorded_notes(log, part)


def _notice_year(data: Dataset) -> pd.Series:
    n = data.notices.drop_duplicates("notice_id").set_index("notice_id")["publication_date"]
    return n.astype("datetime64[us]").dt.year


def _hidden_population(data: Dataset, year: int) -> pd.DataFrame:
    """Lots of notices published in ``year`` with a Hilma 'new to market' answer."""
    h = data.hilma_statistics[["notice_id", "lot_id", "solution_new_to_market"]]
    h = h.dropna(subset=["solution_new_to_market"])
    lots = data.lots[[c for c in ("notice_id", "lot_id", "title", "description")
                      if c in data.lots.columns]]
    df = h.merge(lots, on=["notice_id", "lot_id"], how="inner")
    df = df[df["notice_id"].map(_notice_year(data)) == year]
    df = df.assign(flag=df["solution_new_to_market"].astype(bool))
    truth = data.extra.get("lot_truth")
    if truth is not None and "true_innovative" in truth.columns:
        t = truth[["notice_id", "lot_id", "true_innovative"]].drop_duplicates(
            ["notice_id", "lot_id"])
        df = df.merge(t, on=["notice_id", "lot_id"], how="left")
    return df.sort_values(["notice_id", "lot_id"], kind="stable").reset_index(drop=True)


def _spend(data: Dataset, year: int) -> pd.DataFrame:
    """Awarded values of ``year`` with the lot's CPV code and low-carbon answer."""
    aw = data.awards
    aw = aw[aw["winner_chosen"].fillna(False).astype(bool)
            & aw["awarded_value_eur"].notna()][["notice_id", "lot_id", "awarded_value_eur"]]
    aw = aw[aw["notice_id"].map(_notice_year(data)) == year]
    df = aw.merge(data.lots[["notice_id", "lot_id", "cpv_main"]].drop_duplicates(
        ["notice_id", "lot_id"]), on=["notice_id", "lot_id"], how="left")
    lc = data.hilma_statistics[["notice_id", "lot_id", "low_carbon"]].drop_duplicates(
        ["notice_id", "lot_id"])
    df = df.merge(lc, on=["notice_id", "lot_id"], how="left")
    df["low_carbon"] = df["low_carbon"].fillna(False).astype(bool)
    df["awarded_value_eur"] = df["awarded_value_eur"].astype(float)
    return df.sort_values(["notice_id", "lot_id"], kind="stable").reset_index(drop=True)


# -- computation -----------------------------------------------------------------
def _ci_row(est: float, ci: tuple[float, float], se: float = float("nan")) -> dict[str, float]:
    return {"estimate": float(est), "se": float(se), "ci_low": float(ci[0]),
            "ci_high": float(ci[1])}


def _did(panel: pd.DataFrame, outcome: str, *, part: str, control: str, method: str = "dr",
         covariates: list[str] | None = None, n_boot: int, seed: int,
         log: list[Note] | None = None):
    from keino_metrics.impact import staggered_did

    with _recording(f"did:{part}", log):
        return staggered_did(panel, outcome, control=control, method=method,
                             covariates=covariates, balance="unbalanced", n_boot=n_boot,
                             seed=seed)


def _effects(panel: pd.DataFrame, outcome: str, control: str, seed: int,
             log: list[Note]):
    """Main estimate, robustness variants and event-study rows."""
    from keino_metrics.impact import sun_abraham, twfe

    main = _did(panel, outcome, part="main", control=control, n_boot=N_BOOT, seed=seed, log=log)
    other = CONTROLS[1] if control == CONTROLS[0] else CONTROLS[0]
    rows: list[dict[str, object]] = []
    notes: dict[str, str] = {}

    def add(variant: str, ctl: str | None, method: str, res) -> None:
        simple = res.aggregate("simple")
        pre = res.pre_test
        rows.append({"variant": variant, "control": ctl, "method": method,
                     **_ci_row(simple.estimate, simple.ci, simple.se),
                     "pretest_p": pre.p_value if pre is not None else float("nan"),
                     "n_units": int(res.n_units)})

    add("main", control, "dr", main)
    variants = [("other_control", other, "dr", None), ("reg", control, "reg", None),
                ("ipw", control, "ipw", None), ("covariate", control, "dr", ["log_size"])]
    for variant, ctl, method, cov in variants:
        try:
            add(variant, ctl, method, _did(panel, outcome, part=variant, control=ctl, method=method,
                                           covariates=cov, n_boot=N_BOOT_ROBUST, seed=seed,
                                           log=log))
        except (ValueError, np.linalg.LinAlgError) as exc:
            notes[variant] = str(exc)
    es_rows = []
    dyn = main.aggregate("dynamic").to_frame().reset_index()
    for r in dyn.itertuples():
        es_rows.append({"estimator": "callaway_santanna", "event_time": int(r.event_time),
                        "att": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high,
                        "band_low": r.band_low, "band_high": r.band_high})
    for name, fn in (("twfe", twfe), ("sun_abraham", sun_abraham)):
        try:
            with _recording(name, log):
                res = fn(panel, outcome)
        except (ValueError, np.linalg.LinAlgError) as exc:
            notes[name] = str(exc)
            continue
        rows.append({"variant": name, "control": "never_treated" if name == "sun_abraham"
                     else None, "method": name, **_ci_row(res.estimate, res.ci, res.se),
                     "pretest_p": float("nan"), "n_units": int(res.n_units)})
        for r in res.to_frame().reset_index().itertuples():
            es_rows.append({"estimator": name, "event_time": int(r.event_time), "att": r.estimate,
                            "ci_low": r.ci_low, "ci_high": r.ci_high,
                            "band_low": float("nan"), "band_high": float("nan")})
    robust = pd.DataFrame(rows)
    event = pd.DataFrame(es_rows).sort_values(["estimator", "event_time"]).reset_index(drop=True)
    return main, robust, event, notes


def _programmes(data: Dataset, outcome: str, year: int, control: str, seed: int,
                truth: bool, log: list[Note], panel: pd.DataFrame | None = None
                ) -> pd.DataFrame:
    """The effect of each programme on its own and of all pooled (simple aggregation).

    :func:`keino_metrics.impact.did_by_programme` on the panel of every buyer:
    the centre's own programme first, then the others by name, then the pooled
    row, with the estimator, bootstrap and seed of the main estimate. Joins
    after ``year`` count as not joined. On demonstration data with a known
    effect, ``truth`` is the true effect weighted as the estimate (by each
    programme's own cohort sizes) and ``covered`` whether the interval holds it.
    """
    from keino_metrics.impact import did_by_programme

    if panel is None:  # the panel of every buyer, unless the caller already built it
        panel = impact_panel(data, outcome, ALL_PROGRAMMES, year, log=log)
    pp = data.programme_participation.dropna(subset=["buyer_id", "programme", "start_date"])
    pp = pp[pd.to_datetime(pp["start_date"]).dt.year <= year]
    with _recording("did:programmes", log):
        eff = did_by_programme(panel, outcome, pp, control=control, method="dr",
                               balance="unbalanced", n_boot=N_BOOT, seed=seed)
    table = eff.to_frame()
    table.insert(1, "anchor", [programme_anchor(str(p)) for p in table["programme"]])
    if truth:
        from keino_metrics import demo

        years = (int(panel["year"].min()), int(panel["year"].max()))
        key = DEMO_TRUTH[outcome]
        values = []
        for name in table["programme"]:
            sizes = {int(g): int(n) for g, n in eff.results[name].cohort_sizes.items() if g}
            values.append(float(demo.true_aggregate(key, "simple", sizes, years).iloc[0])
                          if sizes else float("nan"))
        table["truth"] = values
        table["covered"] = (table["ci_low"] <= table["truth"]) & (table["truth"]
                                                                 <= table["ci_high"])
    return table


def _truth(main, outcome: str, years: tuple[int, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Known true aggregates of the demo and true dynamic effects by event time."""
    from keino_metrics import demo

    key = DEMO_TRUTH[outcome]
    sizes = {int(g): int(n) for g, n in main.cohort_sizes.items() if g}
    simple = float(demo.true_aggregate(key, "simple", sizes, years).iloc[0])
    group = demo.true_aggregate(key, "group", sizes, years)
    dynamic = demo.true_aggregate(key, "dynamic", sizes, years)
    calendar = demo.true_aggregate(key, "calendar", sizes, years)
    n = pd.Series(sizes).reindex(group.index).astype(float)
    truth = {"simple": simple,
             "group": float(np.average(group.to_numpy(float), weights=n.to_numpy())),
             "dynamic": float(dynamic[dynamic.index >= 0].mean()),
             "calendar": float(calendar.mean())}
    agg = pd.DataFrame({"aggregation": list(truth), "truth": list(truth.values())})
    dyn = dynamic.rename("truth").rename_axis("event_time").reset_index()
    dyn["event_time"] = dyn["event_time"].astype(int)
    return agg, dyn


def _target(data: Dataset, year: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame,
                                                          dict[str, str]]:
    """Forecast of each candidate definition of the 10 % target."""
    from keino_metrics.impact import track_target
    from keino_metrics.impact.target import indicator_series
    from keino_metrics.indicators import catalogue, compute

    ids = tuple(catalogue(family=TARGET_FAMILY)["id"].astype(str))
    notes: dict[str, str] = {}
    if year >= TARGET_YEAR:
        return pd.DataFrame(), pd.DataFrame(), {i: "target.after" for i in ids}
    res = grouped.shown(compute(list(ids), data, by=["year"])).dropna(subset=["year"])
    res = res[res["year"].astype(int) <= year].assign(year=lambda d: d["year"].astype(int))
    summary, forecasts = [], []
    for i in ids:
        d = res[(res["indicator_id"] == i)].dropna(subset=["value", "denominator"])
        series = indicator_series(d, min_coverage=MIN_COVERAGE, value="value")
        weighting = str(d["weighting"].iloc[0]) if len(d) else "count"
        if len(series) < 3:
            notes[i] = "target.short"
            continue
        target = d["target"].dropna()
        goal = float(target.iloc[0]) if len(target) else published.FI_INNOVATION_TARGET.value
        tr = track_target(series, target=goal, by_year=TARGET_YEAR, definition=i,
                          n_sims=N_SIMS, seed=seed)
        row = tr.forecast.set_index("year").loc[TARGET_YEAR]
        last = d.iloc[-1]
        summary.append({"indicator_id": i, "weighting": weighting, "target": goal,
                        "first_year": int(series["year"].min()),
                        "last_year": int(last["year"]), "last_value": float(last["value"]),
                        "forecast": float(row["estimate"]), "pi_low": float(row["ci_low"]),
                        "pi_high": float(row["ci_high"]), "prob_at_year": tr.prob_at_year,
                        "prob_by_year": tr.prob_by_year, "n_points": int(tr.n_points),
                        "method": tr.method, "basis": tr.basis,
                        "probability_reason": tr.probability_reason,
                        "year_reached": tr.year_reached if tr.year_reached is not None
                        else pd.NA})
        forecasts.append(tr.to_frame().assign(indicator_id=i))
    last = res[(res["year"] == year) & (res["weighting"] == "count")]["denominator"]
    notes["_lots"] = str(int(last.max())) if len(last.dropna()) else "0"
    summary_df = pd.DataFrame(summary)
    if len(summary_df):
        summary_df["year_reached"] = summary_df["year_reached"].astype("Int64")
    fc = (pd.concat(forecasts, ignore_index=True) if forecasts else pd.DataFrame())
    if len(fc):
        fc = fc[["indicator_id", *[c for c in fc.columns if c != "indicator_id"]]]
    return summary_df, fc, notes


def _audit(data: Dataset, pop: pd.DataFrame, seed: int, demo: bool) -> pd.Series | None:
    """True labels of an audited sample of ``pop`` (NaN elsewhere), or ``None``.

    A user's audit table ``data.extra["hidden_volume_audit"]`` (``notice_id``,
    ``lot_id``, ``true_innovative``: lots whose novelty was checked by hand)
    is used when present. On demonstration data the audit is simulated: the
    true labels of :data:`HIDDEN_AUDIT` randomly drawn lots are revealed, as a
    manual review of that many notices would reveal them.
    """
    table = data.extra.get("hidden_volume_audit")
    if table is not None and {"notice_id", "lot_id", "true_innovative"} <= set(table.columns):
        t = table[["notice_id", "lot_id", "true_innovative"]].drop_duplicates(
            ["notice_id", "lot_id"]).rename(columns={"true_innovative": "audited"})
        labels = pop[["notice_id", "lot_id"]].merge(t, on=["notice_id", "lot_id"],
                                                    how="left")["audited"]
        return labels.astype("Float64") if labels.notna().any() else None
    if demo and "true_innovative" in pop.columns and pop["true_innovative"].notna().all():
        rng = np.random.default_rng(seed)
        take = rng.choice(len(pop), size=min(HIDDEN_AUDIT, len(pop)), replace=False)
        labels = pd.Series(np.nan, index=pop.index, dtype="Float64")
        labels.iloc[take] = pop["true_innovative"].astype(float).iloc[take].to_numpy()
        return labels
    return None


def _hidden(data: Dataset, year: int, seed: int, demo: bool,
            log: list[Note]) -> tuple[pd.DataFrame, str | None]:
    """Hidden-volume estimate of the year's lots.

    With an audit sample (true labels of some lots) the classifier is trained on
    the audited lots with the reported flag as a further feature, and the
    Rogan-Gladen correction uses its cross-validated sensitivity and
    specificity (``validation`` mode). Without one, the flags-only (``pu``)
    estimator is fitted on a seeded sample of the year's lots.
    """
    from keino_metrics.impact import HiddenVolumeEstimator, lot_texts

    pop = _hidden_population(data, year)
    if len(pop) == 0:
        return pd.DataFrame(), "hidden.none"
    truth = (float(pop["true_innovative"].astype(float).mean())
             if demo and "true_innovative" in pop.columns
             and pop["true_innovative"].notna().all() else float("nan"))
    audit = _audit(data, pop, seed, demo)
    texts = pd.DataFrame({"text": lot_texts(pop), "flag": pop["flag"].astype(float)})
    if audit is not None:
        est = HiddenVolumeEstimator(mode="validation", n_boot=N_BOOT_ROBUST, random_state=seed)
        audited = audit.notna().to_numpy()
        labels = audit[audited].astype(bool)
        if min(int(labels.sum()), int((~labels).sum())) < 2 * est.cv:
            return pd.DataFrame(), "hidden.none"
        with _recording("hidden", log):
            est.fit(texts[audited], labels)
            res = est.estimate(texts, flags=pop["flag"])
        n_sample, method = int(audited.sum()), "audit"
    else:
        est = HiddenVolumeEstimator(mode="pu", n_boot=N_BOOT_ROBUST, random_state=seed)
        if min(int(pop["flag"].sum()), int((~pop["flag"]).sum())) < 4 * est.cv:
            return pd.DataFrame(), "hidden.none"
        rng = np.random.default_rng(seed)
        take = np.sort(rng.choice(len(pop), size=min(HIDDEN_SAMPLE, len(pop)), replace=False))
        sample = pop.iloc[take].reset_index(drop=True)
        with _recording("hidden", log):
            res = est.fit(lot_texts(sample), sample["flag"]).estimate()
        n_sample, method = len(sample), "pu"
    row = {"method": method, "flagged_share": float(pop["flag"].mean()),
           "estimate": res.estimate, "ci_low": res.ci[0], "ci_high": res.ci[1],
           "label_frequency": res.label_frequency, "sensitivity": res.sensitivity,
           "specificity": res.specificity, "auc": res.auc, "min_auc": res.min_auc,
           "reliable": bool(res.reliable), "reliability": res.reliability, "true_share": truth,
           "n_sample": n_sample, "n_population": len(pop)}
    return pd.DataFrame([row]), None


def _carbon(data: Dataset, year: int, seed: int):
    from keino_metrics.impact import avoided_emissions, spend_based_emissions

    spend = _spend(data, year)
    notes: dict[str, str] = {}
    try:
        co2 = spend_based_emissions(spend, value="awarded_value_eur", cpv="cpv_main",
                                    n_sims=N_SIMS, seed=seed)
    except ValueError:
        return None, None, {"carbon": "carbon.none"}, len(spend)
    avoided = None
    if spend["low_carbon"].any():
        try:
            avoided = avoided_emissions(spend, flag="low_carbon", value="awarded_value_eur",
                                        cpv="cpv_main", n_sims=N_SIMS, seed=seed)
        except ValueError:
            notes["avoided"] = "avoided.none"
    else:
        notes["avoided"] = "avoided.none"
    return co2, avoided, notes, len(spend)


# -- content ---------------------------------------------------------------------
@dataclass(frozen=True)
class ImpactContent:
    """Every number of the impact report, computed once by :func:`compute_impact`.

    Attributes
    ----------
    year, first_year : int
        Report year and first year of the panel.
    outcome, programme, control : str
        Outcome indicator id, programme (``"all"`` or a name) and control group.
    seed : int
        Seed of every bootstrap and simulation.
    demo : bool
        Whether the data are generated demonstration data (provenance).
    has_truth : bool
        Whether a known true effect applies (demo data and a demo outcome).
    aggregates : pandas.DataFrame
        Main Callaway-Sant'Anna aggregations: ``aggregation``, ``estimate``,
        ``se``, ``ci_low``, ``ci_high`` and, on demo data, ``truth`` and ``covered``.
    pretest : Mapping
        ``statistic``, ``df``, ``p_value`` of the parallel-trends pre-test (empty
        when there is none).
    att_gt : pandas.DataFrame
        Group-time effects of the main estimate.
    cohort_sizes : Mapping
        Buyers per cohort (0 = never) in the main estimate.
    programmes : pandas.DataFrame
        The effect of each programme estimated on its own, then pooled
        (:func:`keino_metrics.impact.did_by_programme`, simple aggregation):
        ``programme``, ``anchor`` (HTML id, :func:`programme_anchor`),
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n_treated``,
        ``n_control``, ``pre_test_p``, ``notes`` and, on demo data, ``truth`` and
        ``covered``.
    robustness : pandas.DataFrame
        One row per variant: ``variant``, ``control``, ``method``, ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``pretest_p``, ``n_units``.
    event_study : pandas.DataFrame
        Effects by ``estimator`` and ``event_time`` (``truth`` on demo data).
    target : pandas.DataFrame
        One row per candidate definition of the 10 % target.
    target_forecast : pandas.DataFrame
        Yearly observed and forecast shares of each definition.
    hidden : pandas.DataFrame
        One row: flagged share, estimate and interval, flagging probability, AUC,
        true share (demo), sample and population sizes.
    carbon : CarbonResult or None
        Spend-based emissions of the report year.
    avoided : AvoidedEmissionsResult or None
        Avoided emissions of the low-carbon purchases.
    notes : Mapping
        Parts not computed, by name, with the text key of the reason (or a message).
    counts : Mapping
        Sizes for the figure captions: ``target_lots`` (lots behind the count-based
        target definitions in the report year) and ``carbon_awards`` (awards with a
        value in the report year).
    warnings : tuple of Note
        Every distinct warning the models raised; ``part`` names the model run:
        ``panel``, ``did:main``, ``did:<variant>`` (robustness), ``did:programmes``,
        ``twfe``, ``sun_abraham``, ``hidden``.
    meta : Mapping
        Reproducibility metadata of the run (:func:`collect_metadata`); empty
        until the driver or the notebook adds it.
    """

    year: int
    first_year: int
    outcome: str
    programme: str
    control: str
    seed: int
    demo: bool
    has_truth: bool
    aggregates: pd.DataFrame = field(repr=False)
    pretest: Mapping[str, float] = field(repr=False)
    att_gt: pd.DataFrame = field(repr=False)
    cohort_sizes: Mapping[int, int] = field(repr=False)
    programmes: pd.DataFrame = field(repr=False)
    robustness: pd.DataFrame = field(repr=False)
    event_study: pd.DataFrame = field(repr=False)
    target: pd.DataFrame = field(repr=False)
    target_forecast: pd.DataFrame = field(repr=False)
    hidden: pd.DataFrame = field(repr=False)
    carbon: object = field(repr=False)
    avoided: object = field(repr=False)
    notes: Mapping[str, str] = field(repr=False)
    counts: Mapping[str, int] = field(repr=False, default_factory=dict)
    warnings: tuple[Note, ...] = field(repr=False, default=())
    meta: Mapping[str, object] = field(repr=False, default_factory=dict)

    # -- derived numbers -------------------------------------------------------
    @property
    def n_units(self) -> int:
        """Buyers in the main estimate."""
        return int(sum(self.cohort_sizes.values()))

    @property
    def n_treated(self) -> int:
        """Participating buyers in the main estimate."""
        return int(sum(n for g, n in self.cohort_sizes.items() if g))

    def main(self) -> pd.Series:
        """The ``simple`` aggregation row of the main estimate."""
        return self.aggregates.set_index("aggregation").loc["simple"]

    def source(self, lang: str) -> str:
        """Description of the data source in ``lang``."""
        return text("impact.source_demo" if self.demo else "source_files", lang)

    def programme_label(self, lang: str) -> str:
        """The programme parameter as text."""
        return text("impact.all_programmes", lang) if self.programme == ALL_PROGRAMMES \
            else self.programme

    def tables(self) -> dict[str, pd.DataFrame]:
        """Machine-readable tables (language-neutral columns), by file stem."""
        out = {"impact_effect": self.aggregates,
               "impact_effect_by_programme": self.programmes, "impact_att_gt": self.att_gt,
               "impact_robustness": self.robustness, "impact_event_study": self.event_study,
               "impact_target": self.target, "impact_target_forecast": self.target_forecast,
               "impact_hidden": self.hidden}
        if self.carbon is not None:
            div = self.carbon.to_frame().reset_index()
            out["impact_carbon_by_division"] = div
            out["impact_carbon_comparison"] = self.carbon.compare_published()
        if self.avoided is not None:
            out["impact_avoided_by_division"] = self.avoided.to_frame().reset_index()
        out["impact_warnings"] = pd.DataFrame([(n.part, n.text) for n in self.warnings],
                                              columns=["part", "warning"])
        return {k: _rounded(v) for k, v in out.items()}


_EFFECT, _SHARE, _RATE, _WHOLE = "0.00%", "0.0%", "0.000", "#,##0"
_EFFECT_COLUMNS = ("estimate", "se", "std_error", "ci_low", "ci_high", "truth", "att", "band_low",
                   "band_high")
#: Excel number formats of the impact tables by file stem: effects (share
#: differences) and shares as per cent, rates and p-values with three decimals,
#: counts, euros and tonnes as whole numbers.
EXCEL_FORMATS: Mapping[str, Mapping[str, str]] = {
    "impact_effect": dict.fromkeys(_EFFECT_COLUMNS, _EFFECT),
    "impact_effect_by_programme": {**dict.fromkeys(_EFFECT_COLUMNS, _EFFECT),
                                   "n_treated": _WHOLE, "n_control": _WHOLE,
                                   "pre_test_p": _RATE},
    "impact_att_gt": dict.fromkeys(_EFFECT_COLUMNS, _EFFECT),
    "impact_robustness": {**dict.fromkeys(_EFFECT_COLUMNS, _EFFECT), "pretest_p": _RATE,
                          "n_units": _WHOLE},
    "impact_event_study": dict.fromkeys(_EFFECT_COLUMNS, _EFFECT),
    "impact_target": {**dict.fromkeys(("target", "last_value", "forecast", "pi_low", "pi_high",
                                       "prob_at_year", "prob_by_year"), _SHARE),
                      "n_points": "0"},
    "impact_target_forecast": dict.fromkeys(("observed", "estimate", "ci_low", "ci_high",
                                             "prob_reached"), _SHARE),
    "impact_hidden": {**dict.fromkeys(("flagged_share", "estimate", "ci_low", "ci_high",
                                       "label_frequency", "true_share"), _SHARE),
                      **dict.fromkeys(("sensitivity", "specificity", "auc", "min_auc"), _RATE),
                      "n_sample": _WHOLE, "n_population": _WHOLE},
    "impact_carbon_by_division": {**dict.fromkeys(("spend_eur", "estimate", "ci_low",
                                                   "ci_high"), _WHOLE),
                                  "factor_kg_per_eur": _RATE, "share": _SHARE},
    "impact_avoided_by_division": dict.fromkeys(("spend_eur", "baseline_t", "estimate",
                                                 "ci_low", "ci_high"), _WHOLE),
}


def _rounded(frame: pd.DataFrame, digits: int = 6) -> pd.DataFrame:
    df = frame.copy()
    for c in df.columns:
        if pd.api.types.is_float_dtype(df[c]):
            df[c] = df[c].round(digits)
    return df.reset_index(drop=True)


def compute_impact(data: Dataset, year: int, *, outcome: str = DEFAULT_OUTCOME,
                   programme: str = ALL_PROGRAMMES, control: str = "never_treated",
                   seed: int = 2024) -> ImpactContent:
    """Compute every number of the impact report.

    Parameters
    ----------
    data : Dataset
        Canonical tables (demo or real).
    year : int
        Report year: last year of the panel and year of the hidden-volume and
        carbon sections.
    outcome, programme, control, seed
        As in :func:`validate_impact_params` (not checked again here).

    Returns
    -------
    ImpactContent
    """
    demo = metadata.is_demo(data)
    log: list[Note] = []
    panel = impact_panel(data, outcome, programme, year, log=log)
    if not (panel["cohort"] > 0).any():
        raise ValueError(f"no buyer joined {programme!r} by {year}: there is no programme "
                         "effect to estimate")
    years = (int(panel["year"].min()), int(panel["year"].max()))
    main, robust, event, notes = _effects(panel, outcome, control, seed, log)
    aggs = pd.DataFrame([{"aggregation": k, **_ci_row(a.estimate, a.ci, a.se)}
                         for k, a in main.aggregates.items()])
    has_truth = demo and outcome in DEMO_TRUTH
    if has_truth:
        truth_agg, truth_dyn = _truth(main, outcome, years)
        aggs = aggs.merge(truth_agg, on="aggregation", how="left")
        aggs["covered"] = (aggs["ci_low"] <= aggs["truth"]) & (aggs["truth"] <= aggs["ci_high"])
        event = event.merge(truth_dyn, on="event_time", how="left")
        simple_truth = float(truth_agg.set_index("aggregation").loc["simple", "truth"])
        robust["truth"] = simple_truth
        robust["covered"] = (robust["ci_low"] <= simple_truth) & (simple_truth
                                                                  <= robust["ci_high"])
    pre = main.pre_test
    pretest = ({} if pre is None else {
        "statistic": float(pre.statistic), "df": int(pre.df), "p_value": float(pre.p_value)})
    programmes = _programmes(data, outcome, year, control, seed, has_truth, log,
                             panel if programme == ALL_PROGRAMMES else None)
    target, forecast, t_notes = _target(data, year, seed)
    hidden, h_note = _hidden(data, year, seed, demo, log)
    co2, avoided, c_notes, n_awards = _carbon(data, year, seed)
    counts = {"target_lots": int(t_notes.pop("_lots", "0")), "carbon_awards": int(n_awards)}
    notes = {**notes, **{f"target:{k}": v for k, v in t_notes.items()}, **c_notes}
    if h_note:
        notes["hidden"] = h_note
    return ImpactContent(
        year=int(year), first_year=years[0], outcome=outcome, programme=programme,
        control=control, seed=int(seed), demo=demo, has_truth=has_truth,
        aggregates=aggs, pretest=pretest, att_gt=main.to_frame(),
        cohort_sizes=dict(main.cohort_sizes), programmes=programmes, robustness=robust,
        event_study=event, target=target, target_forecast=forecast, hidden=hidden,
        carbon=co2, avoided=avoided, notes=dict(sorted(notes.items())), counts=counts,
        warnings=tuple(log))
