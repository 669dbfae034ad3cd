"""The catalogue: every indicator record, looked up by id, listed as a table.

Records are declared once in the family modules under
:mod:`keino_metrics.indicators.families`; this module gathers them, checks
that ids are unique and answers queries (:func:`catalogue`, :func:`explain`,
:func:`resolve`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pandas as pd

from keino_metrics.atomic import replacing
from keino_metrics.indicators.families import ALL
from keino_metrics.indicators.spec import Custom, Indicator, Ratio, Total
from keino_metrics.indicators.thresholds import default_thresholds
from keino_metrics.labels import check_language, text
from keino_metrics.results import Explanation

__all__ = ["all_indicators", "get", "ids", "resolve", "catalogue", "explain", "FAMILIES",
           "catalogue_markdown", "export_catalogue"]

FAMILIES = ("volume", "strategic", "innovation-target", "eforms", "markets", "scoreboard",
            "integrity", "capability", "quality", "spend")



@cache
def _registry() -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for ind in ALL:
        if ind.id in out:
            raise ValueError(f"indicator id {ind.id} is declared twice")
        out[ind.id] = ind
    return out


def all_indicators() -> list[Indicator]:
    """Every indicator record, in declaration order."""
    return list(_registry().values())


def ids() -> list[str]:
    """Every indicator id."""
    return list(_registry())


def get(iid: str) -> Indicator:
    """The record of ``iid``.

    Raises
    ------
    KeyError
        With the closest known ids when ``iid`` is unknown.
    """
    reg = _registry()
    if iid in reg:
        return reg[iid]
    close = difflib.get_close_matches(str(iid).upper(), list(reg), n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else \
        "; see keino_metrics.indicators.catalogue()"
    raise KeyError(f"unknown indicator id {iid!r}{hint}")


def resolve(spec: str | Sequence[str]) -> list[str]:
    """Expand ``"all"``, prefixes ending in ``-`` and lists of ids into ids.

    Raises
    ------
    KeyError
        For an unknown id or a prefix that matches nothing.
    """
    items = [spec] if isinstance(spec, str) else list(spec)
    if not items:
        raise ValueError("no indicator ids given")
    out: list[str] = []
    for item in items:
        if item == "all":
            out.extend(ids())
        elif item.endswith("-"):
            hit = [i for i in ids() if i.startswith(item)]
            if not hit:
                prefixes = sorted({i.split("-")[0] + "-" for i in ids()})
                raise KeyError(f"prefix {item!r} matches no indicator; prefixes: "
                               f"{', '.join(prefixes)}")
            out.extend(hit)
        else:
            out.append(get(item).id)
    return list(dict.fromkeys(out))


def _ci_method(ind: Indicator) -> str:
    """Catalogue key (``interval.<key>``) of the interval method of ``ind``."""
    m = ind.measure
    if isinstance(m, Ratio):
        return {"wilson": "wilson", "cluster": "cluster", None: "none"}[m.ci]
    if isinstance(m, Total):
        return "none_total"
    assert isinstance(m, Custom)
    return getattr(m.function, "ci_method", "see_definition")


def catalogue(family: str | None = None, lang: str = "en") -> pd.DataFrame:
    """The catalogue as a table, one row per indicator.

    Parameters
    ----------
    family : str, optional
        Keep indicators of this family (primary or secondary), or whose id
        starts with this prefix (``"SMS-"``).
    lang : str
        Language of the texts (fi, sv or en): ``name``, ``definition``,
        ``limits``, ``reference_values``, ``source``, ``threshold_source`` and
        ``interval``.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``family``, ``name``, ``name_fi``, ``name_sv``,
        ``name_en``, ``definition``, ``formula``, ``unit_of_analysis``, ``unit``,
        ``weighting``, ``direction``, ``fields``, ``target``, ``green``,
        ``red``, ``threshold_source``, ``interval``, ``source``,
        ``crosswalk``, ``limits``, ``reference_values``.
    """
    check_language(lang)
    if family is not None and family not in FAMILIES and not family.endswith("-"):
        raise ValueError(f"unknown family {family!r}; families: {', '.join(FAMILIES)} "
                         "(or an id prefix ending in '-')")
    th = default_thresholds()
    rows = []
    for ind in all_indicators():
        if family is not None:
            if family.endswith("-"):
                if not ind.id.startswith(family):
                    continue
            elif family != ind.family and family not in ind.also_in:
                continue
        t = th.get(ind.id, {})
        rows.append({
            "id": ind.id, "family": ind.family, "name": ind.name(lang),
            "name_fi": ind.name("fi"), "name_sv": ind.name("sv"), "name_en": ind.name("en"),
            "definition": indicator_text(ind, "definition", lang), "formula": ind.formula,
            "unit_of_analysis": ind.unit_of_analysis, "unit": ind.unit,
            "weighting": ind.weighting, "direction": ind.direction,
            "fields": ", ".join(ind.fields), "target": t.get("target"),
            "green": t.get("green"), "red": t.get("red"),
            "threshold_source": indicator_text(ind, "threshold_source", lang) or None,
            "interval": text(f"interval.{_ci_method(ind)}", lang),
            "source": indicator_text(ind, "source", lang), "crosswalk": ", ".join(ind.crosswalk),
            "limits": indicator_text(ind, "limits", lang),
            "reference_values": indicator_text(ind, "reference_values", lang),
        })
    return pd.DataFrame(rows)


def indicator_text(ind: Indicator, field: str, lang: str) -> str:
    """The text ``field`` of ``ind`` in ``lang``.

    ``definition``, ``limits``, ``reference_values``, ``source`` and
    ``threshold_source`` are written in English in the indicator's declaration (or in the threshold
    file) and translated in the language catalogue under
    ``indicator.<id>.<field>``; an empty English text stays empty.
    """
    english = (default_thresholds().get(ind.id, {}).get("source") or ""
               if field == "threshold_source" else getattr(ind, field) or "")
    if lang == "en" or not english:
        return english
    return text(f"indicator.{ind.id}.{field}", lang)


def explain(id: str, lang: str = "en") -> Explanation:
    """The full definition of indicator ``id`` in ``lang`` (nothing is printed).

    The :class:`~keino_metrics.results.Explanation` is text (``print`` shows it)
    that a notebook displays as an HTML table.
    """
    ind = get(id)
    check_language(lang)

    def lab(key: str, **values: object) -> str:
        return text(f"explain.{key}", lang, **values)

    t = default_thresholds().get(ind.id, {})
    also = (f" ({lab('also', families=', '.join(text(f'indicator_family.{f}', lang) for f in ind.also_in))})"
            if ind.also_in else "")
    lines = [f"{ind.id} - {ind.name(lang)}",
             f"  ({' / '.join(ind.name(k) for k in ('fi', 'sv', 'en') if k != lang)})", "",
             f"{lab('family')}: {text(f'indicator_family.{ind.family}', lang)}{also}",
             f"{lab('definition')}: {indicator_text(ind, 'definition', lang)}",
             f"{lab('formula')}: {ind.formula}",
             f"{lab('unit')}: " + lab("unit_line", unit_of_analysis=text(
                 f"unit_of_analysis.{ind.unit_of_analysis}", lang),
                 unit=text(f"unit.{ind.unit}", lang)),
             f"{lab('weighting')}: {text(f'weighting.{ind.weighting}', lang)}",
             f"{lab('direction')}: {text(f'direction.{ind.direction}', lang)}",
             f"{lab('fields')}: {', '.join(ind.fields)}",
             f"{lab('interval')}: {text(f'interval.{_ci_method(ind)}', lang)}"]
    if t:
        parts = []
        if t.get("target") is not None:
            parts.append(lab("target", value=t["target"]))
        if t.get("green"):
            parts.append(lab("green", rule=t["green"]))
        if t.get("red"):
            parts.append(lab("red", rule=t["red"]))
        if t.get("params"):
            parts.append(lab("parameters", params=t["params"]))
        lines.append(f"{lab('thresholds')}: {', '.join(parts)} "
                     f"({indicator_text(ind, 'threshold_source', lang)})")
    if ind.params and not t.get("params"):
        lines.append(f"{lab('thresholds')}: {lab('parameters', params=dict(ind.params))}")
    lines.append(f"{lab('source')}: {indicator_text(ind, 'source', lang)}")
    if ind.crosswalk:
        lines.append(f"{lab('crosswalk')}: {', '.join(ind.crosswalk)}")
    if ind.limits:
        lines.append(f"{lab('limits')}: {indicator_text(ind, 'limits', lang)}")
    if ind.reference_values:
        lines.append(f"{lab('reference')}: {indicator_text(ind, 'reference_values', lang)}")
    return Explanation("\n".join(lines))


def catalogue_markdown(lang: str = "en", family: str | None = None) -> str:
    """The catalogue as a Markdown table (id, name, unit, weighting, direction,
    target and lights, interval, source), for reports and ``docs/indicators.md``."""
    cat = catalogue(family=family, lang=lang)
    lines = ["| id | name | unit of analysis | unit | weighting | direction | target / lights "
             "| interval | source |", "|---|---|---|---|---|---|---|---|---|"]
    for r in cat.itertuples():
        lights = ", ".join(x for x in (
            f"target {r.target}" if r.target is not None and r.target == r.target else "",
            f"green {r.green}" if isinstance(r.green, str) else "",
            f"red {r.red}" if isinstance(r.red, str) else "") if x)
        cells = [f"`{r.id}`", r.name, r.unit_of_analysis, r.unit, r.weighting, r.direction,
                 lights or "-", r.interval, r.source]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def export_catalogue(path, lang: str = "en", family: str | None = None) -> None:
    """Write the catalogue to ``path`` as CSV, Excel (``.xlsx``) or Markdown (``.md``)."""
    p = Path(path)
    if p.suffix not in (".md", ".xlsx", ".csv"):
        raise ValueError(f"{p}: use a .csv, .xlsx or .md file name")
    with replacing(p) as tmp:
        if p.suffix == ".md":
            tmp.write_text(catalogue_markdown(lang, family) + "\n", encoding="utf-8")
        elif p.suffix == ".xlsx":
            with pd.ExcelWriter(tmp, engine="xlsxwriter") as w:
                catalogue(family, lang).to_excel(w, sheet_name="catalogue", index=False,
                                                 freeze_panes=(1, 0))
        else:
            catalogue(family, lang).to_csv(tmp, index=False)
