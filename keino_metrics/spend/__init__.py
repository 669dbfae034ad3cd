"""Purchase invoices: what was actually paid, and which contract it was paid under.

* :mod:`.ids` normalises Finnish business ids (Y-tunnus) so that invoices and
  notices meet on one form;
* :mod:`.link` links invoice rows to awarded lot results (the documented
  linker, with a score per link);
* :mod:`.frame` builds the invoice frame that the ``SPEND-*`` indicators read;
* :mod:`.buyers` names the buyer of files that do not (:func:`set_buyer`).

The readers of the published layouts are in :mod:`keino_metrics.readers.spend`;
see ``docs/spend.md``.
"""

from __future__ import annotations

from keino_metrics.spend.buyers import set_buyer
from keino_metrics.spend.frame import split_linked
from keino_metrics.spend.ids import normalise_business_id
from keino_metrics.spend.link import LinkRules, link_spend

__all__ = ["normalise_business_id", "LinkRules", "link_spend", "set_buyer", "split_linked"]
