"""Lot titles and short descriptions in Finnish, Swedish and English.

Titles are drawn from the variants in :mod:`keino_metrics.demo.cpv` and get
a lot number (``osa-alue 2`` / ``delområde 2`` / ``lot 2``), a framework
marker and sometimes the contract years; descriptions name the object of the
procurement and the contract period. Everything is built with vectorised
string operations, one pass for all lots.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics.demo.vectors import as_str

__all__ = ["LANGUAGES", "titles_and_descriptions"]

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")

_LOT = {"fi": ", osa-alue ", "sv": ", delområde ", "en": ", lot "}
_FRAMEWORK = {"fi": " – puitejärjestely", "sv": " – ramavtal", "en": " – framework agreement"}
_INTRO = {"fi": "Hankinnan kohteena on ", "sv": "Upphandlingen gäller ",
          "en": "The contract covers "}
_PERIOD = {"fi": ("Sopimuskausi on ", " vuosi", " vuotta"),
           "sv": ("Avtalsperioden är ", " år", " år"),
           "en": ("The contract period is ", " year", " years")}
_OPTION = {"fi": (", minkä lisäksi ", " optiovuosi", " optiovuotta"),
           "sv": (", med option på ytterligare ", " år", " år"),
           "en": (", with an option for ", " further year", " further years")}
_WORKS = {"fi": ("Urakka-aika on noin ", " kuukautta."),
          "sv": ("Entreprenadtiden är cirka ", " månader."),
          "en": ("The works are expected to take about ", " months.")}


def _pick(values: dict[str, object], lang: np.ndarray) -> pd.Series:
    """The per-language constant for each row."""
    out = np.empty(len(lang), dtype=object)
    for code, v in values.items():
        out[lang == code] = v
    return as_str(out)


def _plural(n: pd.Series, forms: dict[str, tuple[str, str, str]], lang: np.ndarray) -> pd.Series:
    head = _pick({k: v[0] for k, v in forms.items()}, lang)
    one = _pick({k: v[1] for k, v in forms.items()}, lang)
    many = _pick({k: v[2] for k, v in forms.items()}, lang)
    return head + n.astype("str") + one.where(n == 1, many)


def titles_and_descriptions(
    cpv: pd.DataFrame,
    cpv_index: np.ndarray,
    lang: np.ndarray,
    u: np.ndarray,
    lot_number: np.ndarray,
    lots_in_procedure: np.ndarray,
    framework: np.ndarray,
    years_from: np.ndarray,
    contract_years: np.ndarray,
    option_years: np.ndarray,
    works_months: np.ndarray,
    show_years: np.ndarray,
) -> tuple[pd.Series, pd.Series]:
    """Titles and descriptions for lots.

    Parameters
    ----------
    cpv : pandas.DataFrame
        The table of :func:`keino_metrics.demo.cpv.cpv_table`.
    cpv_index : numpy.ndarray
        Row of ``cpv`` for each lot.
    lang : numpy.ndarray
        Language of each lot (``fi``, ``sv`` or ``en``).
    u : numpy.ndarray
        Uniform draws in ``[0, 1)`` that choose the title variant.
    lot_number, lots_in_procedure : numpy.ndarray
        Lot number and number of lots of the procedure (the lot number is
        shown when there are several).
    framework : numpy.ndarray of bool
        Lots that establish a framework agreement.
    years_from, contract_years, option_years, works_months : numpy.ndarray
        First contract year, contract period and option years (services and
        supplies), expected duration of works in months.
    show_years : numpy.ndarray of bool
        Whether the title carries the contract years.

    Returns
    -------
    (pandas.Series, pandas.Series)
        Titles and descriptions (``str`` dtype).
    """
    ncpv = len(cpv)
    flat: list[str] = []
    offset = np.zeros(3 * ncpv, dtype=np.int64)
    count = np.zeros(3 * ncpv, dtype=np.int64)
    for li, code in enumerate(LANGUAGES):
        for i, text in enumerate(cpv[f"{code}_titles"]):
            variants = str(text).split("|")
            offset[li * ncpv + i] = len(flat)
            count[li * ncpv + i] = len(variants)
            flat.extend(variants)
    lang_idx = np.select([lang == "sv", lang == "en"], [1, 2], 0)
    key = lang_idx * ncpv + cpv_index
    pick = offset[key] + np.minimum((u * count[key]).astype(np.int64), count[key] - 1)
    base = as_str(np.asarray(flat, dtype=object)[pick])

    multi = pd.Series(lots_in_procedure > 1)
    title = base + (_pick(_LOT, lang) + pd.Series(lot_number).astype("str")).where(multi, "")
    title = title + _pick(_FRAMEWORK, lang).where(pd.Series(framework), "")
    years = (" " + pd.Series(years_from).astype("str") + "–"
             + pd.Series(years_from + contract_years).astype("str"))
    title = title + years.where(pd.Series(show_years), "")

    objects = np.empty(len(lang), dtype=object)
    for li, code in enumerate(LANGUAGES):
        sel = lang_idx == li
        objects[sel] = cpv[f"{code}_object"].to_numpy()[cpv_index[sel]]
    obj = as_str(objects)
    is_works = pd.Series(cpv["nature"].to_numpy()[cpv_index] == "works")
    period = _plural(pd.Series(contract_years), _PERIOD, lang)
    option = _plural(pd.Series(option_years), _OPTION, lang).where(
        pd.Series(option_years > 0), "")
    works = (_pick({k: v[0] for k, v in _WORKS.items()}, lang)
             + pd.Series(works_months).astype("str")
             + _pick({k: v[1] for k, v in _WORKS.items()}, lang))
    tail = (period + option + ".").where(~is_works, works)
    description = base + ". " + _pick(_INTRO, lang) + obj + ". " + tail
    return title, description
