"""HTML of the impact report, one section per function, in any catalogue language."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from keino_metrics import published
from keino_metrics.impact.target import MIN_POINTS_FOR_PROBABILITY
from keino_metrics.labels import LANGUAGES, has_text, text, translate
from keino_metrics.report import blocks, numbers, tables
from keino_metrics.report.catalogue import indicator_names
from keino_metrics.report.impact.content import POOLED, ImpactContent
from keino_metrics.report.impact.params import MIN_COVERAGE, N_SIMS, TARGET_YEAR

__all__ = ["title_html", "effect_html", "programmes_html", "robustness_html", "target_html",
           "hidden_html", "carbon_html", "appendix_html", "pp", "caption", "variant_label",
           "division_label", "programme_label", "warning_text", "warnings_html",
           "forecast_basis", "probability_note", "hidden_reliability", "figure_alt"]

#: CSS of the boxes that disclose the models' warnings beside their numbers.
STYLE = """<style>
.keino-warning {border-left: 4px solid #e69f00; background: #fff8e6; padding: 0.2em 0.8em;
  margin: 0.5em 0;}
.keino-warning ul {margin: 0.2em 0 0.4em 0;}
</style>"""

#: Catalogue section of the English templates of the models' warnings.
WARNING_SECTION = "impact_report.model_warning"


def pp(value: float, lang: str, decimals: int = 2) -> str:
    """``value`` (a share difference) in percentage points."""
    if value is None or not np.isfinite(value):
        return numbers.MISSING
    return f"{numbers.number(100 * value, lang, decimals)} {text('impact.pp', lang)}"


def _pp_ci(low: float, high: float, lang: str) -> str:
    return f"{pp(low, lang)} – {pp(high, lang)}"


def _pct(value: float, lang: str, decimals: int = 1) -> str:
    return numbers.percent(value, lang, decimals)


def _yes_no(value: object, lang: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return numbers.MISSING
    return text("impact.yes" if bool(value) else "impact.no", lang)


def _outcome_name(outcome: str, lang: str) -> str:
    return indicator_names(lang, (outcome,))[outcome]


def _p(body: str, cls: str | None = None) -> str:
    # a value in percentage points may end a sentence, and the abbreviation of the unit
    # ends with a full stop in Finnish and Swedish ("... 2,4 %-yks.", "... 2,4 p.e.")
    for unit in {text("impact.pp", lang) for lang in LANGUAGES}:
        if unit.endswith("."):
            body = body.replace(unit + ".", unit)
    return blocks.paragraph(body, cls)


def caption(lang: str, content: ImpactContent, n: int, unit: str) -> str:
    """Figure caption: source and N."""
    return text("impact.fig.caption", lang, source=content.source(lang), n=numbers.number(n, lang),
                unit=text(f"impact.unit.{unit}", lang))


def _target_share(lang: str) -> str:
    """The Government's target share as the texts name it (``10 %``), from the publication."""
    return blocks.percent(published.FI_INNOVATION_TARGET.value, lang)


def _section(key: str, content: ImpactContent, lang: str) -> list[str]:
    parts = [blocks.heading(text(f"impact.sec.{key}", lang, target=_target_share(lang)))]
    if content.demo:
        parts.append(blocks.banner(lang))
    return parts


def division_label(division: object, lang: str) -> str:
    """Label of a CPV division (two digits) in ``lang``; the code itself when unknown."""
    key = f"cpv_division.{division}"
    return text(key, lang) if has_text(key, lang) else ""


def variant_label(row: Mapping[str, object], lang: str) -> str:
    """Name of a robustness variant in ``lang``."""
    ctl = row.get("control")
    ctl_text = text(f"impact.control.{ctl}", lang) if isinstance(ctl, str) else ""
    return text(f"impact.variant.{row['variant']}", lang, control=ctl_text)


