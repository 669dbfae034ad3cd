"""Which real sources a dataset was read from, and what each of them covers.

A report on real data must say what its source can and cannot show: TED
publishes only notices that EU law sends to the Official Journal, essentially
procurement above the EU thresholds, and none of Hilma's national statistics
answers; Hilma publishes Finnish notices below the thresholds too, and its
statistics answers (innovation, environment, social, SMEs) are national and
found nowhere else.

The sources are taken from the fetch manifests of the folders that were read
(``<folder>/.fetch/manifest.json``, see :mod:`keino_metrics.fetch`) and,
when the folders are not at hand, from the formats in the accounting:
Hilma read-API JSON is Hilma's, eForms and legacy TED XML and TED CSV are
taken for TED's, OCDS packages for another publisher's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from keino_metrics.readers import eforms, hilma, ocds, ted_csv, ted_legacy

__all__ = ["SOURCES", "sources_of"]

#: Known sources, in the order their coverage is stated.
SOURCES: tuple[str, ...] = ("ted", "hilma", "ocds")

_BY_FORMAT = {eforms.FORMAT: "ted", ted_legacy.FORMAT: "ted", ted_csv.FORMAT: "ted",
              hilma.FORMAT: "hilma", ocds.FORMAT: "ocds"}


def _from_manifests(paths: list[str]) -> set[str]:
    found: set[str] = set()
    for p in paths:
        manifest = Path(p) / ".fetch" / "manifest.json"
        try:
            runs = json.loads(manifest.read_text(encoding="utf-8")).get("runs", [])
        except (OSError, ValueError):
            continue
        found.update(r["source"] for r in runs if r.get("source") in SOURCES)
    return found


def sources_of(provenance: Mapping[str, object], accounting: pd.DataFrame) -> tuple[str, ...]:
    """The real sources of a dataset, in :data:`SOURCES` order.

    Parameters
    ----------
    provenance : mapping
        ``Dataset.provenance``; its ``read.paths`` name the folders read.
    accounting : pandas.DataFrame
        ``Dataset.accounting_summary()`` (its ``source`` column holds formats).

    Returns
    -------
    tuple of str
        Empty for demonstration data.
    """
    if provenance.get("demo"):
        return ()
    read = provenance.get("read") or {}
    paths = [str(p) for p in (read.get("paths") or [])] if isinstance(read, Mapping) else []
    found = _from_manifests(paths)
    if {"source", "rows_accepted"} <= set(accounting.columns):
        formats = accounting.loc[accounting["rows_accepted"] > 0, "source"]
        found.update(_BY_FORMAT[f] for f in formats if f in _BY_FORMAT)
    return tuple(s for s in SOURCES if s in found)
