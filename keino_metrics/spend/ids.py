"""Finnish business ids (Y-tunnus) in one form: ``1234567-8``.

Invoices and notices write the same organisation's id in several ways:
``1234567-8``, ``123456-7`` (leading zero dropped), ``FI-1234567-8`` (the
readers' prefixed form), ``FI12345678`` (VAT number), ``12345678``. This
module maps all of them to ``1234567-8`` and checks the check digit (weights
7, 9, 10, 5, 8, 4, 2, see :mod:`keino_metrics.demo.ids`). Written here
because no maintained Python library normalises Y-tunnus variants.
"""

from __future__ import annotations

import re

from keino_metrics.demo.ids import is_business_id

__all__ = ["normalise_business_id", "is_business_id"]

_DIGITS = re.compile(r"^(?:FI)?[-\s]?(\d{6,7})[-\s]?(\d)$", re.I)


def normalise_business_id(value: object) -> str | None:
    """``value`` as a Finnish business id ``1234567-8``, or ``None``.

    ``None`` is returned for anything that is not a Finnish business id with
    a valid check digit (foreign ids, unit codes, anonymised values).

    Examples
    --------
    >>> normalise_business_id("FI-0216509-5"), normalise_business_id("FI02165095")
    ('0216509-5', '0216509-5')
    >>> normalise_business_id("216509-5"), normalise_business_id("0216509-4")
    ('0216509-5', None)
    """
    if not isinstance(value, str):
        return None
    m = _DIGITS.match(value.strip().replace(" ", ""))
    if not m:
        return None
    out = f"{int(m.group(1)):07d}-{m.group(2)}"
    return out if is_business_id(out) else None
