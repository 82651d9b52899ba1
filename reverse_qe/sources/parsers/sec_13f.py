"""Parsers for SEC Form 13F: the quarterly data sets (zip of TSVs) and one filing's information table XML.

Data sets (``https://www.sec.gov/files/structureddata/data/form-13f-data-sets/<name>_form13f.zip``):
a zip holding, among others, ``SUBMISSION.tsv``, ``COVERPAGE.tsv``, ``SUMMARYPAGE.tsv`` and
``INFOTABLE.tsv``; UTF-8,
tab-separated, a header row, no quoting, dates like ``31-DEC-2024``. The data sets are grouped by
*filing* date, so one zip mixes periods of report; holdings are keyed downstream on PERIODOFREPORT.
``VALUE`` is published in thousands of dollars for filings before 2023-01-03 and in dollars from
then on (as is the summary page's TABLEVALUETOTAL); the parser keeps both as published, and the
intermediate layer resolves each filing's unit (the date rule, checked against the declared total
and implied prices).

One real quarter holds about 3 million INFOTABLE rows, so the reader is vectorised: pandas' C engine
with explicit dtypes, strings as categories (validation then looks at each distinct value once) and
integers as int64. Errors name the member (``<zip>!INFOTABLE.tsv``) and the 1-based line (header = 1).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import BinaryIO
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from reverse_qe.sources.limits import MAX_INFLATION_RATIO
from reverse_qe.sources.parsers._common import Doc, document_parser

SOURCE = "sec_13f"
XML_NAMESPACE = "http://www.sec.gov/edgar/document/thirteenf/informationtable"

SUBMISSION_COLUMNS = {
    "ACCESSION_NUMBER": "accession_number", "FILING_DATE": "filing_date",
    "SUBMISSIONTYPE": "submission_type", "CIK": "cik", "PERIODOFREPORT": "period_of_report",
}
COVERPAGE_COLUMNS = {
    "ACCESSION_NUMBER": "accession_number", "REPORTCALENDARORQUARTER": "report_calendar_or_quarter",
    "ISAMENDMENT": "is_amendment", "AMENDMENTNO": "amendment_no", "AMENDMENTTYPE": "amendment_type",
    "FILINGMANAGER_NAME": "filing_manager_name",
}
# The summary page: what the filer declares its information table holds (line count and value
# total, in the unit of its VALUE column). The data sets publish more columns
# (OTHERINCLUDEDMANAGERSCOUNT, ISCONFIDENTIALOMITTED); only these two are needed and required.
SUMMARYPAGE_COLUMNS = {
    "ACCESSION_NUMBER": "accession_number", "TABLEENTRYTOTAL": "table_entry_total",
    "TABLEVALUETOTAL": "table_value_total",
}
INFOTABLE_COLUMNS = {
    "ACCESSION_NUMBER": "accession_number", "INFOTABLE_SK": "infotable_sk",
    "NAMEOFISSUER": "name_of_issuer", "TITLEOFCLASS": "title_of_class", "CUSIP": "cusip",
    "FIGI": "figi", "VALUE": "value", "SSHPRNAMT": "sshprnamt", "SSHPRNAMTTYPE": "sshprnamt_type",
    "PUTCALL": "put_call", "INVESTMENTDISCRETION": "investment_discretion",
    "OTHERMANAGER": "other_manager", "VOTING_AUTH_SOLE": "voting_auth_sole",
    "VOTING_AUTH_SHARED": "voting_auth_shared", "VOTING_AUTH_NONE": "voting_auth_none",
}
_INT_COLUMNS = ("INFOTABLE_SK", "VALUE", "SSHPRNAMT")  # required whole numbers: numpy int64
# float64, NaN = empty. A notice filing (13F-NT) has no information table: its summary totals are
# empty or 0 (the real cover pages in tests/fixtures/real_excerpts/sec_13f give both totals for a
# holdings report).
_OPTIONAL_NUMBERS = ("VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED", "VOTING_AUTH_NONE", "TABLEENTRYTOTAL", "TABLEVALUETOTAL")
_SEC_DATE = re.compile(r"\d{2}-(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)-\d{4}")
_ACCESSION = re.compile(r"\d{10}-\d{2}-\d{6}")
_CUSIP = re.compile(r"[0-9A-Z]{9}")
SUBMISSION_TYPES = ("13F-HR", "13F-HR/A", "13F-NT", "13F-NT/A", "13F-CTR", "13F-CTR/A")
AMENDMENT_TYPES = ("RESTATEMENT", "NEW HOLDINGS")
SHARE_TYPES = ("SH", "PRN")
PUT_CALL = ("Put", "Call")
DISCRETION = ("SOLE", "DFND", "OTR")


# ---------------------------------------------------------------------------------------------
# Data-set zip
# ---------------------------------------------------------------------------------------------

@document_parser(SOURCE, bounded=False)
def parse_13f_submissions(content: bytes, *, location: str) -> pd.DataFrame:
    """SUBMISSION.tsv of a data-set zip (or the extracted file): one row per filing."""
    doc, frame = _read_member(content, location, "SUBMISSION.tsv", SUBMISSION_COLUMNS)
    _check_pattern(frame, "ACCESSION_NUMBER", _ACCESSION, doc, "an accession number like 0001234567-25-000001")
    _check_pattern(frame, "CIK", re.compile(r"\d{1,10}"), doc, "a CIK of up to 10 digits")
    _check_allowed(frame, "SUBMISSIONTYPE", SUBMISSION_TYPES, doc)
    out = pd.DataFrame({
        "accession_number": frame["ACCESSION_NUMBER"].astype(str),
        "filing_date": _sec_dates(frame, "FILING_DATE", doc),
        "submission_type": frame["SUBMISSIONTYPE"].astype(str),
        "cik": frame["CIK"].astype(str).astype("int64"),
        "period_of_report": _sec_dates(frame, "PERIODOFREPORT", doc),
    })
    _check_unique_key(out, ["accession_number"], doc)
    return out


@document_parser(SOURCE, bounded=False)
def parse_13f_coverpages(content: bytes, *, location: str) -> pd.DataFrame:
    """COVERPAGE.tsv of a data-set zip: amendment flags and the manager's name per filing."""
    doc, frame = _read_member(content, location, "COVERPAGE.tsv", COVERPAGE_COLUMNS)
    _check_pattern(frame, "ACCESSION_NUMBER", _ACCESSION, doc, "an accession number like 0001234567-25-000001")
    _check_allowed(frame, "ISAMENDMENT", ("Y", "N"), doc, optional=True)
    _check_allowed(frame, "AMENDMENTTYPE", AMENDMENT_TYPES, doc, optional=True)
    _check_pattern(frame, "AMENDMENTNO", re.compile(r"\d{1,4}"), doc, "a whole number", optional=True)
    _check_pattern(frame, "FILINGMANAGER_NAME", re.compile(r"\S.*"), doc, "a manager name")
    amended = frame["ISAMENDMENT"].astype(object) == "Y"
    no_type = amended & frame["AMENDMENTTYPE"].isna().to_numpy()
    if no_type.any():
        _fail_at(doc, np.flatnonzero(no_type)[0], "an amendment (ISAMENDMENT = Y) must say its "
                 "AMENDMENTTYPE: RESTATEMENT (replaces the holdings) or NEW HOLDINGS (adds to them)")
    amendment_no = frame["AMENDMENTNO"].astype(object)
    out = pd.DataFrame({
        "accession_number": frame["ACCESSION_NUMBER"].astype(str),
        "report_calendar_or_quarter": _sec_dates(frame, "REPORTCALENDARORQUARTER", doc),
        "is_amendment": amended.to_numpy(),
        "amendment_no": pd.to_numeric(amendment_no).astype("Int64"),
        "amendment_type": frame["AMENDMENTTYPE"].astype(object).where(frame["AMENDMENTTYPE"].notna(), None),
        "filing_manager_name": frame["FILINGMANAGER_NAME"].astype(str),
    })
    _check_unique_key(out, ["accession_number"], doc)
    return out


