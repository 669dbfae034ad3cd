import numpy as np
import pandas as pd
import pytest

from keino_metrics import codelists, datamodel, demo, geography


def _all_tables(d):
    return {**d.tables(), **dict(d.extra)}


def test_same_seed_gives_identical_frames(small):
    again = demo.generate(seed=7, scale=0.05)
    for name, df in _all_tables(small).items():
        pd.testing.assert_frame_equal(df, _all_tables(again)[name], obj=name)


def test_different_seeds_differ(small):
    other = demo.generate(seed=8, scale=0.05)
    assert not small.notices["publication_date"].equals(other.notices["publication_date"])
    assert len(small.lots) != len(other.lots) or not small.lots["cpv_main"].equals(
        other.lots["cpv_main"])


@pytest.mark.parametrize("table", datamodel.TABLE_NAMES)
def test_tables_validate(small, table):
    df = small[table]
    datamodel.schema(table).validate(df, lazy=True)
    datamodel.schema(table).validate(datamodel.conform(table, df), lazy=True)


def test_keys_are_unique(small):
    for table, key in datamodel.KEYS.items():
        if key:
            assert not small[table].duplicated(list(key)).any(), table


def test_referential_integrity(small):
    n, lots, aw, h = small.notices, small.lots, small.awards, small.hilma_statistics
    assert set(lots["notice_id"]) <= set(n["notice_id"])
    assert set(n["buyer_id"]) <= set(small.buyers["buyer_id"])
    can = n.loc[n["notice_type"] == "can", "notice_id"]
    can_lots = lots[lots["notice_id"].isin(can)]
    key = ["notice_id", "lot_id"]
    assert (can_lots[key].sort_values(key).reset_index(drop=True)
            .equals(aw[key].sort_values(key).reset_index(drop=True)))
    won = aw[aw["winner_chosen"].fillna(False).astype(bool)]
    assert set(map(tuple, h[key].to_numpy())) == set(map(tuple, won[key].to_numpy()))
    assert set(small.programme_participation["buyer_id"]) <= set(small.buyers["buyer_id"])
    truth = small.extra["lot_truth"]
    assert truth[key].equals(lots[key])


def test_notice_chain_and_dates(small):
    n, lots, aw = small.notices, small.lots, small.awards
    assert set(n["notice_type"]) == {"pin", "cn", "can", "veat", "modification", "corrigendum"}
    # a procedure has at most one notice of each type and one buyer
    assert not n.duplicated(["procedure_id", "notice_type"]).any()
    assert (n.groupby("procedure_id")["buyer_id"].nunique() == 1).all()
    can = aw.merge(lots[["notice_id", "lot_id", "submission_deadline"]], on=["notice_id", "lot_id"])
    can = can.merge(n[["notice_id", "publication_date"]], on="notice_id")
    has = can["submission_deadline"].notna() & can["decision_date"].notna()
    assert (can.loc[has, "decision_date"] > can.loc[has, "submission_deadline"]).all()
    assert (can["decision_date"] < can["publication_date"]).all()
    # direct awards have no contract notice and no deadline
    direct = n[n["procedure_type"] == "neg-wo-call"]
    assert not direct["notice_type"].isin(["cn", "pin"]).any()
    assert n["publication_date"].dt.day_of_week.lt(5).all()
    holidays = {"01-01", "01-06", "05-01", "12-06", "12-24", "12-25", "12-26"}
    assert not n["publication_date"].dt.strftime("%m-%d").isin(holidays).any()


def test_awards_are_consistent(small):
    aw = small.awards
    both = aw["tenders_received"].notna() & aw["sme_tenders_received"].notna()
    assert (aw.loc[both, "sme_tenders_received"] <= aw.loc[both, "tenders_received"]).all()
    won = aw["winner_chosen"].astype(bool)
    assert aw.loc[~won, "winner_id"].isna().all()
    assert aw.loc[won, "winner_id"].notna().all()
    assert aw.loc[~won, "awarded_value_eur"].isna().all()
    assert aw["awarded_value_eur"].notna().eq(aw["value_source"].notna()).all()
    assert set(aw["value_source"].dropna()) <= {"BT-720", "BT-709", "BT-161", "BT-27"}
    assert (aw["value_source"] == "BT-720").mean() > 0.6
    sizes = small.extra["suppliers"].set_index("supplier_id")["size"]
    coded = aw.dropna(subset=["winner_size"])
    coded = coded[coded["winner_size"] != "sme"]
    assert (coded["winner_id"].map(sizes) == coded["winner_size"]).all()


def test_lot_text_columns(small):
    lots = small.lots
    assert lots[["title", "description", "language"]].notna().all().all()
    assert set(lots["language"]) == {"fi", "sv", "en"}
    sv = lots[lots["language"] == "sv"]
    assert sv["description"].str.contains("Upphandlingen gäller").all()
    fi = lots[lots["language"] == "fi"]
    assert fi["description"].str.contains("Hankinnan kohteena on").all()
    multi = lots[lots["title"].str.contains(", osa-alue ")]
    assert (multi["lot_id"] != "LOT-0001").any()


