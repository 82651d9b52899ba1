"""NY Fed Markets API repo / reverse repo operation results parser."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.nyfed import parse_nyfed_repo_operations
from tests.conftest import FIXTURES as TESTS_FIXTURES

FIXTURE = TESTS_FIXTURES / "nyfed" / "reverse_repo_operations.json"
LOC = "https://markets.newyorkfed.org/api/rp/reverserepo/all/results/lastTwoWeeks.json"
COLUMNS = ["operation_id", "operation_date", "settlement_date", "maturity_date", "operation_type",
           "operation_method", "term", "note", "total_amt_submitted", "total_amt_accepted",
           "award_rate_pct", "is_small_value"]
DTYPES = ["object", "datetime64[ns]", "datetime64[ns]", "datetime64[ns]", "object", "object",
          "object", "object", "float64", "float64", "float64", "bool"]
BASE = {"operationId": "RP 010299 1", "auctionStatus": "Results", "operationDate": "2099-01-02",
        "settlementDate": "2099-01-02", "maturityDate": "2099-01-03",
        "operationType": "Reverse Repo", "operationMethod": "Fixed Rate", "term": "Overnight",
        "note": "", "totalAmtSubmitted": 1200000000, "totalAmtAccepted": 1000000000,
        "details": [{"securityType": "Treasury", "amtAccepted": 1000000000,
                     "percentAwardRate": 1.5}]}


def document(*operations: dict) -> bytes:
    return json.dumps({"repo": {"operations": list(operations)}}).encode()


def parse(content: bytes) -> pd.DataFrame:
    return parse_nyfed_repo_operations(content, location=LOC)


def fails(content: bytes, row: int | None, *fragments: str) -> None:
    """Parsing must raise SourceFormatError naming nyfed, LOC, the row and each fragment."""
    with pytest.raises(SourceFormatError) as caught:
        parse(content)
    error = caught.value
    assert (error.source, error.location, error.row) == ("nyfed", LOC, row)
    assert str(error).startswith(f"[nyfed] {LOC}")
    for fragment in fragments:
        assert fragment in str(error), f"{fragment!r} not in {str(error)!r}"


def test_fixture():
    frame = parse_nyfed_repo_operations(FIXTURE.read_bytes(), location=str(FIXTURE))
    assert list(frame.columns) == COLUMNS
    assert frame.dtypes.astype(str).tolist() == DTYPES
    assert frame["operation_id"].tolist() == ["RP 071921 1", "RP 070121 1", "RP 063021 2",
                                              "RP 063021 1", "RP 062421 1", "RP 062321 1"]
    row = frame.set_index("operation_id").loc["RP 062321 1"]
    assert (row["operation_date"], row["maturity_date"]) == (pd.Timestamp("2021-06-23"),
                                                             pd.Timestamp("2021-06-24"))
    assert (row["total_amt_accepted"], row["award_rate_pct"]) == (791512000000.0, 0.05)
    assert (row["operation_type"], row["operation_method"], row["term"]) == (
        "Reverse Repo", "Fixed Rate", "Overnight")
    assert frame["is_small_value"].tolist() == [False, False, True, False, False, False]
    announced = frame.iloc[0]
    assert math.isnan(announced["total_amt_submitted"]) and math.isnan(announced["award_rate_pct"])
    assert frame.set_index("operation_id").loc["RP 062421 1", "note"] == ""  # note absent
    accepted = frame[~frame["is_small_value"]].groupby("operation_date")["total_amt_accepted"].sum()
    assert accepted[pd.Timestamp("2021-06-30")] == 989261000000.0


def test_award_rate_is_weighted_by_accepted_amount():
    details = [{"securityType": "Treasury", "amtAccepted": 100, "percentAwardRate": 5.0},
               {"securityType": "Agency", "amtAccepted": 300, "percentAwardRate": 5.2},
               {"securityType": "Mortgage-Backed", "amtAccepted": 50},
               {"securityType": "Other", "amtAccepted": None, "percentAwardRate": 9.0}]
    frame = parse(document({**BASE, "details": details},
                           {**BASE, "operationId": "B", "details": [
                               {"amtAccepted": 0, "percentAwardRate": 4.0}]},
                           {**BASE, "operationId": "C", "details": []}))
    assert frame["award_rate_pct"][0] == pytest.approx(5.15)
    assert math.isnan(frame["award_rate_pct"][1]) and math.isnan(frame["award_rate_pct"][2])


@pytest.mark.parametrize("note, flagged", [
    ("Small Value Exercise", True), ("This is a small value test.", True),
    ("SMALL-VALUE operational test", True), ("", False), ("Large value", False)])
def test_small_value_flag(note, flagged):
    assert parse(document({**BASE, "note": note}))["is_small_value"].tolist() == [flagged]


def test_no_operations_is_an_empty_frame():
    frame = parse(b'{"repo": {"operations": []}}')
    assert frame.empty and list(frame.columns) == COLUMNS
    assert frame.dtypes.astype(str).tolist() == DTYPES


def test_missing_amounts_are_nan():
    op = {k: v for k, v in BASE.items() if not k.startswith("totalAmt") and k != "details"}
    frame = parse(document(op, {**BASE, "operationId": "X", "totalAmtAccepted": None}))
    assert frame["total_amt_submitted"].isna().tolist() == [True, False]
    assert frame["total_amt_accepted"].isna().tolist() == [True, True]


@pytest.mark.parametrize("content, fragment", [
    (b"", "empty document"),
    (b"\n<html><body>Service Unavailable</body></html>", "HTML, not JSON"),
    (b'{"repo": {"operations": [', "invalid JSON at line 1"),
    (b'{"repo": {"operation": []}}', "repo.operations list"),
    (b'[{"operationId": "x"}]', "found array"),
    (b'{"repo": "x\xff"}', "not valid UTF-8"),
])
def test_document_errors(content, fragment):
    fails(content, None, fragment)


def test_operation_errors_name_the_index():
    other = {**BASE, "operationId": "RP 2"}
    fails(document(BASE, {k: v for k, v in other.items() if k != "maturityDate"}), 1,
          "missing field(s) 'maturityDate'")
    fails(document(BASE, {**other, "operationDate": "01/02/2099"}), 1, "'operationDate'",
          "YYYY-MM-DD", "found '01/02/2099'")
    fails(document(BASE, {**other, "totalAmtAccepted": "1,000,000"}), 1, "'totalAmtAccepted'",
          "expected a JSON number, found string '1,000,000'")
    fails(document(BASE, {**other, "totalAmtSubmitted": True}), 1, "found boolean")
    fails(document(BASE, {**other, "operationId": ""}), 1, "'operationId'", "expected a value")
    fails(document(BASE, {**other, "term": None}), 1, "'term'", "expected a string, found null")
    fails(document(BASE, {**other, "details": {"amtAccepted": 1}}), 1, "'details'", "list")
    fails(document(BASE, {**other, "details": [{"percentAwardRate": "1.5"}]}), 1,
          "details.percentAwardRate")
    fails(document(BASE, other, BASE), 2, "duplicate key (operation_id) = ('RP 010299 1')",
          "already at row 0")
    fails(document(BASE, "RP"), 1, "JSON object, found string")
