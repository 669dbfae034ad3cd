from keino_metrics import geography


def test_tables_complete():
    assert len(geography.municipalities()) == 309
    assert len(geography.regions()) == 19


def test_nuts_2021_and_2024_map_to_the_same_region():
    r = geography.regions()
    changed = r[r["nuts3_2021"] != r["nuts3_2024"]]
    assert len(changed) == 9
    for row in r.itertuples():
        assert geography.nuts3_to_region(row.nuts3_2021) == row.region_code
        assert geography.nuts3_to_region(row.nuts3_2024) == row.region_code
    assert geography.nuts3_to_region("SE110") is None
    assert geography.nuts3_to_region(None) is None


def test_every_municipality_region_exists():
    assert set(geography.municipalities()["region_code"]) <= set(geography.regions()["region_code"])
    assert geography.region_name("15", "en") == "Ostrobothnia"
