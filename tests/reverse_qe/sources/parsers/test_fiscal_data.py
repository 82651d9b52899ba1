"""Fiscal Data DTS parsers (table I operating cash balance, table IIIA public debt transactions)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.fiscal_data import (
    fiscal_data_total_pages,
    parse_dts_operating_cash_balance,
    parse_dts_public_debt_transactions,
)
from tests.conftest import FIXTURES as TESTS_FIXTURES

FIXTURES = TESTS_FIXTURES / "fiscal_data"
LOC = "https://api.fiscaldata.treasury.gov/services/api/fiscal_service/v1/accounting/dts/test"
BOM = "\ufeff"
OCB_COLUMNS = ["record_date", "account_type", "open_today_bal", "open_month_bal",
               "open_fiscal_year_bal", "close_today_bal", "source_line_number"]
OCB_DTYPES = ["datetime64[ns]", "object", "float64", "float64", "float64", "float64", "int64"]
PDT_COLUMNS = ["record_date", "transaction_type", "security_marketability", "security_type",
               "security_type_desc", "transaction_today_amt", "transaction_mtd_amt",
               "transaction_fytd_amt", "source_line_number"]
PDT_DTYPES = ["datetime64[ns]", "object", "object", "object", "object", "float64", "float64",
              "float64", "int64"]
OCB_HEADER = ("Record Date,Type of Account,Opening Balance Today,Opening Balance This Month,"
              "Opening Balance This Fiscal Year,Table Number,Source Line Number")
OCB_FIELDS = ("record_date", "account_type", "open_today_bal", "open_month_bal",
              "open_fiscal_year_bal", "close_today_bal", "src_line_nbr")


def load(name: str, parser, fmt: str) -> pd.DataFrame:
    return parser((FIXTURES / name).read_bytes(), location=name, fmt=fmt)


def ocb_csv(*rows: str, header: str = OCB_HEADER) -> bytes:
    return (BOM + "\n".join([header, *rows]) + "\n").encode()


def ocb_json(*records: tuple) -> bytes:
    data = [dict(zip(OCB_FIELDS, r)) for r in records]
    return json.dumps({"data": data, "meta": {"total-pages": 1}, "links": {}}).encode()


def fails(parser, content: bytes, fmt: str, row: int | None, *fragments: str) -> None:
    """Parsing must raise SourceFormatError naming fiscal_data, LOC, the row and each fragment."""
    with pytest.raises(SourceFormatError) as caught:
        parser(content, location=LOC, fmt=fmt) if fmt else parser(content, location=LOC)
    error = caught.value
    assert (error.source, error.location, error.row) == ("fiscal_data", LOC, row)
    assert str(error).startswith(f"[fiscal_data] {LOC}")
    for fragment in fragments:
        assert fragment in str(error), f"{fragment!r} not in {str(error)!r}"


# --- operating cash balance -----------------------------------------------------------------


def test_ocb_csv_fixture_keeps_all_label_eras():
    frame = load("dts_operating_cash_balance.csv", parse_dts_operating_cash_balance, "csv")
    assert list(frame.columns) == OCB_COLUMNS
    assert frame.dtypes.astype(str).tolist() == OCB_DTYPES
    assert len(frame) == 26
    labels = set(frame["account_type"])
    assert {"Federal Reserve Account", "Treasury General Account (TGA)",
            "Treasury General Account (TGA) Opening Balance", "Total TGA Deposits (Table II)",
            "Total TGA Withdrawals (Table II) (-)", "Treasury General Account (TGA) Closing Balance",
            "Supplementary Financing Program Account"} <= labels
    assert frame["close_today_bal"].isna().all()
    closing = frame[(frame["record_date"] == "2022-04-18")
                    & (frame["account_type"] == "Treasury General Account (TGA) Closing Balance")]
    assert closing[["open_today_bal", "source_line_number"]].values.tolist() == [[834647.0, 4]]
    fra = frame[frame["account_type"] == "Federal Reserve Account"]
    assert fra["open_today_bal"].tolist() == [744062.0, 851327.0, 712906.0, 760118.0]
    assert fra["open_fiscal_year_bal"].unique().tolist() == [1779644.0]


def test_ocb_json_fixture():
    frame = load("dts_operating_cash_balance.json", parse_dts_operating_cash_balance, "json")
    assert list(frame.columns) == OCB_COLUMNS
    assert frame.dtypes.astype(str).tolist() == OCB_DTYPES
    assert len(frame) == 10
    fra = frame[frame["account_type"] == "Federal Reserve Account"].iloc[0]
    assert (fra["record_date"], fra["open_today_bal"], fra["close_today_bal"]) == (
        pd.Timestamp("2021-06-25"), 735118.0, 748302.0)
    assert frame.loc[frame["record_date"] > "2022-01-01", "close_today_bal"].isna().all()
    day = frame[frame["record_date"] == "2022-04-19"].set_index("account_type")["open_today_bal"]
    assert day["Treasury General Account (TGA) Opening Balance"] + day[
        "Total TGA Deposits (Table II)"] - day["Total TGA Withdrawals (Table II) (-)"] == day[
        "Treasury General Account (TGA) Closing Balance"]


@pytest.mark.parametrize("table, parser, key", [
    ("dts_operating_cash_balance", parse_dts_operating_cash_balance, ["record_date", "account_type"]),
    ("dts_public_debt_transactions", parse_dts_public_debt_transactions,
     ["record_date", "source_line_number"]),
])
def test_csv_and_json_fixtures_cover_different_days(table, parser, key):
    """The fixture directory doubles as a replay directory: CSV + JSON together stay key-unique."""
    both = pd.concat([load(f"{table}.csv", parser, "csv"), load(f"{table}.json", parser, "json")])
    assert not both.duplicated(key).any()


def test_ocb_missing_values_and_optional_close():
    frame = parse_dts_operating_cash_balance(ocb_json(
        ("2022-03-31", "Federal Reserve Account", "-12.5", "null", "", "1", "1"),
        ("2022-03-31", "Other", None, "0", "0", "0", "2")), location=LOC, fmt="json")
    assert frame["open_today_bal"].tolist()[0] == -12.5
    assert math.isnan(frame["open_month_bal"][0]) and math.isnan(frame["open_fiscal_year_bal"][0])
    assert frame["close_today_bal"].tolist()[0] == 1.0 and math.isnan(frame["open_today_bal"][1])
    no_close = json.dumps({"data": [{"record_date": "2022-03-31", "account_type": "X",
                                     "open_today_bal": "5", "open_month_bal": "6",
                                     "open_fiscal_year_bal": "7", "src_line_nbr": "3"}]}).encode()
    frame = parse_dts_operating_cash_balance(no_close, location=LOC, fmt="json")
    assert math.isnan(frame["close_today_bal"][0]) and frame["source_line_number"][0] == 3


@pytest.mark.parametrize("content, fmt", [
    (ocb_csv(), "csv"), ((OCB_HEADER + "\r\n").encode(), "csv"),
    (b'{"data": [], "meta": {"total-pages": 0}}', "json"),
])
def test_ocb_no_rows_is_an_empty_frame(content, fmt):
    frame = parse_dts_operating_cash_balance(content, location=LOC, fmt=fmt)
    assert frame.empty and list(frame.columns) == OCB_COLUMNS
    assert frame.dtypes.astype(str).tolist() == OCB_DTYPES


def test_ocb_crlf_and_quoted_fields():
    content = (OCB_HEADER + '\r\n2021-06-24,"Account, with comma",1,2,3,I,7\r\n').encode()
    frame = parse_dts_operating_cash_balance(content, location=LOC, fmt="csv")
    assert frame.iloc[0]["account_type"] == "Account, with comma"
    assert frame.iloc[0]["source_line_number"] == 7


# --- public debt transactions ---------------------------------------------------------------


def test_pdt_csv_fixture():
    frame = load("dts_public_debt_transactions.csv", parse_dts_public_debt_transactions, "csv")
    assert list(frame.columns) == PDT_COLUMNS
    assert frame.dtypes.astype(str).tolist() == PDT_DTYPES
    assert len(frame) == 46
    day = frame[frame["record_date"] == "2021-06-23"]
    marketable = day[day["security_marketability"] == "Marketable"]
    net = marketable.groupby("transaction_type")["transaction_today_amt"].sum()
    assert net["Issues"] - net["Redemptions"] == 21599.0
    bills = day[(day["security_type"] == "Bills") & (day["transaction_type"] == "Issues")]
    assert bills["security_type_desc"].tolist() == ["Regular Series", "Cash Management Series"]
    notes = day[day["security_type"] == "Notes"]
    assert notes["security_type_desc"].tolist() == [None, None]
    assert day["source_line_number"].tolist() == [*range(1, 14), *range(15, 25)]


def test_pdt_json_fixture_has_the_csv_layout():
    frame = load("dts_public_debt_transactions.json", parse_dts_public_debt_transactions, "json")
    assert list(frame.columns) == PDT_COLUMNS
    assert frame.dtypes.astype(str).tolist() == PDT_DTYPES
    assert frame["record_date"].unique().tolist() == [pd.Timestamp("2021-06-25")]
    csv = load("dts_public_debt_transactions.csv", parse_dts_public_debt_transactions, "csv")
    layout = ["transaction_type", "security_marketability", "security_type",
              "security_type_desc", "source_line_number"]
    expected = csv[csv["record_date"] == "2021-06-23"][layout].reset_index(drop=True)
    pd.testing.assert_frame_equal(frame[layout], expected)
    notes = frame[frame["security_type"] == "Notes"].set_index("transaction_type")
    assert notes["transaction_today_amt"].to_dict() == {"Issues": 61244.0, "Redemptions": 40017.0}
    assert notes.loc["Issues", "transaction_fytd_amt"] == 2679974.0


def test_pdt_header_only_csv():
    header = (FIXTURES / "dts_public_debt_transactions.csv").read_bytes().splitlines()[0]
    frame = parse_dts_public_debt_transactions(header, location=LOC, fmt="csv")
    assert frame.empty and frame.dtypes.astype(str).tolist() == PDT_DTYPES


def test_total_pages():
    fixture = (FIXTURES / "dts_public_debt_transactions.json").read_bytes()
    assert fiscal_data_total_pages(fixture, location=LOC) == 1
    assert fiscal_data_total_pages(b'{"data": [], "meta": {"total-pages": 7}}', location=LOC) == 7
    fails(fiscal_data_total_pages, b'{"data": []}', "", None, "meta['total-pages']")
    fails(fiscal_data_total_pages, b'{"meta": {"total-pages": "7"}}', "", None, "found '7'")
    fails(fiscal_data_total_pages, b"<html></html>", "", None, "HTML, not JSON")


# --- errors ---------------------------------------------------------------------------------

OCB, PDT = parse_dts_operating_cash_balance, parse_dts_public_debt_transactions
GOOD = "2021-06-24,Federal Reserve Account,712906,759482,1779644,I,1"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_html_and_empty_documents(fmt):
    fails(OCB, BOM.encode() + b"\r\n <!doctype html><title>503</title>", fmt, None,
          f"HTML, not {fmt.upper()}")
    fails(PDT, b" \n", fmt, None, "empty document")


def test_renamed_or_missing_column():
    header = OCB_HEADER.replace("Opening Balance Today", "Opening Bal Today")
    fails(OCB, ocb_csv(GOOD, header=header), "csv", 1, "missing column(s) 'Opening Balance Today'",
          "found Record Date, Type of Account, Opening Bal Today")
    fails(OCB, ocb_csv(header="record_date,account_type"), "csv", 1, "'Record Date'")


def test_csv_row_errors_name_the_line():
    fails(OCB, ocb_csv(GOOD, "2021-06-24,X,1,2,3,I"), "csv", 3, "found 6", "truncated")
    fails(OCB, ocb_csv(GOOD, "2021-06-25,X,1,234,2,3,I,2"), "csv", 3, "found 8",
          "thousands separator")
    fails(OCB, ocb_csv(GOOD, "06/25/2021,X,1,2,3,I,2"), "csv", 3, "'Record Date'", "YYYY-MM-DD")
    fails(OCB, ocb_csv(GOOD, '2021-06-25,X,"1,234",2,3,I,2'), "csv", 3,
          "'Opening Balance Today'", "found '1,234'", "thousands separators")
    fails(OCB, ocb_csv(GOOD, '2021-06-25,X,"1,75754E+11",2,3,I,2'), "csv", 3, "'1,75754E+11'")
    fails(OCB, ocb_csv(GOOD, "2021-06-25,X,1.5E+3,2,3,I,2"), "csv", 3, "exponent")
    fails(OCB, ocb_csv(GOOD, "2021-06-25,null,1,2,3,I,2"), "csv", 3, "'Type of Account'",
          "expected a value")
    fails(OCB, ocb_csv(GOOD, "2021-06-25,X,1,2,3,I,two"), "csv", 3, "'Source Line Number'")
    fails(OCB, ocb_csv(GOOD, "2021-06-25, ,1,2,3,I,2"), "csv", 3, "'Type of Account'",
          "expected a value, found ' '")


def test_csv_duplicate_key():
    fails(OCB, ocb_csv(GOOD, "2021-06-24,Other,0,0,0,I,2", GOOD.replace(",1", ",3")), "csv", 4,
          "duplicate key (record_date, account_type) = (2021-06-24, 'Federal Reserve Account')",
          "already at row 2")


def test_csv_non_utf8():
    fails(OCB, ocb_csv(GOOD) + "2021-06-25,Caf".encode() + b"\xe9,1,2,3,I,2\n", "csv", 3,
          "not valid UTF-8")


def test_json_errors_name_the_record_index():
    good = ("2021-06-24", "Federal Reserve Account", "1", "2", "3", "null", "1")
    fails(OCB, ocb_json(good, ("2021-06-24", "Other", "1", "2", "x", "null", "2")), "json", 1,
          "'open_fiscal_year_bal'", "found 'x'")
    fails(OCB, ocb_json(good, ("2021-13-01", "Other", "1", "2", "3", "null", "2")), "json", 1,
          "'record_date'", "found '2021-13-01'")
    fails(OCB, ocb_json(good, ("2021-06-24", "Other", 1, "2", "3", "null", "2")), "json", 1,
          "'open_today_bal'", "expected a string or null, found number 1")
    fails(OCB, ocb_json(good, good), "json", 1, "duplicate key", "already at row 0")
    missing = json.dumps({"data": [dict(zip(OCB_FIELDS[:-1], good))]}).encode()
    fails(OCB, missing, "json", 0, "missing field(s) 'src_line_nbr'")
    fails(OCB, b'{"data": ["row"]}', "json", 0, "JSON object, found string")


def test_pdt_errors():
    pdt = {"record_date": "2021-06-23", "transaction_type": "Issues", "security_market": "Marketable",
           "security_type": "Bills", "security_type_desc": "null", "transaction_today_amt": "1",
           "transaction_mtd_amt": "2", "transaction_fytd_amt": "3", "src_line_nbr": "1"}
    page = lambda *rows: json.dumps({"data": list(rows)}).encode()  # noqa: E731
    assert PDT(page(pdt), location=LOC, fmt="json")["security_type_desc"].tolist() == [None]
    fails(PDT, page(pdt, {**pdt, "security_type": "Notes"}), "json", 1,
          "duplicate key (record_date, source_line_number) = (2021-06-23, 1)")
    fails(PDT, page(pdt, {**pdt, "transaction_type": "Issued", "src_line_nbr": "2"}), "json", 1,
          "'transaction_type'", "'Issues', 'Redemptions'", "found 'Issued'")


@pytest.mark.parametrize("content, fragment", [
    (b'{"data": [', "invalid JSON at line 1"),
    (b'{"data": [{"x": NaN}]}', "NaN"),
    (b'{"error": "Invalid query", "message": "bad field"}', "without 'data' (keys: error, message)"),
    (b'{"data": {"a": 1}}', "whose 'data' is object"),
    (b"[]", "found array"),
])
def test_json_document_errors(content, fragment):
    fails(OCB, content, "json", None, fragment)


def test_json_non_utf8_has_no_row():
    fails(PDT, b'{"data": ["\xff"]}', "json", None, "not valid UTF-8", "line 1")


def test_unknown_format_is_a_programming_error():
    with pytest.raises(ValueError, match="fmt must be"):
        OCB(b"", location=LOC, fmt="xlsx")


def test_quoted_line_break_keeps_line_numbers_exact():
    content = ocb_csv('2021-06-24,"Two-line\naccount",1,2,3,I,1', "2021-06-24,X,1,2,3,I,oops")
    fails(OCB, content, "csv", 4, "'Source Line Number'", "found 'oops'")
