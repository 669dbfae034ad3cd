"""A small cache of results computed from a dataset's tables, keyed by the tables' identity.

Several computations of one run read the same in-memory tables: every
``km.compute`` call of a report converts the canonical tables to Arrow, and
every spend indicator needs the same invoice links. :class:`TableCache` keeps
the last few results, keyed by the identity and length of the tables they were
computed from. The tables are held by weak references, so a hit is only taken
while the very same table objects are alive (an ``id`` reused by a new object
never matches), and a table replaced (``Dataset.replace`` or a new read) is a
miss. Results must be treated as read-only by their callers.

``functools.lru_cache`` cannot do this: pandas frames are not hashable and a
key by ``id`` alone would match a new object that reuses a freed id.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

import pandas as pd

__all__ = ["TableCache"]

T = TypeVar("T")


class TableCache(Generic[T]):
    """The last ``size`` results of a computation over tables, by the tables' identity.

    Parameters
    ----------
    size : int
        How many results are kept (the oldest is dropped first).
    """

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self.enabled = True
        self._items: OrderedDict[tuple, tuple[tuple[weakref.ref, ...], T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tables: Sequence[pd.DataFrame], extra: Hashable,
            compute: Callable[[], T]) -> T:
        """The cached result for ``tables`` and ``extra``, or ``compute()`` (then kept)."""
        if not self.enabled:
            return compute()
        key = (extra, *((id(t), len(t)) for t in tables))
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and all(r() is t for r, t in zip(hit[0], tables, strict=True)):
                self._items.move_to_end(key)
                return hit[1]
            out = compute()
            self._items[key] = (tuple(weakref.ref(t) for t in tables), out)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return out

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    @contextmanager
    def disabled(self) -> Iterator[None]:
        """Compute without the cache inside a ``with`` block."""
        before, self.enabled = self.enabled, False
        try:
            yield
        finally:
            self.enabled = before
