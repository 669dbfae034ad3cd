"""The table of contents of every report page, and the stable ids it links to.

:func:`add_contents` runs on the exported HTML of any report (the driver calls
it from :func:`keino_metrics.report.driver.export_html`), so a report gets its
table of contents without doing anything:

1. every section heading (``<h2>``) keeps the id it was given
   (:func:`keino_metrics.report.blocks.heading` with ``anchor``); a heading
   without one gets the id of the catalogue key whose text it shows in the
   page's language (:func:`keino_metrics.report.blocks.anchor_id` of the key,
   the same in every language), else a slug of its words; ids are made unique;
2. a ``<nav class="keino-toc">`` list of links to these headings is written
   into the placeholder (:func:`keino_metrics.report.blocks.toc_placeholder`),
   or, when the page has none, just before the first section heading.

The page is parsed with BeautifulSoup, which nbconvert itself uses on the same
HTML, so nothing else of the page changes.
"""

from __future__ import annotations

import html
import re
from functools import cache

from keino_metrics.labels import catalogue, text
from keino_metrics.report.blocks import anchor_id

__all__ = ["add_contents", "heading_key", "TOC_CLASS"]

#: Class of the table of contents' ``<nav>``.
TOC_CLASS = "keino-toc"

_FIELD = re.compile(r"\{(\w+)\}")
_SLUG = re.compile(r"[^\w]+")


@cache
def _templates(lang: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for key, template in catalogue(lang).items():
        parts = _FIELD.split(template)
        if len("".join(parts[::2]).strip()) < 3:
            continue  # a bare placeholder would match any heading
        regex = "".join(re.escape(p) if k % 2 == 0 else ".+?" for k, p in enumerate(parts))
        out.append((key, re.compile(regex + r"\Z")))
    # exact texts before templates with placeholders, longer before shorter
    return tuple(sorted(out, key=lambda kp: ("{" in catalogue(lang)[kp[0]],
                                             -len(catalogue(lang)[kp[0]]))))


def heading_key(title: str, lang: str) -> str | None:
    """The catalogue key whose text (placeholders filled) is ``title`` in ``lang``."""
    for key, pattern in _templates(lang):
        if pattern.match(title):
            return key
    return None


def _slug(title: str) -> str:
    return _SLUG.sub("-", title.lower()).strip("-") or "section"


def add_contents(page: str, lang: str) -> str:
    """``page`` with ids on its section headings and a table of contents linking to them."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, features="html.parser")
    headings = [h for h in soup.find_all("h2") if not h.find_parent("nav")]
    if not headings:
        return page
    taken = {str(e["id"]) for e in soup.find_all(id=True)}
    entries = []
    for h in headings:
        title = " ".join(h.get_text(" ").split())
        if not h.get("id"):
            key = heading_key(title, lang)
            base = anchor_id(key) if key else _slug(title)
            ident, k = base, 2
            while ident in taken:
                ident, k = f"{base}-{k}", k + 1
            h["id"] = ident
            taken.add(ident)
        entries.append((str(h["id"]), title))
    items = "".join(f'<li><a href="#{html.escape(i)}">{html.escape(t)}</a></li>'
                    for i, t in entries)
    label = html.escape(text("toc.title", lang))
    nav = BeautifulSoup(f'<nav class="{TOC_CLASS}" aria-label="{label}">'
                        f'<h2 class="keino-toc-title">{label}</h2><ol>{items}</ol></nav>',
                        features="html.parser")
    slot = soup.find("nav", class_=TOC_CLASS)
    if slot is not None:
        slot.replace_with(nav)
    else:
        headings[0].insert_before(nav)
    return str(soup)