def _notes_html(content: ImpactContent, prefix: str, lang: str, **values: object) -> list[str]:
    out = []
    for name, reason in content.notes.items():
        if name == prefix or name.startswith(prefix + ":"):
            why = (text("impact." + reason, lang, **values) if has_text("impact." + reason)
                   else reason)
            label = name.split(":", 1)[1] + ": " if ":" in name else ""
            out.append(_p(text("impact.skipped", lang, reason=label + why)))
    return out


def programme_label(programme: str, lang: str) -> str:
    """A programme's name as shown (the pooled row in words)."""
    return text("impact_report.programme.pooled", lang) if programme == POOLED else programme


_CATEGORY = re.compile(r"^[A-Z]\w*Warning: ")


def warning_text(message: str, lang: str) -> tuple[str, bool]:
    """A model's warning in ``lang`` and whether the catalogue knew it.

    The warning's class name (``UserWarning: ``) is dropped and its white space
    made single. A warning the catalogue has a template for (section
    :data:`WARNING_SECTION`) is then written in ``lang``; any other keeps the
    model's own words, and the caller shows it as code beside a translated lead.
    """
    message = " ".join(_CATEGORY.sub("", message).split())
    if lang == "en":
        known = translate(message, WARNING_SECTION, "fi") != message
        return message, known
    out = translate(message, WARNING_SECTION, lang)
    return out, out != message


def _warning_items(messages: list[str], lang: str) -> list[str]:
    items = []
    for m in dict.fromkeys(messages):
        said, known = warning_text(m, lang)
        items.append(html.escape(said) if known else
                     f"{html.escape(text('impact_report.warning.untranslated', lang))} "
                     f"<code>{html.escape(m)}</code>")
    return items


def warnings_html(content: ImpactContent, parts: tuple[str, ...], lang: str) -> str:
    """The warnings the models raised in ``parts`` (model runs), in ``lang``, as a list.

    Empty when there were none; shown right below the numbers they concern.
    """
    messages = [n.text for n in content.warnings if n.part in parts]
    if not messages:
        return ""
    items = "".join(f"<li>{i}</li>" for i in _warning_items(messages, lang))
    head = html.escape(text("impact_report.warning.lead", lang, n=numbers.number(
        len(dict.fromkeys(messages)), lang)))
    return f'<div class="keino-warning"><p>{head}</p><ul>{items}</ul></div>'


# -- HTML sections ---------------------------------------------------------------
def title_html(content: ImpactContent, lang: str) -> str:
    """Title, subtitle, data line, reading guide and the demo banner."""
    parts = [blocks.STYLE, STYLE, blocks.heading(text("impact.title", lang, year=content.year), 1),
             _p(text("impact.subtitle", lang, first_year=content.first_year, year=content.year,
                     target=_target_share(lang)),
                "keino-lead"),
             _p(text("impact.data_line", lang, source=content.source(lang), outcome=content.outcome,
                     outcome_name=_outcome_name(content.outcome, lang),
                     programme=content.programme_label(lang),
                     control=text(f"impact.control.{content.control}", lang), year=content.year,
                     seed=content.seed))]
    if content.demo:
        parts.append(blocks.banner(lang))
    parts.append(_p(text("impact.how_to_read", lang)))
    return "\n".join(parts)


