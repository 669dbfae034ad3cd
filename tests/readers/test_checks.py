"""Per-record checks and identifiers."""

from __future__ import annotations

import datetime as dt

import pytest

from keino_metrics.readers.base import Quarantined
from keino_metrics.readers.checks import (
    Record,
    buyer_id,
    country_alpha2,
    publication_number,
    stable_id,
)


def test_identifiers():
    assert publication_number("00525037-2024") == "525037-2024"
    assert publication_number("003543-2021") == "3543-2021"
    assert publication_number("2019/S 176-428607") == "428607-2019"
    assert publication_number("garbage") is None
    assert buyer_id("0216509-5", "Kristinestad", "FI") == "FI-0216509-5"
    assert buyer_id("FI09880841", "X", "FI") == "FI09880841"
    h = buyer_id(None, "Highways  England", "GB")
    assert h == buyer_id("", "highways england", "gb") and h.startswith("h-")
    assert stable_id("a", "b") != stable_id("a", "c")
    assert [country_alpha2(c) for c in ("FIN", "UK", "EL", "SE", None)] == [
        "FI", "GB", "GR", "SE", None]


def test_record_checks_name_file_record_and_field():
    r = Record("f.xml", "1-2024")
    assert r.amount("1 234,5", "BT-27") == pytest.approx(1234.5)
    assert r.count("3", "BT-759") == 3
    assert r.date("2024-09-02+02:00", "BT-05") == dt.date(2024, 9, 2)
    assert r.date("20210106", "DATE_PUB") == dt.date(2021, 1, 6)
    assert r.codes(["open", "open"], "procurement-procedure-type", "BT-105") == ["open"]
    cases = [
        (lambda: r.amount("-1", "BT-27"), "BT-27", "negative amount"),
        (lambda: r.amount("12a", "BT-27"), "BT-27", "not a number"),
        (lambda: r.count("2.5", "BT-759"), "BT-759", "not a whole number"),
        (lambda: r.date("2024-02-30", "BT-05"), "BT-05", "impossible date"),
        (lambda: r.date("1890-01-01", "BT-05"), "BT-05", "implausible date"),
        (lambda: r.code("bogus", "buyer-legal-type", "BT-11"), "BT-11", "unknown code"),
        (lambda: r.required(" ", "BT-04", "procedure identifier"), "BT-04", "missing"),
    ]
    for call, field, reason in cases:
        with pytest.raises(Quarantined) as err:
            call()
        assert err.value.field == field and reason in err.value.reason
        assert str(err.value).startswith(f"f.xml, record 1-2024, field {field}: ")
