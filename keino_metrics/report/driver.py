"""The report driver: parameters -> content -> notebook -> HTML, figures, tables, metadata.

Every report is a subpackage of :mod:`keino_metrics.report` (``annual``,
``impact``) that describes itself with one :class:`Report`: how its parameters
are checked, how its content is computed (once, language-independent, frozen),
how the content is drawn (figures) and tabulated (CSV and Excel), and which
notebook renders it. :func:`build` runs any number of reports on one dataset:

1. every parameter of every report and language is checked before anything
   runs (:mod:`keino_metrics.report.params`);
2. the data are loaded and validated once;
3. each report's content is computed once, or read back from the cache when
   nothing it depends on changed (:mod:`keino_metrics.report.cache`);
4. each report's figures are drawn and rasterised once per language
   (:func:`keino_metrics.report.figures.draw`) and written to
   ``figures/<name>_<lang>.png``, while the previous language's notebook runs;
5. each report's notebook is executed with papermill once per language, all
   in one kernel, reading the content and that language's rasterised figures
   from pickles (``content_path``, ``figures_path``) instead of recomputing
   them;
6. the executed notebooks are exported to HTML without code, in the page's
   language (``<html lang>``) and with a table of contents
   (:mod:`keino_metrics.report.toc`), and the tables and ``metadata.json`` are
   written from the same content.

A committed notebook run on its own (``content_path`` and ``figures_path``
empty, as nbval runs it) loads the data and computes its content and figures
itself through :func:`notebook_content` and :func:`notebook_figures`.

Every content is computed with one BLAS thread (:func:`compute`), so its
numbers do not depend on how it was computed; when more than one content must
be computed, they are computed in parallel processes.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from keino_metrics import atomic, paths
from keino_metrics.dataset import Dataset, latest_complete_year
from keino_metrics.labels import LANGUAGES, text
from keino_metrics.report import cache, figures, metadata, params, tables, toc

__all__ = ["Report", "build", "compute", "notebook_content", "notebook_figures", "load_data", "latest_complete_year",
           "source_date_epoch", "export_html", "languages", "report_metadata",
           "REMOVE_CELL_TAGS", "CACHE_DIR"]

#: Cell tags removed from the HTML entirely.
REMOVE_CELL_TAGS = frozenset({"remove_cell", "parameters", "injected-parameters"})

#: Folder (under the output root) of cached contents and of the contents handed to
#: the notebooks.
CACHE_DIR = ".cache"

#: Parameters every report shares; anything else a report's parameters hold is
#: one of its options.
BASE_PARAMETERS: tuple[str, ...] = ("year", "data_dir", "language", "seed")

_EXTERNAL_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>\s*')


@dataclass(frozen=True)
class Report:
    """How one report plugs into the driver.

    Attributes
    ----------
    name : str
        File stem of the report's outputs (``annual_report``).
    notebook : pathlib.Path
        The report notebook, relative to the project root. Its parameters cell
        holds the report's parameters and ``content_path``.
    title_key : str
        Catalogue key of the HTML page title (with ``{year}``).
    metadata_file : str
        Name of the metadata file written beside the report.
    check : callable
        ``check(year, data_dir, language, seed, options, data=None)`` returns
        the validated parameters (an object with ``year``, ``language``,
        ``data_dir``, ``seed`` and ``to_dict()``) or raises ``ValueError``;
        with ``data`` it also checks the values against the data.
    compute : callable
        ``compute(data, params)`` returns the frozen, language-independent
        content.
    figures : callable
        ``figures(content, lang)`` returns ``{file stem: Figure}``.
    tables : callable
        ``tables(content)`` returns the machine-readable tables ``{stem: frame}``.
    excel : callable
        ``excel(content, lang)`` returns ``(sheets, number formats)`` of the
        workbook in ``lang``.
    """

    name: str
    notebook: Path
    title_key: str
    metadata_file: str
    check: Callable[..., Any]
    compute: Callable[[Dataset, Any], Any]
    figures: Callable[[Any, str], Mapping[str, Any]]
    tables: Callable[[Any], Mapping[str, Any]]
    excel: Callable[[Any, str], tuple[Mapping[str, Any], Mapping[str, Mapping[str, str]] | None]]


# -- data and dates ----------------------------------------------------------------
def load_data(data_dir: str | os.PathLike[str] | None, *, seed: int = 2024) -> Dataset:
    """The reports' data: validated tables of the demo corpus or of ``data_dir``.

    The default directory (``data/raw/demo``) is filled by
    :func:`keino_metrics.demo.ensure` with ``seed``, purchase invoices included. Any directory (canonical
    Parquet tables, or raw procurement files read by
    :func:`keino_metrics.readers.read`) then passes the validation boundary
    (:func:`keino_metrics.pipeline.prepare`): the reports use the validated
    tables in ``data/processed/<name>``, with their quarantine and accounting.
    """
    from keino_metrics.pipeline import prepare

    d = params.resolve_data_dir(data_dir)
    if params.is_default_data_dir(d):
        from keino_metrics import demo

        demo.ensure(directory=d, seed=seed, invoices=True)
    elif not d.is_dir():
        raise FileNotFoundError(f"data directory {d} does not exist")
    elif not any(p.is_file() and not p.name.startswith(".") for p in d.rglob("*")):
        raise FileNotFoundError(f"data directory {d} holds no files to read")
    return prepare(d)



def source_date_epoch(year: int) -> int:
    """``SOURCE_DATE_EPOCH`` if set, else the time of the git HEAD commit, else 1 Jan year+1."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit():
        return int(env)
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=paths.project_root(),
                             capture_output=True, text=True, timeout=10, check=True)
        if out.stdout.strip().isdigit():
            return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())