@document_parser(SOURCE, bounded=False)
def parse_13f_summarypages(content: bytes, *, location: str) -> pd.DataFrame:
    """SUMMARYPAGE.tsv of a data-set zip: the declared line count and value total per filing."""
    doc, frame = _read_member(content, location, "SUMMARYPAGE.tsv", SUMMARYPAGE_COLUMNS)
    _check_pattern(frame, "ACCESSION_NUMBER", _ACCESSION, doc, "an accession number like 0001234567-25-000001")
    for column in ("TABLEENTRYTOTAL", "TABLEVALUETOTAL"):
        values = frame[column].dropna()
        if not (values == values.round()).all():
            i = int(np.flatnonzero((frame[column] != frame[column].round()).to_numpy() & frame[column].notna().to_numpy())[0])
            _fail_at(doc, i, f"column {column!r}: expected a whole number, found {float(frame[column].iat[i])!r}")
    out = pd.DataFrame({
        "accession_number": frame["ACCESSION_NUMBER"].astype(str),
        "table_entry_total": frame["TABLEENTRYTOTAL"].astype("Int64"),
        "table_value_total": frame["TABLEVALUETOTAL"].astype("Int64"),
    })
    _check_unique_key(out, ["accession_number"], doc)
    return out


@document_parser(SOURCE, bounded=False)
def parse_13f_infotable(content: bytes, *, location: str) -> pd.DataFrame:
    """INFOTABLE.tsv of a data-set zip: one row per information-table line, VALUE as published.

    String columns come back as pandas categoricals (lean at 3M rows), integers as int64.
    """
    doc, frame = _read_member(content, location, "INFOTABLE.tsv", INFOTABLE_COLUMNS)
    return _validate_infotable(frame, doc)


