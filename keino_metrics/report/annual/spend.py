"""The spend section of the annual report: what was paid, and under which contracts.

:func:`compute` turns a dataset's purchase invoices (the ``spend`` table) into
a frozen :class:`SpendContent`: the ``SPEND-*`` indicators by year, the 10 %
target measured on spend beside the notice-based candidate definitions, the
linker's coverage (linked and unlinked euros apart), the shares by
procurement category and the carbon footprint of what was paid beside the
footprint of awarded lots. Nothing here draws or writes HTML
(:mod:`keino_metrics.report.annual.spend_render` does). A dataset without
invoices gives a content with :attr:`SpendContent.measured` false and empty
tables: the section then says that spend is not measurable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keino_metrics.dataset import Dataset
from keino_metrics.report.grouped import shown

__all__ = ["SPEND_IDS", "SHARE_IDS", "CATEGORY_IDS", "SPEND_TARGET_ID", "NOTICE_EUR_ID",
           "SpendContent", "compute", "covers_key"]

#: The spend indicators the section shows by year.
SPEND_IDS: tuple[str, ...] = ("SPEND-EUR", "SPEND-COVERED", "SPEND-INNOV", "SPEND-GREEN",
                              "SPEND-SOCIAL", "SPEND-SME", "SPEND-HHI")
#: Green, social, SME shares and concentration of spend.
SHARE_IDS: tuple[str, ...] = ("SPEND-GREEN", "SPEND-SOCIAL", "SPEND-SME", "SPEND-HHI")
#: Shares broken down by procurement category in the report year.
CATEGORY_IDS: tuple[str, ...] = ("SPEND-INNOV", "SPEND-GREEN", "SPEND-SOCIAL")
#: The 10 % target measured in euros paid.
SPEND_TARGET_ID = "SPEND-INNOV"
#: The notice-based definition in euros drawn beside it (awarded value new to the market).
NOTICE_EUR_ID = "FI-10PCT-MKT-EUR"
#: Monte Carlo draws of the carbon intervals.
CARBON_SIMS = 2000


def covers_key(indicator_id: str) -> str:
    """Catalogue key of the "what this measure covers" line of an indicator."""
    if indicator_id.startswith("SPEND-"):
        return "spend_report.covers_spend"
    if indicator_id.endswith("-VOL31"):
        return "spend_report.covers_notice_volume"
    if indicator_id.endswith("-EUR"):
        return "spend_report.covers_notice_value"
    return "spend_report.covers_notice_count"


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True)
class SpendContent:
    """Everything the spend section shows, as numbers.

    Attributes
    ----------
    year : int
        Report year.
    measured : bool
        Whether the data hold purchase invoices (else every table is empty).
    demo : bool
        Whether the data are generated demonstration data.
    by_year : pandas.DataFrame
        ``IndicatorResult.to_frame()`` of :data:`SPEND_IDS` by ``year`` up to the
        report year.
    target : pandas.DataFrame
        The 10 % target in the report year: :data:`SPEND_TARGET_ID` first, then
        the notice-based candidate definitions, each with ``covers`` (the
        catalogue key of what it covers).
    target_by_year : pandas.DataFrame
        :data:`SPEND_TARGET_ID`, the principal notice-based definition and
        :data:`NOTICE_EUR_ID` by year (for the figure).
    principal_id : str
        The principal notice-based definition (the first candidate definition
        of the catalogue).
    linkage : pandas.DataFrame
        By year: ``invoices``, ``eur`` (euros paid), ``linked_eur`` (linked to
        a contract), ``unlinked_eur``, ``no_supplier_id_eur`` (part of the
        unlinked euros that has no supplier id to link on), ``lot_named_eur``
        (linked with the lot itself identified), ``mean_score`` (mean link score
        of the linked rows).
    by_category : pandas.DataFrame
        :data:`CATEGORY_IDS` by ``category`` in the report year.
    carbon : pandas.DataFrame
        Two rows, ``basis`` ``invoices`` (euros paid in the report year) and
        ``lots`` (euros awarded in lots of the report year): ``spend_eur``
        (with a factor), ``unmatched_eur``, ``total_t``, ``low_t``, ``high_t``,
        ``intensity_kg_per_eur``.
    carbon_basis : pandas.DataFrame
        Euros paid in the report year by where each invoice's CPV division came
        from (``basis``: ``contract``, ``category``, ``product_group``,
        ``account_name``, ``none``).
    rules : dict
        The linker's threshold and margin.
    """

    year: int
    measured: bool
    demo: bool
    by_year: pd.DataFrame = field(default_factory=_empty, repr=False)
    target: pd.DataFrame = field(default_factory=_empty, repr=False)
    target_by_year: pd.DataFrame = field(default_factory=_empty, repr=False)
    principal_id: str = ""
    linkage: pd.DataFrame = field(default_factory=_empty, repr=False)
    by_category: pd.DataFrame = field(default_factory=_empty, repr=False)
    carbon: pd.DataFrame = field(default_factory=_empty, repr=False)
    carbon_basis: pd.DataFrame = field(default_factory=_empty, repr=False)
    rules: dict = field(default_factory=dict, repr=False)

    def select(self, ids: tuple[str, ...]) -> pd.DataFrame:
        """Rows of :attr:`by_year` for ``ids``, in that order, by year."""
        if self.by_year.empty:
            return self.by_year
        df = self.by_year[self.by_year["indicator_id"].isin(ids)]
        order = {i: k for k, i in enumerate(ids)}
        return (df.assign(_o=df["indicator_id"].map(order)).sort_values(["_o", "year"])
                .drop(columns="_o").reset_index(drop=True))

    def paid(self) -> pd.DataFrame:
        """By year: euros paid, the share under noticed contracts with its interval,
        and the linker's linked and unlinked euros."""
        if not self.measured:
            return _empty()
        cov = self.select(("SPEND-COVERED",))[["year", "value", "ci_low", "ci_high"]]
        return self.linkage.merge(cov.rename(columns={"value": "covered"}), on="year",
                                  how="left")

    def tables(self) -> dict[str, pd.DataFrame]:
        """Machine-readable tables (language-neutral column names) by file stem."""
        if not self.measured:
            return {}
        return {"spend_by_year": self.by_year, "spend_target": self.target,
                "spend_linkage": self.linkage, "spend_by_category": self.by_category,
                "spend_carbon": self.carbon, "spend_carbon_basis": self.carbon_basis}


