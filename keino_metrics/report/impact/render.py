"""HTML of the impact report, one section per function, in any catalogue language."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from keino_metrics.labels import LANGUAGES, has_text, text
from keino_metrics.report import blocks, numbers, tables
from keino_metrics.report.catalogue import indicator_names
from keino_metrics.report.impact.content import ImpactContent
from keino_metrics.report.impact.params import MIN_AUC, MIN_COVERAGE, N_SIMS, TARGET_YEAR

__all__ = ["title_html", "effect_html", "robustness_html", "target_html", "hidden_html",
           "carbon_html", "appendix_html", "pp", "caption", "variant_label",
           "division_label"]


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
    return text("impact.yes" if bool(value) else "no", lang)


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


def _section(key: str, content: ImpactContent, lang: str) -> list[str]:
    parts = [blocks.heading(text(f"impact.sec.{key}", lang))]
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


# -- HTML sections ---------------------------------------------------------------
def title_html(content: ImpactContent, lang: str) -> str:
    """Title, subtitle, data line, reading guide and the demo banner."""
    parts = [blocks.STYLE, blocks.heading(text("impact.title", lang, year=content.year), 1),
             _p(text("impact.subtitle", lang, first_year=content.first_year, year=content.year),
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
    if content.has_truth:
        parts.append(_p(text("impact.effect.truth", lang, truth=pp(m["truth"], lang),
                             covers=text("impact.covers" if m["covered"] else "misses", lang))))
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


def target_html(content: ImpactContent, lang: str) -> str:
    """Section 3: trajectory of each candidate definition of the 10 % target."""
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
                text("impact.col.years_used", lang): f"{r['first_year']}–{r['last_year']}",
                text("impact.col.last", lang): f"{_pct(r['last_value'], lang)} ({r['last_year']})",
                text("impact.col.forecast", lang, target_year=TARGET_YEAR): _pct(r["forecast"], lang),
                text("impact.col.pi", lang): f"{_pct(r['pi_low'], lang)} – {_pct(r['pi_high'], lang)}",
                text("impact.col.prob_at", lang, target_year=TARGET_YEAR): _pct(r["prob_at_year"],
                                                                         lang, 0),
                text("impact.col.prob_by", lang, target_year=TARGET_YEAR): _pct(r["prob_by_year"],
                                                                         lang, 0),
                text("impact.col.year_reached", lang): text("impact.not_reached", lang)
                if reached is pd.NA or reached is None else str(int(reached)),
            })
        parts.append(tables.html_table(pd.DataFrame(rows)))
    parts.extend(_notes_html(content, "target", lang))
    parts.append(_p(text("impact.target.read", lang, target_year=TARGET_YEAR)))
    return "\n".join(parts)


def hidden_html(content: ImpactContent, lang: str) -> str:
    """Section 4: classifier-based estimate against the flagged share (and the truth)."""
    parts = _section("hidden", content, lang)
    if not len(content.hidden):
        parts.extend(_notes_html(content, "hidden", lang, year=content.year))
        return "\n".join(parts)
    h = content.hidden.iloc[0]
    audit = h["method"] == "audit"
    parts.append(_p(text("impact.hidden.assumes_audit" if audit else "hidden.assumes", lang,
                         n=numbers.number(h["n_sample"], lang), year=content.year)))
    rows = [(text("impact.row.flagged", lang), _pct(h["flagged_share"], lang)),
            (text("impact.row.estimate", lang),
             f"{_pct(h['estimate'], lang)} ({_pct(h['ci_low'], lang)} – "
             f"{_pct(h['ci_high'], lang)})")]
    if audit:
        rows += [(text("impact.row.sensitivity", lang), numbers.number(h["sensitivity"], lang, 3)),
                 (text("impact.row.specificity", lang), numbers.number(h["specificity"], lang, 3))]
    else:
        rows.append((text("impact.row.label_frequency", lang), _pct(h["label_frequency"], lang)))
    rows += [(text("impact.row.auc", lang), numbers.number(h["auc"], lang, 3)),
            (text("impact.row.lots", lang), f"{numbers.number(h['n_sample'], lang)} / "
                                     f"{numbers.number(h['n_population'], lang)}")]
    truth = float(h["true_share"])
    if np.isfinite(truth):
        rows.insert(2, (text("impact.row.truth", lang), _pct(truth, lang)))
    parts.append(tables.html_table(pd.DataFrame(rows, columns=[text("impact.col.quantity", lang),
                                                               text("impact.col.value", lang)])))
    auc = numbers.number(h["auc"], lang, 3)
    parts.append(_p(text("impact.hidden.informative" if h["auc"] >= MIN_AUC
                         else "hidden.uninformative", lang, auc=auc), "keino-lead"))
    if np.isfinite(truth):
        covered = h["ci_low"] <= truth <= h["ci_high"]
        parts.append(_p(text("impact.hidden.truth", lang, truth=_pct(truth, lang),
                             covers=text("impact.covers" if covered else "misses", lang))))
    parts.append(_p(text("impact.hidden.read", lang, min_auc=numbers.number(MIN_AUC, lang, 2))))
    return "\n".join(parts)


def carbon_html(content: ImpactContent, lang: str) -> str:
    """Section 5: spend-based emissions, the published comparison and avoided emissions."""
    parts = _section("carbon", content, lang)
    parts.append(_p(text("impact.carbon.assumes", lang, year=content.year,
                         n_sims=numbers.number(N_SIMS, lang))))
    c = content.carbon
    if c is None:
        parts.extend(_notes_html(content, "carbon", lang, year=content.year))
        return "\n".join(parts)
    from keino_metrics.impact.carbon import PUBLISHED_FI_CO2

    published = 1000 * float(PUBLISHED_FI_CO2["emissions_t"]) / float(
        PUBLISHED_FI_CO2["spend_eur"])
    kt = lambda v: numbers.number(v / 1000, lang, 1)  # noqa: E731
    parts.append(_p(text("impact.carbon.lead", lang, year=content.year,
                         spend=numbers.eur_million(c.spend_eur, lang),
                         total=kt(c.total_t), low=kt(c.total_low_t), high=kt(c.total_high_t),
                         intensity=numbers.number(c.intensity_kg_per_eur, lang, 3),
                         published=numbers.number(published, lang, 3)), "keino-lead"))
    cmp = c.compare_published().set_index("quantity")
    nat = cmp.loc["national_total_t"]
    inten = cmp.loc["intensity_kg_per_eur"]
    mt = lambda v: numbers.number(v / 1e6, lang, 2)  # noqa: E731
    rows = [
        (text("impact.cmp.spend", lang), numbers.number(c.spend_eur / 1e9, lang, 2), numbers.MISSING,
         numbers.number(float(PUBLISHED_FI_CO2["spend_eur"]) / 1e9, lang, 1)),
        (text("impact.cmp.data_total", lang), mt(c.total_t), f"{mt(c.total_low_t)} – "
         f"{mt(c.total_high_t)}", numbers.number(float(PUBLISHED_FI_CO2["emissions_t"]) / 1e6,
                                                 lang, 1)),
        (text("impact.cmp.intensity", lang), numbers.number(inten["this_result"], lang, 3),
         f"{numbers.number(inten['low'], lang, 3)} – {numbers.number(inten['high'], lang, 3)}",
         numbers.number(inten["published"], lang, 3)),
        (text("impact.cmp.national", lang), mt(nat["this_result"]),
         f"{mt(nat['low'])} – {mt(nat['high'])}", mt(nat["published"])),
    ]
    parts.append(tables.html_table(pd.DataFrame(rows, columns=[
        text("impact.cmp.quantity", lang), text("impact.cmp.this", lang), text("impact.cmp.interval", lang),
        text("impact.cmp.published", lang)])))
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
    parts.append(_p(text("impact.carbon.read", lang)))
    return "\n".join(parts)


def appendix_html(content: ImpactContent, lang: str) -> str:
    """The reproducibility appendix (parameters, inputs, environment, model warnings)."""
    return "\n".join([blocks.heading(text("impact.sec.appendix", lang)),
                      _p(text("impact.appendix.intro", lang)),
                      _p(text("impact.appendix.warnings", lang,
                              n=numbers.number(len(content.warnings), lang))),
                      blocks.metadata_block(content.meta, lang)])

