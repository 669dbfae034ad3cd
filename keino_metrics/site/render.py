"""Pages of the static site, rendered from a :class:`~keino_metrics.site.content.SiteContent`.

:func:`pages` yields ``(path, html)`` for every page of one language: the
overview, one page per region, buyer group, buyer and indicator. Templates are
Jinja2 files in ``keino_metrics/site/templates``; texts come from the
``[site]`` section of the label catalogues. Numbers are formatted here by a
few lines rather than by babel because a site has some 10^5 numbers and only
the decimal and thousands separators differ between fi, sv and en.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from keino_metrics import geography
from keino_metrics.indicators.codes import BUYER_GROUPS
from keino_metrics.indicators.registry import catalogue as indicator_catalogue
from keino_metrics.labels import text
from keino_metrics.report.grouped import reason
from keino_metrics.site import figures
from keino_metrics.site.content import (
    EFFECT_OUTCOME,
    MIN_N,
    RISK_FAMILY,
    SCOREBOARD_FAMILY,
    SHARE_IDS,
    SPEND_IDS,
    VOLUME_IDS,
    SiteContent,
    finite,
)

__all__ = ["LANGUAGES", "Prepared", "prepare", "pages", "csv_files", "search_index", "slug",
           "page_path", "csv_path",
           "redirect_page"]

#: Languages of the site, in the order of the language switch.
LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
_SEP = {"fi": (",", "\u00a0"), "sv": (",", "\u00a0"), "en": (".", ",")}
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
#: File of the programme effects under the site's ``data/`` folder.
EFFECTS_CSV = "effects.csv"


def slug(key: str) -> str:
    """A file name for ``key``: the key itself when it is safe, else a cleaned key with a hash."""
    clean = _SAFE.sub("_", key)[:60]
    if clean == key and key not in ("", ".", ".."):
        return key
    return f"{clean}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def page_path(kind: str, key: str | None = None) -> str:
    """Path of a page inside a language folder (``buyer/<slug>.html``; the overview is ``index.html``)."""
    return "index.html" if kind == "overview" else f"{kind}/{slug(str(key))}.html"


def _number(v: float, decimals: int, lang: str) -> str:
    dec, thou = _SEP[lang]
    s = f"{v:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", dec).replace("\x00", thou)


def fmt(value: object, unit: str | None, lang: str, missing: str) -> str:
    """``value`` in ``unit`` as text in ``lang``; ``missing`` when it is not a finite number."""
    if not finite(value):
        return missing
    v = float(value)
    if unit == "share":
        return _number(100 * v, 1, lang) + "\u00a0%"
    if unit == "eur":
        return _number(v, 0, lang) + "\u00a0€"
    if unit == "days":
        return _number(v, 1, lang) + "\u00a0d"
    if unit == "count":
        return _number(v, 0, lang)
    return _number(v, 3, lang)


@cache
def _version() -> str:
    from keino_metrics import __version__

    return str(__version__)


@cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("keino_metrics.site", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    return env


class _Page:
    """Helpers of one language handed to the templates (texts, numbers, links)."""

    def __init__(self, content: SiteContent, lang: str,
                 languages: tuple[str, ...] = LANGUAGES) -> None:
        self.c = content
        self.lang = lang
        self.languages = languages
        self.na = text("site.not_measurable", lang)
        ids = [*content.indicators["id"], *(SPEND_IDS if content.has_spend else ())]
        # definitions, limits and threshold texts in the page's language
        cat = indicator_catalogue(lang=lang).set_index("id").loc[ids]
        self.name = {i: str(cat.loc[i, "name"]) for i in cat.index}
        self.unit = {i: str(cat.loc[i, "unit"]) for i in cat.index}
        self.cat = cat
        self.group_names = {k: text(f"buyer_group.{k}", lang) for k in BUYER_GROUPS}
        codes = sorted({c for c in content.buyers["region_code"] if isinstance(c, str)})
        self.region_names = {c: geography.region_name(c, lang) for c in codes}
        self.effects = {r["programme"]: r for r in _records(content.effects)}
        self.scoreboard_ids = _family(content, SCOREBOARD_FAMILY)
        self.risk_ids = _family(content, RISK_FAMILY)
        self.buyer_name = dict(zip(content.buyers["buyer_id"], content.buyers["name"],
                                   strict=True))

    def t(self, key: str, **values: object) -> str:
        return text(f"site.{key}", self.lang, **values)

    def v(self, value: object, ind: str) -> str:
        return fmt(value, self.unit.get(ind), self.lang, self.na)

    def ci(self, low: object, high: object, ind: str) -> str:
        if not (finite(low) and finite(high)):
            return text("site.no_value", self.lang)
        return f"{self.v(low, ind)} – {self.v(high, ind)}"

    def why(self, row: dict) -> str:
        """A result row's note (why it is not measured, what to keep in mind) in the
        page's language (:func:`keino_metrics.report.grouped.reason`)."""
        return reason(row, self.lang)

    def n(self, value: object) -> str:
        return _number(float(value), 0, self.lang) if finite(value) else \
            text("site.no_value", self.lang)

    def pct(self, value: object) -> str:
        return fmt(value, "share", self.lang, text("site.no_value", self.lang))

    def pp(self, value: object) -> str:
        """A difference of shares in percentage points."""
        if not finite(value):
            return text("site.no_value", self.lang)
        return _number(100 * float(value), 1, self.lang) + "\u00a0" + self.t("pp")

    def light(self, value: object) -> Markup:
        if value not in ("green", "yellow", "red"):
            return Markup("")
        return Markup('<span class="light light-{0}">{1}</span>').format(
            value, self.t(f"light_{value}"))

    def group(self, key: object) -> str:
        return self.group_names.get(key, self.t("missing")) if isinstance(key, str) \
            else self.t("missing")

    def region(self, code: object) -> str:
        return self.region_names.get(code, str(code)) if isinstance(code, str) \
            else self.t("missing")


