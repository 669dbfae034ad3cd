"""The language catalogue: every user-facing text in Finnish, Swedish and English.

One structured file per language (``fi.toml``, ``sv.toml``, ``en.toml`` beside
this module) holds every text the project shows to a reader: report texts,
indicator definitions and limits, threshold texts, units, result summaries and
code-list labels, in nested tables (``[report]``, ``[impact]``, ``[result]``,
...). Keys are the same in every language and every language is complete (a
test checks both); a missing key is an error, never a silent fallback.
:func:`text` looks a key up and fills its ``{placeholders}``.

A plain dictionary lookup is all that is needed: the catalogues are read
once, with the standard library's ``tomllib``.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

__all__ = ["LANGUAGES", "catalogue", "text", "keys", "has_text", "check_language",
           "translate"]

#: Languages with a catalogue, in the order they are offered.
LANGUAGES: tuple[str, ...] = ("fi", "en", "sv")



def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All texts of ``lang`` as ``{"section.summary": "Summary", ...}``.

    Raises
    ------
    ValueError
        If ``lang`` has no catalogue.
    """
    check_language(lang)
    path = resources.files("keino_metrics") / "labels" / f"{lang}.toml"
    with path.open("rb") as fh:
        return _flatten(tomllib.load(fh))


def check_language(lang: object) -> str:
    """``lang`` if it is a catalogue language.

    Raises
    ------
    ValueError
        Naming the languages there are.
    """
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return lang


def keys(lang: str = "en") -> frozenset[str]:
    """The keys defined for ``lang``."""
    return frozenset(catalogue(lang))


def has_text(key: str, lang: str = "en") -> bool:
    """Whether the catalogue of ``lang`` defines ``key``."""
    return key in catalogue(lang)


def text(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``.

    Examples
    --------
    >>> text("section.summary", "fi")
    'Yhteenveto'
    >>> text("report.title", "en", year=2025)
    'Sustainable and innovative public procurement: annual report 2025'

    Raises
    ------
    KeyError
        If no catalogue defines ``key``.
    """
    cat = catalogue(lang)
    try:
        template = cat[key]
    except KeyError:
        raise KeyError(f"no {lang!r} text for label key {key!r}") from None
    return template.format(**values) if values else template


_FIELD = re.compile(r"\{(\w+)\}")


@cache
def _patterns(section: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The English templates of ``section`` as anchored patterns, longest first."""
    out = []
    for key, template in catalogue("en").items():
        if not key.startswith(section + "."):
            continue
        parts = _FIELD.split(template)
        regex = "".join(re.escape(p) if k % 2 == 0 else f"(?P<{p}>.+?)"
                        for k, p in enumerate(parts))
        out.append((key, re.compile(regex + r"(?=; |$)")))
    return tuple(sorted(out, key=lambda kp: -len(kp[1].pattern)))


def translate(message: str, section: str, lang: str) -> str:
    """An English message built from the templates of ``section`` (``"note"``), in ``lang``.

    Results carry their notes as English text joined with ``"; "`` (that is
    what the tables and the CSV files hold); each part is recognised by its
    template in the English catalogue and written again from the same key in
    ``lang``, with the same values. A part that matches no template is kept as
    it is.
    """
    check_language(lang)
    if lang == "en" or not message:
        return message
    out, pos = [], 0
    while pos < len(message):
        for key, pattern in _patterns(section):
            m = pattern.match(message, pos)
            if m:
                out.append(text(key, lang, **m.groupdict()))
                pos = m.end()
                break
        else:
            end = message.find("; ", pos)
            end = len(message) if end < 0 else end
            out.append(message[pos:end])
            pos = end
        if message.startswith("; ", pos):
            pos += 2
    return "; ".join(out)
