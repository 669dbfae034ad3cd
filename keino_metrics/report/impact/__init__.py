"""The impact report: programme effect, robustness, target, hidden volume, carbon.

It runs the models of :mod:`keino_metrics.impact` on the buyer-by-year panel of
one outcome indicator and on the lots and awards of the report year, and
explains each result:

1. the effect of programme participation (Callaway and Sant'Anna staggered
   difference-in-differences), with the event-study figure and the pre-test of
   parallel trends, then the effect of each programme on its own
   (the centre's own first, then each Green Deal, then pooled) with a forest
   plot and an anchor per programme (``#programme-<code>``, ``#pooled``);
2. robustness: the other control group, the outcome-regression and
   inverse-probability estimators, a size covariate, and the two-way fixed
   effects and Sun and Abraham regressions for comparison;
3. the trajectory of each candidate definition of the 10 % innovative-procurement
   target, with its basis (points, model) and the probability of reaching it by
   2030 where the forecast gives one;
4. hidden volume: a text classifier's estimate of the share of lots that are new
   to the market against the flagged share;
5. carbon: spend-based emissions by CPV division, avoided emissions under stated
   assumptions, and the national total against the published estimate.

On generated demonstration data every estimate is set against the effect the
generator put in (:mod:`keino_metrics.demo`).

Modules
-------
params
    Its parameters and their checks.
content
    Its numbers, computed once into a frozen :class:`~.content.ImpactContent`.
figures
    Its figures in one language.
render
    Its HTML, one function per section.

:data:`REPORT` plugs it into :func:`keino_metrics.report.driver.build`.
"""

from __future__ import annotations

from typing import Any

from keino_metrics.dataset import Dataset
from keino_metrics.report.driver import Report
from keino_metrics.report.impact import content, figures, params

__all__ = ["REPORT"]


def _compute(data: Dataset, p: Any) -> content.ImpactContent:
    return content.compute_impact(data, p.year, outcome=p.outcome, programme=p.programme,
                                  control=p.control, seed=p.seed)


def _excel(c: content.ImpactContent, lang: str):
    """The workbook's sheets (the CSV tables) and their number formats, by sheet name."""
    sheets = {k.removeprefix("impact_"): v for k, v in c.tables().items()}
    formats = {k.removeprefix("impact_"): dict(v) for k, v in content.EXCEL_FORMATS.items()}
    return sheets, formats


#: The impact report as the driver runs it.
REPORT = Report(name="impact_report", notebook=params.NOTEBOOK, title_key="impact.title",
                metadata_file="impact_metadata.json", check=params.check, compute=_compute,
                figures=figures.figures, tables=content.ImpactContent.tables, excel=_excel)
