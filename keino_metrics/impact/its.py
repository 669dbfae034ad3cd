"""Interrupted time series: segmented regression with Newey-West standard errors.

The model for a single series (e.g. a buyer's monthly share of green lots)::

    y_t = b0 + b1 * t + b2 * D_t + b3 * (t - T0) * D_t + season_t + e_t,
    D_t = 1{t >= T0}

``b2`` is the level change at the break, ``b3`` the change of slope per period
(Bernal, Cummins & Gasparrini 2017). Seasonal dummies (month or quarter of the
year) absorb the procurement calendar. The errors may be autocorrelated and
heteroskedastic, so the covariance is Newey-West (HAC, Bartlett kernel), as
``statsmodels`` computes it. The counterfactual is the fitted pre-break trend
(with the seasonal pattern) carried past the break.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from matplotlib.figure import Figure
from scipy import stats

from keino_metrics.impact.results import fmt, fmt_ci, require_columns, say, warning_lines
from keino_metrics.results import Note, Result, recorded_notes

_FREQ = {"month": "M", "quarter": "Q"}


@dataclass(frozen=True, repr=False)
class ITSResult(Result):
    """Result of :func:`interrupted_time_series`.

    Attributes
    ----------
    level_change, slope_change : float
        Immediate change of level at the break and change of slope per period.
    level_se, slope_se : float
        Their Newey-West standard errors.
    level_ci, slope_ci : tuple of float
        ``1 - alpha`` intervals (t distribution with the residual degrees of freedom).
    level_p, slope_p : float
        Two-sided p-values.
    pre_slope : float
        Trend per period before the break.
    frame : pandas.DataFrame
        Per period: ``period``, ``observed``, ``fitted``, ``counterfactual``,
        ``estimate`` (the effect: fitted minus counterfactual) and ``post``.
    break_period : pandas.Period
        First period of the post-break segment.
    period : str
        ``"month"`` or ``"quarter"``.
    hac_lags : int
        Lags of the Newey-West estimator.
    outcome : str
        Outcome name.
    alpha : float
        Significance level.
    notes : tuple of Note
        The warnings ``statsmodels`` gave while fitting, each once.
    """

    level_change: float
    slope_change: float
    level_se: float
    slope_se: float
    level_ci: tuple[float, float]
    slope_ci: tuple[float, float]
    level_p: float
    slope_p: float
    pre_slope: float
    frame: pd.DataFrame = field(repr=False)
    break_period: pd.Period
    period: str
    hac_lags: int
    outcome: str
    alpha: float
    notes: tuple[Note, ...] = ()

    @property
    def counterfactual(self) -> pd.Series:
        """Counterfactual series (pre-break trend continued), indexed by period."""
        return self.frame.set_index("period")["counterfactual"]

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the per-period table."""
        return self.frame.copy()

    def summary(self, lang: str = "en") -> str:
        """Summarise in ``lang`` (fi, sv or en)."""
        level = int(round(100 * (1 - self.alpha)))
        return "\n".join([
            say("its.head", lang, outcome=self.outcome, period=self.break_period,
                lags=self.hac_lags),
            say("its.level_line", lang, change=fmt(self.level_change, lang=lang), level=level,
                ci=fmt_ci(self.level_ci, lang=lang), p=fmt(self.level_p, 3, lang)),
            say("its.slope_line", lang, change=fmt(self.slope_change, 5, lang),
                unit=say(f"its.per.{self.period}", lang), level=level,
                ci=fmt_ci(self.slope_ci, 5, lang), p=fmt(self.slope_p, 3, lang)),
            *warning_lines(self.notes, lang),
        ])

    def plot(self, lang: str = "en") -> Figure:
        """Observed, fitted and counterfactual series.

        Parameters
        ----------
        lang : str
            Language of the labels.

        Returns
        -------
        matplotlib.figure.Figure
        """
        fig = Figure(figsize=(8, 4))
        ax = fig.add_subplot()
        x = self.frame["period"].dt.to_timestamp()
        ax.plot(x, self.frame["observed"], "o", markersize=3, label=say("observed", lang))
        ax.plot(x, self.frame["fitted"], "-", label=say("fitted", lang))
        post = self.frame["post"].to_numpy()
        ax.plot(x[post], self.frame.loc[post, "counterfactual"], "--",
                label=say("counterfactual", lang))
        ax.axvline(self.break_period.to_timestamp(), color="grey", linewidth=0.8)
        ax.set_ylabel(self.outcome)
        ax.legend(loc="best")
        return fig


