"""Files written whole or not at all.

Every output of the project (report pages, figures, tables, metadata, cached
contents, fetched notices) is first written to a hidden temporary file in the
target's folder, flushed to disk and then renamed over the target, so that a
reader, or a run that was interrupted, never meets half a file.

The standard library's ``os.replace`` is atomic on one file system; what it
lacks is the temporary name beside the target and the clean-up on failure,
which is what these few lines add.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["replacing", "write_bytes", "write_text"]


@contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write ``path`` through; renamed over ``path`` on success.

    The temporary file keeps the target's suffix (writers such as matplotlib
    and xlsxwriter choose the format from it). If the block raises, the
    temporary file is removed and ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with replacing(target) as tmp:
    ...     _ = tmp.write_text("whole")
    >>> target.read_text()
    'whole'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.{threading.get_ident()}.part"
                           f"{target.suffix}")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # the bytes reach the disk before the rename
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all and return the path."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` whole or not at all and return the path."""
    return write_bytes(path, text.encode(encoding))
