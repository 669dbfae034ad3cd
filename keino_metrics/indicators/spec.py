"""Declarative records of indicators: what an indicator is and how it is measured.

Every indicator of the catalogue is one :class:`Indicator` record, declared once
in a family module (:mod:`keino_metrics.indicators.families`). A record carries
its metadata (definition, unit of analysis, weighting, fields, direction,
source, cross-walk) and a *measure*. Its name in Finnish, Swedish and English
is not declared here: it lives in the language catalogue under
``indicator_name.<id>`` (:meth:`Indicator.name`). The measures are:

:class:`Ratio`
    ``sum(numerator) / sum(denominator)`` over the eligible rows of a unit
    frame (shares, means, ratios of sums). Written as narwhals expressions, so
    one definition runs on pandas, Polars, DuckDB and PySpark.
:class:`Total`
    A count of rows or a sum of euros over the rows of a unit frame.
:class:`Custom`
    A two-stage computation (narwhals aggregation, then a small pandas step),
    for supplier concentration, fences over suppliers, GDP ratios and
    reliability coefficients.

The exclusion rules of a measure say why rows are not counted; rules flagged
``missing=True`` concern data that is not reported and lower the coverage,
the others narrow the scope on purpose (for example framework agreements for
the Scoreboard single-bidder indicator).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import narwhals.stable.v2 as nw

from keino_metrics.labels import LANGUAGES, text

__all__ = [
    "Rule",
    "Ratio",
    "Total",
    "Custom",
    "Indicator",
    "UNITS",
    "WEIGHTINGS",
    "DIRECTIONS",
    "UNITS_OF_ANALYSIS",
    "FRAMES",
]

#: Result units (the ``unit`` column of a result).
UNITS = ("share", "count", "eur", "days", "index", "ratio")
WEIGHTINGS = ("count", "eur")
DIRECTIONS = ("higher", "lower", "neutral")
UNITS_OF_ANALYSIS = ("notice", "procedure", "lot", "lot result", "organisation",
                     "survey response", "tender", "invoice row")
#: Unit frames built by :mod:`keino_metrics.indicators.frames`.
FRAMES = ("lot_results", "notices", "procedures", "survey", "spend")

ExprFn = Callable[[Mapping[str, Any]], nw.Expr]


@dataclass(frozen=True)
class Rule:
    """A condition a row must meet to count, with the reason given when it fails.

    Parameters
    ----------
    reason : str
        Short text reported in ``excluded_reasons`` (for example
        ``"tenders received not reported"``).
    keep : callable
        ``params -> narwhals expression`` that is true for rows that pass.
        Nulls count as failing.
    missing : bool
        True when failing means the data is not reported (lowers coverage).
    """

    reason: str
    keep: ExprFn
    missing: bool = True


@dataclass(frozen=True)
class Ratio:
    """``sum(numerator) / sum(denominator)`` over the eligible rows of a frame.

    Parameters
    ----------
    frame : str
        Unit frame (one of :data:`FRAMES`).
    numerator : callable
        ``params -> expression``: a boolean flag (for shares) or a number.
    denominator : callable or None
        ``params -> expression`` giving the per-row denominator; ``None`` means
        1 per row (count weighting) or the awarded value (euro weighting).
    rules : tuple of Rule
        Eligibility rules, applied in order; the first rule a row fails gives
        its exclusion reason.
    weight : str
        ``"count"`` or ``"eur"``; euro weighting multiplies numerator and
        denominator by ``value_eur`` and adds a rule that the value is known.
    ci : str or None
        ``"wilson"`` (count shares), ``"cluster"`` (ratio estimator with
        linearised variance clustered by buyer) or ``None``.
    """

    frame: str
    numerator: ExprFn
    denominator: ExprFn | None = None
    rules: tuple[Rule, ...] = ()
    weight: Literal["count", "eur"] = "count"
    ci: Literal["wilson", "cluster"] | None = "wilson"


@dataclass(frozen=True)
class Total:
    """A count of eligible rows (``value=None``) or a sum of a column."""

    frame: str
    value: str | None = None
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Custom:
    """A computation that needs a second, small aggregation step.

    ``function(ctx, indicator, by) -> pandas.DataFrame`` returns the result
    columns ``value, numerator, denominator, n_eligible, excluded,
    excluded_reasons, coverage, ci_low, ci_high`` plus the ``by`` columns and
    may add a ``warning`` column. ``ctx`` is a
    :class:`keino_metrics.indicators.frames.Frames`; the function reads only
    ``ctx.frame(frame)``.

    ``reads`` names the columns of that frame the function reads besides the
    breakdown columns; the frames then carry only what the requested
    indicators read, and large data computed in parts is gathered with only
    these columns. ``None`` (a custom indicator that does not say) keeps
    every column. In data gathered from parts, ``notice_id`` and
    ``procedure_id`` are 64-bit keys, one-to-one with the identifiers (see
    :meth:`~keino_metrics.indicators.frames.Frames.part`): count and group
    them, do not show them.
    """

    frame: str
    function: Callable[..., Any]
    reads: tuple[str, ...] | None = None


Measure = Ratio | Total | Custom


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry (see the module docstring).

    Parameters
    ----------
    id : str
        Namespaced id (``KEINO-``, ``SMS-``, ``EF-``, ``FI-``, ``OT-``,
        ``RF-``, ``CAP-``, ``DQ-``, ``SPEND-``).
    family : str
        Primary family (``volume``, ``strategic``, ``innovation-target``,
        ``markets``, ``scoreboard``, ``eforms``, ``integrity``,
        ``capability``, ``quality``).
    definition, formula : str
        What is measured, in words and as a formula.
    unit_of_analysis : str
        One of :data:`UNITS_OF_ANALYSIS`.
    unit : str
        One of :data:`UNITS`.
    weighting : str
        ``count`` or ``eur``.
    direction : str
        ``higher`` (higher is better), ``lower`` or ``neutral``.
    fields : tuple of str
        Canonical ``table.column`` fields used (optional extra columns end
        in ``?``).
    source : str
        Citation of the definition.
    measure : Ratio, Total or Custom
        How it is computed.
    crosswalk : tuple of str
        Ids of the same or closely related measure in other families.
    limits : str
        What the data cannot support, stated plainly.
    reference_values : str
        Published figures to compare with, with their source.
    params : mapping
        Default parameters (thresholds in days, fences); overridable through
        the ``params`` key of a thresholds file.
    also_in : tuple of str
        Further families the indicator is listed under.
    """

    id: str
    family: str
    definition: str
    formula: str
    unit_of_analysis: str
    unit: str
    weighting: str
    direction: str
    fields: tuple[str, ...]
    source: str
    measure: Measure
    crosswalk: tuple[str, ...] = ()
    limits: str = ""
    reference_values: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    also_in: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if self.unit not in UNITS:
            problems.append(f"unit {self.unit!r} not in {UNITS}")
        if self.weighting not in WEIGHTINGS:
            problems.append(f"weighting {self.weighting!r} not in {WEIGHTINGS}")
        if self.direction not in DIRECTIONS:
            problems.append(f"direction {self.direction!r} not in {DIRECTIONS}")
        if self.unit_of_analysis not in UNITS_OF_ANALYSIS:
            problems.append(f"unit_of_analysis {self.unit_of_analysis!r} not in "
                            f"{UNITS_OF_ANALYSIS}")
        if self.measure.frame not in FRAMES:
            problems.append(f"frame {self.measure.frame!r} not in {FRAMES}")
        if problems:
            raise ValueError(f"indicator {self.id}: " + "; ".join(problems))

    @property
    def prefix(self) -> str:
        """Namespace of the id (``SMS``, ``KEINO`` ...)."""
        return self.id.split("-", 1)[0]

    def name(self, lang: str = "en") -> str:
        """Name in ``lang`` (``fi``, ``sv`` or ``en``), from the language catalogue.

        Raises
        ------
        ValueError
            If ``lang`` is not ``fi``, ``sv`` or ``en``.
        KeyError
            If the catalogue has no ``indicator_name.<id>`` entry for the id.
        """
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; use fi, sv or en")
        return text(f"indicator_name.{self.id}", lang)
