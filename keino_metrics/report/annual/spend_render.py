"""HTML and figure of the annual report's spend section (:mod:`.spend` holds its numbers).

:func:`section` writes the whole section in one language: euros paid and the
share under noticed contracts by year, the 10 % target on spend beside the
notice-based definitions (each with what it covers), green, social and SME
shares and concentration, shares by category, the linker's coverage, the
carbon footprint of what was paid beside that of awarded lots, and the
limits. Without invoice data it says, in words only, that spend is not
measurable. The figure is embedded as a PNG with its alternative text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from keino_metrics.labels import text
from keino_metrics.report import numbers, tables
from keino_metrics.report.annual.spend import (
    CATEGORY_IDS,
    SHARE_IDS,
    SPEND_TARGET_ID,
    SpendContent,
)
from keino_metrics.report.blocks import banner, heading, html_table, paragraph
from keino_metrics.report.figures import Drawn, caption, figure_html, finish, share_axis, style

__all__ = ["section", "target_figure", "figure_alt", "LIMIT_KEYS"]

#: Catalogue keys of the limits listed at the end of the section.
LIMIT_KEYS: tuple[str, ...] = tuple(f"spend_report.limit_{k}" for k in
                                    ("coverage", "private", "history", "flags", "lots",
                                     "carbon"))


def _t(key: str, lang: str, **kw: object) -> str:
    return text(f"spend_report.{key}", lang, **kw)


def _share(v: object, lang: str) -> str:
    return numbers.percent(v, lang)  # type: ignore[arg-type]


def _ci(low: object, high: object, lang: str) -> str:
    if pd.isna(low) or pd.isna(high):
        return numbers.MISSING
    return numbers.interval(low, high, lang)  # type: ignore[arg-type]


def _eur(v: object, lang: str) -> str:
    return numbers.eur_million(v, lang)  # type: ignore[arg-type]


def _paid_table(c: SpendContent, lang: str) -> str:
    d = c.paid()
    m = text("unit.eur_million", lang)
    return html_table(pd.DataFrame({
        _t("col_year", lang): d["year"].astype(str),
        _t("col_invoices", lang): [numbers.number(v, lang) for v in d["invoices"]],
        f"{_t('col_paid', lang)} ({m})": [_eur(v, lang) for v in d["eur"]],
        _t("col_covered", lang): [_share(v, lang) for v in d["covered"]],
        _t("col_ci", lang): [_ci(lo, hi, lang) for lo, hi in zip(d["ci_low"], d["ci_high"],
                                                                 strict=True)],
    }))


def _target_table(c: SpendContent, lang: str, names: Mapping[str, str]) -> str:
    d = c.target
    return html_table(pd.DataFrame({
        _t("col_measure", lang): [f"{names.get(i, i)} ({i})" for i in d["indicator_id"]],
        _t("col_value", lang): [_share(v, lang) for v in d["value"]],
        _t("col_ci", lang): [_ci(lo, hi, lang) for lo, hi in zip(d["ci_low"], d["ci_high"],
                                                                 strict=True)],
        _t("col_coverage", lang): [_share(v, lang) for v in d["coverage"]],
        _t("col_covers", lang): [text(k, lang) for k in d["covers"]],
    }))


def _trend_table(frame: pd.DataFrame, lang: str, names: Mapping[str, str],
                 ids: tuple[str, ...]) -> str:
    rows = []
    for ind in ids:
        d = frame[frame["indicator_id"] == ind].sort_values("year")
        if d.empty:
            continue
        rec = {_t("col_measure", lang): f"{names.get(ind, ind)} ({ind})"}
        for r in d.itertuples():
            # concentration indices lie close together: three decimals
            rec[str(int(r.year))] = (numbers.number(r.value, lang, 3) if r.unit == "index"
                                     else tables.format_value(r.value, r.unit, lang))
        rows.append(rec)
    return html_table(pd.DataFrame(rows))


def _category_table(c: SpendContent, lang: str, names: Mapping[str, str]) -> str:
    d = c.by_category
    cats = sorted(d["category"].dropna().astype(str).unique())
    rows = []
    for cat in cats:
        # categories as the publisher names them (data, not text of the report)
        rec = {_t("col_category", lang): f"<code>{html.escape(cat)}</code>"}
        for ind in CATEGORY_IDS:
            r = d[(d["category"].astype(str) == cat) & (d["indicator_id"] == ind)]
            rec[f"{names.get(ind, ind)} ({ind})"] = (
                f"{_share(r['value'].iloc[0], lang)} "
                f"({_ci(r['ci_low'].iloc[0], r['ci_high'].iloc[0], lang)})"
                if len(r) else numbers.MISSING)
        rows.append(rec)
    df = pd.DataFrame(rows)
    return html_table(df, escape_columns=list(df.columns[1:]))


def _linkage_table(c: SpendContent, lang: str) -> str:
    d = c.linkage
    m = text("unit.eur_million", lang)
    return html_table(pd.DataFrame({
        _t("col_year", lang): d["year"].astype(str),
        f"{_t('col_linked', lang)} ({m})": [_eur(v, lang) for v in d["linked_eur"]],
        f"{_t('col_unlinked', lang)} ({m})": [_eur(v, lang) for v in d["unlinked_eur"]],
        f"{_t('col_no_id', lang)} ({m})": [_eur(v, lang) for v in d["no_supplier_id_eur"]],
        f"{_t('col_lot_named', lang)} ({m})": [_eur(v, lang) for v in d["lot_named_eur"]],
        _t("col_score", lang): [numbers.number(v, lang, 3) for v in d["mean_score"]],
    }))


def _carbon_tables(c: SpendContent, lang: str) -> str:
    d = c.carbon
    m = text("unit.eur_million", lang)
    main = html_table(pd.DataFrame({
        _t("col_basis", lang): [_t(f"basis_{b}", lang) for b in d["basis"]],
        f"{_t('col_spend', lang)} ({m})": [_eur(v, lang) for v in d["spend_eur"]],
        f"{_t('col_unmatched', lang)} ({m})": [_eur(v, lang) for v in d["unmatched_eur"]],
        _t("col_emissions", lang): [numbers.number(v, lang) for v in d["total_t"]],
        _t("col_ci", lang): [numbers.MISSING if pd.isna(lo) else
                             f"{numbers.number(lo, lang)}–{numbers.number(hi, lang)}"
                             for lo, hi in zip(d["low_t"], d["high_t"], strict=True)],
        _t("col_intensity", lang): [numbers.number(v, lang, 2)
                                    for v in d["intensity_kg_per_eur"]],
    }))
    b = c.carbon_basis
    placed = html_table(pd.DataFrame({
        _t("col_placed", lang): [_t(f"placed_{k}", lang) for k in b["basis"]],
        f"{_t('col_paid', lang)} ({m})": [_eur(v, lang) for v in b["spend_eur"]],
    }))
    return main + "\n" + placed


def target_figure(c: SpendContent, lang: str, names: Mapping[str, str]) -> Figure | None:
    """The share of spend under innovative contracts by year with its interval, the
    notice-based definitions beside it, and the 10 % target line."""
    d = c.target_by_year.dropna(subset=["value"])
    if d.empty:
        return None
    target = c.target.loc[c.target["indicator_id"] == SPEND_TARGET_ID, "target"]
    with style():
        fig = Figure(figsize=(10, 5.2))
        ax = fig.subplots()
        ids = tuple(dict.fromkeys(d["indicator_id"]))
        for k, ind in enumerate(ids):
            s = d[d["indicator_id"] == ind].sort_values("year")
            x = s["year"].astype(int).to_numpy() + (k - (len(ids) - 1) / 2) * 0.08
            v = s["value"].astype(float).to_numpy()
            lo = s["ci_low"].astype(float).to_numpy()
            hi = s["ci_high"].astype(float).to_numpy()
            err = np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)])
            ax.errorbar(x, v, yerr=np.nan_to_num(err), marker="o" if k == 0 else "s",
                        linestyle="-" if k == 0 else "--", capsize=3, color=f"C{k}",
                        linewidth=2.2 if k == 0 else 1.2, label=f"{names.get(ind, ind)} ({ind})")
        if len(target) and pd.notna(target.iloc[0]):
            ax.axhline(float(target.iloc[0]), color="C3", linestyle=":", linewidth=1.5,
                       label=text("figure.target_line", lang,
                                  target=numbers.percent(float(target.iloc[0]), lang, 0)))
        ax.set_xticks(sorted(d["year"].astype(int).unique()))
        ax.set_ylabel(_t("figure_y", lang))
        ax.set_ylim(bottom=0)
        share_axis(ax, lang, "y")
        ax.legend(loc="upper left", fontsize=8)
        n = int(c.linkage["invoices"].sum()) if len(c.linkage) else 0
        src = text("report.source_demo" if c.demo else "report.source_files", lang)
        return finish(fig, title=_t("figure_title", lang, year=c.year),
                      caption_text=caption(lang, source=src, n=n, unit="rows"),
                      demo=c.demo, lang=lang)


def figure_alt(c: SpendContent, lang: str) -> str:
    """Alternative text of :func:`target_figure`: what it shows and the report-year values."""
    t = c.target.set_index("indicator_id")
    spend = t.loc[SPEND_TARGET_ID] if SPEND_TARGET_ID in t.index else None
    principal = t.loc[c.principal_id] if c.principal_id in t.index else None
    return _t("figure_alt", lang, first_year=int(c.linkage["year"].min()), year=c.year,
              spend=_share(spend["value"] if spend is not None else None, lang),
              low=_share(spend["ci_low"] if spend is not None else None, lang),
              high=_share(spend["ci_high"] if spend is not None else None, lang),
              principal=c.principal_id,
              notice=_share(principal["value"] if principal is not None else None, lang))


def section(c: SpendContent, lang: str, names: Mapping[str, str],
            figure: Figure | Drawn | None = None) -> str:
    """The spend section in ``lang`` (HTML).

    ``figure`` is :func:`target_figure` already drawn (the report's
    ``spend_target`` figure); without it the figure is drawn here.
    """
    parts = [heading(_t("title", lang))]
    if not c.measured:
        parts.append(paragraph(_t("not_measurable", lang)))
        parts.append(paragraph(_t("not_measurable_how", lang)))
        return "\n".join(parts)
    if c.demo:
        parts.append(banner(lang))
    parts.append(paragraph(_t("intro", lang)))
    parts += [heading(_t("h_paid", lang), 3), paragraph(_t("paid_intro", lang)),
              _paid_table(c, lang)]
    parts += [heading(_t("h_target", lang), 3),
              paragraph(_t("target_intro", lang, year=c.year)),
              _target_table(c, lang, names)]
    fig = figure if figure is not None else target_figure(c, lang, names)
    if fig is not None:
        parts.append(figure_html(fig, figure_alt(c, lang)))
    parts += [heading(_t("h_shares", lang), 3), paragraph(_t("shares_intro", lang)),
              _trend_table(c.by_year, lang, names, SHARE_IDS)]
    if len(c.by_category):
        parts += [paragraph(_t("category_intro", lang, year=c.year)),
                  _category_table(c, lang, names)]
    last = c.linkage[c.linkage["year"] == c.year]
    parts += [heading(_t("h_linkage", lang), 3),
              paragraph(_t("linkage_rule", lang,
                           threshold=numbers.number(c.rules.get("threshold"), lang, 2),
                           margin=numbers.number(c.rules.get("margin"), lang, 2)))]
    if len(last):
        r = last.iloc[0]
        parts.append(paragraph(_t(
            "linkage_year", lang, year=c.year,
            linked=_share(r["linked_eur"] / r["eur"] if r["eur"] else None, lang),
            unlinked=_share(r["unlinked_eur"] / r["eur"] if r["eur"] else None, lang),
            no_id=_share(r["no_supplier_id_eur"] / r["eur"] if r["eur"] else None, lang))))
    parts.append(_linkage_table(c, lang))
    parts += [heading(_t("h_carbon", lang), 3),
              paragraph(_t("carbon_intro", lang, year=c.year)),
              _carbon_tables(c, lang), paragraph(_t("carbon_source", lang))]
    parts.append(heading(_t("h_limits", lang), 3))
    parts.append("<ul>" + "".join(f"<li>{html.escape(text(k, lang))}</li>" for k in LIMIT_KEYS)
                 + "</ul>")
    return "\n".join(parts)
