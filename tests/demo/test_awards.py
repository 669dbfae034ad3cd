def test_direct_awards_have_few_tenders(small):
    aw = small.awards.merge(small.notices[["notice_id", "procedure_type"]], on="notice_id")
    direct = aw[(aw["procedure_type"] == "neg-wo-call") & aw["winner_chosen"].astype(bool)]
    assert len(direct) and direct["tenders_received"].dropna().le(2).all()
    opened = aw[(aw["procedure_type"] == "open") & aw["winner_chosen"].astype(bool)]
    assert opened["tenders_received"].mean() > 3


def test_no_winner_lots(small):
    aw = small.awards
    lost = aw[~aw["winner_chosen"].astype(bool)]
    assert 0.02 < len(lost) / len(aw) < 0.08
    assert lost[["winner_id", "winner_size", "value_source", "awarded_value_eur"]].isna().all().all()


def test_framework_values_come_from_the_maximum(small):
    aw = small.awards.merge(small.lots[["notice_id", "lot_id", "framework_agreement"]],
                            on=["notice_id", "lot_id"])
    fw = aw[aw["framework_agreement"].astype(bool) & aw["value_source"].notna()]
    assert 0.55 < (fw["value_source"] == "BT-709").mean() < 0.85
    assert not aw.loc[~aw["framework_agreement"].astype(bool), "value_source"].eq("BT-709").any()
