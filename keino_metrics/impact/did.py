"""Staggered difference-in-differences (Callaway & Sant'Anna 2021).

:func:`staggered_did` wraps the maintained ``csdid`` package (the Python port of
the R ``did`` package, with ``drdid`` for the doubly robust 2x2 estimators): it
estimates the group-time effects ATT(g, t), their influence functions, the
multiplier-bootstrap standard errors and uniform bands, the four aggregations of
``aggte`` and the Wald pre-test of parallel trends. On the ``mpdta`` example data
it reproduces the published R numbers (see ``tests/impact/test_did.py``).

What this module adds is the project's interface: input checks with clear
messages, a balanced panel (units with a missing outcome are dropped and
listed), seeds as parameters (``csdid`` draws its bootstrap weights from NumPy's
global generator; the call is run under a seeded, afterwards restored global
state so that results are reproducible and the caller's random state is left
untouched), and frozen results with ``.summary(lang)``, ``.to_frame()`` and
``.plot()``.

The base period is ``"varying"`` by default, as in R ``did``: each pre-treatment
ATT(g, t) compares period t with period t - 1 (a short difference), which is what
the published pre-period numbers and the pre-test use. ``"universal"`` compares
every period with g - 1, as a classical event-study plot does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

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
from keino_metrics.results import Note, Result

AGGREGATIONS: tuple[str, ...] = ("simple", "group", "dynamic", "calendar")
_CONTROLS = {"never_treated": "nevertreated", "not_yet_treated": "notyettreated"}

#: Start of csdid's warning for a group-time cell without data.
_EMPTY_CELL = "No (treated or control) units"
_INDEX_NAME = {"simple": None, "group": "group", "dynamic": "event_time", "calendar": "time"}


@contextlib.contextmanager
def seeded_global_rng(seed: int | None) -> Iterator[None]:
    """Seed NumPy's global generator for the block and restore it afterwards.

    Parameters
    ----------
    seed : int or None
        Seed for the block; ``None`` leaves the global generator alone.
    """
    if seed is None:
        yield
        return
    state = np.random.get_state()  # noqa: NPY002 - csdid draws from the global generator
    np.random.seed(int(np.random.SeedSequence(seed).generate_state(1)[0]))  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


@dataclass(frozen=True, repr=False)
class DiDAggregate(Result):
    """One aggregation of the group-time effects.

    Attributes
    ----------
    kind : str
        ``"simple"``, ``"group"``, ``"dynamic"`` or ``"calendar"``.
    estimate, se : float
        Overall aggregated ATT and its bootstrap standard error.
    ci : tuple of float
        Pointwise ``1 - alpha`` confidence interval of the overall ATT.
    table : pandas.DataFrame
        Per-group / per-event-time / per-year effects (empty for ``simple``):
        columns ``estimate``, ``std_error``, ``ci_low``, ``ci_high`` (pointwise)
        and ``band_low``, ``band_high`` (uniform band over all rows).
    crit_value : float
        Bootstrap critical value of the uniform band.
    alpha : float
        Significance level.
    """

    kind: str
    estimate: float
    se: float
    ci: tuple[float, float]
    table: pd.DataFrame = field(repr=False)
    crit_value: float
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the per-group / per-event-time table."""
        return self.table.copy()

    def summary(self, lang: str = "en") -> str:
        """Describe the aggregate in ``lang`` (fi, sv or en)."""
        level = int(round(100 * (1 - self.alpha)))
        lines = [
            say("did.aggregate_head", lang, kind=say(f"did.kind.{self.kind}", lang),
                description=say(f"did.agg.{self.kind}", lang)),
            say("did.aggregate_line", lang, estimate=fmt(self.estimate, lang=lang),
                se=fmt(self.se, lang=lang), level=level, ci=fmt_ci(self.ci, lang=lang)),
        ]
        if len(self.table):
            lines.append(table_text(self.table, lang))
        return "\n".join(lines)

    def plot(self, lang: str = "en") -> Figure:
        """Plot the per-row effects with pointwise intervals and the uniform band.

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
        if len(tab):
            x = np.asarray(tab.index, dtype=float)
            ax.fill_between(x, tab["band_low"], tab["band_high"], alpha=0.2,
                            label=say("band", lang))
            ax.errorbar(x, tab["estimate"], yerr=[tab["estimate"] - tab["ci_low"],
                                                  tab["ci_high"] - tab["estimate"]],
                        fmt="o", capsize=3, label="ATT")
            ax.set_xlabel(say(f"column.{tab.index.name}", lang) if tab.index.name else "")
        else:
            ax.errorbar([0], [self.estimate], yerr=[[self.estimate - self.ci[0]],
                                                    [self.ci[1] - self.estimate]],
                        fmt="o", capsize=3)
        ax.axhline(0, color="black", linewidth=0.8)
        if self.kind == "dynamic":
            ax.axvline(-0.5, color="grey", linestyle="--", linewidth=0.8)
        ax.set_ylabel("ATT")
        ax.set_title(f"ATT ({say(f'did.kind.{self.kind}', lang)})")
        if len(tab):
            ax.legend(loc="best")
        return fig


@dataclass(frozen=True, repr=False)
class PreTest(Result):
    """Wald test that all pre-treatment ATT(g, t) are zero.

    Attributes
    ----------
    statistic : float
        Wald statistic ``n * a' V^-1 a`` over the pre-treatment cells.
    df : int
        Number of pre-treatment cells tested.
    p_value : float
        Chi-square p-value. A small value is evidence against parallel trends
        (or of anticipation); a large value does not prove parallel trends.
    """

    statistic: float
    df: int
    p_value: float

    def to_frame(self) -> pd.DataFrame:
        """One row: ``statistic``, ``df``, ``p_value``."""
        return pd.DataFrame([{"statistic": self.statistic, "df": self.df,
                              "p_value": self.p_value}])

    def plot(self, lang: str = "en") -> Figure:
        """The test has nothing to draw.

        Raises
        ------
        TypeError
            Always: a single test statistic has no figure.
        """
        raise TypeError("a pre-test is one statistic; plot the event study instead")

    def summary(self, lang: str = "en") -> str:
        """Describe the test in ``lang`` (fi, sv or en)."""
        return say("did.pretest", lang, statistic=fmt(self.statistic, 3, lang), df=self.df,
                   p=fmt(self.p_value, 5, lang))


@dataclass(frozen=True, repr=False)
class StaggeredDiDResult(Result):
    """Result of :func:`staggered_did`.

    Attributes
    ----------
    att_gt : pandas.DataFrame
        Group-time effects: ``group``, ``time``, ``estimate``, ``std_error``,
        ``ci_low``, ``ci_high`` (pointwise), ``band_low``, ``band_high`` (uniform band over
        all cells) and ``post`` (True when ``time >= group``).
    aggregates : Mapping
        The four :class:`DiDAggregate` objects, by kind.
    pre_test : PreTest or None
        Parallel-trends pre-test (None when there are no pre-treatment cells).
    outcome, control, method, base_period : str
        What was estimated and how.
    n_units : int
        Units used.
    cohort_sizes : Mapping
        Number of units per cohort (0 = never treated).
    dropped_units : tuple
        Units left out because their outcome was missing in some period.
    alpha : float
        Significance level.
    n_boot : int
        Bootstrap draws.
    seed : int or None
        Seed of the multiplier bootstrap.
    notes : tuple of Note
        Every warning the estimation gave (units dropped from the panel,
        group-time cells left out of the aggregations, warnings of ``csdid``
        and of the libraries under it), each once, so that a report can show
        them; all but the libraries' deprecation notices are also issued as
        warnings.
    """

    att_gt: pd.DataFrame = field(repr=False)
    aggregates: Mapping[str, DiDAggregate] = field(repr=False)
    pre_test: PreTest | None
    outcome: str
    control: str
    method: str
    base_period: str
    n_units: int
    cohort_sizes: Mapping[int, int] = field(repr=False)
    dropped_units: tuple = field(repr=False)
    alpha: float
    n_boot: int
    seed: int | None
    notes: tuple[Note, ...] = ()

    def aggregate(self, kind: str = "group") -> DiDAggregate:
        """Return the ``simple``, ``group``, ``dynamic`` or ``calendar`` aggregation."""
        if kind not in self.aggregates:
            raise ValueError(f"kind must be one of {AGGREGATIONS}, got {kind!r}")
        return self.aggregates[kind]

    def pretest(self) -> PreTest | None:
        """Return the parallel-trends pre-test."""
        return self.pre_test

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the ATT(g, t) table."""
        return self.att_gt.copy()

    def summary(self, lang: str = "en") -> str:
        """Summarise the estimation in ``lang`` (fi, sv or en).

        The model's warnings are listed last, in the words of the software that
        raised them.
        """
        parts = [say("did.head", lang, outcome=self.outcome,
                     control=say(f"did.control.{self.control}", lang), method=self.method,
                     n=self.n_units)]
        for kind in AGGREGATIONS:
            agg = self.aggregates[kind]
            parts.append(say("did.kind_line", lang, kind=say(f"did.kind.{kind}", lang),
                             estimate=fmt(agg.estimate, lang=lang), se=fmt(agg.se, lang=lang),
                             ci=fmt_ci(agg.ci, lang=lang)))
        if self.pre_test is not None:
            parts.append(self.pre_test.summary(lang))
        parts.extend(warning_lines(self.notes, lang))
        return "\n".join(parts)

    def plot(self, lang: str = "en") -> Figure:
        """Event-study figure: dynamic effects with pointwise CIs and the uniform band.

        Parameters
        ----------
        lang : str
            Language of the labels.

        Returns
        -------
        matplotlib.figure.Figure
        """
        fig = self.aggregates["dynamic"].plot(lang)
        fig.axes[0].set_title(say("did.plot_title", lang, outcome=self.outcome))
        return fig


