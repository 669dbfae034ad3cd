"""Interval estimates and reliability coefficients for indicator results.

* :func:`wilson_interval` - Wilson score interval for a count share (the same
  formula as ``statsmodels.stats.proportion.proportion_confint(method="wilson")``,
  vectorised here over many groups at once).
* :func:`cluster_ratio_interval` - a ratio of sums ``R = sum(y) / sum(x)``
  (euro-weighted shares, means, SME-bid shares) with the linearisation
  (Taylor) variance of a ratio estimator clustered by buyer:
  ``Var(R) = G/(G-1) * sum_g (Y_g - R X_g)^2 / X^2`` over the ``G`` buyers with
  eligible rows. statsmodels has no grouped ratio estimator of this form, and
  the aggregated cluster totals are all that is left after the engine step.
* :func:`cronbach_alpha` - Cronbach's alpha from item variances; no package
  in the environment provides it (pingouin is not installed), and it is a
  two-line formula.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["wilson_interval", "cluster_ratio_interval", "cronbach_alpha",
           "alpha_from_moments"]


def wilson_interval(k, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``k`` successes out of ``n``.

    Parameters
    ----------
    k, n : array_like
        Successes and trials (``n = 0`` gives NaN).
    level : float
        Confidence level.

    Returns
    -------
    low, high : numpy.ndarray
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    bad = ~(n > 0)
    low = np.where(bad, np.nan, np.clip(centre - half, 0.0, 1.0))
    high = np.where(bad, np.nan, np.clip(centre + half, 0.0, 1.0))
    return low, high


def cluster_ratio_interval(clusters: pd.DataFrame, keys: list[str], y: str, x: str,
                           level: float = 0.95, bounds: tuple[float, float] | None = None
                           ) -> pd.DataFrame:
    """Ratio of sums with a cluster-robust (linearised) interval, per group.

    Parameters
    ----------
    clusters : pandas.DataFrame
        One row per group and cluster (buyer) with the cluster totals ``y``
        and ``x``.
    keys : list of str
        Group columns (may be empty: one overall group).
    y, x : str
        Numerator and denominator total columns.
    level : float
        Confidence level.
    bounds : tuple or None
        Clip the interval to these bounds (``(0, 1)`` for shares; ``None`` in
        a bound leaves that side open).

    Returns
    -------
    pandas.DataFrame
        ``keys`` + ``ratio``, ``se``, ``ci_low``, ``ci_high``, ``clusters``.
    """
    df = clusters[keys + [y, x]]
    df = df[df[x].fillna(0).to_numpy() != 0]
    if keys:
        codes = df.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
        first = pd.Series(np.arange(len(df))).groupby(codes).first().to_numpy()
        tot = df.iloc[first][keys].reset_index(drop=True)
    else:
        codes = np.zeros(len(df), dtype=int)
        tot = pd.DataFrame(index=[0])
    k = len(tot)
    yv = df[y].to_numpy(float)
    xv = df[x].to_numpy(float)
    Y = np.bincount(codes, weights=yv, minlength=k)
    X = np.bincount(codes, weights=xv, minlength=k)
    G = np.bincount(codes, minlength=k).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        R = Y / X
        z2 = np.bincount(codes, weights=(yv - R[codes] * xv) ** 2, minlength=k)
        var = np.where(G > 1, G / (G - 1) * z2 / X**2, np.nan)
    z = norm.ppf(0.5 + level / 2)
    tot["ratio"] = R
    tot["se"] = np.sqrt(var)
    tot["ci_low"] = R - z * tot["se"].to_numpy()
    tot["ci_high"] = R + z * tot["se"].to_numpy()
    tot["clusters"] = G
    if bounds is not None:
        tot["ci_low"] = tot["ci_low"].clip(lower=bounds[0], upper=bounds[1])
        tot["ci_high"] = tot["ci_high"].clip(lower=bounds[0], upper=bounds[1])
    return tot[keys + ["ratio", "se", "ci_low", "ci_high", "clusters"]]


def alpha_from_moments(n, sum_items, sumsq_items, sum_total, sumsq_total) -> float:
    """Cronbach's alpha from sums and sums of squares (complete cases).

    ``alpha = k/(k-1) * (1 - sum_i var(item_i) / var(total))`` with sample
    variances (ddof 1). ``sum_items`` and ``sumsq_items`` are sequences over
    the ``k`` items.
    """
    n = float(n)
    k = len(sum_items)
    if n < 2 or k < 2:
        return float("nan")

    def var(s, ss):
        return (ss - s * s / n) / (n - 1)

    item_var = sum(var(s, ss) for s, ss in zip(sum_items, sumsq_items, strict=True))
    total_var = var(sum_total, sumsq_total)
    if total_var <= 0:
        return float("nan")
    return k / (k - 1) * (1 - item_var / total_var)


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of the columns of ``items`` (rows with a gap are dropped).

    Examples
    --------
    >>> import pandas as pd
    >>> round(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5]})), 4)
    0.9524
    """
    x = items.dropna().astype(float)
    total = x.sum(axis=1)
    return alpha_from_moments(len(x), list(x.sum()), list((x**2).sum()), total.sum(),
                              (total**2).sum())
