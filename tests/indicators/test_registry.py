"""Catalogue completeness, look-up and explanations."""

from __future__ import annotations

import pytest

from keino_metrics.indicators import catalogue, explain, get, ids
from keino_metrics.indicators.registry import resolve

REQUIRED = ["KEINO-VOL-NOTICES", "KEINO-VOL-LOTS", "KEINO-VOL-EUR", "KEINO-INNOV-MKT-N",
            "KEINO-INNOV-MKT-EUR", "KEINO-INNOV-BUY-N", "KEINO-INNOV-BUY-EUR",
            "KEINO-INNOV-EF-N", "KEINO-INNOV-EF-EUR", "KEINO-GREEN-N", "KEINO-GREEN-EUR",
            "KEINO-LOWCARBON-N", "KEINO-CIRC-N", "KEINO-SOCIAL-N", "SMS-01", "SMS-07",
            "SMS-08", *[f"SMS-{i:02d}" for i in range(1, 14)]]


def test_required_ids_exist():
    missing = [i for i in REQUIRED if i not in ids()]
    assert not missing


def test_every_record_is_complete():
    cat = catalogue()
    for col in ("name_fi", "name_sv", "name_en", "definition", "formula", "source",
                "direction", "unit_of_analysis", "fields"):
        empty = cat.loc[cat[col].fillna("").str.strip() == "", "id"].tolist()
        assert not empty, f"{col} empty for {empty}"
    prefixes = {i.split("-")[0] for i in cat["id"]}
    assert prefixes <= {"KEINO", "SMS", "EF", "FI", "OT", "RF", "CAP", "DQ", "SPEND"}
    assert cat["id"].is_unique


def test_crosswalk_targets_exist_or_are_reference_ids():
    known = set(ids())
    reference_only = {"FI-INNOV-MKT", "FI-INNOV-BUY", "FI-DIALOGUE", "FI-NOTICES", "FI-VOL",
                      "FI-STRAT-MGMT", "OT-A1", "OT-I8"}
    for ind_id in ids():
        for other in get(ind_id).crosswalk:
            assert other in known or other in reference_only, (ind_id, other)


def test_ten_percent_candidates_carry_target():
    cat = catalogue(family="innovation-target").set_index("id")
    assert len(cat) >= 7
    assert (cat["target"] == 0.10).all()
    assert cat["green"].notna().all() and cat["red"].notna().all()


def test_families_and_languages():
    fi = catalogue(family="scoreboard", lang="fi")
    assert fi.loc[fi["id"] == "SMS-01", "name"].iloc[0] == "Yhden tarjoajan kilpailutukset"
    assert "SMS-07" in set(catalogue(family="markets")["id"])       # also_in
    assert set(catalogue(family="SMS-")["id"]) == {f"SMS-{i:02d}" for i in range(1, 14)}
    with pytest.raises(ValueError, match="unknown family"):
        catalogue(family="nonsense")


def test_unknown_id_lists_close_matches():
    with pytest.raises(KeyError, match="SMS-01"):
        get("SMS-1")
    with pytest.raises(KeyError, match="did you mean"):
        resolve(["KEINO-INOV-MKT-N"])


def test_resolve_prefix_and_all():
    assert resolve("SMS-")[0] == "SMS-01"
    assert len(resolve("all")) == len(ids())
    with pytest.raises(KeyError, match="prefix"):
        resolve("XX-")


def test_explain_text():
    text = explain("SMS-01", lang="sv")
    assert text.startswith("SMS-01 - Upphandlingar med en enda anbudsgivare")
    assert "<= 0.10" in text and "OT-I1" in text
    # the source is cited in the language too
    assert "Källa: Europeiska kommissionen, resultattavlan för den inre marknaden" in text
    assert "Scoreboard" not in text and "European Commission" not in text


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_explain_names_the_family_in_the_language(lang):
    from keino_metrics.labels import text

    for iid in ids():
        ind = get(iid)
        line = next(x for x in explain(iid, lang=lang).splitlines()
                    if x.startswith(text("explain.family", lang) + ":"))
        assert text(f"indicator_family.{ind.family}", lang) in line, (iid, line)
        if ind.family not in ("eforms",):
            assert f": {ind.family}" not in line, (iid, line)