def languages(language: str | Iterable[str]) -> tuple[str, ...]:
    """The requested languages, in order, each once (an empty request is refused)."""
    langs = (language,) if isinstance(language, str) else tuple(language)
    if not langs:
        raise ValueError("report parameter 'language': got no language; allowed: "
                         + ", ".join(repr(x) for x in LANGUAGES))
    return tuple(dict.fromkeys(langs))


def report_metadata(report: Report, p: Any, langs: Iterable[str], data: Dataset) -> dict:
    """Reproducibility metadata of a run of ``report`` (see :func:`metadata.collect`)."""
    meta = metadata.collect(year=p.year, languages=list(langs), seed=p.seed,
                            data_dir=p.data_dir, data=data)
    meta["report"] = report.name
    options = {k: v for k, v in p.to_dict().items() if k not in BASE_PARAMETERS}
    meta["parameters"] = {**meta["parameters"], **options}  # type: ignore[dict-item]
    return meta


# -- notebook side -------------------------------------------------------------------
def _handed_path(name: str, value: object, what: str) -> Path:
    """``value`` as the path of a pickle the driver wrote into a cache folder, else an error."""
    if (not isinstance(value, str) or any(ord(ch) < 32 for ch in value)
            or not value.endswith(".pkl") or not Path(value).is_file()
            or Path(value).parent.name != CACHE_DIR):
        raise ValueError(f"report parameter '{name}': got {value!r}; allowed: '' or a "
                         f"{what} file the driver wrote into a {CACHE_DIR} folder")
    return Path(value)


def notebook_content(report: Report, content_path: object, year: object, data_dir: object,
                     language: object, seed: object, **options: object) -> tuple[Any, Any]:
    """Checked parameters and the content, as a report notebook's setup cell needs them.

    With a ``content_path`` written by :func:`build`, the content is read from it;
    with ``""`` the data are loaded and the content computed here, with its
    metadata.
    """
    p = report.check(year, data_dir, language, seed, options)
    if content_path != "":
        content = cache.read_pickle(_handed_path("content_path", content_path, "content"))
        if content is None:
            raise ValueError(f"report parameter 'content_path': {content_path} cannot be read")
        return p, content
    data = load_data(p.data_dir, seed=p.seed)
    p = report.check(year, data_dir, language, seed, options, data=data)
    content = compute(report, data, p)
    return p, dataclasses.replace(content,
                                  meta=report_metadata(report, p, [p.language], data))


