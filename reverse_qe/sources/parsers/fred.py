"""Parser for FRED's graph CSV download (``https://fred.stlouisfed.org/graph/fredgraph.csv?id=ID``).

Format: UTF-8 (possibly with a byte-order mark), LF or CRLF line ends, header
``observation_date,<SERIES_ID>`` (older downloads: ``DATE,<SERIES_ID>``), then one line per
observation ``YYYY-MM-DD,<value>``. A missing observation is an empty value (or "." in older
downloads and the keyed API); such rows are kept with a NaN value. Values are plain decimals in
the series' own unit (e.g. WALCL $mn, WTREGEN $bn).
"""

from __future__ import annotations

import re

import pandas as pd

from reverse_qe.sources.parsers._common import (
    Doc,
    check_field_counts,
    check_unique,
    csv_column,
    decode_text,
    read_csv,
    to_dates,
    to_float,
)

SOURCE = "fred"
DATE_HEADERS = ("observation_date", "DATE")
MISSING = frozenset({"", "."})
COLUMNS = ("series_id", "observation_date", "value")
_SERIES_ID = re.compile(r"[A-Za-z0-9_]+")


def parse_fred_csv(content: bytes, *, location: str, series_id: str | None = None) -> pd.DataFrame:
    """Parse one FRED graph CSV into columns ``series_id``, ``observation_date``, ``value``.

    ``series_id``, when given, must equal the ID in the header. Rows keep the file's order.
    Raises SourceFormatError (source "fred", row = line number, header = 1) on any deviation.
    """
    doc = Doc(SOURCE, location)
    text = decode_text(content, doc, kind="CSV")
    header, rows, lines = read_csv(text, doc)
    found_id = _check_header(header, doc, series_id)
    check_field_counts(header, rows, lines, doc)
    dates, values = csv_column(rows, 0), csv_column(rows, 1)
    frame = pd.DataFrame({
        "series_id": pd.Series([found_id] * len(rows), dtype=object),
        "observation_date": to_dates(dates, column=header[0], rows=lines, doc=doc),
        "value": to_float(values, column=found_id, rows=lines, doc=doc, missing=MISSING),
    })
    check_unique(frame, ["observation_date"], lines, doc)
    return frame


def _check_header(header: list[str], doc: Doc, expected_id: str | None) -> str:
    """Validate ``observation_date,<ID>`` (or ``DATE,<ID>``) and return the ID."""
    wanted = f"observation_date,{expected_id or '<SERIES_ID>'}"
    found = ",".join(header)
    if len(header) != 2:
        doc.fail(f"expected a header of 2 columns {wanted!r} (one series per file), found "
                 f"{len(header)} columns: {found!r}", row=1)
    if header[0] not in DATE_HEADERS:
        doc.fail(f"expected header {wanted!r} (or 'DATE,...' in older downloads), found "
                 f"{found!r}: the first column is {header[0]!r}, not 'observation_date' or 'DATE'",
                 row=1)
    series = header[1]
    if not _SERIES_ID.fullmatch(series):
        doc.fail(f"expected header {wanted!r}, found {found!r}: {series!r} is not a FRED series "
                 "ID (letters, digits and underscores)", row=1)
    if expected_id is not None and series != expected_id:
        doc.fail(f"expected series {expected_id!r} in the header ({wanted!r}), found {series!r}: "
                 "the file holds another series", row=1)
    return series
