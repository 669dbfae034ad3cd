"""The one protocol every result follows: indicator results and impact results alike.

A result is immutable and offers

- ``to_frame()``: a copy of its table, whose columns use the shared
  vocabulary :data:`COLUMNS` (``estimate``, ``std_error``, ``ci_low``,
  ``ci_high``, ``numerator``, ``denominator``, ``coverage``, ``n``) for what
  they hold, beside columns specific to the model (``event_time``,
  ``programme``, ``year`` ...), so that results of different models can be
  stacked and compared;
- ``tidy()``: the same table with the shared columns first;
- ``summary(lang)``: a plain-text summary in Finnish, Swedish or English, its
  words from the language catalogue (:mod:`keino_metrics.labels`);
- ``plot()``: a :class:`matplotlib.figure.Figure` (never drawn with pyplot);
- ``notes``: a tuple of :class:`Note` (warnings of the models and remarks of
  the computation), typed rather than buried in text;
- a readable ``repr`` and, in Jupyter, an HTML display (``_repr_html_``).

:class:`Result` is the mixin that gives every result class the shared parts.
:class:`Explanation` is what :func:`keino_metrics.explain` returns: text that
prints as text and displays as HTML in a notebook.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd

__all__ = ["COLUMNS", "Note", "Result", "Explanation", "recorded_notes"]

#: The shared column vocabulary of :meth:`Result.tidy`, in display order.
COLUMNS: tuple[str, ...] = ("estimate", "std_error", "ci_low", "ci_high", "numerator",
                            "denominator", "coverage", "n")

_HTML_ROWS = 20


@dataclass(frozen=True)
class Note:
    """A remark attached to a result.

    Attributes
    ----------
    kind : str
        ``"warning"`` (raised by a model or the computation) or ``"note"``.
    text : str
        The remark (a model's own message is kept in its words).
    part : str
        Which part of the computation it concerns (``""`` for the whole).
    """

    kind: str
    text: str
    part: str = ""

    def __str__(self) -> str:
        where = f" [{self.part}]" if self.part else ""
        return f"{self.kind}{where}: {self.text}"


@contextmanager
def recorded_notes(notes: list[Note], part: str = "") -> Iterator[None]:
    """Record the warnings raised inside into ``notes`` (each distinct one once).

    Nothing is silenced: the warnings become :class:`Note` objects of kind
    ``"warning"`` that the result carries.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        note = Note("warning", f"{w.category.__name__}: {w.message}", part)
        if note not in notes:
            notes.append(note)


class Result:
    """Mixin: the shared parts of every result (see the module docstring).

    A subclass implements ``to_frame()``, ``summary(lang)`` and ``plot()`` and
    holds its notes in an attribute ``notes``.
    """

    notes: tuple[Note, ...] = ()

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every subclass has its own
        raise NotImplementedError

    def summary(self, lang: str = "en") -> str:  # pragma: no cover - idem
        raise NotImplementedError

    def tidy(self) -> pd.DataFrame:
        """:meth:`to_frame` with the shared columns (:data:`COLUMNS`) first."""
        df = self.to_frame()
        known = [c for c in COLUMNS if c in df.columns]
        return df[known + [c for c in df.columns if c not in known]]

    def __repr__(self) -> str:
        notes = f"\n({len(self.notes)} note(s); see .notes)" if self.notes else ""
        return f"{type(self).__name__}\n{self.summary('en')}{notes}"

    def _repr_html_(self) -> str:
        head = f"<strong>{html.escape(type(self).__name__)}</strong>"
        body = f"<pre>{html.escape(self.summary('en'))}</pre>"
        try:
            table = self.tidy()
        except NotImplementedError:  # pragma: no cover - every result has a table
            table = pd.DataFrame()
        shown = table.head(_HTML_ROWS).to_html(border=0, na_rep="–") if len(table) else ""
        more = (f"<p>{len(table) - _HTML_ROWS} more row(s): .to_frame()</p>"
                if len(table) > _HTML_ROWS else "")
        notes = ("<ul>" + "".join(f"<li>{html.escape(str(n))}</li>" for n in self.notes)
                 + "</ul>") if self.notes else ""
        return head + body + shown + more + notes


class Explanation(str):
    """An indicator's full definition: prints as text, displays as HTML in Jupyter."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        lines = str(self).split("\n")
        head, rest = lines[0], lines[1:]
        items = []
        for line in rest:
            key, sep, value = line.partition(": ")
            if sep and not line.startswith(" "):
                items.append(f"<tr><th style='text-align:left'>{html.escape(key)}</th>"
                             f"<td>{html.escape(value)}</td></tr>")
            elif line.strip():
                items.append(f"<tr><td colspan='2'>{html.escape(line.strip())}</td></tr>")
        return f"<h4>{html.escape(head)}</h4><table>{''.join(items)}</table>"
