"""Counts of a fetch run and their display on the console.

The counts (found, downloaded, skipped, failed) are printed as one line at
most every :attr:`Progress.every` seconds while the run goes on, and once
more as the summary at the end. Lines go to standard error so that
standard output holds only the summary.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["Progress"]


@dataclass
class Progress:
    """Thread-safe counters of one run, printed now and then."""

    label: str
    show: bool = True
    every: float = 2.0
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    found: int = 0
    downloaded: int = 0
    skipped: int = 0
    failed: int = 0
    bytes: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0.0
        self._start = time.monotonic()

    def add(self, **counts: int) -> None:
        """Add to the counters (``found=``, ``downloaded=``, ...) and maybe print."""
        with self._lock:
            for k, v in counts.items():
                setattr(self, k, getattr(self, k) + v)
            due = time.monotonic() - self._last >= self.every
            if due:
                self._last = time.monotonic()
        if due and self.show:
            print(f"{self.label}: {self.line()}", file=self.stream, flush=True)

    def line(self) -> str:
        """The counts as one line of text."""
        return (f"found {self.found:,}, downloaded {self.downloaded:,} "
                f"({self.bytes / 1e6:,.1f} MB), skipped (already stored) {self.skipped:,}, "
                f"failed {self.failed:,}")

    def counts(self) -> dict[str, int | float]:
        """The counters and the elapsed seconds, for the manifest."""
        return {"found": self.found, "downloaded": self.downloaded, "skipped": self.skipped,
                "failed": self.failed, "bytes": self.bytes,
                "seconds": round(time.monotonic() - self._start, 1)}
