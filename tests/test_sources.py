"""keino_metrics.sources: which real sources a dataset came from."""

from __future__ import annotations

import json

import pandas as pd

from keino_metrics.sources import sources_of


def _accounting(*formats: str, accepted: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"source": list(formats), "rows_accepted": [accepted] * len(formats)})


def test_formats_name_the_sources():
    assert sources_of({}, _accounting("ted-legacy", "eforms", "validation")) == ("ted",)
    assert sources_of({}, _accounting("hilma", "ocds", "ted-csv")) == ("ted", "hilma", "ocds")
    assert sources_of({}, _accounting("eforms", accepted=0)) == ()  # nothing was read


def test_fetch_manifests_name_the_sources(tmp_path):
    folder = tmp_path / "hilma"
    (folder / ".fetch").mkdir(parents=True)
    (folder / ".fetch" / "manifest.json").write_text(json.dumps(
        {"runs": [{"source": "hilma"}], "files": [], "failures": []}))
    prov = {"read": {"paths": [str(folder), str(tmp_path / "gone")]}}
    assert sources_of(prov, _accounting()) == ("hilma",)


def test_demo_data_has_no_real_source():
    assert sources_of({"demo": True}, _accounting("eforms")) == ()
