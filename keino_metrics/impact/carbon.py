"""Spend-based carbon footprint of procurement and avoided emissions.

Emissions are spend (EUR) times an emission factor (kg CO2e per EUR) for the
CPV division of the purchase, the method of the ENVIMAT estimate for Finland
(11 Mt CO2e for EUR 28.3 bn in 2015; Nissinen & Savolainen 2019). The default
factors (``keino_metrics/data/carbon/factors_cpv_division.csv``) are derived from
that national mean and assumed relative intensities by sector; their derivation
and citation are in ``SOURCE.md`` next to them. Supply your own table (for example
ENVIMAT or EXIOBASE factors) as ``factors=``.

Where a dataset has purchase invoices (its ``spend`` table), :func:`invoice_emissions`
applies the factors to the euros actually paid, placed in CPV divisions by the
linked contract, else by procurement category, product group or account name
(``spend_category_cpv.csv``).

Uncertainty is propagated by a seeded Monte Carlo: each factor is log-normal with
its median and ``log_sd``, times one common log-normal multiplier (``common_sd``)
shared by all factors, since they all rest on the one national mean.

No maintained Python package computes spend-based footprints from a CPV-level
factor table (``pymrio`` handles full EEIO tables, which cannot be downloaded
here), so the arithmetic and the simulation are written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from keino_metrics.impact.results import fmt, fmt_ci, require_columns, say
from keino_metrics.published import FI_PROCUREMENT_CO2_2015, FI_PROCUREMENT_SPEND_2015
from keino_metrics.results import Result

#: Published Finnish procurement footprint used for comparison (FI-CO2), from
#: :mod:`keino_metrics.published`.
PUBLISHED_FI_CO2: dict[str, object] = {
    "year": FI_PROCUREMENT_CO2_2015.year,
    "emissions_t": FI_PROCUREMENT_CO2_2015.value,
    "spend_eur": FI_PROCUREMENT_SPEND_2015.value,
    "source": FI_PROCUREMENT_CO2_2015.source,
}

_FACTOR_COLUMNS = ["cpv_division", "factor_kg_per_eur", "log_sd"]
_VALUE_CANDIDATES = ("spend_eur", "awarded_value_eur", "estimated_value_eur")


def load_factors() -> pd.DataFrame:
    """Return the default emission-factor table (see its ``SOURCE.md``)."""
    path = resources.files("keino_metrics") / "data" / "carbon" / "factors_cpv_division.csv"
    with resources.as_file(path) as p:
        return pd.read_csv(p, dtype={"cpv_division": str})


def _check_factors(factors: pd.DataFrame | None) -> pd.DataFrame:
    if factors is None:
        factors = load_factors()
    require_columns(factors, _FACTOR_COLUMNS, "factors")
    f = factors.copy()
    f["cpv_division"] = f["cpv_division"].astype(str).str.zfill(2)
    if f["cpv_division"].duplicated().any():
        raise ValueError(f"factors: cpv_division {f.loc[f['cpv_division'].duplicated(), 'cpv_division'].iloc[0]!r} "
                         "appears more than once")
    bad = f[(f["factor_kg_per_eur"] < 0) | (f["log_sd"] < 0) | f["factor_kg_per_eur"].isna()]
    if len(bad):
        raise ValueError(f"factors: row for cpv_division {bad['cpv_division'].iloc[0]!r} has a "
                         "negative or missing factor_kg_per_eur or log_sd")
    return f.set_index("cpv_division")


def spend_by_division(data: pd.DataFrame, value: str | None = None,
                      cpv: str = "cpv_main") -> pd.DataFrame:
    """Sum spend by CPV division.

    Parameters
    ----------
    data : pandas.DataFrame
        Either a spend table with ``cpv_division`` and ``spend_eur`` or lot-level
        rows with a CPV code column and a value column.
    value : str, optional
        Value column; default the first of ``spend_eur``, ``awarded_value_eur``,
        ``estimated_value_eur`` present.
    cpv : str
        CPV code column of lot-level rows.

    Returns
    -------
    pandas.DataFrame
        ``cpv_division`` and ``spend_eur``; rows without a usable CPV code are
        kept under division ``"unknown"`` so that no spend is lost.
    """
    if value is None:
        value = next((c for c in _VALUE_CANDIDATES if c in data.columns), None)
        if value is None:
            raise ValueError(f"data has none of the value columns {_VALUE_CANDIDATES}")
    if "cpv_division" in data.columns:
        div = data["cpv_division"].astype("string").str.zfill(2)
    else:
        require_columns(data, [cpv], "data")
        code = data[cpv].astype("string").str.replace(r"\D", "", regex=True)
        div = code.str[:2].where(code.str.len() >= 2)
    require_columns(data, [value], "data")
    spend = pd.to_numeric(data[value], errors="coerce")
    if (spend < 0).any():
        i = spend.index[spend < 0][0]
        raise ValueError(f"data: row {i!r} has a negative {value!r}")
    out = pd.DataFrame({"cpv_division": div.fillna("unknown"), "spend_eur": spend})
    return (out.dropna(subset=["spend_eur"]).groupby("cpv_division", as_index=False)["spend_eur"]
            .sum())


def load_category_map() -> pd.DataFrame:
    """The table that places invoice categories, product groups and account names in
    CPV divisions (``spend_category_cpv.csv``, see ``SOURCE.md`` beside it)."""
    path = resources.files("keino_metrics") / "data" / "carbon" / "spend_category_cpv.csv"
    with resources.as_file(path) as p:
        return pd.read_csv(p, dtype=str)


def invoice_divisions(spend: pd.DataFrame, linked_division: pd.Series | None = None,
                      category_map: pd.DataFrame | None = None) -> pd.DataFrame:
    """The CPV division of each purchase-invoice row, and where it came from.

    In order: the CPV division of the contract the invoice is linked to
    (``linked_division``, aligned with ``spend``), else the first pattern of
    ``category_map`` (default :func:`load_category_map`) that matches the
    invoice's ``category``, then its ``product_group``, then its
    ``account_name``; else ``"unknown"``.

    Returns
    -------
    pandas.DataFrame
        ``cpv_division``, ``basis`` (``contract``, ``category``,
        ``product_group``, ``account_name`` or ``none``) and ``spend_eur``
        (the invoice amount), one row per invoice row.
    """
    cmap = load_category_map() if category_map is None else category_map
    require_columns(cmap, ["field", "pattern", "cpv_division"], "category_map")
    n = len(spend)
    div = pd.Series([None] * n, index=spend.index, dtype=object)
    basis = pd.Series(["none"] * n, index=spend.index, dtype=object)
    if linked_division is not None:
        ld = pd.Series(np.asarray(linked_division, dtype=object), index=spend.index)
        has = ld.notna()
        div[has] = ld[has].astype(str).str.zfill(2)
        basis[has] = "contract"
    for fld in ("category", "product_group", "account_name"):
        if fld not in spend:
            continue
        text = spend[fld].astype("string")
        for pat, d in cmap.loc[cmap["field"] == fld, ["pattern", "cpv_division"]].itertuples(
                index=False):
            todo = div.isna() & text.notna()
            if not todo.any():
                break
            hit = todo & text.str.contains(pat, case=False, regex=True).fillna(False)
            div[hit] = str(d).zfill(2)
            basis[hit] = fld
    return pd.DataFrame({"cpv_division": div.fillna("unknown"), "basis": basis,
                         "spend_eur": pd.to_numeric(spend["amount_eur"], errors="coerce")})


def invoice_emissions(data, factors: pd.DataFrame | None = None, link: bool = True,
                      **options) -> tuple[CarbonResult, pd.DataFrame]:
    """Spend-based emissions of a dataset's purchase invoices (its ``spend`` table).

    The amounts actually paid are placed in CPV divisions by
    :func:`invoice_divisions`: the linked contract's division where the linker
    (:mod:`keino_metrics.spend.link`) finds one, else the invoice's procurement
    category, product group or account name, and then multiplied by the same
    factors as lot values (``factors_cpv_division.csv``: the ENVIMAT national
    mean of Nissinen & Savolainen 2019, SYKE reports 15/2019, times relative
    intensities assumed by this project; see its ``SOURCE.md``). Credit notes
    net out within a division.

    Parameters
    ----------
    data : keino_metrics.Dataset
        A dataset with a non-empty ``spend`` table.
    factors : pandas.DataFrame, optional
        As for :func:`spend_based_emissions`.
    link : bool
        Use the linked contracts' CPV divisions (needs the notices of the
        dataset); ``False`` uses categories and accounts only.
    **options
        Passed to :func:`spend_based_emissions` (``n_sims``, ``seed`` ...).

    Returns
    -------
    (CarbonResult, pandas.DataFrame)
        The result and the spend by ``cpv_division`` and ``basis``.
    """
    spend = data.spend
    if spend is None or not len(spend):
        raise ValueError("the dataset has no purchase invoices (spend table is empty)")
    linked = None
    if link and len(data.awards):
        from keino_metrics.spend.frame import spend_tables

        frame, _ = spend_tables(data)
        linked = frame["cpv_division"].to_numpy(dtype=object)
    rows = invoice_divisions(spend.reset_index(drop=True), linked)
    by = rows.groupby(["cpv_division", "basis"], as_index=False)["spend_eur"].sum()
    net = rows.groupby("cpv_division", as_index=False)["spend_eur"].sum()
    net["spend_eur"] = net["spend_eur"].clip(lower=0.0)
    return spend_based_emissions(net, factors=factors, value="spend_eur", **options), by


def _draw_factors(f: pd.DataFrame, divisions: pd.Index, n_sims: int, common_sd: float, rng):
    med = f.loc[divisions, "factor_kg_per_eur"].to_numpy(float)
    sd = f.loc[divisions, "log_sd"].to_numpy(float)
    common = np.exp(rng.normal(0, common_sd, (n_sims, 1)))
    return med * np.exp(rng.normal(0, 1, (n_sims, len(divisions))) * sd) * common


@dataclass(frozen=True, repr=False)
class CarbonResult(Result):
    """Result of :func:`spend_based_emissions`.

    Attributes
    ----------
    by_division : pandas.DataFrame
        Per CPV division: ``spend_eur``, ``factor_kg_per_eur``, ``estimate``
        (emissions in tonnes CO2e, central, with the median factors),
        ``ci_low``, ``ci_high`` (Monte Carlo interval, tonnes), ``share`` of the
        total.
    total_t, total_low_t, total_high_t : float
        Total emissions in tonnes CO2e with the central factors and the Monte
        Carlo interval.
    spend_eur : float
        Spend with a factor.
    unmatched_spend_eur : float
        Spend with no or an unknown CPV division (not in the total).
    alpha : float
        Interval level is ``1 - alpha``.
    seed : int or None
        Seed of the simulation.
    """

    by_division: pd.DataFrame = field(repr=False)
    total_t: float
    total_low_t: float
    total_high_t: float
    spend_eur: float
    unmatched_spend_eur: float
    alpha: float
    seed: int | None

    @property
    def intensity_kg_per_eur(self) -> float:
        """Mean intensity of the matched spend."""
        return 1000 * self.total_t / self.spend_eur if self.spend_eur else float("nan")

    def compare_published(self) -> pd.DataFrame:
        """Compare the implied intensity with the published Finnish estimate.

        Returns
        -------
        pandas.DataFrame
            Intensities (kg CO2e/EUR), and the national total the published spend
            would give at this result's intensity.
        """
        pub_int = 1000 * PUBLISHED_FI_CO2["emissions_t"] / PUBLISHED_FI_CO2["spend_eur"]
        scale = PUBLISHED_FI_CO2["spend_eur"] / 1000
        low = 1000 * self.total_low_t / self.spend_eur
        high = 1000 * self.total_high_t / self.spend_eur
        return pd.DataFrame({
            "quantity": ["intensity_kg_per_eur", "national_total_t"],
            "this_result": [self.intensity_kg_per_eur, self.intensity_kg_per_eur * scale],
            "low": [low, low * scale], "high": [high, high * scale],
            "published": [pub_int, PUBLISHED_FI_CO2["emissions_t"]],
            "source": [PUBLISHED_FI_CO2["source"]] * 2,
        })

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the per-division table."""
        return self.by_division.copy()

    def summary(self, lang: str = "en") -> str:
        """Summarise in ``lang`` (fi, sv or en)."""
        level = int(round(100 * (1 - self.alpha)))
        kt = lambda v: fmt(v / 1000, 1, lang)  # noqa: E731
        ci = fmt_ci((self.total_low_t / 1000, self.total_high_t / 1000), 1, lang)
        top = self.by_division.sort_values("estimate", ascending=False).head(3)
        tops = ", ".join(f"{d} {kt(v)} kt" for d, v in top["estimate"].items())
        pub = fmt(1000 * PUBLISHED_FI_CO2["emissions_t"] / PUBLISHED_FI_CO2["spend_eur"], 3, lang)
        return "\n".join([
            say("carbon.head", lang, total=kt(self.total_t), level=level, ci=ci,
                spend=fmt(self.spend_eur / 1e6, 1, lang)),
            say("carbon.intensity", lang, intensity=fmt(self.intensity_kg_per_eur, 3, lang),
                published=pub, top=tops),
            say("carbon.unmatched", lang, spend=fmt(self.unmatched_spend_eur / 1e6, 1, lang)),
        ])

    def plot(self, top: int = 15, lang: str = "en") -> Figure:
        """Horizontal bars of emissions by CPV division with intervals.

        Parameters
        ----------
        top : int
            Divisions shown (the largest).
        lang : str
            Language of the labels.

        Returns
        -------
        matplotlib.figure.Figure
        """
        tab = self.by_division.sort_values("estimate").tail(top)
        fig = Figure(figsize=(7, 0.35 * len(tab) + 1.5))
        ax = fig.add_subplot()
        y = np.arange(len(tab))
        ax.barh(y, tab["estimate"] / 1000, color="tab:grey")
        ax.errorbar(tab["estimate"] / 1000, y,
                    xerr=[(tab["estimate"] - tab["ci_low"]) / 1000,
                          (tab["ci_high"] - tab["estimate"]) / 1000],
                    fmt="none", color="black", capsize=2)
        ax.set_yticks(y, tab.index)
        ax.set_xlabel("kt CO2e")
        return fig


