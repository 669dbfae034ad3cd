"""Report texts in Finnish, Swedish and English.

The catalogues are TOML files in ``keino_metrics/labels`` (``fi.toml``,
``en.toml``, ``sv.toml``) with one nested table per part of the report.
Swedish is partial: a key missing from ``sv.toml`` falls back to English, so a
Swedish report is never missing a heading. A plain dictionary lookup is all
that is needed for a few hundred strings; gettext would add a compile step
without adding anything.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

__all__ = ["LANGUAGES", "FALLBACK", "catalogue", "text", "keys", "has_text"]

#: Languages with a catalogue, in the order they are offered.
LANGUAGES: tuple[str, ...] = ("fi", "en", "sv")

#: Language whose text is used when a key is missing.
FALLBACK: dict[str, str] = {"sv": "en"}


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

    Keys missing from a partial catalogue are filled from its fallback
    language (see :data:`FALLBACK`).

    Raises
    ------
    ValueError
        If ``lang`` has no catalogue.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    path = resources.files("keino_metrics") / "labels" / f"{lang}.toml"
    with path.open("rb") as fh:
        own = _flatten(tomllib.load(fh))
    fallback = FALLBACK.get(lang)
    if fallback is None:
        return own
    return {**catalogue(fallback), **own}


def keys(lang: str = "en") -> frozenset[str]:
    """The keys defined for ``lang`` (after fallback)."""
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
