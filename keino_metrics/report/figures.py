"""Report figures: one style, captions with source and N, and a demo mark.

Every function returns a :class:`matplotlib.figure.Figure` built without
pyplot, so nothing is drawn or kept open behind the caller's back: a notebook
shows it with ``display(fig)`` and a script saves it with :func:`save`.
Figures share the style in ``keino_metrics/data/report/keino.mplstyle``
(seaborn's colour-blind-safe palette), use sentence-case titles from the
label catalogue, put units on the axes, format tick labels with babel
(:func:`keino_metrics.report.numbers.tick_formatter`) and carry a caption
with the source and N. Figures drawn from generated data carry a visible
demo mark in the report's language, at the top right, apart from the caption.

In a report page a figure is written by :func:`figure_html` as
``<figure><img alt=...></figure>``: the PNG embedded as a data URI and an
alternative text that says what the figure shows (from the catalogue), so a
screen reader never meets nbconvert's "No description has been provided".

A figure is rasterised once per report run and language: :func:`draw` turns it
into a :class:`Drawn` (the PNG bytes and the page width), from which the
report's driver writes ``figures/<name>_<lang>.png`` and the notebook embeds
the same bytes in the page.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from keino_metrics.atomic import replacing, write_bytes
from keino_metrics.labels import text
from keino_metrics.report import numbers

__all__ = ["STYLE", "style", "caption", "finish", "share_axis", "nice_ticks", "save",
           "png_bytes", "figure_html", "Drawn", "draw", "write_png", "step_formatter", "has_demo_mark", "DEMO_MARK_GID", "TICK_STEPS"]

#: Tick steps (times a power of ten) a value axis uses. Not 2.5: its ticks
#: (50, 52.5, 55) lose their half when the labels are whole numbers.
TICK_STEPS: tuple[int, ...] = (1, 2, 5, 10)

#: The report's matplotlib style file.
STYLE = resources.files("keino_metrics") / "data" / "report" / "keino.mplstyle"

#: ``gid`` of the demo mark text, so tests and readers can find it.
DEMO_MARK_GID = "keino-demo-mark"

_CAPTION_UNITS = ("lots", "notices", "awards", "rows", "responses")


@contextmanager
def style() -> Iterator[None]:
    """Context in which the report style applies (``with figures.style(): ...``)."""
    with resources.as_file(STYLE) as path, mpl.rc_context(fname=str(path)):
        yield


def caption(lang: str, *, source: str, n: int | float, unit: str = "lots") -> str:
    """Caption text ``Source: ... N = ...`` in ``lang``.

    Parameters
    ----------
    lang : str
        Report language.
    source : str
        Description of the data source.
    n : int
        Number of units behind the figure.
    unit : {"lots", "notices", "awards", "rows"}
        What ``n`` counts.
    """
    if unit not in _CAPTION_UNITS:
        raise ValueError(f"unit must be one of {', '.join(_CAPTION_UNITS)}; got {unit!r}")
    from keino_metrics import __version__

    return text("figure.caption", lang, source=source, n=numbers.number(n, lang),
                unit=text(f"figure.caption_unit_{unit}", lang), version=__version__)


def finish(fig: Figure, *, title: str, caption_text: str, demo: bool, lang: str) -> Figure:
    """Title, caption, the demo mark when ``demo``, and the constrained layout.

    The caption runs along the bottom; the demo mark sits in its own band at
    the top right, above the title, so the two never meet whatever their length.
    """
    height = fig.get_figheight()
    lines = caption_text.count("\n") + 1
    bottom = (0.25 + 0.16 * lines) / height  # room for the caption, in figure units
    top = 0.4 / height if demo else 0.0  # room for the demo mark
    fig.suptitle(title, x=0.01, ha="left")
    fig.text(0.01, 0.1 / height, caption_text, fontsize=8, color="#444444", ha="left",
             va="bottom")
    if demo:
        fig.text(0.99, 1 - 0.08 / height, text("report.demo_mark", lang), gid=DEMO_MARK_GID,
                 fontsize=10, fontweight="bold", color="#b00020", ha="right", va="top",
                 bbox={"boxstyle": "round,pad=0.3", "facecolor": "#fff0f0",
                       "edgecolor": "#b00020"})
    # rect is (left, bottom, width, height); the title is placed by the layout
    fig.set_layout_engine("constrained", rect=(0, bottom, 1, 1 - bottom - top))
    return fig


def nice_ticks(ax, axis: str = "y", *, nbins: int = 6) -> None:
    """Major ticks of ``axis`` at round steps (:data:`TICK_STEPS`).

    Matplotlib's default steps include 2.5, whose ticks read ``50, 52, 55, 58``
    once the labels are rounded to whole numbers.
    """
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=nbins, steps=list(TICK_STEPS)))


def has_demo_mark(fig: Figure) -> bool:
    """Whether ``fig`` carries the demo-data mark."""
    return any(t.get_gid() == DEMO_MARK_GID and t.get_text() for t in fig.texts)


def share_axis(ax, lang: str, axis: str = "y") -> None:
    """Tick labels of ``axis`` as whole per cents in ``lang``."""
    nice_ticks(ax, axis)
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(step_formatter(target, lang, kind="percent"))


def step_formatter(axis, lang: str, *, kind: str = "number") -> FuncFormatter:
    """Tick labels in ``lang`` with as many decimals as the tick step needs.

    Steps of 0.5 % are labelled ``0,5 %``, never rounded to whole numbers
    that repeat; ``kind`` is ``number`` or ``percent`` (values are shares).
    """
    def fmt(value: float, _pos: object) -> str:
        locs = sorted(axis.get_majorticklocs())
        steps = [b - a for a, b in zip(locs, locs[1:], strict=False) if b > a]
        step = min(steps) * (100 if kind == "percent" else 1) if steps else 1.0
        decimals = max(0, min(3, -math.floor(math.log10(step) + 1e-9))) if step > 0 else 0
        if kind == "percent":
            return numbers.percent(value, lang, decimals)
        return numbers.number(value, lang, decimals)

    return FuncFormatter(fmt)


def png_bytes(fig: Figure) -> bytes:
    """``fig`` as PNG bytes, in the report style and without a timestamp."""
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


@dataclass(frozen=True)
class Drawn:
    """A figure rasterised once: its PNG bytes and its width on the page.

    Attributes
    ----------
    png : bytes
        The figure as PNG (:func:`png_bytes`).
    width : int
        Width in CSS pixels at which the page shows it (figure width times the
        figure's dpi; the PNG may hold more pixels for sharp display).
    """

    png: bytes
    width: int


def draw(fig: Figure) -> Drawn:
    """Rasterise ``fig`` once (see :class:`Drawn`)."""
    return Drawn(png_bytes(fig), int(round(fig.get_figwidth() * fig.get_dpi())))


def figure_html(fig: Figure | Drawn, alt: str) -> str:
    """``fig`` as ``<figure class="keino-figure"><img alt=...></figure>`` (PNG data URI).

    ``fig`` is a figure or one already rasterised (:class:`Drawn`). ``alt``
    says what the figure shows, in the page's language; it must not be empty.
    """
    if not alt or not alt.strip():
        raise ValueError("figure_html: a figure needs an alternative text")
    drawn = fig if isinstance(fig, Drawn) else draw(fig)
    data = base64.b64encode(drawn.png).decode("ascii")
    return (f'<figure class="keino-figure"><img alt="{html.escape(alt)}" width="{drawn.width}" '
            f'src="data:image/png;base64,{data}"></figure>')


def write_png(drawn: Drawn, path: str | os.PathLike[str]) -> Path:
    """Write a rasterised figure to ``path`` atomically and return the path."""
    return write_bytes(path, drawn.png)


def save(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Save ``fig`` reproducibly (PNG, SVG or PDF by suffix), atomically, and return the path.

    PNG files carry no timestamp; for SVG and PDF set ``SOURCE_DATE_EPOCH``
    (the style fixes ``svg.hashsalt``).
    """
    p = Path(path)
    meta = {"Software": None} if p.suffix.lower() == ".png" else None
    with replacing(p) as tmp, style():
        fig.savefig(tmp, metadata=meta)
    return p
