"""HTML building blocks shared by every report: headings, banners and tables.

A report's notebook shows every text through these functions and its own
``render`` module, in the language of the run, so that one notebook gives a
Finnish, Swedish or English report and its cells stay one line long. Output is
plain, deterministic HTML: no timestamps, no paths, and the only ids are the
stable anchors of section headings (:func:`anchor_id` of the section's
catalogue key), which the table of contents links to
(:mod:`keino_metrics.report.toc`); values that depend on the machine (git
revision, Python version, platform, package versions) are wrapped in
``<span class="volatile">`` so that notebook checks can mask them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd

from keino_metrics.labels import has_text, text
from keino_metrics.report import numbers, tables

__all__ = ["STYLE", "percent", "anchor_id", "heading", "paragraph", "banner", "section",
           "toc_placeholder", "html_table", "value_label", "rows_table", "completeness_table",
           "counts_table", "metadata_block", "catalogue_table"]

#: CSS for the report's tables and banners (emitted once, with the title).
STYLE = """<style>
.keino-table {border-collapse: collapse; margin: 0.5em 0 1.2em 0; font-size: 0.9em;
  max-width: 100%;}
table.keino-table th, table.keino-table td,
.jp-RenderedHTMLCommon table.keino-table th, .jp-RenderedHTMLCommon table.keino-table td,
.jp-RenderedHTMLCommon table.keino-table tr {padding: 0.25em 0.6em;
  border-bottom: 1px solid #ddd; text-align: left; vertical-align: top;
  overflow-wrap: break-word; hyphens: auto;}
