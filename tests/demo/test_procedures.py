import numpy as np
import pandas as pd

from keino_metrics import codelists
from keino_metrics.demo import calibration as cal
from keino_metrics.demo.buyers import activity, buyer_frame
from keino_metrics.demo.cpv import cpv_table
from keino_metrics.demo.procedures import (
    PROCEDURE_MIX,
    _workday,
    draw_procedures,
    expected_notices_per_procedure,
    notice_rows,
)


def test_procedure_mix_uses_eforms_codes():
    allowed = codelists.codes("procurement-procedure-type")
    for nature, mix in PROCEDURE_MIX.items():
        assert nature in cal.NATURE_MIX
        assert set(mix) <= allowed
        assert abs(sum(mix.values()) - 1) < 1e-9


def test_workday_moves_weekends_and_holidays():
    d = np.array(["2022-01-01", "2022-01-02", "2021-12-25", "2023-05-01", "2024-03-05",
                  "NaT"], dtype="datetime64[D]")
    out = _workday(d)
    assert str(out[0]) == "2021-12-31"  # a Saturday goes back to Friday
    assert str(out[1]) == "2022-01-03"  # a Sunday goes on to Monday
    assert str(out[2]) == "2021-12-27"  # Christmas Day (Saturday) -> Friday 24.12 -> 27.12
    assert str(out[3]) == "2023-05-02"
    assert str(out[4]) == "2024-03-05"
    assert np.isnat(out[5])
    assert ((out[:5].astype(np.int64) + 3) % 7 < 5).all()


def test_notice_counts_follow_the_chain():
    rng = np.random.default_rng(4)
    buyers = buyer_frame()
    years = [2020, 2021]
    procs = draw_procedures(rng, buyers, activity(buyers, years), years, 0.3, cpv_table())
    rows = notice_rows(procs, (2000, 2100))  # keep every notice
    assert abs(len(rows) / len(procs) - expected_notices_per_procedure()) < 0.05
    assert rows["date"].is_monotonic_increasing
    direct = procs["procedure_type"] == "neg-wo-call"
    assert procs.loc[direct, "cn"].isna().all() and procs.loc[~direct, "cn"].notna().all()
    has = procs["can"].notna() & procs["deadline"].notna()
    assert (procs.loc[has, "decision"] > procs.loc[has, "deadline"]).all()
    assert (procs.loc[procs["can"].notna(), "can"] > procs.loc[procs["can"].notna(),
                                                              "decision"]).all()
    assert pd.Series(procs["n_lots"]).between(1, 30).all()
