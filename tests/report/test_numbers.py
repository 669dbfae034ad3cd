import pytest

from keino_metrics.report import numbers

NBSP = "\xa0"


def test_finnish_uses_decimal_comma_and_no_break_spaces():
    assert numbers.number(1234567.891, "fi", 1) == f"1{NBSP}234{NBSP}567,9"
    assert numbers.percent(0.1234, "fi") == f"12,3{NBSP}%"


def test_english_uses_point_and_commas():
    assert numbers.number(1234567.891, "en", 1) == "1,234,567.9"
    assert numbers.percent(0.1234, "en") == "12.3%"
    assert numbers.eur_million(2_500_000, "en") == "2.5"


def test_missing_values_show_a_dash():
    for v in (None, float("nan")):
        assert numbers.number(v, "fi") == numbers.MISSING
        assert numbers.percent(v, "en") == numbers.MISSING
    assert numbers.interval(None, 0.2, "fi") == numbers.MISSING


def test_tick_formatter_uses_babel():
    f = numbers.tick_formatter("fi", kind="percent")
    assert f(0.25, 0) == f"25{NBSP}%"
    assert numbers.tick_formatter("fi")(12000, 0) == f"12{NBSP}000"
    with pytest.raises(ValueError, match="kind"):
        numbers.tick_formatter("fi", kind="x")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        numbers.number(1, "de")