@dataclass(frozen=True)
class Prepared:
    """Per-buyer records of a content object, split once for all languages.

    Attributes
    ----------
    profiles : dict
        Buyer id -> {indicator id -> profile row} (see ``SiteContent.profiles``).
    volume : dict
        (buyer id, indicator id, year) -> value of the volume indicators.
    programmes, awards : dict
        Buyer id -> list of rows.
    """

    profiles: dict[str, dict[str, dict]]
    volume: dict[tuple[str, str, int], float]
    programmes: dict[str, list[dict]]
    awards: dict[str, list[dict]]


def prepare(content: SiteContent) -> Prepared:
    """Split the content's tables by buyer (done once, shared by every language)."""
    profiles: dict[str, dict[str, dict]] = {}
    for r in _records(content.profiles):
        profiles.setdefault(r["buyer_id"], {})[r["indicator_id"]] = r
    vol = content.by_buyer[content.by_buyer["indicator_id"].isin(VOLUME_IDS)]
    volume = {(b, i, int(y)): v for b, i, y, v in zip(vol["buyer_id"], vol["indicator_id"],
                                                      vol["year"], vol["value"], strict=True)}

    def split(frame: pd.DataFrame) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for r in _records(frame):
            out.setdefault(r["buyer_id"], []).append(r)
        return out

    return Prepared(profiles=profiles, volume=volume, programmes=split(content.programmes),
                    awards=split(content.awards))


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _chart(spec: dict) -> Markup:
    return Markup(json.dumps(spec, ensure_ascii=False, allow_nan=False).replace("</", "<\\/"))


def _common(p: _Page, rel: str, title: str) -> dict:
    depth = rel.count("/")
    return {"p": p, "c": p.c, "lang": p.lang, "languages": p.languages, "rel": rel,
            "root": "../" * (depth + 1), "here": "../" * depth, "title": title,
            "min_n": MIN_N, "page_path": page_path, "version": _version()}


def _rows_for(frame: pd.DataFrame, ids: tuple[str, ...], year: int) -> list[dict]:
    f = frame[frame["year"] == year].set_index("indicator_id")
    out = []
    for i in ids:
        row = f.loc[i].to_dict() if i in f.index else {}
        out.append({"indicator_id": i, **row})
    return out


def _trend_series(frame: pd.DataFrame, ind: str, years: tuple[int, ...]) -> dict:
    f = frame[frame["indicator_id"] == ind].set_index("year").reindex(list(years))
    return {"values": list(f["value"]), "low": list(f["ci_low"]), "high": list(f["ci_high"])}


