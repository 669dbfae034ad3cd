"""Formatting and file names of the site's pages."""

from __future__ import annotations

import math

from keino_metrics.site import render


def test_fmt_uses_the_language_separators_and_never_zero_for_missing():
    assert render.fmt(0.1234, "share", "fi", "na") == "12,3\u00a0%"
    assert render.fmt(0.1234, "share", "en", "na") == "12.3\u00a0%"
    assert render.fmt(1234567, "eur", "en", "na") == "1,234,567\u00a0€"
    assert render.fmt(1234567, "count", "sv", "na") == "1\u00a0234\u00a0567"
    assert render.fmt(math.nan, "share", "en", "na") == "na"
    assert render.fmt(None, "count", "en", "na") == "na"


def test_slug_keeps_safe_ids_and_hashes_others():
    assert render.slug("0102136-4") == "0102136-4"
    odd = render.slug("ORG 1/2")
    assert "/" not in odd and " " not in odd and odd != render.slug("ORG 1_2")
    assert render.page_path("overview") == "index.html"
    assert render.page_path("buyer", "x") == "buyer/x.html"
