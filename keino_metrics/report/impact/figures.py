"""Figures of the impact report, drawn from its content in one language."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from keino_metrics.labels import text
from keino_metrics.report import figures as shared
from keino_metrics.report import numbers
from keino_metrics.report.catalogue import indicator_names
from keino_metrics.report.impact.content import ImpactContent
from keino_metrics.report.impact.params import TARGET_YEAR
from keino_metrics.report.impact.render import (
    caption,
    division_label,
    programme_label,
    variant_label,
)

__all__ = ["figures"]


_EST_STYLE = {"callaway_santanna": ("C0", "o", "Callaway & Sant'Anna", 0.0),
              "sun_abraham": ("C1", "s", "Sun & Abraham", 0.18),
              "twfe": ("C3", "^", "TWFE", -0.18)}


def _finish(fig: Figure, content: ImpactContent, lang: str, title: str, n: int,
            unit: str) -> Figure:
    return shared.finish(fig, title=title, caption_text=caption(lang, content, n, unit),
                           demo=content.demo, lang=lang)


def _pp_axis(ax, lang: str) -> None:
    ax.yaxis.set_major_formatter(numbers.tick_formatter(lang, kind="number", decimals=1))


def _event_figure(content: ImpactContent, lang: str) -> Figure:
    ev = content.event_study
    with shared.style():
        fig = Figure(figsize=(9, 4.6))
        ax = fig.subplots()
        cs = ev[ev["estimator"] == "callaway_santanna"].sort_values("event_time")
        x = cs["event_time"].to_numpy(float)
        ax.fill_between(x, 100 * cs["band_low"], 100 * cs["band_high"], color="C0", alpha=0.15,
                        linewidth=0, label=text("impact.fig.band", lang))
        for name in ("callaway_santanna", "sun_abraham", "twfe"):
            d = ev[ev["estimator"] == name].sort_values("event_time")
            if d.empty:
                continue
            color, marker, label, shift = _EST_STYLE[name]
            y = 100 * d["att"].to_numpy(float)
            err = np.vstack([y - 100 * d["ci_low"].to_numpy(float),
                             100 * d["ci_high"].to_numpy(float) - y])
            ax.errorbar(d["event_time"].to_numpy(float) + shift, y, yerr=np.abs(err),
                        fmt=marker, color=color, capsize=2, markersize=5, label=label)
        if content.has_truth and "truth" in ev.columns:
            tr = cs.dropna(subset=["truth"])
            ax.step(tr["event_time"], 100 * tr["truth"], where="mid", color="black",
                    linestyle="--", linewidth=1.2, label=text("impact.fig.truth", lang))
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
        ticks = sorted(ev["event_time"].astype(int).unique())
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_xlabel(text("impact.fig.event_x", lang))
        ax.set_ylabel(text("impact.fig.effect_y", lang))
        _pp_axis(ax, lang)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return _finish(fig, content, lang, text("impact.fig.event_title", lang,
                                                outcome=content.outcome),
                       content.n_units, "buyers")


def _effects_with_intervals(ax, table: pd.DataFrame, label: str | None = None) -> np.ndarray:
    """One row per effect of ``table`` (share differences) in percentage points with its
    95 % interval, from the bottom up; returns the rows' y positions."""
    y = np.arange(len(table))
    est = 100 * table["estimate"].to_numpy(float)
    err = np.vstack([est - 100 * table["ci_low"].to_numpy(float),
                     100 * table["ci_high"].to_numpy(float) - est])
    ax.errorbar(est, y, xerr=np.abs(err), fmt="o", color="C0", capsize=3, label=label)
    return y


