"""The reader modules, in the order in which their ``sniff`` is tried on damaged input."""

from __future__ import annotations

import importlib
from types import ModuleType

#: Module names under ``keino_metrics.readers``. Formats are told apart by
#: structure (:mod:`keino_metrics.readers.detection`); when a document is too
#: damaged for that, the first module whose ``sniff`` accepts its first bytes
#: reads it.
FORMAT_MODULES: tuple[str, ...] = ("eforms", "ted_legacy", "hilma", "ocds", "ted_csv")


def modules() -> list[ModuleType]:
    """Import and return the reader modules that exist."""
    out = []
    for name in FORMAT_MODULES:
        try:
            out.append(importlib.import_module(f"keino_metrics.readers.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"keino_metrics.readers.{name}":
                raise
    return out
