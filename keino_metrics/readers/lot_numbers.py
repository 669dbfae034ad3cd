"""Lot numbers as legacy TED notices write them, and the lots an award names.

Legacy TED XML has no lot identifiers: a lot (``OBJECT_DESCR``) and an award
(``AWARD_CONTRACT``) each carry a free-text ``LOT_NO``. Buyers write the same
lot as ``1``, ``Lot 1`` or ``Lotto n. 1``, and an award that covers several
lots as a list or a range (``1, 2, 3, ... 31``, ``1.2.3.4.5``, ``33-43``,
``Lots 1 to 4``); others number sub-lots of a lot (``1.1A``, ``2.3``) or add
a label (``1 / Primo in cascata``). :func:`lot_id` gives a lot its canonical
id and :func:`link` finds the lots an award's ``LOT_NO`` names, by these
rules, tried in this order (see ``docs/readers.md``):

1. a notice without ``LOT_DIVISION``: its one lot ``LOT-0000``;
2. no ``LOT_NO`` and one lot in the notice: that lot; several lots: the
   award's ``TITLE``, when the whole title is a lot reference (rules 4-5);
3. the text of a lot's own ``LOT_NO``, else of a lot's ``TITLE`` (case and
   spacing ignored): that lot;
4. one number, with or without a word such as *Lot*, *Lots*, *Lotto*, *Los*,
   *Lote*, *Part*, *Del*, *Osa*, *nr*, *no*: ``LOT-000n``;
5. a list or range of numbers: every lot ``LOT-000n`` it names. Items are
   separated by ``,`` ``;`` ``&`` ``+`` or *and* in several languages; a
   range is ``a-b``, ``a to b``, ``a bis b``, ``a à b``, ``a al b``; ``...``
   between two items stands for the numbers between them; numbers joined by
   dots are a list when there are three or more, or when the text ends with
   a dot (``1.2.3``, ``49.50.``);
6. a number at the start followed by other text (``1.1A``, ``2.3``,
   ``1 / Primo in cascata``, ``12B``): lot ``LOT-000n`` when the notice has it
   (a sub-lot or a variant of that lot);
7. anything else: unmatched; the award keeps its own ``LOT_NO`` as lot id.

Numbers in rules 4 and 5 that are not lots of the notice are kept (the
award notice may list its awards without describing the lots, which its
contract notice describes under the same numbers) and reported. Written by
hand: the rules are specific to how TED notices number lots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["LotIndex", "LotLink", "link", "lot_id", "numbers"]

#: Words that may precede a lot number (case-insensitive, an optional dot).
_WORDS = ("lots", "lot", "lotes", "lote", "lotto", "lotti", "lotul", "loturile", "loturi",
          "od", "from", "von", "dal", "de",
          "lose", "los", "lott", "partie", "parties", "parts", "part", "delområde",
          "delkontrakt", "del", "osa-alue", "osat", "osa", "pakiet", "część", "cast",
          "časť", "tranche", "tranches", "nr", "no", "n°", "nº", "n.", "#")
_PREFIX = re.compile(r"^(?:" + "|".join(re.escape(w) for w in _WORDS) + r")(?![^\W\d_])\.?\s*",
                     re.I)
_SEP = re.compile(r"\s*(?:[,;&+]|\b(?:and|und|et|ja|och|og|en|y|e|i|si|și|oraz)\b)\s*", re.I)
_RANGE = re.compile(r"^(\d+)\s*(?:-|–|—|\bto\b|\bbis\b|\bà\b|\ba\b|\bal\b|\btil\b|\btill\b"
                    r"|\bdo\b|\btot\b)\s*(\d+)$", re.I)
_DOTTED = re.compile(r"^\d+(?:\s*\.\s*\d+)+\s*\.?$")
_GAP = re.compile(r"\s*(?:\.{2,}|…|\betc\b\.?)\s*", re.I)
_LEADING = re.compile(r"^(\d+)(?:\s*[./:\-–(]|\s+\S|[^\W\d_])")
#: Largest span a range may cover (a guard against years or amounts read as ranges).
MAX_RANGE = 10_000


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _strip_words(text: str) -> str:
    t = text.strip()
    while True:
        m = _PREFIX.match(t)
        if m is None or m.end() == 0:
            return t
        t = t[m.end():].strip()


def numbers(text: str | None) -> tuple[list[int], str] | None:
    """The lot numbers ``text`` names and the kind of reference.

    Returns ``None`` unless the whole text is a lot reference (rules 4 and 5
    of the module docstring): one number (kind ``"number"``), or a list or
    range of numbers (kind ``"list"``).

    Examples
    --------
    >>> numbers("Lot 3"), numbers("1, 2, 3, ... 6"), numbers("Lots 1 to 4")
    (([3], 'number'), ([1, 2, 3, 4, 5, 6], 'list'), ([1, 2, 3, 4], 'list'))
    >>> numbers("1.2.3"), numbers("2.3"), numbers("1 / Primo in cascata")
    (([1, 2, 3], 'list'), None, None)
    """
    if not text:
        return None
    t = _strip_words(" ".join(text.split()))
    if not t:
        return None
    if _DOTTED.match(t) and (t.count(".") >= 2 or t.endswith(".")):
        out = [int(p) for p in re.split(r"\s*\.\s*", t.rstrip(". ")) if p]
        return out, ("number" if len(out) == 1 else "list")
    t = _GAP.sub(", ..., ", t).strip(" ,.:")  # an ellipsis becomes an item of its own
    out: list[int] = []
    gap = False
    for item in _SEP.split(t):
        it = _strip_words(item).rstrip(" .:")
        if not it:
            if item.strip() == "...":
                gap = True  # "1, 2, ... 31": the numbers between are meant too
            continue
        if it.isdigit():
            n = int(it)
            if gap and out and out[-1] < n <= out[-1] + MAX_RANGE:
                out.extend(range(out[-1] + 1, n))
            elif gap:
                return None
            gap = False
            out.append(n)
            continue
        m = _RANGE.match(it)
        if m is None:
            return None
        a, b = int(m.group(1)), int(m.group(2))
        if not a <= b <= a + MAX_RANGE or gap:
            return None
        out.extend(range(a, b + 1))
    if not out or gap:
        return None
    out = list(dict.fromkeys(out))
    return out, ("number" if len(out) == 1 and not _SEP.search(t) else "list")


def _canonical(n: int) -> str:
    return f"LOT-{n:04d}"


def lot_id(text: str | None) -> tuple[str, bool]:
    """Canonical id of a lot from its own ``LOT_NO`` and whether the text was
    changed beyond a plain number.

    One number (with or without a word such as *Lot*) gives ``LOT-000n``;
    any other text is kept as written (white space collapsed).

    Examples
    --------
    >>> lot_id("3"), lot_id("Lot 3"), lot_id("1.1A")
    (('LOT-0003', False), ('LOT-0003', True), ('1.1A', False))
    """
    if not text or not text.strip():
        return "LOT-0000", False
    t = " ".join(text.split())
    if t.isdigit():
        return _canonical(int(t)), False
    found = numbers(t)
    if found is not None and found[1] == "number":
        return _canonical(found[0][0]), True
    return t, False


@dataclass(frozen=True)
class LotLink:
    """The lots an award names and by which rule.

    ``rule`` is one of ``undivided``, ``only lot``, ``title``, ``lot text``,
    ``lot title``, ``number``, ``list``, ``leading number``, ``unmatched``. ``unknown``
    lists the lot ids named that are not lots of the notice.
    """

    lot_ids: tuple[str, ...]
    rule: str
    unknown: tuple[str, ...] = ()


@dataclass
class LotIndex:
    """The lots of one notice, to look awards up in.

    ``ids`` are the lots' canonical ids in document order; ``by_text`` maps
    each lot's own ``LOT_NO`` (case and spacing ignored) to its id and
    ``by_number`` every number that ``LOT_NO`` names (a lot written
    ``od 1 do 17`` stands for lots 1 to 17) to its id; ``by_title`` maps
    each lot's ``TITLE`` (case and spacing ignored) to its id.
    """

    ids: list[str] = field(default_factory=list)
    by_text: dict[str, str] = field(default_factory=dict)
    by_number: dict[int, str] = field(default_factory=dict)
    by_title: dict[str, str] = field(default_factory=dict)

    def add(self, text: str | None, title: str | None = None) -> tuple[str, bool]:
        """Register a lot from its own ``LOT_NO`` (and ``TITLE``); return
        :func:`lot_id`."""
        lot, changed = lot_id(text)
        self.ids.append(lot)
        if title and title.strip():
            self.by_title.setdefault(_norm(title), lot)
        if text and text.strip():
            self.by_text.setdefault(_norm(text), lot)
            found = numbers(text)
            for n in found[0] if found is not None else ():
                self.by_number.setdefault(n, lot)
        return lot, changed

    def named(self, nums: list[int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Lot ids of lot numbers (``LOT-000n`` for a number no lot names)
        and those of them that are not lots of the notice."""
        ids = tuple(dict.fromkeys(self.by_number.get(n, _canonical(n)) for n in nums))
        return ids, tuple(i for i in ids if i not in self.ids)


