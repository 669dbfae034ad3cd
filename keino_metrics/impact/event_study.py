"""Two-way fixed effects and Sun & Abraham event studies, for comparison with
:func:`keino_metrics.impact.staggered_did`.

Both are least-squares regressions with unit and period fixed effects, estimated
with ``pyfixest.feols`` and standard errors clustered by unit (CRV1).

* :func:`twfe` is the conventional specification: a static ``treated x post``
  coefficient and a dynamic event study with binned end points. Under staggered
  adoption with effects that change over time it is biased, because already
  treated units serve as controls for later ones (Goodman-Bacon 2021).
* :func:`sun_abraham` is the interaction-weighted estimator of Sun & Abraham
  (2021): a saturated regression with one coefficient per cohort and relative
  period (never-treated units as the control, relative period -1 as the
  reference), averaged with cohort-share weights. ``pyfixest`` has the saturated
  regression only as a beta class that shows plots and warnings
  (``event_study(estimator="saturated")``), so the design matrix and the
  weighted averages (with delta-method standard errors from the clustered
  covariance) are built here; the regression itself is ``pyfixest``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from keino_metrics.impact.results import (
    fmt,
    fmt_ci,
    require_columns,
    say,
    table_text,
    warning_lines,
)
from keino_metrics.results import Note, Result, recorded_notes


@dataclass(frozen=True, repr=False)
class EventStudyResult(Result):
    """Result of :func:`twfe` or :func:`sun_abraham`.

    Attributes
    ----------
    estimator : str
        ``"twfe"`` or ``"sun_abraham"``.
    outcome : str
        Outcome column.
    estimate, se : float
        Overall effect: the ``treated x post`` coefficient (TWFE) or the
        treated-observation weighted mean of the post-treatment cohort effects
        (Sun & Abraham, the analogue of the ``simple`` aggregation).
    ci : tuple of float
        Its ``1 - alpha`` interval (cluster-robust, normal).
    table : pandas.DataFrame
        Effects by relative period (index ``event_time``; -1 is the reference, 0):
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high``.
    n_units, n_obs : int
        Units (clusters) and observations.
    alpha : float
        Significance level.
    notes : tuple of Note
        The warnings ``pyfixest`` gave while fitting, each once.
    """

    estimator: str
    outcome: str
    estimate: float
    se: float
    ci: tuple[float, float]
    table: pd.DataFrame = field(repr=False)
    n_units: int
    n_obs: int
    alpha: float
    notes: tuple[Note, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the event-study table."""
        return self.table.copy()

    def summary(self, lang: str = "en") -> str:
        """Summarise in ``lang`` (fi, sv or en)."""
        level = int(round(100 * (1 - self.alpha)))
        return "\n".join([
            say("event_study.line", lang, name=say(f"event_study.{self.estimator}", lang),
                outcome=self.outcome, estimate=fmt(self.estimate, lang=lang),
                se=fmt(self.se, lang=lang), level=level, ci=fmt_ci(self.ci, lang=lang)),
            table_text(self.table, lang),
            *warning_lines(self.notes, lang),
        ])

    def plot(self, lang: str = "en") -> Figure:
        """Plot the event-study coefficients with their intervals.

        Parameters
        ----------
        lang : str
            Language of the labels.

        Returns
        -------
        matplotlib.figure.Figure
        """
        fig = Figure(figsize=(7, 4))
        ax = fig.add_subplot()
        tab = self.table
        x = np.asarray(tab.index, dtype=float)
        ax.errorbar(x, tab["estimate"], yerr=[tab["estimate"] - tab["ci_low"],
                                              tab["ci_high"] - tab["estimate"]],
                    fmt="o", capsize=3)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(-0.5, color="grey", linestyle="--", linewidth=0.8)
        ax.set_xlabel(say("column.event_time", lang))
        ax.set_ylabel(self.outcome)
        ax.set_title(say("event_study.plot_title", lang,
                         name=say(f"event_study.{self.estimator}", lang)))
        return fig


def _prepare(panel, outcome, unit, time, cohort) -> pd.DataFrame:
    require_columns(panel, [unit, time, cohort, outcome], "panel")
    data = pd.DataFrame({
        "_unit": pd.factorize(panel[unit], sort=True)[0],
        "_time": pd.to_numeric(panel[time]).astype(int).to_numpy(),
        "_g": pd.to_numeric(panel[cohort]).fillna(0).astype(int).to_numpy(),
        "_y": pd.to_numeric(panel[outcome], errors="coerce").astype(float).to_numpy(),
    }).dropna(subset=["_y"])
    if data.empty:
        raise ValueError(f"panel: column {outcome!r} has no numeric value")
    data["_rel"] = np.where(data["_g"] > 0, data["_time"] - data["_g"], np.nan)
    return data.reset_index(drop=True)


def _feols(data: pd.DataFrame, regressors: list[str], notes: list[Note]):
    import pyfixest as pf  # imported when first fitted: it takes seconds to load

    fml = "_y ~ " + " + ".join(regressors) + " | _unit + _time"
    with recorded_notes(notes, "pyfixest"):
        fit = pf.feols(fml, data=data, vcov={"CRV1": "_unit"})
    names = list(fit._coefnames)
    return pd.Series(np.asarray(fit._beta_hat), index=names), pd.DataFrame(
        np.asarray(fit._vcov), index=names, columns=names)


