"""Results computed once per computation and read by several indicators or frames.

A :class:`Memo` is a dictionary with one more method, :meth:`Memo.build`,
which makes a value on first use and keeps it. The unit frames keep their built frames in one, and
indicators that share an intermediate result (the per-buyer supplier sums
behind HHI and the top-supplier share) keep it in another, under a key they
choose.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["Memo"]


class Memo(dict):
    """A dictionary of results that are built on first use."""

    def build(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value of ``key``, made by ``make()`` and kept the first time."""
        if key not in self:
            self[key] = make()
        return self[key]
