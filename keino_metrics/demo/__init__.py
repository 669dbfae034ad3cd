"""Generated demonstration data: a national-scale Finnish procurement corpus.

Real national procurement data cannot be shipped with the workbench, so the
workbench's default data is generated: a seeded, deterministic corpus of
notices, lots, awards, Hilma statistics answers, programme participation and a
capability survey for every Finnish municipality, the regional joint
authorities, state bodies and municipal companies, 2018-2025, calibrated to
published figures (:mod:`keino_metrics.demo.calibration`) and with a known
true programme effect (:mod:`keino_metrics.demo.programmes`). **It is
generated demonstration data, not real procurement data.** See
``docs/demo-data.md``.

Examples
--------
>>> from keino_metrics import demo
>>> data = demo.generate(seed=1, scale=0.02)
>>> round(demo.true_att("green", 2021, 2023), 4)  # 0.72 * (0.03 + 2 * 0.015)
0.0432
"""

from __future__ import annotations

from keino_metrics.demo.checks import calibration_table
from keino_metrics.demo.generate import GENERATOR, VERSION, generate
from keino_metrics.demo.programmes import (
    OUTCOMES,
    TRUE_EFFECTS,
    panel,
    true_aggregate,
    true_att,
)
from keino_metrics.demo.reporting import REPORTING
from keino_metrics.demo.storage import default_directory, ensure, load, write

__all__ = [
    "GENERATOR", "VERSION", "generate", "write", "load", "ensure", "default_directory",
    "TRUE_EFFECTS", "OUTCOMES", "REPORTING", "true_att", "true_aggregate", "panel",
    "calibration_table",
]
