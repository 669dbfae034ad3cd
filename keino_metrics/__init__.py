"""keino-metrics: measure the volume and impact of sustainable and innovative procurement.

Typical use::

    import keino_metrics as km
    data = km.load()                       # the embedded default (demo) data
    km.compute(["KEINO-INNOV-HILMA-MKT"], data, by=["year"])
"""

from __future__ import annotations

from keino_metrics.dataset import Dataset

__version__ = "0.1.0"

__all__ = ["Dataset", "__version__"]
