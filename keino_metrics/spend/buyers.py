"""Naming the buyer of invoice files that do not name it.

A municipality publishing its own purchase invoices often leaves the buyer out
of the file (Jyväskylä 2012-2020, Paimio): the reader keeps those rows with a
null ``buyer_id``. :func:`set_buyer` fills it for the rows of chosen files.
"""

from __future__ import annotations

import fnmatch

from keino_metrics.dataset import Dataset
from keino_metrics.spend.ids import normalise_business_id

__all__ = ["set_buyer"]


def set_buyer(data: Dataset, files: str, buyer_id: str, buyer_name: str | None = None,
              overwrite: bool = False) -> Dataset:
    """A copy of ``data`` whose invoices from ``files`` have the given buyer.

    Parameters
    ----------
    data : Dataset
        Data read with :func:`keino_metrics.read`.
    files : str
        Shell pattern matched against ``spend.source_file`` (``"*paimio*"``).
    buyer_id : str
        The buyer's business id (any form, normalised to ``1234567-8``).
    buyer_name : str, optional
        The buyer's name.
    overwrite : bool
        Also replace buyers the files do name (default: fill only the nulls).

    Raises
    ------
    ValueError
        When no invoice row comes from a file matching ``files``.
    """
    s = data.spend.copy()
    hit = s["source_file"].map(lambda f: fnmatch.fnmatch(str(f), files)).astype(bool)
    if not hit.any():
        raise ValueError(f"no invoice row comes from a file matching {files!r}")
    if not overwrite:
        hit &= s["buyer_id"].isna()
    s.loc[hit, "buyer_id"] = normalise_business_id(buyer_id) or buyer_id
    if buyer_name is not None:
        s.loc[hit, "buyer_name"] = buyer_name
    return data.replace(spend=s)
