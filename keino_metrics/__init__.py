"""keino-metrics: measure the volume and impact of sustainable and innovative procurement.

Typical use::

    import keino_metrics as km

    data = km.demo.load()                   # generated demonstration corpus
    real = km.read("data/raw/samples")      # real TED notices
    km.catalogue()                          # the indicator catalogue
    km.compute(["KEINO-INNOV-MKT-N"], data, by=["year"]).to_frame()
    km.impact.staggered_did(panel, outcome="y", unit="buyer_id", time="year", cohort="cohort")

Subpackages and the front-door functions are imported on first use, so that
``import keino_metrics`` stays fast.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from keino_metrics.dataset import Dataset

__version__ = "0.1.0"

# pandera imports pyspark.pandas whenever pyspark is installed, and that import warns
# that pyspark's pandas API does not support pandas 3. The project never uses that API
# (the PySpark indicator engine works on Spark DataFrames), so exactly this warning is
# silenced; every other warning is left alone.
warnings.filterwarnings("ignore", message=r"PySpark does not yet fully support pandas",
                        category=FutureWarning)

_SUBMODULES = ("codelists", "datamodel", "demo", "geography", "impact", "indicators",
               "ingest", "paths", "pipeline", "readers", "report", "validation")

_FUNCTIONS = {
    "read": ("keino_metrics.readers", "read"),
    "ingest_files": ("keino_metrics.ingest", "ingest"),
    "validate": ("keino_metrics.validation", "validate"),
    "catalogue": ("keino_metrics.indicators", "catalogue"),
    "explain": ("keino_metrics.indicators", "explain"),
    "compute": ("keino_metrics.indicators", "compute"),
    "buyer_year_panel": ("keino_metrics.indicators", "buyer_year_panel"),
    "read_capability_survey": ("keino_metrics.indicators", "read_capability_survey"),
    "process": ("keino_metrics.pipeline", "process"),
}

__all__ = ["Dataset", "__version__", *_FUNCTIONS, *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        module, attr = _FUNCTIONS[name]
        value = getattr(importlib.import_module(module), attr)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"keino_metrics.{name}")
    else:
        raise AttributeError(f"module 'keino_metrics' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