def _row(est: float, se: float, z: float) -> dict[str, float]:
    return {"estimate": est, "std_error": se, "ci_low": est - z * se, "ci_high": est + z * se}


def _table(rows: dict[int, dict[str, float]]) -> pd.DataFrame:
    tab = pd.DataFrame.from_dict(rows, orient="index").sort_index()
    tab.index.name = "event_time"
    return tab


def twfe(
    panel: pd.DataFrame,
    outcome: str,
    unit: str = "buyer_id",
    time: str = "year",
    cohort: str = "cohort",
    leads: int = 4,
    lags: int = 4,
    alpha: float = 0.05,
) -> EventStudyResult:
    """Two-way fixed effects: static effect and binned event study.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long unit-by-period panel.
    outcome, unit, time, cohort : str
        Columns; ``cohort`` is the first treated period, 0 for never treated.
    leads, lags : int
        Relative periods ``<= -leads`` and ``>= lags`` are pooled into the end bins.
    alpha : float
        Significance level.

    Returns
    -------
    EventStudyResult
        ``estimate`` is the static ``treated x post`` coefficient.
    """
    if leads < 2 or lags < 0:
        raise ValueError("leads must be >= 2 and lags >= 0")
    data = _prepare(panel, outcome, unit, time, cohort)
    z = stats.norm.ppf(1 - alpha / 2)
    data["_d"] = (data["_rel"] >= 0).astype(float)
    notes: list[Note] = []
    beta, vcov = _feols(data, ["_d"], notes)
    est, se = float(beta["_d"]), float(np.sqrt(vcov.loc["_d", "_d"]))
    binned = data["_rel"].clip(-leads, lags)
    names: dict[int, str] = {}
    for e in sorted(binned.dropna().unique().astype(int)):
        if e == -1:
            continue
        name = f"_e{'m' if e < 0 else 'p'}{abs(e)}"
        data[name] = (binned == e).astype(float)
        names[e] = name
    if not names:
        raise ValueError("panel: no treated unit (every cohort is 0)")
    b_dyn, v_dyn = _feols(data, list(names.values()), notes)
    rows = {-1: _row(0.0, 0.0, z)}
    for e, name in names.items():
        if name in b_dyn.index:
            rows[e] = _row(float(b_dyn[name]), float(np.sqrt(v_dyn.loc[name, name])), z)
    return EventStudyResult(
        estimator="twfe", outcome=outcome, estimate=est, se=se, ci=(est - z * se, est + z * se),
        table=_table(rows), n_units=int(data["_unit"].nunique()), n_obs=len(data), alpha=alpha,
        notes=tuple(notes),
    )


def sun_abraham(
    panel: pd.DataFrame,
    outcome: str,
    unit: str = "buyer_id",
    time: str = "year",
    cohort: str = "cohort",
    alpha: float = 0.05,
) -> EventStudyResult:
    """Sun & Abraham (2021) interaction-weighted event study.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long unit-by-period panel with never-treated units (cohort 0).
    outcome, unit, time, cohort : str
        Columns; ``cohort`` is the first treated period, 0 for never treated.
    alpha : float
        Significance level.

    Returns
    -------
    EventStudyResult
        ``table`` holds the cohort-share weighted effect per relative period;
        ``estimate`` the treated-observation weighted mean of the post-treatment
        cohort x period effects.
    """
    data = _prepare(panel, outcome, unit, time, cohort)
    if not (data["_g"] == 0).any():
        raise ValueError("sun_abraham needs never-treated units (cohort 0) as the control")
    z = stats.norm.ppf(1 - alpha / 2)
    cells = (data.dropna(subset=["_rel"]).astype({"_rel": int})
             .groupby(["_g", "_rel"]).size().rename("n").reset_index())
    cells = cells[cells["_rel"] != -1]
    if cells.empty:
        raise ValueError("panel: no treated unit (every cohort is 0)")
    cells["name"] = [f"_g{g}_{'m' if e < 0 else 'p'}{abs(e)}" for g, e in
                     zip(cells["_g"], cells["_rel"], strict=True)]
    for g, e, name in zip(cells["_g"], cells["_rel"], cells["name"], strict=True):
        data[name] = ((data["_g"] == g) & (data["_rel"] == e)).astype(float)
    notes: list[Note] = []
    beta, vcov = _feols(data, list(cells["name"]), notes)
    cells = cells[cells["name"].isin(beta.index)]

    def combine(sub: pd.DataFrame) -> tuple[float, float]:
        w = sub["n"].to_numpy(float) / sub["n"].sum()
        names = list(sub["name"])
        b = beta[names].to_numpy()
        v = vcov.loc[names, names].to_numpy()
        return float(w @ b), float(np.sqrt(w @ v @ w))

    rows = {-1: _row(0.0, 0.0, z)}
    for e, sub in cells.groupby("_rel"):
        rows[int(e)] = _row(*combine(sub), z)
    est, se = combine(cells[cells["_rel"] >= 0])
    return EventStudyResult(
        estimator="sun_abraham", outcome=outcome, estimate=est, se=se,
        ci=(est - z * se, est + z * se), table=_table(rows),
        n_units=int(data["_unit"].nunique()), n_obs=len(data), alpha=alpha,
        notes=tuple(notes),
    )