def _overview(p: _Page) -> tuple[str, str]:
    c = p.c
    rel = page_path("overview")
    key_ids = (*VOLUME_IDS, *SHARE_IDS)
    series = [{"name": p.name[i], **_trend_series(c.national, i, c.years)} for i in SHARE_IDS]
    chart = figures.trend(p.t("trend"), c.years, series, "share")
    grid_ids = (*SHARE_IDS, "SMS-01")
    reg = c.by_region[c.by_region["year"] == c.year]
    grid = []
    for code, name in p.region_names.items():
        r = reg[reg["region_code"] == code].set_index("indicator_id")
        grid.append({"code": code, "name": name,
                     "cells": [r.loc[i].to_dict() if i in r.index else {} for i in grid_ids]})
    grp = c.by_group[c.by_group["year"] == c.year]
    groups = []
    for key in [k for k in BUYER_GROUPS if k in set(c.buyers["buyer_group"].dropna())]:
        r = grp[grp["buyer_group"] == key].set_index("indicator_id")
        groups.append({"key": key, "name": p.group(key),
                       "cells": [r.loc[i].to_dict() if i in r.index else {} for i in grid_ids]})
    html = _env().get_template("overview.html").render(
        **_common(p, rel, p.t("overview")), rows=_rows_for(c.national, key_ids, c.year),
        trend_chart=_chart(chart), grid_ids=grid_ids, grid=grid, groups=groups)
    return rel, html


def _area(p: _Page, prep: Prepared, kind: str, key: str, name: str, frame: pd.DataFrame,
          column: str) -> tuple[str, str]:
    c = p.c
    rel = page_path(kind, key)
    own = frame[frame[column] == key]
    series = [{"name": p.name[i], **_trend_series(own, i, c.years)} for i in SHARE_IDS]
    chart = figures.trend(f"{name}: {p.t('trend')}", c.years, series, "share")
    members = c.buyers[c.buyers["region_code" if kind == "region" else "buyer_group"] == key]
    table_ids = ("KEINO-VOL-EUR", *SHARE_IDS)
    buyers = [{"id": b, "name": n, "cells": [prep.profiles[b][i] for i in table_ids]}
              for b, n in zip(members["buyer_id"], members["name"], strict=True)]
    rows = _rows_for(own, (*VOLUME_IDS, *SHARE_IDS, *_family(c, SCOREBOARD_FAMILY)), c.year)
    nat = c.national[c.national["year"] == c.year].set_index("indicator_id")["value"]
    html = _env().get_template("area.html").render(
        **_common(p, rel, name), kind=kind, name=name, rows=rows, national=nat.to_dict(),
        trend_chart=_chart(chart), buyers=buyers, table_ids=table_ids)
    return rel, html


def _family(c: SiteContent, family: str) -> tuple[str, ...]:
    cat = c.indicators
    return tuple(cat.loc[cat["family"] == family, "id"])


def _buyer(p: _Page, prep: Prepared, b: dict) -> tuple[str, str]:
    c = p.c
    bid = b["buyer_id"]
    rel = page_path("buyer", bid)
    prof = prep.profiles[bid]
    volume = [{"year": y, "cells": [prep.volume.get((bid, i, y)) for i in VOLUME_IDS]}
              for y in c.years]
    vol_chart = figures.trend(p.name["KEINO-VOL-EUR"], c.years, [
        {"name": p.name["KEINO-VOL-EUR"],
         "values": [prep.volume.get((bid, "KEINO-VOL-EUR", y)) for y in c.years]}], "eur")
    groups = []
    for label, prefix in ((b["name"], ""), (p.t("same_group"), "group_"),
                          (p.t("same_region"), "region_"), (p.t("national"), "national_")):
        groups.append({"name": label,
                       "values": [prof[i][f"{prefix}value"] for i in SHARE_IDS],
                       "low": [prof[i][f"{prefix}ci_low"] for i in SHARE_IDS],
                       "high": [prof[i][f"{prefix}ci_high"] for i in SHARE_IDS]})
    peer_chart = figures.peers(p.t("shares"), [p.name[i] for i in SHARE_IDS], groups, "share")
    html = _env().get_template("buyer.html").render(
        **_common(p, rel, b["name"]), b=b, prof=prof, volume=volume,
        volume_ids=VOLUME_IDS, vol_chart=_chart(vol_chart), share_ids=SHARE_IDS,
        peer_chart=_chart(peer_chart), scoreboard_ids=p.scoreboard_ids,
        risk_ids=p.risk_ids, programmes=prep.programmes.get(bid, []), effects=p.effects,
        effect_outcome=p.name.get(EFFECT_OUTCOME, EFFECT_OUTCOME),
        awards=prep.awards.get(bid, []), csv_href="../../data/" + csv_path(bid),
        spend_ids=SPEND_IDS if c.has_spend else (), effects_href="../../data/" + EFFECTS_CSV)
    return rel, html


