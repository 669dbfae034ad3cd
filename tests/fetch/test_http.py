"""keino_metrics.fetch.http: what is retried, how long it waits, what is sent."""

from __future__ import annotations

import sys

import pytest
import tenacity

from keino_metrics.fetch.http import (
    USER_AGENT,
    Client,
    FetchError,
    RetryableStatus,
    Settings,
    retry_after_seconds,
)
from tests.fetch.conftest import QUICK
from tests.fetch.fake_services import FakeServices


def _state(attempt: int, exc: BaseException) -> tenacity.RetryCallState:
    state = tenacity.RetryCallState(retry_object=tenacity.Retrying(), fn=None, args=(),
                                    kwargs={})
    state.attempt_number = attempt
    try:
        raise exc
    except type(exc):
        state.set_exception(sys.exc_info())
    return state


def test_retry_after_forms():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("") is None and retry_after_seconds("later") is None


def test_wait_honours_retry_after_within_the_cap():
    c = Client(Settings(backoff_initial=0.1, backoff_max=1.0, retry_after_max=30.0))
    try:
        assert c._wait(_state(1, RetryableStatus("HTTP 429", 12.0))) == 12.0
        assert c._wait(_state(1, RetryableStatus("HTTP 429", 999.0))) == 30.0
        # without Retry-After: exponential backoff plus jitter below backoff_initial
        for attempt, base in ((1, 0.1), (2, 0.2), (3, 0.4), (8, 1.0)):
            w = c._wait(_state(attempt, RetryableStatus("HTTP 503")))
            assert base <= w <= base + 0.1
    finally:
        c.close()


def test_settings_are_checked():
    with pytest.raises(ValueError):
        Settings(rate=0)
    with pytest.raises(ValueError):
        Settings(concurrency=0)


def test_retries_429_503_and_truncation_then_succeeds(samples):
    pn, n = next(iter(samples.items()))
    with FakeServices({pn: n}) as fake, Client(QUICK) as c:
        path = f"/en/notice/{pn}/xml"
        fake.faults[path] = ["429", "503", "truncate"]
        r = c.get(fake.url + path)
        assert r.status == 200 and r.content == n["xml"]
        assert fake.counts[path] == 4 and c.retries == 3
        assert fake.headers_seen[0]["User-Agent"] == USER_AGENT


def test_gives_up_with_the_url_and_the_last_problem(samples):
    pn, n = next(iter(samples.items()))
    with FakeServices({pn: n}) as fake, Client(QUICK) as c:
        path = f"/en/notice/{pn}/xml"
        fake.faults[path] = ["503"] * 10
        with pytest.raises(FetchError, match=r"GET http://127.*/xml: HTTP 503 \(after 4 tries\)"):
            c.get(fake.url + path)
        assert fake.counts[path] == QUICK.attempts


def test_other_statuses_are_returned_not_retried(samples):
    with FakeServices({}) as fake, Client(QUICK) as c:
        r = c.get(fake.url + "/en/notice/1-2024/xml")
        assert r.status == 404 and fake.counts["/en/notice/1-2024/xml"] == 1


def test_download_streams_to_a_file(samples, tmp_path):
    n = next(iter(samples.values()))
    num, year = n["ojs"].split("/")
    pid = f"{year}{int(num):05d}"
    with FakeServices(dict(samples)) as fake, Client(QUICK) as c:
        fake.faults[f"/packages/daily/{pid}"] = ["truncate"]
        r = c.download(f"{fake.url}/packages/daily/{pid}", tmp_path / "p.tar.gz")
        assert r.status == 200
        assert (tmp_path / "p.tar.gz").read_bytes() == fake.package(pid)


def test_an_answer_slower_than_the_timeout_is_asked_again(samples):
    import dataclasses

    pn, n = next(iter(samples.items()))
    with FakeServices({pn: n}) as fake, Client(dataclasses.replace(QUICK, timeout=0.2)) as c:
        path = f"/en/notice/{pn}/xml"
        fake.faults[path] = ["slow"]  # 0.5 s before the answer
        assert c.get(fake.url + path).content == n["xml"]
        assert fake.counts[path] == 2 and c.retries == 1


def test_parallel_stops_at_the_first_error():
    from keino_metrics.fetch.http import parallel

    done = []

    def work(k: int) -> None:
        if k == 0:
            raise KeyError("refused")
        done.append(k)

    with pytest.raises(KeyError):
        parallel(work, [(k,) for k in range(200)], workers=1)
    assert len(done) < 199