table.keino-table th {background: #f3f3f3; max-width: 9em;}
table.keino-table td {max-width: 34em;}
table.keino-table td:first-child {min-width: 8em; max-width: 22em;}
.keino-light-word {white-space: nowrap;}
.keino-sr {position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap;}
.keino-banner {border: 2px solid #b00020; background: #fff0f0; color: #6b0014;
  padding: 0.5em 0.8em; margin: 0.6em 0; font-weight: bold;}
.keino-lead {font-size: 1.05em;}
.keino-headline {border: 1px solid #9bb7d4; background: #f4f8fc; padding: 0.4em 1em 0.8em 1em;
  margin: 0.8em 0;}
.keino-headline h2 {margin-top: 0.3em;}
.keino-headline dl {margin: 0.4em 0;}
.jp-OutputArea-output .keino-headline dt, .keino-headline dt {float: none; width: auto;
  font-weight: bold; margin-top: 0.7em;}
.jp-OutputArea-output .keino-headline dd, .keino-headline dd {float: none; width: auto;
  margin: 0.15em 0 0 0;}
.keino-big {font-size: 1.35em; font-weight: bold;}
.keino-toc ol {columns: 2; margin: 0.3em 0 1em 0; padding-left: 0.2em; list-style: none;}
.keino-figure {margin: 0.6em 0 1.2em 0;}
.keino-figure img {max-width: 100%; height: auto;}
.keino-note {font-size: 0.9em; color: #333;}
</style>"""


def percent(share: float | None, lang: str) -> str:
    """A target or share as a whole per cent (``10 %``, ``10%``)."""
    return numbers.percent(share, lang, 0)

def anchor_id(key: str) -> str:
    """The stable anchor id of a section named by its catalogue key.

    The last part of the key, ``_`` written as ``-`` (``section.appendix_indicators``
    -> ``appendix-indicators``): the same in every language, so links between
    reports and from outside keep working.
    """
    return key.rsplit(".", 1)[-1].replace("_", "-")


def heading(title: str, level: int = 2, anchor: str | None = None) -> str:
    """An HTML heading, with the id ``anchor`` when given."""
    ident = f' id="{html.escape(anchor)}"' if anchor else ""
    return f"<h{level}{ident}>{html.escape(title)}</h{level}>"


def toc_placeholder() -> str:
    """Where the table of contents goes; the driver fills it (:mod:`keino_metrics.report.toc`).

    A report without the placeholder gets its table of contents before its
    first section heading.
    """
    return '<nav class="keino-toc"></nav>'


def paragraph(body: str, cls: str | None = None) -> str:
    """An HTML paragraph of plain text."""
    c = f' class="{cls}"' if cls else ""
    return f"<p{c}>{html.escape(body)}</p>"

def banner(lang: str) -> str:
    """The demo-data warning box."""
    return f'<div class="keino-banner">{html.escape(text("report.demo_banner", lang))}</div>'

def section(key: str, lang: str, *, demo: bool, intro: str | None = None) -> str:
    """Section heading, the demo banner when ``demo``, and an introduction."""
    parts = [heading(text(f"section.{key}", lang), anchor=anchor_id(key))]
    if demo:
        parts.append(banner(lang))
    if intro:
        parts.append(paragraph(intro))
    return "\n".join(parts)

def html_table(df: pd.DataFrame, *, escape_columns: Sequence[str] | None = None) -> str:
    """``df`` as a report table (see :func:`keino_metrics.report.tables.html_table`)."""
    return tables.html_table(df, escape_columns=escape_columns)

#: Columns whose values are identifiers (file paths, field and format names), shown as code.
CODE_COLUMNS = frozenset({"input", "field", "source", "source_file", "record"})


def value_label(column: str, value: object, lang: str) -> str:
    """``value`` of ``column`` as the catalogue names it (``value.<column>.<value>``), else as is."""
    key = f"value.{column}.{value}"
    return text(key, lang) if has_text(key, lang) else str(value)


def rows_table(rows: pd.DataFrame, lang: str) -> str:
    """Rows per table and year."""
    df = rows.copy()
    df.columns = [text("column.all", lang) if c == "total" else str(c) for c in df.columns]
    df = df.map(lambda v: numbers.number(v, lang))
    df.insert(0, text("column.table", lang), [value_label("table", t, lang) for t in rows.index])
    return html_table(df.reset_index(drop=True))


def completeness_table(comp: pd.DataFrame, lang: str) -> str:
    """Completeness of key fields (shares as per cent)."""
    df = comp.copy()
    df.columns = [text("column.all", lang) if c == "total" else str(c) for c in df.columns]
    df = df.map(lambda v: numbers.percent(v, lang, 0))
    idx = comp.index.to_frame(index=False)
    escape = [str(col) for col in df.columns]
    df.insert(0, text("column.field", lang),
              [f"<code>{html.escape(str(f))}</code>" for f in idx["field"]])
    df.insert(0, text("column.table", lang),
              [value_label("table", t, lang) for t in idx["table"]])
    return html_table(df.reset_index(drop=True),
                      escape_columns=[text("column.table", lang), *escape])


def counts_table(frame: pd.DataFrame, lang: str) -> str:
    """A table of counts: known columns translated, integers formatted, booleans as words."""
    df = pd.DataFrame()
    for col in frame.columns:
        s = frame[col]
        key = f"column.{col}"
        try:
            head = text(key, lang)
        except KeyError:
            head = str(col)
        if col == "year":
            df[head] = [str(v) for v in s]
        elif pd.api.types.is_bool_dtype(s):
            df[head] = [text("yesno.yes" if v else "yesno.no", lang) for v in s]
        elif pd.api.types.is_integer_dtype(s):
            df[head] = [numbers.number(v, lang) for v in s]
        elif pd.api.types.is_float_dtype(s) and col == "completeness":
            df[head] = [numbers.percent(v, lang, 0) for v in s]
        elif col in CODE_COLUMNS:
            df[head] = [f"<code>{html.escape(str(v))}</code>" for v in s]
        else:
            df[head] = [html.escape(value_label(str(col), v, lang)) for v in s.astype(str)]
    return html_table(df, escape_columns=())


def catalogue_table(cat: pd.DataFrame, lang: str) -> str:
    """Indicator definitions: id, name, definition, formula (as code), unit and interval.

    ``cat`` is the catalogue in ``lang`` (its texts are already translated); the
    formula is notation, not prose, and is shown as code.
    """
    formula = cat["formula"] if "formula" in cat else pd.Series([""] * len(cat))
    df = pd.DataFrame({
        text("column.indicator_id", lang): [html.escape(str(v)) for v in cat["indicator_id"]],
        text("column.name", lang): [html.escape(str(v)) for v in cat["name"]],
        text("column.definition", lang): [html.escape(str(v)) for v in cat["definition"]],
        text("column.formula", lang): [f"<code>{html.escape(str(f))}</code>" if f else ""
                                       for f in formula],
        text("column.unit", lang): [text(f"unit.{u}", lang) for u in cat["unit"]]
        if "unit" in cat else "",
        text("column.interval", lang): [html.escape(str(v)) for v in cat["interval"]]
        if "interval" in cat else "",
    })
    return html_table(df, escape_columns=())


def _table_name(name: str, lang: str) -> str:
    """A table of the data model in ``lang``, or its name as code (``extra.*`` tables)."""
    if has_text(f"value.table.{name}", lang):
        return html.escape(value_label("table", name, lang))
    return f"<code>{html.escape(name)}</code>"


def _volatile(value: object) -> str:
    return f'<span class="volatile">{html.escape(str(value))}</span>'

def metadata_block(meta: Mapping[str, object], lang: str) -> str:
    """The reproducibility appendix: parameters, environment, input hashes."""
    par = meta["parameters"]  # type: ignore[index]
    inputs = meta["inputs"]  # type: ignore[index]
    yes_no = text("yesno.yes" if meta["demo"] else "yesno.no", lang)
    rows = [
        (text("metadata.year", lang), html.escape(str(par["year"]))),
        (text("metadata.language", lang), html.escape(", ".join(par["language"]))),
        (text("metadata.seed", lang), html.escape(str(par["seed"]))),
        (text("metadata.demo", lang), html.escape(yes_no)),
        (text("metadata.data_dir", lang), html.escape(str(par["data_dir"]))),
        (text("metadata.data_digest", lang), f'<code>{inputs["data_dir_digest"]}</code>'),
        (text("metadata.samples_digest", lang), f'<code>{inputs["samples_digest"]}</code>'),
        (text("metadata.lock_hash", lang), _volatile(meta["lock_file"]["sha256"])),
        (text("metadata.git_revision", lang), _volatile(meta["git_revision"])),
        (text("metadata.python", lang), _volatile(meta["python"])),
        (text("metadata.platform", lang), _volatile(meta["platform"])),
    ]
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    out = [f'<table class="keino-table">{body}</table>']
    files = inputs["data_dir"]
    if files:
        out.append(heading(text("metadata.input_files", lang), 3))
        fbody = "".join(
            f"<tr><td>{html.escape(str(f['path']))}</td>"
            f"<td>{numbers.number(f['bytes'], lang)}</td><td><code>{f['sha256']}</code></td></tr>"
            for f in files)
        out.append(f'<table class="keino-table"><tr><th>{text("metadata.file", lang)}</th>'
                   f'<th>{text("metadata.bytes", lang)}</th>'
                   f'<th>{text("metadata.sha256", lang)}</th></tr>{fbody}</table>')
    counts = meta.get("row_counts") or {}
    if counts:
        out.append(heading(text("metadata.row_counts", lang), 3))
        cbody = "".join(f"<tr><td>{_table_name(k, lang)}</td>"
                        f"<td>{numbers.number(v, lang)}</td></tr>" for k, v in counts.items())
        out.append(f'<table class="keino-table">{cbody}</table>')
    pk = meta.get("packages") or {}
    if pk:
        out.append(heading(text("metadata.package_versions", lang), 3))
        pbody = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td>{_volatile(v)}</td></tr>"
                        for k, v in pk.items())
        out.append(f'<table class="keino-table">{pbody}</table>')
    return "\n".join(out)