def _validate_infotable(frame: pd.DataFrame, doc: Doc) -> pd.DataFrame:
    _check_pattern(frame, "ACCESSION_NUMBER", _ACCESSION, doc, "an accession number like 0001234567-25-000001")
    _check_pattern(frame, "CUSIP", _CUSIP, doc, "a 9-character CUSIP of digits and capital letters")
    _check_pattern(frame, "NAMEOFISSUER", re.compile(r"\S.*"), doc, "the issuer's name")
    _check_allowed(frame, "SSHPRNAMTTYPE", SHARE_TYPES, doc)
    _check_allowed(frame, "PUTCALL", PUT_CALL, doc, optional=True)
    _check_allowed(frame, "INVESTMENTDISCRETION", DISCRETION, doc)
    out = frame.rename(columns=INFOTABLE_COLUMNS, copy=False)  # read_csv's RangeIndex, no copy of 3M rows
    _check_unique_key(out, ["accession_number", "infotable_sk"], doc)
    return out


# The most bytes one member of a data-set zip may inflate to. A real quarter's INFOTABLE.tsv (the
# largest member, ~3M lines of ~250 bytes) is under 1 GiB; 4 GiB leaves room for growth while a
# small zip that inflates past it (a zip bomb, or not a 13F data set) is refused before pandas
# builds anything from it.
MAX_MEMBER_BYTES = 4 * 1024 ** 3


def _read_member(content: bytes, location: str, member: str, columns: Mapping[str, str]) -> tuple[Doc, pd.DataFrame]:
    """Open ``member`` of the zip and read it with explicit dtypes (no per-row Python).

    ``content`` may also be that member itself (a data set extracted into a folder).
    """
    if not bytes(content[:4]) == b"PK\x03\x04" and not location.lower().endswith(".zip"):
        doc = Doc(SOURCE, location)
        return doc, read_tsv(lambda: bytes(content), lambda: io.BytesIO(bytes(content)), doc, columns)
    doc = Doc(SOURCE, f"{location}!{member}")
    return doc, read_tsv(lambda: member_bytes(content, location, member), lambda: _member_stream(content, member),
                         doc, columns)


@contextmanager
def _member_stream(content: bytes, member: str) -> Iterator[BinaryIO]:
    """``member`` of the zip again, inflated as it is read: the one :func:`member_bytes` checked
    (its name, size and CRC; several of that name agree byte for byte, the first is read)."""
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        info = next(i for i in archive.infolist() if not i.is_dir() and _member_name(i.filename) == member)
        with archive.open(info) as handle:
            yield handle