def effect_html(content: ImpactContent, lang: str) -> str:
    """Section 1: method, main estimate, truth, aggregations and the pre-test."""
    m = content.main()
    parts = _section("effect", content, lang)
    parts.append(_p(text("impact.effect.assumes", lang)))
    parts.append(_p(text("impact.effect.lead", lang, estimate=pp(m["estimate"], lang),
                         ci=_pp_ci(m["ci_low"], m["ci_high"], lang),
                         n_treated=numbers.number(content.n_treated, lang),
                         n_control=numbers.number(content.n_units - content.n_treated, lang),
                         n_units=numbers.number(content.n_units, lang)), "keino-lead"))
    parts.append(warnings_html(content, ("panel", "did:main"), lang))
    if content.has_truth:
        parts.append(_p(text("impact.effect.truth", lang, truth=pp(m["truth"], lang),
                             covers=text("impact.covers" if m["covered"] else "impact.misses", lang))))
    elif content.demo:
        parts.append(_p(text("impact.effect.no_truth", lang)))
    rows = []
    for r in content.aggregates.to_dict("records"):
        rec = {text("impact.col.aggregation", lang): text(f"impact.agg.{r['aggregation']}", lang),
               text("impact.col.estimate", lang): pp(r["estimate"], lang),
               text("impact.col.ci", lang): _pp_ci(r["ci_low"], r["ci_high"], lang)}
        if content.has_truth:
            rec[text("impact.col.truth", lang)] = pp(r["truth"], lang)
            rec[text("impact.col.covered", lang)] = _yes_no(r["covered"], lang)
        rows.append(rec)
    parts.append(tables.html_table(pd.DataFrame(rows)))
    pt = content.pretest
    parts.append(_p(text("impact.pretest.lead", lang, w=numbers.number(pt["statistic"], lang, 2),
                         df=pt["df"], p=numbers.number(pt["p_value"], lang, 3))
                    if pt else text("impact.pretest.none", lang)))
    parts.append(_p(text("impact.effect.read", lang)))
    return "\n".join(parts)


def _cell(value: str) -> str:
    return f"<td>{html.escape(value)}</td>"


def programmes_html(content: ImpactContent, lang: str) -> str:
    """The effect of each programme on its own, then pooled: a table with an anchor per row.

    Each row carries the id of :func:`~keino_metrics.report.impact.content.programme_anchor`
    (``programme-<code>``, ``pooled``), so that other pages can link to it.
    """
    parts = [f'<h3 id="programmes">{html.escape(text("impact_report.programme.heading", lang))}'
             '</h3>', _p(text("impact_report.programme.assumes", lang))]
    t = content.programmes
    heads = [text("impact_report.programme.col.programme", lang),
             text("impact.col.estimate", lang), text("impact.col.ci", lang),
             text("impact_report.programme.col.treated", lang),
             text("impact_report.programme.col.control", lang),
             text("impact.col.pretest", lang)]
    if content.has_truth:
        heads += [text("impact.col.truth", lang), text("impact.col.covered", lang)]
    body, notes = [], []
    for r in t.to_dict("records"):
        name = programme_label(str(r["programme"]), lang)
        cells = [_cell(name), _cell(pp(r["estimate"], lang)),
                 _cell(_pp_ci(r["ci_low"], r["ci_high"], lang)),
                 _cell(numbers.number(r["n_treated"], lang)),
                 _cell(numbers.number(r["n_control"], lang)),
                 _cell(numbers.number(r["pre_test_p"], lang, 3))]
        if content.has_truth:
            cells += [_cell(pp(r["truth"], lang)), _cell(_yes_no(r["covered"], lang))]
        body.append(f'<tr id="{html.escape(str(r["anchor"]))}">{"".join(cells)}</tr>')
        if isinstance(r["notes"], str) and r["notes"]:
            notes.append(f"<li>{html.escape(name)}: {_warning_items([r['notes']], lang)[0]}</li>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    parts.append(f'<table class="keino-table"><thead><tr>{head}</tr></thead>'
                 f'<tbody>{"".join(body)}</tbody></table>')
    if notes:
        lead = html.escape(text("impact_report.programme.notes_lead", lang))
        parts.append(f'<div class="keino-warning"><p>{lead}</p><ul>{"".join(notes)}</ul></div>')
    pooled = t[t["programme"] == POOLED]
    if len(pooled):
        r = pooled.iloc[0]
        parts.append(_p(text("impact_report.programme.pooled_lead", lang,
                             estimate=pp(r["estimate"], lang),
                             ci=_pp_ci(r["ci_low"], r["ci_high"], lang),
                             n_treated=numbers.number(r["n_treated"], lang))))
    parts.append(_p(text("impact_report.programme.read", lang)))
    return "\n".join(p for p in parts if p)


