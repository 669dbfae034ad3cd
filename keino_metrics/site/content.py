"""The numbers of the static site, computed once from a dataset.

The site has no computation of its own: every indicator table comes from
:func:`keino_metrics.report.grouped.rows`, the grouped computation the reports
use (``km.compute(ids, data, by=[...])`` with the measurability status and the
small-number rule), and buyers are ranked by :func:`~keino_metrics.report.grouped.ranks`.
:func:`compute` runs it by buyer and year (every buyer's own numbers), by buyer
group and year and by region and year (the peers a buyer is compared with) and
by year (Finland), and, where the data hold purchase invoices, the spend
indicators by buyer and year. It adds programme participation, the
programmes' estimated effects and the largest awards, and returns a frozen
:class:`SiteContent`. Templates render from this object only, so every page
and every CSV download shows the same numbers.

This module never imports the rendering code.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from keino_metrics.dataset import Dataset, latest_complete_year
from keino_metrics.indicators.codes import BUYER_GROUPS
from keino_metrics.report import grouped
from keino_metrics.report.grouped import ENGINE, MIN_N
from keino_metrics.results import Note, recorded_notes

__all__ = ["MIN_N", "ENGINE", "VOLUME_IDS", "SHARE_IDS", "SPEND_IDS", "SCOREBOARD_FAMILY",
           "RISK_FAMILY", "SiteContent", "compute", "site_ids", "buyer_group_of",
           "latest_complete_year"]

#: Volume indicators shown as a buyer's trend.
VOLUME_IDS: tuple[str, ...] = ("KEINO-VOL-NOTICES", "KEINO-VOL-LOTS", "KEINO-VOL-EUR")
#: Shares compared with peers on a buyer's page.
SHARE_IDS: tuple[str, ...] = ("KEINO-INNOV-MKT-N", "KEINO-INNOV-BUY-N", "KEINO-GREEN-N",
                              "KEINO-SOCIAL-N")
#: Spend indicators of a buyer's page (purchase invoices): euros paid, the share
#: under noticed contracts and the share under innovative contracts.
SPEND_IDS: tuple[str, ...] = ("SPEND-EUR", "SPEND-COVERED", "SPEND-INNOV")
#: Catalogue family of the EU Single Market Scoreboard indicators.
SCOREBOARD_FAMILY = "scoreboard"
#: Catalogue family of the risk flags.
RISK_FAMILY = "integrity"
#: Columns of a result row that the site keeps.
_KEEP = ("indicator_id", "year", "value", "numerator", "denominator", "unit", "coverage",
         "ci_low", "ci_high", "target", "light", "warning", "status", "status_reason",
         "small")
#: Outcome of the programme effects (the impact report's default outcome).
EFFECT_OUTCOME = "KEINO-INNOV-MKT-N"
#: Columns of :attr:`SiteContent.effects`.
EFFECT_COLUMNS = ("programme", "outcome", "estimate", "ci_low", "ci_high", "n_treated",
                  "n_units", "note")
#: Number of awards listed per buyer.
TOP_AWARDS = 5


def _catalogue() -> pd.DataFrame:  # the indicator catalogue, imported when first used
    from keino_metrics.indicators import catalogue

    return catalogue()


def site_ids() -> tuple[str, ...]:
    """Indicators the site shows: volume, shares, Scoreboard and risk flags."""
    cat = _catalogue()
    fam = tuple(cat.loc[cat["family"].isin([SCOREBOARD_FAMILY, RISK_FAMILY]), "id"])
    return tuple(dict.fromkeys((*VOLUME_IDS, *SHARE_IDS, *fam)))


def buyer_group_of(legal_type: pd.Series) -> pd.Series:
    """Buyer group key of each eForms legal type (the grouping of the indicator frames).

    A missing legal type has no group (``None``); a code outside every group is ``other``.
    """
    lookup = {code: key for key, codes in BUYER_GROUPS.items() for code in codes}
    groups = legal_type.map(lambda t: None if pd.isna(t) else lookup.get(str(t), "other"))
    return groups.astype(object).where(groups.notna(), None)



@dataclass(frozen=True)
class SiteContent:
    """Everything the site shows, as numbers.

    Attributes
    ----------
    year : int
        The year of the profiles.
    years : tuple of int
        Years with results, ascending.
    demo : bool
        Whether the data are generated demonstration data.
    source : str
        Sources of the data (``demo``, ``eforms``, ...), comma-separated.
    ids : tuple of str
        Indicators shown, in page order.
    national, by_group, by_region, by_buyer : pandas.DataFrame
        Result rows (``indicator_id``, the key, ``year``, value, numerator,
        denominator, unit, coverage, interval, target, light, warning) of
        :func:`keino_metrics.report.grouped.rows` by ``[key, "year"]`` (with
        ``status``, ``status_reason`` and ``small``; ``light`` is removed from
        rows whose denominator is below :data:`MIN_N`). ``by_buyer`` adds
        ``rank`` and ``n_ranked`` (per indicator and year, best value first by
        the indicator's direction, only measured buyers with at least
        :data:`MIN_N` units).
    buyers : pandas.DataFrame
        One row per buyer: ``buyer_id``, ``name``, ``region_code``, ``buyer_group``.
    programmes : pandas.DataFrame
        ``buyer_id``, ``programme``, ``start_date``.
    awards : pandas.DataFrame
        The largest awards of the year per buyer: ``buyer_id``, ``notice_id``,
        ``lot_id``, ``title``, ``awarded_value_eur``, ``decision_date``.
    indicators : pandas.DataFrame
        The catalogue rows of :attr:`ids`.
    effects : pandas.DataFrame
        One row per programme of the data (:data:`EFFECT_COLUMNS`): its
        estimated effect on :data:`EFFECT_OUTCOME` (overall ATT of a staggered
        difference-in-differences over the programme's participants against
        never-treated buyers, with its 95 % interval), or a ``note`` saying why
        there is no estimate.
    spend : pandas.DataFrame
        :data:`SPEND_IDS` by ``buyer_id`` and ``year`` (the columns of
        ``by_buyer`` without ranks); empty when the data hold no purchase invoices.
    """

    year: int
    years: tuple[int, ...]
    demo: bool
    source: str
    ids: tuple[str, ...]
    national: pd.DataFrame
    by_group: pd.DataFrame
    by_region: pd.DataFrame
    by_buyer: pd.DataFrame
    buyers: pd.DataFrame
    programmes: pd.DataFrame
    awards: pd.DataFrame
    indicators: pd.DataFrame
    effects: pd.DataFrame
    spend: pd.DataFrame

    @property
    def has_spend(self) -> bool:
        """Whether the data hold purchase invoices (the spend section is measurable)."""
        return not self.spend.empty

    @cached_property
    def profiles(self) -> pd.DataFrame:
        """Every buyer's :meth:`profile`, in the order of :attr:`buyers` and :attr:`ids`."""
        none = "\x00"  # a buyer without group or region has no peers
        keys = self.buyers[["buyer_id", "buyer_group", "region_code"]].copy()
        keys["_group"] = keys["buyer_group"].fillna(none)
        keys["_region"] = keys["region_code"].fillna(none)
        keys["_national"] = ""
        grid = pd.MultiIndex.from_product([keys["buyer_id"], list(self.ids)],
                                          names=["buyer_id", "indicator_id"]).to_frame(
            index=False)
        grid = grid.merge(keys[["buyer_id", "_group", "_region", "_national"]], on="buyer_id")
        own = self.by_buyer[self.by_buyer["year"] == self.year].drop(columns=["year"])
        out = grid.merge(own, on=["buyer_id", "indicator_id"], how="left")
        out.insert(1, "year", self.year)
        for name, frame, key in (("group", self.by_group, "buyer_group"),
                                 ("region", self.by_region, "region_code"),
                                 ("national", self.national, None)):
            f = frame[frame["year"] == self.year]
            peer = pd.DataFrame({
                f"_{name}": f[key].fillna(none + none) if key else "",
                "indicator_id": f["indicator_id"],
                **{f"{name}_{col}": f[col].astype(float) for col in ("value", "ci_low",
                                                                      "ci_high")}})
            out = out.merge(peer, on=[f"_{name}", "indicator_id"], how="left")
        out = out.drop(columns=["_group", "_region", "_national"])
        if self.has_spend:  # the buyer's spend rows, without peers
            sgrid = pd.MultiIndex.from_product([self.buyers["buyer_id"], list(SPEND_IDS)],
                                               names=["buyer_id", "indicator_id"]).to_frame(
                index=False)
            sp = self.spend[self.spend["year"] == self.year].drop(columns=["year"])
            sgrid = sgrid.merge(sp, on=["buyer_id", "indicator_id"], how="left")
            sgrid.insert(1, "year", self.year)
            out = pd.concat([out, sgrid], ignore_index=True)
            order = {i: k for k, i in enumerate((*self.ids, *SPEND_IDS))}
            key = self.buyers["buyer_id"].reset_index(drop=True)
            pos = pd.Series(key.index, index=key)
            out = out.assign(_b=out["buyer_id"].map(pos), _i=out["indicator_id"].map(order))
            out = out.sort_values(["_b", "_i"], kind="stable").drop(columns=["_b", "_i"])
        return out.reset_index(drop=True)

    def profile(self, buyer_id: str) -> pd.DataFrame:
        """The numbers of one buyer's page for :attr:`year`, with its peers.

        One row per indicator of :attr:`ids` (then :data:`SPEND_IDS` where the
        data hold purchase invoices): the buyer's value, interval,
        denominator, coverage, light, ``rank`` and ``n_ranked``, then
        ``group_value``, ``region_value`` and ``national_value`` (each with
        ``_ci_low`` and ``_ci_high``). The CSV download of the page is this table.
        """
        p = self.profiles
        return p[p["buyer_id"] == buyer_id].reset_index(drop=True)


