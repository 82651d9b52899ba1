"""Format-agnostic helpers shared by the source parsers.

Decoding (strict UTF-8, optional byte-order mark), sniffing (empty document, HTML page served
instead of data), CSV splitting with line numbers, JSON loading, and vectorised validation of
string columns into dates, plain decimal numbers, integers and text. Every failure raises
:class:`SourceFormatError` naming the source, the location and the row.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import numpy as np
import pandas as pd

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.limits import check_document

T = TypeVar("T")

PLAIN_DECIMAL = r"-?\d+(?:\.\d+)?"
PLAIN_INTEGER = r"\d{1,18}"
ISO_DATE = r"\d{4}-\d{2}-\d{2}"
NOT_BLANK = r"[^\S\n]*\S.*"
_BOM = "\ufeff"
_HTML_START = re.compile(r"<(?:!doctype|html|head|body|title|meta|div|p|!--)[\s>]", re.IGNORECASE)
_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number",
               bool: "boolean", type(None): "null"}


def document_parser(source: str, *, bounded: bool = True) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A parser's entry point ``parse(content, *, location, ...)``: the document is first checked
    against the size and line bounds (``reverse_qe.sources.limits``; unless not ``bounded``: a 13F
    data-set zip, bounded by its transport and member by member as it inflates), and an
    error the parser did not anticipate (an overflow, an out-of-range date, ...) becomes a
    :class:`SourceFormatError` naming the source, the document and the real cause, so it is
    quarantined like any other and not retried."""

    def wrap(parse: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(parse)
        def run(content: bytes, *args: Any, location: str, **kwargs: Any) -> T:
            if bounded:
                check_document(source, location, content)
            try:
                return parse(content, *args, location=location, **kwargs)
            except SourceFormatError:
                raise
            except (ValueError, ArithmeticError, TypeError, KeyError, IndexError) as exc:
                raise SourceFormatError(source, location, (
                    f"could not be read: {type(exc).__name__}: {exc} (a value this parser does not "
                    "expect; the document is not in the source's published format)")) from exc

        return run

    return wrap


@dataclass(frozen=True)
class Doc:
    """The document being parsed; every error names its source and location (file or URL)."""

    source: str
    location: str

    def fail(self, message: str, row: int | None = None) -> NoReturn:
        raise SourceFormatError(self.source, self.location, message, row=row)


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def decode_text(content: bytes, doc: Doc, *, kind: str) -> str:
    """Decode strict UTF-8 (dropping a leading BOM) and reject empty documents and HTML pages.

    ``kind`` is "CSV" or "JSON". For CSV the error row of a bad byte is its line number; for
    JSON (whose rows are record indexes) the line is only given in the message.
    """
    if bytes(content[:2]) in (b"\xff\xfe", b"\xfe\xff"):
        doc.fail(f"document is UTF-16 (it starts with a UTF-16 byte-order mark), not a UTF-8 {kind} "
                 "document: a re-export (e.g. PowerShell Export-Csv or Excel), not the publisher's file",
                 row=1 if kind == "CSV" else None)
    try:
        text = bytes(content).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = bytes(content).count(b"\n", 0, exc.start) + 1
        bad = bytes(content)[exc.start:exc.start + 1]
        doc.fail(f"not valid UTF-8: byte {bad!r} at offset {exc.start} (line {line}); "
                 f"expected a UTF-8 encoded {kind} document", row=line if kind == "CSV" else None)
    text = text.removeprefix(_BOM)
    stripped = text.lstrip()
    if not stripped:
        doc.fail(f"empty document: expected {kind} with a header/data, found no content")
    if stripped.startswith("<"):
        first = stripped.splitlines()[0][:80]
        if stripped.startswith("<?xml"):
            doc.fail(f"document is XML, not {kind} (it starts with {first!r}): another publication "
                     "or format of the source than the one this parser reads")
        # A CSV header may start with "<" (Stooq's bulk files: "<TICKER>,<PER>,<DATE>,...").
        if kind != "CSV" or _HTML_START.match(stripped):
            doc.fail(f"document is HTML, not {kind} (it starts with {first!r}); the server "
                     "returned a web page (error, maintenance or login page) instead of the data")
    return text


def read_csv(text: str, doc: Doc) -> tuple[list[str], list[list[str]], list[int]]:
    """Split CSV text into (header cells stripped, data rows, 1-based line number of each row).

    The header is line 1. Trailing blank lines are dropped; quoting follows RFC 4180.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
        if reader.line_num == len(rows):  # one line per record: line number = position + 1
            lines = list(range(1, len(rows) + 1))
        else:  # quoted line breaks: record each row's own line number
            reader = csv.reader(io.StringIO(text, newline=""), strict=True)
            rows, lines = [], []
            for row in reader:
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as exc:
        doc.fail(f"malformed CSV: {exc}", row=reader.line_num)
    while rows and not rows[-1]:
        rows.pop()
        lines.pop()
    if not rows:
        doc.fail("empty document: expected a CSV header line, found only blank lines")
    return [cell.strip() for cell in rows[0]], rows[1:], lines[1:]


def check_field_counts(header: list[str], rows: list[list[str]], lines: list[int], doc: Doc) -> None:
    """Every data row must have as many fields as the header."""
    n = len(header)
    counts = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    bad = np.flatnonzero(counts != n)
    if not bad.size:
        return
    i = int(bad[0])
    found, raw = len(rows[i]), ",".join(rows[i])
    shown = ",".join(header)
    shown = shown if len(shown) <= 120 else shown[:117] + "..."
    message = f"expected {n} comma-separated fields as in the header ({shown}), found {found}"
    if found == 0:
        message += " (a blank line inside the data)"
    elif found > n:
        message += (f": {raw!r}. An unquoted comma inside a value splits it into extra fields; "
                    "numbers must be plain decimals like 1234.5, without a thousands separator "
                    "('1,234.5') or a decimal comma ('1,75754E+11')")
    else:
        message += f": {raw!r} (the row is truncated)"
    doc.fail(message, row=lines[i])


def csv_column(rows: list[list[str]], index: int) -> pd.Series:
    """One column of field-count-checked CSV rows, as an object Series of str."""
    return pd.Series(np.array([row[index] for row in rows], dtype=object), dtype=object)


def load_json(text: str, doc: Doc) -> Any:
    """Parse JSON text; NaN/Infinity literals are rejected."""
    def no_constant(name: str) -> NoReturn:
        doc.fail(f"invalid JSON: the literal {name} is not allowed")
    try:
        return json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        doc.fail(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")


def json_records(value: Any, doc: Doc, *, required: Sequence[str], what: str) -> list[dict]:
    """A JSON list of objects, each holding every ``required`` key (row = record index)."""
    for i, record in enumerate(value):
        if not isinstance(record, dict):
            doc.fail(f"expected each {what} to be a JSON object, found {json_type(record)}", row=i)
        missing = [key for key in required if key not in record]
        if missing:
            doc.fail(f"{what} is missing field(s) {', '.join(map(repr, missing))}; expected "
                     f"fields {', '.join(required)}; found {', '.join(record) or 'none'}", row=i)
    return value


def json_strings(records: list[dict], field: str, doc: Doc, *,
                 if_absent: str | None = None, if_null: str | None = None) -> pd.Series:
    """One field of every record as an object Series of str.

    ``if_absent``/``if_null`` replace a missing key / a JSON null; ``None`` makes that an error.
    """
    out: list[str] = []
    for i, record in enumerate(records):
        if field not in record:
            if if_absent is None:
                doc.fail(f"field {field!r} is missing", row=i)
            value = if_absent
        else:
            value = record[field]
            if value is None and if_null is not None:
                value = if_null
            elif not isinstance(value, str):
                expected = "a string" if if_null is None else "a string or null"
                doc.fail(f"field {field!r}: expected {expected}, found {json_type(value)} "
                         f"{value!r}", row=i)
        out.append(value)
    return pd.Series(out, dtype=object)


def json_number(value: Any, *, field: str, row: int, doc: Doc) -> float:
    """A JSON number as float; JSON null or an absent value (passed as None) become NaN."""
    if value is None:
        return float("nan")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        doc.fail(f"field {field!r}: expected a JSON number, found {json_type(value)} {value!r}",
                 row=row)
    return float(value)


def _mismatch(values: pd.Series, pattern: str) -> np.ndarray:
    """Mask of values not fully matching ``pattern`` (which must never match a newline).

    Fast path: one regex pass over the newline-joined column; per value only when that fails.
    """
    items = values.tolist()
    joined = "\n".join(items)
    if joined.count("\n") == len(items) - 1 and re.fullmatch(
            f"(?:{pattern})(?:\n(?:{pattern}))*", joined):
        return np.zeros(len(items), dtype=bool)
    return ~values.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)


def _first(bad: np.ndarray) -> int | None:
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def _reject(bad: np.ndarray, values: pd.Series, rows: Sequence[int], doc: Doc,
            message: Callable[[str], str]) -> None:
    """Fail on the first flagged value, with ``message(value)`` and its row."""
    i = _first(bad)
    if i is not None:
        doc.fail(message(values.iat[i]), row=rows[i])


def _number_message(column: str, missing: frozenset[str]) -> Callable[[str], str]:
    def message(found: str) -> str:
        hint = ("; thousands separators and decimal commas are not accepted" if "," in found else
                "; exponent (spreadsheet) notation is not accepted" if "e" in found.lower() else "")
        tokens = " or ".join(map(repr, sorted(missing)))
        return (f"column {column!r}: expected a plain decimal number such as 3808042, 3.925 or "
                f"-0.25 (missing: {tokens}), found {found!r}{hint}")
    return message


def to_float(values: pd.Series, *, column: str, rows: Sequence[int], doc: Doc,
             missing: frozenset[str]) -> pd.Series:
    """Plain decimals (``3808042``, ``3.925``, ``-0.25``) to float64; ``missing`` tokens to NaN.

    Thousands separators, decimal commas and exponent/spreadsheet notation are rejected.
    """
    pattern = "|".join([PLAIN_DECIMAL, *map(re.escape, sorted(missing))])
    _reject(_mismatch(values, pattern), values, rows, doc, _number_message(column, missing))
    return values.mask(values.isin(missing)).astype("float64")


def to_int(values: pd.Series, *, column: str, rows: Sequence[int], doc: Doc) -> pd.Series:
    """Non-negative integers written as plain digits to int64."""
    _reject(_mismatch(values, PLAIN_INTEGER), values, rows, doc,
            lambda found: f"column {column!r}: expected a whole number such as 12, found {found!r}")
    return values.astype("int64")


def to_dates(values: pd.Series, *, column: str, rows: Sequence[int], doc: Doc) -> pd.Series:
    """ISO dates ``YYYY-MM-DD`` to datetime64[ns] at midnight; impossible dates are rejected."""
    misshapen = _mismatch(values, ISO_DATE)
    parsed = pd.to_datetime(values.mask(misshapen), format="%Y-%m-%d", errors="coerce")
    _reject(misshapen | parsed.isna().to_numpy(), values, rows, doc,
            lambda found: f"column {column!r}: expected a date as YYYY-MM-DD, found {found!r}")
    return parsed.astype("datetime64[ns]")


def to_text(values: pd.Series, *, column: str, rows: Sequence[int], doc: Doc,
            missing: frozenset[str], required: bool, allowed: Sequence[str] = ()) -> pd.Series:
    """Text; blank values and ``missing`` tokens are an error if ``required``, else None."""
    is_missing = values.isin(missing).to_numpy(dtype=bool)
    if _mismatch(values, NOT_BLANK).any():  # a blank (or multi-line) value: check exactly
        is_missing |= (values.str.strip() == "").to_numpy(dtype=bool)
    if required:
        _reject(is_missing, values, rows, doc,
                lambda found: f"column {column!r}: expected a value, found {found!r}")
    if allowed:
        _reject(~(values.isin(allowed).to_numpy(dtype=bool) | is_missing), values, rows, doc,
                lambda found: f"column {column!r}: expected one of "
                              f"{', '.join(map(repr, allowed))}, found {found!r}")
    return values.mask(is_missing, None).astype(object)


def check_unique(frame: pd.DataFrame, key: Sequence[str], rows: Sequence[int], doc: Doc) -> None:
    """The natural key must identify one row; the error names the duplicate and the original."""
    i = _first(frame.duplicated(subset=list(key), keep="first").to_numpy())
    if i is None:
        return
    values = frame.loc[i, list(key)]
    j = _first((frame[list(key)] == values).all(axis=1).to_numpy())
    shown = ", ".join(str(v.date()) if isinstance(v, pd.Timestamp) else
                      repr(v) if isinstance(v, str) else str(v) for v in values)
    doc.fail(f"duplicate key ({', '.join(key)}) = ({shown}): already at row {rows[j]}; "
             "each key must appear once", row=rows[i])