def _balanced(panel: pd.DataFrame, unit: str, time: str, outcome: str) -> tuple[pd.DataFrame, tuple]:
    """Keep the units observed with an outcome in every period."""
    periods = panel[time].nunique()
    ok = panel[outcome].notna()
    counts = panel.loc[ok].groupby(unit)[time].nunique()
    keep = counts.index[counts == periods]
    dropped = tuple(sorted(set(panel[unit]) - set(keep), key=str))
    if dropped:
        warnings.warn(
            f"panel: {len(dropped)} unit(s) dropped for a missing {outcome!r} or period "
            f"(e.g. {unit}={dropped[0]!r}); see result.dropped_units",
            stacklevel=3,
        )
    return panel.loc[panel[unit].isin(keep) & ok], dropped


def _aggregate(fit, kind: str, alpha: float) -> DiDAggregate:
    with contextlib.redirect_stdout(io.StringIO()):
        out = fit.aggte(typec=kind, na_rm=True).atte
    z = stats.norm.ppf(1 - alpha / 2)
    est = float(out["overall_att"])
    se = float(np.ravel(out["overall_se"])[0])
    if kind == "simple":
        table = pd.DataFrame(columns=["estimate", "std_error", "ci_low", "ci_high", "band_low",
                                      "band_high"])
        crit = float(z)
    else:
        att = np.asarray(out["att_egt"], dtype=float)
        se_e = np.ravel(np.asarray(out["se_egt"], dtype=float))
        crit = float(out["crit_val_egt"])
        index = pd.Index(np.asarray(out["egt"]).astype(int), name=_INDEX_NAME[kind])
        table = pd.DataFrame(
            {"estimate": att, "std_error": se_e, "ci_low": att - z * se_e, "ci_high": att + z * se_e,
             "band_low": att - crit * se_e, "band_high": att + crit * se_e},
            index=index,
        )
    return DiDAggregate(kind=kind, estimate=est, se=se, ci=(est - z * se, est + z * se),
                        table=table, crit_value=crit, alpha=alpha)


