import numpy as np
import pytest

from keino_metrics.demo.ids import (
    business_id_check_digit,
    business_ids,
    is_business_id,
    procedure_ids,
    random_business_ids,
)


@pytest.mark.parametrize("value, ok", [
    ("0112038-9", True),   # check digit by the published rule
    ("0112038-8", False),
    ("112038-9", False),
    ("01120389", False),
    (None, False),
])
def test_is_business_id(value, ok):
    assert is_business_id(value) is ok


def test_remainder_one_has_no_check_digit():
    bases = np.arange(0, 2000)
    check = business_id_check_digit(bases)
    digits = (bases[:, None] // 10 ** np.arange(6, -1, -1)) % 10
    r = (digits * np.array([7, 9, 10, 5, 8, 4, 2])).sum(axis=1) % 11
    assert (check[r == 1] == -1).all()
    assert (check[r == 0] == 0).all()
    assert ((check + r)[r > 1] == 11).all()


def test_business_ids_are_stable_distinct_and_valid():
    keys = ["Helsinki", "Espoo", "Helsinki yliopisto", "Väylävirasto"] * 1
    a, b = business_ids(keys), business_ids(keys)
    assert a == b
    assert len(set(a)) == len(a)
    assert all(is_business_id(x) for x in a)


def test_random_business_ids_avoid_excluded():
    rng = np.random.default_rng(0)
    taken = set(business_ids(["x", "y"]))
    ids = random_business_ids(rng, 500, taken)
    assert len(set(ids)) == 500 and not taken & set(ids)
    assert all(is_business_id(x) for x in ids)


def test_procedure_ids_look_like_uuids():
    ids = procedure_ids(np.random.default_rng(1), 100)
    assert ids.str.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}").all()
    assert ids.is_unique