def spend_based_emissions(
    lots_or_spend_by_cpv: pd.DataFrame,
    factors: pd.DataFrame | None = None,
    value: str | None = None,
    cpv: str = "cpv_main",
    n_sims: int = 10_000,
    common_sd: float = 0.15,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> CarbonResult:
    """Spend-based greenhouse-gas emissions of purchases by CPV division.

    Parameters
    ----------
    lots_or_spend_by_cpv : pandas.DataFrame
        Lot-level rows (CPV code and value) or a spend table (``cpv_division``,
        ``spend_eur``); see :func:`spend_by_division`.
    factors : pandas.DataFrame, optional
        ``cpv_division``, ``factor_kg_per_eur`` (median) and ``log_sd``; default
        :func:`load_factors`.
    value, cpv : str
        Columns of lot-level input.
    n_sims : int
        Monte Carlo draws.
    common_sd : float
        Log-sd of the multiplier shared by all factors.
    seed : int or None
        Seed of the simulation.
    alpha : float
        Interval level is ``1 - alpha``.

    Returns
    -------
    CarbonResult
    """
    f = _check_factors(factors)
    spend = spend_by_division(lots_or_spend_by_cpv, value=value, cpv=cpv).set_index("cpv_division")
    matched = spend.index.isin(f.index)
    unmatched = float(spend.loc[~matched, "spend_eur"].sum())
    spend = spend.loc[matched]
    if spend.empty:
        raise ValueError("no spend has a CPV division with an emission factor")
    rng = np.random.default_rng(seed)
    draws = _draw_factors(f, spend.index, n_sims, common_sd, rng)
    em = draws * spend["spend_eur"].to_numpy()[None, :] / 1000  # tonnes
    central = spend["spend_eur"] * f.loc[spend.index, "factor_kg_per_eur"] / 1000
    tab = pd.DataFrame({
        "spend_eur": spend["spend_eur"],
        "factor_kg_per_eur": f.loc[spend.index, "factor_kg_per_eur"],
        "estimate": central,
        "ci_low": np.quantile(em, alpha / 2, axis=0),
        "ci_high": np.quantile(em, 1 - alpha / 2, axis=0),
    })
    if "label_en" in f.columns:
        tab.insert(0, "label_en", f.loc[spend.index, "label_en"])
    tab["share"] = tab["estimate"] / tab["estimate"].sum()
    total = em.sum(axis=1)
    return CarbonResult(
        by_division=tab, total_t=float(central.sum()),
        total_low_t=float(np.quantile(total, alpha / 2)),
        total_high_t=float(np.quantile(total, 1 - alpha / 2)),
        spend_eur=float(spend["spend_eur"].sum()), unmatched_spend_eur=unmatched,
        alpha=alpha, seed=seed,
    )


@dataclass(frozen=True, repr=False)
class AvoidedEmissionsResult(Result):
    """Result of :func:`avoided_emissions`.

    Attributes
    ----------
    avoided_t, low_t, high_t : float
        Avoided emissions in tonnes CO2e (median of the simulation) and interval.
    baseline_t : float
        Emissions the low-carbon purchases would have caused at average factors.
    by_division : pandas.DataFrame
        Per division: ``spend_eur``, ``baseline_t``, ``estimate`` (avoided
        tonnes CO2e), ``ci_low``, ``ci_high``.
    assumptions : dict
        The parameters used (reduction and additionality ranges).
    alpha : float
        Interval level is ``1 - alpha``.
    """

    avoided_t: float
    low_t: float
    high_t: float
    baseline_t: float
    by_division: pd.DataFrame = field(repr=False)
    assumptions: dict = field(repr=False)
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the per-division table."""
        return self.by_division.copy()

    def summary(self, lang: str = "en") -> str:
        """Summarise in ``lang`` (fi, sv or en)."""
        a = self.assumptions
        kt = lambda v: fmt(v / 1000, 1, lang)  # noqa: E731
        r = "–".join(fmt(100 * x, 0, lang) for x in (a["reduction"][0], a["reduction"][2]))
        ad = "–".join(fmt(100 * x, 0, lang) for x in (a["additionality"][0],
                                                       a["additionality"][2]))
        level = int(round(100 * (1 - self.alpha)))
        return say("carbon.avoided", lang, avoided=kt(self.avoided_t), level=level,
                   low=kt(self.low_t), high=kt(self.high_t), baseline=kt(self.baseline_t),
                   reduction=r, additionality=ad)

    def plot(self, lang: str = "en") -> Figure:
        """Baseline and avoided emissions by division.

        Parameters
        ----------
        lang : str
            Language of the labels.

        Returns
        -------
        matplotlib.figure.Figure
        """
        tab = self.by_division.sort_values("baseline_t")
        fig = Figure(figsize=(7, 0.35 * len(tab) + 1.5))
        ax = fig.add_subplot()
        y = np.arange(len(tab))
        ax.barh(y, tab["baseline_t"] / 1000, color="lightgrey",
                label=say("carbon.baseline_label", lang))
        ax.barh(y, tab["estimate"] / 1000, color="tab:green",
                label=say("carbon.avoided_label", lang))
        ax.set_yticks(y, tab.index)
        ax.set_xlabel("kt CO2e")
        ax.legend(loc="best")
        return fig


def _triangular(rng, spec: tuple[float, float, float], size) -> np.ndarray:
    low, mode, high = spec
    if not 0 <= low <= mode <= high <= 1:
        raise ValueError(f"a (low, mode, high) share needs 0 <= low <= mode <= high <= 1, got {spec}")
    if low == high:
        return np.full(size, low)
    return rng.triangular(low, mode, high, size)


def avoided_emissions(
    low_carbon: pd.DataFrame,
    reduction: tuple[float, float, float] = (0.1, 0.2, 0.4),
    additionality: tuple[float, float, float] = (0.3, 0.6, 1.0),
    factors: pd.DataFrame | None = None,
    flag: str | None = None,
    value: str | None = None,
    cpv: str = "cpv_main",
    n_sims: int = 10_000,
    common_sd: float = 0.15,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> AvoidedEmissionsResult:
    """Emissions avoided by low-carbon procurement, under stated assumptions.

    ``avoided = spend x factor x reduction x additionality`` per division, where

    * ``factor`` is the average emission factor of the division (what the
      purchase would have caused as an average purchase),
    * ``reduction`` is the share by which the low-carbon purchase cuts the
      emissions of that average purchase, and
    * ``additionality`` is the share of low-carbon purchases that would not have
      been low-carbon without the policy (1 = all are due to it).

    ``reduction`` and ``additionality`` are (low, mode, high) triangular
    distributions; the factors are drawn as in :func:`spend_based_emissions`.

    Parameters
    ----------
    low_carbon : pandas.DataFrame
        Low-carbon purchases (lot rows or a spend table), or all lots with a
        boolean ``flag`` column (e.g. ``low_carbon``) selecting them.
    reduction, additionality : tuple of float
        (low, mode, high) shares in [0, 1].
    factors : pandas.DataFrame, optional
        Factor table; default :func:`load_factors`.
    flag : str, optional
        Boolean column that selects the low-carbon rows.
    value, cpv : str
        Columns of lot-level input.
    n_sims, common_sd, seed, alpha
        As in :func:`spend_based_emissions`.

    Returns
    -------
    AvoidedEmissionsResult
    """
    data = low_carbon
    if flag is not None:
        require_columns(low_carbon, [flag], "low_carbon")
        data = low_carbon[low_carbon[flag].fillna(False).astype(bool)]
    f = _check_factors(factors)
    spend = spend_by_division(data, value=value, cpv=cpv).set_index("cpv_division")
    spend = spend.loc[spend.index.isin(f.index)]
    if spend.empty:
        raise ValueError("no low-carbon spend has a CPV division with an emission factor")
    rng = np.random.default_rng(seed)
    draws = _draw_factors(f, spend.index, n_sims, common_sd, rng)
    red = _triangular(rng, reduction, (n_sims, 1))
    add = _triangular(rng, additionality, (n_sims, 1))
    base = draws * spend["spend_eur"].to_numpy()[None, :] / 1000
    avoided = base * red * add
    tab = pd.DataFrame({
        "spend_eur": spend["spend_eur"],
        "baseline_t": spend["spend_eur"] * f.loc[spend.index, "factor_kg_per_eur"] / 1000,
        "estimate": np.median(avoided, axis=0),
        "ci_low": np.quantile(avoided, alpha / 2, axis=0),
        "ci_high": np.quantile(avoided, 1 - alpha / 2, axis=0),
    })
    total = avoided.sum(axis=1)
    return AvoidedEmissionsResult(
        avoided_t=float(np.median(total)), low_t=float(np.quantile(total, alpha / 2)),
        high_t=float(np.quantile(total, 1 - alpha / 2)), baseline_t=float(tab["baseline_t"].sum()),
        by_division=tab,
        assumptions={"reduction": tuple(reduction), "additionality": tuple(additionality),
                     "common_sd": common_sd, "n_sims": n_sims, "seed": seed},
        alpha=alpha,
    )
