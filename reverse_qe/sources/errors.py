"""The one error type for input that does not match its source's published format."""

from __future__ import annotations

from reverse_qe.redaction import (
    redact,  # a message may quote a body that echoes a secret
)


class SourceFormatError(ValueError):
    """Input from a source that cannot be trusted: names the source, the file or URL, and the row.

    ``row`` is the 1-based line number in a CSV document (the header is line 1), or the 0-based
    index of the record in a JSON document's list; ``None`` when the whole document is wrong.
    """

    def __init__(self, source: str, location: str, message: str, row: int | None = None):
        self.source = source
        self.location = location = redact(location)
        self.row = row
        self.reason = message = redact(message)
        where = f"{location}, row {row}" if row is not None else location
        super().__init__(f"[{source}] {where}: {message}")
