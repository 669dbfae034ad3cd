import numpy as np

from keino_metrics import geography
from keino_metrics.demo.buyers import activity, buyer_frame
from keino_metrics.demo.ids import is_business_id


def test_every_municipality_is_a_buyer():
    b = buyer_frame()
    muni = b[b["buyer_kind"] == "municipality"]
    assert set(muni["municipality_code"]) == set(geography.municipalities()["municipality_code"])
    assert len(muni) == 309
    assert (muni["legal_type"] == "la").all()


def test_every_region_has_joint_authorities():
    b = buyer_frame()
    joint = b[b["buyer_kind"] == "joint"]
    assert set(joint["region_code"]) == set(geography.regions()["region_code"])
    assert set(joint["legal_type"]) <= {"body-pl-la", "body-pl-ra", "ra"}
    wellbeing = joint[joint["name"].str.endswith("hyvinvointialue")]
    assert len(wellbeing) == 21 and (wellbeing["active_from"] == 2023).all()
    assert (wellbeing["legal_type"] == "ra").all()


def test_state_bodies_and_companies():
    b = buyer_frame()
    state = b[b["buyer_kind"] == "state"]
    assert 60 <= len(state) <= 120
    assert set(state["legal_type"]) <= {"cga", "body-pl-cga", "pub-undert-cga"}
    comp = b[b["buyer_kind"] == "company"]
    assert len(comp) > 30 and (comp["legal_type"] == "pub-undert-la").all()


def test_ids_names_and_nuts():
    b = buyer_frame()
    assert b["buyer_id"].is_unique and b["name"].is_unique
    assert all(is_business_id(x) for x in b["buyer_id"])
    r = geography.regions().set_index("region_code")
    assert (b["nuts3_2024"].map(geography.nuts3_to_region) == b["region_code"]).all()
    assert (b["nuts3_2021"].map(geography.nuts3_to_region) == b["region_code"]).all()
    assert set(b["nuts3_2021"]) <= set(r["nuts3_2021"])


def test_activity_shares_and_size():
    b = buyer_frame()
    years = list(range(2018, 2026))
    a = activity(b, years)
    assert np.allclose(a.sum(axis=0), 1)
    hd = b["name"].str.endswith("sairaanhoitopiiri").to_numpy()
    assert (a[hd, years.index(2023)] == 0).all() and (a[hd, 0] > 0).all()
    muni = b["buyer_kind"].eq("municipality").to_numpy()
    pop = b["population"].to_numpy(float)
    order = np.argsort(pop[muni])
    assert a[muni, 0][order[-1]] > 50 * a[muni, 0][order[0]]  # bigger municipalities buy more
