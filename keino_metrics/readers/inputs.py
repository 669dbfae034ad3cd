"""Expanding what the user names (files, folders, globs, archives) into inputs.

TED's bulk downloads come as ``.tar.gz`` packages of daily XML files (monthly
packages hold daily packages), other sources as ``.zip`` or ``.gz``. An input
is one file or one archive member, labelled ``path`` or
``archive!member``. Archives are recognised by their first bytes, not by
their names, and are opened lazily so that a folder of 100,000 files is a
stream, never a list of contents in memory. Python's ``zipfile``, ``tarfile``
and ``gzip`` do the unpacking; archive members are not extracted to disk, so
names such as ``../../etc/passwd`` in a hostile archive are only labels.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import re
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Input", "iter_inputs", "MAX_MEMBER_BYTES"]

#: Archive members larger than this (after decompression) are refused, so a
#: decompression bomb cannot exhaust memory.
MAX_MEMBER_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Input:
    """One input: a path to read, or bytes already taken from an archive.

    ``error`` is set when the input could not be opened (a truncated archive,
    an oversized member); the reader then quarantines it.
    """

    label: str
    path: str | None = None
    data: bytes | None = None
    error: str | None = None

    def read(self) -> bytes:
        """The input's bytes."""
        if self.data is not None:
            return self.data
        fd = os.open(self.path, os.O_RDONLY)  # type: ignore[arg-type]
        try:
            size = os.fstat(fd).st_size
            parts = [os.read(fd, max(size, 1))]
            while parts[-1]:  # until end of file (a file may grow or be a pipe)
                parts.append(os.read(fd, 1 << 20))
        finally:
            os.close(fd)
        return parts[0] if len(parts) == 2 else b"".join(parts)


_GLOB = set("*?[")


def _expand(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> Iterator[str]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for p in paths:
        s = os.fspath(p)
        if _GLOB & set(s):
            hits = sorted(glob.glob(s, recursive=True))
            if not hits:
                raise FileNotFoundError(f"{s}: the pattern matches no file")
            yield from hits
        elif os.path.exists(s):
            yield s
        else:
            raise FileNotFoundError(f"{s}: no such file or folder")


#: Files skipped when walking a folder (documentation that travels with data).
#: A file named explicitly is always read.
DOC_FILES = re.compile(r"^(readme|licen[cs]e|copying)([._-].*)?$|"
                       r"\.(md|rst|txt|pdf|html?)$", re.I)


def _walk(path: str) -> Iterator[str]:
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if not f.startswith(".") and not DOC_FILES.search(f):
                    yield os.path.join(root, f)
    else:
        yield path


def _is_archive(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


def _is_workbook(zf: zipfile.ZipFile) -> bool:
    """Whether a zip is an Excel workbook (``.xlsx``), which is one input, not an archive."""
    names = set(zf.namelist())
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _members(label: str, fileobj, kind: str, depth: int) -> Iterator[Input]:
    try:
        if kind == "zip":
            with zipfile.ZipFile(fileobj) as zf:
                if _is_workbook(zf):
                    fileobj.seek(0)
                    yield Input(label, data=fileobj.read(MAX_MEMBER_BYTES))
                    return
                for info in zf.infolist():
                    if info.is_dir():
                        continue
                    name = f"{label}!{info.filename}"
                    if info.file_size > MAX_MEMBER_BYTES:
                        yield Input(name, error=f"member larger than {MAX_MEMBER_BYTES} bytes")
                        continue
                    try:
                        data = zf.read(info)
                    except (zipfile.BadZipFile, OSError, EOFError) as exc:
                        yield Input(name, error=f"cannot read archive member: {exc}")
                        continue
                    yield from _from_bytes(name, data, depth + 1)
        elif kind in ("tar", "gzip"):
            raw = fileobj.read(MAX_MEMBER_BYTES + 1) if kind == "gzip" else None
            if kind == "gzip":
                try:
                    data = gzip.decompress(raw) if raw is not None else b""
                except (OSError, EOFError) as exc:
                    yield Input(label, error=f"truncated or corrupt gzip data: {exc}")
                    return
                if len(data) > MAX_MEMBER_BYTES:
                    yield Input(label, error=f"decompressed size over {MAX_MEMBER_BYTES} bytes")
                    return
                if _is_archive(data[:512]) == "tar":
                    yield from _members(label, io.BytesIO(data), "tar", depth)
                    return
                stem = label.rsplit("!", 1)[-1]
                stem = os.path.basename(stem)
                stem = stem[:-3] if stem.lower().endswith(".gz") else stem
                yield from _from_bytes(f"{label}!{stem}", data, depth + 1)
                return
            with tarfile.open(fileobj=fileobj, mode="r:") as tf:
                for m in tf:
                    if not m.isfile():
                        continue
                    name = f"{label}!{m.name}"
                    if m.size > MAX_MEMBER_BYTES:
                        yield Input(name, error=f"member larger than {MAX_MEMBER_BYTES} bytes")
                        continue
                    fh = tf.extractfile(m)
                    data = fh.read() if fh is not None else b""
                    yield from _from_bytes(name, data, depth + 1)
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as exc:
        yield Input(label, error=f"truncated or corrupt {kind} archive: {exc}")


def _from_bytes(label: str, data: bytes, depth: int) -> Iterator[Input]:
    kind = _is_archive(data[:512])
    if kind and depth < 3:
        yield from _members(label, io.BytesIO(data), kind, depth)
    else:
        yield Input(label, data=data)


def _head(path: str) -> bytes:
    """The first 512 bytes of a file (``os.read``: no buffered file object,
    a third of the cost per file, which counts when a folder holds 100,000)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 512)
    finally:
        os.close(fd)


def iter_inputs(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> Iterator[Input]:
    """Yield every input named by ``paths``, in a stable order.

    Parameters
    ----------
    paths : path, glob or list of them
        Files, folders (read recursively; hidden files and documentation
        such as ``README*``, ``LICENSE*``, ``*.md``, ``*.txt`` skipped), glob
        patterns (``**`` allowed) and archives (``.zip``, ``.gz``, ``.tar``,
        ``.tar.gz``, nested up to three levels), recognised by content.

    Raises
    ------
    FileNotFoundError
        When a path does not exist or a pattern matches nothing.
    """
    for top in _expand(paths):
        for path in _walk(top):
            try:
                head = _head(path)
            except OSError as exc:
                yield Input(path, error=f"cannot open file: {exc}")
                continue
            kind = _is_archive(head)
            if kind is None:
                yield Input(path, path=path)
                continue
            with open(path, "rb") as fh:
                yield from _members(path, fh, kind, 0)
