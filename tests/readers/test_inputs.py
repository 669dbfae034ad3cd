"""Input expansion: folders, globs, archives, hostile archives."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest

from keino_metrics.readers import inputs


def test_folder_walk_skips_hidden_and_documentation(tmp_path):
    (tmp_path / "a.xml").write_bytes(b"<a/>")
    (tmp_path / ".hidden.xml").write_bytes(b"<a/>")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    (tmp_path / "LICENSE").write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notice-1.xml").write_bytes(b"<b/>")
    labels = [i.label for i in inputs.iter_inputs(tmp_path)]
    assert labels == [str(tmp_path / "a.xml"), str(tmp_path / "sub" / "notice-1.xml")]
    # a file named explicitly is always read
    assert [i.label for i in inputs.iter_inputs(tmp_path / "README.md")] == [
        str(tmp_path / "README.md")]


def test_archives_are_recognised_by_content(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../evil.xml", b"<a/>")
        zf.writestr("dir/", b"")
    (tmp_path / "no-extension").write_bytes(buf.getvalue())
    (tmp_path / "x.tgz").write_bytes(gzip.compress(_tar({"n.xml": b"<n/>"})))
    items = list(inputs.iter_inputs(tmp_path))
    by = {i.label: i for i in items}
    assert by[f"{tmp_path / 'no-extension'}!../../evil.xml"].read() == b"<a/>"
    assert by[f"{tmp_path / 'x.tgz'}!n.xml"].read() == b"<n/>"
    assert not (tmp_path.parent / "evil.xml").exists()  # nothing is extracted


def test_truncated_archives_become_errors(tmp_path):
    (tmp_path / "t.zip").write_bytes(b"PK\x03\x04" + b"\0" * 40)
    (tmp_path / "t.gz").write_bytes(gzip.compress(b"<a/>" * 1000)[:30])
    items = list(inputs.iter_inputs(tmp_path))
    assert len(items) == 2 and all(i.error for i in items)


def test_oversized_members_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs.limits, "MAX_INPUT_BYTES", 100)  # read at call time
    (tmp_path / "big.tar").write_bytes(_tar({"big.xml": b"<a>" + b"x" * 500 + b"</a>"}))
    (item,) = inputs.iter_inputs(tmp_path)
    assert item.error and "larger than" in item.error


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_gzip_is_refused_while_it_streams(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs.limits, "MAX_INPUT_BYTES", 1 << 20)
    (tmp_path / "bomb.gz").write_bytes(gzip.compress(b"\0" * (8 << 20)))
    (tmp_path / "ok.gz").write_bytes(gzip.compress(b"<a/>"))
    bomb, ok = inputs.iter_inputs(tmp_path)
    assert bomb.error and "larger than the limit" in bomb.error and bomb.data is None
    assert ok.label.endswith("ok.gz!ok") and ok.read() == b"<a/>"


def test_zip_members_lying_about_their_size_are_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs.limits, "MAX_INPUT_BYTES", 1000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("small.xml", b"<a/>")
        zf.writestr("big.xml", b"\0" * 5000)
    (tmp_path / "a.zip").write_bytes(buf.getvalue())
    small, big = inputs.iter_inputs(tmp_path)
    assert small.read() == b"<a/>" and big.error and "larger than" in big.error


def test_archive_budget_stops_members_and_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs.limits, "MAX_ARCHIVE_MEMBERS", 3)
    (tmp_path / "many.tar").write_bytes(_tar({f"n{i}.xml": b"<a/>" for i in range(10)}))
    items = list(inputs.iter_inputs(tmp_path))
    assert [i.error is None for i in items] == [True, True, True, False]
    assert "members" in items[-1].error
    monkeypatch.setattr(inputs.limits, "MAX_ARCHIVE_MEMBERS", 100)
    monkeypatch.setattr(inputs.limits, "MAX_ARCHIVE_BYTES", 10)
    items = list(inputs.iter_inputs(tmp_path))
    assert len(items) == 3 and "bytes decompressed" in items[-1].error


def test_special_files_and_links_outside_the_folder_are_not_read(tmp_path):
    import os

    inside = tmp_path / "in"
    inside.mkdir()
    (inside / "a.xml").write_bytes(b"<a/>")
    secret = tmp_path / "secret.xml"
    secret.write_bytes(b"<secret/>")
    os.symlink(secret, inside / "leak.xml")
    os.symlink(inside / "a.xml", inside / "alias.xml")  # inside: read
    os.symlink("/dev/zero", inside / "zero.xml")
    os.mkfifo(inside / "pipe.xml")
    by = {os.path.basename(i.label): i for i in inputs.iter_inputs(inside)}
    assert by["a.xml"].read() == by["alias.xml"].read() == b"<a/>"
    assert "outside the folder" in by["leak.xml"].error
    assert "outside the folder" in by["zero.xml"].error
    assert "FIFO" in by["pipe.xml"].error
    (named,) = inputs.iter_inputs(inside / "pipe.xml")  # named explicitly: not opened to read
    assert "FIFO" in named.error
    (dev,) = inputs.iter_inputs("/dev/zero")
    assert "character device" in dev.error


def test_large_plain_files_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs.limits, "MAX_INPUT_BYTES", 100)
    (tmp_path / "big.xml").write_bytes(b"<a>" + b"x" * 500 + b"</a>")
    (item,) = inputs.iter_inputs(tmp_path)
    with pytest.raises(OSError, match="larger than the limit"):
        item.read()