def member_bytes(content: bytes, location: str, member: str, *, limit: int | None = None) -> bytes:
    """The inflated bytes of ``member`` (by file name; members may sit in a folder) of a data-set zip.

    Refused, naming the zip and the member: a member name with ``..`` or an absolute one, two members
    of one name in the zip's directory, and a member inflating past ``limit`` (``MAX_MEMBER_BYTES``;
    checked on the declared size, then while inflating: no more than ``limit`` + 1 bytes are ever
    read). Two members of the wanted file name in different folders are read once if they agree
    byte for byte (the first), else refused naming both.
    """
    limit = MAX_MEMBER_BYTES if limit is None else limit
    zip_doc = Doc(SOURCE, location)
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    except zipfile.BadZipFile:
        head = bytes(content[:80]).lstrip()
        what = "an HTML page" if head.startswith(b"<") else "not a zip archive"
        zip_doc.fail(f"expected a Form 13F data-set zip (SUBMISSION.tsv, COVERPAGE.tsv, INFOTABLE.tsv), "
                     f"found {what} (starts with {head[:40]!r})")
    infos = archive.infolist()
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
            zip_doc.fail(f"member {name!r} has an absolute name; a data set's members are relative")
        if ".." in parts:
            zip_doc.fail(f"member {name!r} climbs out of the archive with '..'")
        if name in seen:
            zip_doc.fail(f"two members are named {name!r}; a zip must name each member once")
        seen.add(name)
    wanted = [info for info in infos if not info.is_dir() and _member_name(info.filename) == member]
    if not wanted:
        names = sorted({_member_name(i.filename) for i in infos if not i.is_dir()})
        zip_doc.fail(f"the zip has no {member} (members: {', '.join(names) or 'none'})")
    first, *others = [_inflate(archive, info, location, limit) for info in wanted]
    for info, data in zip(wanted[1:], others):
        if data != first:
            zip_doc.fail(f"two members named {member} disagree: {wanted[0].filename!r} and {info.filename!r} "
                         "differ; which one is the data set's is not known")
    return first


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, location: str, limit: int) -> bytes:
    where = Doc(SOURCE, f"{location}!{info.filename}")
    too_big = (f"inflates to more than {limit:,} bytes (MAX_MEMBER_BYTES), more than any real 13F data-set "
               "member: refused unread")
    if info.file_size > limit:
        where.fail(f"declares {info.file_size:,} bytes: {too_big}")
    if info.file_size > MAX_INFLATION_RATIO * max(info.compress_size, 1):
        where.fail(f"declares {info.file_size:,} bytes from {info.compress_size:,} compressed, more than "
                   f"{MAX_INFLATION_RATIO} times as many (real text deflates 3 to 12 times; a zip bomb "
                   "~1000): refused unread")
    try:
        with archive.open(info) as handle:
            # zipfile stops at the declared size and then checks the CRC: a member inflating past
            # what it declares is an error after at most that many bytes (limit + 1 here)
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        where.fail(f"the member cannot be inflated: {type(exc).__name__}: {exc}")
    if len(data) > limit:
        where.fail(too_big)
    return data


def _member_name(name: str) -> str:
    """A member's file name (members may sit in a folder)."""
    return name.rsplit("/", 1)[-1]


