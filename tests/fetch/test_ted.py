"""keino_metrics.fetch.ted against the fake TED on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from keino_metrics.cli import main
from keino_metrics.fetch.manifest import Store, sha256
from keino_metrics.fetch.ted import TedQuery, fetch_ted, notice_path, package_id
from tests.fetch.conftest import QUICK
from tests.fetch.fake_services import FakeServices

ROOT = Path(__file__).resolve().parents[2]
RANGE = {"start": date(2018, 1, 1), "end": date(2024, 12, 31)}


def _stored(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.xml")
            if ".fetch" not in p.parts}


def _assert_identical(out: Path, notices: dict[str, dict]) -> None:
    stored = _stored(out)
    assert set(stored) == {notice_path(pn) for pn in notices}
    for pn, n in notices.items():
        assert stored[notice_path(pn)] == n["xml"], pn


def test_query_and_paths():
    q = TedQuery("FIN", date(2023, 1, 1), date(2024, 12, 31))
    assert q.expert() == ("buyer-country = FIN AND publication-date >= 20230101 AND "
                          "publication-date <= 20241231")
    assert notice_path("00525037-2024") == "2024/525037-2024.xml"
    assert package_id("170/2024") == "202400170"
    with pytest.raises(ValueError, match="alpha-3"):
        TedQuery("FI", date(2023, 1, 1), date(2023, 1, 2))
    with pytest.raises(ValueError, match="after"):
        TedQuery("FIN", date(2024, 1, 1), date(2023, 1, 2))


def test_multi_page_with_faults_is_byte_identical(ted, samples, tmp_path):
    pns = list(samples)
    ted.faults["/v3/notices/search"] = ["429", "503"]
    ted.faults[f"/en/notice/{pns[0]}/xml"] = ["429", "429"]
    ted.faults[f"/en/notice/{pns[1]}/xml"] = ["503"]
    ted.faults[f"/en/notice/{pns[2]}/xml"] = ["truncate"]
    ted.faults[f"/en/notice/{pns[3]}/xml"] = ["slow"]
    ted.faults[f"/en/notice/{pns[4]}/xml"] = ["empty202"]  # not retried: a failure
    out = tmp_path / "ted"
    run = fetch_ted(out, api_url=ted.url, settings=QUICK, page_size=10, progress=False,
                    **RANGE)
    n = len(samples)
    assert n > 10 and run["total"] == n and run["found"] == n
    # ceil(n / 10) pages with notices, one empty page that stops the search,
    # and the two faulted tries
    assert ted.counts["/v3/notices/search"] == -(-n // 10) + 1 + 2
    assert run["search_pages"] == -(-n // 10) + 1
    assert run["downloaded"] == n - 1 and run["failed"] == 1
    assert not (out / notice_path(pns[4])).exists()  # the empty answer was not stored
    manifest = json.loads((out / ".fetch" / "manifest.json").read_text())
    assert [f["id"] for f in manifest["failures"]] == [pns[4]]
    assert "HTTP 202" in manifest["failures"][0]["error"]
    # the next run fetches only what is missing
    before = ted.notice_gets()
    run2 = fetch_ted(out, api_url=ted.url, settings=QUICK, page_size=10, progress=False,
                     **RANGE)
    assert ted.notice_gets() - before == 1
    assert run2["downloaded"] == 1 and run2["skipped"] == n - 1 and run2["failures_open"] == 0
    _assert_identical(out, samples)
    manifest = json.loads((out / ".fetch" / "manifest.json").read_text())
    assert len(manifest["runs"]) == 2 and manifest["failures"] == []
    for f in manifest["files"]:
        assert sha256((out / f["path"]).read_bytes()) == f["sha256"]
        assert f["url"] == f"{ted.url}/en/notice/{f['id']}/xml"
    assert manifest["runs"][0]["query"].startswith("buyer-country = FIN AND")
    body = ted.search_bodies[0]
    assert body["scope"] == "ALL" and body["paginationMode"] == "ITERATION"
    assert "iterationNextToken" not in body  # the first page, tried three times
    assert ted.search_bodies[3]["iterationNextToken"] == "t10"


def test_second_run_downloads_nothing(ted, samples, tmp_path):
    out = tmp_path / "ted"
    fetch_ted(out, api_url=ted.url, settings=QUICK, page_size=25, progress=False, **RANGE)
    gets = ted.notice_gets()
    assert gets == len(samples)
    run = fetch_ted(out, api_url=ted.url, settings=QUICK, page_size=25, progress=False,
                    **RANGE)
    assert ted.notice_gets() == gets
    assert run["downloaded"] == 0 and run["skipped"] == len(samples)


def test_file_changed_on_disk_is_fetched_again(ted, samples, tmp_path):
    out = tmp_path / "ted"
    fetch_ted(out, api_url=ted.url, settings=QUICK, progress=False, **RANGE)
    victim = out / notice_path(next(iter(samples)))
    victim.write_bytes(victim.read_bytes() + b"\n")
    run = fetch_ted(out, api_url=ted.url, settings=QUICK, progress=False, **RANGE)
    assert run["downloaded"] == 1
    _assert_identical(out, samples)


def test_unsafe_or_foreign_bodies_are_not_stored(samples, tmp_path):
    bad = (ROOT / "tests" / "fixtures" / "malicious" / "billion_laughs.xml").read_bytes()
    notices = dict(list(samples.items())[:3])
    pns = list(notices)
    notices[pns[0]] = {**notices[pns[0]], "xml": bad}
    notices[pns[1]] = {**notices[pns[1]], "xml": b"<html><body>challenge</body></html>"}
    with FakeServices(notices) as fake:
        run = fetch_ted(tmp_path, api_url=fake.url, settings=QUICK, progress=False, **RANGE)
    assert run["downloaded"] == 1 and run["failed"] == 2
    store = Store(tmp_path)
    assert "entit" in store.failures[pns[0]]["error"]
    assert "not a notice" in store.failures[pns[1]]["error"]
    assert set(_stored(tmp_path)) == {notice_path(pns[2])}


def test_bulk_keeps_only_the_country(samples, tmp_path):
    items = list(samples.items())
    finnish = dict(items[::2])
    others = dict(items[1::2])
    with FakeServices(finnish, package_extra=others) as fake:
        fake.faults["*"] = ["503"]  # the first package download fails once
        run = fetch_ted(tmp_path, api_url=fake.url, settings=QUICK, bulk=True,
                        progress=False, **RANGE)
        packages = {p for p in fake.counts if p.startswith("/packages/daily/")}
        assert fake.notice_gets() == 0
        assert run["downloaded"] == len(finnish) and run["failed"] == 0
        _assert_identical(tmp_path, finnish)
        assert {package_id(n["ojs"]) for n in finnish.values()} == {
            p.rsplit("/", 1)[1] for p in packages}
        files = Store(tmp_path).files
        assert all("!" in f["url"] and "/packages/daily/" in f["url"] for f in files.values())
        assert not list((tmp_path / ".fetch" / "packages").iterdir())
        requests = sum(fake.counts[p] for p in packages)
        run2 = fetch_ted(tmp_path, api_url=fake.url, settings=QUICK, bulk=True,
                         progress=False, **RANGE)
        assert sum(fake.counts[p] for p in packages) == requests  # nothing downloaded again
        assert run2["skipped"] == len(finnish)


def test_since_last_starts_at_the_latest_stored_date(ted, samples, tmp_path):
    fetch_ted(tmp_path, api_url=ted.url, settings=QUICK, progress=False, **RANGE)
    latest = max(n["date"] for n in samples.values()).replace("-", "")
    fetch_ted(tmp_path, api_url=ted.url, settings=QUICK, progress=False, since_last=True,
              **RANGE)
    assert f"publication-date >= {latest} AND" in ted.search_bodies[-1]["query"]
    runs = json.loads((tmp_path / ".fetch" / "manifest.json").read_text())["runs"]
    assert runs[-1]["from"] == max(n["date"] for n in samples.values())


def test_cli_with_environment_url(ted, samples, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KEINO_TED_API_URL", ted.url)
    args = ["fetch", "ted", "--country", "FIN", "--from", "2018-01-01", "--to", "2024-12-31",
            "--out", str(tmp_path), "--rate", "1000", "--backoff", "0.01",
            "--retry-after-max", "0.05", "--page-size", "50"]
    assert main(args) == 0
    out = capsys.readouterr()
    assert f"found {len(samples)}, downloaded {len(samples)}" in out.out
    assert "User-Agent" not in out.err
    assert all(h.get("User-Agent", "").startswith("keino-metrics/") for h in ted.headers_seen)
    _assert_identical(tmp_path, samples)


def test_search_refused_is_a_clear_error(tmp_path, capsys):
    with FakeServices({}) as fake:
        fake.faults["/v3/notices/search"] = ["503"] * 10
        code = main(["fetch", "ted", "--from", "2023-01-01", "--to", "2023-01-31",
                     "--out", str(tmp_path), "--api-url", fake.url, "--attempts", "2",
                     "--backoff", "0.01", "--no-progress"])
    assert code == 1
    err = capsys.readouterr().err
    assert "/v3/notices/search: HTTP 503 (after 2 tries)" in err


def test_killed_run_resumes(samples, tmp_path):
    out = tmp_path / "ted"
    with FakeServices(dict(samples)) as fake:
        fake.delay = 0.05
        cmd = [sys.executable, "-m", "keino_metrics", "fetch", "ted", "--from", "2018-01-01",
               "--to", "2024-12-31", "--out", str(out), "--api-url", fake.url,
               "--rate", "1000", "--concurrency", "2", "--no-progress"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        journal = out / ".fetch" / "journal.jsonl"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if journal.exists() and journal.read_text().count("\n") >= 10:
                break
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert not (out / ".fetch" / "manifest.json").exists()  # it did not finish
        kept = len(Store(out).files)
        assert 10 <= kept < len(samples)
        before = fake.notice_gets()
        fake.delay = 0
        run = fetch_ted(out, api_url=fake.url, settings=QUICK, progress=False, **RANGE)
        assert fake.notice_gets() - before == len(samples) - kept
        assert run["skipped"] == kept and run["failures_open"] == 0
    _assert_identical(out, samples)
    assert not list(out.rglob(".*.part"))
