"""Plausibility and resource limits for untrusted input.

Two kinds of limit live here, each with a documented default that an
environment variable ``KEINO_LIMIT_<NAME>`` overrides (read when the module is
imported, so the worker processes of :func:`keino_metrics.readers.read` see
the same values):

Resource limits (enforced while streaming, before anything is held whole)

``MAX_INPUT_BYTES``
    Largest file, archive member or decompressed ``.gz`` stream read, in bytes
    (default 256 MiB). A larger input is quarantined unread.
``MAX_ARCHIVE_BYTES``
    Largest total of decompressed bytes taken from one archive named by the
    user, nested archives included (default 32 GiB).
``MAX_ARCHIVE_MEMBERS``
    Most members taken from one archive, nested archives included (default
    1,000,000; a monthly TED package holds about 60,000 notices).
``MAX_ARCHIVE_DEPTH``
    Archives inside archives are opened to this depth (default 3: TED's
    monthly packages hold daily packages).
``BATCH_BYTES``
    Bytes of archive members handed to the parsing pool at a time (default
    64 MiB); a batch larger than this is parsed in the calling process so
    that it is never copied to a worker.

Plausibility limits (a value past them is never passed on)

``MAX_COUNT``
    Largest count of tenders, requests or vehicles for one lot (default
    100,000; the largest count in the real samples is 95). A count past it
    quarantines its record.
``MAX_AMOUNT``
    Largest amount in any currency unit (default 1e15). Past it an amount is
    garbage in every currency and quarantines its record.
``MAX_LOT_VALUE_EUR``
    Largest value of one lot or lot award in euros after conversion (default
    1e11, 100 billion euros: more than twice Finland's yearly public
    procurement; the largest value in the real samples is 2.5e9). A larger
    value is nulled with a field-level issue (``nulled``) when the tables are
    assembled. An amount in a currency without an exchange rate is judged as
    if it were in euros.

Dates are bounded in :mod:`keino_metrics.readers.checks` (1990-01-01 to five
years ahead).
"""

from __future__ import annotations

import os

__all__ = ["MAX_INPUT_BYTES", "MAX_ARCHIVE_BYTES", "MAX_ARCHIVE_MEMBERS", "MAX_ARCHIVE_DEPTH",
           "BATCH_BYTES", "MAX_COUNT", "MAX_AMOUNT", "MAX_LOT_VALUE_EUR", "describe"]


def _env(name: str, default: float, kind: type = int):
    raw = os.environ.get(f"KEINO_LIMIT_{name}")
    if raw is None or not raw.strip():
        return kind(default)
    try:
        value = kind(float(raw))
    except (ValueError, OverflowError):
        raise ValueError(f"environment variable KEINO_LIMIT_{name}={raw!r} is not a "
                         "number") from None
    if not value > 0:
        raise ValueError(f"environment variable KEINO_LIMIT_{name}={raw!r} must be positive")
    return value


MAX_INPUT_BYTES: int = _env("MAX_INPUT_BYTES", 256 * 1024 * 1024)
MAX_ARCHIVE_BYTES: int = _env("MAX_ARCHIVE_BYTES", 32 * 1024 ** 3)
MAX_ARCHIVE_MEMBERS: int = _env("MAX_ARCHIVE_MEMBERS", 1_000_000)
MAX_ARCHIVE_DEPTH: int = _env("MAX_ARCHIVE_DEPTH", 3)
BATCH_BYTES: int = _env("BATCH_BYTES", 64 * 1024 * 1024)
MAX_COUNT: int = _env("MAX_COUNT", 100_000)
MAX_AMOUNT: float = _env("MAX_AMOUNT", 1e15, float)
MAX_LOT_VALUE_EUR: float = _env("MAX_LOT_VALUE_EUR", 1e11, float)


def describe() -> dict[str, float]:
    """The limits in force, by name (for provenance and reports)."""
    return {name: globals()[name] for name in __all__ if name != "describe"}
