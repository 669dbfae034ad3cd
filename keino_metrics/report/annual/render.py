"""HTML of the annual report: its title block, the headline, and its indicator tables.

The shared building blocks (headings, banners, count tables, the metadata
appendix) are in :mod:`keino_metrics.report.blocks`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

import pandas as pd

from keino_metrics import __version__
from keino_metrics.labels import text, translate
from keino_metrics.report import numbers, tables
from keino_metrics.report.annual.content import ReportContent
from keino_metrics.report.annual.headline import Headline
from keino_metrics.report.blocks import (
    STYLE,
    anchor_id,
    banner,
    heading,
    html_table,
    paragraph,
)

__all__ = ["title_block", "indicator_table", "breakdown_table", "trend_table", "volume_table",
           "SCOREBOARD_COLUMNS", "RISK_COLUMNS", "CAPABILITY_COLUMNS", "scoreboard_table",
           "risk_table", "capability_table", "headline_block", "outlook_section",
           "programmes_table", "outlook_text", "programme_label", "impact_link", "pp",
           "scoreboard_grid", "HEADLINE_ANCHOR", "OUTLOOK_ANCHOR"]

#: Columns of the Scoreboard page (``ReportContent.scoreboard()``).
SCOREBOARD_COLUMNS: tuple[str, ...] = (
    "indicator_id", "value", "numerator", "denominator", "coverage", "ci", "light", "warning")
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
            status = tables.row_status(r)
            shown = (tables.format_value(r["value"], r["unit"], lang) if status == "measured"
                     else tables.status_text(status, lang))
            rec[f"{names[ind]} ({ind})"] = (f"{shown} "
                                            f"(N = {numbers.number(r['denominator'], lang)})")
        rows.append(rec)
    return html_table(pd.DataFrame(rows))

def trend_table(frame: pd.DataFrame, lang: str, names: Mapping[str, str], *,
                min_coverage: float = 0.5) -> str:
    """Indicator (rows) by year (columns), values formatted by unit.

    Values whose coverage is below ``min_coverage`` get an asterisk, explained
    under the table; a year not measured shows a dash, a data limit its words.
    """
    rows = []
    flagged = False
    for ind in [i for i in names if i in set(frame["indicator_id"])]:
        d = frame[frame["indicator_id"] == ind]
        rec = {text("column.indicator", lang): f"{names[ind]} ({ind})"}
        for _, r in d.sort_values("year").iterrows():
            status = tables.row_status(r)
            if status != "measured":  # not a finding: the words, not a number
                rec[str(int(r["year"]))] = (numbers.MISSING if status == "not_measurable"
                                            else tables.status_text(status, lang))
                continue
            low = pd.notna(r["coverage"]) and r["coverage"] < min_coverage
            flagged = flagged or low
            rec[str(int(r["year"]))] = (tables.format_value(r["value"], r["unit"], lang)
                                        + (" *" if low else ""))
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


# -- the headline: answers first ---------------------------------------------------
#: Anchor of the headline block and of the section it points to for the outlook and
#: the programme effects.
HEADLINE_ANCHOR = "headline"
OUTLOOK_ANCHOR = "outlook"
#: Anchor of the section holding the candidate definitions (the summary).
SUMMARY_ANCHOR = anchor_id("summary")
#: Anchor of the impact report's trajectory section (its heading key ``impact.sec.target``).
IMPACT_TARGET_ANCHOR = anchor_id("impact.sec.target")


def impact_link(anchor: str, lang: str) -> str:
    """Link to a section of the impact report of the same run and language."""
    href = f"{impact_report_name()}_{lang}.html#{anchor}"
    return (f'<a href="{html.escape(href)}">'
            f'{html.escape(text("annual.headline.impact_link", lang))}</a>')


def impact_report_name() -> str:
    """File stem of the impact report (its outputs sit beside the annual report's)."""
    from keino_metrics.report.impact import REPORT

    return REPORT.name


def _section_link(anchor: str, key: str, lang: str) -> str:
    return f'<a href="#{html.escape(anchor)}">{html.escape(text(key, lang))}</a>'


def pp(value: float | None, lang: str, decimals: int = 1) -> str:
    """A difference of shares in percentage points (``3,8 %-yks.``)."""
    if value is None or pd.isna(value):
        return numbers.MISSING
    return text("annual.headline.pp_value", lang,
                value=numbers.number(100 * float(value), lang, decimals))


def _pp_interval(low: float, high: float, lang: str) -> str:
    return text("annual.headline.interval", lang, low=pp(low, lang), high=pp(high, lang))


def _share_line(row: pd.Series, names: Mapping[str, str], lang: str) -> str:
    """One definition: value, interval and coverage, or why it was not measured."""
    name = html.escape(f"{names.get(row['indicator_id'], row['indicator_id'])} "
                       f"({row['indicator_id']})")
    status = tables.row_status(row)
    if status != "measured":
        why = row.get("warning")
        reason = (translate(str(why), "note", lang) if isinstance(why, str) and why
                  else tables.status_text(status, lang))
        return f"{name}: <strong>{html.escape(tables.status_text(status, lang))}</strong> " \
               f"({html.escape(reason)})"
    coverage = numbers.percent(row["coverage"], lang, 0)
    detail = (text("annual.headline.share_detail_no_ci", lang, coverage=coverage)
              if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]) else
              text("annual.headline.share_detail", lang,
                   ci=numbers.interval(row["ci_low"], row["ci_high"], lang), coverage=coverage))
    return (f"{name}: <strong>{html.escape(numbers.percent(row['value'], lang))}</strong> "
            + html.escape(detail))


