"""Parser for NY Fed Markets API repo / reverse repo operation results (JSON).

Format (``https://markets.newyorkfed.org/api/rp/...json``)::

    {"repo": {"operations": [{"operationId": "RP 062326 1", "auctionStatus": "Results",
      "operationDate": "YYYY-MM-DD", "settlementDate": ..., "maturityDate": ...,
      "operationType": "Reverse Repo", "operationMethod": "Fixed Rate", "term": "Overnight",
      "note": "", "totalAmtSubmitted": 6484000000, "totalAmtAccepted": 6484000000,
      "details": [{"securityType": "Treasury", "amtAccepted": ..., "percentAwardRate": 4.25}],
      ...}]}}

Amounts are USD as JSON numbers; operations not yet at "Results" may lack amounts. Every
operation is kept, including small value exercises (flagged, filtered downstream).
Errors: source "nyfed", row = index of the operation in the list.
"""

from __future__ import annotations

import math

import pandas as pd

from reverse_qe.sources.parsers._common import (
    Doc,
    check_unique,
    decode_text,
    document_parser,
    json_number,
    json_records,
    json_strings,
    json_type,
    load_json,
    to_dates,
    to_text,
)

SOURCE = "nyfed"
SMALL_VALUE = r"small[\s-]value"
_TEXT = {"operation_id": "operationId", "operation_type": "operationType",
         "operation_method": "operationMethod", "term": "term"}
_DATES = {"operation_date": "operationDate", "settlement_date": "settlementDate",
          "maturity_date": "maturityDate"}
_AMOUNTS = {"total_amt_submitted": "totalAmtSubmitted", "total_amt_accepted": "totalAmtAccepted"}
COLUMNS = ("operation_id", "operation_date", "settlement_date", "maturity_date", "operation_type",
           "operation_method", "term", "note", "total_amt_submitted", "total_amt_accepted",
           "award_rate_pct", "is_small_value")


@document_parser(SOURCE)
def parse_nyfed_repo_operations(content: bytes, *, location: str) -> pd.DataFrame:
    """Parse a NY Fed repo/reverse repo operations JSON document, one row per operation.

    Columns: operation_id, operation_date, settlement_date, maturity_date, operation_type,
    operation_method, term, note ("" if absent), total_amt_submitted, total_amt_accepted
    (USD, NaN if absent), award_rate_pct (amount-accepted-weighted mean of the details'
    percentAwardRate, NaN if none), is_small_value (note mentions a "small value" exercise).
    """
    doc = Doc(SOURCE, location)
    payload = load_json(decode_text(content, doc, kind="JSON"), doc)
    repo = payload.get("repo") if isinstance(payload, dict) else None
    operations = repo.get("operations") if isinstance(repo, dict) else None
    if not isinstance(operations, list):
        what = ""
        if isinstance(payload, dict) and "refRates" in payload:
            what = " (NY Fed reference rates, /api/rates/...: another publication)"
        elif isinstance(payload, dict):
            what = f" (keys: {', '.join(map(str, payload)) or 'none'})"
        doc.fail('expected {"repo": {"operations": [...]}} (NY Fed repo operation results), '
                 f"found {json_type(payload)} without a repo.operations list{what}")
    records = json_records(operations, doc, required=[*_TEXT.values(), *_DATES.values()],
                           what="operation")
    rows = range(len(records))
    columns: dict[str, pd.Series] = {}
    for name, key in _TEXT.items():
        raw = json_strings(records, key, doc)
        columns[name] = to_text(raw, column=key, rows=rows, doc=doc, missing=frozenset(),
                                required=True)
    for name, key in _DATES.items():
        columns[name] = to_dates(json_strings(records, key, doc), column=key, rows=rows, doc=doc)
    note = json_strings(records, "note", doc, if_absent="", if_null="")
    columns["note"] = note
    for name, key in _AMOUNTS.items():
        columns[name] = pd.Series([json_number(r.get(key), field=key, row=i, doc=doc)
                                   for i, r in enumerate(records)], dtype="float64")
    columns["award_rate_pct"] = pd.Series([_award_rate(r.get("details"), i, doc)
                                           for i, r in enumerate(records)], dtype="float64")
    columns["is_small_value"] = note.str.contains(SMALL_VALUE, case=False, regex=True).astype(bool)
    frame = pd.DataFrame({name: columns[name] for name in COLUMNS})
    check_unique(frame, ["operation_id"], rows, doc)
    return frame


def _award_rate(details: object, row: int, doc: Doc) -> float:
    """Accepted-amount-weighted mean of percentAwardRate over the details; NaN if none."""
    if details is None:
        return math.nan
    if not isinstance(details, list):
        doc.fail(f"field 'details': expected a list, found {json_type(details)}", row=row)
    weighted = accepted = 0.0
    for detail in details:
        if not isinstance(detail, dict):
            doc.fail(f"field 'details': expected objects, found {json_type(detail)}", row=row)
        rate = json_number(detail.get("percentAwardRate"), field="details.percentAwardRate",
                           row=row, doc=doc)
        amount = json_number(detail.get("amtAccepted"), field="details.amtAccepted",
                             row=row, doc=doc)
        if not (math.isnan(rate) or math.isnan(amount)):
            weighted += rate * amount
            accepted += amount
    return weighted / accepted if accepted > 0 else math.nan