def _linkage(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    d = pd.DataFrame({"year": frame["year"], "eur": frame["amount"],
                      "linked": frame["contract"].notna().to_numpy(),
                      "named": frame["lot_linked"].to_numpy(bool),
                      "score": frame["link_score"].to_numpy(float),
                      "no_id": ~frame["supplier_linkable"].to_numpy(bool)})
    d = d.loc[d["year"].notna() & (d["year"] <= year)]
    d = d.assign(linked_eur=d["eur"].where(d["linked"], 0.0),
                 unlinked_eur=d["eur"].where(~d["linked"], 0.0),
                 no_supplier_id_eur=d["eur"].where(~d["linked"] & d["no_id"], 0.0),
                 lot_named_eur=d["eur"].where(d["linked"] & d["named"], 0.0),
                 linked_score=d["score"].where(d["linked"], 0.0))
    g = d.groupby("year")
    out = g[["eur", "linked_eur", "unlinked_eur", "no_supplier_id_eur", "lot_named_eur",
             "linked_score"]].sum()
    out["invoices"] = g.size()
    out["mean_score"] = out["linked_score"] / g["linked"].sum().where(g["linked"].sum() > 0)
    out = out.drop(columns="linked_score").reset_index()
    out["year"] = out["year"].astype(int)
    return out[["year", "invoices", "eur", "linked_eur", "unlinked_eur", "no_supplier_id_eur",
                "lot_named_eur", "mean_score"]]


def _carbon(data: Dataset, frame: pd.DataFrame, year: int, seed: int
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    from keino_metrics.impact.carbon import spend_based_emissions

    rows = []
    this = (frame["year"] == year).fillna(False).to_numpy(bool)
    spend = data.spend.reset_index(drop=True).loc[this]
    placed = _placed(spend, frame.loc[this, "cpv_division"].to_numpy(dtype=object))
    basis = placed.groupby("basis", as_index=False)["spend_eur"].sum()
    net = placed.groupby("cpv_division", as_index=False)["spend_eur"].sum()
    net["spend_eur"] = net["spend_eur"].clip(lower=0.0)
    lots = _awarded(data, year)
    for name, table, kw in (("invoices", net, {"value": "spend_eur"}),
                            ("lots", lots, {"value": "awarded_value_eur", "cpv": "cpv_main"})):
        try:
            r = spend_based_emissions(table, n_sims=CARBON_SIMS, seed=seed, **kw)
        except ValueError:  # nothing with a factor
            rows.append({"basis": name, "spend_eur": np.nan, "unmatched_eur": np.nan,
                         "total_t": np.nan, "low_t": np.nan, "high_t": np.nan,
                         "intensity_kg_per_eur": np.nan})
            continue
        rows.append({"basis": name, "spend_eur": r.spend_eur,
                     "unmatched_eur": r.unmatched_spend_eur, "total_t": r.total_t,
                     "low_t": r.total_low_t, "high_t": r.total_high_t,
                     "intensity_kg_per_eur": r.intensity_kg_per_eur})
    return pd.DataFrame(rows), basis


def _placed(spend: pd.DataFrame, linked_division: np.ndarray) -> pd.DataFrame:
    """:func:`keino_metrics.impact.carbon.invoice_divisions` of ``spend``, computed
    once for each distinct combination of the columns it reads (its pattern
    search is the slow part; a year's invoices repeat a few thousand
    combinations) and taken back to every row."""
    from keino_metrics.impact.carbon import invoice_divisions
    from keino_metrics.spend.frame import group_codes

    cols = [c for c in ("category", "product_group", "account_name") if c in spend]
    keys = spend[cols].reset_index(drop=True).assign(_linked=linked_division)
    codes, _ = group_codes(keys, [*cols, "_linked"])
    first = np.unique(codes, return_index=True)[1]
    one = invoice_divisions(spend.iloc[first], linked_division[first])
    return pd.DataFrame({"cpv_division": one["cpv_division"].to_numpy(object)[codes],
                         "basis": one["basis"].to_numpy(object)[codes],
                         "spend_eur": pd.to_numeric(spend["amount_eur"], errors="coerce")})


def _awarded(data: Dataset, year: int) -> pd.DataFrame:
    """Awarded lot values of result notices published in ``year``, with the lot's CPV."""
    aw = data.awards
    aw = aw.loc[aw["winner_chosen"].fillna(False).astype(bool)
                & aw["awarded_value_eur"].notna(), ["notice_id", "lot_id", "awarded_value_eur"]]
    pub = pd.to_datetime(data.notices.set_index("notice_id")["publication_date"])
    aw = aw.loc[aw["notice_id"].map(pub.dt.year) == year]
    lots = data.lots[["notice_id", "lot_id", "cpv_main"]].drop_duplicates(["notice_id", "lot_id"])
    out = aw.merge(lots, on=["notice_id", "lot_id"], how="left")
    return out.assign(awarded_value_eur=out["awarded_value_eur"].astype(float))


def compute(data: Dataset, year: int, *, notice_by_year: pd.DataFrame,
            innovation_ids: tuple[str, ...], demo: bool, seed: int = 0) -> SpendContent:
    """The spend section's numbers for ``year``.

    Parameters
    ----------
    data : Dataset
        Canonical tables; the section is measured when ``data.spend`` has rows.
    year : int
        Report year.
    notice_by_year : pandas.DataFrame
        The report's notice-based indicator results by year (holding
        ``innovation_ids``), so that they are not computed twice.
    innovation_ids : tuple of str
        Candidate definitions of the 10 % target; the first is the principal one.
    demo : bool
        Whether the data are demonstration data.
    seed : int
        Seed of the carbon intervals.
    """
    spend = data.spend
    principal = innovation_ids[0] if innovation_ids else ""
    if spend is None or not len(spend):
        return SpendContent(year=year, measured=False, demo=demo, principal_id=principal)
    from keino_metrics.indicators import compute as compute_indicators
    from keino_metrics.spend.frame import spend_tables
    from keino_metrics.spend.link import LinkRules

    by_year = shown(compute_indicators(list(SPEND_IDS), data, by=["year"]))
    by_year = by_year.dropna(subset=["year"])
    by_year = by_year[by_year["year"].astype(int) <= year].assign(
        year=lambda d: d["year"].astype(int)).reset_index(drop=True)
    cat = shown(compute_indicators(list(CATEGORY_IDS), data, by=["year", "category"]))
    cat = cat.dropna(subset=["year"])
    cat = cat[cat["year"].astype(int) == year].assign(year=year).reset_index(drop=True)
    notice = notice_by_year[notice_by_year["indicator_id"].isin(innovation_ids)]
    target = pd.concat([by_year[(by_year["indicator_id"] == SPEND_TARGET_ID)
                                & (by_year["year"] == year)],
                        notice[notice["year"] == year]], ignore_index=True)
    target["covers"] = target["indicator_id"].map(covers_key)
    fig_ids = tuple(dict.fromkeys((SPEND_TARGET_ID, principal, NOTICE_EUR_ID)))
    series = pd.concat([by_year[by_year["indicator_id"] == SPEND_TARGET_ID],
                        notice[notice["indicator_id"].isin(fig_ids)]], ignore_index=True)
    frame, _ = spend_tables(data)
    carbon, basis = _carbon(data, frame, year, seed)
    rules = LinkRules()
    return SpendContent(
        year=year, measured=True, demo=demo, by_year=by_year, target=target,
        target_by_year=series[series["year"] <= year].reset_index(drop=True),
        principal_id=principal, linkage=_linkage(frame, year), by_category=cat,
        carbon=carbon, carbon_basis=basis,
        rules={"threshold": rules.threshold, "margin": rules.margin})