def robustness_html(content: ImpactContent, lang: str) -> str:
    """Section 2: the variants, their table and the TWFE bias."""
    parts = _section("robustness", content, lang)
    parts.append(_p(text("impact.robust.assumes", lang)))
    rows = []
    for r in content.robustness.to_dict("records"):
        rec = {text("impact.col.variant", lang): variant_label(r, lang),
               text("impact.col.estimate", lang): pp(r["estimate"], lang),
               text("impact.col.ci", lang): _pp_ci(r["ci_low"], r["ci_high"], lang),
               text("impact.col.pretest", lang): numbers.number(r["pretest_p"], lang, 3),
               text("impact.col.units", lang): numbers.number(r["n_units"], lang)}
        if content.has_truth:
            rec[text("impact.col.truth", lang)] = pp(r["truth"], lang)
            rec[text("impact.col.covered", lang)] = _yes_no(r["covered"], lang)
        rows.append(rec)
    parts.append(tables.html_table(pd.DataFrame(rows)))
    parts.append(warnings_html(content, ("did:other_control", "did:reg", "did:ipw",
                                         "did:covariate", "twfe", "sun_abraham"), lang))
    parts.extend(_notes_html(content, "other_control", lang))
    for name in ("reg", "ipw", "covariate", "twfe", "sun_abraham"):
        parts.extend(_notes_html(content, name, lang))
    rob = content.robustness.set_index("variant")
    if "twfe" in rob.index:
        tw = float(rob.loc["twfe", "estimate"])
        diff = pp(tw - float(content.main()["estimate"]), lang)
        truth_part = (text("impact.robust.twfe_truth", lang,
                           diff=pp(tw - float(content.main()["truth"]), lang))
                      if content.has_truth else "")
        parts.append(_p(text("impact.robust.twfe_bias", lang, diff=diff, truth_part=truth_part)))
    parts.append(_p(text("impact.robust.read", lang)))
    return "\n".join(parts)


def _probability(value: object, lang: str) -> str:
    return _pct(value, lang, 0) if isinstance(value, float) and np.isfinite(value) \
        else numbers.MISSING


def forecast_basis(row: Mapping[str, object], lang: str) -> str:
    """The basis of one definition's forecast in words: points, years and model."""
    return text(f"impact_report.target.basis.{row['method']}", lang,
                n=numbers.number(row["n_points"], lang), first_year=row["first_year"],
                last_year=row["last_year"], df=numbers.number(int(row["n_points"]) - 2, lang))


def probability_note(row: Mapping[str, object], lang: str) -> str:
    """Why a forecast gives no probability of reaching the target ("–" when it gives one)."""
    if not isinstance(row.get("probability_reason"), str):
        return numbers.MISSING
    return text("impact_report.target.no_probability", lang,
                n=numbers.number(row["n_points"], lang),
                min_points=numbers.number(MIN_POINTS_FOR_PROBABILITY, lang))


