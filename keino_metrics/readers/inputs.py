"""Expanding what the user names (files, folders, globs, archives) into inputs.

TED's bulk downloads come as ``.tar.gz`` packages of daily XML files (monthly
packages hold daily packages), other sources as ``.zip`` or ``.gz``. An input
is one file or one archive member, labelled ``path`` or
``archive!member``. Archives are recognised by their first bytes, not by
their names, and are opened lazily so that a folder of 100,000 files is a
stream, never a list of contents in memory. Python's ``zipfile``, ``tarfile``
and ``gzip`` do the unpacking; archive members are not extracted to disk, so
names such as ``../../etc/passwd`` in a hostile archive are only labels.

Every limit of :mod:`keino_metrics.readers.limits` is enforced while the bytes
stream in, never after something was held whole: a file, member or
decompressed stream is read up to ``MAX_INPUT_BYTES`` plus one byte and
refused when that byte is there; an archive (nested ones included) stops at
``MAX_ARCHIVE_BYTES`` decompressed or ``MAX_ARCHIVE_MEMBERS`` members. Only
regular files are read: a FIFO, socket or device is refused without being
opened for reading, and in a folder a symbolic link that leads outside the
folder named by the user is refused, not followed.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from keino_metrics.readers import limits

__all__ = ["Input", "iter_inputs", "read_limited"]

_BLOCK = 1 << 20  # read size for files that grow while they are read


class InputRefused(OSError):
    """An input that is not read: not a regular file, or past a limit."""


@dataclass(frozen=True)
class Input:
    """One input: a path to read, or bytes already taken from an archive.

    ``error`` is set when the input could not be opened (a truncated archive,
    an oversized member, a special file); the reader then quarantines it.
    """

    label: str
    path: str | None = None
    data: bytes | None = None
    error: str | None = None

    @property
    def size(self) -> int:
        """Bytes held in memory by this input (0 for a path)."""
        return len(self.data) if self.data is not None else 0

    def read(self) -> bytes:
        """The input's bytes.

        Raises
        ------
        OSError
            When the file cannot be read, is not a regular file, or is larger
            than :data:`~keino_metrics.readers.limits.MAX_INPUT_BYTES`.
        """
        if self.data is not None:
            return self.data
        # O_NONBLOCK: opening a FIFO that was put in place of a file must not hang
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # type: ignore[arg-type]
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise InputRefused(f"not a regular file ({_kind(st.st_mode)})")
            limit = limits.MAX_INPUT_BYTES
            if st.st_size > limit:
                raise InputRefused(f"file of {st.st_size:,} bytes is larger than the limit "
                                   f"of {limit:,} bytes (KEINO_LIMIT_MAX_INPUT_BYTES)")
            parts = [os.read(fd, max(st.st_size, 1))]
            total = len(parts[0])
            while parts[-1]:  # until end of file (a file may grow while it is read)
                parts.append(os.read(fd, _BLOCK))
                total += len(parts[-1])
                if total > limit:
                    raise InputRefused(f"file grew past the limit of {limit:,} bytes while "
                                       "it was read")
        finally:
            os.close(fd)
        return parts[0] if len(parts) == 2 else b"".join(parts)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def read_limited(stream, limit: int) -> bytes | None:
    """The rest of ``stream``, or ``None`` when it holds more than ``limit`` bytes.

    One ``read(limit + 1)``: the decompressing streams of ``zipfile``,
    ``tarfile`` and ``gzip`` then stop after ``limit + 1`` bytes, and the
    result is built in place rather than joined from blocks, so a member
    costs its size in memory once.
    """
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


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
        elif os.path.lexists(s):
            yield s
        else:
            raise FileNotFoundError(f"{s}: no such file or folder")


#: Files skipped when walking a folder (documentation that travels with data).
#: A file named explicitly is always read.
DOC_FILES = re.compile(r"^(readme|licen[cs]e|copying)([._-].*)?$|"
                       r"\.(md|rst|txt|pdf|html?)$", re.I)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _walk(path: str) -> Iterator[str | Input]:
    """Files under ``path`` (or ``path`` itself), or an :class:`Input` error for
    a link that leads outside the folder."""
    if not os.path.isdir(path):
        yield path
        return
    root = os.path.realpath(path)
    # os.walk does not follow links to folders; links to files are checked here
    for top, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.startswith(".") or DOC_FILES.search(f):
                continue
            full = os.path.join(top, f)
            if os.path.islink(full):
                target = os.path.realpath(full)
                if not _inside(target, root):
                    yield Input(full, error=f"symbolic link to {target}, outside the folder "
                                            f"{path}: not followed")
                    continue
            yield full


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


@dataclass
class _Budget:
    """What one archive named by the user (nested archives included) may yield."""

    label: str
    members: int = 0
    bytes: int = 0

    def take(self, size: int) -> str | None:
        """Count one member of ``size`` bytes; the reason to stop, if any."""
        self.members += 1
        self.bytes += size
        if self.members > limits.MAX_ARCHIVE_MEMBERS:
            return (f"more than {limits.MAX_ARCHIVE_MEMBERS:,} members "
                    "(KEINO_LIMIT_MAX_ARCHIVE_MEMBERS); the rest is not read")
        if self.bytes > limits.MAX_ARCHIVE_BYTES:
            return (f"more than {limits.MAX_ARCHIVE_BYTES:,} bytes decompressed "
                    "(KEINO_LIMIT_MAX_ARCHIVE_BYTES); the rest is not read")
        return None


def _too_big(name: str, size: int | None = None) -> Input:
    what = f"member of {size:,} bytes is" if size is not None else "decompressed member is"
    return Input(name, error=f"{what} larger than the limit of {limits.MAX_INPUT_BYTES:,} "
                             "bytes (KEINO_LIMIT_MAX_INPUT_BYTES)")


class _Stop(Exception):
    """The archive's budget is spent."""


