"""Anchor ids that one report's page links to in another's.

The annual report's headline links each programme's effect to its row in the
impact report (``impact_report_<lang>.html#<anchor>``); both reports take the
id from :func:`programme_anchor`, so the link and its target cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata

from keino_metrics.impact.did import POOLED

__all__ = ["POOLED_ANCHOR", "programme_anchor"]

#: Anchor id of the pooled effect.
POOLED_ANCHOR = "pooled"

_SLUG = re.compile(r"[^a-z0-9]+")


def programme_anchor(programme: str) -> str:
    """Anchor id of a programme's row in the impact report (``programme-<code>``).

    The code is the programme's name in lower case with accents removed and
    every run of characters other than letters and digits one hyphen; the
    pooled row is :data:`POOLED_ANCHOR`.

    Examples
    --------
    >>> programme_anchor("KEINO-kehittämisohjelma")
    'programme-keino-kehittamisohjelma'
    >>> programme_anchor("Motiva green deal")
    'programme-motiva-green-deal'
    >>> programme_anchor("pooled")
    'pooled'
    """
    if programme == POOLED:
        return POOLED_ANCHOR
    plain = unicodedata.normalize("NFKD", programme).encode("ascii", "ignore").decode()
    code = _SLUG.sub("-", plain.lower()).strip("-")
    return f"programme-{code or 'unnamed'}"