def target_html(content: ImpactContent, lang: str) -> str:
    """Section 3: trajectory of each candidate definition of the 10 % target, with its basis."""
    parts = _section("target", content, lang)
    parts.append(_p(text("impact.target.assumes", lang, target_year=TARGET_YEAR,
                         min_cov=_pct(MIN_COVERAGE, lang, 0))))
    if len(content.target):
        names = indicator_names(lang, tuple(content.target["indicator_id"]))
        rows = []
        for r in content.target.to_dict("records"):
            reached = r["year_reached"]
            rows.append({
                text("impact.col.definition", lang): f"{names[r['indicator_id']]} ({r['indicator_id']})",
                text("impact_report.target.col.basis", lang): forecast_basis(r, lang),
                text("impact.col.last", lang): f"{_pct(r['last_value'], lang)} ({r['last_year']})",
                text("impact.col.forecast", lang, target_year=TARGET_YEAR): _pct(r["forecast"], lang),
                text("impact.col.pi", lang): f"{_pct(r['pi_low'], lang)} – {_pct(r['pi_high'], lang)}",
                text("impact.col.prob_at", lang, target_year=TARGET_YEAR):
                    _probability(r["prob_at_year"], lang),
                text("impact.col.prob_by", lang, target_year=TARGET_YEAR):
                    _probability(r["prob_by_year"], lang),
                text("impact_report.target.col.no_probability", lang): probability_note(r, lang),
                text("impact.col.year_reached", lang): text("impact.not_reached", lang)
                if reached is pd.NA or reached is None else str(int(reached)),
            })
        parts.append(tables.html_table(pd.DataFrame(rows)))
    parts.extend(_notes_html(content, "target", lang))
    parts.append(_p(text("impact.target.read", lang, target_year=TARGET_YEAR)))
    parts.append(_p(text("impact_report.target.probability_rule", lang,
                         min_points=numbers.number(MIN_POINTS_FOR_PROBABILITY, lang))))
    return "\n".join(parts)


def hidden_reliability(h: Mapping[str, object], lang: str) -> str:
    """Whether the classifier is reliable by the model's own rule, in words.

    The rule and its threshold are the model's (``min_auc`` and ``reliable`` of
    :class:`keino_metrics.impact.HiddenVolumeResult`); an unreliable classifier
    is said to be so, and nothing is claimed about its separating the lots.
    """
    from keino_metrics.impact.hidden import MIN_YOUDEN

    values = {"auc": numbers.number(h["auc"], lang, 3),
              "min_auc": numbers.number(h["min_auc"], lang, 2)}
    if not bool(h["reliable"]):
        if h["method"] == "audit":
            youden = float(h["sensitivity"]) + float(h["specificity"]) - 1
            return text("impact_report.hidden.unreliable_audit", lang, **values,
                        youden=numbers.number(youden, lang, 3),
                        min_youden=numbers.number(MIN_YOUDEN, lang, 2))
        return text("impact_report.hidden.unreliable", lang, **values)
    return text("impact_report.hidden.reliable", lang, **values)


def hidden_html(content: ImpactContent, lang: str) -> str:
    """Section 4: classifier-based estimate against the flagged share (and the truth)."""
    parts = _section("hidden", content, lang)
    if not len(content.hidden):
        parts.extend(_notes_html(content, "hidden", lang, year=content.year))
        return "\n".join(parts)
    h = content.hidden.iloc[0]
    audit = h["method"] == "audit"
    reliable = bool(h["reliable"])
    parts.append(_p(text("impact.hidden.assumes_audit" if audit else "impact.hidden.assumes",
                         lang, n=numbers.number(h["n_sample"], lang), year=content.year)))
    estimate = (f"{_pct(h['estimate'], lang)} ({_pct(h['ci_low'], lang)} – "
                f"{_pct(h['ci_high'], lang)})")
    if not reliable:
        estimate += " " + text("impact_report.hidden.estimate_unreliable", lang)
    rows = [(text("impact.row.flagged", lang), _pct(h["flagged_share"], lang)),
            (text("impact.row.estimate", lang), estimate)]
    if audit:
        rows += [(text("impact.row.sensitivity", lang), numbers.number(h["sensitivity"], lang, 3)),
                 (text("impact.row.specificity", lang), numbers.number(h["specificity"], lang, 3))]
    else:
        rows.append((text("impact.row.label_frequency", lang), _pct(h["label_frequency"], lang)))
    rows += [(text("impact.row.auc", lang), numbers.number(h["auc"], lang, 3)),
             (text("impact_report.hidden.row.reliable", lang), _yes_no(reliable, lang)),
             (text("impact.row.lots", lang), f"{numbers.number(h['n_sample'], lang)} / "
                                             f"{numbers.number(h['n_population'], lang)}")]
    truth = float(h["true_share"])
    if np.isfinite(truth):
        rows.insert(2, (text("impact.row.truth", lang), _pct(truth, lang)))
    parts.append(tables.html_table(pd.DataFrame(rows, columns=[text("impact.col.quantity", lang),
                                                               text("impact.col.value", lang)])))
    parts.append(_p(hidden_reliability(h, lang), "keino-lead"))
    parts.append(warnings_html(content, ("hidden",), lang))
    if np.isfinite(truth):
        covered = h["ci_low"] <= truth <= h["ci_high"]
        parts.append(_p(text("impact.hidden.truth", lang, truth=_pct(truth, lang),
                             covers=text("impact.covers" if covered else "impact.misses", lang))))
    parts.append(_p(text("impact.hidden.read", lang,
                         min_auc=numbers.number(h["min_auc"], lang, 2))))
    return "\n".join(p for p in parts if p)


