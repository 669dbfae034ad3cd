"""TED: the Search API for the list of notices, then each notice's XML.

``keino fetch ted --country FIN --from 2023-01-01 --to 2024-12-31 --out DIR``

1. The Search API v3 (``POST /v3/notices/search``, anonymous) is asked with an
   expert query on buyer country and publication date, ``scope: ALL``
   (historical notices too) and iteration pagination. Pages are requested
   until one comes back without notices; the iteration token is not a
   stopping signal (TED still sends one on the last page).
2. Each notice's XML is taken from the ``links.xml`` URL of its search result,
   followed as given, and stored as ``DIR/<year>/<number>-<year>.xml``.
3. With ``bulk=True`` the notices are taken instead from TED's daily packages
   (``/packages/daily/<yyyy><nnnnn>``, one per Official Journal S issue): the
   search's ``ojs-number`` of each notice names its package, the package is
   downloaded once and read as a stream, and only the members whose
   publication number the search returned for the country are stored.

Every stored file passes :mod:`keino_metrics.fetch.verify` and is recorded in
the folder's manifest (:mod:`keino_metrics.fetch.manifest`); a file already
stored is not fetched again. With ``api_url`` (or ``KEINO_TED_API_URL``) every
TED path (search, notice XML, packages) is taken relative to that one base
URL; links returned by the search are still followed as given.
"""

from __future__ import annotations

import os
import re
import tarfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from keino_metrics.fetch.http import Client, FetchError, Settings, parallel
from keino_metrics.fetch.manifest import Store, now
from keino_metrics.fetch.progress import Progress
from keino_metrics.fetch.verify import BodyRejected, check_notice_xml, check_response

__all__ = ["API_URL", "SITE_URL", "ENV_API_URL", "SEARCH_PATH", "TedQuery", "search",
           "notice_path", "fetch_ted", "package_id"]

#: The Search API and the public site (notice XML, packages).
API_URL = "https://api.ted.europa.eu"
SITE_URL = "https://ted.europa.eu"
#: Environment variable that overrides both base URLs.
ENV_API_URL = "KEINO_TED_API_URL"
SEARCH_PATH = "/v3/notices/search"
#: Results per search page (TED's maximum).
PAGE_SIZE = 250
#: Default politeness for TED: TED once announced blocking above 500 downloads
#: in six minutes (1.4 per second); stay below that.
TED_SETTINGS = Settings(rate=1.2, concurrency=3)

_PN = re.compile(r"^0*(\d{1,8})-(\d{4})$")


@dataclass(frozen=True)
class TedQuery:
    """Buyer country (ISO 3166 alpha-3) and a publication-date range, inclusive."""

    country: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{3}", self.country):
            raise ValueError(f"country must be an ISO 3166 alpha-3 code such as FIN, "
                             f"not {self.country!r}")
        if self.start > self.end:
            raise ValueError(f"--from {self.start} is after --to {self.end}")

    def expert(self) -> str:
        """The expert query, as TED's search page writes it."""
        return (f"buyer-country = {self.country} AND "
                f"publication-date >= {self.start:%Y%m%d} AND "
                f"publication-date <= {self.end:%Y%m%d}")


def notice_path(publication_number: str) -> str:
    """Relative path of a notice: ``<year>/<number>-<year>.xml``.

    Examples
    --------
    >>> notice_path("00479730-2026")
    '2026/479730-2026.xml'
    """
    m = _PN.match(publication_number.strip())
    if not m:
        raise ValueError(f"unexpected publication number {publication_number!r}")
    return f"{m.group(2)}/{int(m.group(1))}-{m.group(2)}.xml"


def _canonical_pn(value: str) -> str | None:
    m = _PN.match(value.strip())
    return f"{int(m.group(1))}-{m.group(2)}" if m else None


def package_id(ojs_number: str) -> str:
    """Daily package id ``yyyynnnnn`` of an OJ S issue ``"nnn/yyyy"``.

    Examples
    --------
    >>> package_id("157/2026"), package_id("1/2024")
    ('202600157', '202400001')
    """
    m = re.fullmatch(r"\s*(\d{1,3})\s*/\s*(\d{4})\s*", ojs_number)
    if not m:
        raise ValueError(f"unexpected OJ S issue number {ojs_number!r}")
    return f"{m.group(2)}{int(m.group(1)):05d}"


def _first(value):
    if isinstance(value, list):
        return value[0] if value else None
    return value


