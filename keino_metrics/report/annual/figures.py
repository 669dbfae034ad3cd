"""Figures of the annual report, drawn from its content in one language.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot
in the shared style of :mod:`keino_metrics.report.figures` (captions with source
and N, the demo mark); :func:`figures` draws all of them for one language.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from keino_metrics.indicators.compute import MIN_COVERAGE
from keino_metrics.labels import text
from keino_metrics.published import FI_INNOVATION_TARGET
from keino_metrics.report import numbers
from keino_metrics.report.annual import spend_render
from keino_metrics.report.annual.content import (
    COMPETITION_IDS,
    REGION_FIGURE_IDS,
    STRATEGIC_IDS,
    ReportContent,
    indicator_names,
)
from keino_metrics.report.figures import (
    caption,
    finish,
    nice_ticks,
    share_axis,
    step_formatter,
    style,
)

__all__ = ["figures", "alt_texts", "innovation_target", "volume_trend", "share_trend",
           "index_trend", "breakdown_bars"]


def innovation_target(frame: pd.DataFrame, names: Mapping[str, str], *, lang: str,
                      title: str, caption_text: str,
                      target: float | None = FI_INNOVATION_TARGET.value,
                      demo: bool = False) -> Figure:
    """Innovative-procurement share under each candidate definition, against the target.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per definition, in the order drawn from the top (the principal
        definition first): ``indicator_id``, ``value``, ``ci_low``, ``ci_high``
        (shares 0..1).
    names : mapping
        Display name of each indicator id.
    target : float or None
        Target share drawn as a vertical line.
    """
    rows = frame.iloc[::-1].reset_index(drop=True)  # the first row (principal) on top
    with style():
        fig = Figure(figsize=(10, 0.55 * max(len(rows), 2) + 2.0))
        ax = fig.subplots()
        y = np.arange(len(rows))
        value = rows["value"].astype(float).to_numpy()
        low = rows["ci_low"].astype(float).to_numpy()
        high = rows["ci_high"].astype(float).to_numpy()
        err = np.vstack([np.clip(value - low, 0, None), np.clip(high - value, 0, None)])
        ax.errorbar(value, y, xerr=np.nan_to_num(err), fmt="o", color="C0", capsize=3)
        ax.set_yticks(y, [f"{names.get(i, i)}\n({i})" for i in rows["indicator_id"]])
        if target is not None:
            ax.axvline(target, color="C3", linestyle="--", linewidth=1.5,
                       label=text("figure.target_line", lang,
                                  target=numbers.percent(target, lang, 0)))
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlabel(text("figure.innov_target_x", lang))
        ax.set_xlim(left=0)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        share_axis(ax, lang, "x")
        return finish(fig, title=title, caption_text=caption_text, demo=demo, lang=lang)


def volume_trend(frame: pd.DataFrame, *, lang: str, title: str, caption_text: str,
                 demo: bool = False) -> Figure:
    """Notices and lots (left) and awarded euros (right) by year.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per year: ``year``, ``notices``, ``lots``, ``value_eur``.
    """
    df = frame.sort_values("year")
    years = df["year"].astype(int).to_numpy()
    with style():
        fig = Figure(figsize=(10, 4.2))
        ax1, ax2 = fig.subplots(1, 2)
        width = 0.4
        ax1.bar(years - width / 2, df["notices"].astype(float), width,
                label=text("column.notices", lang), color="C0")
        ax1.bar(years + width / 2, df["lots"].astype(float), width,
                label=text("column.lots", lang), color="C1")
        ax1.set_ylabel(text("figure.volume_count_y", lang))
        nice_ticks(ax1)
        ax1.yaxis.set_major_formatter(numbers.tick_formatter(lang))
        ax1.legend(loc="upper left")
        ax2.bar(years, df["value_eur"].astype(float) / 1e6, 0.6, color="C2")
        ax2.set_ylabel(text("figure.volume_eur_y", lang))
        nice_ticks(ax2)
        ax2.yaxis.set_major_formatter(numbers.tick_formatter(lang))
        for ax in (ax1, ax2):
            ax.set_xticks(years, [str(y) for y in years])
            ax.set_xlabel(text("figure.year_x", lang))
        return finish(fig, title=title, caption_text=caption_text, demo=demo, lang=lang)


def share_trend(frame: pd.DataFrame, names: Mapping[str, str], *, lang: str, title: str,
                caption_text: str, demo: bool = False, min_coverage: float = 0.5) -> Figure:
    """Shares by year, one line per indicator with its 95 % interval as a band.

    Years in which fewer than ``min_coverage`` of the units report the fields
    an indicator needs are drawn as hollow markers, not joined to the line
    and without a band, and a note says so.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame: ``indicator_id``, ``year``, ``value``, ``ci_low``,
        ``ci_high`` (shares 0..1) and optionally ``coverage``.
    names : mapping
        Display name of each indicator id; also fixes the order of the lines.
    min_coverage : float
        Coverage below which a point is drawn hollow.
    """
    order = [i for i in names if i in set(frame["indicator_id"])]
    with style():
        fig = Figure(figsize=(9, 5.2 + 0.22 * len(order)))
        ax = fig.subplots()
        any_low = False
        for k, ind in enumerate(order):
            d = frame[frame["indicator_id"] == ind].sort_values("year")
            cov = (d["coverage"].astype(float) if "coverage" in d
                   else pd.Series(1.0, index=d.index))
            # a year without a value (not measured) is left out, not drawn hollow
            ok = ((cov >= min_coverage) | d["value"].isna()).to_numpy()
            any_low = any_low or not ok.all()
            x = d["year"].astype(int).to_numpy()
            v = d["value"].astype(float).to_numpy()
            good = np.where(ok, v, np.nan)
            ax.plot(x, good, marker="o", color=f"C{k}", label=f"{names[ind]} ({ind})")
            ax.plot(x[~ok], v[~ok], linestyle="none", marker="o", markerfacecolor="white",
                    color=f"C{k}")
            ax.fill_between(x, np.where(ok, d["ci_low"].astype(float), np.nan),
                            np.where(ok, d["ci_high"].astype(float), np.nan),
                            color=f"C{k}", alpha=0.15, linewidth=0)
        years = sorted(frame["year"].astype(int).unique())
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlabel(text("figure.year_x", lang))
        ax.set_ylabel(text("figure.share_y", lang))
        ax.set_ylim(bottom=0)
        share_axis(ax, lang)
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), ncols=1)
        if any_low:
            caption_text = (text("figure.low_coverage_note", lang,
                                 share=numbers.percent(min_coverage, lang, 0))
                            + "\n" + caption_text)
        return finish(fig, title=title, caption_text=caption_text, demo=demo, lang=lang)


def index_trend(frame: pd.DataFrame, names: Mapping[str, str], *, lang: str, title: str,
                caption_text: str, demo: bool = False) -> Figure:
    """Indices (such as 0-100 capability scores) by year, one line each with its 95 % band.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame: ``indicator_id``, ``year``, ``value``, ``ci_low``, ``ci_high``.
    names : mapping
        Display name of each indicator id; also fixes the order of the lines.
    """
    order = [i for i in names if i in set(frame["indicator_id"])]
    with style():
        fig = Figure(figsize=(9, 5.2 + 0.22 * len(order)))
        ax = fig.subplots()
        for k, ind in enumerate(order):
            d = frame[frame["indicator_id"] == ind].sort_values("year")
            x = d["year"].astype(int).to_numpy()
            ax.plot(x, d["value"].astype(float).to_numpy(), marker="o", color=f"C{k}",
                    label=f"{names[ind]} ({ind})")
            ax.fill_between(x, d["ci_low"].astype(float).to_numpy(),
                            d["ci_high"].astype(float).to_numpy(),
                            color=f"C{k}", alpha=0.12, linewidth=0)
        years = sorted(frame["year"].astype(int).unique())
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlabel(text("figure.year_x", lang))
        ax.set_ylabel(text("figure.index_y", lang))
        nice_ticks(ax)
        ax.yaxis.set_major_formatter(step_formatter(ax.yaxis, lang))
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), ncols=1)
        return finish(fig, title=title, caption_text=caption_text, demo=demo, lang=lang)


def breakdown_bars(frame: pd.DataFrame, names: Mapping[str, str], *, category: str,
                   lang: str, title: str, xlabel: str, caption_text: str,
                   demo: bool = False) -> Figure:
    """Horizontal grouped bars of shares by category, with 95 % intervals.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame: ``category`` column (display labels), ``indicator_id``,
        ``value``, ``ci_low``, ``ci_high`` (shares 0..1).
    names : mapping
        Display name of each indicator id; also fixes the order of the bars.
    category : str
        Column holding the category labels (for example region names).
    """
    cats = sorted(frame[category].astype(str).unique(), reverse=True)
    order = [i for i in names if i in set(frame["indicator_id"])]
    with style():
        fig = Figure(figsize=(9, 0.24 * len(cats) * max(len(order), 1) + 2.2))
        ax = fig.subplots()
        height = 0.8 / max(len(order), 1)
        base = np.arange(len(cats))
        for k, ind in enumerate(order):
            d = (frame[frame["indicator_id"] == ind].set_index(category)
                 .reindex(cats))
            value = d["value"].astype(float).to_numpy()
            err = np.vstack([np.clip(value - d["ci_low"].astype(float).to_numpy(), 0, None),
                             np.clip(d["ci_high"].astype(float).to_numpy() - value, 0, None)])
            ax.barh(base + (k - (len(order) - 1) / 2) * height, np.nan_to_num(value), height,
                    xerr=np.nan_to_num(err), color=f"C{k}", error_kw={"elinewidth": 0.8},
                    label=f"{names[ind]} ({ind})")
        ax.set_yticks(base, cats)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        share_axis(ax, lang, "x")
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.06), ncols=1)
        return finish(fig, title=title, caption_text=caption_text, demo=demo, lang=lang)


def figures(content: ReportContent, lang: str) -> dict[str, Figure]:
    """The annual report's figures in ``lang``, by file stem (figures without data are left out)."""
    names = indicator_names(lang)
    src = content.source(lang)
    lots_year = content.n_lots(content.year)
    out: dict[str, Figure] = {}
    innov = content.innovation()
    if len(innov):
        out["innovation_target"] = innovation_target(
            innov, {i: names.get(i, i) for i in content.innovation_ids}, lang=lang,
            title=text("figure.innov_target_title", lang, year=content.year),
            caption_text=caption(lang, source=src, n=lots_year),
            target=content.target(), demo=content.demo)
    vol = content.volume()
    if len(vol):
        out["volume"] = volume_trend(
            vol, lang=lang,
            title=text("figure.volume_title", lang, first_year=content.first_year,
                       year=content.year),
            caption_text=caption(lang, source=src, n=content.n_lots()),
            demo=content.demo)
    strat = content.select(STRATEGIC_IDS)
    if len(strat):
        out["strategic_trend"] = share_trend(
            strat, {i: names.get(i, i) for i in STRATEGIC_IDS}, lang=lang,
            title=text("figure.strategic_title", lang, first_year=content.first_year,
                       year=content.year),
            caption_text=caption(lang, source=src, n=content.n_lots()),
            demo=content.demo, min_coverage=MIN_COVERAGE)
    comp = content.select(COMPETITION_IDS)
    if len(comp):
        n_awards = int(comp[comp["indicator_id"] == "SMS-07"]["n_eligible"].fillna(0)
                       .sum()) if "n_eligible" in comp else 0
        out["competition_trend"] = share_trend(
            comp, {i: names.get(i, i) for i in COMPETITION_IDS}, lang=lang,
            title=text("figure.competition_title", lang, first_year=content.first_year,
                       year=content.year),
            caption_text=caption(lang, source=src, n=n_awards, unit="awards"),
            demo=content.demo, min_coverage=MIN_COVERAGE)
    reg = content.regions(lang)
    reg = reg[reg["indicator_id"].isin(REGION_FIGURE_IDS)]
    if len(reg):
        out["regions"] = breakdown_bars(
            reg, {i: names.get(i, i) for i in REGION_FIGURE_IDS}, category="region",
            lang=lang, title=text("figure.region_title", lang, year=content.year),
            xlabel=text("figure.region_x", lang),
            caption_text=caption(lang, source=src, n=lots_year), demo=content.demo)
    cap = content.capability()
    if len(cap):
        cap_ids = tuple(dict.fromkeys(cap["indicator_id"]))
        out["capability_trend"] = index_trend(
            cap, {i: names.get(i, i) for i in cap_ids}, lang=lang,
            title=text("figure.capability_title", lang, year=int(cap["year"].max())),
            caption_text=caption(
                lang, source=src,
                n=int(cap.drop_duplicates("year")["n_eligible"].fillna(0).sum()),
                unit="responses"),
            demo=content.demo)
    if content.spend is not None and content.spend.measured:
        fig = spend_render.target_figure(content.spend, lang, names)
        if fig is not None:
            out["spend_target"] = fig
    return out