def _published_values(lang: str) -> dict[str, object]:
    """The published national footprint and spend, as the carbon texts name them."""
    co2, spend = published.FI_PROCUREMENT_CO2_2015, published.FI_PROCUREMENT_SPEND_2015
    return {"published_mt": numbers.number(co2.value / 1e6, lang, 1),
            "published_bn": numbers.number(spend.value / 1e9, lang, 1),
            "published_year": co2.year}


def carbon_html(content: ImpactContent, lang: str) -> str:
    """Section 5: spend-based emissions, the published comparison and avoided emissions."""
    parts = _section("carbon", content, lang)
    pub = _published_values(lang)
    parts.append(_p(text("impact.carbon.assumes", lang, year=content.year,
                         n_sims=numbers.number(N_SIMS, lang), **pub)))
    c = content.carbon
    if c is None:
        parts.extend(_notes_html(content, "carbon", lang, year=content.year))
        return "\n".join(parts)
    co2, spend = published.FI_PROCUREMENT_CO2_2015, published.FI_PROCUREMENT_SPEND_2015
    kt = lambda v: numbers.number(v / 1000, lang, 1)  # noqa: E731
    parts.append(_p(text("impact.carbon.lead", lang, year=content.year,
                         spend=numbers.eur_million(c.spend_eur, lang),
                         total=kt(c.total_t), low=kt(c.total_low_t), high=kt(c.total_high_t),
                         intensity=numbers.number(c.intensity_kg_per_eur, lang, 3),
                         published=numbers.number(1000 * co2.value / spend.value, lang, 3)),
                    "keino-lead"))
    cmp = c.compare_published().set_index("quantity")
    nat = cmp.loc["national_total_t"]
    inten = cmp.loc["intensity_kg_per_eur"]
    mt = lambda v: numbers.number(v / 1e6, lang, 2)  # noqa: E731
    rows = [
        (text("impact.cmp.spend", lang), numbers.number(c.spend_eur / 1e9, lang, 2), numbers.MISSING,
         pub["published_bn"]),
        (text("impact.cmp.data_total", lang), mt(c.total_t), f"{mt(c.total_low_t)} – "
         f"{mt(c.total_high_t)}", pub["published_mt"]),
        (text("impact.cmp.intensity", lang), numbers.number(inten["this_result"], lang, 3),
         f"{numbers.number(inten['low'], lang, 3)} – {numbers.number(inten['high'], lang, 3)}",
         numbers.number(inten["published"], lang, 3)),
        (text("impact.cmp.national", lang, **pub), mt(nat["this_result"]),
         f"{mt(nat['low'])} – {mt(nat['high'])}", mt(nat["published"])),
    ]
    parts.append(tables.html_table(pd.DataFrame(rows, columns=[
        text("impact.cmp.quantity", lang), text("impact.cmp.this", lang), text("impact.cmp.interval", lang),
        text("impact.cmp.published", lang, **pub)])))
    div = c.to_frame().sort_values("estimate", ascending=False).head(12)
    parts.append(tables.html_table(pd.DataFrame({
        text("impact.col.division", lang): [f"{d} {division_label(d, lang)}" for d in div.index],
        text("impact.col.spend", lang): [numbers.eur_million(v, lang) for v in div["spend_eur"]],
        text("impact.col.factor", lang): [numbers.number(v, lang, 3) for v in div["factor_kg_per_eur"]],
        text("impact.col.emissions", lang): [f"{kt(v)} ({kt(lo)} – {kt(hi)})" for v, lo, hi in
                                      zip(div["estimate"], div["ci_low"], div["ci_high"],
                                          strict=True)],
        text("impact.col.share", lang): [_pct(v, lang) for v in div["share"]],
    })))
    a = content.avoided
    if a is not None:
        asm = a.assumptions
        rng_txt = lambda s: f"{_pct(s[0], lang, 0)}–{_pct(s[2], lang, 0)}"  # noqa: E731
        parts.append(_p(text("impact.avoided.assumes", lang, reduction=rng_txt(asm["reduction"]),
                             reduction_mode=_pct(asm["reduction"][1], lang, 0),
                             additionality=rng_txt(asm["additionality"]),
                             additionality_mode=_pct(asm["additionality"][1], lang, 0))))
        parts.append(_p(text("impact.avoided.lead", lang,
                             spend=numbers.eur_million(float(a.to_frame()["spend_eur"].sum()),
                                                       lang),
                             baseline=kt(a.baseline_t), avoided=kt(a.avoided_t),
                             low=kt(a.low_t), high=kt(a.high_t)), "keino-lead"))
    parts.extend(_notes_html(content, "avoided", lang, year=content.year))
    parts.append(_p(text("impact.carbon.read", lang, **pub)))
    return "\n".join(parts)


