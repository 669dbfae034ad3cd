"""How buyers report: under-reporting and false positives of Hilma answers.

Each awarded lot has a *true* innovative and a *true* green label (extra table
``lot_truth``). The buyer's answer is the true label seen through
under-reporting: a truly innovative lot is left unflagged with probability
``under_reporting``; a lot that is not innovative is flagged with probability
``false_positive``. So ``P(reported) = false_positive + (1 - under_reporting
- false_positive) * P(true)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Reporting", "REPORTING", "report"]


@dataclass(frozen=True)
class Reporting:
    """Under-reporting and false-positive rates of one reported flag."""

    under_reporting: float
    false_positive: float


#: [assumption] Reporting rates. ``innovative`` is Hilma
#: ``solutionNewToMarketOrIndustry``; ``green`` is "any environmental answer".
REPORTING: dict[str, Reporting] = {
    "innovative": Reporting(under_reporting=0.35, false_positive=0.01),
    "green": Reporting(under_reporting=0.25, false_positive=0.03),
}


def report(rng: np.random.Generator, truth: np.ndarray, outcome: str) -> np.ndarray:
    """Reported flags for true labels ``truth`` of ``outcome``."""
    r = REPORTING[outcome]
    u = rng.random(len(truth))
    return np.where(truth, u >= r.under_reporting, u < r.false_positive)
