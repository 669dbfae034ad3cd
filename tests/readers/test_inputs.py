"""Input expansion: folders, globs, archives, hostile archives."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

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
