"""What every reader returns: canonical rows, quarantined records and a count.

A reader module exposes

``FORMAT``
    Short name of the format (``eforms``, ``ted-legacy``, ``ted-csv``,
    ``hilma``, ``ocds``).
``sniff(head: bytes) -> bool``
    Whether the first bytes of a file are in this format. Formats are told
    apart by structure (:mod:`keino_metrics.readers.detection`); ``sniff`` is
    asked only when the structure cannot be read (a damaged document), and
    never by file name.
``parse(data: bytes, source_file: str) -> ParseResult``
    Read one file's bytes into canonical rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FieldIssue", "ParseResult", "Quarantined"]

#: Actions a reader may take on an odd value (see ``docs/readers.md``).
ACTIONS = ("kept_raw", "nulled", "normalised", "ignored")


@dataclass
class Quarantined(Exception):
    """A record that cannot be used, with the file, record and field to name.

    Raised inside a reader for one record and caught by it, so that the rest of
    the file is still read. ``str()`` gives the message shown to the user.
    """

    source_file: str
    record: str
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source_file}, record {self.record}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.reason}"

    def row(self) -> dict[str, str | None]:
        return {"source_file": self.source_file, "record": self.record,
                "field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class FieldIssue:
    """An odd value in a record that was kept: what was seen and what was done.

    A reader records one when a value is not what the format promises (an
    unknown code, a free text where a code belongs, an unplaceable number)
    but the record itself can still be used. ``action`` is one of
    :data:`ACTIONS`.
    """

    source_file: str
    record: str
    field: str
    value: str | None
    action: str
    reason: str

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown field-issue action {self.action!r}")

    def __str__(self) -> str:
        return (f"{self.source_file}, record {self.record}, field {self.field}: "
                f"{self.reason} ({self.action})")

    def row(self) -> dict[str, str | None]:
        value = None if self.value is None else str(self.value)[:200]
        return {"source_file": self.source_file, "record": self.record, "field": self.field,
                "value": value, "action": self.action, "reason": self.reason}


@dataclass
class ParseResult:
    """Rows read from one input.

    ``rows`` maps canonical table names to lists of row dicts (column -> value);
    ``issues`` lists field-level issues of kept records (:class:`FieldIssue`);
    ``records_in`` counts the records the input held (notices, CSV rows,
    releases), each of which is either accepted or in ``quarantine``:
    ``records_in == records_accepted + len(quarantine)`` for record-level
    quarantines. ``bytes_in`` and ``bytes_parsed`` are the input's size and
    how much of it a parser was given.
    """

    source_file: str
    format: str
    unit: str = "notice"
    rows: dict[str, list[dict]] = field(default_factory=dict)
    quarantine: list[Quarantined] = field(default_factory=list)
    issues: list[FieldIssue] = field(default_factory=list)
    records_in: int = 0
    records_accepted: int = 0
    #: Size of the input in bytes.
    bytes_in: int = 0
    #: Bytes given to a parser (less than ``bytes_in`` when a reader parses only
    #: the parts of a file it reads, see ``docs/readers.md``).
    bytes_parsed: int = 0

    def add(self, table: str, row: dict) -> None:
        self.rows.setdefault(table, []).append(row)

    def note(self, record: str, field: str, value: object, action: str, reason: str) -> None:
        """Record a field-level issue of ``record`` (see :class:`FieldIssue`)."""
        self.issues.append(FieldIssue(self.source_file, record, field,
                                      None if value is None else str(value), action, reason))