def outlook_text(h: Headline, indicator_id: str, lang: str) -> str:
    """The outlook of one definition in words: forecast, interval, basis, probability."""
    row = h.outlook_of(indicator_id)
    if row is None:
        reason = h.no_outlook.get(indicator_id, "unmeasured")
        return text(f"annual.headline.no_outlook_{reason}", lang, target_year=h.target_year,
                    year=h.year)
    basis = text("annual.headline.basis", lang, n=row["n_points"],
                 first_year=row["first_year"], last_year=row["last_year"],
                 model=text(f"annual.headline.model_{row['method']}", lang))
    if pd.notna(row["prob_at_year"]):
        prob = text("annual.headline.probability", lang, target_year=h.target_year,
                    probability=numbers.percent(row["prob_at_year"], lang, 0),
                    target=numbers.percent(h.target, lang, 0))
    else:
        from keino_metrics.impact.target import MIN_POINTS_FOR_PROBABILITY

        prob = text("annual.headline.no_probability", lang, n=row["n_points"],
                    minimum=MIN_POINTS_FOR_PROBABILITY)
    return text("annual.headline.forecast", lang, target_year=h.target_year,
                forecast=numbers.percent(row["forecast"], lang),
                ci=numbers.interval(row["pi_low"], row["pi_high"], lang),
                basis=basis, probability=prob)


def programme_label(programme: str, lang: str) -> str:
    """A programme's name, or the words for all programmes pooled."""
    from keino_metrics.impact.did import OWN_PROGRAMME, POOLED

    if programme == POOLED:
        return text("annual.headline.pooled", lang)
    if programme == OWN_PROGRAMME:
        return text("annual.headline.own_programme", lang, name=programme)
    return programme


def programmes_table(h: Headline, lang: str, *, detail: bool = False) -> str:
    """The programme effects, one row each, linking to the impact report's sections."""
    p = h.programmes
    cols = {
        "programme": text("annual.headline.col_programme", lang),
        "estimate": text("annual.headline.col_effect", lang),
        "ci": text("column.ci", lang),
        "n_treated": text("annual.headline.col_participants", lang),
    }
    rows = []
    for r in p.itertuples(index=False):
        rec = {cols["programme"]: html.escape(programme_label(r.programme, lang)),
               cols["estimate"]: html.escape(pp(r.estimate, lang)),
               cols["ci"]: html.escape(_pp_interval(r.ci_low, r.ci_high, lang)),
               cols["n_treated"]: html.escape(numbers.number(r.n_treated, lang))}
        if detail:
            rec[text("annual.headline.col_controls", lang)] = html.escape(
                numbers.number(r.n_control, lang))
        rec[text("annual.headline.col_more", lang)] = impact_link(r.anchor, lang)
        rows.append(rec)
    return html_table(pd.DataFrame(rows), escape_columns=())