def _rows(ids: tuple[str, ...], data: Dataset, key: str | None, engine: str) -> pd.DataFrame:
    by = [key, "year"] if key else ["year"]
    f = grouped.rows(ids, data, by, engine=engine)
    cols = [c for c in _KEEP if c in f.columns]
    if key is not None:
        cols.insert(1, key)
    return f[cols].reset_index(drop=True)


def _buyers(data: Dataset) -> pd.DataFrame:
    b = data.buyers.drop_duplicates("buyer_id").copy()
    used = set(data.notices["buyer_id"].dropna())
    b = b[b["buyer_id"].isin(used)]
    names = b["name"].astype("string").fillna(b["buyer_id"])
    return pd.DataFrame({
        "buyer_id": b["buyer_id"].astype(str),
        "name": names.astype(str),
        "region_code": b["region_code"].astype(object).where(b["region_code"].notna(), None),
        "buyer_group": buyer_group_of(b["legal_type"]),
    }).sort_values("name", key=lambda s: s.str.casefold()).reset_index(drop=True)


def _awards(data: Dataset, year: int) -> pd.DataFrame:
    cols = ["buyer_id", "notice_id", "lot_id", "title", "awarded_value_eur", "decision_date"]
    n = data.notices[["notice_id", "buyer_id", "publication_date"]]
    n = n[pd.to_datetime(n["publication_date"], errors="coerce").dt.year == year]
    a = data.awards[["notice_id", "lot_id", "awarded_value_eur", "decision_date"]]
    a = a[a["awarded_value_eur"].notna()].merge(n, on="notice_id")
    if a.empty:
        return pd.DataFrame(columns=cols)
    lots = data.lots[["notice_id", "lot_id", "title"]].drop_duplicates(["notice_id", "lot_id"])
    a = a.merge(lots, on=["notice_id", "lot_id"], how="left")
    a = a.sort_values("awarded_value_eur", ascending=False, kind="stable")
    return a.groupby("buyer_id", sort=False).head(TOP_AWARDS)[cols].reset_index(drop=True)


