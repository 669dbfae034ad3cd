import pandas as pd
import pytest

from keino_metrics import demo, labels, terminal
from keino_metrics.indicators import compute


@pytest.fixture(scope="module")
def frame():
    data = demo.generate(seed=3, scale=0.02)
    return compute(["SMS-01", "SMS-03"], data, by=["year"]).to_frame()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_words_and_units_come_from_the_catalogue(lang):
    for key in ("indicator", "value", "ci", "coverage", "light", "status", "note",
                "not_measurable", "green", "year", "missing", "pooled"):
        assert terminal.word(key, lang) == labels.text(f"terminal.{key}", lang)
    for unit in ("share", "count", "eur", "days", "index", "ratio"):
        assert terminal.unit_name(unit, lang) == labels.text(f"terminal.units.{unit}", lang)
    assert terminal.word("no_such_column", lang) == "no_such_column"
    assert terminal.unit_name("furlong", lang) == "furlong"


def test_fmt_value_in_each_language():
    assert terminal.fmt_value(0.1234, "share", "fi") == "12,3 %"
    assert terminal.fmt_value(0.1234, "share", "en") == "12.3 %"
    assert terminal.fmt_value(1234567.0, "eur", "sv") == "1 234 567 EUR"
    assert terminal.fmt_value(float("nan"), "share", "fi") == ""
    assert terminal.fmt_value(None, "count", "en") == ""


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_result_table_is_in_one_language(frame, lang):
    table = terminal.result_table(frame, ["year"], lang)
    assert list(table.columns) == [terminal.word(k, lang) for k in
                                   ("indicator", "year", "value", "ci", "coverage", "light",
                                    "status", "note")]
    sms03 = table[table.iloc[:, 0].str.startswith("SMS-03")]
    assert len(sms03) and (sms03[terminal.word("status", lang)]
                           == terminal.word("not_measurable", lang)).all()
    notes = sms03[terminal.word("note", lang)]
    english = frame.loc[frame["indicator_id"] == "SMS-03", "warning"]
    assert english.str.startswith("not measurable").all()
    # each note is the English note written again from the same catalogue keys
    assert list(notes) == [labels.translate(v, "note", lang) for v in english]
    assert not notes.str.contains("not measurable").any()


def test_fit_width_cuts_the_given_column_with_an_ellipsis():
    table = pd.DataFrame({"a": ["x" * 10], "b": ["y" * 80]})
    out = terminal.fit_width(table, 40, cut=("b",))
    assert all(len(line) <= 40 for line in out.splitlines())
    assert out.splitlines()[1].endswith(terminal.ELLIPSIS)