def read_tsv(load: Callable[[], bytes], reopen: Callable[[], AbstractContextManager[BinaryIO]], doc: Doc,
             columns: Mapping[str, str]) -> pd.DataFrame:
    """Read a 13F TSV: the header must hold every expected column; strings as categories.

    ``load`` gives the file's bytes, for the checks of its header and field counts; ``reopen`` the
    same bytes again as a stream, which pandas reads after those bytes are let go: at a real
    quarter's INFOTABLE.tsv (~300 MB) that is 300 MB less at the peak of the parse (pandas holds a
    copy of its own) for a second inflation of the member (~1 s).
    Integers are read as int64 directly; if a value is not a whole number the column is read again
    as text to name the offending line.
    """
    raw = load()
    line_end = raw.find(b"\n")  # the header: not a split, which would copy the rest of the file
    header_line = (raw if line_end < 0 else raw[:line_end]).rstrip(b"\r")
    try:
        header = header_line.decode("utf-8").lstrip("\ufeff").split("\t")
    except UnicodeDecodeError:
        doc.fail("the header line is not valid UTF-8", row=1)
    if header_line.lstrip().startswith(b"<"):
        doc.fail(f"document is HTML, not a tab-separated file (starts with {header_line[:60]!r})", row=1)
    missing = [c for c in columns if c not in header]
    if missing:
        doc.fail(f"header lacks column(s) {', '.join(missing)}; expected tab-separated columns "
                 f"{', '.join(columns)}; found {', '.join(header)}", row=1)
    _check_field_counts(raw, doc, len(header))
    del raw
    wanted = list(columns)
    dtypes = {c: ("int64" if c in _INT_COLUMNS else "float64" if c in _OPTIONAL_NUMBERS else "category")
              for c in wanted}
    # low_memory=False: one pass over the whole member. In chunks (the default), every chunk builds
    # its own categories and pandas unions them all at the end; with the accession numbers growing
    # with the file, that is 40% of the parse at 3M lines for a few hundred MB less at the peak.
    options = dict(sep="\t", usecols=wanted, dtype=dtypes, quoting=csv.QUOTE_NONE, engine="c",
                   keep_default_na=False, na_values=[""], encoding="utf-8", low_memory=False)
    try:
        with reopen() as handle:
            frame = pd.read_csv(handle, **options)
    except UnicodeDecodeError as exc:
        doc.fail(f"not valid UTF-8: {exc.reason} at byte {exc.start}")
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        doc.fail(f"malformed tab-separated data: {exc}", row=int(match.group(1)) if match else None)
    except (ValueError, TypeError, OverflowError):  # not a whole number, or beyond int64: find it
        with reopen() as handle:
            text = pd.read_csv(handle, **{**options, "dtype": "category"})
        for column in (c for c in wanted if c in _INT_COLUMNS + _OPTIONAL_NUMBERS):
            values = text[column]
            if column in _INT_COLUMNS and values.isna().any():
                _fail_at(doc, np.flatnonzero(values.isna().to_numpy())[0],
                         f"column {column!r}: expected a whole number, found an empty value")
            bad_values = [v for v in values.cat.categories if not re.fullmatch(r"-?\d{1,18}", str(v))]
            if bad_values:
                i = int(np.flatnonzero(values.isin(bad_values).to_numpy())[0])
                found = str(values.iat[i])
                beyond = (" (beyond the largest whole number a 64-bit column holds, 9,223,372,036,854,775,807)"
                          if re.fullmatch(r"-?\d{19,}", found) else "")
                _fail_at(doc, i, f"column {column!r}: expected a whole number such as 1250, found {found!r}{beyond}")
        raise
    frame = frame if list(frame.columns) == wanted else frame[wanted]
    _check_not_negative(frame, doc)
    return frame


# Share counts, dollar values and voting authority are amounts: never below zero (every line of the
# real information table in tests/fixtures/real_excerpts/sec_13f is >= 0).
def _check_not_negative(frame: pd.DataFrame, doc: Doc) -> None:
    for column in (c for c in frame.columns if c in _INT_COLUMNS + _OPTIONAL_NUMBERS):
        negative = (frame[column] < 0).to_numpy()
        if negative.any():
            i = int(np.flatnonzero(negative)[0])
            _fail_at(doc, i, f"column {column!r}: expected an amount >= 0, found {frame[column].iat[i]:g}")


_FIELD_COUNT_CHUNK = 4 * 1024 * 1024  # bytes looked at per step: a 32 MiB cumulative count at most


def _check_field_counts(raw: bytes, doc: Doc, expected: int) -> None:
    """Every line has the header's number of tab-separated fields (the file's own line numbers).

    With no quoting, a tab inside a value (an issuer name) adds a field and shifts every column
    after it: pandas would then blame a later column (VALUE) for the shifted text. Counted on the
    bytes, in chunks, before pandas builds anything; blank lines at the very end are allowed.
    """
    end = len(raw)
    while end and raw[end - 1] in b"\r\n":
        end -= 1
    data = np.frombuffer(raw, dtype=np.uint8, count=end)
    line, carry = 1, 0  # 1-based number of the current line; its tabs seen in earlier chunks
    for start in range(0, end, _FIELD_COUNT_CHUNK):
        part = data[start:start + _FIELD_COUNT_CHUNK]
        # where the tabs and line ends are, and how many tabs precede each line end: a search in
        # the tabs' positions (a running count over every byte took 4x as long at 3M lines)
        tabs = np.flatnonzero(part == 9)
        newlines = np.flatnonzero(part == 10)
        at_newline = np.searchsorted(tabs, newlines)
        per_line = np.diff(at_newline, prepend=0)
        if per_line.size:
            per_line[0] += carry
            bad = np.flatnonzero(per_line != expected - 1)
            if bad.size:
                _fail_field_count(raw, doc, expected, line + int(bad[0]), int(per_line[bad[0]]) + 1)
            carry = int(tabs.size - at_newline[-1])
        else:
            carry += int(tabs.size)
        line += newlines.size
    if end and carry != expected - 1:
        _fail_field_count(raw, doc, expected, line, carry + 1)


