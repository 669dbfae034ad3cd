"""HTTP client of the fetchers: identification, rate limit, concurrency, retries.

httpx does the HTTP and tenacity the retries (exponential backoff with
jitter); this module only chooses what is retried and how long to wait. A
request is retried on HTTP 429 and 5xx, on timeouts and transport errors and
on a body shorter than its ``Content-Length`` (a truncated answer). When the
service sends ``Retry-After`` (seconds or an HTTP date) the wait is at least
that long, capped at :attr:`Settings.retry_after_max`. Other statuses are
returned to the caller, which decides (a 404 is a failure of that file, a
401/403 a refused key).

The rate limit is one token bucket shared by every thread of a client: at
most :attr:`Settings.rate` requests start per second, whatever the number of
threads (:attr:`Settings.concurrency`) waiting on answers.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import tenacity

from keino_metrics import __version__

__all__ = ["Settings", "Client", "Response", "RetryableStatus", "FetchError", "USER_AGENT",
           "retry_after_seconds", "parallel"]

#: Sent with every request, so that the services can tell who is asking.
USER_AGENT = (f"keino-metrics/{__version__} (+https://github.com/keino-metrics/keino-metrics; "
              "procurement statistics research)")

#: Statuses worth asking again.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """A request that failed for good (after the retries), with the URL it was for."""


class RetryableStatus(Exception):
    """An answer that is retried: a retryable status or a truncated body."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Settings:
    """How politely and how persistently a client asks.

    Attributes
    ----------
    rate : float
        Requests started per second at most (all threads together).
    concurrency : int
        Requests in flight at most.
    attempts : int
        Tries per request (first try included).
    backoff_initial, backoff_max : float
        Exponential backoff in seconds: first wait and ceiling (jitter is
        added, up to ``backoff_initial``).
    retry_after_max : float
        Longest ``Retry-After`` honoured, in seconds.
    timeout : float
        Seconds to connect and between bytes read.
    user_agent : str
        The ``User-Agent`` header.
    """

    rate: float = 2.0
    concurrency: int = 4
    attempts: int = 6
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    retry_after_max: float = 300.0
    timeout: float = 60.0
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.concurrency < 1 or self.attempts < 1:
            raise ValueError("rate must be > 0, concurrency and attempts at least 1")


@dataclass
class Response:
    """A complete answer: status, headers and the whole body."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes = field(repr=False)

    def json_body(self) -> object:
        """The body parsed as JSON (``ValueError`` when it is not JSON)."""
        return json.loads(self.content)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date).

    Examples
    --------
    >>> retry_after_seconds("3"), retry_after_seconds(None), retry_after_seconds("soon")
    (3.0, None, None)
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _Bucket:
    """Token bucket: ``acquire`` blocks until a request may start."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:
            time.sleep(start - now)


class Client:
    """A polite HTTP client shared by the threads of one fetch.

    Parameters
    ----------
    settings : Settings
    headers : mapping, optional
        Extra headers for every request (for example an API key; they are
        never logged or put into messages).
    """

    def __init__(self, settings: Settings | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        self.settings = s = settings or Settings()
        self._bucket = _Bucket(s.rate)
        self._slots = threading.BoundedSemaphore(s.concurrency)
        self._http = httpx.Client(
            headers={"User-Agent": s.user_agent, **(headers or {})},
            timeout=httpx.Timeout(s.timeout), follow_redirects=True,
            limits=httpx.Limits(max_connections=s.concurrency))
        self._backoff = tenacity.wait_exponential_jitter(
            multiplier=s.backoff_initial, max=s.backoff_max, jitter=s.backoff_initial)
        self.retries = 0
        self._count_lock = threading.Lock()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- one try ---------------------------------------------------------
    def _once(self, method: str, url: str, json: object | None) -> Response:
        self._bucket.acquire()
        with self._slots:
            r = self._http.request(method, url, json=json)
        body = r.content
        if r.status_code in RETRY_STATUSES:
            raise RetryableStatus(f"HTTP {r.status_code}",
                                  retry_after_seconds(r.headers.get("Retry-After")))
        declared = r.headers.get("Content-Length")
        if (declared and declared.isdigit() and "Content-Encoding" not in r.headers
                and int(declared) != len(body)):
            raise RetryableStatus(f"truncated body: {len(body)} of {declared} bytes")
        return Response(str(r.url), r.status_code, dict(r.headers), body)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        s = self.settings
        wait = self._backoff(state)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
            wait = max(wait, min(exc.retry_after, s.retry_after_max))
        return wait

    def _count_retry(self, state: tenacity.RetryCallState) -> None:
        with self._count_lock:
            self.retries += 1

    def _retrying(self) -> tenacity.Retrying:
        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.settings.attempts), wait=self._wait,
            retry=tenacity.retry_if_exception_type(
                (RetryableStatus, httpx.TransportError, httpx.DecodingError)),
            before_sleep=self._count_retry, reraise=True)

    def request(self, method: str, url: str, json: object | None = None) -> Response:
        """Send a request, retrying as the module describes.

        Returns
        -------
        Response
            A complete answer whose status is not retryable (it may be 4xx).

        Raises
        ------
        FetchError
            When every try failed; the message names the URL and the last
            problem (never the request headers).
        """
        retrying = self._retrying()
        try:
            return retrying(self._once, method, url, json)
        except (RetryableStatus, httpx.HTTPError) as exc:
            raise FetchError(f"{method} {url}: {_describe(exc)} "
                             f"(after {self.settings.attempts} tries)") from None

    def _once_to_file(self, url: str, dest: Path) -> Response:
        self._bucket.acquire()
        with self._slots, self._http.stream("GET", url) as r:
            if r.status_code in RETRY_STATUSES:
                raise RetryableStatus(f"HTTP {r.status_code}",
                                      retry_after_seconds(r.headers.get("Retry-After")))
            size = 0
            with open(dest, "wb") as fh:
                for block in r.iter_raw(1 << 20):
                    fh.write(block)
                    size += len(block)
            declared = r.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) != size:
                raise RetryableStatus(f"truncated body: {size} of {declared} bytes")
            return Response(str(r.url), r.status_code, dict(r.headers), b"")

    def download(self, url: str, dest: Path) -> Response:
        """``GET url`` with the body streamed into ``dest`` (large files).

        Retries as :meth:`request`; the returned response has an empty
        ``content`` and ``dest`` holds the body as sent (not decoded).
        """
        retrying = self._retrying()
        try:
            return retrying(self._once_to_file, url, dest)
        except (RetryableStatus, httpx.HTTPError) as exc:
            raise FetchError(f"GET {url}: {_describe(exc)} "
                             f"(after {self.settings.attempts} tries)") from None

    def get(self, url: str) -> Response:
        """``GET url`` (see :meth:`request`)."""
        return self.request("GET", url)

    def post_json(self, url: str, body: object) -> Response:
        """``POST url`` with a JSON body (see :meth:`request`)."""
        return self.request("POST", url, json=body)


def parallel(fn: Callable[..., None], calls: Iterable[tuple], workers: int) -> None:
    """Run ``fn(*args)`` for every ``args`` of ``calls`` on ``workers`` threads.

    The first exception (a refused key, Ctrl-C) cancels the calls not yet
    started and is raised once the running ones have ended; what they stored
    stays stored.
    """
    with ThreadPoolExecutor(workers) as pool:
        jobs = [pool.submit(fn, *args) for args in calls]
        try:
            for job in jobs:
                job.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if not isinstance(exc, RetryableStatus) else str(exc)
