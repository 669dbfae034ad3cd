"""Tracking a share against a target (e.g. the 10 % innovative-procurement target).

:func:`track_target` forecasts a yearly share and answers three questions: where
is the trend heading (central forecast with a prediction interval), how likely is
the share to reach the target by a given year, and in which year does the central
trend cross it.

Two forecasting models, both on the logit scale so that forecasts stay in (0, 1):

``"logit_trend"`` (default)
    A linear trend in logit(share), estimated as a random-effects meta-regression:
    each year's observed share has a known sampling variance (from its numerator
    and denominator, or from a given standard error, by the delta method), and
    the years also scatter around the trend with a between-year variance ``tau2``
    (method of moments, refitted once by weighted least squares with
    ``statsmodels``). The predictive distribution of a future year's share draws
    the trend coefficients from their estimated normal distribution and adds a
    between-year deviation; sampling error of a future measurement is left out,
    so the forecast is of the share itself, not of a noisy survey of it.
``"local_linear_trend"``
    A local linear trend state-space model of logit(share)
    (``statsmodels.tsa.UnobservedComponents``), simulated forward from the last
    state. It adapts to bends in the trend but needs a longer series (>= 8 years);
    its interval is for the observed share of a year (it includes the irregular
    term, which also holds the sampling noise).

The probabilities come from a seeded simulation of the predictive distribution.
Every number is for one definition of the share; loop over definition ids for
several (``definition`` is carried into the result and its summary).

Where the scatter around the trend is estimated from the residuals, its
uncertainty is part of the predictive distribution: each simulated path draws
the variance from its scaled inverse chi-squared distribution with ``n - 2``
degrees of freedom (with known sampling variances, the between-year part is
drawn so), which turns the normal prediction interval of a short series into
the wider Student-t one.

Forecasts state their basis: the number of points, the model and its
degrees of freedom (``TargetResult.basis``). A probability of reaching the
target is given only where the model identifies its variance: at least
:data:`MIN_POINTS_FOR_PROBABILITY` yearly points, that is a residual variance
with at least :data:`MIN_POINTS_FOR_PROBABILITY` - 2 degrees of freedom around
the linear trend. With fewer points a probability would rest on a variance
guessed from two or three residuals; it is then null, and
``probability_reason`` says why. The central trend and its prediction interval
are still given (the interval is wide, as it should be). The coverage of the
interval on short series of shares is checked by
``validation/target_coverage.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from matplotlib.figure import Figure
from scipy import special

from keino_metrics.impact.results import fmt, say, warning_lines
from keino_metrics.results import Note, Result, recorded_notes

#: Yearly points from which a probability of reaching the target is given.
MIN_POINTS_FOR_PROBABILITY = 6


@dataclass(frozen=True, repr=False)
class TargetResult(Result):
    """Result of :func:`track_target`.

    Attributes
    ----------
    forecast : pandas.DataFrame
        Per year: ``year``, ``observed`` (share, NaN in the future), ``estimate``
        (the central trend), ``ci_low``, ``ci_high`` (the prediction interval of
        the year's share, not a confidence interval of the trend),
        ``prob_reached`` (probability that the year's share is at or above the target).
    target : float
        Target share.
    by_year : int
        Year the target is set for.
    prob_at_year : float
        Probability that the share in ``by_year`` is at or above the target
        (NaN with fewer than :data:`MIN_POINTS_FOR_PROBABILITY` points).
    prob_by_year : float
        Probability that the share reaches the target in at least one year from
        the first forecast year up to ``by_year`` (NaN likewise).
    year_reached : int or None
        First year (from the last observed year on) in which the central trend is
        at or above the target; None when it does not get there within 50 years
        of the last observation.
    method : str
        Forecasting model.
    definition : str or None
        Identifier of the share's definition.
    annual_change : float
        Trend growth of the odds per year (``exp(slope) - 1``; for
        ``local_linear_trend`` the last smoothed slope).
    tau2 : float
        Between-year variance on the logit scale (``logit_trend``), else NaN.
    alpha : float
        ``1 - alpha`` is the level of the prediction interval.
    n_sims : int
        Simulated paths.
    seed : int or None
        Seed of the simulation.
    n_points : int
        Observed yearly points the forecast rests on.
    basis : str
        Model, points and degrees of freedom, in words (English; :meth:`summary`
        gives it in each language).
    probability_reason : str or None
        Why the probabilities are null (``None`` when they are given), in English
        likewise.
    notes : tuple of Note
        The warnings ``statsmodels`` gave while fitting, each once.
    """

    forecast: pd.DataFrame = field(repr=False)
    target: float
    by_year: int
    prob_at_year: float
    prob_by_year: float
    year_reached: int | None
    method: str
    definition: str | None
    annual_change: float
    tau2: float
    alpha: float
    n_sims: int
    seed: int | None
    n_points: int = 0
    basis: str = ""
    probability_reason: str | None = None
    notes: tuple[Note, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the forecast table."""
        return self.forecast.copy()

    def _span(self) -> str:
        years = self.forecast.loc[self.forecast["observed"].notna(), "year"]
        return f"{int(years.min())}-{int(years.max())}" if len(years) else "-"

    def basis_text(self, lang: str = "en") -> str:
        """The basis of the forecast (model, points, degrees of freedom) in ``lang``."""
        return say(f"target.basis.{self.method}", lang, n=self.n_points, span=self._span(),
                   df=self.n_points - 2)

    def probability_reason_text(self, lang: str = "en") -> str | None:
        """Why no probability is given, in ``lang`` (``None`` when one is given)."""
        if self.probability_reason is None:
            return None
        return say("target.no_probability", lang, n=self.n_points,
                   min=MIN_POINTS_FOR_PROBABILITY, min_df=MIN_POINTS_FOR_PROBABILITY - 2)

    def summary(self, lang: str = "en") -> str:
        """Summarise in ``lang`` (fi, sv or en)."""
        pct = lambda v: fmt(100 * v, 1, lang) + " %"  # noqa: E731
        row = self.forecast.set_index("year").loc[self.by_year]
        level = int(round(100 * (1 - self.alpha)))
        if self.probability_reason is None:
            prob = say("target.probability", lang, year=self.by_year,
                       at=pct(self.prob_at_year), by=pct(self.prob_by_year))
        else:
            prob = say("target.no_probability_line", lang,
                       reason=self.probability_reason_text(lang))
        reached = (str(self.year_reached) if self.year_reached is not None
                   else say("target.not_reached", lang))
        return "\n".join([
            say("target.head", lang,
                definition=f" [{self.definition}]" if self.definition else "",
                target=pct(self.target), year=self.by_year, method=self.method,
                n=self.n_points),
            say("target.basis_line", lang, basis=self.basis_text(lang)),
            say("target.forecast_line", lang, year=self.by_year, central=pct(row["estimate"]),
                level=level, low=pct(row["ci_low"]), high=pct(row["ci_high"])),
            prob,
            say("target.reached", lang, year=reached),
            *warning_lines(self.notes, lang),
        ])

    def plot(self, lang: str = "en") -> Figure:
        """Observed shares, trend, prediction band and the target line.

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
        f = self.forecast
        ax.fill_between(f["year"], f["ci_low"], f["ci_high"], alpha=0.2,
                        label=say("prediction_band", lang,
                                  level=int(round(100 * (1 - self.alpha)))))
        ax.plot(f["year"], f["estimate"], "-", label=say("forecast", lang))
        ax.plot(f["year"], f["observed"], "o", label=say("observed", lang))
        ax.axhline(self.target, color="red", linestyle="--", label=say("target_line", lang))
        ax.axvline(self.by_year, color="grey", linewidth=0.8)
        ax.set_xlabel(say("year", lang))
        ax.set_ylabel(say("share", lang) + (f" ({self.definition})" if self.definition else ""))
        ax.legend(loc="best")
        return fig


def _observations(series, year, share, se, numerator, denominator):
    if isinstance(series, pd.Series):
        series = series.rename(share).rename_axis(year).reset_index()
    if year not in series.columns and series.index.name == year:
        series = series.reset_index()
    if year not in series.columns:
        raise ValueError(f"series has no column {year!r}; available: {list(series.columns)}")
    df = pd.DataFrame({"year": pd.to_numeric(series[year]).astype(int)})
    if numerator in series.columns and denominator in series.columns:
        num = pd.to_numeric(series[numerator], errors="coerce").to_numpy(float)
        den = pd.to_numeric(series[denominator], errors="coerce").to_numpy(float)
        if np.any(den <= 0) or np.any(num < 0) or np.any(num > den):
            raise ValueError(f"series: need 0 <= {numerator} <= {denominator} and "
                             f"{denominator} > 0 in every row")
        # add 0.5 to both counts (empirical logit) so 0 and 1 shares stay finite
        p = (num + 0.5) / (den + 1)
        df["observed"] = num / den
        df["z"] = special.logit(p)
        df["v"] = 1 / ((den + 1) * p * (1 - p))
    elif share in series.columns:
        p = pd.to_numeric(series[share], errors="coerce").to_numpy(float)
        if np.any((p <= 0) | (p >= 1)):
            raise ValueError(f"series: column {share!r} must be strictly between 0 and 1 "
                             f"without counts; give {numerator!r}/{denominator!r} instead")
        df["observed"] = p
        df["z"] = special.logit(p)
        if se in series.columns:
            s = pd.to_numeric(series[se], errors="coerce").to_numpy(float)
            df["v"] = (s / (p * (1 - p))) ** 2
        else:
            df["v"] = 0.0
    else:
        raise ValueError(f"series needs columns {numerator!r} and {denominator!r}, or {share!r} "
                         f"(with {se!r}); available: {list(series.columns)}")
    df = df.dropna().sort_values("year")
    if df["year"].duplicated().any():
        raise ValueError(f"series: year {df.loc[df['year'].duplicated(), 'year'].iloc[0]} "
                         "appears more than once")
    return df.reset_index(drop=True)


def _logit_trend(obs: pd.DataFrame, future: np.ndarray, n_sims: int, rng):
    x = obs["year"].to_numpy(float)
    x0 = x.mean()
    X = sm.add_constant(x - x0)
    z, v = obs["z"].to_numpy(), obs["v"].to_numpy()
    tau2 = 0.0
    for _ in range(2):
        w = 1 / np.maximum(v + tau2, 1e-12)
        fit = sm.WLS(z, X, weights=w).fit()
        resid = z - fit.fittedvalues
        # method of moments: excess of the residual variance over the sampling variance
        tau2 = max(0.0, float(np.sum(resid**2) / (len(z) - 2) - np.mean(v)))
    w = 1 / np.maximum(v + tau2, 1e-12)
    fit = sm.WLS(z, X, weights=w).fit()
    df = len(z) - 2
    # the residual variance is estimated with df degrees of freedom: each path
    # draws it from its scaled inverse chi-squared distribution
    mult = df / rng.chisquare(df, n_sims)
    if np.all(v == 0):
        # no known sampling variance: ordinary least squares, whose residual
        # variance is the scatter around the trend (the weighted fit above has
        # weights 1 / tau2, so its own scale is about 1, not the variance)
        fit = sm.OLS(z, X).fit()
        tau2 = float(fit.scale)
        cov = fit.normalized_cov_params * tau2
        tau2_k = tau2 * mult
        cov_mult = mult
    else:
        # weights are inverse variances (scale 1); only the between-year part is estimated
        cov = fit.normalized_cov_params
        tau2_k = tau2 * mult
        mean_v = float(np.mean(v))
        cov_mult = (mean_v + tau2_k) / (mean_v + tau2) if mean_v + tau2 > 0 else np.ones(n_sims)
    std = rng.multivariate_normal(np.zeros(2), cov, size=n_sims)
    beta = fit.params[None, :] + std * np.sqrt(cov_mult)[:, None]
    xs = np.concatenate([x, future]) - x0
    central = fit.params[0] + fit.params[1] * xs
    draws = (beta[:, [0]] + beta[:, [1]] * xs[None, :]
             + rng.standard_normal((n_sims, len(xs))) * np.sqrt(tau2_k)[:, None])
    return central, draws, float(np.expm1(fit.params[1])), tau2, fit.params


def _local_linear(obs: pd.DataFrame, future: np.ndarray, n_sims: int, rng):
    years = obs["year"].to_numpy()
    if len(obs) < 8 or np.any(np.diff(years) != 1):
        raise ValueError("local_linear_trend needs at least 8 consecutive years")
    mod = sm.tsa.UnobservedComponents(obs["z"].to_numpy(), level="local linear trend")
    fit = mod.fit(disp=False)
    h = len(future)
    sims = fit.simulate(h, repetitions=n_sims, anchor="end", rng=rng)
    sims = np.asarray(sims).reshape(h, n_sims).T
    # simulated observations include the irregular term: the interval is for the
    # observed share of a future year
    smoothed = fit.smoothed_state
    level, slope = smoothed[0], smoothed[1]
    central_future = level[-1] + slope[-1] * np.arange(1, h + 1)
    central = np.concatenate([level, central_future])
    past = np.repeat(level[None, :], n_sims, axis=0)
    return central, np.concatenate([past, sims], axis=1), float(np.expm1(slope[-1])), np.nan


def track_target(
    series: pd.DataFrame | pd.Series,
    target: float = 0.10,
    by_year: int = 2030,
    method: Literal["logit_trend", "local_linear_trend"] = "logit_trend",
    year: str = "year",
    share: str = "share",
    se: str = "se",
    numerator: str = "numerator",
    denominator: str = "denominator",
    definition: str | None = None,
    n_sims: int = 10_000,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> TargetResult:
    """Forecast a yearly share and the chance that it reaches a target.

    Parameters
    ----------
    series : pandas.DataFrame or pandas.Series
        One row per year: ``numerator`` and ``denominator`` counts (preferred), or
        the ``share`` with its standard error ``se`` (or without, then the
        scatter around the trend is the only noise). A Series is read as
        year -> share.
    target : float
        Target share, in (0, 1).
    by_year : int
        Year by which the target should be reached.
    method : {"logit_trend", "local_linear_trend"}
        Forecasting model (see the module docstring).
    year, share, se, numerator, denominator : str
        Column names.
    definition : str, optional
        Identifier of the share's definition, carried into the result.
    n_sims : int
        Simulated draws of the predictive distribution.
    seed : int or None
        Seed of the simulation.
    alpha : float
        The prediction interval has level ``1 - alpha``.

    Returns
    -------
    TargetResult
    """
    if not 0 < target < 1:
        raise ValueError(f"target must be a share in (0, 1), got {target}")
    obs = _observations(series, year, share, se, numerator, denominator)
    if len(obs) < 3:
        raise ValueError(f"series: need at least 3 years, got {len(obs)}")
    last = int(obs["year"].iloc[-1])
    if by_year <= last:
        raise ValueError(f"by_year ({by_year}) must be after the last observed year ({last})")
    rng = np.random.default_rng(seed)
    future = np.arange(last + 1, by_year + 1)
    notes: list[Note] = []
    if method == "logit_trend":
        with recorded_notes(notes, "statsmodels"):
            central, draws, change, tau2, params = _logit_trend(obs, future, n_sims, rng)
        slope = params[1]
        z_t = special.logit(target)
        year_reached = None
        if central[len(obs) - 1] >= z_t:
            year_reached = last
        elif slope > 0:
            crossing = obs["year"].mean() + (z_t - params[0]) / slope
            year_reached = int(np.ceil(crossing)) if crossing <= last + 50 else None
    elif method == "local_linear_trend":
        with recorded_notes(notes, "statsmodels"):
            central, draws, change, tau2 = _local_linear(obs, future, n_sims, rng)
        z_t = special.logit(target)
        slope_z = np.log1p(change)
        year_reached = None
        if central[len(obs) - 1] >= z_t:
            year_reached = last
        elif slope_z > 0:
            steps = int(np.ceil((z_t - central[len(obs) - 1]) / slope_z))
            year_reached = last + steps if steps <= 50 else None
    else:
        raise ValueError(f"method must be 'logit_trend' or 'local_linear_trend', got {method!r}")
    shares = special.expit(draws)
    years = np.concatenate([obs["year"].to_numpy(), future])
    forecast = pd.DataFrame({
        "year": years,
        "observed": np.concatenate([obs["observed"].to_numpy(), np.full(len(future), np.nan)]),
        "estimate": special.expit(central),
        "ci_low": np.quantile(shares, alpha / 2, axis=0),
        "ci_high": np.quantile(shares, 1 - alpha / 2, axis=0),
        "prob_reached": (shares >= target).mean(axis=0),
    })
    fut = shares[:, len(obs):]
    n = len(obs)
    span = f"{int(obs['year'].iloc[0])}-{last}"
    basis = say(f"target.basis.{method}", "en", n=n, span=span, df=n - 2)
    reason = None
    prob_at = float((fut[:, -1] >= target).mean())
    prob_by = float((fut >= target).any(axis=1).mean())
    if n < MIN_POINTS_FOR_PROBABILITY:
        reason = say("target.no_probability", "en", n=n, min=MIN_POINTS_FOR_PROBABILITY,
                     min_df=MIN_POINTS_FOR_PROBABILITY - 2)
        prob_at = prob_by = float("nan")
        forecast.loc[forecast["year"] > last, "prob_reached"] = np.nan
    return TargetResult(
        forecast=forecast, target=target, by_year=by_year,
        prob_at_year=prob_at, prob_by_year=prob_by,
        year_reached=year_reached, method=method, definition=definition,
        annual_change=change, tau2=tau2, alpha=alpha, n_sims=n_sims, seed=seed,
        n_points=n, basis=basis, probability_reason=reason, notes=tuple(notes),
    )


def indicator_series(rows: pd.DataFrame, *, min_coverage: float,
                     value: str = "estimate") -> pd.DataFrame:
    """The yearly series of one share indicator, as :func:`track_target` reads it.

    Parameters
    ----------
    rows : pandas.DataFrame
        One indicator's result rows by ``year`` (``IndicatorResult.to_frame()``):
        ``year``, the value column, ``numerator``, ``denominator``, ``coverage``,
        ``ci_low``, ``ci_high``, ``weighting`` and, where present, ``status``.
    min_coverage : float
        Years whose coverage is below this fraction of the indicator's best
        year are left out (years before its fields were in use).
    value : str
        Name of the value column (``estimate``; the reports' tables say ``value``).

    Returns
    -------
    pandas.DataFrame
        Sorted by year. Count-weighted shares: ``year``, ``numerator``,
        ``denominator``. Value-weighted shares: ``year``, ``share``, ``se`` (from
        the 95 % interval), for shares strictly between 0 and 1. Rows that are
        not measured are left out.
    """
    d = rows
    if "status" in d:
        d = d[d["status"] == "measured"]
    d = d.dropna(subset=[value, "denominator"])
    cov = d["coverage"].astype(float).fillna(0.0)
    d = d[cov >= min_coverage * cov.max()].sort_values("year") if len(d) else d
    weighting = str(d["weighting"].iloc[0]) if "weighting" in d and len(d) else "count"
    if weighting == "count":
        return pd.DataFrame({"year": d["year"], "numerator": d["numerator"],
                             "denominator": d["denominator"]}).reset_index(drop=True)
    d = d[(d[value] > 0) & (d[value] < 1)]
    se = (d["ci_high"] - d["ci_low"]) / (2 * 1.959964)
    return pd.DataFrame({"year": d["year"], "share": d[value],
                         "se": se.fillna(0.0)}).reset_index(drop=True)