def _member(name: str, data: bytes | None, declared: int | None, depth: int,
            budget: _Budget) -> Iterator[Input]:
    stop = budget.take(len(data) if data is not None else (declared or 0))
    if stop:
        yield Input(name, error=stop)
        raise _Stop
    if data is None:
        yield _too_big(name, declared)
        return
    yield from _from_bytes(name, data, depth + 1, budget)


def _members(label: str, fileobj, kind: str, depth: int, budget: _Budget) -> Iterator[Input]:
    limit = limits.MAX_INPUT_BYTES
    try:
        if kind == "zip":
            with zipfile.ZipFile(fileobj) as zf:
                if _is_workbook(zf):
                    fileobj.seek(0)
                    data = read_limited(fileobj, limit)
                    yield _too_big(label) if data is None else Input(label, data=data)
                    return
                for info in zf.infolist():
                    if info.is_dir():
                        continue
                    name = f"{label}!{info.filename}"
                    if info.file_size > limit:
                        yield from _member(name, None, info.file_size, depth, budget)
                        continue
                    try:
                        with zf.open(info) as fh:
                            data = read_limited(fh, limit)
                    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError,
                            RuntimeError, ValueError) as exc:
                        yield Input(name, error=f"cannot read archive member: {exc}")
                        continue
                    yield from _member(name, data, None, depth, budget)
                    data = None  # not held while the next member is read
        elif kind == "gzip":
            head = gzip.GzipFile(fileobj=fileobj, mode="rb").read(512)
            fileobj.seek(0)
            gz = gzip.GzipFile(fileobj=fileobj, mode="rb")
            if _is_archive(head) == "tar":
                yield from _members(label, gz, "tar", depth, budget)
                return
            data = read_limited(gz, limit)
            stem = os.path.basename(label.rsplit("!", 1)[-1])
            stem = stem[:-3] if stem.lower().endswith(".gz") else stem
            yield from _member(f"{label}!{stem}", data, None, depth, budget)
        else:  # tar, read as a stream: members in order, nothing held but the current one
            with tarfile.open(fileobj=fileobj, mode="r|") as tf:
                for m in tf:
                    if not m.isfile():
                        continue
                    name = f"{label}!{m.name}"
                    if m.size > limit:
                        yield from _member(name, None, m.size, depth, budget)
                        continue
                    fh = tf.extractfile(m)
                    data = read_limited(fh, limit) if fh is not None else b""
                    yield from _member(name, data, None, depth, budget)
                    data = None  # not held while the next member is read
    except _Stop:
        if depth:
            raise
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError,
            zlib.error) as exc:
        yield Input(label, error=f"truncated or corrupt {kind} archive: {exc}")


def _from_bytes(label: str, data: bytes, depth: int, budget: _Budget) -> Iterator[Input]:
    kind = _is_archive(data[:512])
    if kind and depth < limits.MAX_ARCHIVE_DEPTH:
        yield from _members(label, io.BytesIO(data), kind, depth, budget)
    else:
        yield Input(label, data=data)


def _head(path: str) -> tuple[bytes | None, str | None]:
    """The first 512 bytes of a regular file, else the reason it is refused.

    ``os.read`` (no buffered file object) is a third of the cost per file,
    which counts when a folder holds 100,000; ``O_NONBLOCK`` keeps a FIFO
    from blocking the open.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, f"not a regular file ({_kind(st.st_mode)}): not read"
        return os.read(fd, 512), None
    finally:
        os.close(fd)


def iter_inputs(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> Iterator[Input]:
    """Yield every input named by ``paths``, in a stable order.

    Parameters
    ----------
    paths : path, glob or list of them
        Files, folders (read recursively; hidden files and documentation
        such as ``README*``, ``LICENSE*``, ``*.md``, ``*.txt`` skipped; links
        leading outside the folder refused), glob patterns (``**`` allowed)
        and archives (``.zip``, ``.gz``, ``.tar``, ``.tar.gz``, nested up to
        ``limits.MAX_ARCHIVE_DEPTH`` levels), recognised by content.

    Raises
    ------
    FileNotFoundError
        When a path does not exist or a pattern matches nothing.
    """
    for top in _expand(paths):
        for path in _walk(top):
            if isinstance(path, Input):
                yield path
                continue
            try:
                head, refused = _head(path)
            except OSError as exc:
                yield Input(path, error=f"cannot open file: {exc}")
                continue
            if refused:
                yield Input(path, error=refused)
                continue
            kind = _is_archive(head)
            if kind is None:
                yield Input(path, path=path)
                continue
            try:
                with open(path, "rb") as fh:
                    yield from _members(path, fh, kind, 0, _Budget(path))
            except OSError as exc:
                yield Input(path, error=f"cannot open archive: {exc}")