def test_nuts_version_follows_year(small):
    lots = small.lots.merge(small.notices[["notice_id", "publication_date"]], on="notice_id")
    year = lots["publication_date"].dt.year
    r = geography.regions()
    only21 = set(r["nuts3_2021"]) - set(r["nuts3_2024"])
    only24 = set(r["nuts3_2024"]) - set(r["nuts3_2021"])
    assert not lots.loc[year >= 2024, "nuts3"].isin(only21).any()
    assert not lots.loc[year < 2024, "nuts3"].isin(only24).any()
    assert lots.loc[year >= 2024, "nuts3"].isin(only24).any()


def test_strategic_fields_only_in_eforms_era(small):
    lots = small.lots.merge(small.notices[["notice_id", "publication_date"]], on="notice_id")
    before = lots["publication_date"] < pd.Timestamp("2023-10-25")
    cols = ["strategic_procurement", "green_procurement", "social_objective", "innovation",
            "gpp_criteria"]
    assert lots.loc[before, cols].isna().all().all()
    after = lots.loc[~before]
    filled = after["strategic_procurement"].notna().mean()
    assert 0.2 < filled < 0.5
    allowed = codelists.codes("strategic-procurement")
    assert after["strategic_procurement"].dropna().map(lambda v: set(v) <= allowed).all()
    env = after["strategic_procurement"].map(lambda v: v is not None and "env-imp" in v)
    assert after.loc[env, "green_procurement"].notna().all()
    assert after.loc[~env, "green_procurement"].isna().all()


def test_hilma_missing_before_2022(small):
    h = small.hilma_statistics.merge(small.notices[["notice_id", "publication_date"]],
                                     on="notice_id")
    year = h["publication_date"].dt.year
    answered = h["solution_new_to_market"].notna()
    assert answered[year >= 2022].all()
    assert answered[year < 2022].mean() < 0.3
    env = ["energy_efficiency", "low_carbon", "circular_economy", "biodiversity",
           "sustainable_food"]
    sub = h[answered]
    any_env = sub[env].any(axis=1)
    assert sub.loc[~any_env, "listed_green_criteria_used"].isna().all()
    assert sub.loc[any_env, "listed_green_criteria_used"].notna().all()
    assert (sub["solution_new_to_buyer"] | ~sub["solution_new_to_market"]).all()


def test_hilma_answers_match_reported_truth(small):
    truth = small.extra["lot_truth"]
    h = small.hilma_statistics.merge(truth, on=["notice_id", "lot_id"])
    h = h[h["solution_new_to_market"].notna()]
    assert (h["solution_new_to_market"].astype(bool) == h["reported_innovative"]).all()
    env = ["energy_efficiency", "low_carbon", "circular_economy", "biodiversity",
           "sustainable_food", "listed_green_criteria_used"]
    assert (h[env].fillna(False).any(axis=1) == h["reported_green"]).all()


def test_scale_parameter(small):
    tiny = demo.generate(seed=7, scale=0.02)
    assert 0.25 < len(tiny.notices) / len(small.notices) < 0.55
    assert len(tiny.buyers) == len(small.buyers)
    assert demo.generate(seed=7, scale=0.02, years=(2020, 2021)).notices[
        "publication_date"].dt.year.between(2020, 2021).all()


@pytest.mark.parametrize("kwargs", [
    {"scale": 0}, {"scale": -1}, {"seed": -3}, {"years": (2010, 2012)}, {"years": (2024, 2020)},
])
def test_bad_parameters_are_rejected(kwargs):
    with pytest.raises(ValueError):
        demo.generate(**kwargs)


def test_provenance(small):
    p = small.provenance
    assert p["demo"] is True and p["seed"] == 7 and p["scale"] == 0.05
    assert p["years"] == [2018, 2025] and p["generator"] == "keino_metrics.demo"
    assert (small.notices["source"] == "demo").all()
    acc = small.accounting_summary()
    assert acc["balanced"].all() and int(acc["rows_in"].sum()) == len(small.notices)
    assert np.isfinite(small.lots["estimated_value_eur"].dropna()).all()


def test_all_municipalities_and_regions_in_dataset(small):
    b = small.buyers
    codes = set(geography.municipalities()["municipality_code"])
    assert codes <= set(b.loc[b["legal_type"] == "la", "municipality_code"])
    assert set(geography.regions()["region_code"]) <= set(b["region_code"])
    assert (b["country"] == "FI").all()


@pytest.mark.parametrize("seed, scale, years", [
    (0, 0.002, (2018, 2025)), (11, 0.01, (2017, 2026)), (12, 0.01, (2024, 2024)),
])
def test_edge_parameters_still_validate(seed, scale, years):
    d = demo.generate(seed=seed, scale=scale, years=years)
    for table in datamodel.TABLE_NAMES:
        datamodel.schema(table).validate(d[table], lazy=True)
    y = d.notices["publication_date"].dt.year
    assert y.between(*years).all()
    assert len(d.buyers) == 513