def _programme_figure(content: ImpactContent, lang: str) -> Figure:
    """Forest plot: each programme's effect with its 95 % interval, then pooled (and the truth)."""
    t = content.programmes.iloc[::-1].reset_index(drop=True)
    with shared.style():
        fig = Figure(figsize=(9, 0.55 * len(t) + 1.9))
        ax = fig.subplots()
        y = _effects_with_intervals(ax, t, label=text("impact_report.programme.fig_estimate", lang))
        if content.has_truth and "truth" in t.columns:
            ax.plot(100 * t["truth"].to_numpy(float), y, marker="D", linestyle="none",
                    color="black", markerfacecolor="white", label=text("impact.fig.truth", lang))
        ax.set_yticks(y, [text("impact_report.programme.fig_label", lang,
                               name=programme_label(str(r["programme"]), lang),
                               n=numbers.number(r["n_treated"], lang))
                          for r in t.to_dict("records")])
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlabel(text("impact.fig.effect_y", lang))
        ax.xaxis.set_major_formatter(numbers.tick_formatter(lang, kind="number", decimals=1))
        ax.grid(axis="y", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return _finish(fig, content, lang, text("impact_report.programme.fig_title", lang,
                                                outcome=content.outcome),
                       int(t["n_treated"].iloc[0] + t["n_control"].iloc[0]), "buyers")


def _robust_figure(content: ImpactContent, lang: str) -> Figure:
    rob = content.robustness.iloc[::-1].reset_index(drop=True)
    with shared.style():
        fig = Figure(figsize=(9, 0.45 * len(rob) + 1.8))
        ax = fig.subplots()
        y = _effects_with_intervals(ax, rob)
        ax.set_yticks(y, [variant_label(r, lang) for r in rob.to_dict("records")])
        ax.axvline(0, color="#333333", linewidth=0.8)
        if content.has_truth:
            ax.axvline(100 * float(content.main()["truth"]), color="black", linestyle="--",
                       label=text("impact.fig.truth", lang))
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_xlabel(text("impact.fig.effect_y", lang))
        ax.xaxis.set_major_formatter(numbers.tick_formatter(lang, kind="number", decimals=1))
        ax.grid(axis="y", visible=False)
        return _finish(fig, content, lang, text("impact.fig.robust_title", lang,
                                                outcome=content.outcome),
                       content.n_units, "buyers")


def _target_figure(content: ImpactContent, lang: str) -> Figure:
    fc = content.target_forecast
    ids = list(content.target["indicator_id"])
    names = indicator_names(lang, tuple(ids))
    ncols = 2
    nrows = int(np.ceil(len(ids) / ncols))
    with shared.style():
        fig = Figure(figsize=(10, 2.9 * nrows + 1.2))
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True)).ravel()
        for ax, i in zip(axes, ids, strict=False):
            d = fc[fc["indicator_id"] == i].sort_values("year")
            goal = float(content.target.set_index("indicator_id").loc[i, "target"])
            ax.fill_between(d["year"], d["ci_low"], d["ci_high"], color="C0", alpha=0.2,
                            linewidth=0, label=text("impact.fig.trend", lang))
            ax.plot(d["year"], d["estimate"], color="C0")
            ax.plot(d["year"], d["observed"], "o", color="C1", markersize=4,
                    label=text("impact.fig.observed", lang))
            ax.axhline(goal, color="C3", linestyle="--", linewidth=1.2,
                       label=text("impact.fig.target", lang))
            ax.set_title(textwrap.fill(f"{names[i]} ({i})", 55, break_on_hyphens=False),
                         fontsize=8.5)
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(numbers.tick_formatter(lang, kind="percent"))
        for ax in axes[len(ids):]:
            ax.set_axis_off()
        handles, labels = axes[0].get_legend_handles_labels()
        if len(axes) > len(ids):
            axes[len(ids)].legend(handles, labels, loc="center")
        else:
            axes[0].legend(handles, labels, loc="best", fontsize=8)
        return _finish(fig, content, lang, text("impact.fig.target_title", lang,
                                                target_year=TARGET_YEAR),
                       content.counts.get("target_lots", 0), "lots")


def _hidden_figure(content: ImpactContent, lang: str) -> Figure:
    h = content.hidden.iloc[0]
    labels = [text("impact.row.flagged", lang), text("impact.row.estimate", lang)]
    values = [float(h["flagged_share"]), float(h["estimate"])]
    colors = ["grey", "C2"]
    if np.isfinite(float(h["true_share"])):
        labels.append(text("impact.row.truth", lang))
        values.append(float(h["true_share"]))
        colors.append("black")
    with shared.style():
        fig = Figure(figsize=(9, 4.2))
        ax = fig.subplots()
        x = np.arange(len(values))
        ax.bar(x, values, color=colors, width=0.6)
        ax.errorbar([1], [values[1]], yerr=[[max(values[1] - float(h["ci_low"]), 0)],
                                            [max(float(h["ci_high"]) - values[1], 0)]],
                    color="black", capsize=5)
        ax.set_xticks(x, labels)
        ax.set_ylabel(text("impact.fig.share_y", lang))
        ax.set_ylim(0, 1.05 * max(1e-3, float(h["ci_high"]), *values))
        ax.yaxis.set_major_formatter(numbers.tick_formatter(lang, kind="percent"))
        ax.grid(axis="x", visible=False)
        return _finish(fig, content, lang, text("impact.fig.hidden_title", lang, year=content.year),
                       int(h["n_population"]), "lots")


def _carbon_figure(content: ImpactContent, lang: str, top: int = 12) -> Figure:
    div = content.carbon.to_frame().sort_values("estimate").tail(top)
    with shared.style():
        fig = Figure(figsize=(9, 0.38 * len(div) + 1.8))
        ax = fig.subplots()
        y = np.arange(len(div))
        est = div["estimate"].to_numpy(float) / 1000
        ax.barh(y, est, color="C0")
        ax.errorbar(est, y, xerr=np.abs(np.vstack([est - div["ci_low"].to_numpy(float) / 1000,
                                                   div["ci_high"].to_numpy(float) / 1000 - est])),
                    fmt="none", color="black", capsize=2)
        ax.set_yticks(y, [f"{d} {division_label(d, lang)[:40]}".strip() for d in div.index])
        ax.set_xlabel(text("impact.fig.carbon_x", lang))
        ax.xaxis.set_major_formatter(numbers.tick_formatter(lang))
        ax.grid(axis="y", visible=False)
        return _finish(fig, content, lang, text("impact.fig.carbon_title", lang, year=content.year,
                                                n=len(div)),
                       content.counts.get("carbon_awards", 0), "awards")



def figures(content: ImpactContent, lang: str) -> dict[str, Figure]:
    """The impact report's figures in ``lang``, by file stem."""
    out = {"impact_event_study": _event_figure(content, lang),
           "impact_by_programme": _programme_figure(content, lang),
           "impact_robustness": _robust_figure(content, lang)}
    if len(content.target_forecast):
        out["impact_target"] = _target_figure(content, lang)
    if len(content.hidden):
        out["impact_hidden_volume"] = _hidden_figure(content, lang)
    if content.carbon is not None:
        out["impact_carbon"] = _carbon_figure(content, lang)
    return out
