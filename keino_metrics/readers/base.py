"""What every reader returns: canonical rows, quarantined records and a count.

A reader module exposes

``FORMAT``
    Short name of the format (``eforms``, ``ted-legacy``, ``ted-csv``,
    ``hilma``, ``ocds``).
``sniff(head: bytes) -> bool``
    Whether the first bytes of a file are in this format (detection is by
    content, never by file name).
``parse(data: bytes, source_file: str) -> ParseResult``
    Read one file's bytes into canonical rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ParseResult", "Quarantined"]


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


@dataclass
class ParseResult:
    """Rows read from one input.

    ``rows`` maps canonical table names to lists of row dicts (column -> value);
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
    records_in: int = 0
    records_accepted: int = 0
    #: Size of the input in bytes.
    bytes_in: int = 0
    #: Bytes given to a parser (less than ``bytes_in`` when a reader parses only
    #: the parts of a file it reads, see ``docs/readers.md``).
    bytes_parsed: int = 0

    def add(self, table: str, row: dict) -> None:
        self.rows.setdefault(table, []).append(row)
