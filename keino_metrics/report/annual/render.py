"""HTML of the annual report: its title block and its indicator tables.

The shared building blocks (headings, banners, count tables, the metadata
appendix) are in :mod:`keino_metrics.report.blocks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from keino_metrics import __version__
from keino_metrics.labels import text
from keino_metrics.report import numbers, tables
from keino_metrics.report.annual.content import ReportContent
from keino_metrics.report.blocks import STYLE, banner, heading, html_table, paragraph

__all__ = ["title_block", "indicator_table", "breakdown_table", "trend_table", "volume_table",
           "SCOREBOARD_COLUMNS", "RISK_COLUMNS", "CAPABILITY_COLUMNS", "scoreboard_table",
           "risk_table", "capability_table"]

#: Columns of the Scoreboard page (``ReportContent.scoreboard()``).
SCOREBOARD_COLUMNS: tuple[str, ...] = (
    "indicator_id", "value", "numerator", "denominator", "coverage", "ci", "target", "light",
    "threshold_source", "reference_values", "warning")
#: Columns of the risk page (``ReportContent.risk()``).
RISK_COLUMNS: tuple[str, ...] = (
    "indicator_id", "value", "numerator", "denominator", "coverage", "ci", "light", "warning",
    "limits")
#: Columns of the capability page (``ReportContent.capability()``).
CAPABILITY_COLUMNS: tuple[str, ...] = ("indicator_id", "year", "value", "ci", "n_eligible", "alpha", "warning")


def title_block(content: ReportContent, lang: str, seed: int) -> str:
    """Title, subtitle, data line, reading guide, and the demo banner or, for real
    data, what the sources cover."""
    parts = [STYLE,
             heading(text("report.title", lang, year=content.year), 1),
             paragraph(text("report.subtitle", lang, first_year=content.first_year,
                            year=content.year), "keino-lead"),
             paragraph(text("report.data_line", lang, source=content.source(lang),
                            year=content.year, seed=seed, version=__version__))]
    if content.demo:
        parts.append(banner(lang))
    else:
        parts.append(paragraph(content.coverage_statement(lang)))
    parts.append(paragraph(text("report.how_to_read", lang)))
    return "\n".join(parts)

def indicator_table(frame: pd.DataFrame, lang: str, names: Mapping[str, str], *,
                    by: Iterable[str] = (), columns: Iterable[str] | None = None,
                    green: Mapping[str, str] | None = None) -> str:
    """Indicator results with traffic lights (see :func:`tables.indicator_table`)."""
    kw = {} if columns is None else {"columns": tuple(columns)}
    return html_table(tables.indicator_table(frame, lang, names=names, by=tuple(by), green=green,
                                        **kw))

def scoreboard_table(frame: pd.DataFrame, lang: str, names: Mapping[str, str], *,
                     green: Mapping[str, str] | None = None) -> str:
    """The Scoreboard indicators with traffic light, threshold source and EU reference."""
    return indicator_table(frame, lang, names, columns=SCOREBOARD_COLUMNS, green=green)

def risk_table(frame: pd.DataFrame, lang: str, names: Mapping[str, str], *,
               green: Mapping[str, str] | None = None) -> str:
    """The integrity and risk indicators with their warnings and stated limits."""
    return indicator_table(frame, lang, names, columns=RISK_COLUMNS, green=green)

def capability_table(frame: pd.DataFrame, lang: str, names: Mapping[str, str]) -> str:
    """Capability indices by year with their interval, responses and Cronbach's alpha."""
    return indicator_table(frame, lang, names, columns=CAPABILITY_COLUMNS)

def breakdown_table(frame: pd.DataFrame, lang: str, names: Mapping[str, str], *,
                    category: str) -> str:
    """One row per category, one column per indicator: value and N (denominator)."""
    ids = [i for i in names if i in set(frame["indicator_id"])]
    cats = sorted(frame[category].astype(str).unique())
    rows = []
    for cat in cats:
        rec = {text(f"column.{category}", lang): cat}
        for ind in ids:
            d = frame[(frame[category].astype(str) == cat) & (frame["indicator_id"] == ind)]
            if d.empty:
                rec[f"{names[ind]} ({ind})"] = numbers.MISSING
                continue
            r = d.iloc[0]
            rec[f"{names[ind]} ({ind})"] = (f"{tables.format_value(r['value'], r['unit'], lang)} "
                                            f"(N = {numbers.number(r['denominator'], lang)})")
        rows.append(rec)
    return html_table(pd.DataFrame(rows))

def trend_table(frame: pd.DataFrame, lang: str, names: Mapping[str, str], *,
                min_coverage: float = 0.5) -> str:
    """Indicator (rows) by year (columns), values formatted by unit.

    Values whose coverage is below ``min_coverage`` get an asterisk, explained
    under the table.
    """
    rows = []
    flagged = False
    for ind in [i for i in names if i in set(frame["indicator_id"])]:
        d = frame[frame["indicator_id"] == ind]
        rec = {text("column.indicator", lang): f"{names[ind]} ({ind})"}
        for r in d.sort_values("year").itertuples():
            low = pd.notna(r.coverage) and r.coverage < min_coverage
            flagged = flagged or low
            rec[str(int(r.year))] = tables.format_value(r.value, r.unit, lang) + (" *" if low
                                                                               else "")
        rows.append(rec)
    out = html_table(pd.DataFrame(rows))
    if flagged:
        out += paragraph(text("text.low_coverage_table", lang,
                              share=numbers.percent(min_coverage, lang, 0)))
    return out

def volume_table(volume: pd.DataFrame, lang: str) -> str:
    """Notices, lots and awarded euros (millions) by year."""
    df = pd.DataFrame({
        text("column.year", lang): volume["year"].astype(int).astype(str),
        text("column.notices", lang): [numbers.number(v, lang) for v in volume["notices"]],
        text("column.lots", lang): [numbers.number(v, lang) for v in volume["lots"]],
        f'{text("column.value", lang)} ({text("unit.eur_million", lang)})':
            [numbers.eur_million(v, lang) for v in volume["value_eur"]],
    })
    return html_table(df)
