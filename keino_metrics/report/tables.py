"""Indicator results formatted for reading, and the Excel workbook writer.

Display tables are plain HTML (``DataFrame.to_html`` on text that
:mod:`keino_metrics.report.numbers` formatted), with a coloured swatch beside
each traffic-light word. pandas' Styler is avoided for display because it
writes a random table id into the HTML, which makes notebook outputs differ
from run to run.

What was not measured is never shown as a number: a row whose ``status`` is
``not_measurable`` shows the words "not measurable" in its value cell and its
reason in the note column, a ``data_limit`` row shows "data limit" with the
reason, and neither carries a light. A light is shown only for a measured
value with a threshold rule and its source (``light_rule``, ``light_source``);
any other row leaves the light cell empty, so no colour stands for "no target".

The Excel writer stores numbers as numbers with an Excel number format (so a
Finnish Excel shows ``1 234,5`` and an English one ``1,234.5``), freezes the
header row, adds an autofilter and a ``Tiedot - Metadata`` sheet (Excel
forbids a slash in sheet names), and fixes the workbook's creation date so
that two writes of the same tables give byte-identical files. Given the
report's language it writes the headings and the traffic-light words in that
language and, for demonstration data, the demo banner as the first row of
every sheet.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from keino_metrics.atomic import replacing, write_text
from keino_metrics.labels import has_text, text, translate
from keino_metrics.report import numbers

__all__ = ["LIGHT_COLOURS", "LIGHTS", "UNIT_FORMATS", "light_html", "rule_text",
           "format_value", "earned_light", "light_swatch", "row_status", "status_text",
           "indicator_table", "html_table", "write_excel", "excel_header", "excel_light",
           "excel_sheet", "YEAR_COLUMNS", "sheet_name", "flatten"]

#: Swatch colour of each traffic light (colour-blind-safe tones, shown with a word).
LIGHT_COLOURS: dict[str, str] = {
    "green": "#009e73",
    "yellow": "#e69f00",
    "red": "#d55e00",
}
#: The lights a row can earn.
LIGHTS: tuple[str, ...] = tuple(LIGHT_COLOURS)

_SHARE_UNITS = frozenset({"share", "%", "percent", "proportion", "ratio"})


def light_html(light: object, lang: str) -> str:
    """A coloured swatch and the word for a traffic light (``green``/``yellow``/``red``).

    Anything else (no light, an unknown word) gives ``""``: no swatch, no word.
    """
    key = str(light).lower() if isinstance(light, str) else ""
    if key not in LIGHT_COLOURS:
        return ""
    word = html.escape(text(f"light.{key}", lang))
    return f'<span class="keino-light-word">{_swatch(key)}{word}</span>'


def _swatch(key: str, extra: str = "") -> str:
    return (f'<span class="keino-light keino-light-{key}"{extra} style="display:inline-block;'
            f'width:0.9em;height:0.9em;border-radius:50%;background:{LIGHT_COLOURS[key]};'
            f'vertical-align:middle;margin-right:0.35em"></span>')


def light_swatch(light: object, lang: str) -> str:
    """The swatch alone, its word given to screen readers and as a tooltip (for grids)."""
    key = str(light).lower() if isinstance(light, str) else ""
    if key not in LIGHT_COLOURS:
        return ""
    word = html.escape(text(f"light.{key}", lang))
    return (_swatch(key, f' title="{word}"')
            + f'<span class="keino-sr">{word}</span>')


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) or v == ""


def row_status(row: Mapping[str, object]) -> str:
    """``measured``, ``not_measurable`` or ``data_limit`` of one result row.

    Rows without a ``status`` (frames from before the status existed) are
    measured when they hold a value.
    """
    status = row.get("status")
    if isinstance(status, str) and status:
        return status
    return "not_measurable" if _missing(row.get("value")) else "measured"


def earned_light(row: Mapping[str, object]) -> str | None:
    """The row's light if it earned one: a measured value, a rule and its source.

    Where the frame carries ``light_rule`` and ``light_source`` both must be
    set; a frame without these columns keeps the light the computation gave.
    """
    light = row.get("light")
    if row_status(row) != "measured" or not isinstance(light, str) or light not in LIGHTS:
        return None
    for col in ("light_rule", "light_source"):
        if col in row and _missing(row.get(col)):
            return None
    return light


def status_text(status: str, lang: str) -> str:
    """The words for a status that is not a measurement (``not measurable``, ``data limit``)."""
    return text(f"annual.status.{status}", lang)


def _is_share(unit: object) -> bool:
    return isinstance(unit, str) and unit.strip().lower() in _SHARE_UNITS


_RULE = re.compile(r"^\s*(<=|>=|<|>)\s*(-?[0-9.]+)\s*$")
_SYMBOL = {"<=": "≤", ">=": "≥", "<": "<", ">": ">"}


def rule_text(rule: object, unit: object, lang: str) -> str:
    """A threshold rule such as ``"<= 0.10"`` as display text (``≤ 10,0 %``)."""
    m = _RULE.match(rule) if isinstance(rule, str) else None
    if m is None:
        return numbers.MISSING
    return f"{_SYMBOL[m.group(1)]} {format_value(float(m.group(2)), unit, lang)}"


def format_value(value: object, unit: object, lang: str) -> str:
    """An indicator value as text by its unit: shares as per cent, euros in millions."""
    if _is_share(unit):
        return numbers.percent(value, lang)  # type: ignore[arg-type]
    if isinstance(unit, str) and unit.upper() == "EUR":
        return numbers.eur_million(value, lang) + " " + text("unit.eur_million", lang)  # type: ignore[arg-type]
    if isinstance(unit, str) and unit.strip().lower() == "index":
        return numbers.number(value, lang, 1)  # type: ignore[arg-type]
    return numbers.number(value, lang)  # type: ignore[arg-type]


def indicator_table(frame: pd.DataFrame, lang: str, *, names: Mapping[str, str] | None = None,
                    green: Mapping[str, str] | None = None,
                    columns: Sequence[str] = ("indicator_id", "value", "numerator",
                                              "denominator", "coverage", "ci", "target",
                                              "light"),
                    by: Sequence[str] = ()) -> pd.DataFrame:
    """Indicator results as display text with translated headings.

    Parameters
    ----------
    frame : pandas.DataFrame
        The reports' indicator table (``IndicatorResult.to_frame()`` with ``value``
        for ``estimate`` and ``n_eligible`` for ``n``).
    lang : str
        Report language.
    names : mapping, optional
        Display names by indicator id; adds a name column when given.
    green : mapping, optional
        Green-band rule by indicator id (``"<= 0.10"``), shown in the target
        column where an indicator has no target.
    columns : sequence of str
        Which columns to show, in order. ``ci`` joins ``ci_low`` and
        ``ci_high``; ``light`` becomes a swatch and a word (HTML).
    by : sequence of str
        Breakdown columns to show first (their values as they are).

    Returns
    -------
    pandas.DataFrame
        Text cells, ready for :func:`html_table`.
    """
    out = pd.DataFrame(index=frame.index)
    records = frame.to_dict("records")
    status = [row_status(r) for r in records]
    columns = tuple(columns)
    if "warning" in frame and "warning" not in columns and any(
            s != "measured" for s in status):
        columns = (*columns, "warning")  # the reason goes with every value not measured
    for col in by:
        out[text(f"column.{col}", lang)] = frame[col].astype(str)
    if names is not None:
        out[text("column.indicator", lang)] = frame["indicator_id"].map(
            lambda i: names.get(i, i))
    for col in columns:
        head = text(f"column.{col}", lang)
        if col == "indicator_id":
            out[head] = frame["indicator_id"]
        elif col == "value":
            out[head] = [format_value(v, u, lang) if s == "measured" else status_text(s, lang)
                         for v, u, s in zip(frame[col], frame["unit"], status, strict=True)]
        elif col == "target":
            rules = green or {}
            out[head] = [format_value(t, u, lang) if pd.notna(t)
                         else rule_text(rules.get(i), u, lang)
                         for i, t, u in zip(frame["indicator_id"], frame["target"],
                                            frame["unit"], strict=True)]
        elif col in ("numerator", "denominator"):
            euros = [str(u).lower() == "eur" or str(w).lower() == "eur"
                     for u, w in zip(frame["unit"], frame.get("weighting", frame["unit"]),
                                     strict=True)]
            out[head] = [numbers.eur_million(v, lang) if e else numbers.number(v, lang)
                         for v, e in zip(frame[col], euros, strict=True)]
        elif col == "coverage":
            out[head] = [numbers.percent(v, lang) for v in frame["coverage"]]
        elif col == "ci":
            out[head] = [_interval(lo, hi, u, lang) if s == "measured" else numbers.MISSING
                         for lo, hi, u, s in zip(frame["ci_low"], frame["ci_high"],
                                                 frame["unit"], status, strict=True)]
        elif col == "light":
            out[head] = [light_html(earned_light(r), lang) for r in records]
        elif col in ("n_eligible", "excluded"):
            out[head] = [numbers.number(v, lang) for v in frame[col]]
        elif col == "alpha":
            out[head] = [numbers.number(v, lang, 2) for v in frame[col]]
        elif col == "year":
            out[head] = [str(int(v)) for v in frame[col]]
        elif col == "warning":
            out[head] = [numbers.MISSING if v is None or (isinstance(v, float) and pd.isna(v))
                         or v == "" else translate(str(v), "note", lang) for v in frame[col]]
        else:
            out[head] = [numbers.MISSING if v is None or (isinstance(v, float) and pd.isna(v))
                         or v == "" else str(v) for v in frame[col]]
    return out.reset_index(drop=True)


def _interval(low: object, high: object, unit: object, lang: str) -> str:
    """A 95 % interval: per cent for shares, plain numbers (one decimal) for days or indices."""
    if _is_share(unit):
        return numbers.interval(low, high, lang)  # type: ignore[arg-type]
    if pd.isna(low) or pd.isna(high):  # type: ignore[arg-type]
        return numbers.MISSING
    return f"{numbers.number(low, lang, 1)} – {numbers.number(high, lang, 1)}"  # type: ignore[arg-type]


def html_table(frame: pd.DataFrame, *, escape_columns: Sequence[str] | None = None) -> str:
    """Deterministic HTML of a frame of display text (no index, no random ids).

    Cells are escaped except those already holding HTML (traffic-light
    swatches), which :func:`indicator_table` produced itself.
    """
    df = frame.copy()
    cols = list(df.columns) if escape_columns is None else list(escape_columns)
    for c in cols:
        df[c] = [v if isinstance(v, str) and v.startswith(('<span class="keino-light',
                                                             '<span class="keino-light-word'))
                 else numbers.MISSING if v is None or (isinstance(v, float) and pd.isna(v))
                 else html.escape(str(v)) for v in df[c]]
    return df.to_html(index=False, escape=False, border=0, classes="keino-table",
                      na_rep=numbers.MISSING)


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """An Excel sheet name (at most 31 characters, no ``[]:*?/\\``), unique in ``taken``."""
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in str(name)).strip("'") or "Sheet"
    base = clean[:31]
    out, k = base, 2
    while taken is not None and out.lower() in {t.lower() for t in taken}:
        suffix = f"~{k}"
        out = base[:31 - len(suffix)] + suffix
        k += 1
    if taken is not None:
        taken.add(out)
    return out


def flatten(tree: Mapping[str, object], prefix: str = "") -> list[tuple[str, str]]:
    """Nested metadata as ``(dotted.key, text)`` rows, keys sorted."""
    rows: list[tuple[str, str]] = []
    for key in sorted(tree, key=str):
        value = tree[key]
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows.extend(flatten(value, name + "."))
        elif isinstance(value, list | tuple) and any(isinstance(v, Mapping) for v in value):
            for k, item in enumerate(value):
                if isinstance(item, Mapping):
                    rows.extend(flatten(item, f"{name}[{k}]."))
                else:
                    rows.append((f"{name}[{k}]", str(item)))
        elif isinstance(value, list | tuple):
            rows.append((name, json.dumps(value, ensure_ascii=False, default=str)))
        else:
            rows.append((name, "" if value is None else str(value)))
    return rows


#: Excel number format of an indicator value by its unit (Excel shows the separators of
#: the reader's locale: ``0.0%`` is ``12,5 %`` in a Finnish Excel).
UNIT_FORMATS: dict[str, str] = {"share": "0.0%", "eur": "#,##0", "count": "#,##0",
                                "days": "#,##0.0"}
_UNIT_COLUMNS = ("value", "target", "ci_low", "ci_high")
#: Columns holding years (or event times): whole numbers without a thousands separator.
YEAR_COLUMNS = frozenset({"year", "first_year", "last_year", "year_reached", "group", "time",
                          "event_time", "cohort"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def excel_header(column: str, lang: str) -> str:
    """The heading of a workbook column in ``lang``.

    Looked up as ``excel.column.<name>``, then ``column.<name>`` (the headings
    of the report tables); a column the catalogue does not name keeps its name.
    """
    for key in (f"excel.column.{column}", f"column.{column}"):
        if has_text(key, lang):
            return text(key, lang)
    return str(column)


def excel_sheet(name: str, lang: str) -> str:
    """The name of a workbook sheet in ``lang`` (``excel.sheet.<name>``), else ``name``."""
    key = f"excel.sheet.{name}"
    return text(key, lang) if has_text(key, lang) else name


def excel_light(light: object, lang: str) -> object:
    """A traffic light as its colour word in ``lang`` (``vihreä``, ``grön``); others as they are."""
    key = f"excel.light.{str(light).lower()}"
    return text(key, lang) if isinstance(light, str) and has_text(key, lang) else light


def _num_format(series: pd.Series, column: str, formats: Mapping[str, str]) -> str | None:
    if column in formats:
        return formats[column]
    if pd.api.types.is_bool_dtype(series):
        return None
    if column in YEAR_COLUMNS and pd.api.types.is_numeric_dtype(series):
        return "0"
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    if pd.api.types.is_float_dtype(series):
        return "#,##0.000"
    return None


def _write_by_unit(ws, df: pd.DataFrame, book, first_row: int) -> None:
    """Rewrite ``value``, ``target`` and interval cells with the number format of their unit."""
    cache: dict[str, object] = {}
    for col in _UNIT_COLUMNS:
        if col not in df.columns:
            continue
        j = df.columns.get_loc(col)
        for i, (v, unit) in enumerate(zip(df[col], df["unit"], strict=True)):
            if pd.isna(v):
                continue
            fmt = UNIT_FORMATS.get(str(unit).lower(), "#,##0.00")
            if fmt not in cache:
                cache[fmt] = book.add_format({"num_format": fmt})
            ws.write_number(first_row + i, j, float(v), cache[fmt])


def _typed(value: str) -> object:
    """A metadata value as a number, a date or a truth value where it is one, else text."""
    v = value.strip()
    if v in ("True", "False"):
        return v == "True"
    if re.fullmatch(r"-?\d{1,15}", v):
        return int(v)
    if re.fullmatch(r"-?\d+\.\d+(?:[eE][-+]?\d+)?", v):
        return float(v)
    if _DATE.match(v):
        try:
            return datetime.fromisoformat(v)
        except ValueError:
            return value
    return value


def _write_metadata(writer, book, metadata: Mapping[str, object], sheet: str, header,
                    lang: str | None, banner: str | None) -> None:
    """The metadata sheet: dotted keys and typed values (numbers, dates, truth values)."""
    first = 1 if banner else 0
    rows = flatten(metadata)
    ws = book.add_worksheet(sheet)
    writer.sheets[sheet] = ws
    if banner:
        ws.write(0, 0, banner, book.add_format({"bold": True, "font_color": "#6b0014",
                                                "bg_color": "#fff0f0"}))
    heads = ("key", "value")
    for j, col in enumerate(heads):
        ws.write(first, j, excel_header(col, lang) if lang else col, header)
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    int_fmt = book.add_format({"num_format": "0"})
    for i, (key, value) in enumerate(rows, start=first + 1):
        ws.write_string(i, 0, key)
        v = _typed(value)
        if isinstance(v, bool):
            ws.write_boolean(i, 1, v)
        elif isinstance(v, datetime):
            ws.write_datetime(i, 1, v, day_fmt if len(value.strip()) == 10 else date_fmt)
        elif isinstance(v, int):
            ws.write_number(i, 1, v, int_fmt)
        elif isinstance(v, float):
            ws.write_number(i, 1, v)
        else:
            ws.write_string(i, 1, value)
    ws.freeze_panes(first + 1, 0)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 80)


def write_excel(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike[str], *,
                metadata: Mapping[str, object] | None = None,
                created: datetime = datetime(2000, 1, 1),
                formats: Mapping[str, Mapping[str, str]] | None = None,
                metadata_sheet: str = "Tiedot - Metadata", lang: str | None = None,
                demo: bool = False) -> Path:
    """Write tables to one workbook, a sheet per table, reproducibly.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Sheet name -> table. Numbers stay numbers.
    path : path-like
        Output ``.xlsx`` file.
    metadata : mapping, optional
        Written to the metadata sheet as ``key | value`` rows (nested keys
        joined with dots); values that are numbers, dates or truth values are
        written as such.
    created : datetime
        Creation date stored in the file; fixing it makes the bytes
        reproducible.
    formats : mapping, optional
        ``{sheet: {column: excel_number_format}}`` overriding the defaults
        (``0`` for years, ``#,##0`` for integers, ``#,##0.000`` for floats). Use
        ``0.0%`` for shares. In tables with a ``unit`` column (indicator
        results) the ``value``, ``target`` and interval cells take the format
        of their row's unit (:data:`UNIT_FORMATS`).
    metadata_sheet : str
        Name of the metadata sheet.
    lang : str, optional
        Language of the sheet names (:func:`excel_sheet`), the headings
        (:func:`excel_header`) and of the
        traffic-light words in a ``light`` column (:func:`excel_light`); the
        column names as they are when not given.
    demo : bool
        Whether the tables show generated demonstration data: every sheet then
        starts with the demo banner of ``lang`` in its first row, above the
        headings.

    Returns
    -------
    pathlib.Path
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    formats = formats or {}
    taken: set[str] = set()
    banner = text("report.demo_banner", lang or "en") if demo else None
    first = 1 if banner else 0
    with replacing(p) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
        book = writer.book
        book.set_properties({"created": created, "title": p.stem})
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                  "bottom": 1})
        marker = book.add_format({"bold": True, "font_color": "#6b0014", "bg_color": "#fff0f0"})
        for name, frame in tables.items():
            sheet = sheet_name(excel_sheet(name, lang) if lang else name, taken)
            df = frame.reset_index(drop=True)
            shown = df
            if lang is not None and "light" in df.columns:
                shown = df.assign(light=[excel_light(v, lang) for v in df["light"]])
            shown.to_excel(writer, sheet_name=sheet, index=False, startrow=first,
                           freeze_panes=(first + 1, 0))
            ws = writer.sheets[sheet]
            if banner:
                ws.write(0, 0, banner, marker)
            if len(df.columns):
                ws.autofilter(first, 0, first + len(df), len(df.columns) - 1)
            for j, col in enumerate(df.columns):
                head = excel_header(str(col), lang) if lang else str(col)
                ws.write(first, j, head, header)
                fmt = _num_format(df[col], str(col), formats.get(name, {}))
                width = min(max(len(head), *(len(str(v)) for v in df[col].head(200)), 8)
                            + 2, 60) if len(df) else max(len(head) + 2, 10)
                ws.set_column(j, j, width, book.add_format({"num_format": fmt}) if fmt else None)
            if "unit" in df.columns:
                _write_by_unit(ws, df, book, first + 1)
        if metadata is not None:
            _write_metadata(writer, book, metadata, sheet_name(metadata_sheet, taken), header,
                            lang, banner)
    return p


def write_csv_tables(frames: Mapping[str, pd.DataFrame], directory: str | os.PathLike[str]
                     ) -> list[Path]:
    """Write each frame to ``directory/<name>.csv`` (UTF-8, ``\\n`` line ends).

    Returns the paths written, in the order of ``frames``.
    """
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for name, frame in frames.items():
        path = d / f"{name}.csv"
        write_text(path, frame.to_csv(index=False, lineterminator="\n"))
        out.append(path)
    return out
