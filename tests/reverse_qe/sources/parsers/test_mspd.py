"""MSPD table 1 (debt held by the public, $mn) from Fiscal Data API pages."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.mspd import parse_mspd_table_1
from tests.conftest import FIXTURES as TESTS_FIXTURES

PAGE = TESTS_FIXTURES / "fiscal_data" / "mspd_table_1.json"


def test_rows_and_units_as_published():
    frame = parse_mspd_table_1(PAGE.read_bytes(), location="mspd.json")
    assert len(frame) == 8
    total = frame[(frame["security_class_desc"] == "Total Marketable")].set_index("record_date")
    assert total.loc[pd.Timestamp("2021-06-30"), "debt_held_public_mil_amt"] == 22117864.2
    assert frame.loc[3, "security_class_desc"] is None  # "null" in the page
    assert frame["source_line_number"].tolist() == [1, 2, 7, 9, 1, 2, 7, 9]


def test_bad_amount_names_row():
    payload = json.loads(PAGE.read_bytes())
    payload["data"][5]["debt_held_public_mil_amt"] = "12,506,777.0"
    with pytest.raises(SourceFormatError, match=r"\[fiscal_data\] m\.json, row 5: column 'debt_held_public_mil_amt'"):
        parse_mspd_table_1(json.dumps(payload).encode(), location="m.json")
