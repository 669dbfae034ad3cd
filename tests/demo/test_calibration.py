"""The default corpus meets the published targets of keino_metrics.demo.calibration."""

import numpy as np
import pytest

from keino_metrics.demo import calibration as cal


@pytest.fixture(scope="module")
def award_lots(full):
    a = full.awards.merge(full.notices[["notice_id", "publication_date", "buyer_id"]],
                          on="notice_id")
    a["year"] = a["publication_date"].dt.year
    return a[a["winner_chosen"].astype(bool)]


@pytest.fixture(scope="module")
def hilma(full):
    h = full.hilma_statistics.merge(full.notices[["notice_id", "publication_date"]],
                                    on="notice_id")
    h["year"] = h["publication_date"].dt.year
    return h


def test_notices_per_year(full):
    per_year = full.notices.groupby(full.notices["publication_date"].dt.year).size()
    assert list(per_year.index) == list(range(2018, 2026))
    assert abs(per_year[2021] / cal.NOTICES_2021 - 1) < 0.04
    for y, count in per_year.items():
        assert abs(count / (cal.NOTICES_2021 * cal.NOTICE_INDEX[y]) - 1) < 0.06, y


def test_nature_mix_of_notices(full):
    first = full.lots.drop_duplicates("notice_id")["contract_nature"].value_counts(normalize=True)
    for nature, share in cal.NATURE_MIX.items():
        assert abs(first[nature] - share) < 0.02, nature


def test_notice_types_and_procedures(full):
    types = full.notices["notice_type"].value_counts(normalize=True)
    assert 0.4 < types["cn"] < 0.5 and 0.4 < types["can"] < 0.5
    assert 0.005 < types["veat"] < 0.05 and 0.005 < types["modification"] < 0.05
    proc = full.notices.drop_duplicates("procedure_id")["procedure_type"].value_counts(
        normalize=True)
    assert proc["open"] > 0.6
    assert {"restricted", "neg-w-call", "neg-wo-call", "innovation", "comp-dial"} <= set(proc.index)


def test_single_bidder_band(award_lots):
    known = award_lots.dropna(subset=["tenders_received"])
    single = (known["tenders_received"] == 1).mean()
    assert 0.20 <= single <= 0.30


def test_awarded_volume(full, award_lots):
    vol = award_lots.groupby("year")["awarded_value_eur"].sum()
    for y, v in vol.items():
        target = cal.AWARDED_VOLUME_2018_EUR * (1 + cal.VOLUME_GROWTH) ** (y - 2018)
        assert abs(v / target - 1) < 0.01, y
    kind = full.buyers.set_index("buyer_id")["buyer_kind"]
    state = award_lots["buyer_id"].map(kind) == "state"
    share = award_lots.loc[state, "awarded_value_eur"].sum() / award_lots[
        "awarded_value_eur"].sum()
    assert abs(share - cal.STATE_VALUE_SHARE) < 0.01


def test_values_are_heavy_tailed(award_lots):
    v = award_lots["awarded_value_eur"].dropna()
    assert v.mean() > 3 * v.median()
    top = v.sort_values(ascending=False)
    assert top.head(len(v) // 100).sum() / v.sum() > 0.2


def test_award_terms(full):
    lots = full.lots
    assert 0.40 <= lots["price_only_award"].mean() <= 0.55
    assert 0.17 <= lots["framework_agreement"].mean() <= 0.23
    lang = lots["language"].value_counts(normalize=True)
    assert 0.03 <= lang["sv"] <= 0.07 and 0.015 <= lang["en"] <= 0.045


def test_supplier_market_is_concentrated(award_lots):
    share = award_lots.groupby("winner_id")["awarded_value_eur"].sum().sort_values(
        ascending=False)
    share = share / share.sum()
    assert share.head(int(len(share) * 0.01)).sum() > 0.1
    sizes = award_lots["winner_size"].value_counts(normalize=True)
    assert 0.5 < sizes.drop("large").sum() < 0.8


def test_new_to_market_and_new_to_buyer(full, hilma):
    truth = full.extra["lot_truth"]
    aw = truth[truth["awarded"] & (truth["year"] == 2020)]
    assert abs(aw["reported_innovative"].mean() - cal.NEW_TO_MARKET_2020) < 0.01
    later = hilma[hilma["year"] >= 2022]
    assert abs(later["solution_new_to_buyer"].mean() - cal.NEW_TO_BUYER_2020) < 0.04


def test_sme_considered(hilma):
    for year, share in cal.SME_CONSIDERED.items():
        assert abs(hilma.loc[hilma["year"] == year, "sme_participation_considered"].mean()
                   - share) < 0.02


def test_green_share_and_trend(full):
    truth = full.extra["lot_truth"]
    aw = truth[truth["awarded"]]
    green = aw.groupby("year")["reported_green"].mean()
    assert abs(green[2018] - cal.ENV_DEFINED_2017) < 0.02
    assert green[2025] > green[2018] + 0.05
    innov = aw.groupby("year")["reported_innovative"].mean()
    assert np.polyfit(innov.index, innov.to_numpy(), 1)[0] > 0
