from __future__ import annotations

import pandas as pd

from keino_metrics import Dataset, demo
from keino_metrics.pipeline import process


def test_demo_raw_to_processed_balances_and_keeps_bad_rows(tmp_path):
    raw = tmp_path / "raw"
    data = demo.generate(seed=3, scale=0.02)
    lots = data.lots.copy()
    lots["estimated_value_eur"] = lots["estimated_value_eur"].astype("Float64")
    lots.loc[lots.index[0], "estimated_value_eur"] = -1.0
    data.replace(lots=lots).to_parquet(raw)

    out = process(raw, tmp_path / "processed")

    acc = out.accounting[out.accounting["source"] == "validation"].set_index("input")
    assert (acc["rows_in"] == acc["rows_accepted"] + acc["rows_quarantined"]).all()
    assert acc.loc["lots", "rows_in"] == len(data.lots)
    assert acc.loc["lots", "rows_quarantined"] >= 1
    q = out.quarantine
    bad = q[q["field"] == "estimated_value_eur"]
    assert len(bad) == 1 and "below the allowed minimum" in bad["reason"].iloc[0]
    back = Dataset.from_parquet(tmp_path / "processed")
    assert len(back.lots) == len(out.lots)
    assert len(back.quarantine) == len(q)
    assert back.provenance["validated_from"] == str(raw)
    # awards of the quarantined lot's notice still refer to known notices
    assert set(back.awards["notice_id"]) <= set(back.notices["notice_id"])
    assert isinstance(pd.read_json(tmp_path / "processed" / "accounting.json"), pd.DataFrame)


def test_prepare_reuses_processed_tables_only_while_the_input_is_unchanged(tmp_path):
    from keino_metrics.pipeline import input_digest, prepare

    raw, out = tmp_path / "raw", tmp_path / "out"
    demo.generate(seed=4, scale=0.01).to_parquet(raw)
    first = prepare(raw, out)
    assert first.provenance["input_digest"] == input_digest(raw)
    stamp = (out / "lots.parquet").stat().st_mtime_ns
    again = prepare(raw, out)
    assert (out / "lots.parquet").stat().st_mtime_ns == stamp  # read, not rewritten
    assert len(again.lots) == len(first.lots)
    # a changed input is processed again
    changed = Dataset.from_parquet(raw)
    changed.replace(lots=changed.lots.iloc[1:]).to_parquet(raw, overwrite=True)
    third = prepare(raw, out)
    assert len(third.lots) == len(first.lots) - 1


def test_inputs_with_the_same_name_in_different_places_get_their_own_processed_folder(tmp_path):
    from keino_metrics import paths
    from keino_metrics.pipeline import processed_name

    a, b = tmp_path / "one" / "demo", tmp_path / "two" / "demo"
    assert processed_name(a) != processed_name(b)
    assert processed_name(a).startswith("demo-")
    assert processed_name(a) != processed_name(paths.demo_dir())
    assert processed_name(paths.demo_dir()) == "demo"
