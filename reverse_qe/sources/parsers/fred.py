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
    _first,
    check_field_counts,
    check_unique,
    csv_column,
    decode_text,
    document_parser,
    read_csv,
    to_dates,
    to_float,
)

SOURCE = "fred"
DATE_HEADERS = ("observation_date", "DATE")
MISSING = frozenset({"", "."})
COLUMNS = ("series_id", "observation_date", "value")
_SERIES_ID = re.compile(r"[A-Za-z0-9_]+")
# Stored in $bn although FRED now publishes $mn: the largest value a $bn file can hold. WTREGEN's
# week average never exceeded ~1.9T (real $mn download 2007-01..2025-11: max 1,816,687 on 2020-07-29,
# min 3,861 on 2008-02-20), so a file with a value above 3,000 is the $mn vintage; its values are
# divided by 1,000 (rounded to the $bn vintage's 3 decimals). A file mixing both units is caught by
# the raw suite (its step and era rules).
MILLIONS_TO_BILLIONS: dict[str, float] = {"WTREGEN": 3_000.0}
# Fed Board DDP (PRATES): which column holds a series, by its code on the "Time Period" line.
DDP_SERIES = {"IOER": "RESBME_N.D", "IORB": "RESBM_N.D"}
DDP_METADATA = ("Series Description", "Unit:", "Multiplier:", "Currency:", "Unique Identifier:", "Time Period")


@document_parser(SOURCE)
def parse_fred_csv(content: bytes, *, location: str, series_id: str | None = None) -> pd.DataFrame:
    """Parse one FRED graph CSV into columns ``series_id``, ``observation_date``, ``value``.

    ``series_id``, when given, must equal the ID in the header. Rows keep the file's order.
    Raises SourceFormatError (source "fred", row = line number, header = 1) on any deviation.
    """
    doc = Doc(SOURCE, location)
    text = decode_text(content, doc, kind="CSV")
    header, rows, lines = read_csv(text, doc)
    if header and header[0] == DDP_METADATA[0]:
        return _parse_ddp(header, rows, lines, doc, series_id)
    found_id = _check_header(header, doc, series_id)
    check_field_counts(header, rows, lines, doc)
    dates, values = csv_column(rows, 0), csv_column(rows, 1)
    frame = pd.DataFrame({
        "series_id": pd.Series([found_id] * len(rows), dtype=object),
        "observation_date": to_dates(dates, column=header[0], rows=lines, doc=doc),
        "value": to_float(values, column=found_id, rows=lines, doc=doc, missing=MISSING),
    })
    check_unique(frame, ["observation_date"], lines, doc)
    if found_id in MILLIONS_TO_BILLIONS and (frame["value"].abs() > MILLIONS_TO_BILLIONS[found_id]).any():
        frame["value"] = (frame["value"] / 1000).round(3)
    return frame


def _parse_ddp(header: list[str], rows: list[list[str]], lines: list[int], doc: Doc,
               series_id: str | None) -> pd.DataFrame:
    """One series of a Fed Board DDP CSV, trimmed to the dates it was published (inner gaps: NaN)."""
    meta = [header, *rows[:len(DDP_METADATA) - 1]]
    for i, (cells, label) in enumerate(zip(meta, DDP_METADATA), start=1):
        if not cells or cells[0].strip() != label:
            doc.fail(f"a Fed Board DDP CSV starts with the metadata lines {', '.join(DDP_METADATA)}; "
                     f"line {i} is {','.join(cells)[:80]!r}", row=i)
    if len(meta) < len(DDP_METADATA):
        doc.fail("a Fed Board DDP CSV with metadata but no 'Time Period' line of series codes", row=1)
    codes = [cell.strip() for cell in meta[-1]]
    wanted = DDP_SERIES.get(series_id or "")
    if wanted is None:
        doc.fail(f"a Fed Board DDP CSV holds several series ({', '.join(codes[1:])}); this pipeline reads "
                 f"{', '.join(f'{k} ({v})' for k, v in DDP_SERIES.items())} from it, not {series_id!r}", row=1)
    if wanted not in codes:
        doc.fail(f"expected the DDP series {wanted} ({series_id}) on the 'Time Period' line, found "
                 f"{', '.join(codes[1:])}", row=len(DDP_METADATA))
    column = codes.index(wanted)
    unit, multiplier = meta[1][column].strip(), meta[2][column].strip()
    if (unit, multiplier) != ("Percent", "1"):
        doc.fail(f"{series_id} ({wanted}) must be in Percent with multiplier 1, found {unit!r} x {multiplier!r}",
                 row=2)
    data, data_lines = rows[len(DDP_METADATA) - 1:], lines[len(DDP_METADATA) - 1:]
    check_field_counts(codes, data, data_lines, doc)
    frame = pd.DataFrame({
        "series_id": pd.Series([series_id] * len(data), dtype=object),
        "observation_date": to_dates(csv_column(data, 0), column="Time Period", rows=data_lines, doc=doc),
        "value": to_float(csv_column(data, column), column=wanted, rows=data_lines, doc=doc, missing=MISSING),
    })
    check_unique(frame, ["observation_date"], data_lines, doc)
    published = frame["value"].notna().to_numpy()
    first = _first(published)
    if first is None:
        return frame.iloc[:0].reset_index(drop=True)
    last = len(published) - 1 - _first(published[::-1])
    return frame.iloc[first:last + 1].reset_index(drop=True)


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
