"""The numbers of the annual report, computed once from the data.

:func:`compute` runs the indicator catalogue on a dataset (every indicator
by year, a few by region and buyer group for the report year) and adds the
coverage tables. The resulting :class:`ReportContent` is what the notebook
renders in every language and what the report driver
(:mod:`keino_metrics.report.driver`) exports as figures, CSV and Excel, so the
report and its files always show the same numbers. Nothing here draws or
writes HTML: figures are in :mod:`keino_metrics.report.annual.figures` and the
HTML in :mod:`keino_metrics.report.annual.render`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from keino_metrics import geography
from keino_metrics.dataset import Dataset
from keino_metrics.labels import text
from keino_metrics.report import coverage, grouped
from keino_metrics.report.annual.headline import Headline
from keino_metrics.report.annual.headline import compute as compute_headline
from keino_metrics.report.annual.spend import SpendContent
from keino_metrics.report.annual.spend import compute as compute_spend
from keino_metrics.report.catalogue import (
    TARGET_FAMILY,
    catalogue_frame,
    family_ids,
    indicator_names,
    innovation_ids,
)
from keino_metrics.report.metadata import is_demo
from keino_metrics.report.samples import SamplesSummary, read_samples, sample_files, summarise
from keino_metrics.sources import sources_of

__all__ = ["TARGET_FAMILY", "VOLUME_IDS", "STRATEGIC_IDS", "COMPETITION_IDS",
           "SHARE_SUMMARY_IDS", "BREAKDOWN_IDS", "ReportContent", "compute",
           "indicator_names", "innovation_ids", "green_rules", "SCOREBOARD_FAMILY",
           "RISK_FAMILY", "CAPABILITY_FAMILY", "family_ids", "capability_index_ids"]

#: Catalogue family of the EU Single Market Scoreboard indicators (SMS-01..SMS-13).
SCOREBOARD_FAMILY = "scoreboard"
#: Catalogue family of the integrity and risk indicators (OT-*, RF-*).
RISK_FAMILY = "integrity"
#: Catalogue family of the capability-survey indices (CAP-*).
CAPABILITY_FAMILY = "capability"
#: Suffix of the reliability (Cronbach's alpha) companion of a capability index.
ALPHA_SUFFIX = "-ALPHA"
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


def capability_index_ids() -> tuple[str, ...]:
    """Capability indices of the catalogue (without their Cronbach's alpha companions)."""
    return tuple(i for i in family_ids(CAPABILITY_FAMILY) if not i.endswith(ALPHA_SUFFIX))


def green_rules() -> dict[str, str]:
    """Green-band rule of each catalogue indicator that has one (``"<= 0.10"``)."""
    cat = catalogue_frame("en")
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
    scoreboard_ids : tuple of str
        EU Single Market Scoreboard indicators (catalogue family ``scoreboard``).
    risk_ids : tuple of str
        Integrity and risk indicators (catalogue family ``integrity``); they are
        also in :attr:`by_buyer_group`.
    capability_ids : tuple of str
        Capability-survey indices and their Cronbach's alpha companions.
    sources : tuple of str
        Real sources of the data (:func:`keino_metrics.sources.sources_of`);
        empty for demonstration data.
    samples : SamplesSummary or None
        Summary of the real sample notices (``None`` when there are none).
    headline : Headline or None
        The answers the report opens with (:mod:`~keino_metrics.report.annual.headline`).
    spend : SpendContent or None
        The spend section (:mod:`keino_metrics.report.annual.spend`).
    meta : Mapping
        Reproducibility metadata of the run (:func:`keino_metrics.report.metadata.collect`);
        empty until the driver or the notebook adds it.
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
    scoreboard_ids: tuple[str, ...] = ()
    risk_ids: tuple[str, ...] = ()
    capability_ids: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    samples: SamplesSummary | None = field(default=None, repr=False)
    headline: Headline | None = field(default=None, repr=False)
    meta: Mapping[str, object] = field(default_factory=dict, repr=False)
    spend: SpendContent | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Every indicator by year (:attr:`by_year`)."""
        return self.by_year.copy()

    # -- selections -----------------------------------------------------
    @property
    def ids(self) -> tuple[str, ...]:
        """Every indicator the report shows."""
        return tuple(dict.fromkeys((*self.innovation_ids, *_REPORT_IDS, *self.scoreboard_ids,
                                    *self.risk_ids, *self.capability_ids)))

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

    def with_reasons(self, ids: tuple[str, ...], year: int | None = None,
                     extra: tuple[str, ...] = (), lang: str = "en") -> pd.DataFrame:
        """:meth:`select` for the report year, with a row for every id without a result.

        An indicator that gives no value in ``year`` (no result row, or
        coverage 0) keeps its row, with coverage 0 and the reason in
        ``warning``: the warning of its latest result, else its catalogue
        limits. ``extra`` names catalogue columns to add (``threshold_source``,
        ``reference_values``, ``limits``), in ``lang``; missing text becomes ``""``.
        """
        year = self.year if year is None else year
        df = self.select(ids, year)
        cat = catalogue_frame(lang).set_index("indicator_id")
        missing = [i for i in ids if i not in set(df["indicator_id"])]
        if missing:
            rows = []
            for i in missing:
                hist = self.by_year[(self.by_year["indicator_id"] == i)
                                    & self.by_year["warning"].notna()]
                reason = (str(hist.sort_values("year")["warning"].iloc[-1]) if len(hist)
                          else str(cat.loc[i, "limits"]) if i in cat.index else "")
                rows.append({"indicator_id": i, "year": year, "coverage": 0.0, "light": None,
                             "status": "not_measurable",
                             "unit": cat.loc[i, "unit"] if i in cat.index else "",
                             "warning": reason})
            df = pd.concat([df, pd.DataFrame(rows)], ignore_index=True)
            df = self._order(df, ids)
        df["warning"] = df["warning"].astype(object).where(df["warning"].notna(), "")
        if "status" not in df:
            df["status"] = None
        unmeasured = df["value"].isna()
        df["status"] = df["status"].astype(object).where(~unmeasured, "not_measurable")
        df["light"] = df["light"].astype(object).where(df["status"] == "measured", None)
        for col in extra:
            df[col] = [_text_cell(cat.loc[i, col]) if i in cat.index and col in cat.columns
                       else "" for i in df["indicator_id"]]
        return df

    @staticmethod
    def _order(df: pd.DataFrame, ids: tuple[str, ...]) -> pd.DataFrame:
        order = {i: k for k, i in enumerate(ids)}
        return (df.assign(_o=df["indicator_id"].map(order))
                .sort_values(["_o", "year"]).drop(columns="_o").reset_index(drop=True))

    def scoreboard(self, lang: str = "en") -> pd.DataFrame:
        """The Scoreboard indicators in the report year, with threshold source and EU average.

        ``reference_values`` is the catalogue's published reference (such as
        the EU average of the Scoreboard 2024) where the catalogue carries one.
        """
        return self.with_reasons(self.scoreboard_ids,
                                 extra=("threshold_source", "reference_values"), lang=lang)

    def risk(self, lang: str = "en") -> pd.DataFrame:
        """The integrity and risk indicators in the report year, with their stated limits in ``lang``."""
        return self.with_reasons(self.risk_ids, extra=("limits",), lang=lang)

    def risk_breakdown_ids(self) -> tuple[str, ...]:
        """Risk indicators with a value for some buyer group in the report year."""
        df = self.by_buyer_group[self.by_buyer_group["indicator_id"].isin(self.risk_ids)]
        have = set(df.loc[df["value"].notna() & (df["coverage"] > 0), "indicator_id"])
        return tuple(i for i in self.risk_ids if i in have)

    def capability(self) -> pd.DataFrame:
        """Capability indices by year with their Cronbach's alpha (column ``alpha``).

        Only survey years up to the report year appear; the survey need not be
        run every year.
        """
        idx = tuple(i for i in self.capability_ids if not i.endswith(ALPHA_SUFFIX))
        df = self.select(idx)
        alpha = self.select(tuple(f"{i}{ALPHA_SUFFIX}" for i in idx))
        alpha = alpha.assign(indicator_id=alpha["indicator_id"].str.removesuffix(ALPHA_SUFFIX))
        df = df.merge(alpha[["indicator_id", "year", "value"]].rename(
            columns={"value": "alpha"}), on=["indicator_id", "year"], how="left")
        return self._order(df, idx)

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

    def coverage_statement(self, lang: str) -> str:
        """What the real sources cover, in ``lang`` (empty for demonstration data)."""
        if self.demo:
            return ""
        keys = [f"report.coverage_{s}" for s in self.sources] or ["report.coverage_unknown"]
        return " ".join(text(k, lang) for k in (*keys, "report.coverage_unmeasurable"))

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
            "scoreboard": self.scoreboard(),
            "risk": self.risk(),
            "capability": self.capability(),
            "catalogue": self.catalogue_table("en"),
            **self.headline_tables(),
            **(self.spend.tables() if self.spend is not None else {}),
        }

    def headline_tables(self) -> dict[str, pd.DataFrame]:
        """The headline's shares, outlook and programme effects (empty without a headline)."""
        h = self.headline
        if h is None:
            return {}
        return {"headline_shares": h.shares, "headline_outlook": h.outlook,
                "headline_programmes": h.programmes}

    def catalogue_table(self, lang: str) -> pd.DataFrame:
        """Catalogue entries of the indicators the report shows."""
        cat = catalogue_frame(lang)
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
        fmt = {name: dict(share_cols) for name in ("summary", "scoreboard", "risk",
                                                   "indicators_by_year",
                                                   "indicators_by_region",
                                                   "indicators_by_buyer_group")}
        comp_cols = {str(c): "0.0%" for c in self.completeness.columns}
        fmt["completeness"] = comp_cols
        fmt["volume"] = {"notices": "#,##0", "lots": "#,##0", "value_eur": "#,##0"}
        return fmt


