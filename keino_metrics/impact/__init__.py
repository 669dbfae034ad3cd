"""Impact models: staggered DiD, event studies, interrupted time series, target
tracking, hidden volume and carbon accounting.

Every model is a function (or, for the fitted text classifier, a scikit-learn style
estimator) that returns a frozen result with ``.summary(lang)``, ``.to_frame()`` and
``.plot()``.
"""

from __future__ import annotations

from keino_metrics.impact.carbon import (
    AvoidedEmissionsResult,
    CarbonResult,
    avoided_emissions,
    invoice_divisions,
    invoice_emissions,
    load_category_map,
    load_factors,
    spend_based_emissions,
)
from keino_metrics.impact.did import (
    DiDAggregate,
    PreTest,
    ProgrammeEffects,
    StaggeredDiDResult,
    did_by_programme,
    staggered_did,
)
from keino_metrics.impact.event_study import EventStudyResult, sun_abraham, twfe
from keino_metrics.impact.hidden import HiddenVolumeEstimator, HiddenVolumeResult, lot_texts
from keino_metrics.impact.its import ITSResult, interrupted_time_series
from keino_metrics.impact.target import TargetResult, track_target

__all__ = [
    "AvoidedEmissionsResult",
    "CarbonResult",
    "DiDAggregate",
    "EventStudyResult",
    "HiddenVolumeEstimator",
    "HiddenVolumeResult",
    "ITSResult",
    "PreTest",
    "ProgrammeEffects",
    "StaggeredDiDResult",
    "TargetResult",
    "avoided_emissions",
    "did_by_programme",
    "interrupted_time_series",
    "load_factors",
    "lot_texts",
    "spend_based_emissions",
    "invoice_emissions",
    "invoice_divisions",
    "load_category_map",
    "staggered_did",
    "sun_abraham",
    "track_target",
    "twfe",
]
