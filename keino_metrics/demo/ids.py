"""Identifiers of the demonstration corpus: Finnish business ids and procedure ids.

Finnish business ids (Y-tunnus) are seven digits and a check digit: weights
7, 9, 10, 5, 8, 4, 2 on the digits, remainder ``r`` of the sum by 11, check
digit ``0`` if ``r == 0``, ``11 - r`` otherwise; numbers with ``r == 1`` are
never issued. The demo derives them from a hash of the organisation's name so
that buyers keep their ids whatever the seed. No maintained library computes
the check digit with numpy, hence this small module.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

__all__ = ["business_id_check_digit", "business_ids", "is_business_id", "procedure_ids"]

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2])


def business_id_check_digit(base: np.ndarray) -> np.ndarray:
    """Check digits of seven-digit bases; ``-1`` where no valid id exists.

    Parameters
    ----------
    base : numpy.ndarray
        Integers in ``[0, 9_999_999]``.

    Examples
    --------
    >>> int(business_id_check_digit(np.array([112038]))[0])  # 0112038-9
    9
    """
    base = np.asarray(base, dtype=np.int64)
    digits = (base[:, None] // 10 ** np.arange(6, -1, -1)) % 10
    r = (digits * _WEIGHTS).sum(axis=1) % 11
    return np.where(r == 0, 0, np.where(r == 1, -1, 11 - r))


def is_business_id(value: str) -> bool:
    """Whether ``value`` is a well-formed Finnish business id with a valid check digit."""
    if not (isinstance(value, str) and len(value) == 9 and value[7] == "-"):
        return False
    head, check = value[:7], value[8]
    if not (head.isdigit() and check.isdigit()):
        return False
    return int(business_id_check_digit(np.array([int(head)]))[0]) == int(check)


def _format(base: np.ndarray) -> list[str]:
    check = business_id_check_digit(base)
    return [f"{b:07d}-{c}" for b, c in zip(base.tolist(), check.tolist(), strict=True)]


def business_ids(keys: list[str], low: int = 100_000, high: int = 3_400_000) -> list[str]:
    """Distinct, valid, stable business ids for ``keys`` (for example names).

    The base is taken from a SHA-256 of the key; a base without a valid check
    digit or already taken moves to the next number.
    """
    taken: set[int] = set()
    out: list[int] = []
    for key in keys:
        h = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
        b = low + h % (high - low)
        while b in taken or business_id_check_digit(np.array([b]))[0] < 0:
            b += 1
        taken.add(b)
        out.append(b)
    return _format(np.array(out, dtype=np.int64))


def random_business_ids(rng: np.random.Generator, n: int, exclude: set[str],
                        low: int = 1_500_000, high: int = 3_400_000) -> list[str]:
    """``n`` distinct random valid business ids not in ``exclude`` (suppliers)."""
    cand = rng.choice(np.arange(low, high), size=int(n * 1.3) + 50, replace=False)
    cand = cand[business_id_check_digit(cand) >= 0]
    ids = [i for i in _format(np.sort(cand)) if i not in exclude]
    if len(ids) < n:  # pragma: no cover - the 30 % margin covers the ~9 % invalid bases
        raise RuntimeError("not enough business ids drawn")
    pick = rng.permutation(len(ids))[:n]
    return [ids[i] for i in pick]


def procedure_ids(rng: np.random.Generator, n: int) -> pd.Series:
    """``n`` random UUID-formatted procedure identifiers (eForms BT-04 style, version 4).

    Built from one block of random bytes with array operations (no loop).
    """
    hexed = np.frombuffer(rng.bytes(16 * n).hex().encode("ascii"), dtype=np.uint8)
    hexed = hexed.reshape(n, 32)
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    for src, dst in ((slice(0, 8), slice(0, 8)), (slice(8, 12), slice(9, 13)),
                     (slice(12, 16), slice(14, 18)), (slice(16, 20), slice(19, 23)),
                     (slice(20, 32), slice(24, 36))):
        out[:, dst] = hexed[:, src]
    out[:, 14] = ord("4")  # version 4
    out[:, 19] = ord("a")  # RFC 4122 variant
    text = out.view("S36").ravel().astype("U36")
    return pd.Series(text, dtype="str")
