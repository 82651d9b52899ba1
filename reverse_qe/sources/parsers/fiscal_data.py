"""Parsers for two tables of the Treasury Fiscal Data Daily Treasury Statement (DTS).

Each table comes in two formats:

* ``csv``: the site's CSV export, UTF-8 with a byte-order mark, human column labels
  ("Record Date", "Type of Account", ...), one line per row, extra columns ignored;
* ``json``: one page of the API (``/v1/accounting/dts/...``):
  ``{"data": [{snake_case field: string value, "null" for null}], "meta": {..., "total-pages": N},
  "links": {...}}``.

Amounts are $mn. Every row is kept as published (e.g. all TGA label eras); choosing rows happens
downstream. Errors: source "fiscal_data", row = CSV line number (header = 1) or JSON record index.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reverse_qe.sources.parsers._common import (
    Doc,
    check_field_counts,
    check_unique,
    csv_column,
    decode_text,
    document_parser,
    json_records,
    json_strings,
    json_type,
    load_json,
    read_csv,
    to_dates,
    to_float,
    to_int,
    to_text,
)

SOURCE = "fiscal_data"
MISSING = frozenset({"", "null"})


@dataclass(frozen=True)
class Field:
    """One output column: its CSV export label (None: not exported), API field and kind.

    kind: "date", "text" (required), "text_or_none", "amount" (float64, missing → NaN), "int".
    """

    name: str
    label: str | None
    json: str
    kind: str
    json_optional: bool = False
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A DTS table: its output columns in order and its natural key."""

    title: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]


OPERATING_CASH_BALANCE = Table("DTS table I, Operating Cash Balance", (
    Field("record_date", "Record Date", "record_date", "date"),
    Field("account_type", "Type of Account", "account_type", "text"),
    Field("open_today_bal", "Opening Balance Today", "open_today_bal", "amount"),
    Field("open_month_bal", "Opening Balance This Month", "open_month_bal", "amount"),
    Field("open_fiscal_year_bal", "Opening Balance This Fiscal Year", "open_fiscal_year_bal",
          "amount"),
    Field("close_today_bal", None, "close_today_bal", "amount", json_optional=True),
    Field("source_line_number", "Source Line Number", "src_line_nbr", "int"),
), key=("record_date", "account_type"))

PUBLIC_DEBT_TRANSACTIONS = Table("DTS table IIIA, Public Debt Transactions", (
    Field("record_date", "Record Date", "record_date", "date"),
    Field("transaction_type", "Transaction Type", "transaction_type", "text",
          allowed=("Issues", "Redemptions")),
    Field("security_marketability", "Security Marketability", "security_market", "text"),
    Field("security_type", "Security Type", "security_type", "text"),
    Field("security_type_desc", "Security Type Description", "security_type_desc", "text_or_none"),
    Field("transaction_today_amt", "Transactions Today", "transaction_today_amt", "amount"),
    Field("transaction_mtd_amt", "Transactions Month to Date", "transaction_mtd_amt", "amount"),
    Field("transaction_fytd_amt", "Transactions Fiscal Year to Date", "transaction_fytd_amt",
          "amount"),
    Field("source_line_number", "Source Line Number", "src_line_nbr", "int"),
), key=("record_date", "source_line_number"))


@document_parser(SOURCE)
def parse_dts_operating_cash_balance(content: bytes, *, location: str, fmt: str) -> pd.DataFrame:
    """Parse DTS table I (Operating Cash Balance) from the CSV export or an API JSON page.

    Columns: record_date, account_type, open_today_bal, open_month_bal, open_fiscal_year_bal,
    close_today_bal (NaN in the CSV export, which lacks it), source_line_number.
    Key (record_date, account_type) is unique.
    """
    return _parse_table(content, location, fmt, OPERATING_CASH_BALANCE)


@document_parser(SOURCE)
def parse_dts_public_debt_transactions(content: bytes, *, location: str, fmt: str) -> pd.DataFrame:
    """Parse DTS table IIIA (Public Debt Transactions) from the CSV export or an API JSON page.

    Columns: record_date, transaction_type, security_marketability, security_type,
    security_type_desc (None where "null"), transaction_today_amt, transaction_mtd_amt,
    transaction_fytd_amt, source_line_number. Key (record_date, source_line_number) is unique.
    """
    return _parse_table(content, location, fmt, PUBLIC_DEBT_TRANSACTIONS)


