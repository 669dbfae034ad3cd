"""Hilma: the AVP search for notice ids, then each eForms notice with its answers.

``keino fetch hilma --from 2023-01-01 --to 2024-12-31 --out DIR``

Hilma (hankintailmoitukset.fi) publishes every Finnish notice, national ones
below the EU thresholds included, and alone holds the national statistics
answers (innovation, environmental and social aims, SMEs) behind the 10 %
innovative-procurement measure. Its read API needs a subscription key
(product ``avp-read``), which is read from the environment variable
``HILMA_API_KEY`` only and sent in the ``Ocp-Apim-Subscription-Key`` header;
it never appears on the command line, in messages or in the manifest.

1. The AVP search (``POST /avp/eformnotices/docs/search``, Azure Cognitive
   Search form) is asked for the notices published in the date range, page by
   page (``top``/``skip``), until a page is empty or the service's count is
   reached.
2. Each notice is read from the eForms read API
   (``GET /avp-eforms/external-read/v1/notice/{id}``): JSON with the notice's
   eForms XML in Base64 (``eForm``) and the answers (``hilmaStatistics``). The
   JSON is stored as sent, as ``DIR/<year>/<id>.json``, after its XML passed
   :func:`keino_metrics.fetch.verify.check_notice_xml`;
   :mod:`keino_metrics.readers.hilma` reads these files into the
   ``hilma_statistics`` table.

Plans (``isPlan``) are skipped; notices the eForms read API does not have
(pre-eForms national notices) are recorded as failures with the service's
status.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from datetime import date, timedelta
from pathlib import Path

from keino_metrics.fetch.http import Client, FetchError, Response, Settings, parallel
from keino_metrics.fetch.manifest import Store, now
from keino_metrics.fetch.progress import Progress
from keino_metrics.fetch.verify import BodyRejected, check_notice_xml, check_response

__all__ = ["API_URL", "ENV_KEY", "ENV_API_URL", "SEARCH_PATH", "NOTICE_PATH", "KeyProblem",
           "api_key", "fetch_hilma"]

API_URL = "https://api.hankintailmoitukset.fi"
#: Environment variable holding the subscription key.
ENV_KEY = "HILMA_API_KEY"
#: Environment variable that overrides the base URL.
ENV_API_URL = "KEINO_HILMA_API_URL"
SEARCH_PATH = "/avp/eformnotices/docs/search"
NOTICE_PATH = "/avp-eforms/external-read/v1/notice/{id}"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
#: Results per search page (the search service allows up to 1000).
PAGE_SIZE = 1000
#: The search service refuses ``skip`` beyond this.
MAX_SKIP = 100_000
#: Default politeness for Hilma (its read endpoints are rate limited).
HILMA_SETTINGS = Settings(rate=2.0, concurrency=2)

KEY_HELP = ("A key comes from a subscription to the product 'avp-read' in Hilma's API "
            "portal, https://hns-hilma-prod-apim.developer.azure-api.net (sign up, "
            "subscribe, copy the primary key); put it in the environment variable "
            f"{ENV_KEY}, never on the command line.")


class KeyProblem(ValueError):
    """The subscription key is missing or was refused."""


def api_key() -> str:
    """The key from ``HILMA_API_KEY``, or :class:`KeyProblem` with where to get one."""
    key = os.environ.get(ENV_KEY, "").strip()
    if not key:
        raise KeyProblem(f"{ENV_KEY} is not set. {KEY_HELP}")
    return key


def _refused(r: Response) -> None:
    if r.status in (401, 403):
        raise KeyProblem(f"Hilma refused the subscription key (HTTP {r.status}). {KEY_HELP}")


def _search(client: Client, url: str, start: date, end: date, page_size: int):
    """Pages of the AVP search: ``(count, results)`` until an empty page."""
    after = end + timedelta(days=1)
    body = {"search": "*", "count": True, "top": page_size, "skip": 0,
            "filter": f"datePublished ge {start:%Y-%m-%d}T00:00:00Z and "
                      f"datePublished lt {after:%Y-%m-%d}T00:00:00Z",
            "orderby": "datePublished asc", "select": "noticeId,datePublished,isPlan"}
    seen = 0
    while True:
        r = client.post_json(url, body)
        _refused(r)
        if r.status != 200:
            raise FetchError(f"POST {url}: HTTP {r.status}: "
                             f"{r.content[:300].decode('utf-8', 'replace')}")
        try:
            page = r.json_body()
            results = page.get("value") or []
        except (ValueError, AttributeError) as exc:
            raise FetchError(f"POST {url}: the answer is not the search's JSON ({exc})") from None
        count = page.get("@odata.count")
        if isinstance(count, int) and count > MAX_SKIP + page_size:
            raise FetchError(f"the search finds {count:,} notices, more than the search "
                             f"service pages through ({MAX_SKIP:,}); fetch a shorter date range")
        yield count, results
        seen += len(results)
        if not results or (isinstance(count, int) and seen >= count):
            return
        body["skip"] = seen


def _check_notice(data: bytes, url: str) -> None:
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise BodyRejected(f"not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise BodyRejected("not a notice object")
    form = obj.get("eForm")
    if not isinstance(form, str) or not form.strip():
        raise BodyRejected("no eForm (notice XML) in the answer")
    try:
        xml = base64.b64decode(form, validate=True)
    except (binascii.Error, ValueError):
        raise BodyRejected("eForm is not valid Base64") from None
    check_notice_xml(xml, f"{url} eForm")


def _download(client: Client, store: Store, prog: Progress, base: str, nid: str,
              published: str | None) -> None:
    rel = f"{(published or 'undated')[:4]}/{nid}.json"
    if store.has(rel):
        prog.add(skipped=1)
        return
    url = base + NOTICE_PATH.format(id=nid)
    try:
        r = client.get(url)
        _refused(r)
        data = check_response(r)
        _check_notice(data, url)
    except (FetchError, BodyRejected) as exc:
        store.fail(nid, url, str(exc))
        prog.add(failed=1)
        return
    store.save(rel, data, id=nid, url=url, published=published)
    prog.add(downloaded=1, bytes=len(data))


def fetch_hilma(out: str | os.PathLike, *, start: date, end: date, api_url: str | None = None,
                since_last: bool = False, settings: Settings | None = None,
                page_size: int = PAGE_SIZE, progress: bool = True) -> dict:
    """Fetch Hilma's eForms notices published between ``start`` and ``end``.

    Parameters are those of :func:`keino_metrics.fetch.ted.fetch_ted` (without
    country and bulk); ``api_url`` defaults to ``KEINO_HILMA_API_URL`` or
    Hilma's own host. The key is read from ``HILMA_API_KEY``.

    Returns
    -------
    dict
        The run as recorded in the manifest.

    Raises
    ------
    KeyProblem
        When the key is missing or refused.
    """
    key = api_key()
    if start > end:
        raise ValueError(f"--from {start} is after --to {end}")
    store = Store(Path(out))
    if since_last and (last := store.last_published()):
        start = max(start, date.fromisoformat(last))
    base = (api_url or os.environ.get(ENV_API_URL) or API_URL).rstrip("/")
    prog = Progress("hilma", show=progress)
    run = {"source": "hilma", "from": start.isoformat(), "to": end.isoformat(),
           "search_url": base + SEARCH_PATH, "started": now()}
    wanted: dict[str, str | None] = {}
    total, pages, plans = None, 0, 0
    with store.lock(), Client(settings or HILMA_SETTINGS, headers={KEY_HEADER: key}) as client:
        try:
            for count, results in _search(client, base + SEARCH_PATH, start, end, page_size):
                pages += 1
                total = count if total is None else total
                for n in results:
                    nid = n.get("noticeId")
                    if n.get("isPlan"):
                        plans += 1
                    elif nid is not None and str(nid) not in wanted:
                        wanted[str(nid)] = (str(n.get("datePublished"))[:10]
                                            if n.get("datePublished") else None)
                        prog.add(found=1)
        except FetchError as exc:
            run.update(error=str(exc), search_pages=pages, total=total, finished=now(),
                       **prog.counts())
            store.finish(run)
            raise
        parallel(_download, [(client, store, prog, base, nid, pub)
                             for nid, pub in wanted.items()], client.settings.concurrency)
        run["retries"] = client.retries
    run.update(total=total, search_pages=pages, plans_skipped=plans, finished=now(),
               **prog.counts(), failures_open=len(store.failures),
               files_stored=len(store.files))
    store.finish(run)
    return run
