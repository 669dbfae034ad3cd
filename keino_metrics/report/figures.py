"""Report figures: one style, captions with source and N, and a demo mark.

Every function returns a :class:`matplotlib.figure.Figure` built without
pyplot, so nothing is drawn or kept open behind the caller's back: a notebook
shows it with ``display(fig)`` and a script saves it with :func:`save`.
Figures share the style in ``keino_metrics/data/report/keino.mplstyle``
(seaborn's colour-blind-safe palette), use sentence-case titles from the
label catalogue, put units on the axes, format tick labels with babel
(:func:`keino_metrics.report.numbers.tick_formatter`) and carry a caption
with the source and N. Figures drawn from generated data carry a visible
"DEMO DATA / DEMOAINEISTO" mark.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from keino_metrics.labels import text
from keino_metrics.report import numbers

__all__ = ["STYLE", "style", "caption", "finish", "share_axis", "save", "has_demo_mark",
           "DEMO_MARK_GID"]

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
    """Title, caption, the demo mark when ``demo``, and the constrained layout."""
    height = fig.get_figheight()
    bottom = 0.5 / height  # room for the caption and the demo mark, in figure units
    fig.suptitle(title, x=0.01, ha="left")
    fig.text(0.01, 0.12 / height, caption_text, fontsize=8, color="#444444", ha="left",
             va="bottom")
    if demo:
        fig.text(0.99, 0.1 / height, text("report.demo_mark", lang), gid=DEMO_MARK_GID,
                 fontsize=10, fontweight="bold", color="#b00020", ha="right", va="bottom",
                 bbox={"boxstyle": "round,pad=0.3", "facecolor": "#fff0f0",
                       "edgecolor": "#b00020"})
    # rect is (left, bottom, width, height); the title is placed by the layout
    fig.set_layout_engine("constrained", rect=(0, bottom, 1, 1 - bottom))
    return fig


def has_demo_mark(fig: Figure) -> bool:
    """Whether ``fig`` carries the demo-data mark."""
    return any(t.get_gid() == DEMO_MARK_GID and t.get_text() for t in fig.texts)


def share_axis(ax, lang: str, axis: str = "y") -> None:
    """Tick labels of ``axis`` as whole per cents in ``lang``."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(numbers.tick_formatter(lang, kind="percent", decimals=0))


def save(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Save ``fig`` reproducibly (PNG, SVG or PDF by suffix) and return the path.

    PNG files carry no timestamp; for SVG and PDF set ``SOURCE_DATE_EPOCH``
    (the style fixes ``svg.hashsalt``).
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    meta = {"Software": None} if p.suffix.lower() == ".png" else None
    with style():
        fig.savefig(p, metadata=meta)
    return p
