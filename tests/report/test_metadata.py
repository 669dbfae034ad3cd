import hashlib
import json

from keino_metrics.report import metadata


def test_hashes_match_the_files(tmp_path, small_dataset):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.parquet").write_bytes(b"alpha")
    (tmp_path / "data" / "sub").mkdir()
    (tmp_path / "data" / "sub" / "b.xml").write_bytes(b"beta")
    (tmp_path / "data" / ".hidden").write_bytes(b"x")
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "s.xml").write_bytes(b"sample")
    lock = tmp_path / "lock.txt"
    lock.write_text("pandas==3\n")
    meta = metadata.collect(year=2025, languages=["fi", "en"], seed=7,
                            data_dir=tmp_path / "data", data=small_dataset,
                            samples_dir=tmp_path / "samples", lock_file=lock)
    files = meta["inputs"]["data_dir"]
    assert [f["path"].rsplit("/", 1)[-1] for f in files] == ["a.parquet", "b.xml"]
    for f, content in zip(files, (b"alpha", b"beta"), strict=True):
        assert f["sha256"] == hashlib.sha256(content).hexdigest()
        assert f["bytes"] == len(content)
    assert meta["inputs"]["samples"][0]["sha256"] == hashlib.sha256(b"sample").hexdigest()
    assert meta["lock_file"]["sha256"] == hashlib.sha256(b"pandas==3\n").hexdigest()
    assert meta["parameters"] == {"year": 2025, "language": ["fi", "en"], "seed": 7,
                                  "data_dir": (tmp_path / "data").resolve().as_posix()}
    assert meta["seed"] == 7 and meta["demo"] is True
    assert meta["row_counts"]["notices"] == 3 and meta["row_counts"]["lots"] == 4
    assert meta["packages"]["pandas"] != "not installed"
    assert meta["git_revision"]
    json.dumps(meta)
    again = metadata.collect(year=2025, languages=["fi", "en"], seed=7,
                             data_dir=tmp_path / "data", data=small_dataset,
                             samples_dir=tmp_path / "samples", lock_file=lock)
    assert again == meta


def test_digest_is_order_independent():
    a = [{"path": "x", "sha256": "1"}, {"path": "y", "sha256": "2"}]
    assert metadata.digest(a) == metadata.digest(list(reversed(a)))
    assert metadata.digest(a) != metadata.digest(a[:1])


def test_git_revision_outside_git_is_unknown(tmp_path):
    assert metadata.git_revision(tmp_path) == "unknown"


def test_write_is_sorted_json(tmp_path):
    p = metadata.write({"b": 1, "a": {"d": 2, "c": 3}}, tmp_path / "m.json")
    assert p.read_text() == '{\n  "a": {\n    "c": 3,\n    "d": 2\n  },\n  "b": 1\n}\n'
