"""Fetching real notices from TED and Hilma into ``data/raw/<source>/``.

:func:`fetch_ted` asks TED's Search API for a country's notices in a date
range and stores each notice's XML (or takes them from TED's daily packages);
:func:`fetch_hilma` asks Hilma's AVP search and stores each eForms notice with
its national statistics answers. Both are polite (identifying User-Agent,
rate limit, a few requests in flight, retries with backoff that honour
``Retry-After``), store only complete, well-formed bodies exactly as sent,
record every file with its SHA-256 in a manifest and fetch nothing they
already have, so an interrupted run resumes where it stopped. The folders
they fill are read by ``keino ingest`` unchanged. See ``docs/fetch.md``.

Modules: :mod:`~keino_metrics.fetch.http` (client), :mod:`~.manifest`
(record), :mod:`~.verify` (checks before storing), :mod:`~.progress`
(counts), :mod:`~.ted`, :mod:`~.hilma`.
"""

from keino_metrics.fetch.hilma import fetch_hilma
from keino_metrics.fetch.http import Settings
from keino_metrics.fetch.ted import fetch_ted

__all__ = ["fetch_ted", "fetch_hilma", "Settings"]
