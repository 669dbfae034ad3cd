import numpy as np

from keino_metrics.demo.cpv import cpv_table
from keino_metrics.demo.titles import titles_and_descriptions


def _make(lang, nature_row, lots=1, lot_no=1, framework=False, contract=1, option=0, show=False):
    cpv = cpv_table()
    idx = int(np.flatnonzero(cpv["nature"].to_numpy() == nature_row)[0])
    title, desc = titles_and_descriptions(
        cpv, np.array([idx]), np.array([lang]), np.array([0.0]), np.array([lot_no]),
        np.array([lots]), np.array([framework]), np.array([2021]), np.array([contract]),
        np.array([option]), np.array([10]), np.array([show]))
    return title.iloc[0], desc.iloc[0], cpv.iloc[idx]


def test_finnish_plurals_and_options():
    _, one, _ = _make("fi", "services", contract=1, option=1)
    assert "Sopimuskausi on 1 vuosi, minkä lisäksi 1 optiovuosi." in one
    _, many, _ = _make("fi", "services", contract=3, option=2)
    assert "Sopimuskausi on 3 vuotta, minkä lisäksi 2 optiovuotta." in many
    _, none, _ = _make("fi", "services", contract=2, option=0)
    assert none.endswith("Sopimuskausi on 2 vuotta.")


def test_swedish_english_and_works():
    _, sv, _ = _make("sv", "supplies", contract=2, option=1)
    assert "Upphandlingen gäller" in sv and "Avtalsperioden är 2 år, med option" in sv
    _, en, _ = _make("en", "services", contract=1)
    assert "The contract period is 1 year." in en
    _, works, _ = _make("fi", "works")
    assert works.endswith("Urakka-aika on noin 10 kuukautta.")


def test_title_parts():
    t, _, row = _make("fi", "services", lots=3, lot_no=2, framework=True, contract=3, show=True)
    assert t.startswith(row["fi_titles"].split("|")[0])
    assert ", osa-alue 2" in t and "puitejärjestely" in t and t.endswith("2021–2024")
    single, _, _ = _make("en", "services", lots=1)
    assert ", lot" not in single