@dataclass(frozen=True)
class PageMeta:
    """What one API page says of the whole query: pages and records in all, records on this page."""

    total_pages: int
    total_count: int | None  # meta['total-count'], when the page gives it
    records: int | None  # len(data), when the page has a data list


def fiscal_data_page_meta(content: bytes, *, location: str) -> PageMeta:
    """Read ``meta["total-pages"]``, ``meta["total-count"]`` and the record count of one API page."""
    doc = Doc(SOURCE, location)
    payload = load_json(decode_text(content, doc, kind="JSON"), doc)
    meta = payload.get("meta") if isinstance(payload, dict) else None
    if not isinstance(meta, dict) or "total-pages" not in meta:
        doc.fail("expected a Fiscal Data API page with meta['total-pages'], found "
                 f"{json_type(payload)} without it")
    counts = {key: meta.get(key) for key in ("total-pages", "total-count")}
    for key, value in counts.items():
        if (value is not None or key == "total-pages") and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0):
            doc.fail(f"meta[{key!r}]: expected a non-negative whole number, found {value!r}")
    data = payload.get("data")
    return PageMeta(counts["total-pages"], counts["total-count"],
                    len(data) if isinstance(data, list) else None)


def fiscal_data_total_pages(content: bytes, *, location: str) -> int:
    """Read ``meta["total-pages"]`` from one Fiscal Data API JSON page."""
    return fiscal_data_page_meta(content, location=location).total_pages


def _parse_table(content: bytes, location: str, fmt: str, table: Table) -> pd.DataFrame:
    if fmt not in ("csv", "json"):
        raise ValueError(f"fmt must be 'csv' or 'json', not {fmt!r}")
    doc = Doc(SOURCE, location)
    text = decode_text(content, doc, kind=fmt.upper())
    columns, rows = (_csv_columns if fmt == "csv" else _json_columns)(text, table, doc)
    frame = pd.DataFrame({
        f.name: _convert(columns[f.name], f, rows, doc, len(rows)) for f in table.fields
    })
    check_unique(frame, table.key, rows, doc)
    return frame


def _csv_columns(text: str, table: Table, doc: Doc) -> tuple[dict, list[int]]:
    """Map each field to (label shown in errors, raw string Series or None if not exported)."""
    header, rows, lines = read_csv(text, doc)
    labels = [f.label for f in table.fields if f.label is not None]
    missing = [label for label in labels if label not in header]
    if missing:
        doc.fail(f"missing column(s) {', '.join(map(repr, missing))} for {table.title} (CSV "
                 f"export); expected labels {', '.join(labels)}; found {', '.join(header)}", row=1)
    repeated = [label for label in labels if header.count(label) > 1]
    if repeated:
        doc.fail(f"column {repeated[0]!r} appears more than once in the header", row=1)
    check_field_counts(header, rows, lines, doc)
    columns = {f.name: (f.name, None) if f.label is None else
               (f.label, csv_column(rows, header.index(f.label))) for f in table.fields}
    return columns, lines


def _json_columns(text: str, table: Table, doc: Doc) -> tuple[dict, range]:
    """Map each field to (API field name, raw string Series); JSON null reads as "null"."""
    payload = load_json(text, doc)
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        found = json_type(payload)
        if isinstance(payload, dict):
            found += (f" whose 'data' is {json_type(data)}" if "data" in payload
                      else f" without 'data' (keys: {', '.join(payload) or 'none'})")
        doc.fail(f"expected a Fiscal Data API page, a JSON object with a 'data' list; found {found}")
    required = [f.json for f in table.fields if not f.json_optional]
    records = json_records(data, doc, required=required, what=f"{table.title} record")
    columns = {
        f.name: (f.json, json_strings(records, f.json, doc, if_null="null",
                                      if_absent="null" if f.json_optional else None))
        for f in table.fields
    }
    return columns, range(len(records))


def _convert(column: tuple, f: Field, rows, doc: Doc, n: int) -> pd.Series:
    """Validate one raw string column into its typed Series."""
    shown, values = column
    if values is None:
        return pd.Series([float("nan")] * n, dtype="float64")
    if f.kind == "date":
        return to_dates(values, column=shown, rows=rows, doc=doc)
    if f.kind == "amount":
        return to_float(values, column=shown, rows=rows, doc=doc, missing=MISSING)
    if f.kind == "int":
        return to_int(values, column=shown, rows=rows, doc=doc)
    return to_text(values, column=shown, rows=rows, doc=doc, missing=MISSING,
                   required=f.kind == "text", allowed=f.allowed)