def _text_cell(v: object) -> str:
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def _compute(ids: tuple[str, ...], data: Dataset, by: list[str]) -> pd.DataFrame:
    from keino_metrics.indicators import compute as compute_indicators

    return grouped.shown(compute_indicators(list(ids), data, by=by))


def compute(data: Dataset, year: int, *, seed: int = 2024, samples: bool = True
            ) -> ReportContent:
    """Compute the report's numbers for ``year`` from ``data``.

    Parameters
    ----------
    data : Dataset
        Canonical tables (demo or real).
    year : int
        Report year; trends run from the first year of the data to ``year``.
    seed : int
        Seed of the headline's forecast simulation and bootstrap.
    samples : bool
        Read and summarise the real sample notices (``data/raw/samples``).
    """
    years = tuple(y for y in coverage.data_years(data) if y <= year)
    target_ids = innovation_ids()
    sms, risk = family_ids(SCOREBOARD_FAMILY), family_ids(RISK_FAMILY)
    cap = family_ids(CAPABILITY_FAMILY)
    ids = tuple(dict.fromkeys((*target_ids, *_REPORT_IDS, *sms, *risk, *cap)))
    by_year = _compute(ids, data, ["year"]).dropna(subset=["year"])
    by_year = by_year[by_year["year"].astype(int) <= year].reset_index(drop=True)
    by_year["year"] = by_year["year"].astype(int)
    breakdowns = {}
    for col, extra in (("region_code", ()), ("buyer_group", risk)):
        df = _compute(tuple(dict.fromkeys((*BREAKDOWN_IDS, *extra))), data,
                      ["year", col]).dropna(subset=["year"])
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
        accounting=data.accounting_summary(),
        scoreboard_ids=sms, risk_ids=risk, capability_ids=cap,
        sources=sources_of(data.provenance, data.accounting_summary()),
        samples=summarise(read_samples()) if samples and sample_files() else None,
        headline=compute_headline(data, by_year, target_ids, year, seed=seed),
        spend=compute_spend(data, year, notice_by_year=by_year, innovation_ids=target_ids,
                            demo=is_demo(data), seed=seed))