def staggered_did(
    panel: pd.DataFrame,
    outcome: str,
    unit: str = "buyer_id",
    time: str = "year",
    cohort: str = "cohort",
    control: Literal["never_treated", "not_yet_treated"] = "never_treated",
    covariates: list[str] | None = None,
    method: Literal["dr", "reg", "ipw"] = "dr",
    base_period: Literal["varying", "universal"] = "varying",
    anticipation: int = 0,
    balance: Literal["drop", "unbalanced"] = "drop",
    n_boot: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> StaggeredDiDResult:
    """Estimate Callaway & Sant'Anna (2021) group-time effects and their aggregations.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long unit-by-period panel (e.g. from
        ``keino_metrics.indicators.buyer_year_panel``).
    outcome : str
        Outcome column.
    unit, time : str
        Unit identifier and integer period columns.
    cohort : str
        First treated period of the unit; ``0`` (or missing) for never treated.
        Must be constant within a unit.
    control : {"never_treated", "not_yet_treated"}
        Comparison group.
    covariates : list of str, optional
        Time-invariant (first-period) covariates for conditional parallel trends.
    method : {"dr", "reg", "ipw"}
        Doubly robust, outcome regression or inverse probability weighting.
    base_period : {"varying", "universal"}
        Base period of the pre-treatment cells (see the module docstring).
    anticipation : int
        Periods of anticipation before the treatment.
    balance : {"drop", "unbalanced"}
        ``"drop"`` keeps only the units observed in every period (panel
        estimators; the dropped units are listed in the result).
        ``"unbalanced"`` keeps every observed unit-period and uses the
        unbalanced-panel estimators of ``csdid`` (repeated cross-section
        formulas with standard errors clustered by unit), as R ``did`` does
        with ``allow_unbalanced_panel=TRUE``. These do not difference out the
        unit levels, so they are consistent but much less precise when units
        differ a lot in level (on mpdta with 60 of 2 500 rows removed the
        group-effect standard error is 2.6 times the panel one); prefer
        ``"drop"`` when most units are complete. A balanced input gives the
        panel estimates under either option.
    n_boot : int
        Multiplier-bootstrap draws for standard errors and uniform bands.
    seed : int or None
        Seed of the bootstrap.
    alpha : float
        Significance level of intervals and bands.

    Returns
    -------
    StaggeredDiDResult
    """
    cols = [unit, time, cohort, outcome] + list(covariates or [])
    require_columns(panel, cols, "panel")
    if control not in _CONTROLS:
        raise ValueError(f"control must be one of {tuple(_CONTROLS)}, got {control!r}")
    if method not in ("dr", "reg", "ipw"):
        raise ValueError(f"method must be 'dr', 'reg' or 'ipw', got {method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    data = panel[cols].copy()
    data[cohort] = pd.to_numeric(data[cohort]).fillna(0)
    bad = data.groupby(unit)[cohort].nunique()
    if (bad > 1).any():
        raise ValueError(f"panel: column {cohort!r} varies within unit "
                         f"{unit}={bad.index[bad > 1][0]!r}; it must be the first treated period")
    data[outcome] = pd.to_numeric(data[outcome], errors="coerce").astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = _estimate(data, unit, time, cohort, outcome, control, covariates, method,
                        base_period, anticipation, balance, n_boot, seed, alpha)
    notes: list[Note] = []
    for w in caught:
        note = Note("warning", str(w.message), w.category.__name__)
        if note in notes:
            continue
        notes.append(note)
        if not issubclass(w.category, FutureWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return dataclasses.replace(res, notes=tuple(notes))


def _estimate(data: pd.DataFrame, unit: str, time: str, cohort: str, outcome: str,
              control: str, covariates: list[str] | None, method: str, base_period: str,
              anticipation: int, balance: str, n_boot: int, seed: int | None,
              alpha: float) -> StaggeredDiDResult:
    """The body of :func:`staggered_did` after the input checks."""
    from csdid.att_gt import ATTgt

    if balance == "drop":
        data, dropped = _balanced(data, unit, time, outcome)
    elif balance == "unbalanced":
        data, dropped = data.dropna(subset=[outcome]), ()
    else:
        raise ValueError(f"balance must be 'drop' or 'unbalanced', got {balance!r}")
    if data.empty:
        raise ValueError(f"panel: no unit has {outcome!r} in every period")
    codes, uniques = pd.factorize(data[unit], sort=True)
    frame = pd.DataFrame({
        "_unit": codes + 1,
        "_time": data[time].astype(int).to_numpy(),
        "_g": data[cohort].astype(int).to_numpy(),
        "_y": data[outcome].to_numpy(dtype=float),
    })
    for c in covariates or []:
        frame[c] = pd.to_numeric(data[c]).to_numpy(dtype=float)
    if not (frame["_g"] == 0).any() and control == "never_treated":
        after = (f" after dropping {len(dropped)} unit(s) without {outcome!r} in every period "
                 "(try balance='unbalanced')" if dropped else "")
        raise ValueError(f"panel has no never-treated unit (cohort 0){after}; "
                         "or use control='not_yet_treated'")
    xformla = "~ " + " + ".join(covariates) if covariates else None
    with seeded_global_rng(seed), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = ATTgt(yname="_y", tname="_time", idname="_unit", gname="_g", data=frame,
                    control_group=_CONTROLS[control], xformla=xformla, cband=True,
                    biters=n_boot, alp=alpha, anticipation=anticipation,
                    allow_unbalanced_panel=balance == "unbalanced").fit(
            est_method=method, base_period=base_period, bstrap=True)
        aggs = {kind: _aggregate(fit, kind, alpha) for kind in AGGREGATIONS}
    # csdid warns once per cell without data; those cells are counted in one warning below
    empty_cells = [w for w in caught if str(w.message).startswith(_EMPTY_CELL)]
    for w in caught:
        if not str(w.message).startswith(_EMPTY_CELL):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    res = fit.results
    att = np.asarray(res["att"], dtype=float)
    se = np.asarray(res["se"], dtype=float)
    z = stats.norm.ppf(1 - alpha / 2)
    crit = float(res["c"])
    group = np.asarray(res["group"]).astype(int)
    year = np.asarray(res["year"]).astype(int)
    att_gt = pd.DataFrame({
        "group": group, "time": year, "estimate": att, "std_error": se,
        "ci_low": att - z * se, "ci_high": att + z * se,
        "band_low": att - crit * se, "band_high": att + crit * se,
        "post": year >= group,
    })
    missing = ~np.isfinite(att)
    if missing.any():
        warnings.warn(
            f"{int(missing.sum())} of {len(att)} ATT(g,t) cells could not be estimated (no "
            f"data for {outcome!r} in those cells, e.g. group {group[missing][0]}, time "
            f"{year[missing][0]}); they are left out of the aggregations", stacklevel=2)
    if empty_cells:
        warnings.warn(f"csdid: {len(empty_cells)} group-time cell(s) without treated or control "
                      "units, their ATT set to missing", stacklevel=2)
    pre = None
    W, pval = fit.MP["W"], fit.MP["Wpval"]
    if W is not None:
        n_pre = int(((year < group - anticipation) & np.isfinite(se) & (se > 0)).sum())
        pre = PreTest(statistic=float(W), df=n_pre, p_value=float(pval))
    sizes = frame.drop_duplicates("_unit")["_g"].value_counts().sort_index()
    return StaggeredDiDResult(
        att_gt=att_gt, aggregates=MappingProxyType(aggs), pre_test=pre, outcome=outcome,
        control=control, method=method, base_period=base_period,
        n_units=int(frame["_unit"].nunique()),
        cohort_sizes=MappingProxyType({int(k): int(v) for k, v in sizes.items()}),
        dropped_units=dropped, alpha=alpha, n_boot=n_boot, seed=seed,
    )


#: The competence centre's own development programme, estimated first.
OWN_PROGRAMME = "KEINO-kehittämisohjelma"
#: Name of the row that pools every programme.
POOLED = "pooled"


@dataclass(frozen=True, repr=False)
class ProgrammeEffects(Result):
    """Result of :func:`did_by_programme`: one effect per programme, then pooled.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per programme in order (the centre's own programme first,
        then the others by name, then ``pooled``): ``programme``,
        ``aggregation``, ``estimate``, ``std_error``, ``ci_low``, ``ci_high``,
        ``n_treated`` (participants whose first programme it is, in the
        estimation), ``n_control`` (never-participants), ``pre_test_p``
        (p-value of the parallel-trends pre-test) and ``notes``.
    results : Mapping
        The :class:`StaggeredDiDResult` of each row, by programme.
    outcome : str
        Outcome column.
    aggregation : str
        Aggregation of the group-time effects reported in ``table``.
    """

    table: pd.DataFrame = field(repr=False)
    results: Mapping[str, StaggeredDiDResult] = field(repr=False)
    outcome: str
    aggregation: str

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the table."""
        return self.table.copy()

    @property
    def notes(self) -> tuple[Note, ...]:
        """The warnings of every programme's estimation (``part`` is the programme)."""
        return tuple(Note(n.kind, n.text, name) for name, res in self.results.items()
                     for n in res.notes)

    def summary(self, lang: str = "en") -> str:
        """One line per programme in ``lang`` (fi, sv or en)."""
        lines = [say("did.programmes_head", lang, outcome=self.outcome,
                     aggregation=say(f"did.kind.{self.aggregation}", lang))]
        for r in self.table.itertuples(index=False):
            name = say("did.pooled", lang) if r.programme == POOLED else r.programme
            lines.append(say("did.programme_line", lang, name=name,
                             estimate=fmt(r.estimate, lang=lang),
                             ci=fmt_ci((r.ci_low, r.ci_high), lang=lang), n=r.n_treated))
        return "\n".join(lines)

    def plot(self, lang: str = "en") -> Figure:
        """Forest plot of the effects with their intervals.

        Parameters
        ----------
        lang : str
            Language of the labels.

        Returns
        -------
        matplotlib.figure.Figure
        """
        t = self.table
        fig = Figure(figsize=(7, 1 + 0.5 * len(t)))
        ax = fig.add_subplot()
        y = np.arange(len(t))[::-1]
        ax.errorbar(t["estimate"], y, xerr=[t["estimate"] - t["ci_low"],
                                            t["ci_high"] - t["estimate"]],
                    fmt="o", capsize=3)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_yticks(y, [say("did.pooled", lang) if p == POOLED else p for p in t["programme"]])
        ax.set_xlabel(f"{self.outcome}: ATT ({say(f'did.kind.{self.aggregation}', lang)})")
        return fig


def programme_cohorts(participation: pd.DataFrame, unit: str = "buyer_id",
                      programme: str = "programme", start: str = "start_date") -> pd.DataFrame:
    """Each participant's first programme and the year it joined it.

    Parameters
    ----------
    participation : pandas.DataFrame
        One row per unit and programme joined, with the start date.
    unit, programme, start : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``first_programme``, ``cohort`` (year of the first start).
    """
    require_columns(participation, [unit, programme, start], "participation")
    pp = participation[[unit, programme, start]].dropna(subset=[start]).copy()
    pp[start] = pd.to_datetime(pp[start])
    first = pp.sort_values([unit, start, programme], kind="stable").drop_duplicates(unit)
    return pd.DataFrame({unit: first[unit].to_numpy(),
                         "first_programme": first[programme].astype(str).to_numpy(),
                         "cohort": first[start].dt.year.astype("int64").to_numpy()})


def did_by_programme(
    panel: pd.DataFrame,
    outcome: str,
    participation: pd.DataFrame,
    unit: str = "buyer_id",
    time: str = "year",
    aggregation: str = "simple",
    own_programme: str = OWN_PROGRAMME,
    **options,
) -> ProgrammeEffects:
    """Estimate the effect of each programme separately, and of all pooled.

    For a programme P, the treated units are those whose *first* programme is
    P, with the year they joined it as cohort; the comparison units are those
    that never joined any programme (or, with ``control="not_yet_treated"``,
    also those not yet in P). Units whose first programme is another one are
    left out of P's estimate: their outcome carries another programme's
    effect. A unit that joins a second programme later stays in its first
    programme's group, so a later programme's effect on it is attributed to
    the first (the usual caveat of staggered designs with switching). The
    pooled row treats every participant from its first join, as
    :func:`staggered_did` on ``buyer_year_panel`` does.

    Parameters
    ----------
    panel : pandas.DataFrame
        Unit-by-period panel with ``unit``, ``time`` and ``outcome`` (a
        ``cohort`` column, if any, is replaced).
    outcome : str
        Outcome column.
    participation : pandas.DataFrame
        ``unit``, ``programme``, ``start_date`` (the ``programme_participation``
        table of a :class:`~keino_metrics.Dataset`).
    unit, time : str
        Column names.
    aggregation : {"simple", "group", "dynamic", "calendar"}
        Aggregation reported in the table.
    own_programme : str
        Programme estimated first (the centre's own).
    **options
        Passed to :func:`staggered_did` (``control``, ``n_boot``, ``seed``,
        ``alpha``, ``balance``, ...).

    Returns
    -------
    ProgrammeEffects
    """
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
    require_columns(panel, [unit, time, outcome], "panel")
    first = programme_cohorts(participation, unit=unit).set_index(unit)
    names = sorted(set(first["first_programme"]))
    order = ([own_programme] if own_programme in names else []) + [
        p for p in names if p != own_programme]
    base = panel.drop(columns=["cohort"], errors="ignore")
    prog = base[unit].map(first["first_programme"])
    cohort = base[unit].map(first["cohort"]).fillna(0).astype("int64")
    rows, results = [], {}
    for name in [*order, POOLED]:
        keep = prog.isna() | (prog == name) if name != POOLED else np.ones(len(base), bool)
        data = base.loc[keep].assign(cohort=cohort[keep].to_numpy())
        res = staggered_did(data, outcome, unit=unit, time=time, cohort="cohort", **options)
        agg = res.aggregate(aggregation)
        results[name] = res
        rows.append({
            "programme": name, "aggregation": aggregation, "estimate": agg.estimate,
            "std_error": agg.se, "ci_low": agg.ci[0], "ci_high": agg.ci[1],
            "n_treated": int(sum(v for g, v in res.cohort_sizes.items() if g)),
            "n_control": int(res.cohort_sizes.get(0, 0)),
            "pre_test_p": res.pre_test.p_value if res.pre_test is not None else np.nan,
            "notes": "; ".join(n.text for n in res.notes),
        })
    return ProgrammeEffects(table=pd.DataFrame(rows), results=MappingProxyType(results),
                            outcome=outcome, aggregation=aggregation)