def interrupted_time_series(
    series: pd.DataFrame,
    time: str = "period",
    outcome: str = "y",
    break_date: str | pd.Timestamp | pd.Period | None = None,
    period: Literal["month", "quarter"] = "month",
    seasonality: bool = True,
    hac_lags: int | None = None,
    alpha: float = 0.05,
) -> ITSResult:
    """Segmented regression of a single series around a break.

    Parameters
    ----------
    series : pandas.DataFrame
        One row per period: a date-like ``time`` column and the ``outcome``.
    time, outcome : str
        Column names.
    break_date : date-like
        First period of the post-break segment (e.g. the month a programme started).
    period : {"month", "quarter"}
        Frequency of the series; dates are converted to this period.
    seasonality : bool
        Add month-of-year (or quarter) dummies.
    hac_lags : int, optional
        Newey-West lags; default ``floor(4 * (n / 100) ** (2 / 9))``.
    alpha : float
        Significance level.

    Returns
    -------
    ITSResult
    """
    require_columns(series, [time, outcome], "series")
    if period not in _FREQ:
        raise ValueError(f"period must be 'month' or 'quarter', got {period!r}")
    if break_date is None:
        raise ValueError("break_date is required")
    col = series[time]
    stamps = col.dt.to_timestamp() if isinstance(col.dtype, pd.PeriodDtype) else pd.to_datetime(col)
    per = pd.PeriodIndex(stamps, freq=_FREQ[period])
    y = pd.to_numeric(series[outcome], errors="coerce").to_numpy(dtype=float)
    df = pd.DataFrame({"period": per, "y": y}).dropna().sort_values("period")
    if df["period"].duplicated().any():
        dup = df.loc[df["period"].duplicated(), "period"].iloc[0]
        raise ValueError(f"series: period {dup} appears more than once in column {time!r}")
    brk = pd.Period(pd.Timestamp(str(break_date)) if not isinstance(break_date, pd.Period)
                    else break_date.to_timestamp(), freq=_FREQ[period])
    first = df["period"].iloc[0]
    t = np.array([(p - first).n for p in df["period"]], dtype=float)
    t0 = float((brk - first).n)
    d = (t >= t0).astype(float)
    n_pre, n_post = int((d == 0).sum()), int(d.sum())
    if n_pre < 3 or n_post < 3:
        raise ValueError(f"series: need at least 3 periods on each side of {brk}, "
                         f"got {n_pre} before and {n_post} after")
    X = pd.DataFrame({"const": 1.0, "trend": t, "level": d, "slope": (t - t0) * d})
    if seasonality:
        season = df["period"].dt.month if period == "month" else df["period"].dt.quarter
        dummies = pd.get_dummies(pd.Categorical(season), prefix="s", drop_first=True,
                                 dtype=float)
        dummies.index = X.index
        X = pd.concat([X, dummies.loc[:, dummies.std() > 0]], axis=1)
    n = len(df)
    lags = int(np.floor(4 * (n / 100) ** (2 / 9))) if hac_lags is None else int(hac_lags)
    notes: list[Note] = []
    with recorded_notes(notes, "statsmodels"):
        fit = sm.OLS(df["y"].to_numpy(), X.to_numpy()).fit(cov_type="HAC",
                                                            cov_kwds={"maxlags": lags},
                                                            use_t=True)
    names = list(X.columns)
    params = pd.Series(fit.params, index=names)
    bse = pd.Series(fit.bse, index=names)
    pvals = pd.Series(fit.pvalues, index=names)
    q = stats.t.ppf(1 - alpha / 2, fit.df_resid)
    fitted = X.to_numpy() @ params.to_numpy()
    Xc = X.assign(level=0.0, slope=0.0)
    counter = Xc.to_numpy() @ params.to_numpy()
    frame = pd.DataFrame({"period": df["period"].to_numpy(), "observed": df["y"].to_numpy(),
                          "fitted": fitted, "counterfactual": counter,
                          "estimate": fitted - counter, "post": d.astype(bool)})
    lv, sl = float(params["level"]), float(params["slope"])
    return ITSResult(
        level_change=lv, slope_change=sl, level_se=float(bse["level"]),
        slope_se=float(bse["slope"]),
        level_ci=(lv - q * bse["level"], lv + q * bse["level"]),
        slope_ci=(sl - q * bse["slope"], sl + q * bse["slope"]),
        level_p=float(pvals["level"]), slope_p=float(pvals["slope"]),
        pre_slope=float(params["trend"]), frame=frame, break_period=brk, period=period,
        hac_lags=lags, outcome=outcome, alpha=alpha, notes=tuple(notes),
    )
