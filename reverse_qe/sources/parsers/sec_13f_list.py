"""Parser for the SEC's Official List of Section 13(f) Securities, text edition (``13flistYYYYqN.txt``).

The SEC publishes the list each quarter (sec.gov/divisions/investment/13flists) as a PDF and, since
2020, as a text file of one security a line, no header, in fixed columns (as described by those who
parse it; no real excerpt of the text file was at hand, so the tests' files follow that description):

    columns  0-8    CUSIP, 9 characters (the PDF prints it as ``037833 10 0``; both are read)
    column   9      ``*``: options on the security are listed too
    columns 10-37   issuer name (cut at 28 characters)
    columns 40-55   issuer description (``COM``, ``CL A``, ``SHS``, ``ETF``, ``PUT``, ...)
    columns 67-69   status: ``*A*`` added this quarter, ``*D*`` deleted (the PDF: ADDED, DELETED)

Fields are read by the runs of two or more blanks between them, not by column, so a line that is one
column off (the PDF's text, a re-typed copy) still reads, and a line whose fields cannot be told apart
is an error naming its line. The quarter is the file's name (``13flist2024q1.txt``): the list in force
for holdings at that quarter's end. Errors: source "sec_13f_list", row = the file's line number.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from reverse_qe.sources.parsers._common import (
    Doc,
    check_unique,
    decode_text,
    document_parser,
)

SOURCE = "sec_13f_list"
FILE_NAME = re.compile(r"13flist(\d{4})q([1-4])\.txt$", re.IGNORECASE)
# 9 characters, or 6 + 2 + 1 with single blanks as the PDF prints them; then the options mark
_CUSIP = re.compile(r"^([0-9A-Z]{6}) ?([0-9A-Z]{2}) ?([0-9A-Z])(?:( ?\*)|(?=\s|$))")
_FIELDS = re.compile(r"\s{2,}")
STATUSES = {"*A*": "ADDED", "ADDED": "ADDED", "*D*": "DELETED", "DELETED": "DELETED"}
# Page furniture of the PDF's text (the header of every page, the run date, the count): skipped.
_FURNITURE = re.compile(r"^\s*(CUSIP NO|ISSUER NAME|RUN DATE|RUN TIME|PAGE \d|TOTAL COUNT|LIST OF SECTION 13F)",
                        re.IGNORECASE)
COLUMNS = ["list_quarter_end", "cusip", "has_options", "issuer_name", "issuer_description", "status", "line_number"]


def quarter_end(year: int, quarter: int) -> dt.date:
    """(2024, 1) -> 2024-03-31."""
    return dt.date(year + (quarter == 4), 3 * quarter % 12 + 1, 1) - dt.timedelta(days=1)


def file_quarter_end(name: str) -> dt.date | None:
    """``13flist2024q1.txt`` -> 2024-03-31; None when the name is not the SEC's."""
    match = FILE_NAME.search(Path(name).name)
    return quarter_end(int(match.group(1)), int(match.group(2))) if match else None


def list_quarter_end(name: str, doc: Doc) -> dt.date:
    """The quarter a list file is the list of, from its name (refused when it names none)."""
    quarter = file_quarter_end(name)
    if quarter is None:
        doc.fail(f"file name {Path(name).name!r} is not the SEC's 13flistYYYYqN.txt: the list's quarter is "
                 "read from it, so a renamed copy cannot be placed")
    return quarter


def check_digit(cusip8: str) -> str:
    """The CUSIP check digit of its first 8 characters (the modulus-10 double-add-double rule)."""
    total = 0
    for i, char in enumerate(cusip8):
        value = int(char) if char.isdigit() else ord(char) - ord("A") + 10 if char.isalpha() else {"*": 36, "@": 37, "#": 38}[char]
        if i % 2:
            value *= 2
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def _line(text: str, number: int, doc: Doc) -> dict | None:
    if not text.strip() or _FURNITURE.match(text):
        return None
    match = _CUSIP.match(text.upper())
    if not match:
        doc.fail(f"line does not start with a CUSIP (9 letters or digits, or the PDF's '037833 10 0'): "
                 f"{text.strip()[:60]!r}", row=number)
    fields = [f for f in _FIELDS.split(text[match.end():].strip()) if f]
    status = STATUSES.get(fields[-1].upper()) if fields else None
    if status:
        fields = fields[:-1]
    if len(fields) != 2:
        doc.fail(f"expected an issuer name and an issuer description after the CUSIP (then an optional status "
                 f"{'/'.join(sorted(STATUSES))}), found {len(fields)} field(s): {text.strip()[:80]!r}", row=number)
    return {"cusip": "".join(match.group(1, 2, 3)), "has_options": match.group(4) is not None,
            "issuer_name": fields[0], "issuer_description": fields[1], "status": status, "line_number": number}


@document_parser(SOURCE)
def parse_13f_list(content: bytes, *, location: str) -> pd.DataFrame:
    """One quarter's list: a row per security line (the same CUSIP may have several descriptions,
    e.g. its shares and its PUT/CALL lines). A line repeated word for word is one row; the same CUSIP
    and description twice with another name or status is an error naming both lines."""
    doc = Doc(SOURCE, location)
    quarter = list_quarter_end(location, doc)
    rows = [row for number, text in enumerate(decode_text(content, doc, kind="CSV").splitlines(), start=1)
            if (row := _line(text, number, doc)) is not None]
    if not rows:
        doc.fail("no security line: expected one CUSIP, issuer name and description per line")
    frame = pd.DataFrame(rows)
    frame = frame[~frame.drop(columns="line_number").duplicated()].reset_index(drop=True)
    check_unique(frame, ("cusip", "issuer_description"), frame["line_number"].tolist(), doc)
    frame.insert(0, "list_quarter_end", pd.Timestamp(quarter))
    return frame[COLUMNS]
