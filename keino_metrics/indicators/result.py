"""The immutable result of :func:`keino_metrics.indicators.compute`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from keino_metrics.indicators import registry
from keino_metrics.labels import check_language, text
from keino_metrics.results import Note, Result

__all__ = ["IndicatorResult", "RESULT_COLUMNS", "SHARED_NAMES"]

#: Columns after ``indicator_id`` and the breakdown columns, as the computation
#: names them (:meth:`IndicatorResult.to_frame` gives them the shared names).
RESULT_COLUMNS = ("value", "numerator", "denominator", "unit", "weighting", "n_eligible",
                  "excluded", "excluded_reasons", "coverage", "ci_low", "ci_high", "target",
                  "light", "warning")
#: The computation's column names that the shared vocabulary
#: (:data:`keino_metrics.results.COLUMNS`) names otherwise.
SHARED_NAMES = {"value": "estimate", "n_eligible": "n"}

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


class IndicatorResult(Result):
    """Indicator values with their numerators, exclusions, intervals and lights.

    Immutable: the attributes cannot be set, and :attr:`frame` and
    :meth:`to_frame` give copies, so a result cannot be changed in place.

    Parameters
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

    __slots__ = ("_frame", "by", "engine", "ids", "thresholds")

    def __init__(self, frame: pd.DataFrame, by: tuple[str, ...], engine: str,
                 ids: tuple[str, ...], thresholds: Mapping[str, Any] | None = None) -> None:
        for name, value in (("_frame", frame.copy()), ("by", tuple(by)), ("engine", engine),
                            ("ids", tuple(ids)),
                            ("thresholds", MappingProxyType(dict(thresholds or {})))):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"IndicatorResult is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"IndicatorResult is immutable; cannot delete {name!r}")

    def __reduce__(self):
        return (IndicatorResult, (self._frame, self.by, self.engine, self.ids,
                                  dict(self.thresholds)))

    @property
    def frame(self) -> pd.DataFrame:
        """A copy of the result table (as :meth:`to_frame`)."""
        return self.to_frame()

    @property
    def notes(self) -> tuple[Note, ...]:
        """The warnings of every row, as notes (``part`` is the indicator and group)."""
        out = []
        for r in self._frame.itertuples(index=False):
            d = r._asdict()
            if d.get("warning"):
                group = ", ".join(f"{b}={d[b]}" for b in self.by)
                part = f"{d['indicator_id']} ({group})" if group else d["indicator_id"]
                for text in str(d["warning"]).split("; "):
                    out.append(Note("warning", text, part))
        return tuple(out)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the result table, in the shared column vocabulary.

        Columns: ``indicator_id``, the ``by`` columns, ``estimate`` (the
        indicator's value), ``numerator``, ``denominator``, ``unit``,
        ``weighting``, ``n`` (eligible units), ``excluded``,
        ``excluded_reasons``, ``coverage``, ``ci_low``, ``ci_high``, ``target``,
        ``light``, ``warning``.
        """
        return self._frame.rename(columns=SHARED_NAMES)

    def value(self, id: str, **where: Any) -> float:
        """The value of indicator ``id`` in the group given by ``where``.

        Raises
        ------
        KeyError
            If no row or more than one row matches.
        """
        f = self._frame[self._frame["indicator_id"] == id]
        for k, v in where.items():
            f = f[f[k] == v]
        if len(f) != 1:
            raise KeyError(f"{len(f)} rows for {id} with {where}")
        return float(f["value"].iloc[0])

    def summary(self, lang: str = "en") -> str:
        """A plain-text table with names in ``lang`` (fi, sv or en)."""
        check_language(lang)
        head = tuple(text(f"result.{k}", lang)
                     for k in ("indicator", "value", "ci", "coverage", "light"))
        lines = [text("result.title", lang, engine=self.engine, by=", ".join(self.by) or "-")]
        widths = (44, 14, 22, 10, 8)
        by_head = " ".join(f"{b:<12}" for b in self.by)
        lines.append(" ".join(f"{h:<{w}}" for h, w in zip(head[:1], widths, strict=False))
                     + (" " + by_head if by_head else "") + " "
                     + " ".join(f"{h:<{w}}" for h, w in zip(head[1:], widths[1:], strict=True)))
        for r in self._frame.itertuples(index=False):
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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IndicatorResult):
            return NotImplemented
        return (self.by, self.engine, self.ids) == (other.by, other.engine, other.ids) and \
            self._frame.equals(other._frame)

    __hash__ = None  # type: ignore[assignment]

    def plot(self, id: str | None = None, ax=None, lang: str = "en") -> Figure:
        """Plot one indicator with its interval over the first breakdown column.

        Parameters
        ----------
        id : str, optional
            Indicator to plot (default: the first one).
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (its figure is returned); default a new figure.
        lang : str
            Language of the title.

        Returns
        -------
        matplotlib.figure.Figure
        """
        iid = id or self.ids[0]
        f = self._frame[self._frame["indicator_id"] == iid]
        if f.empty:
            raise KeyError(f"{iid} is not in this result; it holds {', '.join(self.ids)}")
        if ax is None:
            ax = Figure(figsize=(7, 3.5), layout="constrained").add_subplot()
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
        return ax.figure

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
        cat = registry.catalogue(lang=lang)
        cat = cat[cat["id"].isin(self.ids)]
        frame = self._frame.copy()
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
    return registry.get(iid).name(lang)