def programme_effects(data: Dataset, *, engine: str = ENGINE, seed: int = 0) -> pd.DataFrame:
    """Estimated effect of each programme on :data:`EFFECT_OUTCOME`.

    The buyer-year panel (:func:`keino_metrics.indicators.panel.buyer_year_panel`)
    goes once through :func:`keino_metrics.impact.did_by_programme`: for each
    programme, the buyers whose first programme it is against the buyers that
    never took part (staggered difference-in-differences), overall ("simple")
    effect with its 95 % interval. ``n_units`` counts the participants and the
    comparison buyers of the estimate. A programme without an estimate (no
    buyer has it as its first programme, or the estimation fails on these
    data) keeps its row with the reason in ``note``; an estimate's ``note``
    holds the warnings of its fit (and of the panel), recorded rather than
    printed.
    """
    from keino_metrics.impact.did import POOLED, did_by_programme
    from keino_metrics.indicators.panel import buyer_year_panel

    part = data.programme_participation
    progs = sorted(str(p) for p in part["programme"].dropna().unique())
    rows = {p: {**dict.fromkeys(EFFECT_COLUMNS), "programme": p, "outcome": EFFECT_OUTCOME}
            for p in progs}
    if not progs:
        return pd.DataFrame(columns=list(EFFECT_COLUMNS))
    panel_notes: list[Note] = []
    try:
        # warnings go into the rows' notes (the estimator's own per programme, the
        # panel's to every row) instead of the terminal of the site build
        with recorded_notes(panel_notes, "panel"):
            panel = buyer_year_panel(data, outcomes=(EFFECT_OUTCOME,), engine=engine)
        fit_notes: list[Note] = []
        with recorded_notes(fit_notes, "programmes"):
            table = did_by_programme(panel, EFFECT_OUTCOME, part, seed=seed).table
    except (ValueError, KeyError, ZeroDivisionError, np.linalg.LinAlgError) as exc:
        for r in rows.values():
            r["note"] = f"{type(exc).__name__}: {exc}"
        return pd.DataFrame(list(rows.values()), columns=list(EFFECT_COLUMNS))
    # a fit's warnings are in its row's ``notes``; any other goes to every row
    known = " ".join(table["notes"].fillna("").astype(str))
    shared = [*(n.text for n in panel_notes),
              *(n.text for n in fit_notes if n.text.split(": ", 1)[-1] not in known)]
    for r in table[table["programme"] != POOLED].itertuples(index=False):
        if r.programme in rows and not np.isfinite(r.estimate):
            rows[r.programme]["note"] = f"no estimate: {r.notes or 'no finite effect'}"
        elif r.programme in rows:
            rows[r.programme].update(
                estimate=float(r.estimate), ci_low=float(r.ci_low), ci_high=float(r.ci_high),
                n_treated=int(r.n_treated), n_units=int(r.n_treated + r.n_control),
                note=r.notes or None)
    for r in rows.values():
        if r["estimate"] is None and r["note"] is None:
            r["note"] = "no estimate: no buyer has this programme as its first programme"
        r["note"] = "; ".join([*shared, *([r["note"]] if r["note"] else [])]) or None
    return pd.DataFrame(list(rows.values()), columns=list(EFFECT_COLUMNS))