def search(client: Client, url: str, query: str, fields: list[str],
           page_size: int = PAGE_SIZE) -> Iterator[tuple[dict, list[dict]]]:
    """Pages of a search in iteration mode, until a page without notices.

    Yields
    ------
    (dict, list of dict)
        The page's response (without ``notices``) and its notices.

    Raises
    ------
    FetchError
        On a refused query (the service's message is included) or a broken
        answer.
    """
    body: dict = {"query": query, "fields": fields, "limit": page_size, "scope": "ALL",
                  "paginationMode": "ITERATION", "onlyLatestVersions": False}
    while True:
        r = client.post_json(url, body)
        if r.status != 200:
            raise FetchError(f"POST {url}: HTTP {r.status}: "
                             f"{r.content[:300].decode('utf-8', 'replace')}")
        try:
            page = r.json_body()
        except ValueError as exc:
            raise FetchError(f"POST {url}: the answer is not JSON ({exc})") from None
        if page.get("timedOut"):
            raise FetchError(f"POST {url}: TED reports that the search timed out; its page "
                             "may be incomplete, so the run stops (run it again)")
        notices = page.get("notices") or []
        yield {k: v for k, v in page.items() if k != "notices"}, notices
        if not notices:
            return
        token = page.get("iterationNextToken")
        if not token:
            return
        body["iterationNextToken"] = token


def _xml_link(notice: dict, site: str, pn: str) -> str:
    xml = (notice.get("links") or {}).get("xml") or {}
    if isinstance(xml, dict) and xml:
        return xml.get("MUL") or next(iter(xml.values()))
    return f"{site}/en/notice/{pn}/xml"


def _download(client: Client, store: Store, prog: Progress, pn: str, url: str,
              published: str | None) -> None:
    rel = notice_path(pn)
    if store.has(rel):
        prog.add(skipped=1)
        return
    try:
        data = check_response(client.get(url))
        check_notice_xml(data, url)
    except (FetchError, BodyRejected) as exc:
        store.fail(pn, url, str(exc))
        prog.add(failed=1)
        return
    store.save(rel, data, id=pn, url=url, published=published)
    prog.add(downloaded=1, bytes=len(data))


_MEMBER = re.compile(r"(?:^|/)0*(\d{1,8})_(\d{4})\.xml$")
_XML_PN = (re.compile(rb"NoticePublicationID[^>]*>\s*0*(\d{1,8})-(\d{4})\s*<"),
           re.compile(rb"<TED_EXPORT[^>]*\sDOC_ID=\"0*(\d{1,8})-(\d{4})\""))


def _member_pn(name: str, head: bytes | None) -> str | None:
    m = _MEMBER.search(name)
    if m:
        return f"{int(m.group(1))}-{m.group(2)}"
    for pattern in _XML_PN:
        if head is not None and (m := pattern.search(head)):
            return f"{int(m.group(1))}-{m.group(2).decode()}"
    return None


def _bulk(client: Client, store: Store, prog: Progress, site: str,
          wanted: dict[str, dict]) -> None:
    by_package: dict[str, dict[str, dict]] = defaultdict(dict)
    for pn, n in wanted.items():
        if store.has(notice_path(pn)):
            prog.add(skipped=1)
            continue
        ojs = _first(n.get("ojs-number"))
        try:
            by_package[package_id(str(ojs))][pn] = n
        except ValueError:
            store.fail(pn, None, f"no OJ S issue number in the search result ({ojs!r})")
            prog.add(failed=1)
    tmp = store.meta / "packages"
    tmp.mkdir(exist_ok=True)
    for stale in tmp.iterdir():  # left by an interrupted run
        stale.unlink()
    for pkg, notices in sorted(by_package.items()):
        url = f"{site}/packages/daily/{pkg}"
        dest = tmp / f"{pkg}.tar.gz"
        try:
            r = client.download(url, dest)
            if r.status != 200 or dest.stat().st_size == 0:
                raise BodyRejected(f"HTTP {r.status}, {dest.stat().st_size} bytes")
            _read_package(dest, url, notices, store, prog)
        except (FetchError, BodyRejected, tarfile.TarError, EOFError, OSError) as exc:
            for pn in notices:
                if not store.has(notice_path(pn)):
                    store.fail(pn, url, f"daily package {pkg}: {exc}")
                    prog.add(failed=1)
        finally:
            dest.unlink(missing_ok=True)


