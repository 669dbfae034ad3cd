"""Reading the capability survey."""

from __future__ import annotations

import pytest

from keino_metrics.indicators import compute, read_capability_survey
from keino_metrics.indicators.codes import SURVEY_ITEMS

HEADER = "unit,year," + ",".join(SURVEY_ITEMS)


def test_read_and_compute(tiny, tmp_path):
    p = tmp_path / "survey.csv"
    rows = ["B1,2024," + ",".join(["5"] * 15), "B2,2024," + ",".join(["1"] * 14 + [""])]
    p.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    s = read_capability_survey(p)
    assert s["followup_3"].isna().sum() == 1
    data = tiny.replace(extra={"capability_survey": s})
    f = compute(["CAP-STRATEGY", "CAP-FOLLOWUP-ALPHA"], data, engine="pandas").to_frame()
    f = f.set_index("indicator_id")
    assert f.loc["CAP-STRATEGY", "estimate"] == pytest.approx(50.0)   # (100 + 0) / 2
    assert f.loc["CAP-FOLLOWUP-ALPHA", "n"] == 1           # one complete response


@pytest.mark.parametrize(("row", "match"), [
    ("B1,2024," + ",".join(["6"] * 15), "row 2, column strategy_1"),
    ("B1,20x4," + ",".join(["3"] * 15), "row 2, column year"),
    (",2024," + ",".join(["3"] * 15), "row 2, column unit"),
])
def test_bad_survey(tmp_path, row, match):
    p = tmp_path / "bad.csv"
    p.write_text(HEADER + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        read_capability_survey(p)


def test_missing_column(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("unit,year\nB1,2024\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        read_capability_survey(p)