def figure_alt(content: ImpactContent, name: str, lang: str) -> str:
    """The alternative text of the figure ``name`` (file stem) in ``lang``: what it shows."""
    key = f"impact_report.alt.{name}"
    if name == "impact_event_study":
        ev = content.event_study["event_time"]
        return text(key, lang, outcome=content.outcome, first=int(ev.min()), last=int(ev.max()),
                    estimate=pp(content.main()["estimate"], lang))
    if name == "impact_by_programme":
        items = "; ".join(f"{programme_label(str(r['programme']), lang)} {pp(r['estimate'], lang)} "
                          f"({_pp_ci(r['ci_low'], r['ci_high'], lang)})"
                          for r in content.programmes.to_dict("records"))
        return text(key, lang, items=items)
    if name == "impact_robustness":
        est = content.robustness["estimate"]
        return text(key, lang, n=len(est), low=pp(est.min(), lang), high=pp(est.max(), lang))
    if name == "impact_target":
        return text(key, lang, n=len(content.target), target_year=TARGET_YEAR)
    if name == "impact_hidden_volume":
        h = content.hidden.iloc[0]
        return text(key, lang, flagged=_pct(h["flagged_share"], lang),
                    estimate=_pct(h["estimate"], lang), year=content.year)
    if name == "impact_carbon":
        div = content.carbon.to_frame().sort_values("estimate", ascending=False).head(12)
        top = div.index[0]
        return text(key, lang, n=len(div), year=content.year,
                    top=f"{top} {division_label(top, lang)}".strip(),
                    kt=numbers.number(float(div["estimate"].iloc[0]) / 1000, lang, 1))
    raise KeyError(f"no impact report figure named {name!r}")


def appendix_html(content: ImpactContent, lang: str) -> str:
    """The reproducibility appendix (parameters, inputs, environment, model warnings)."""
    return "\n".join([blocks.heading(text("impact.sec.appendix", lang)),
                      _p(text("impact.appendix.intro", lang)),
                      _p(text("impact.appendix.warnings", lang,
                              n=numbers.number(len(content.warnings), lang))),
                      warnings_html(content, tuple(dict.fromkeys(
                          n.part for n in content.warnings)), lang),
                      blocks.metadata_block(content.meta, lang)])

