"""Regenerate the annual report with one call: :func:`build_report`.

For each language the report notebook is executed with papermill into
``<out_dir>/<year>/annual_report_<lang>.ipynb`` and exported to
self-contained HTML without code. The figures (PNG) and tables (CSV and
Excel) are written beside it from the same library functions the notebook
uses, with ``metadata.json`` recording parameters, input hashes, versions and
the git revision. Parameters are validated before any notebook runs, and they
reach the notebook through papermill's ``parameters`` dictionary only.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from keino_metrics import paths
from keino_metrics.dataset import Dataset
from keino_metrics.report import content as content_mod
from keino_metrics.report import coverage, figures, metadata, params, tables
from keino_metrics.report.labels import text

__all__ = ["NOTEBOOK", "build_report", "execute_notebooks", "load_data",
           "latest_complete_year", "export_html", "source_date_epoch"]

#: The report notebook (relative to the project root).
NOTEBOOK = Path("notebooks") / "reports" / "annual_report.ipynb"

#: Cell tags removed from the HTML entirely.
REMOVE_CELL_TAGS = frozenset({"remove_cell", "parameters", "injected-parameters"})

_EXTERNAL_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>\s*')


def load_data(data_dir: str | os.PathLike[str] | None, *, seed: int = 2024) -> Dataset:
    """The report's data: validated tables of the demo corpus or of ``data_dir``.

    The default directory (``data/raw/demo``) is filled by
    :func:`keino_metrics.demo.load` with ``seed``. Any directory (canonical
    Parquet tables, or raw procurement files read by
    :func:`keino_metrics.readers.read`) then passes the validation boundary
    (:func:`keino_metrics.pipeline.prepare`): the report uses the validated
    tables in ``data/processed/<name>``, with their quarantine and accounting.
    """
    from keino_metrics.pipeline import prepare

    d = params.resolve_data_dir(data_dir)
    if params.is_default_data_dir(d):
        from keino_metrics import demo

        demo.load(directory=d, seed=seed)
    elif not d.is_dir():
        raise FileNotFoundError(f"data directory {d} does not exist")
    elif not any(p.is_file() and not p.name.startswith(".") for p in d.rglob("*")):
        raise FileNotFoundError(f"data directory {d} holds no files to read")
    return prepare(d)


def latest_complete_year(data: Dataset) -> int:
    """The latest year whose notices reach December (else the latest year with notices)."""
    dates = data.notices["publication_date"].dropna()
    if dates.empty:
        raise ValueError("the data hold no dated notices, so no report year can be chosen")
    dates = dates.astype("datetime64[us]")
    december = sorted(set(dates[dates.dt.month == 12].dt.year.astype(int)))
    return december[-1] if december else int(dates.dt.year.max())


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


def export_html(notebook: str | os.PathLike[str], html_path: str | os.PathLike[str], *,
                title: str) -> Path:
    """Export an executed notebook to self-contained HTML without any code.

    Code inputs and prompts are excluded, cells tagged ``remove_cell`` (and the
    papermill parameter cells) are dropped, figures are embedded as data URIs
    and scripts loaded from the internet (MathJax, require.js) are removed, so
    the file opens offline.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(os.fspath(notebook), as_version=4)
    exporter = HTMLExporter(template_name="lab", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(
        TagRemovePreprocessor(enabled=True, remove_cell_tags=set(REMOVE_CELL_TAGS),
                              remove_input_tags={"remove_input"},
                              remove_all_outputs_tags={"remove_output"}), enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = _EXTERNAL_SCRIPT.sub("", body)
    out = Path(html_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    return out


def _languages(language: str | Iterable[str]) -> tuple[str, ...]:
    langs = (language,) if isinstance(language, str) else tuple(language)
    if not langs:
        raise ValueError("report parameter 'language': got no language; allowed: "
                         "'fi', 'en', 'sv'")
    return tuple(dict.fromkeys(langs))


def execute_notebooks(notebook: Path, checked: Iterable, folder: Path, stem: str,
                      title: Callable[[str], str], bar) -> list[Path]:
    """Run ``notebook`` once per validated parameter set and export each to HTML.

    Writes ``folder/<stem>_<lang>.ipynb`` with papermill (parameters from each
    set's ``to_dict()``, run from the project root) and the HTML without code
    beside it; ``title(lang)`` names the HTML page. Advances ``bar`` twice per
    language and returns the HTML paths.
    """
    import papermill as pm

    root = paths.project_root()
    html = []
    for p in checked:
        bar.set_postfix_str(f"notebook {p.language}")
        nb_out = folder / f"{stem}_{p.language}.ipynb"
        nb_out.parent.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(str(root / notebook), str(nb_out), parameters=p.to_dict(),
                            cwd=str(root), kernel_name="python3", progress_bar=False,
                            log_output=False)
        bar.update()
        bar.set_postfix_str(f"html {p.language}")
        html.append(export_html(nb_out, nb_out.with_suffix(".html"), title=title(p.language)))
        bar.update()
    return html


def build_report(year: int | None = None, data_dir: str | os.PathLike[str] | None = None,
                 language: str | Iterable[str] = ("fi", "en"), seed: int = 2024,
                 out_dir: str | os.PathLike[str] = "reports", progress: bool = True) -> Path:
    """Regenerate the annual report and return its folder ``<out_dir>/<year>``.

    Parameters
    ----------
    year : int, optional
        Report year; default the latest complete year of the data.
    data_dir : path-like, optional
        Directory of canonical Parquet tables (or of notice files); default
        the demo corpus in ``data/raw/demo``, generated with ``seed`` when
        missing.
    language : str or iterable of str
        Report languages (``fi``, ``en``, ``sv``); one notebook and HTML each.
    seed : int
        Seed of the demo data.
    out_dir : path-like
        Output root; relative paths are taken from the project root.
    progress : bool
        Show a progress bar.

    Returns
    -------
    pathlib.Path
        ``<out_dir>/<year>`` holding ``annual_report_<lang>.ipynb`` and
        ``.html``, ``figures/*.png``, ``tables/*.csv``, ``tables/*.xlsx`` and
        ``metadata.json``.

    Raises
    ------
    ValueError
        For a bad parameter (before any notebook runs).
    """
    langs = _languages(language)
    # Types and ranges first, before touching data or papermill.
    probe_year = year if year is not None else params.YEAR_RANGE[0]
    checked = [params.validate(probe_year, data_dir, lang, seed) for lang in langs]
    data_path = checked[0].data_dir
    root = paths.project_root()
    out_root = Path(out_dir)
    out_root = out_root if out_root.is_absolute() else root / out_root

    bar = tqdm(total=4 + 2 * len(langs), desc="report", unit="step", disable=not progress)
    try:
        bar.set_postfix_str("data")
        data = load_data(data_path, seed=seed)
        years = coverage.data_years(data)
        report_year = latest_complete_year(data) if year is None else year
        checked = [params.validate(report_year, data_path, lang, seed, available_years=years)
                   for lang in langs]
        bar.update()

        folder = out_root / str(report_year)
        epoch = source_date_epoch(report_year)
        created = datetime.fromtimestamp(epoch, tz=UTC).replace(tzinfo=None)
        with _env(SOURCE_DATE_EPOCH=str(epoch)):
            execute_notebooks(NOTEBOOK, checked, folder, "annual_report",
                              lambda lang: text("report.title", lang, year=report_year), bar)

            bar.set_postfix_str("figures and tables")
            content = content_mod.compute(data, report_year)
            written: list[Path] = []
            for p in checked:
                for name, fig in content.figures(p.language).items():
                    written.append(figures.save(fig, folder / "figures"
                                                / f"{name}_{p.language}.png"))
            bar.update()
            meta = metadata.collect(year=report_year, languages=langs, seed=seed,
                                    data_dir=data_path, data=data)
            written += tables.write_csv_tables(content.tables(), folder / "tables")
            for p in checked:
                written.append(tables.write_excel(
                    content.excel_tables(p.language),
                    folder / "tables" / f"annual_report_{p.language}.xlsx",
                    metadata=meta, created=created,
                    formats=content.excel_formats(p.language),
                    metadata_sheet=text("metadata.sheet", p.language)))
            bar.update()

            bar.set_postfix_str("metadata")
            meta["source_date_epoch"] = epoch
            meta["outputs"] = metadata.output_records(folder, [
                *written, *(folder / f"annual_report_{p.language}.html" for p in checked)])
            metadata.write(meta, folder / "metadata.json")
            bar.update()
    finally:
        bar.close()
    return folder