def headline_block(content: ReportContent, lang: str, names: Mapping[str, str]) -> str:
    """The answers the report opens with (see :mod:`keino_metrics.report.annual.headline`).

    The innovative share under the principal definition and the others, the gap
    to the target, the outlook for the target year and the programme effects,
    each with its interval and links to its section and to the impact report.
    """
    h = content.headline
    if h is None:
        return ""
    target = numbers.percent(h.target, lang, 0)
    parts = [f'<section class="keino-headline" aria-labelledby="{HEADLINE_ANCHOR}">',
             heading(text("annual.headline.title", lang, year=h.year, target=target),
                     anchor=HEADLINE_ANCHOR), "<dl>"]

    def item(term: str, body: str) -> None:
        parts.append(f"<dt>{html.escape(term)}</dt><dd>{body}</dd>")

    principal = h.principal_row()
    more = _section_link(SUMMARY_ANCHOR, "annual.headline.see_summary", lang)
    if principal is not None:
        item(text("annual.headline.share", lang, year=h.year),
             _share_line(principal, names, lang) + f" {more}")
    gap = h.gap()
    if gap is None:
        item(text("annual.headline.gap", lang, target=target),
             html.escape(text("annual.headline.gap_unmeasured", lang)))
    else:
        key = "annual.headline.gap_below" if gap > 0 else "annual.headline.gap_reached"
        item(text("annual.headline.gap", lang, target=target),
             f'<span class="keino-big">{html.escape(pp(abs(gap), lang))}</span> '
             + html.escape(text(key, lang, target=target)))
    others = h.shares[h.shares["indicator_id"] != h.principal]
    if len(others):
        item(text("annual.headline.others", lang),
             "<ul>" + "".join(f"<li>{_share_line(r, names, lang)}</li>"
                              for _, r in others.iterrows()) + "</ul>")
    item(text("annual.headline.outlook", lang, target_year=h.target_year),
         html.escape(outlook_text(h, h.principal, lang)) + " "
         + _section_link(OUTLOOK_ANCHOR, "annual.headline.see_outlook", lang) + " · "
         + impact_link(IMPACT_TARGET_ANCHOR, lang))
    outcome = names.get(h.outcome, h.outcome)
    if len(h.programmes):
        item(text("annual.headline.programmes", lang, outcome=outcome, year=h.year),
             programmes_table(h, lang) + _section_link(
                 OUTLOOK_ANCHOR, "annual.headline.see_programmes", lang))
    else:
        item(text("annual.headline.programmes", lang, outcome=outcome, year=h.year),
             html.escape(text(f"annual.headline.no_programmes_{h.programme_reason}", lang,
                              year=h.year)))
    parts += ["</dl>", "</section>"]
    return "\n".join(parts)


def outlook_section(content: ReportContent, lang: str, names: Mapping[str, str]) -> str:
    """Outlook of every definition and the programme effects in full (the headline's section)."""
    h = content.headline
    if h is None:
        return ""
    parts = [heading(text("annual.headline.section", lang, target_year=h.target_year),
                     anchor=OUTLOOK_ANCHOR)]
    if content.demo:
        parts.append(banner(lang))
    parts.append(paragraph(text("annual.headline.outlook_intro", lang,
                                target=numbers.percent(h.target, lang, 0),
                                target_year=h.target_year)))
    rows = [{text("column.indicator", lang): f"{names.get(i, i)} ({i})",
             text("annual.headline.col_outlook", lang, target_year=h.target_year):
                 outlook_text(h, i, lang)}
            for i in h.shares["indicator_id"]]
    parts.append(html_table(pd.DataFrame(rows)))
    parts.append(paragraph(text("annual.headline.programmes_intro", lang,
                                outcome=names.get(h.outcome, h.outcome), year=h.year)))
    if len(h.programmes):
        parts.append(programmes_table(h, lang, detail=True))
    else:
        parts.append(paragraph(text(f"annual.headline.no_programmes_{h.programme_reason}",
                                    lang, year=h.year)))
    return "\n".join(parts)


