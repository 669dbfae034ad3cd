"""What the real sample notices contain, for the report's real-data section.

The project keeps real TED notices in ``data/raw/samples`` for reading and
testing. :func:`summarise` describes a dataset read from them: notices per
source format and notice type, buyer countries, publication years, lots and
awards, how completely the key fields are filled, and the accounting of the
files read. It computes no indicator: the notices are not a sample of Finnish
procurement.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from keino_metrics import paths
from keino_metrics.dataset import Dataset
from keino_metrics.report import coverage

__all__ = ["SamplesSummary", "sample_files", "read_samples", "summarise"]


@dataclass(frozen=True)
class SamplesSummary:
    """Counts describing a dataset of sample notices.

    Attributes
    ----------
    files : int
        Files read.
    by_source : pandas.DataFrame
        ``source``, ``files``, ``notices``, ``lots``, ``awards``.
    by_type : pandas.DataFrame
        ``source``, ``notice_type``, ``notices``.
    by_country : pandas.DataFrame
        ``country``, ``notices`` (lead buyer's country).
    by_year : pandas.DataFrame
        ``year``, ``notices``.
    fields : pandas.DataFrame
        ``table``, ``field``, ``completeness`` (share of rows filled).
    accounting : pandas.DataFrame
        :meth:`Dataset.accounting_summary` of the files read.
    """

    files: int
    by_source: pd.DataFrame
    by_type: pd.DataFrame
    by_country: pd.DataFrame
    by_year: pd.DataFrame
    fields: pd.DataFrame
    accounting: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The per-source counts (the headline table)."""
        return self.by_source.copy()


def sample_files(directory: str | os.PathLike[str] | None = None) -> list[Path]:
    """Files under the samples directory (default ``data/raw/samples``), sorted.

    Licence and source notes (``*.md``, ``LICENSE*``) and hidden files are left out.
    """
    d = Path(directory) if directory is not None else paths.samples_dir()
    if not d.is_dir():
        return []
    return sorted(p for p in d.rglob("*")
                  if p.is_file() and not p.name.startswith(".")
                  and p.suffix.lower() not in (".md", ".txt")
                  and not p.name.upper().startswith("LICENSE"))


def read_samples(directory: str | os.PathLike[str] | None = None) -> Dataset:
    """Read the sample notices with :func:`keino_metrics.readers.read`."""
    from keino_metrics.readers import read

    files = sample_files(directory)
    return read([str(p) for p in files]) if files else Dataset()


def summarise(data: Dataset) -> SamplesSummary:
    """Describe ``data`` (see :class:`SamplesSummary`)."""
    n = data.notices
    lots = data.lots.merge(n[["notice_id", "source"]], on="notice_id", how="left")
    awards = data.awards.merge(n[["notice_id", "source"]], on="notice_id", how="left")
    by_source = (n.groupby("source").agg(files=("source_file", "nunique"),
                                         notices=("notice_id", "nunique"))
                 .join(lots.groupby("source").size().rename("lots"))
                 .join(awards.groupby("source").size().rename("awards"))
                 .fillna(0).astype("int64").reset_index().sort_values("source"))
    by_type = (n.groupby(["source", "notice_type"]).size().rename("notices").reset_index()
               .sort_values(["source", "notice_type"]).reset_index(drop=True))
    country = n[["buyer_id"]].merge(data.buyers[["buyer_id", "country"]]
                                    .drop_duplicates("buyer_id"), on="buyer_id", how="left")
    by_country = (country["country"].fillna("?").value_counts().rename_axis("country")
                  .rename("notices").reset_index()
                  .sort_values(["notices", "country"], ascending=[False, True])
                  .reset_index(drop=True))
    years = coverage.table_years(data, "notices")
    by_year = (years.value_counts().rename_axis("year").rename("notices").reset_index()
               .sort_values("year").reset_index(drop=True))
    comp = coverage.completeness(data)
    fields = (comp["total"].dropna().rename("completeness").reset_index()
              if "total" in comp else pd.DataFrame(columns=["table", "field", "completeness"]))
    return SamplesSummary(files=int(n["source_file"].nunique()), by_source=by_source,
                          by_type=by_type, by_country=by_country, by_year=by_year,
                          fields=fields, accounting=data.accounting_summary())
