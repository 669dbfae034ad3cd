"""The numbers of the annual report, computed once from the data.

:func:`compute` runs the indicator catalogue on a dataset (every indicator
by year, a few by region and buyer group for the report year) and adds the
coverage tables. The resulting :class:`ReportContent` is what the notebook
renders and what :func:`keino_metrics.report.run.build_report` exports as
figures, CSV and Excel, so the report and its files always show the same
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from keino_metrics import geography
from keino_metrics.dataset import Dataset
from keino_metrics.report import coverage, figures
from keino_metrics.report.labels import text
from keino_metrics.report.metadata import is_demo

__all__ = ["TARGET_FAMILY", "VOLUME_IDS", "STRATEGIC_IDS", "COMPETITION_IDS",
           "SHARE_SUMMARY_IDS", "BREAKDOWN_IDS", "ReportContent", "compute",
           "indicator_names", "innovation_ids", "green_rules"]

#: Catalogue family holding the candidate definitions of the 10 % target.
TARGET_FAMILY = "innovation-target"
#: Volume: notices, lots and euros.
VOLUME_IDS: tuple[str, ...] = ("KEINO-VOL-NOTICES", "KEINO-VOL-LOTS", "KEINO-VOL-EUR")
#: Strategic shares shown as trends.
STRATEGIC_IDS: tuple[str, ...] = (
    "KEINO-INNOV-MKT-N", "KEINO-INNOV-BUY-N", "KEINO-INNOV-EF-N", "KEINO-GREEN-N",
    "KEINO-LOWCARBON-N", "KEINO-CIRC-N", "KEINO-SOCIAL-N")
#: Scoreboard competition indicators (SME participation, single bidding).
COMPETITION_IDS: tuple[str, ...] = ("SMS-07", "SMS-08", "SMS-01")
#: Summary rows after the candidate definitions of the innovative-procurement target.
SHARE_SUMMARY_IDS: tuple[str, ...] = (
    "KEINO-GREEN-N", "KEINO-GREEN-EUR", "KEINO-LOWCARBON-N", "KEINO-CIRC-N",
    "KEINO-SOCIAL-N", *COMPETITION_IDS)
#: Indicators broken down by region and buyer group.
BREAKDOWN_IDS: tuple[str, ...] = ("KEINO-INNOV-MKT-N", "KEINO-GREEN-N", "KEINO-SOCIAL-N",
                                  "SMS-01")
#: Indicators drawn in the regional figure.
REGION_FIGURE_IDS: tuple[str, ...] = ("KEINO-INNOV-MKT-N", "KEINO-GREEN-N")
_REPORT_IDS: tuple[str, ...] = tuple(dict.fromkeys(
    (*VOLUME_IDS, *SHARE_SUMMARY_IDS, *STRATEGIC_IDS, *COMPETITION_IDS)))


def _catalogue(lang: str) -> pd.DataFrame:
    from keino_metrics.indicators import catalogue

    cat = catalogue(lang=lang)
    if "indicator_id" not in cat.columns and "id" in cat.columns:
        cat = cat.rename(columns={"id": "indicator_id"})
    return cat


def innovation_ids() -> tuple[str, ...]:
    """Ids of the candidate definitions of the 10 % target (catalogue family)."""
    from keino_metrics.indicators import catalogue

    return tuple(catalogue(family=TARGET_FAMILY)["id"])


def indicator_names(lang: str, ids: tuple[str, ...] | None = None) -> dict[str, str]:
    """Indicator id -> name in ``lang``, from the catalogue, in the order of ``ids``."""
    cat = _catalogue(lang).set_index("indicator_id")
    wanted = tuple(cat.index) if ids is None else ids
    return {i: str(cat.loc[i, "name"]) if i in cat.index else i for i in wanted}


def green_rules() -> dict[str, str]:
    """Green-band rule of each catalogue indicator that has one (``"<= 0.10"``)."""
    cat = _catalogue("en")
    if "green" not in cat.columns:
        return {}
    g = cat.dropna(subset=["green"])
    return {str(i): str(r) for i, r in zip(g["indicator_id"], g["green"], strict=True) if r}


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows, as numbers.

    Attributes
    ----------
    year : int
        Report year.
    innovation_ids : tuple of str
        Candidate definitions of the innovative-procurement target.
    years : tuple of int
        Years of the data, ascending.
    demo : bool
        Whether the data are generated demonstration data.
    by_year : pandas.DataFrame
        ``IndicatorResult.to_frame()`` of every report indicator by ``year``.
    by_region : pandas.DataFrame
        :data:`BREAKDOWN_IDS` by ``region_code`` for the report year.
    by_buyer_group : pandas.DataFrame
        :data:`BREAKDOWN_IDS` by ``buyer_group`` for the report year.
    rows : pandas.DataFrame
        Rows per table and year (:func:`coverage.rows_by_year`).
    completeness : pandas.DataFrame
        Completeness of key fields (:func:`coverage.completeness`).
    quarantine : pandas.DataFrame
        Quarantined records by field and reason.
    accounting : pandas.DataFrame
        :meth:`Dataset.accounting_summary`.
    """

    year: int
    innovation_ids: tuple[str, ...]
    years: tuple[int, ...]
    demo: bool
    by_year: pd.DataFrame
    by_region: pd.DataFrame
    by_buyer_group: pd.DataFrame
    rows: pd.DataFrame
    completeness: pd.DataFrame
    quarantine: pd.DataFrame
    accounting: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Every indicator by year (:attr:`by_year`)."""
        return self.by_year.copy()

    # -- selections -----------------------------------------------------
    @property
    def ids(self) -> tuple[str, ...]:
        """Every indicator the report shows."""
        return tuple(dict.fromkeys((*self.innovation_ids, *_REPORT_IDS)))

    @property
    def first_year(self) -> int:
        """First year of the trends."""
        return self.years[0] if self.years else self.year

    def select(self, ids: tuple[str, ...], year: int | None = None) -> pd.DataFrame:
        """Rows of :attr:`by_year` for ``ids`` (in that order), one year or all."""
        df = self.by_year[self.by_year["indicator_id"].isin(ids)]
        if year is not None:
            df = df[df["year"] == year]
        order = {i: k for k, i in enumerate(ids)}
        return (df.assign(_o=df["indicator_id"].map(order))
                .sort_values(["_o", "year"]).drop(columns="_o").reset_index(drop=True))

    def summary(self) -> pd.DataFrame:
        """The summary rows in the report year: target definitions, then other shares."""
        return self.select((*self.innovation_ids, *SHARE_SUMMARY_IDS), self.year)

    def innovation(self) -> pd.DataFrame:
        """The candidate innovative-procurement definitions in the report year."""
        return self.select(self.innovation_ids, self.year)

    def innovation_met(self) -> tuple[int, int]:
        """``(definitions reaching their target, definitions computed)`` in the report year."""
        d = self.innovation().dropna(subset=["value", "target"])
        return int((d["value"] >= d["target"]).sum()), int(len(d))

    def target(self) -> float | None:
        """The common target of the candidate definitions (``None`` if they differ)."""
        t = self.innovation()["target"].dropna().unique()
        return float(t[0]) if len(t) == 1 else None

    def volume(self) -> pd.DataFrame:
        """One row per year: ``year``, ``notices``, ``lots``, ``value_eur``."""
        df = self.select(VOLUME_IDS)
        wide = df.pivot(index="year", columns="indicator_id", values="value")
        out = pd.DataFrame({"year": wide.index.astype(int)})
        for col, ind in zip(("notices", "lots", "value_eur"), VOLUME_IDS, strict=True):
            out[col] = wide[ind].to_numpy() if ind in wide else float("nan")
        return out.reset_index(drop=True)

    def n_lots(self, year: int | None = None) -> int:
        """Lots published in ``year`` (default: all years)."""
        v = self.volume()
        if year is not None:
            v = v[v["year"] == year]
        return int(v["lots"].fillna(0).sum())

    def regions(self, lang: str) -> pd.DataFrame:
        """:attr:`by_region` with region names in ``lang`` (``region``)."""
        df = self.by_region.copy()
        df["region"] = [geography.region_name(c, lang) if isinstance(c, str) and c
                        else text("column.unknown", lang) for c in df["region_code"]]
        return df

    def buyer_groups(self, lang: str) -> pd.DataFrame:
        """:attr:`by_buyer_group` with the group names in ``lang``."""
        from keino_metrics.indicators import buyer_group_label

        df = self.by_buyer_group.copy()
        df["buyer_group"] = [buyer_group_label(g, lang) if isinstance(g, str) and g
                             else text("column.unknown", lang) for g in df["buyer_group"]]
        return df

    # -- outputs --------------------------------------------------------
    def source(self, lang: str) -> str:
        """Description of the data source in ``lang``."""
        return text("report.source_demo" if self.demo else "report.source_files", lang)

    def figures(self, lang: str) -> dict[str, Figure]:
        """The report's figures in ``lang``, by file stem."""
        names = indicator_names(lang)
        src = self.source(lang)
        lots_year = self.n_lots(self.year)
        out: dict[str, Figure] = {}
        innov = self.innovation()
        if len(innov):
            out["innovation_target"] = figures.innovation_target(
                innov, {i: names.get(i, i) for i in self.innovation_ids}, lang=lang,
                title=text("figure.innov_target_title", lang, year=self.year),
                caption_text=figures.caption(lang, source=src, n=lots_year),
                target=self.target(), demo=self.demo)
        vol = self.volume()
        if len(vol):
            out["volume"] = figures.volume_trend(
                vol, lang=lang,
                title=text("figure.volume_title", lang, first_year=self.first_year,
                           year=self.year),
                caption_text=figures.caption(lang, source=src, n=self.n_lots()),
                demo=self.demo)
        from keino_metrics.indicators.compute import MIN_COVERAGE

        strat = self.select(STRATEGIC_IDS)
        if len(strat):
            out["strategic_trend"] = figures.share_trend(
                strat, {i: names.get(i, i) for i in STRATEGIC_IDS}, lang=lang,
                title=text("figure.strategic_title", lang, first_year=self.first_year,
                           year=self.year),
                caption_text=figures.caption(lang, source=src, n=self.n_lots()),
                demo=self.demo, min_coverage=MIN_COVERAGE)
        comp = self.select(COMPETITION_IDS)
        if len(comp):
            n_awards = int(comp[comp["indicator_id"] == "SMS-07"]["n_eligible"].fillna(0)
                           .sum()) if "n_eligible" in comp else 0
            out["competition_trend"] = figures.share_trend(
                comp, {i: names.get(i, i) for i in COMPETITION_IDS}, lang=lang,
                title=text("figure.competition_title", lang, first_year=self.first_year,
                           year=self.year),
                caption_text=figures.caption(lang, source=src, n=n_awards, unit="awards"),
                demo=self.demo, min_coverage=MIN_COVERAGE)
        reg = self.regions(lang)
        reg = reg[reg["indicator_id"].isin(REGION_FIGURE_IDS)]
        if len(reg):
            out["regions"] = figures.breakdown_bars(
                reg, {i: names.get(i, i) for i in REGION_FIGURE_IDS}, category="region",
                lang=lang, title=text("figure.region_title", lang, year=self.year),
                xlabel=text("figure.region_x", lang),
                caption_text=figures.caption(lang, source=src, n=lots_year), demo=self.demo)
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """Machine-readable tables (language-neutral column names) by file stem."""
        rows = self.rows.reset_index().rename(columns={"index": "table"})
        rows.columns = [str(c) for c in rows.columns]
        comp = self.completeness.reset_index()
        comp.columns = [str(c) for c in comp.columns]
        return {
            "summary": self.summary(),
            "indicators_by_year": self.by_year,
            "indicators_by_region": self.by_region,
            "indicators_by_buyer_group": self.by_buyer_group,
            "volume": self.volume(),
            "rows_by_year": rows,
            "completeness": comp,
            "quarantine": self.quarantine,
            "accounting": self.accounting,
            "catalogue": self.catalogue_table("en"),
        }

    def catalogue_table(self, lang: str) -> pd.DataFrame:
        """Catalogue entries of the indicators the report shows."""
        cat = _catalogue(lang)
        cat = cat[cat["indicator_id"].isin(set(self.ids))].sort_values("indicator_id")
        return cat.map(lambda v: ", ".join(map(str, v)) if isinstance(v, list | tuple) else v
                       ).reset_index(drop=True)

    def excel_tables(self, lang: str) -> dict[str, pd.DataFrame]:
        """The tables for the Excel workbook (the catalogue with names in ``lang``)."""
        return {**self.tables(), "catalogue": self.catalogue_table(lang)}

    def excel_formats(self, lang: str) -> dict[str, dict[str, str]]:
        """Excel number formats: shares as per cent, euros with thousands."""
        share_cols = {"coverage": "0.0%", "ci_low": "0.0%", "ci_high": "0.0%",
                      "numerator": "#,##0", "denominator": "#,##0"}
        fmt = {name: dict(share_cols) for name in ("summary", "indicators_by_year",
                                                   "indicators_by_region",
                                                   "indicators_by_buyer_group")}
        comp_cols = {str(c): "0.0%" for c in self.completeness.columns}
        fmt["completeness"] = comp_cols
        fmt["volume"] = {"notices": "#,##0", "lots": "#,##0", "value_eur": "#,##0"}
        return fmt


