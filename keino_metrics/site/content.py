"""The numbers of the static site, computed once from a dataset.

:func:`compute` runs the indicator catalogue four times: by buyer and year
(every buyer's own numbers), by buyer group and year and by region and year
(the peers a buyer is compared with) and by year (Finland). It adds each
buyer's ranks, the small-number rule, programme participation and the largest
awards, and returns a frozen :class:`SiteContent`. Templates render from this
object only, so every page and every CSV download shows the same numbers.

This module never imports the rendering code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from keino_metrics.dataset import Dataset, latest_complete_year
from keino_metrics.indicators.codes import BUYER_GROUPS

__all__ = ["MIN_N", "VOLUME_IDS", "SHARE_IDS", "SCOREBOARD_FAMILY", "RISK_FAMILY",
           "SiteContent", "compute", "site_ids", "buyer_group_of", "latest_complete_year"]

#: Smallest denominator that gets a traffic light and a rank.
MIN_N = 30
#: Volume indicators shown as a buyer's trend.
VOLUME_IDS: tuple[str, ...] = ("KEINO-VOL-NOTICES", "KEINO-VOL-LOTS", "KEINO-VOL-EUR")
#: Shares compared with peers on a buyer's page.
SHARE_IDS: tuple[str, ...] = ("KEINO-INNOV-MKT-N", "KEINO-INNOV-BUY-N", "KEINO-GREEN-N",
                              "KEINO-SOCIAL-N")
#: Catalogue family of the EU Single Market Scoreboard indicators.
SCOREBOARD_FAMILY = "scoreboard"
#: Catalogue family of the risk flags.
RISK_FAMILY = "integrity"
#: Columns of a result row that the site keeps.
_KEEP = ("indicator_id", "year", "value", "numerator", "denominator", "unit", "coverage",
         "ci_low", "ci_high", "target", "light", "warning")
#: Engine of the four grouped computations. On the demo corpus one computation by buyer
#: and year took 6.5 s with polars, 8.0 s with duckdb and 9.8 s with pandas (shared machine).
ENGINE = "polars"
#: Outcome of the programme effects (the impact report's default outcome).
EFFECT_OUTCOME = "KEINO-INNOV-MKT-N"
#: Columns of :attr:`SiteContent.effects`.
EFFECT_COLUMNS = ("programme", "outcome", "estimate", "ci_low", "ci_high", "n_treated",
                  "n_units", "note")
#: Number of awards listed per buyer.
TOP_AWARDS = 5


def _catalogue() -> pd.DataFrame:
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
        ``km.compute(ids, data, by=[key, "year"])``; ``light`` is removed from
        rows whose denominator is below :data:`MIN_N`. ``by_buyer`` adds
        ``rank`` and ``n_ranked`` (per indicator and year, best value first by the indicator's direction,
        only buyers with at least :data:`MIN_N` units).
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
        return out.drop(columns=["_group", "_region", "_national"]).reset_index(drop=True)

    def profile(self, buyer_id: str) -> pd.DataFrame:
        """The numbers of one buyer's page for :attr:`year`, with its peers.

        One row per indicator of :attr:`ids`: the buyer's value, interval,
        denominator, coverage, light, ``rank`` and ``n_ranked``, then
        ``group_value``, ``region_value`` and ``national_value`` (each with
        ``_ci_low`` and ``_ci_high``). The CSV download of the page is this table.
        """
        p = self.profiles
        return p[p["buyer_id"] == buyer_id].reset_index(drop=True)


def _rows(result, key: str | None) -> pd.DataFrame:
    # the site's tables name the estimate "value" and the eligible units "n_eligible"
    f = result.to_frame().rename(columns={"estimate": "value", "n": "n_eligible"})
    cols = [c for c in _KEEP if c in f.columns]
    if key is not None:
        cols.insert(1, key)
    f = f[cols].copy()
    f["year"] = f["year"].astype(int)
    small = f["denominator"].notna() & (f["denominator"] < MIN_N)
    f["small"] = small
    f["light"] = f["light"].where(~small & f["light"].notna(), None)
    return f.reset_index(drop=True)


def _ranks(f: pd.DataFrame) -> pd.DataFrame:
    """Rank 1 is the best value by the indicator's direction (higher or lower is
    better); indicators without a direction rank the highest value first."""
    eligible = f["value"].notna() & f["denominator"].notna() & (f["denominator"] >= MIN_N)
    cat = _catalogue().set_index("id")["direction"]
    lower = f["indicator_id"].map(cat).eq("lower")
    # one ascending rank of the value signed so that the better value is smaller
    signed = f["value"].where(lower, -f["value"])
    ranked = f.assign(_s=signed)[eligible]
    grp = ranked.groupby(["indicator_id", "year"])["_s"]
    f["rank"] = grp.rank(ascending=True, method="min").reindex(f.index).astype("Int64")
    f["n_ranked"] = grp.transform("size").reindex(f.index).astype("Int64")
    return f


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

    For each programme of ``programme_participation``, the buyer-year panel
    with that programme's start years as cohorts
    (:func:`keino_metrics.indicators.panel.buyer_year_panel`) goes through
    :func:`keino_metrics.impact.did.staggered_did` (never-treated comparison,
    doubly robust); the overall ("simple") ATT and its 95 % interval are kept.
    A programme whose estimate cannot be computed keeps its row with the
    reason in ``note``.
    """
    from keino_metrics.impact.did import staggered_did
    from keino_metrics.indicators.panel import buyer_year_panel

    rows = []
    for prog in sorted(data.programme_participation["programme"].dropna().unique()):
        row = dict.fromkeys(EFFECT_COLUMNS)
        row.update(programme=str(prog), outcome=EFFECT_OUTCOME)
        try:
            panel = buyer_year_panel(data, outcomes=(EFFECT_OUTCOME,), engine=engine,
                                     programme=prog)
            fit = staggered_did(panel, EFFECT_OUTCOME, seed=seed)
            agg = fit.aggregates["simple"]
            row.update(estimate=float(agg.estimate), ci_low=float(agg.ci[0]),
                       ci_high=float(agg.ci[1]), n_units=int(fit.n_units),
                       n_treated=int(sum(n for c, n in fit.cohort_sizes.items() if c)))
        except (ValueError, KeyError, ZeroDivisionError, np.linalg.LinAlgError) as exc:
            row["note"] = f"{type(exc).__name__}: {exc}"
        rows.append(row)
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


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
    from keino_metrics.indicators import compute as run
    from keino_metrics.sources import sources_of

    year = latest_complete_year(data) if year is None else int(year)
    buyers = _buyers(data)
    if buyers.empty:
        raise ValueError("the data hold no buyer with notices: there is nothing to show")
    ids = site_ids()
    by_buyer = _ranks(_rows(run(ids, data, by=["buyer_id", "year"], engine=engine), "buyer_id"))
    years = tuple(sorted(int(y) for y in by_buyer["year"].unique()))
    if year not in years:
        raise ValueError(f"the data hold no results for {year}; years with results: "
                         f"{', '.join(map(str, years)) or 'none'}")
    by_group = _rows(run(ids, data, by=["buyer_group", "year"], engine=engine), "buyer_group")
    by_region = _rows(run(ids, data, by=["region_code", "year"], engine=engine), "region_code")
    national = _rows(run(ids, data, by=["year"], engine=engine), None)
    cat = _catalogue().set_index("id").loc[list(ids)].reset_index()
    progs = data.programme_participation
    progs = progs[progs["buyer_id"].isin(set(buyers["buyer_id"]))][
        ["buyer_id", "programme", "start_date"]].sort_values(["buyer_id", "start_date"])
    source = ", ".join(sources_of(data.provenance, data.accounting_summary())) if not bool(data.provenance.get("demo")) \
        else "demo"
    return SiteContent(
        year=year, years=years, demo=bool(data.provenance.get("demo", False)), source=source,
        ids=ids, national=national, by_group=by_group, by_region=by_region,
        by_buyer=by_buyer, buyers=buyers, programmes=progs.reset_index(drop=True),
        awards=_awards(data, year), indicators=cat,
        effects=programme_effects(data, engine=engine))


def finite(value: object) -> bool:
    """Whether ``value`` is a finite number (not None, NaN or NA)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return False
    return bool(np.isfinite(float(value)))