def notebook_figures(report: Report, content: Any, lang: str,
                     figures_path: object) -> dict[str, figures.Drawn]:
    """The report's figures in ``lang``, rasterised, as a report notebook shows them.

    With a ``figures_path`` written by :func:`build` they are read from it (the
    same PNG bytes as the files in ``figures/``); with ``""`` they are drawn here.
    """
    if figures_path != "":
        drawn = cache.read_pickle(_handed_path("figures_path", figures_path, "figures"))
        if not isinstance(drawn, dict):
            raise ValueError(f"report parameter 'figures_path': {figures_path} cannot be read")
        return drawn
    return {name: figures.draw(fig) for name, fig in report.figures(content, lang).items()}


# -- executing and exporting ---------------------------------------------------------
@contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def _kernel(cwd: Path, modules: Sequence[str] = ()) -> Iterator[Any]:
    """One Python kernel for every notebook of a run (papermill accepts a started one).

    The kernel imports ``modules`` (and sets up inline figures) as soon as it
    has started, silently and without counting an execution, while the data
    load and the contents are computed, so the first notebook does not wait
    for them. The kernel draws nothing that carries a date: figures are drawn
    by the driver, under ``SOURCE_DATE_EPOCH``.
    """
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(cwd))
    kc = km.client()
    try:
        if modules:
            kc.start_channels()
            kc.execute("%matplotlib inline\nimport " + ", ".join(modules), silent=True,
                       store_history=False)
        yield km
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _notebook_modules(reports: Sequence[Report]) -> list[str]:
    """The modules the reports' notebooks import: the driver and each report's package."""
    import importlib.util

    names = ["keino_metrics.report.driver"]
    for r in reports:
        package = r.compute.__module__
        names += [package, *(f"{package}.{m}" for m in ("render", "figures"))]
    return [n for n in dict.fromkeys(names) if importlib.util.find_spec(n) is not None]


def export_html(notebook: str | os.PathLike[str], html_path: str | os.PathLike[str], *,
                title: str, lang: str = "en") -> Path:
    """Export an executed notebook to self-contained HTML without any code.

    Code inputs and prompts are excluded, cells tagged ``remove_cell`` (and the
    papermill parameter cells) are dropped, figures are embedded as data URIs
    and scripts loaded from the internet (MathJax, require.js) are removed, so
    the file opens offline. The page declares ``lang`` (``<html lang="fi">``)
    and gets a table of contents linking to its section headings
    (:func:`keino_metrics.report.toc.add_contents`).
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(os.fspath(notebook), as_version=4)
    exporter = HTMLExporter(template_name="lab", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            language_code=lang)
    exporter.register_preprocessor(
        TagRemovePreprocessor(enabled=True, remove_cell_tags=set(REMOVE_CELL_TAGS),
                              remove_input_tags={"remove_input"},
                              remove_all_outputs_tags={"remove_output"}), enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = toc.add_contents(_EXTERNAL_SCRIPT.sub("", body), lang)
    return atomic.write_text(html_path, body)


def _content_name(report: Report, p: Any, data_dir: Path) -> str:
    base = {k: v for k, v in p.to_dict().items() if k not in ("language", "data_dir")}
    key = cache.key(report.name, base, data_dir=data_dir, samples_dir=paths.samples_dir())
    return f"{report.name}-{key[:24]}"


def _compute_into(report: Report, p: Any, data_dir: Path, seed: int, store: Path,
                  name: str) -> None:
    """In a child process: load the validated data and store ``report``'s content."""
    cache.store(store, name, compute(report, load_data(data_dir, seed=seed), p))


