"""A stand-in for TED's and Hilma's services on 127.0.0.1, for offline tests.

It answers with the shapes the fetchers rely on (see docs/fetch.md), serves
real notice XML from ``data/raw/samples``, counts every request by path and
injects faults on request: ``429`` (with ``Retry-After``), ``503``,
``truncate`` (a ``Content-Length`` larger than the bytes sent, then the
connection is closed), ``empty202`` (HTTP 202 with an empty body, as TED's
firewall answers a client it challenges) and ``slow`` (a pause before the
answer). Faults are queued per path and used one per request.
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys
import tarfile
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "raw" / "samples"
FINNISH = "2024-OJS170-00525037.xml"


def _first(pattern: bytes, data: bytes) -> str | None:
    m = re.search(pattern, data)
    return m.group(1).decode() if m else None


def sample_notices() -> dict[str, dict]:
    """Real TED notices of the samples: publication number -> xml, date, OJ S issue."""
    out: dict[str, dict] = {}
    for path in sorted(SAMPLES.glob("ted-*/*.xml")):
        if "modif" in path.name:  # an edited copy of another notice
            continue
        xml = path.read_bytes()
        pn = _first(rb"NoticePublicationID[^>]*>0*(\d+-\d{4})<", xml) or _first(
            rb"DOC_ID=\"(\d+-\d{4})\"", xml)
        number, year = pn.split("-")
        pn = f"{int(number)}-{year}"  # as TED's search writes it: no leading zeros
        if path.parent.name == "ted-eforms":
            day = _first(rb"PublicationDate>(\d{4}-\d\d-\d\d)", xml)
            ojs = _first(rb"GazetteID[^>]*>(\d+/\d{4})<", xml)
        else:
            d = _first(rb"<DATE_PUB>(\d{8})", xml)
            day = f"{d[:4]}-{d[4:6]}-{d[6:]}"
            m = re.search(rb"NO_DOC_OJS>(\d{4})/S (\d+)-", xml)
            ojs = f"{int(m.group(2))}/{m.group(1).decode()}"
        out[pn] = {"xml": xml, "date": day, "ojs": ojs, "file": path.name,
                   "eforms": path.parent.name == "ted-eforms"}
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # a client that hangs up (a killed fetch, a truncated answer) is expected
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class FakeServices:
    """TED (search, notice XML, daily packages) and Hilma (search, read API).

    Parameters
    ----------
    notices : dict
        Publication number -> ``{"xml", "date", "ojs", "eforms"}``: what the
        TED search returns (in this order) and what the notice URLs serve.
    package_extra : dict, optional
        Further notices put into the daily packages only (another country's).
    hilma : dict, optional
        Hilma notice id -> ``{"json": bytes, "date": str}``.
    key : str
        The Hilma subscription key accepted.
    """

    def __init__(self, notices: dict[str, dict], package_extra: dict[str, dict] | None = None,
                 hilma: dict[str, dict] | None = None, key: str = "k") -> None:
        self.notices = notices
        self.package_extra = package_extra or {}
        self.hilma = hilma or {}
        self.key = key
        self.counts: Counter[str] = Counter()
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.delay = 0.0
        self.retry_after = "1"
        self.search_bodies: list[dict] = []
        self.headers_seen: list[dict] = []
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeServices:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def notice_gets(self) -> int:
        """Requests for notice XML so far."""
        return sum(n for p, n in self.counts.items() if p.startswith("/en/notice/"))

    def package(self, pid: str) -> bytes:
        """The daily package ``pid`` (gzipped tar) built from the notices of that issue."""
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for pn, n in sorted({**self.notices, **self.package_extra}.items()):
                num, year = n["ojs"].split("/")
                if f"{year}{int(num):05d}" != pid:
                    continue
                number, pyear = pn.split("-")
                # eForms members as TED names them; legacy members by another name,
                # so that the publication number has to be read from the content
                name = (f"{number.zfill(8)}_{pyear}.xml" if n["eforms"]
                        else f"{pn}-legacy.xml")
                info = tarfile.TarInfo(f"{n['date'].replace('-', '')}_{num}/{name}")
                info.size = len(n["xml"])
                tar.addfile(info, io.BytesIO(n["xml"]))
        return buf.getvalue()

    # -- the handler ----------------------------------------------------
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def _send(self, status: int, body: bytes, ctype: str = "application/json",
                      headers: dict | None = None, length: int | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _fault(self, path: str, body: bytes, ctype: str) -> bool:
                with fake.lock:
                    fake.counts[path] += 1
                    fake.headers_seen.append(dict(self.headers))
                    queue = fake.faults.get(path) or fake.faults.get("*")
                    fault = queue.pop(0) if queue else None
                if fake.delay:  # after counting: a request is counted when it arrives
                    time.sleep(fake.delay)
                if fault == "429":
                    self._send(429, b"Too many requests", "text/plain",
                               {"Retry-After": fake.retry_after})
                elif fault == "503":
                    self._send(503, b'{"message":"unavailable"}')
                elif fault == "empty202":
                    self._send(202, b"", "text/plain", {"x-amzn-waf-action": "challenge"})
                elif fault == "truncate":
                    self._send(200, body[: len(body) // 2], ctype, length=len(body))
                    self.wfile.flush()
                    self.close_connection = True
                elif fault == "slow":
                    time.sleep(0.5)
                    return False
                else:
                    return False
                return True

            def _body(self) -> dict:
                n = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(n) or b"{}")

            def do_POST(self) -> None:
                body = self._body()
                if self.path == "/v3/notices/search":
                    return self._ted_search(body)
                if self.path == "/avp/eformnotices/docs/search":
                    return self._hilma_search(body)
                self._send(404, b'{"message":"not found"}')

            def _ted_search(self, body: dict) -> None:
                with fake.lock:
                    fake.search_bodies.append(body)
                if (not body.get("fields") or body.get("scope") != "ALL"
                        or body.get("paginationMode") != "ITERATION"):
                    return self._send(400, b'{"message":"Validation error"}')
                token = body.get("iterationNextToken") or "t0"
                start, limit = int(token[1:]), min(int(body.get("limit", 10)), 250)
                items = list(fake.notices.items())[start:start + limit]
                page = {"notices": [
                    {"publication-number": pn, "publication-date": n["date"] + "+01:00",
                     "ojs-number": n["ojs"],
                     "links": {"xml": {"MUL": f"{fake.url}/en/notice/{pn}/xml"}}}
                    for pn, n in items],
                    "totalNoticeCount": len(fake.notices),
                    # like TED: a token even on the last and on the empty page
                    "iterationNextToken": f"t{start + limit}", "timedOut": False}
                data = json.dumps(page).encode()
                if not self._fault("/v3/notices/search", data, "application/json"):
                    self._send(200, data)

            def _hilma_search(self, body: dict) -> None:
                if self.headers.get("Ocp-Apim-Subscription-Key") != fake.key:
                    fake.counts["hilma-refused"] += 1
                    return self._send(401, b'{"statusCode":401,"message":"Access denied"}')
                skip, top = int(body.get("skip", 0)), int(body.get("top", 50))
                items = list(fake.hilma.items())
                page = {"@odata.count": len(items), "value": [
                    {"noticeId": int(nid), "datePublished": h["date"] + "T10:00:00Z",
                     "isPlan": False} for nid, h in items[skip:skip + top]]}
                data = json.dumps(page).encode()
                if not self._fault("/avp/eformnotices/docs/search", data, "application/json"):
                    self._send(200, data)

            def do_GET(self) -> None:
                m = re.fullmatch(r"/en/notice/(\d+-\d{4})/xml", self.path)
                if m and m.group(1) in fake.notices:
                    xml = fake.notices[m.group(1)]["xml"]
                    if not self._fault(self.path, xml, "application/xml"):
                        self._send(200, xml, "application/xml")
                    return
                m = re.fullmatch(r"/packages/daily/(\d{9})", self.path)
                if m:
                    data = fake.package(m.group(1))
                    if not self._fault(self.path, data, "application/gzip"):
                        self._send(200, data, "application/gzip")
                    return
                m = re.fullmatch(r"/avp-eforms/external-read/v1/notice/(\d+)", self.path)
                if m:
                    if self.headers.get("Ocp-Apim-Subscription-Key") != fake.key:
                        return self._send(401, b'{"statusCode":401}')
                    h = fake.hilma.get(m.group(1))
                    if h is None:
                        return self._send(404, b'{"message":"not found"}')
                    if not self._fault(self.path, h["json"], "application/json"):
                        self._send(200, h["json"])
                    return
                with fake.lock:
                    fake.counts[self.path] += 1
                self._send(404, b"not found", "text/plain")

        return Handler


def hilma_notice(nid: int, xml: bytes, statistics: dict) -> bytes:
    """A read-API answer for one notice in the documented shape."""
    return json.dumps({"id": nid, "procedureId": nid + 1,
                       "eForm": base64.b64encode(xml).decode("ascii"),
                       "hilmaStatistics": statistics,
                       "dateCreated": "2024-09-01T08:00:00Z",
                       "dateModified": "2024-09-01T08:00:00Z"}).encode()