def _read_package(path: Path, url: str, notices: dict[str, dict], store: Store,
                  prog: Progress) -> None:
    left = dict(notices)
    with tarfile.open(path, "r|*") as tar:
        for member in tar:
            if not member.isfile() or not left:
                continue
            pn = _member_pn(member.name, None)
            data = None
            if pn is None:
                data = tar.extractfile(member).read()
                pn = _member_pn(member.name, data[:65536])
            if pn not in left:
                continue
            if data is None:
                data = tar.extractfile(member).read()
            source = f"{url}!{member.name}"
            try:
                check_notice_xml(data, source)
            except BodyRejected as exc:
                store.fail(pn, source, str(exc))
                prog.add(failed=1)
            else:
                n = left[pn]
                store.save(notice_path(pn), data, id=pn, url=source,
                           published=_date(n.get("publication-date")))
                prog.add(downloaded=1, bytes=len(data))
            del left[pn]
    for pn in left:
        store.fail(pn, url, "not found in the daily package")
        prog.add(failed=1)


def _date(value) -> str | None:
    v = _first(value)
    return str(v)[:10] if v else None


def base_urls(api_url: str | None) -> tuple[str, str]:
    """(search base, site base): both ``api_url`` (or ``KEINO_TED_API_URL``) if set."""
    override = api_url or os.environ.get(ENV_API_URL)
    if override:
        return override.rstrip("/"), override.rstrip("/")
    return API_URL, SITE_URL


def fetch_ted(out: str | os.PathLike, *, country: str = "FIN", start: date, end: date,
              api_url: str | None = None, bulk: bool = False, since_last: bool = False,
              settings: Settings | None = None, page_size: int = PAGE_SIZE,
              search_path: str = SEARCH_PATH, progress: bool = True) -> dict:
    """Fetch a country's TED notices published between ``start`` and ``end``.

    Parameters
    ----------
    out : path
        The fetch folder (``data/raw/ted`` by convention).
    country : str
        Buyer country, ISO 3166 alpha-3 (``FIN``).
    start, end : date
        Publication dates, inclusive.
    api_url : str, optional
        One base URL for every TED path (default: ``KEINO_TED_API_URL`` or
        TED's own hosts).
    bulk : bool
        Take the notices from the daily packages instead of one by one.
    since_last : bool
        Start at the latest publication date already stored (if any).
    settings : Settings, optional
        Rate, concurrency and retries (default :data:`TED_SETTINGS`).
    page_size : int
        Search results per page (at most 250).
    search_path : str
        Path of the search operation (TED's OpenAPI announces ``/v4/notices/search``
        with the same request as the v3 default).
    progress : bool
        Print progress lines on standard error.

    Returns
    -------
    dict
        The run as recorded in the manifest (query, the service's total and
        the counts).
    """
    store = Store(Path(out))
    if since_last and (last := store.last_published()):
        start = max(start, date.fromisoformat(last))
    query = TedQuery(country.upper(), start, end)
    api, site = base_urls(api_url)
    fields = ["publication-number", "publication-date"] + (["ojs-number"] if bulk else [])
    prog = Progress("ted", show=progress)
    run = {"source": "ted", "mode": "bulk" if bulk else "search", "country": query.country,
           "from": start.isoformat(), "to": end.isoformat(), "query": query.expert(),
           "search_url": api + search_path, "fields": fields, "scope": "ALL",
           "pagination": "ITERATION", "started": now()}
    wanted: dict[str, dict] = {}
    total = None
    pages = 0
    with store.lock(), Client(settings or TED_SETTINGS) as client:
        try:
            for head, notices in search(client, api + search_path, query.expert(), fields,
                                        page_size):
                pages += 1
                total = head.get("totalNoticeCount") if total is None else total
                for n in notices:
                    pn = _canonical_pn(str(_first(n.get("publication-number")) or ""))
                    if pn is None:
                        store.fail(str(n.get("publication-number")), None,
                                   "search result without a usable publication number")
                        prog.add(failed=1)
                    elif pn not in wanted:
                        wanted[pn] = n
                        prog.add(found=1)
        except FetchError as exc:
            run.update(error=str(exc), search_pages=pages, total=total, finished=now(),
                       **prog.counts())
            store.finish(run)
            raise
        if bulk:
            _bulk(client, store, prog, site, wanted)
        else:
            parallel(_download, [(client, store, prog, pn, _xml_link(n, site, pn),
                                   _date(n.get("publication-date")))
                                  for pn, n in wanted.items()], client.settings.concurrency)
        run["retries"] = client.retries
    run.update(total=total, search_pages=pages, finished=now(), **prog.counts(),
               failures_open=len(store.failures), files_stored=len(store.files))
    store.finish(run)
    return run
