"""The record of a fetch folder: every stored file, every failure, every run.

A fetch folder (``data/raw/<source>/``) holds the files as the service sent
them and, in the hidden folder ``.fetch/`` (hidden so that ``keino ingest``
does not read it), the record of how they came:

``.fetch/manifest.json``
    Written atomically at the end of each run: the runs (query, the
    service's total, counts, start and end), every file (path, identifier,
    source URL, SHA-256, bytes, publication date, time fetched) and the
    failures still open.
``.fetch/journal.jsonl``
    One line per file stored or failure met during a run, appended as it
    happens, so that an interrupted run leaves a record of what it stored.
    It is folded into the manifest at the end of the run.

A file is taken as present when the manifest names it and the bytes on disk
have the recorded SHA-256; a file on disk that the record does not name (a
run killed between the two) is fetched again. Files are written under a
hidden temporary name in their folder and renamed into place, so a file is
either complete or absent.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from keino_metrics.atomic import write_bytes

__all__ = ["Store", "atomic_write", "sha256", "now"]

META = ".fetch"


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the whole file or nothing
    (:func:`keino_metrics.atomic.write_bytes`)."""
    write_bytes(path, data)


@dataclass
class Store:
    """A fetch folder and its record.

    Parameters
    ----------
    root : Path
        The folder (created when missing).

    Attributes
    ----------
    files : dict
        Relative path -> entry (``id``, ``url``, ``sha256``, ``bytes``,
        ``published``, ``fetched``).
    failures : dict
        Identifier -> entry (``id``, ``url``, ``error``, ``at``).
    runs : list
        One entry per run, oldest first.
    """

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self.meta = self.root / META
        self.meta.mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.meta / "manifest.json"
        self.journal_path = self.meta / "journal.jsonl"
        self._lock = threading.Lock()
        self.files: dict[str, dict] = {}
        self.failures: dict[str, dict] = {}
        self.runs: list[dict] = []
        if self.manifest_path.exists():
            m = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            self.files = {f["path"]: f for f in m.get("files", [])}
            self.failures = {f["id"]: f for f in m.get("failures", [])}
            self.runs = list(m.get("runs", []))
        if self.journal_path.exists():
            for line in self.journal_path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:  # the last line of a killed run
                    continue
                self._apply(entry)
        for stale in self.root.rglob(".*.part"):
            stale.unlink()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder for one run; a second run on the same folder is refused."""
        with open(self.meta / "lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ValueError(f"{self.root}: another fetch is writing to this folder"
                                 ) from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- state -----------------------------------------------------------
    def _apply(self, entry: dict) -> None:
        if entry.get("kind") == "file":
            e = {k: v for k, v in entry.items() if k != "kind"}
            self.files[e["path"]] = e
            self.failures.pop(e["id"], None)
        elif entry.get("kind") == "failure":
            e = {k: v for k, v in entry.items() if k != "kind"}
            self.failures[e["id"]] = e
        elif entry.get("kind") == "run":
            self.runs.append({k: v for k, v in entry.items() if k != "kind"})

    def _journal(self, entry: dict) -> None:
        with open(self.journal_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True) + "\n")

    def has(self, rel: str) -> bool:
        """Whether ``rel`` is stored complete: recorded, on disk, same SHA-256."""
        entry = self.files.get(rel)
        path = self.root / rel
        if entry is None or not path.is_file():
            return False
        if path.stat().st_size != entry["bytes"]:
            return False
        return sha256(path.read_bytes()) == entry["sha256"]

    def save(self, rel: str, data: bytes, *, id: str, url: str,
             published: str | None = None) -> dict:
        """Store ``data`` at ``rel`` atomically and record it.

        Returns
        -------
        dict
            The manifest entry.
        """
        atomic_write(self.root / rel, data)
        entry = {"path": rel, "id": id, "url": url, "sha256": sha256(data),
                 "bytes": len(data), "published": published, "fetched": now()}
        with self._lock:
            self._journal({"kind": "file", **entry})
            self._apply({"kind": "file", **entry})
        return entry

    def fail(self, id: str, url: str | None, error: str) -> None:
        """Record that ``id`` could not be fetched."""
        entry = {"id": id, "url": url, "error": error, "at": now()}
        with self._lock:
            self._journal({"kind": "failure", **entry})
            self._apply({"kind": "failure", **entry})

    def finish(self, run: dict) -> None:
        """Add ``run`` and write the manifest; the journal is then emptied."""
        with self._lock:
            self.runs.append(run)
            manifest = {
                "format": "keino-metrics fetch manifest 1",
                "runs": self.runs,
                "files": sorted(self.files.values(), key=lambda f: f["path"]),
                "failures": sorted(self.failures.values(), key=lambda f: f["id"]),
            }
            atomic_write(self.manifest_path,
                         (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
            self.journal_path.unlink(missing_ok=True)

    def last_published(self) -> str | None:
        """The latest publication date (``YYYY-MM-DD``) among the stored files."""
        dates = [f["published"][:10] for f in self.files.values() if f.get("published")]
        return max(dates) if dates else None
