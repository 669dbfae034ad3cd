import pandas as pd


def test_lot_ids_number_each_procedure(small):
    lots = small.lots.merge(small.notices[["notice_id", "procedure_id", "notice_type"]],
                            on="notice_id")
    num = lots["lot_id"].str[4:].astype(int)
    per_notice = lots.assign(num=num).groupby("notice_id")["num"].agg(["min", "max", "size"])
    assert (per_notice["min"] == 1).all() and (per_notice["max"] == per_notice["size"]).all()
    # the contract notice and the award notice of a procedure share the lots and texts
    cn = lots[lots["notice_type"] == "cn"].set_index(["procedure_id", "lot_id"])
    can = lots[lots["notice_type"] == "can"].set_index(["procedure_id", "lot_id"])
    both = cn.index.intersection(can.index)
    assert len(both) > 100
    for col in ("title", "cpv_main", "framework_agreement"):
        assert (cn.loc[both, col] == can.loc[both, col]).all(), col


def test_estimates_and_deadlines(small):
    lots = small.lots.merge(small.notices[["notice_id", "notice_type", "publication_date"]],
                            on="notice_id")
    shown = lots.groupby("notice_type")["estimated_value_eur"].apply(lambda s: s.notna().mean())
    assert shown["cn"] > shown["can"] > shown["veat"]
    assert (lots["estimated_value_currency"].notna() == lots["estimated_value_eur"].notna()).all()
    cn = lots[lots["notice_type"] == "cn"]
    assert (cn["submission_deadline"] > cn["publication_date"]).all()
    assert lots.loc[lots["notice_type"] == "veat", "submission_deadline"].isna().all()
    assert pd.api.types.is_datetime64_any_dtype(lots["submission_deadline"])