def compute(data: Dataset, year: int | None = None, *, engine: str = ENGINE) -> SiteContent:
    """Compute the site's numbers for ``year`` (default: the latest complete year).

    Parameters
    ----------
    data : Dataset
        Canonical tables (the demo corpus or ingested real data).
    year : int, optional
        Year of the profiles; trends cover every year of the data.
    engine : str
        Engine of :func:`keino_metrics.indicators.compute` (default :data:`ENGINE`).

    Returns
    -------
    SiteContent

    Raises
    ------
    ValueError
        If the data hold no buyer with notices, or ``year`` has no results.
    """
    from keino_metrics.sources import sources_of

    year = latest_complete_year(data) if year is None else int(year)
    buyers = _buyers(data)
    if buyers.empty:
        raise ValueError("the data hold no buyer with notices: there is nothing to show")
    ids = site_ids()
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the spend indicators (the linker and its Monte Carlo draws, numpy) run beside
        # the other computations (polars), so that a second core can work on them
        later = pool.submit(_rows, SPEND_IDS, data, "buyer_id", engine) if len(data.spend) \
            else None
        by_buyer = grouped.ranks(_rows(ids, data, "buyer_id", engine))
        years = tuple(sorted(int(y) for y in by_buyer["year"].unique()))
        if year not in years:  # (leaving the block waits for the spend thread)
            raise ValueError(f"the data hold no results for {year}; years with results: "
                             f"{', '.join(map(str, years)) or 'none'}")
        by_group = _rows(ids, data, "buyer_group", engine)
        by_region = _rows(ids, data, "region_code", engine)
        national = _rows(ids, data, None, engine)
        effects = programme_effects(data, engine=engine)
        spend = (later.result() if later is not None
                 else pd.DataFrame(columns=["indicator_id", "buyer_id", *_KEEP[1:]]))
    cat = _catalogue().set_index("id").loc[list(ids)].reset_index()
    progs = data.programme_participation
    progs = progs[progs["buyer_id"].isin(set(buyers["buyer_id"]))][
        ["buyer_id", "programme", "start_date"]].sort_values(["buyer_id", "start_date"])
    demo = bool(data.provenance.get("demo", False))
    source = "demo" if demo else ", ".join(sources_of(data.provenance,
                                                      data.accounting_summary()))
    return SiteContent(
        year=year, years=years, demo=demo, source=source,
        ids=ids, national=national, by_group=by_group, by_region=by_region,
        by_buyer=by_buyer, buyers=buyers, programmes=progs.reset_index(drop=True),
        awards=_awards(data, year), indicators=cat,
        effects=effects, spend=spend)


def finite(value: object) -> bool:
    """Whether ``value`` is a finite number (not None, NaN or NA)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return False
    return bool(np.isfinite(float(value)))
