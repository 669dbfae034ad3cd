"""eForms code lists with Finnish, Swedish and English labels.

The CSV files in ``keino_metrics/data/codelists`` are the eForms SDK code lists
(OP-TED/eForms-SDK 1.16, CC BY 4.0; see ``LICENSE`` there) reduced to code and
labels. Codes that a list retired in a later version are still *accepted*
(notices from 2022-2023 carry them) and labelled from :data:`RETIRED`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

__all__ = ["RETIRED", "available", "table", "codes", "accepted_codes", "label"]

#: Codes removed from a list by a later SDK version, with English labels.
RETIRED: dict[str, dict[str, str]] = {
    "environmental-impact": {
        "emas-com": "Compliance with EMAS requested (retired 2023)",
        "ene-ef-com": "Compliance with energy-efficiency requirements requested (retired 2023)",
        "iso-14001-com": "Compliance with ISO 14001 requested (retired 2023)",
        "iso-14024-com": "Compliance with ISO 14024 ecolabels requested (retired 2023)",
        "reg-834-2007-com": "Compliance with Regulation 834/2007 (organic) requested "
        "(retired 2023)",
    },
    "innovative-acquisition": {
        "buy-eff": "Buyer efficiency (retired 2023)",
        "fp-requ": "Functional and performance requirements (retired 2023)",
    },
}

_LANG_COLUMN = {"en": "eng_label", "fi": "fin_label", "sv": "swe_label"}


def _dir():
    return resources.files("keino_metrics") / "data" / "codelists"


def available() -> list[str]:
    """Names of the code lists shipped with the package."""
    return sorted(p.name[:-4] for p in _dir().iterdir() if p.name.endswith(".csv"))


@cache
def table(name: str) -> pd.DataFrame:
    """The code list ``name`` as a frame with ``code``, ``en``, ``fi``, ``sv``.

    Retired codes are appended with ``retired = True`` and the English label
    in all three label columns.
    """
    path = _dir() / f"{name}.csv"
    if not path.is_file():
        raise KeyError(f"unknown code list {name!r}; available: {', '.join(available())}")
    with path.open(encoding="utf-8") as fh:
        raw = pd.read_csv(fh, dtype=str, keep_default_na=False)
    out = pd.DataFrame({
        "code": raw["code"],
        **{lang: raw[col] for lang, col in _LANG_COLUMN.items()},
    })
    out["retired"] = False
    retired = RETIRED.get(name, {})
    if retired:
        extra = pd.DataFrame({"code": list(retired), "en": list(retired.values())})
        extra["fi"] = extra["en"]
        extra["sv"] = extra["en"]
        extra["retired"] = True
        out = pd.concat([out, extra], ignore_index=True)
    return out


def codes(name: str) -> frozenset[str]:
    """The current codes of list ``name`` (without retired ones)."""
    t = table(name)
    return frozenset(t.loc[~t["retired"], "code"])


def accepted_codes(name: str) -> frozenset[str]:
    """Current and retired codes of list ``name``: what a reader accepts."""
    return frozenset(table(name)["code"])


def label(name: str, code: str, lang: str = "en") -> str:
    """Label of ``code`` in list ``name`` in ``lang`` (``fi``, ``sv`` or ``en``).

    Unknown codes are returned unchanged, so a report never hides a value.
    """
    if lang not in _LANG_COLUMN:
        raise ValueError(f"lang must be one of {sorted(_LANG_COLUMN)}, got {lang!r}")
    t = table(name)
    hit = t.loc[t["code"] == code, lang]
    return str(hit.iloc[0]) if len(hit) else code
