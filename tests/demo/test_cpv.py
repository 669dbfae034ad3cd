from keino_metrics import codelists
from keino_metrics.demo.cpv import cpv_table


def test_table_shape_and_codes():
    t = cpv_table()
    assert 55 <= len(t) <= 70
    assert t["cpv"].str.fullmatch(r"\d{8}").all() and t["cpv"].is_unique
    assert set(t["nature"]) == codelists.codes("contract-nature")
    assert (t["division"] == t["cpv"].str[:2]).all()
    assert t["division"].nunique() >= 20
    assert (t["weight"] > 0).all() and (t["median_eur"] > 0).all()
    works = t[t["nature"] == "works"]
    assert works["cpv"].str.startswith("45").all()


def test_propensities_and_texts():
    t = cpv_table()
    for col in ("innov", "green", "energy", "lowcarb", "circ", "biodiv", "food"):
        assert t[col].between(0, 1).all(), col
    for lang in ("fi", "sv", "en"):
        assert t[f"{lang}_titles"].str.len().gt(0).all()
        assert t[f"{lang}_object"].str.len().gt(0).all()
    assert t.loc[t["food"] > 0.5, "cpv"].str[:2].isin(["15", "55"]).all()


def test_copy_is_independent():
    a = cpv_table()
    a.loc[0, "weight"] = -1
    assert cpv_table().loc[0, "weight"] > 0