def _fail_field_count(raw: bytes, doc: Doc, expected: int, line: int, found: int):
    shown = _nth_line(raw, line).rstrip(b"\r\n").decode("utf-8", "replace")
    shown = shown if len(shown) <= 160 else shown[:157] + "..."
    cause = ("a tab inside a value (an issuer or manager name?) splits it and shifts every column after it"
             if found > expected else "a field is missing, or the line is cut short")
    doc.fail(f"the column count is wrong on this line: expected {expected} tab-separated fields as in the "
             f"header, found {found} ({cause}): {shown!r}", row=line)


def _nth_line(raw: bytes, line: int) -> bytes:
    with io.BytesIO(raw) as handle:
        for number, text in enumerate(handle, start=1):
            if number == line:
                return text
    return b""


def _fail_at(doc: Doc, index: int, message: str):
    doc.fail(message, row=int(index) + 2)  # header is line 1


def _check_pattern(frame: pd.DataFrame, column: str, pattern: re.Pattern, doc: Doc, expected: str,
                   *, optional: bool = False) -> None:
    values = frame[column]
    if not optional and values.isna().any():
        _fail_at(doc, np.flatnonzero(values.isna().to_numpy())[0], f"column {column!r}: expected {expected}, found an empty value")
    bad = [v for v in values.cat.categories if not pattern.fullmatch(str(v))]
    if bad:
        i = int(np.flatnonzero(values.isin(bad).to_numpy())[0])
        _fail_at(doc, i, f"column {column!r}: expected {expected}, found {values.iat[i]!r}")


def _check_allowed(frame: pd.DataFrame, column: str, allowed: Sequence[str], doc: Doc, *, optional: bool = False) -> None:
    pattern = re.compile("|".join(map(re.escape, allowed)))
    _check_pattern(frame, column, pattern, doc, "one of " + ", ".join(map(repr, allowed)), optional=optional)


def _sec_dates(frame: pd.DataFrame, column: str, doc: Doc) -> pd.Series:
    """``31-DEC-2024`` to datetime64[ns]; each distinct value is parsed once."""
    _check_pattern(frame, column, _SEC_DATE, doc, "a date like 31-DEC-2024")
    values = frame[column]
    parsed = pd.to_datetime(pd.Series(values.cat.categories), format="%d-%b-%Y", errors="coerce")
    if parsed.isna().any():
        bad = values.cat.categories[int(np.flatnonzero(parsed.isna().to_numpy())[0])]
        _fail_at(doc, np.flatnonzero((values == bad).to_numpy())[0], f"column {column!r}: {bad!r} is not a calendar date")
    return pd.Series(parsed.to_numpy()[values.cat.codes.to_numpy()], dtype="datetime64[ns]")


def _check_unique_key(frame: pd.DataFrame, key: list[str], doc: Doc) -> None:
    duplicated = frame.duplicated(subset=key, keep="first").to_numpy()
    if duplicated.any():
        i = int(np.flatnonzero(duplicated)[0])
        values = ", ".join(str(frame[k].iat[i]) for k in key)
        _fail_at(doc, i, f"duplicate key ({', '.join(key)}) = ({values}); each key must appear once")


# ---------------------------------------------------------------------------------------------
# One filing's information table (XML)
# ---------------------------------------------------------------------------------------------

_XML_FIELDS = {  # column -> path under <infoTable>
    "name_of_issuer": "nameOfIssuer", "title_of_class": "titleOfClass", "cusip": "cusip",
    "figi": "figi", "value": "value", "sshprnamt": "shrsOrPrnAmt/sshPrnamt",
    "sshprnamt_type": "shrsOrPrnAmt/sshPrnamtType", "put_call": "putCall",
    "investment_discretion": "investmentDiscretion", "other_manager": "otherManager",
    "voting_auth_sole": "votingAuthority/Sole", "voting_auth_shared": "votingAuthority/Shared",
    "voting_auth_none": "votingAuthority/None",
}
_XML_REQUIRED = ("name_of_issuer", "cusip", "value", "sshprnamt", "sshprnamt_type", "investment_discretion")
_XML_INTS = ("value", "sshprnamt", "voting_auth_sole", "voting_auth_shared", "voting_auth_none")