def alt_texts(content: ReportContent, lang: str) -> dict[str, str]:
    """What each figure of :func:`figures` shows, in ``lang``, for its ``alt`` text."""
    h = content.headline
    innov = content.innovation()
    principal = None if h is None else h.principal_row()
    value = (numbers.percent(principal["value"], lang)
             if principal is not None and pd.notna(principal["value"]) else numbers.MISSING)
    cap = content.capability()
    cap_years = sorted(cap["year"].astype(int).unique()) if len(cap) else [content.year]
    target = content.target()
    return {
        "innovation_target": text("annual.alt.innovation_target", lang, year=content.year,
                                  n=len(innov), value=value,
                                  target=numbers.percent(target, lang, 0)),
        "volume": text("annual.alt.volume", lang, first_year=content.first_year,
                       year=content.year),
        "strategic_trend": text("annual.alt.strategic_trend", lang,
                                first_year=content.first_year, year=content.year),
        "competition_trend": text("annual.alt.competition_trend", lang,
                                  first_year=content.first_year, year=content.year),
        "regions": text("annual.alt.regions", lang, year=content.year),
        "capability_trend": text("annual.alt.capability_trend", lang,
                                 first_year=cap_years[0], year=cap_years[-1]),
        **({"spend_target": spend_render.figure_alt(content.spend, lang)}
           if content.spend is not None and content.spend.measured else {}),
    }
