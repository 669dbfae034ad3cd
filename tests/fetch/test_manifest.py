"""keino_metrics.fetch.manifest: atomic files, the journal and the manifest."""

from __future__ import annotations

import json

import pytest

from keino_metrics.fetch.manifest import Store, atomic_write, sha256


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    atomic_write(tmp_path / "a" / "b.xml", b"<x/>")
    assert (tmp_path / "a" / "b.xml").read_bytes() == b"<x/>"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.xml"]


def test_journal_survives_an_unfinished_run(tmp_path):
    s = Store(tmp_path)
    s.save("2024/1-2024.xml", b"<a/>", id="1-2024", url="http://x/1", published="2024-01-02")
    s.fail("2-2024", "http://x/2", "HTTP 503 (after 6 tries)")
    # a kill: no finish(); the last journal line may be cut short, stale parts remain
    with open(tmp_path / ".fetch" / "journal.jsonl", "a") as fh:
        fh.write('{"kind": "file", "pa')
    (tmp_path / "2024" / ".3-2024.xml.1.2.part").write_bytes(b"<a")
    s2 = Store(tmp_path)
    assert s2.has("2024/1-2024.xml") and not s2.has("2024/3-2024.xml")
    assert s2.failures["2-2024"]["error"].startswith("HTTP 503")
    assert not list(tmp_path.rglob("*.part"))
    assert s2.last_published() == "2024-01-02"
    s2.finish({"source": "test"})
    m = json.loads((tmp_path / ".fetch" / "manifest.json").read_text())
    assert m["files"][0] == {**m["files"][0], "sha256": sha256(b"<a/>"), "bytes": 4,
                             "url": "http://x/1", "id": "1-2024"}
    assert not (tmp_path / ".fetch" / "journal.jsonl").exists()
    assert Store(tmp_path).has("2024/1-2024.xml")


def test_a_success_closes_the_failure_and_edits_are_noticed(tmp_path):
    s = Store(tmp_path)
    s.fail("1-2024", "http://x/1", "empty body (not stored)")
    s.save("2024/1-2024.xml", b"<a/>", id="1-2024", url="http://x/1")
    assert s.failures == {}
    (tmp_path / "2024" / "1-2024.xml").write_bytes(b"<b/>")  # same size, other bytes
    assert not s.has("2024/1-2024.xml")


def test_one_run_at_a_time(tmp_path):
    s = Store(tmp_path)
    with s.lock():
        with pytest.raises(ValueError, match="another fetch"), Store(tmp_path).lock():
            pass
    with Store(tmp_path).lock():  # free again
        pass
