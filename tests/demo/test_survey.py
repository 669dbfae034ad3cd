import numpy as np
import pandas as pd
import pytest

from keino_metrics.demo.survey import CONSTRUCTS, ITEMS, cronbach_alpha, survey_effect


@pytest.fixture(scope="module")
def survey(full):
    return full.extra["capability_survey"]


def test_layout(survey):
    assert list(survey.columns) == ["unit", "year", "respondent", "respondents", "role",
                                    *ITEMS]
    assert len(ITEMS) == 15
    assert sorted(survey["year"].unique()) == [2018, 2020, 2022, 2024]
    assert survey[list(ITEMS)].isin([1, 2, 3, 4, 5]).all().all()
    counts = survey.groupby(["unit", "year"])["respondent"].agg(["max", "size"])
    assert (counts["max"] == counts["size"]).all()
    assert (survey.groupby(["unit", "year"])["respondents"].first() == counts["size"]).all()
    assert not survey.duplicated(["unit", "year", "respondent"]).any()


@pytest.mark.parametrize("construct", CONSTRUCTS)
def test_reliability(survey, construct):
    alpha = cronbach_alpha(survey[[f"{construct}_{i}" for i in (1, 2, 3)]])
    assert 0.7 <= alpha <= 0.9


def test_cronbach_alpha_known_values():
    perfect = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4], "c": [1, 2, 3, 4]})
    assert cronbach_alpha(perfect) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    noise = pd.DataFrame(rng.integers(1, 6, size=(5000, 3)))
    assert abs(cronbach_alpha(noise)) < 0.1


def test_participants_improve(full, survey):
    cohort = full.extra["programme_truth"].drop_duplicates("buyer_id").set_index(
        "buyer_id")["cohort"]
    s = survey.assign(cohort=survey["unit"].map(cohort),
                      score=survey[list(ITEMS)].mean(axis=1))
    early = s[s["cohort"].isin([2019, 2020])]
    never = s[s["cohort"].isna()]
    change_p = early.groupby("year")["score"].mean()
    change_n = never.groupby("year")["score"].mean()
    did = (change_p[2024] - change_p[2018]) - (change_n[2024] - change_n[2018])
    assert did > 0.2


def test_survey_effect_profile():
    assert survey_effect("strategy", -1) == 0
    assert survey_effect("strategy", 0) > 0
    assert survey_effect("dialogue", 10) > survey_effect("strategy", 10)


def test_csv_layout_reads_back(small, tmp_path):
    from keino_metrics.indicators import read_capability_survey

    path = tmp_path / "survey.csv"
    small.extra["capability_survey"].to_csv(path, index=False)
    back = read_capability_survey(path)
    assert len(back) == len(small.extra["capability_survey"])
    assert set(ITEMS) <= set(back.columns)