# -- the Scoreboard grid -------------------------------------------------------------
_BAND = re.compile(r"(green|red)\s*(<=|>=|<|>)\s*(-?[0-9.]+)")


def band_text(rule: object, unit: object, lang: str) -> str:
    """A light rule (``"green <= 0.10, red > 0.20"``) in words: ``tyydyttävä ≤ 10,0 %, ...``."""
    if not isinstance(rule, str):
        return ""
    parts = [f"{text(f'light.{c}', lang)} {tables.rule_text(f'{op} {v}', unit, lang)}"
             for c, op, v in _BAND.findall(rule)]
    return ", ".join(parts)


def _grid_cell(row: pd.Series, lang: str) -> str:
    status = tables.row_status(row)
    if status != "measured":
        return f'<span title="{html.escape(tables.status_text(status, lang))}">' \
               f"{numbers.MISSING}</span>"
    swatch = tables.light_swatch(tables.earned_light(row), lang)
    value = html.escape(tables.format_value(row["value"], row["unit"], lang))
    return f'<span class="keino-light-word">{swatch}{value}</span>'


def scoreboard_grid(content: ReportContent, lang: str, names: Mapping[str, str]) -> str:
    """The Scoreboard indicators by year in one compact grid, its bands explained once below.

    Each cell holds the year's value and, where it earned one, its light; a
    dash marks a year without a measurement. Below the grid: what the colours
    mean, each indicator's bands with their source, and why a report-year value
    is missing. The last column is the EU reference where the catalogue holds one.
    """
    ids = content.scoreboard_ids
    frame = content.select(ids)
    years = [y for y in content.years if y <= content.year]
    current = content.scoreboard(lang).set_index("indicator_id")
    col_ind = text("column.indicator", lang)
    col_ref = text("column.reference_values", lang)
    rows = []
    for i in ids:
        rec = {col_ind: html.escape(f"{names.get(i, i)} ({i})")}
        d = frame[frame["indicator_id"] == i].set_index("year")
        for y in years:
            rec[str(y)] = _grid_cell(d.loc[y], lang) if y in d.index else numbers.MISSING
        ref = current.loc[i, "reference_values"] if i in current.index else ""
        rec[col_ref] = html.escape(str(ref)) if ref else numbers.MISSING
        rows.append(rec)
    out = [html_table(pd.DataFrame(rows), escape_columns=())]
    bands, missing = [], []
    for i in ids:
        row = current.loc[i] if i in current.index else None
        d = frame[frame["indicator_id"] == i]
        rule = d["light_rule"].dropna().iloc[0] if "light_rule" in d and \
            d["light_rule"].notna().any() else None
        unit = d["unit"].dropna().iloc[0] if d["unit"].notna().any() else None
        if rule:
            source = row["threshold_source"] if row is not None else ""
            bands.append(text("annual.scoreboard.band", lang, id=i,
                              bands=band_text(rule, unit, lang), source=source))
        if row is not None and tables.row_status(row) != "measured":
            why = row.get("warning")
            missing.append(f"{i}: " + (translate(str(why), "note", lang)
                                       if isinstance(why, str) and why
                                       else tables.status_text("not_measurable", lang)))

    def listing(title_key: str, items: list[str]) -> None:
        if items:
            out.append(paragraph(text(title_key, lang, year=content.year), "keino-note"))
            out.append('<ul class="keino-note">' + "".join(
                f"<li>{html.escape(x)}</li>" for x in items) + "</ul>")

    out.append(paragraph(text("annual.scoreboard.colours", lang,
                              **{c: text(f"light.{c}", lang) for c in tables.LIGHTS}),
                         "keino-note"))
    listing("annual.scoreboard.bands_title", bands)
    listing("annual.scoreboard.missing_title", missing)
    return "\n".join(out)