@document_parser(SOURCE)
def parse_13f_infotable_xml(content: bytes, *, location: str, accession_number: str) -> pd.DataFrame:
    """One filing's ``<informationTable>`` as the same columns as INFOTABLE.tsv rows.

    ``infotable_sk`` is the 1-based position of the ``<infoTable>`` element (row in errors too).
    Real EDGAR documents vary in ways that do not change the content, all accepted: blank lines or
    spaces (and a UTF-8 BOM) before ``<?xml``, the namespace as a prefix (``<ns1:infoTable>``) or as
    the default, or no namespace at all; ``<figi>`` present or not.
    """
    doc = Doc(SOURCE, location)
    if not _ACCESSION.fullmatch(accession_number):
        doc.fail(f"accession number {accession_number!r} is not like 0001234567-25-000001")
    stripped = bytes(content).removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped[:1] == b"<" and stripped[:15].lower().startswith((b"<!doctype html", b"<html")):
        doc.fail("document is HTML, not an information-table XML (the server returned a web page)")
    try:
        root = ElementTree.fromstring(stripped)
    except ElementTree.ParseError as exc:
        doc.fail(f"malformed XML: {exc}")
    if root.tag.endswith("}edgarSubmission") or root.tag == "edgarSubmission":
        doc.fail("document is a Form 13F cover page (primary_doc.xml, root <edgarSubmission>), not an "
                 "information table: the holdings are in the filing's information-table XML "
                 "(root <informationTable>)")
    if root.tag == f"{{{XML_NAMESPACE}}}informationTable":
        prefix = "t:"
    elif root.tag == "informationTable":
        prefix = ""
    else:
        doc.fail(f"expected a root <informationTable> in namespace {XML_NAMESPACE}, found {root.tag!r}")
    ns = {"t": XML_NAMESPACE}
    records = []
    for i, entry in enumerate(root.findall(f"{prefix}infoTable", ns), start=1):
        record = {"infotable_sk": i}
        for column, path in _XML_FIELDS.items():
            node = entry.find("/".join(f"{prefix}{p}" for p in path.split("/")), ns)
            text = node.text.strip() if node is not None and node.text and node.text.strip() else None
            if text is None and column in _XML_REQUIRED:
                doc.fail(f"<infoTable> lacks <{path}>", row=i)
            if text is not None and column in _XML_INTS:
                if not re.fullmatch(r"\d{1,18}", text):
                    doc.fail(f"<{path}>: expected a whole number, found {text!r}", row=i)
                text = int(text)
            record[column] = text
        records.append(record)
    if not records:
        doc.fail("the information table has no <infoTable> entries")
    frame = pd.DataFrame.from_records(records, columns=["infotable_sk", *_XML_FIELDS])
    frame.insert(0, "accession_number", accession_number)
    for row, (cusip, share_type, put_call, discretion) in enumerate(zip(
            frame["cusip"], frame["sshprnamt_type"], frame["put_call"], frame["investment_discretion"]), start=1):
        if not _CUSIP.fullmatch(cusip):
            doc.fail(f"<cusip>: expected a 9-character CUSIP of digits and capital letters, found {cusip!r}", row=row)
        if share_type not in SHARE_TYPES:
            doc.fail(f"<sshPrnamtType>: expected SH or PRN, found {share_type!r}", row=row)
        if put_call is not None and put_call not in PUT_CALL:
            doc.fail(f"<putCall>: expected Put or Call, found {put_call!r}", row=row)
        if discretion not in DISCRETION:
            doc.fail(f"<investmentDiscretion>: expected SOLE, DFND or OTR, found {discretion!r}", row=row)
    for column in ("voting_auth_sole", "voting_auth_shared", "voting_auth_none"):
        frame[column] = frame[column].astype("float64")
    for column in ("value", "sshprnamt", "infotable_sk"):
        frame[column] = frame[column].astype("int64")
    return frame


# ---------------------------------------------------------------------------------------------
# One filing's cover page (primary_doc.xml)
# ---------------------------------------------------------------------------------------------

_COVER_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})")  # EDGAR's MM-DD-YYYY (both real cover pages)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find_text(root: ElementTree.Element, *path: str) -> str | None:
    """The text at ``path`` of local element names, whatever namespace or prefix each one has (the
    real cover pages put the default namespace on some elements and ``ns1:``/``com:`` on others)."""
    nodes = [root]
    for name in path:
        nodes = [child for node in nodes for child in node if _local(child.tag) == name]
    texts = [n.text.strip() for n in nodes if n.text and n.text.strip()]
    return texts[0] if texts else None