def csv_path(buyer_id: str) -> str:
    """Path of a buyer's CSV download under the site's ``data/`` folder."""
    return page_path("buyer", buyer_id)[:-5] + ".csv"


def _indicator(p: _Page, ind: str) -> tuple[str, str]:
    c = p.c
    rel = page_path("indicator", ind)
    unit = p.unit[ind]
    trend_rows = _trend_series(c.national, ind, c.years)
    chart_trend = figures.trend(p.name[ind], c.years, [{"name": p.t("national"),
                                                        **trend_rows}], unit)
    yb = c.by_buyer[(c.by_buyer["year"] == c.year) & (c.by_buyer["indicator_id"] == ind)]
    ranked = yb[yb["rank"].notna()].sort_values(["rank", "buyer_id"])
    ranked_rows = _records(ranked)
    for r in ranked_rows:
        r["name"] = p.buyer_name.get(r["buyer_id"], r["buyer_id"])
    dist = figures.distribution(p.t("distribution"), list(ranked["value"]), unit, p.name[ind])
    rank_chart = figures.ranking(p.t("ranking"), [r["name"] for r in ranked_rows],
                                 list(ranked["value"]), list(ranked["ci_low"]),
                                 list(ranked["ci_high"]), unit)
    trend_table = _records(c.national[c.national["indicator_id"] == ind].sort_values("year"))
    info = p.cat.loc[ind].to_dict()
    html = _env().get_template("indicator.html").render(
        **_common(p, rel, p.name[ind]), ind=ind, info=info, trend_table=trend_table,
        chart_trend=_chart(chart_trend), chart_dist=_chart(dist),
        chart_rank=_chart(rank_chart), ranked=ranked_rows)
    return rel, html


def pages(content: SiteContent, lang: str, prepared: Prepared | None = None,
          languages: tuple[str, ...] = LANGUAGES) -> Iterator[tuple[str, str]]:
    """Every page of ``lang`` as ``(path inside the language folder, html)``.

    ``prepared`` (from :func:`prepare`) saves splitting the content again per
    language; ``languages`` are the languages the switch offers (those built).
    """
    prep = prepare(content) if prepared is None else prepared
    p = _Page(content, lang, languages)
    yield _overview(p)
    for code, name in p.region_names.items():
        yield _area(p, prep, "region", code, name, content.by_region, "region_code")
    for key in [k for k in BUYER_GROUPS if k in set(content.buyers["buyer_group"].dropna())]:
        yield _area(p, prep, "group", key, p.group(key), content.by_group, "buyer_group")
    for b in _records(content.buyers):
        yield _buyer(p, prep, b)
    for ind in content.ids:
        yield _indicator(p, ind)


def csv_files(content: SiteContent) -> Iterator[tuple[str, bytes]]:
    """The CSV downloads: each buyer page's numbers and the programme effects
    (with the reason where there is no estimate), as ``(path under data/, bytes)``."""
    buf = io.StringIO()
    content.effects.to_csv(buf, index=False, lineterminator="\n")
    yield EFFECTS_CSV, buf.getvalue().encode()
    for bid, prof in content.profiles.groupby("buyer_id", sort=False):
        buf = io.StringIO()
        prof.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        yield csv_path(str(bid)), buf.getvalue().encode()


def search_index(content: SiteContent) -> str:
    """JavaScript that defines the buyers the search box finds (id, name, page)."""
    entries = [[b, n, page_path("buyer", b)] for b, n in
               zip(content.buyers["buyer_id"], content.buyers["name"], strict=True)]
    body = json.dumps(entries, ensure_ascii=False).replace("</", "<\\/")
    return f"window.KEINO_BUYERS = {body};\n"


def redirect_page(lang: str, languages: tuple[str, ...] = LANGUAGES) -> str:
    """The site's root page: a link (and a redirect) to the overview in ``lang``."""
    return _env().get_template("redirect.html").render(lang=lang, languages=languages,
                                                       title=text("site.title", lang))