def compute(report: Report, data: Dataset, p: Any) -> Any:
    """``report``'s content, computed with one BLAS/OpenMP thread.

    The number of BLAS threads changes the order of floating-point sums, and
    with it the last digits of some bootstrap intervals; with one thread the
    content is the same whether it is computed alone, beside another report or
    in a notebook run on its own. Contents computed side by side, each in its
    own process, also do not slow one another down with spinning threads.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return report.compute(data, p)


def _contents(reports: Sequence[Report], first: Mapping[str, Any], data: Dataset,
              data_dir: Path, seed: int, store: Path) -> Iterator[tuple[Report, Any]]:
    """Each report's content, in order: from the cache, or computed once.

    When more than one content must be computed, the later ones are computed in
    child processes while this process computes the first and the caller goes
    on with it; each child loads the validated data (a quick read of the
    processed tables) and stores its content in the cache, from where it is
    read when its turn comes. Children are started with ``spawn``, not
    ``fork``: this process runs threads (the kernel client, the file writer),
    and a forked child can inherit a lock one of them holds.
    """
    import multiprocessing

    names = {r.name: _content_name(r, first[r.name], data_dir) for r in reports}
    missing = [r for r in reports if cache.load(store, names[r.name]) is None]
    children = {}
    if len(missing) > 1:
        ctx = multiprocessing.get_context("spawn")
        for r in missing[1:]:
            proc = ctx.Process(target=_compute_into, name=f"content-{r.name}",
                               args=(r, first[r.name], data_dir, seed, store, names[r.name]))
            proc.start()
            children[r.name] = proc
    return _collect(reports, first, data, store, names, children)


def _collect(reports: Sequence[Report], first: Mapping[str, Any], data: Dataset, store: Path,
             names: Mapping[str, str], children: dict[str, Any]
             ) -> Iterator[tuple[Report, Any]]:
    try:
        for r in reports:
            proc = children.pop(r.name, None)
            if proc is not None:
                proc.join()
            content = cache.load(store, names[r.name])
            if content is None:  # not cached, or the child failed: compute here (and raise)
                content = compute(r, data, first[r.name])
                cache.store(store, names[r.name], content)
            yield r, content
    finally:
        for proc in children.values():
            proc.terminate()
            proc.join()


def build(reports: Sequence[Report], *, year: int | None = None,
          data_dir: str | os.PathLike[str] | None = None,
          language: str | Iterable[str] = ("fi", "en"), seed: int = 2024,
          options: Mapping[str, Mapping[str, object]] | None = None,
          out_dir: str | os.PathLike[str] = "reports", progress: bool = True) -> Path:
    """Regenerate ``reports`` from one dataset and return their folder ``<out_dir>/<year>``.

    Parameters
    ----------
    reports : sequence of Report
        The reports to build (``keino_metrics.report.annual.REPORT``, ...).
    year : int, optional
        Report year; default the latest complete year of the data.
    data_dir : path-like, optional
        Canonical Parquet tables (or notice files); default the demo corpus in
        ``data/raw/demo``, generated with ``seed`` when missing.
    language : str or iterable of str
        Report languages (``fi``, ``en``, ``sv``); one notebook and HTML each.
    seed : int
        Seed of the demo data and of every random step.
    options : mapping, optional
        Further parameters by report name (``{"impact_report": {"outcome": ...}}``).
    out_dir : path-like
        Output root; relative paths are taken from the project root.
    progress : bool
        Show a progress bar.

    Returns
    -------
    pathlib.Path
        ``<out_dir>/<year>`` holding ``<name>_<lang>.ipynb`` and ``.html`` of each
        report, ``figures/*.png``, ``tables/*.csv``, ``tables/<name>_<lang>.xlsx``
        and each report's metadata file.

    Raises
    ------
    ValueError
        For a bad parameter, before any data are read or any notebook runs.
    """
    from tqdm import tqdm

    options = dict(options or {})
    langs = languages(language)
    probe_year = year if year is not None else params.YEAR_RANGE[0]
    for r in reports:
        for lang in langs:
            r.check(probe_year, data_dir, lang, seed, options.get(r.name, {}))
    data_path = params.resolve_data_dir(data_dir)
    root = paths.project_root()
    out_root = Path(out_dir)
    out_root = out_root if out_root.is_absolute() else root / out_root
    store = out_root / CACHE_DIR

    bar = tqdm(total=1 + 3 * len(reports) + 2 * len(reports) * len(langs), desc="reports",
               unit="step", disable=not progress)
    try:
        # the kernel starts, and imports the reports' modules, while the data load
        with _kernel(root, _notebook_modules(reports)) as km:
            bar.set_postfix_str("data")
            data = load_data(data_path, seed=seed)
            report_year = latest_complete_year(data) if year is None else year
            checked = {r.name: [r.check(report_year, data_path, lang, seed,
                                        options.get(r.name, {}), data=data) for lang in langs]
                       for r in reports}
            bar.update()
            folder = out_root / str(report_year)
            _render(reports, checked, data, data_path, seed, store, folder, root, km,
                    report_year, langs, bar)
    finally:
        bar.close()
    return folder


def _render(reports: Sequence[Report], checked: Mapping[str, Sequence[Any]], data: Dataset,
            data_path: Path, seed: int, store: Path, folder: Path, root: Path, km: Any,
            report_year: int, langs: Sequence[str], bar: Any) -> None:
    """Contents (computed or cached), then each report's figures, notebooks, tables and metadata."""
    epoch = source_date_epoch(report_year)
    created = datetime.fromtimestamp(epoch, tz=UTC).replace(tzinfo=None)
    first = {r.name: checked[r.name][0] for r in reports}
    with _env(SOURCE_DATE_EPOCH=str(epoch)), ThreadPoolExecutor(1) as writer:
        files = []
        for r, content in _contents(reports, first, data, data_path, seed, store):
            bar.update()
            content = dataclasses.replace(
                content, meta=report_metadata(r, first[r.name], langs, data))
            handed = cache.write_pickle(content, store / f"run-{r.name}.pkl")
            # the writer draws each language's figures while the previous
            # language's notebook runs, then writes the tables
            drawn = [writer.submit(_draw_figures, r, content, p.language, folder, store)
                     for p in checked[r.name]]
            tabled = writer.submit(_write_tables, r, content, checked[r.name], folder, created)
            files.append((r, content, drawn, tabled))
            for p, figs in zip(checked[r.name], drawn, strict=True):
                bar.set_postfix_str(f"{r.name} {p.language}")
                _run_notebook(r, p, handed, figs.result()[1], folder, root, km, report_year)
                bar.update(2)
        for r, content, drawn, tabled in files:
            bar.set_postfix_str(f"metadata {r.name}")
            written = [f for d in drawn for f in d.result()[0]] + tabled.result()
            _write_metadata(r, content, checked[r.name], folder, epoch, written)
            bar.update(2)


def _run_notebook(r: Report, p: Any, handed: Path, drawn: Path, folder: Path, root: Path,
                  km: Any, year: int) -> None:
    import papermill as pm

    nb_out = folder / f"{r.name}_{p.language}.ipynb"
    nb_out.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(root / r.notebook), str(nb_out),
                        parameters={**p.to_dict(), "content_path": str(handed),
                                    "figures_path": str(drawn)},
                        cwd=str(root), kernel_name="python3", progress_bar=False,
                        log_output=False, km=km)
    export_html(nb_out, nb_out.with_suffix(".html"),
                title=text(r.title_key, p.language, year=year), lang=p.language)


def _draw_figures(r: Report, content: Any, lang: str, folder: Path, store: Path
                  ) -> tuple[list[Path], Path]:
    """Draw the report's figures in ``lang`` once: PNG files, and the pickle for the notebook."""
    drawn = {name: figures.draw(fig) for name, fig in r.figures(content, lang).items()}
    written = [figures.write_png(d, folder / "figures" / f"{name}_{lang}.png")
               for name, d in drawn.items()]
    return written, cache.write_pickle(drawn, store / f"run-{r.name}-{lang}-figures.pkl")


def _write_tables(r: Report, content: Any, checked: Sequence[Any], folder: Path,
                  created: datetime) -> list[Path]:
    written = tables.write_csv_tables(r.tables(content), folder / "tables")
    for p in checked:
        sheets, formats = r.excel(content, p.language)
        written.append(tables.write_excel(
            sheets, folder / "tables" / f"{r.name}_{p.language}.xlsx", metadata=content.meta,
            created=created, formats=formats,
            metadata_sheet=text("metadata.sheet", p.language), lang=p.language,
            demo=bool(content.meta.get("demo", False))))
    return written


def _write_metadata(r: Report, content: Any, checked: Sequence[Any], folder: Path, epoch: int,
                    written: Sequence[Path]) -> None:
    meta = {**content.meta, "source_date_epoch": epoch}
    meta["outputs"] = metadata.output_records(folder, [
        *written, *(folder / f"{r.name}_{p.language}.html" for p in checked)])
    metadata.write(meta, folder / r.metadata_file)