@document_parser(SOURCE)
def parse_13f_primary_doc(content: bytes, *, location: str, accession_number: str) -> dict[str, pd.DataFrame]:
    """One filing's cover page (EDGAR's ``primary_doc.xml``, root ``<edgarSubmission>``) as one row
    each of the data sets' SUBMISSION, COVERPAGE and SUMMARYPAGE, keyed by ``accession_number``.

    The cover page carries no filing date: ``filing_date`` is the signature date (a filing is
    accepted on or after the day it is signed; the real Everhart cover page was signed 2021-03-26
    for 2020-12-31). Values as published: ``tableValueTotal`` in the filing's VALUE unit.
    """
    doc = Doc(SOURCE, location)
    if not _ACCESSION.fullmatch(accession_number):
        doc.fail(f"accession number {accession_number!r} is not like 0001234567-25-000001")
    stripped = bytes(content).removeprefix(b"\xef\xbb\xbf").lstrip()
    try:
        root = ElementTree.fromstring(stripped)
    except ElementTree.ParseError as exc:
        doc.fail(f"malformed XML: {exc}")
    if _local(root.tag) != "edgarSubmission":
        doc.fail(f"expected a Form 13F cover page (root <edgarSubmission>), found <{_local(root.tag)}>")

    def required(*path: str) -> str:
        text = _find_text(root, *path)
        if text is None:
            doc.fail(f"the cover page lacks <{'/'.join(path)}>")
        return text

    def date(*path: str) -> pd.Timestamp:
        text = required(*path)
        match = _COVER_DATE.fullmatch(text)
        if not match:
            doc.fail(f"<{path[-1]}>: expected a date like 09-30-2021 (MM-DD-YYYY), found {text!r}")
        month, day, year = match.groups()
        return pd.Timestamp(f"{year}-{month}-{day}")

    def whole(*path: str) -> int | None:
        text = _find_text(root, *path)
        if text is not None and not re.fullmatch(r"\d{1,18}", text):
            doc.fail(f"<{path[-1]}>: expected a whole number, found {text!r}")
        return None if text is None else int(text)

    submission_type = required("headerData", "submissionType")
    if submission_type not in SUBMISSION_TYPES:
        doc.fail(f"<submissionType>: expected one of {', '.join(SUBMISSION_TYPES)}, found {submission_type!r}")
    cik = required("headerData", "filerInfo", "filer", "credentials", "cik")
    if not re.fullmatch(r"\d{1,10}", cik):
        doc.fail(f"<cik>: expected up to 10 digits, found {cik!r}")
    amendment_type = _find_text(root, "formData", "coverPage", "amendmentInfo", "amendmentType")
    is_amendment = (_find_text(root, "formData", "coverPage", "isAmendment") or "false").lower() == "true"
    if amendment_type is not None and amendment_type not in AMENDMENT_TYPES:
        doc.fail(f"<amendmentType>: expected RESTATEMENT or NEW HOLDINGS, found {amendment_type!r}")
    if is_amendment and amendment_type is None:
        doc.fail("an amendment (<isAmendment>true) must say its <amendmentType>: RESTATEMENT or NEW HOLDINGS")
    key = {"accession_number": [accession_number]}
    return {
        "sec13f_submissions": pd.DataFrame({
            **key, "filing_date": [date("formData", "signatureBlock", "signatureDate")],
            "submission_type": [submission_type], "cik": [int(cik)],
            "period_of_report": [date("headerData", "filerInfo", "periodOfReport")]}),
        "sec13f_coverpages": pd.DataFrame({
            **key, "report_calendar_or_quarter": [date("formData", "coverPage", "reportCalendarOrQuarter")],
            "is_amendment": [is_amendment],
            "amendment_no": pd.array([whole("formData", "coverPage", "amendmentNo")], dtype="Int64"),
            "amendment_type": [amendment_type],
            "filing_manager_name": [required("formData", "coverPage", "filingManager", "name")]}),
        "sec13f_summarypages": pd.DataFrame({
            **key,
            "table_entry_total": pd.array([whole("formData", "summaryPage", "tableEntryTotal")], dtype="Int64"),
            "table_value_total": pd.array([whole("formData", "summaryPage", "tableValueTotal")], dtype="Int64")}),
    }
