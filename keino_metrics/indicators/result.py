"""The immutable result of :func:`keino_metrics.indicators.compute`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["IndicatorResult", "RESULT_COLUMNS"]

#: Columns after ``indicator_id`` and the breakdown columns.
RESULT_COLUMNS = ("value", "numerator", "denominator", "unit", "weighting", "n_eligible",
                  "excluded", "excluded_reasons", "coverage", "ci_low", "ci_high", "target",
                  "light", "warning")

_HEAD = {
    "en": ("Indicator", "Value", "95 % CI", "Coverage", "Light"),
    "fi": ("Indikaattori", "Arvo", "95 %:n lv", "Kattavuus", "Liikennevalo"),
    "sv": ("Indikator", "Värde", "95 % KI", "Täckning", "Trafikljus"),
}


def _fmt(v: float, unit: str) -> str:
    if v is None or pd.isna(v):
        return "-"
    if unit == "share":
        return f"{100 * v:.1f} %"
    if unit in ("count",):
        return f"{v:,.0f}"
    if unit == "eur":
        return f"{v:,.0f} EUR"
    if unit == "days":
        return f"{v:.1f} d"
    return f"{v:.3g}"


@dataclass(frozen=True)
class IndicatorResult:
    """Indicator values with their numerators, exclusions, intervals and lights.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per indicator and breakdown group (see :meth:`to_frame`).
    by : tuple of str
        Breakdown columns.
    engine : str
        Engine that computed the aggregates.
    ids : tuple of str
        Indicators, in the order asked for.
    thresholds : mapping
        The targets and thresholds used (defaults merged with overrides).
    """

    frame: pd.DataFrame
    by: tuple[str, ...]
    engine: str
    ids: tuple[str, ...]
    thresholds: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the result table.

        Columns: ``indicator_id``, the ``by`` columns, ``value``, ``numerator``,
        ``denominator``, ``unit``, ``weighting``, ``n_eligible``, ``excluded``,
        ``excluded_reasons``, ``coverage``, ``ci_low``, ``ci_high``, ``target``,
        ``light``, ``warning``.
        """
        return self.frame.copy()

    def value(self, id: str, **where: Any) -> float:
        """The value of indicator ``id`` in the group given by ``where``.

        Raises
        ------
        KeyError
            If no row or more than one row matches.
        """
        f = self.frame[self.frame["indicator_id"] == id]
        for k, v in where.items():
            f = f[f[k] == v]
        if len(f) != 1:
            raise KeyError(f"{len(f)} rows for {id} with {where}")
        return float(f["value"].iloc[0])

    def summary(self, lang: str = "en") -> str:
        """A plain-text table with names in ``lang`` (fi, sv or en)."""
        from keino_metrics.indicators import registry

        head = _HEAD[lang] if lang in _HEAD else _HEAD["en"]
        lines = [f"Indicators ({self.engine}; by {', '.join(self.by) or '-'})"]
        widths = (44, 14, 22, 10, 8)
        by_head = " ".join(f"{b:<12}" for b in self.by)
        lines.append(" ".join(f"{h:<{w}}" for h, w in zip(head[:1], widths, strict=False))
                     + (" " + by_head if by_head else "") + " "
                     + " ".join(f"{h:<{w}}" for h, w in zip(head[1:], widths[1:], strict=True)))
        for r in self.frame.itertuples(index=False):
            d = r._asdict()
            name = f"{r.indicator_id} {registry.get(r.indicator_id).name(lang)}"[:44]
            ci = ("-" if pd.isna(r.ci_low) else
                  f"{_fmt(r.ci_low, r.unit)} - {_fmt(r.ci_high, r.unit)}")
            cov = "-" if pd.isna(r.coverage) else f"{100 * r.coverage:.0f} %"
            bys = " ".join(f"{str(d[b]):<12}" for b in self.by)
            lines.append(f"{name:<44} " + (bys + " " if bys else "")
                         + f"{_fmt(r.value, r.unit):<14} {ci:<22} {cov:<10} {r.light or '':<8}")
            if r.warning:
                lines.append(f"    ! {r.warning}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def plot(self, id: str | None = None, ax=None, lang: str = "en"):
        """Plot one indicator with its interval over the first breakdown column.

        Parameters
        ----------
        id : str, optional
            Indicator to plot (default: the first one).
        ax : matplotlib.axes.Axes, optional
        lang : str
            Language of the title.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        from keino_metrics.indicators import registry

        iid = id or self.ids[0]
        f = self.frame[self.frame["indicator_id"] == iid]
        if f.empty:
            raise KeyError(f"{iid} is not in this result; it holds {', '.join(self.ids)}")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        x = (f[self.by[0]].astype(str).to_numpy() if self.by else np.array(["all"]))
        y = f["value"].to_numpy(float)
        scale = 100.0 if f["unit"].iloc[0] == "share" else 1.0
        err = None
        if f["ci_low"].notna().any():
            err = np.vstack([y - f["ci_low"].to_numpy(float), f["ci_high"].to_numpy(float) - y])
            err = np.where(np.isnan(err), 0, err) * scale
        if self.by and self.by[0] in ("year", "quarter"):
            ax.errorbar(x, y * scale, yerr=err, marker="o", capsize=3)
        else:
            ax.bar(x, y * scale, yerr=err, capsize=3)
            ax.tick_params(axis="x", rotation=45)
        tgt = f["target"].dropna()
        if len(tgt):
            ax.axhline(tgt.iloc[0] * scale, color="grey", linestyle="--", linewidth=1)
        ax.set_title(f"{iid} {registry.get(iid).name(lang)}", fontsize=10)
        ax.set_ylabel("%" if scale == 100 else f["unit"].iloc[0])
        return ax

    def to_excel(self, writer_or_path: Any, sheet_name: str = "indicators",
                 lang: str = "en") -> None:
        """Write the result (and the catalogue rows of its indicators) to Excel.

        Parameters
        ----------
        writer_or_path : str, path or pandas.ExcelWriter
            A path is written with xlsxwriter; a writer receives two sheets.
        sheet_name : str
            Name of the result sheet (the catalogue goes to ``<name>_def``).
        lang : str
            Language of the names.
        """
        from keino_metrics.indicators.registry import catalogue

        cat = catalogue(lang=lang)
        cat = cat[cat["id"].isin(self.ids)]
        frame = self.frame.copy()
        frame.insert(1, "name", [catalogue_name(i, lang) for i in frame["indicator_id"]])
        if isinstance(writer_or_path, (str, Path)):
            with pd.ExcelWriter(writer_or_path, engine="xlsxwriter") as w:
                self._write(w, frame, cat, sheet_name)
        else:
            self._write(writer_or_path, frame, cat, sheet_name)

    @staticmethod
    def _write(writer, frame: pd.DataFrame, cat: pd.DataFrame, sheet: str) -> None:
        frame.to_excel(writer, sheet_name=sheet, index=False, freeze_panes=(1, 0))
        cat.to_excel(writer, sheet_name=f"{sheet}_def"[:31], index=False, freeze_panes=(1, 0))


def catalogue_name(iid: str, lang: str) -> str:
    """Name of ``iid`` in ``lang``."""
    from keino_metrics.indicators import registry

    return registry.get(iid).name(lang)
