"""Parser for the Monthly Statement of the Public Debt, table 1 (Fiscal Data API JSON pages).

``/v1/debt/mspd/mspd_table_1``: one row per month end and security class, amounts in $mn as
strings ("null" for null), e.g. ``{"record_date": "2025-06-30", "security_type_desc":
"Marketable", "security_class_desc": "Bills", "debt_held_public_mil_amt": "6151234.5", ...}``.
Total rows ("Total Marketable", "Total Public Debt Outstanding") are kept as published; choosing
rows happens downstream. Errors: source "fiscal_data", row = the record's index in ``data``.
"""

from __future__ import annotations

import pandas as pd

from reverse_qe.sources.parsers._common import Doc, document_parser
from reverse_qe.sources.parsers.fiscal_data import SOURCE, Field, Table, _parse_table

MSPD_TABLE_1 = Table("MSPD table 1, Summary of Treasury Securities Outstanding", (
    Field("record_date", None, "record_date", "date"),
    Field("security_type_desc", None, "security_type_desc", "text"),
    Field("security_class_desc", None, "security_class_desc", "text_or_none"),
    Field("debt_held_public_mil_amt", None, "debt_held_public_mil_amt", "amount"),
    Field("intragov_hold_mil_amt", None, "intragov_hold_mil_amt", "amount"),
    Field("total_mil_amt", None, "total_mil_amt", "amount"),
    Field("source_line_number", None, "src_line_nbr", "int"),
), key=("record_date", "source_line_number"))


@document_parser(SOURCE)
def parse_mspd_table_1(content: bytes, *, location: str) -> pd.DataFrame:
    """One API JSON page of MSPD table 1. Key (record_date, source_line_number) is unique.

    The site's CSV export of the same table ("Record Date,Security Type Description,...,Total Public
    Debt Outstanding (in Millions)") is refused by name: it lacks src_line_nbr, half of the key, and
    writes its total rows differently ("Total Marketable" as the type, "_" as the class), so its rows
    would not line up with the API's.
    """
    head = bytes(content[:200]).removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"Record Date,"):
        Doc(SOURCE, location).fail(
            "document is the Fiscal Data site's CSV export of MSPD table 1, not an API JSON page: it has "
            "no source line number (src_line_nbr, part of the key) and labels its total rows otherwise; "
            "download /v1/debt/mspd/mspd_table_1 as JSON", row=1)
    return _parse_table(content, location, "json", MSPD_TABLE_1)