def link(text: str | None, title: str | None, lots: LotIndex, divided: bool) -> LotLink:
    """The lots an award's ``LOT_NO`` (else its ``TITLE``) names.

    Parameters
    ----------
    text : str or None
        The award's ``LOT_NO``.
    title : str or None
        The award's ``TITLE`` (used only without ``LOT_NO``).
    lots : LotIndex
        The notice's lots.
    divided : bool
        Whether the notice has ``LOT_DIVISION``.

    Returns
    -------
    LotLink
    """
    if not divided:
        return LotLink(("LOT-0000",), "undivided")
    ids = list(dict.fromkeys(lots.ids))
    t = " ".join(text.split()) if text else ""
    if not t:
        if len(ids) == 1:
            return LotLink((ids[0],), "only lot")
        found = numbers(title)
        named, unknown = lots.named(found[0]) if found is not None else ((), ())
        if len(unknown) < len(named):
            return LotLink(named, "title", unknown)
        return LotLink(("LOT-0000",), "unmatched", ("LOT-0000",))
    own = lots.by_text.get(_norm(t))
    if own is not None:
        return LotLink((own,), "lot text")
    own = lots.by_title.get(_norm(t))
    if own is not None:
        return LotLink((own,), "lot title")
    found = numbers(t)
    if found is not None:
        named, unknown = lots.named(found[0])
        return LotLink(named, found[1], unknown)
    m = _LEADING.match(t)
    if m is not None:
        named, unknown = lots.named([int(m.group(1))])
        if not unknown:
            return LotLink(named, "leading number")
    own = lot_id(t)[0]
    return LotLink((own,), "unmatched", (own,))
