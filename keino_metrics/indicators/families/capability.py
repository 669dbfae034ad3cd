"""Capability and strategic management (CAP-*) from a survey of procuring units.

Survey layout (``Dataset.extra["capability_survey"]`` or a CSV read by
:func:`keino_metrics.indicators.read_capability_survey`): one row per responding
unit and year (or one row per respondent) with ``unit`` (the buyer id; a
``buyer_id`` column is accepted instead), ``year`` and Likert items 1-5
``strategy_1..3``, ``leadership_1..3``, ``competence_1..3``, ``dialogue_1..3``,
``followup_1..3``. A construct index is the mean of a response's answered items
rescaled to 0-100 ((mean - 1) / 4 x 100); the indicator is the mean over
responses with a cluster-robust interval by unit. Reliability is Cronbach's
alpha per construct over complete responses, implemented in
:mod:`keino_metrics.indicators.stats` (no maintained library for it is
installed).
"""

from __future__ import annotations

from functools import reduce

import narwhals.stable.v2 as nw
import pandas as pd

from keino_metrics.indicators.codes import SURVEY_CONSTRUCTS, SURVEY_ITEMS
from keino_metrics.indicators.families._build import OWN, L, need
from keino_metrics.indicators.keys import with_keys
from keino_metrics.indicators.spec import Custom, Indicator, Ratio
from keino_metrics.indicators.stats import alpha_from_moments

#: The construct each index measures, as the English definitions name it.
_CONSTRUCT = {
    "strategy": "strategic management of procurement",
    "leadership": "leadership commitment",
    "competence": "procurement competence",
    "dialogue": "market dialogue and cooperation",
    "followup": "follow-up and impact",
    "overall": "capability overall",
}
SOURCE = (f"{OWN}; survey construct after the KEINO 2018 survey on strategic management "
          "(FI-STRAT-MGMT) and the Hankinta-Suomi strategy aims")


def _items(construct: str) -> list[str]:
    return list(SURVEY_ITEMS) if construct == "overall" else \
        [f"{construct}_{i}" for i in (1, 2, 3)]


def _index(construct: str):
    items = _items(construct)

    def expr(p=None) -> nw.Expr:
        total = reduce(lambda a, b: a + b, [L(c).fill_null(0.0) for c in items])
        n = reduce(lambda a, b: a + b, [(~L(c).is_null()).cast(nw.Float64) for c in items])
        return nw.when(n > 0).then((total / n - 1.0) / 4.0 * 100.0)
    return expr


def _answered(construct: str):
    items = _items(construct)

    def expr(p=None) -> nw.Expr:
        return reduce(lambda a, b: a | b, [~L(c).is_null() for c in items])
    return expr


def _alpha(construct: str):
    items = _items(construct)

    def fn(frames, ind, keys, params):
        s = with_keys(frames.frame("survey"), list(keys))
        complete = reduce(lambda a, b: a & b, [~L(c).is_null() for c in items])
        total = reduce(lambda a, b: a + b, [L(c) for c in items])
        s = s.with_columns(complete.alias("_c"), nw.lit(1.0).alias("_one"))
        sums = [L("_one").sum().alias("_rows")]
        c = s.filter(L("_c")).with_columns(total.alias("_t")).with_columns(
            (L("_t") * L("_t")).alias("_tt"), *[(L(it) * L(it)).alias(f"_sq_{it}")
                                                 for it in items])
        aggs = [nw.len().alias("_n"), L("_t").sum().alias("_st"), L("_tt").sum().alias("_sst")]
        for it in items:
            aggs += [L(it).sum().alias(f"_s_{it}"), L(f"_sq_{it}").sum().alias(f"_ss_{it}")]
        if keys:
            rows = frames.collect(s.group_by(*keys).agg(*sums))
            mom = frames.collect(c.group_by(*keys).agg(*aggs))
            df = rows.merge(mom, on=list(keys), how="left")
        else:
            rows = frames.collect(s.select(*sums))
            mom = frames.collect(c.select(*aggs))
            df = pd.concat([rows, mom], axis=1)
        df["_n"] = df["_n"].fillna(0)
        out = df[list(keys)].copy() if keys else pd.DataFrame(index=df.index)
        out["value"] = [
            alpha_from_moments(r["_n"], [r[f"_s_{it}"] for it in items],
                               [r[f"_ss_{it}"] for it in items], r["_st"], r["_sst"])
            if r["_n"] >= 2 else float("nan") for _, r in df.iterrows()]
        out["numerator"] = float("nan")
        out["denominator"] = float("nan")
        out["n_eligible"] = df["_n"].astype(float)
        out["excluded"] = df["_rows"] - df["_n"]
        out["excluded_reasons"] = [f"response with an unanswered item: {int(x)}" if x else ""
                                   for x in out["excluded"]]
        out["coverage"] = df["_n"] / df["_rows"].where(df["_rows"] > 0)
        out["ci_low"] = float("nan")
        out["ci_high"] = float("nan")
        out["warning"] = [("alpha below 0.7: the items do not measure one construct "
                           "reliably") if v < 0.7 else None for v in out["value"]]
        return out
    fn.ci_method = "none"
    return fn


CAPABILITY: list[Indicator] = []
for con in (*SURVEY_CONSTRUCTS, "overall"):
    construct = _CONSTRUCT[con]
    items = _items(con)
    CAPABILITY.append(Indicator(
        id=f"CAP-{con.upper()}", family="capability",
        definition=f"Mean over responding units of the {construct} index: the mean of the "
        f"answered items {', '.join(items) if con != 'overall' else '(all 15 items)'} "
        "rescaled from 1-5 to 0-100.",
        formula="mean_r ((mean of answered items_r - 1) / 4 * 100)",
        unit_of_analysis="survey response", unit="index", weighting="count",
        direction="higher", fields=tuple(f"capability_survey.{c}" for c in items),
        source=SOURCE,
        measure=Ratio("survey", numerator=_index(con),
                      rules=(need("no item answered", _answered(con)),), ci="cluster"),
        crosswalk=(f"CAP-{con.upper()}-ALPHA", "FI-STRAT-MGMT")))
    CAPABILITY.append(Indicator(
        id=f"CAP-{con.upper()}-ALPHA", family="capability",
        definition=f"Cronbach's alpha of the items of the {construct} construct over "
        "complete responses: k/(k-1) (1 - sum of item variances / variance of the sum).",
        formula="k/(k-1) * (1 - sum var(item) / var(sum of items))",
        unit_of_analysis="survey response", unit="ratio", weighting="count",
        direction="higher", fields=tuple(f"capability_survey.{c}" for c in items),
        source="Cronbach (1951), Psychometrika 16(3):297-334",
        measure=Custom("survey", _alpha(con), reads=tuple(_items(con))), crosswalk=(f"CAP-{con.upper()}",),
        limits="Needs at least two complete responses per group; below 0.7 the index "
        "carries a warning."))
