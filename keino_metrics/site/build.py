"""Write the static site into a folder, atomically.

:func:`build_site` loads the data (the demo corpus by default, as ``keino
report`` does), computes a :class:`~keino_metrics.site.content.SiteContent`
once, renders every page of every language and writes the folder: the site is
built in a temporary sibling folder that replaces the output folder only when
it is complete. The charting library's JavaScript (``plotly.min.js`` from the
``plotly`` package) is copied once into ``assets/`` and shared by all pages,
so the site works from ``file://`` and from any static host without the
internet.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from keino_metrics.dataset import Dataset
from keino_metrics.site import content as site_content
from keino_metrics.site import render

__all__ = ["BuildResult", "build_site", "load_data", "plotly_js"]

_ASSETS = ("site.css", "site.js")


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build_site` wrote and how long each step took.

    Attributes
    ----------
    out : pathlib.Path
        The site folder.
    pages : int
        HTML pages written (every language, the root page included).
    buyers : int
        Buyers with a page.
    languages : tuple of str
        Languages built.
    seconds_load, seconds_compute, seconds_render : float
        Wall time of loading the data, computing the content and rendering
        and writing the pages.
    """

    out: Path
    pages: int
    buyers: int
    languages: tuple[str, ...]
    seconds_load: float
    seconds_compute: float
    seconds_render: float


def plotly_js() -> Path:
    """Path of ``plotly.min.js`` inside the installed ``plotly`` package.

    Raises
    ------
    FileNotFoundError
        If plotly is not installed or ships no minified bundle.
    """
    try:
        import plotly
    except ImportError as exc:  # pragma: no cover - plotly is a dependency
        raise FileNotFoundError("the plotly package is needed for the site's charts") from exc
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly ships no bundle at {path}")
    return path


def load_data(data_dir: str | os.PathLike[str] | None = None, *, seed: int = 2024) -> Dataset:
    """The site's data: the demo corpus (default) or the tables of ``data_dir``.

    The demo corpus is the reports' (:func:`keino_metrics.report.driver.load_data`:
    ``data/raw/demo`` with its purchase invoices, the ``spend`` table, so that
    buyer pages show what was paid); any folder passes the validation boundary
    (:func:`keino_metrics.pipeline.prepare`).

    Raises
    ------
    FileNotFoundError
        If ``data_dir`` does not exist or holds no files.
    """
    from keino_metrics import paths
    from keino_metrics.pipeline import prepare

    if data_dir is None:
        from keino_metrics.report.driver import load_data as report_data

        return report_data(None, seed=seed)
    d = Path(data_dir).expanduser()
    if not d.is_absolute():
        d = paths.project_root() / d
    if not d.is_dir():
        raise FileNotFoundError(f"data directory {d} does not exist")
    if not any(p.is_file() and not p.name.startswith(".") for p in d.rglob("*")):
        raise FileNotFoundError(f"data directory {d} holds no files to read")
    return prepare(d)


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def _languages(language: str | Iterable[str]) -> tuple[str, ...]:
    langs = (language,) if isinstance(language, str) else tuple(language)
    bad = [lang for lang in langs if lang not in render.LANGUAGES]
    if not langs or bad:
        raise ValueError(f"language must be among {', '.join(render.LANGUAGES)}; got "
                         f"{', '.join(map(repr, bad)) or 'none'}")
    return tuple(dict.fromkeys(langs))


def build_site(out: str | os.PathLike[str], *, data: Dataset | None = None,
               data_dir: str | os.PathLike[str] | None = None, year: int | None = None,
               language: str | Iterable[str] = render.LANGUAGES, seed: int = 2024,
               content: site_content.SiteContent | None = None) -> BuildResult:
    """Build the static site into ``out`` (replaced atomically when complete).

    Parameters
    ----------
    out : path-like
        Site folder; its parent must be writable.
    data : Dataset, optional
        Data already loaded; otherwise read from ``data_dir``.
    data_dir : path-like, optional
        Canonical tables or raw files; default: the demo corpus.
    year : int, optional
        Year of the profiles (default: the latest complete year).
    language : str or iterable of str
        Languages among fi, sv, en; the first is the root page's.
    seed : int
        Seed of the demo corpus.
    content : SiteContent, optional
        Content already computed (then ``data``, ``data_dir`` and ``year`` are ignored).

    Returns
    -------
    BuildResult
    """
    langs = _languages(language)
    out = Path(out).expanduser().resolve()
    t0 = time.perf_counter()
    if content is None and data is None:
        data = load_data(data_dir, seed=seed)
    t1 = time.perf_counter()
    if content is None:
        content = site_content.compute(data, year)
    t2 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        n_pages = _write_site(tmp, content, langs)
        os.chmod(tmp, 0o755)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    t3 = time.perf_counter()
    return BuildResult(out=out, pages=n_pages, buyers=len(content.buyers), languages=langs,
                       seconds_load=t1 - t0, seconds_compute=t2 - t1, seconds_render=t3 - t2)


def _write_site(root: Path, content: site_content.SiteContent, langs: tuple[str, ...]) -> int:
    assets = root / "assets"
    assets.mkdir(parents=True)
    shutil.copyfile(plotly_js(), assets / "plotly.min.js")
    for name in _ASSETS:
        src = resources.files("keino_metrics.site") / "assets" / name
        (assets / name).write_bytes(src.read_bytes())
    _write(assets / "search.js", render.search_index(content))
    for rel, data in render.csv_files(content):
        _write(root / "data" / rel, data)
    prepared = render.prepare(content)
    n = 0
    for lang in langs:
        for rel, html in render.pages(content, lang, prepared, langs):
            _write(root / lang / rel, html)
            n += 1
    _write(root / "index.html", render.redirect_page(langs[0], langs))
    return n + 1