def _compute(ids: tuple[str, ...], data: Dataset, by: list[str]) -> pd.DataFrame:
    from keino_metrics.indicators import compute as compute_indicators

    return compute_indicators(list(ids), data, by=by).to_frame()


def compute(data: Dataset, year: int) -> ReportContent:
    """Compute the report's numbers for ``year`` from ``data``.

    Parameters
    ----------
    data : Dataset
        Canonical tables (demo or real).
    year : int
        Report year; trends run from the first year of the data to ``year``.
    """
    years = tuple(y for y in coverage.data_years(data) if y <= year)
    target_ids = innovation_ids()
    ids = tuple(dict.fromkeys((*target_ids, *_REPORT_IDS)))
    by_year = _compute(ids, data, ["year"]).dropna(subset=["year"])
    by_year = by_year[by_year["year"].astype(int) <= year].reset_index(drop=True)
    by_year["year"] = by_year["year"].astype(int)
    breakdowns = {}
    for col in ("region_code", "buyer_group"):
        df = _compute(BREAKDOWN_IDS, data, ["year", col]).dropna(subset=["year"])
        df = df[df["year"].astype(int) == year]
        breakdowns[col] = (df.assign(year=df["year"].astype(int))
                           .sort_values(["indicator_id", col], na_position="last")
                           .reset_index(drop=True))
    return ReportContent(
        year=year, innovation_ids=target_ids, years=years, demo=is_demo(data),
        by_year=by_year,
        by_region=breakdowns["region_code"], by_buyer_group=breakdowns["buyer_group"],
        rows=coverage.rows_by_year(data), completeness=coverage.completeness(data),
        quarantine=coverage.quarantine_counts(data, top=None),
        accounting=data.accounting_summary())
