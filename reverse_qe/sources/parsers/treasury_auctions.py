"""Parsers for Treasury auction results, in the two published formats of the same facts.

* Fiscal Data ``/v1/accounting/od/auctions_query`` (one API JSON page):
  ``{"data": [{snake_case field: string value, "null" for null}], "meta": {"total-pages": N}}``;
* TreasuryDirect ``TA_WS/securities/auctioned?format=json``: a JSON list of objects with camelCase
  string fields, "" for missing, dates as ``YYYY-MM-DDT00:00:00``.

Both parse into the same columns (amounts in USD, rates in percent). Numbers must be plain decimals:
spreadsheet notation such as ``1,75754E+11`` is rejected, never misread. A reopening keeps its
remaining ``security_term`` ("9-Year 10-Month") beside its ``original_security_term`` ("10-Year");
comparisons across auctions use the original term. Errors: source "fiscal_data" or
"treasurydirect", row = the record's index in the JSON list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reverse_qe.sources.parsers._common import (
    Doc,
    check_unique,
    decode_text,
    document_parser,
    json_records,
    json_strings,
    json_type,
    load_json,
    to_dates,
    to_float,
    to_text,
)

MISSING_FISCAL_DATA = frozenset({"", "null"})
MISSING_TREASURYDIRECT = frozenset({""})
YES_NO = ("Yes", "No")
KEY = ("cusip", "auction_date")
_TD_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})T00:00:00")


@dataclass(frozen=True)
class Column:
    """One output column and its field name in each format.

    kind: "date", "date_or_none", "text", "text_or_none", "yes_no" (required), "yes_no_or_no"
    (missing reads as No), "amount" (USD, ≥ 0, missing → NaN), "rate" (missing → NaN).
    """

    name: str
    fiscal_data: str
    treasurydirect: str
    kind: str
    required: bool = True  # must the field be present in every record


COLUMNS = (
    Column("cusip", "cusip", "cusip", "text"),
    Column("auction_date", "auction_date", "auctionDate", "date"),
    Column("issue_date", "issue_date", "issueDate", "date"),
    Column("maturity_date", "maturity_date", "maturityDate", "date_or_none", required=False),
    Column("security_type", "security_type", "securityType", "text"),
    Column("security_term", "security_term", "securityTerm", "text"),
    Column("original_security_term", "original_security_term", "originalSecurityTerm",
           "text_or_none", required=False),
    Column("is_reopening", "reopening", "reopening", "yes_no"),
    Column("is_tips", "inflation_index_security", "tips", "yes_no_or_no", required=False),
    Column("is_frn", "floating_rate", "floatingRate", "yes_no_or_no", required=False),
    Column("is_cmb", "cash_management_bill_cmb", "cashManagementBillCMB", "yes_no_or_no",
           required=False),
    Column("offering_amt", "offering_amt", "offeringAmount", "amount"),
    Column("total_tendered", "total_tendered", "totalTendered", "amount", required=False),
    Column("total_accepted", "total_accepted", "totalAccepted", "amount", required=False),
    Column("comp_accepted", "comp_accepted", "competitiveAccepted", "amount", required=False),
    Column("bid_to_cover_ratio", "bid_to_cover_ratio", "bidToCoverRatio", "rate", required=False),
    Column("high_yield_pct", "high_yield", "highYield", "rate", required=False),
    Column("high_investment_rate_pct", "high_investment_rate", "highInvestmentRate", "rate",
           required=False),
    Column("indirect_bidder_accepted", "indirect_bidder_accepted", "indirectBidderAccepted",
           "amount", required=False),
    Column("direct_bidder_accepted", "direct_bidder_accepted", "directBidderAccepted", "amount",
           required=False),
    Column("primary_dealer_accepted", "primary_dealer_accepted", "primaryDealerAccepted", "amount",
           required=False),
    Column("soma_accepted", "soma_accepted", "somaAccepted", "amount", required=False),
)
OUTPUT_COLUMNS = tuple(c.name for c in COLUMNS) + ("source_format",)


@document_parser("fiscal_data")
def parse_fiscal_data_auctions(content: bytes, *, location: str) -> pd.DataFrame:
    """One Fiscal Data ``auctions_query`` JSON page → one row per auction (key cusip, auction_date)."""
    doc = Doc("fiscal_data", location)
    payload = load_json(decode_text(content, doc, kind="JSON"), doc)
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        doc.fail("expected a Fiscal Data API page, a JSON object with a 'data' list; found "
                 f"{json_type(payload)}" + (" without a 'data' list" if isinstance(payload, dict) else ""))
    return _parse(data, doc, field="fiscal_data", missing=MISSING_FISCAL_DATA,
                  source_format="fiscal_data_auctions_query")


@document_parser("treasurydirect")
def parse_treasurydirect_auctions(content: bytes, *, location: str) -> pd.DataFrame:
    """TreasuryDirect ``securities/auctioned`` JSON → the same columns as the Fiscal Data parser."""
    doc = Doc("treasurydirect", location)
    payload = load_json(decode_text(content, doc, kind="JSON"), doc)
    if not isinstance(payload, list):
        doc.fail(f"expected a JSON list of auctioned securities, found {json_type(payload)}")
    return _parse(payload, doc, field="treasurydirect", missing=MISSING_TREASURYDIRECT,
                  source_format="treasurydirect_auctioned")


def _parse(data: list, doc: Doc, *, field: str, missing: frozenset[str],
           source_format: str) -> pd.DataFrame:
    required = [getattr(c, field) for c in COLUMNS if c.required]
    records = json_records(data, doc, required=required, what="auction record")
    rows = range(len(records))
    absent = next(iter(sorted(missing)))  # an absent optional field reads as missing
    out: dict[str, pd.Series] = {}
    for column in COLUMNS:
        name = getattr(column, field)
        values = json_strings(records, name, doc, if_null=absent, if_absent=absent)
        out[column.name] = _convert(values, column, name, rows, doc, missing, field)
    frame = pd.DataFrame(out)
    frame["source_format"] = source_format
    _check_amounts(frame, doc)
    check_unique(frame, KEY, rows, doc)
    return frame[list(OUTPUT_COLUMNS)]


def _convert(values: pd.Series, column: Column, shown: str, rows, doc: Doc,
             missing: frozenset[str], field: str) -> pd.Series:
    kind = column.kind
    if kind in ("date", "date_or_none"):
        if field == "treasurydirect":
            values = _treasurydirect_dates(values, shown, rows, doc, missing)
        if kind == "date_or_none":
            present = ~values.isin(missing).to_numpy()
            parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
            if present.any():
                parsed[present] = to_dates(values[present].reset_index(drop=True), column=shown,
                                           rows=[rows[i] for i in np.flatnonzero(present)],
                                           doc=doc).to_numpy()
            return parsed
        return to_dates(values, column=shown, rows=rows, doc=doc)
    if kind in ("amount", "rate"):
        return to_float(values, column=shown, rows=rows, doc=doc, missing=missing)
    if kind in ("yes_no", "yes_no_or_no"):
        text = to_text(values, column=shown, rows=rows, doc=doc, missing=missing,
                       required=kind == "yes_no", allowed=YES_NO)
        return text.eq("Yes").astype(bool)
    return to_text(values, column=shown, rows=rows, doc=doc, missing=missing,
                   required=kind == "text")


def _treasurydirect_dates(values: pd.Series, shown: str, rows, doc: Doc,
                          missing: frozenset[str]) -> pd.Series:
    """``2026-06-30T00:00:00`` → ``2026-06-30``; anything else but a missing token is an error."""
    out = []
    for i, value in enumerate(values):
        if value in missing:
            out.append(value)
            continue
        match = _TD_DATE.fullmatch(value)
        if not match:
            doc.fail(f"field {shown!r}: expected a date as YYYY-MM-DDT00:00:00, found {value!r}",
                     row=rows[i])
        out.append(match.group(1))
    return pd.Series(out, dtype=object)


def _check_amounts(frame: pd.DataFrame, doc: Doc) -> None:
    """Amounts and the bid-to-cover ratio are never negative."""
    for column in [c.name for c in COLUMNS if c.kind == "amount"] + ["bid_to_cover_ratio"]:
        negative = np.flatnonzero((frame[column] < 0).to_numpy())
        if negative.size:
            i = int(negative[0])
            doc.fail(f"{column} is negative ({frame[column].iat[i]:g}) for CUSIP "
                     f"{frame['cusip'].iat[i]} auctioned {frame['auction_date'].iat[i].date()}; "
                     "auction amounts are never negative", row=i)
