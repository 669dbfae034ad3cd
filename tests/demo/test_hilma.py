import numpy as np
import pandas as pd

from keino_metrics import datamodel
from keino_metrics.demo.cpv import cpv_table
from keino_metrics.demo.hilma import LISTED_CRITERIA_SHARE, NEW_TO_BUYER_OTHERWISE, hilma_rows


def _rows(year, n=20_000, seed=0):
    rng = np.random.default_rng(seed)
    cpv = cpv_table()
    ci = rng.integers(0, len(cpv), n)
    awarded = pd.DataFrame({
        "notice_id": [f"n{i}" for i in range(n)], "lot_id": "LOT-0001", "year": year,
        "contract_nature": cpv["nature"].to_numpy()[ci], "cpv_index": ci,
        "sme_suitable": rng.random(n) < 0.8, "reported_innovative": rng.random(n) < 0.05,
        "reported_green": rng.random(n) < 0.45})
    return awarded, hilma_rows(rng, awarded, cpv), cpv


def test_answers_follow_reported_flags():
    awarded, h, cpv = _rows(2023)
    datamodel.schema("hilma_statistics").validate(datamodel.conform("hilma_statistics", h))
    env = ["energy_efficiency", "low_carbon", "circular_economy", "biodiversity",
           "sustainable_food"]
    green = awarded["reported_green"].to_numpy()
    assert (h.loc[green, env].any(axis=1)).all()
    assert not h.loc[~green, env].any(axis=1).any()
    assert h.loc[~green, "listed_green_criteria_used"].isna().all()
    assert abs(h.loc[green, "listed_green_criteria_used"].mean() - LISTED_CRITERIA_SHARE) < 0.02
    innov = awarded["reported_innovative"].to_numpy()
    assert (h["solution_new_to_market"].to_numpy() == innov).all()
    assert abs(h.loc[~innov, "solution_new_to_buyer"].mean() - NEW_TO_BUYER_OTHERWISE) < 0.02
    light = cpv["light"].to_numpy()[awarded["cpv_index"].to_numpy()]
    assert h.loc[~light, "end_user_involved"].isna().all()
    assert h.loc[light, "end_user_involved"].notna().all()


def test_voluntary_answers_before_2022():
    _, h, _ = _rows(2019)
    answered = h["innovation_considered"].notna()
    assert 0.05 < answered.mean() < 0.12
    cols = list(datamodel.HILMA_QUESTIONS)
    assert h.loc[~answered, cols].isna().all().all()
