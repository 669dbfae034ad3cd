"""Lot references of legacy TED notices (readers/lot_numbers.py)."""

from __future__ import annotations

import pytest

from keino_metrics.readers import lot_numbers as ln


@pytest.mark.parametrize(("text", "expected"), [
    ("3", ([3], "number")),
    ("Lot 3", ([3], "number")),
    ("Lotto n. 5", ([5], "number")),
    ("Lot No. 7", ([7], "number")),
    ("1, 2, 3, ... 6", ([1, 2, 3, 4, 5, 6], "list")),
    ("1, 2, 3 ... 6", ([1, 2, 3, 4, 5, 6], "list")),
    ("33-43", (list(range(33, 44)), "list")),
    ("Lots 1 to 4", ([1, 2, 3, 4], "list")),
    ("od 1 do 17", (list(range(1, 18)), "list")),
    ("del 1 al 4", ([1, 2, 3, 4], "list")),
    ("Lot 1 and Lot 2", ([1, 2], "list")),
    ("Los 3; 5", ([3, 5], "list")),
    ("1.2.3", ([1, 2, 3], "list")),
    ("49.50.51.79.", ([49, 50, 51, 79], "list")),
    ("2, 4, 10, 11, 15", ([2, 4, 10, 11, 15], "list")),
])
def test_numbers(text, expected):
    assert ln.numbers(text) == expected


@pytest.mark.parametrize("text", [None, "", "2.3", "1.1A", "1 / Primo in cascata", "N/A",
                                  "Seine-et-Marne Sud", "10-3", "..."])
def test_not_a_lot_reference(text):
    assert ln.numbers(text) is None


def _index(*lots):
    index = ln.LotIndex()
    for text, title in lots:
        index.add(text, title)
    return index


def test_link_rules():
    idx = _index(("1", "North"), ("2", "South"), ("3", "East"))
    assert ln.link("2", None, idx, True) == ln.LotLink(("LOT-0002",), "lot text")
    assert ln.link(None, None, idx, False) == ln.LotLink(("LOT-0000",), "undivided")
    assert ln.link("South", None, idx, True) == ln.LotLink(("LOT-0002",), "lot title")
    assert ln.link("1-2", None, idx, True).lot_ids == ("LOT-0001", "LOT-0002")
    assert ln.link("2.1B", None, idx, True) == ln.LotLink(("LOT-0002",), "leading number")
    assert ln.link("Lot 7", None, idx, True) == ln.LotLink(("LOT-0007",), "number",
                                                            ("LOT-0007",))
    assert ln.link("Reserve", None, idx, True) == ln.LotLink(("Reserve",), "unmatched",
                                                              ("Reserve",))
    assert ln.link(None, "1, 3", idx, True) == ln.LotLink(("LOT-0001", "LOT-0003"), "title")
    assert ln.link(None, "Some title", idx, True).rule == "unmatched"
    single = _index(("1", None))
    assert ln.link(None, None, single, True) == ln.LotLink(("LOT-0001",), "only lot")


def test_a_lot_that_names_a_range_stands_for_its_numbers():
    idx = _index(("od 1 do 17", None))
    assert idx.ids == ["od 1 do 17"]
    found = ln.link("2, 4, 10", None, idx, True)
    assert found == ln.LotLink(("od 1 do 17",), "list")


def test_lot_id():
    assert ln.lot_id("3") == ("LOT-0003", False)
    assert ln.lot_id("Lot 3") == ("LOT-0003", True)
    assert ln.lot_id(" 1.1A ") == ("1.1A", False)
    assert ln.lot_id(None) == ("LOT-0000", False)
