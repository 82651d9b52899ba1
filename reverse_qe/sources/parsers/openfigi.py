"""Parser for OpenFIGI's mapping API answers (``POST /v3/mapping``), one per request of jobs.

The request is a JSON array of jobs ``{"idType": "ID_CUSIP", "idValue": "037833100"}``; the answer
is a JSON array with one element per job, in the jobs' order (openfigi.com/api/documentation):

- ``{"data": [{"figi", "name", "ticker", "exchCode", "marketSector", "securityType",
  "securityType2", ...}, ...]}``: the instrument's listings (one per exchange; ``exchCode`` "US" is
  the composite US listing, the one kept here, else the first);
- ``{"warning": "No identifier found."}``: OpenFIGI does not know the CUSIP (kept as ``not_found``,
  so it is not asked again);
- ``{"error": "..."}``: the job failed (kept apart: asked again by the next run).

Errors name source "openfigi", the answer's location and, as row, the job's index.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reverse_qe.sources.parsers._common import (
    Doc,
    decode_text,
    document_parser,
    json_type,
    load_json,
)

SOURCE = "openfigi"
FIELDS = {"figi": "figi", "name": "figi_name", "ticker": "ticker", "exchCode": "exch_code",
          "marketSector": "market_sector", "securityType": "security_type", "securityType2": "security_type2"}
COLUMNS = ["cusip", "status", *FIELDS.values()]
FOUND, NOT_FOUND = "found", "not_found"
COMPOSITE_US = "US"


@dataclass(frozen=True)
class MappingAnswer:
    """The rows of the jobs OpenFIGI answered (found or not), and the jobs it failed, with why."""

    rows: pd.DataFrame
    failed: dict[str, str]  # CUSIP -> the job's error


def _listing(data: list, doc: Doc, row: int) -> dict:
    if not data or not all(isinstance(item, dict) and isinstance(item.get("figi"), str) for item in data):
        doc.fail("'data' must be a non-empty array of listings, each with a 'figi' string", row=row)
    return next((item for item in data if item.get("exchCode") == COMPOSITE_US), data[0])


@document_parser(SOURCE)
def parse_openfigi_mapping(content: bytes, *, location: str, cusips: list[str]) -> MappingAnswer:
    """The answer to one request whose jobs asked for ``cusips``, in order."""
    doc = Doc(SOURCE, location)
    answer = load_json(decode_text(content, doc, kind="JSON"), doc)
    if not isinstance(answer, list):
        doc.fail(f"expected a JSON array with one result per job, found {json_type(answer)}"
                 + (f" ({answer.get('error') or answer.get('message')!r})" if isinstance(answer, dict) else ""))
    if len(answer) != len(cusips):
        doc.fail(f"{len(answer)} result(s) for {len(cusips)} job(s): each job gets exactly one, in order; "
                 "results cannot be matched to their CUSIPs")
    rows, failed = [], {}
    for i, (cusip, result) in enumerate(zip(cusips, answer)):
        if not isinstance(result, dict):
            doc.fail(f"expected the job's result to be a JSON object, found {json_type(result)}", row=i)
        if "data" in result:
            listing = _listing(result["data"], doc, i)
            rows.append({"cusip": cusip, "status": FOUND,
                         **{column: _text(listing.get(field)) for field, column in FIELDS.items()}})
        elif "warning" in result:
            rows.append({"cusip": cusip, "status": NOT_FOUND, **dict.fromkeys(FIELDS.values())})
        elif "error" in result:
            failed[cusip] = str(result["error"])
        else:
            doc.fail(f"the job's result has none of 'data', 'warning' or 'error' (keys: {', '.join(result) or 'none'})",
                     row=i)
    frame = pd.DataFrame(rows, columns=COLUMNS).astype(object)
    return MappingAnswer(frame.where(frame.notna(), None), failed)


def _text(value) -> str | None:
    return None if value is None or value == "" else str(value)
