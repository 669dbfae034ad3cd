"""How close a demo corpus comes to its calibration targets.

:func:`calibration_table` computes, from the tables of a generated corpus,
each calibrated figure next to its target and source, so that
``docs/demo-data.md`` never has to quote a measured number.
"""

from __future__ import annotations

import pandas as pd

from keino_metrics.demo import calibration as cal

__all__ = ["calibration_table"]


def _award_lots(data) -> pd.DataFrame:
    a = data.awards.merge(data.notices[["notice_id", "publication_date", "buyer_id"]],
                          on="notice_id")
    a["year"] = a["publication_date"].dt.year
    return a[a["winner_chosen"].fillna(False).astype(bool)]


def calibration_table(data) -> pd.DataFrame:
    """Achieved versus target for each calibrated figure of a demo corpus.

    Parameters
    ----------
    data : keino_metrics.Dataset
        A corpus from :func:`keino_metrics.demo.generate` or
        :func:`keino_metrics.demo.load` (it needs ``lot_truth``).

    Returns
    -------
    pandas.DataFrame
        ``figure``, ``target``, ``achieved``, ``source``; counts and volumes
        are divided by the corpus ``scale``.
    """
    scale = float(data.provenance.get("scale", 1.0))
    n = data.notices
    year = n["publication_date"].dt.year
    rows = []
    per_year = n.groupby(year).size()
    if 2021 in per_year.index:
        rows.append(("notices 2021", cal.NOTICES_2021, per_year[2021] / scale, "FI-NOTICES"))
    nature = data.lots.drop_duplicates("notice_id")["contract_nature"].value_counts(
        normalize=True)
    for k, v in cal.NATURE_MIX.items():
        rows.append((f"share of notices: {k}", v, float(nature.get(k, 0.0)), "FI-NOTICES"))
    aw = _award_lots(data)
    vol = aw.groupby("year")["awarded_value_eur"].sum()
    if 2018 in vol.index:
        rows.append(("awarded volume 2018, EUR", cal.AWARDED_VOLUME_2018_EUR,
                     vol[2018] / scale, "FI-VOL x NOTIFIED_SHARE_OF_MARKET"))
    kind = data.buyers.set_index("buyer_id")["buyer_kind"] if "buyer_kind" in data.buyers else None
    if kind is not None:
        state = aw["buyer_id"].map(kind) == "state"
        rows.append(("state share of awarded value", cal.STATE_VALUE_SHARE,
                     aw.loc[state, "awarded_value_eur"].sum() / aw["awarded_value_eur"].sum(),
                     "FI-VOL (TEM)"))
    known = aw.dropna(subset=["tenders_received"])
    rows.append(("single-bidder share of awarded lots", cal.SINGLE_BIDDER_EU_AVERAGE,
                 float((known["tenders_received"] == 1).mean()), "SMS-2024 (EU average)"))
    rows.append(("price-only share of lots", cal.PRICE_ONLY_EU_AVERAGE,
                 float(data.lots["price_only_award"].mean()), "SMS-2024 (EU average)"))
    rows.append(("framework share of lots", cal.FRAMEWORK_SHARE,
                 float(data.lots["framework_agreement"].mean()), "assumption"))
    truth = data.extra["lot_truth"]
    t = truth[truth["awarded"].astype(bool)]
    by_year = t.groupby("year")[["reported_innovative", "reported_green"]].mean()
    if 2020 in by_year.index:
        rows.append(("new to market, 2020", cal.NEW_TO_MARKET_2020,
                     by_year.loc[2020, "reported_innovative"], "FI-INNOV-MKT"))
    if 2018 in by_year.index:
        rows.append(("green (any environmental answer), 2018", cal.ENV_DEFINED_2017,
                     by_year.loc[2018, "reported_green"], "FI-ENV-2017"))
    h = data.hilma_statistics.merge(n[["notice_id", "publication_date"]], on="notice_id")
    hy = h["publication_date"].dt.year
    rows.append(("new to buyer, 2022 on", cal.NEW_TO_BUYER_2020,
                 float(h.loc[hy >= 2022, "solution_new_to_buyer"].mean()), "FI-INNOV-BUY"))
    for y, v in cal.SME_CONSIDERED.items():
        rows.append((f"SME participation considered, {y}", v,
                     float(h.loc[hy == y, "sme_participation_considered"].mean()),
                     "FI-SME-CONS"))
    return pd.DataFrame(rows, columns=["figure", "target", "achieved", "source"])
