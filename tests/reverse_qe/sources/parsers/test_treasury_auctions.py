"""Treasury auction parsers: Fiscal Data auctions_query pages and TreasuryDirect's JSON."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.treasury_auctions import (
    OUTPUT_COLUMNS,
    parse_fiscal_data_auctions,
    parse_treasurydirect_auctions,
)
from tests.conftest import FIXTURES as TESTS_FIXTURES

FIXTURES = TESTS_FIXTURES
FD = FIXTURES / "fiscal_data" / "auctions_query.json"
TD = FIXTURES / "treasurydirect" / "auctioned.json"


def fiscal_data(mutate=None) -> bytes:
    payload = json.loads(FD.read_bytes())
    if mutate:
        mutate(payload["data"])
    return json.dumps(payload).encode()


def treasurydirect(mutate=None) -> bytes:
    payload = json.loads(TD.read_bytes())
    if mutate:
        mutate(payload)
    return json.dumps(payload).encode()


def test_fiscal_data_page_reads_every_auction_with_types():
    frame = parse_fiscal_data_auctions(FD.read_bytes(), location="auctions_query.json")
    assert list(frame.columns) == list(OUTPUT_COLUMNS)
    assert len(frame) == 6
    first = frame.iloc[0]
    assert first["cusip"] == "91282CCB5" and first["auction_date"] == pd.Timestamp("2021-05-12")
    assert first["offering_amt"] == 41_000_000_000.0 and first["bid_to_cover_ratio"] == 2.38
    assert first["primary_dealer_accepted"] == 9_831_180_000.0 and first["high_yield_pct"] == 1.684
    assert not first["is_reopening"] and first["source_format"] == "fiscal_data_auctions_query"
    assert frame["auction_date"].dtype == "datetime64[ns]" and frame["is_tips"].dtype == bool


def test_reopening_keeps_remaining_and_original_term():
    frame = parse_fiscal_data_auctions(FD.read_bytes(), location="x").set_index("auction_date")
    june = frame.loc[pd.Timestamp("2021-06-09")]
    assert (june["security_term"], june["original_security_term"], june["is_reopening"]) == (
        "9-Year 11-Month", "10-Year", True)
    tips = frame.loc[pd.Timestamp("2021-07-22")]
    assert tips["is_tips"] and tips["original_security_term"] == "10-Year"


def test_missing_fields_read_as_missing_not_zero():
    frame = parse_fiscal_data_auctions(FD.read_bytes(), location="x").set_index("auction_date")
    announced = frame.loc[pd.Timestamp("2021-08-12")]
    assert announced["offering_amt"] == 27_000_000_000.0
    for column in ("bid_to_cover_ratio", "comp_accepted", "primary_dealer_accepted", "high_yield_pct"):
        assert math.isnan(announced[column]), column
    assert announced["original_security_term"] is None
    bill = frame.loc[pd.Timestamp("2021-06-21")]
    assert math.isnan(bill["high_yield_pct"]) and bill["high_investment_rate_pct"] == 0.046


def test_optional_fields_may_be_absent():
    def drop(data):
        for record in data:
            del record["original_security_term"], record["soma_accepted"]
    frame = parse_fiscal_data_auctions(fiscal_data(drop), location="x")
    assert frame["original_security_term"].isna().all() and frame["soma_accepted"].isna().all()


def test_negative_offering_amount_names_file_and_row():
    def negative(data):
        data[3]["offering_amt"] = "-38000000000"
    with pytest.raises(SourceFormatError, match=r"\[fiscal_data\] p1\.json, row 3: offering_amt is negative") as err:
        parse_fiscal_data_auctions(fiscal_data(negative), location="p1.json")
    assert err.value.row == 3


def test_duplicate_auction_is_rejected_naming_both_rows():
    def duplicate(data):
        data.append(dict(data[1]))
    with pytest.raises(SourceFormatError, match=r"row 6: duplicate key \(cusip, auction_date\) = \('91282CCB5', 2021-06-09\): already at row 1"):
        parse_fiscal_data_auctions(fiscal_data(duplicate), location="p1.json")


def test_required_field_missing_and_bad_yes_no():
    def no_cusip(data):
        del data[2]["cusip"]
    with pytest.raises(SourceFormatError, match=r"row 2: auction record is missing field\(s\) 'cusip'"):
        parse_fiscal_data_auctions(fiscal_data(no_cusip), location="x")

    def maybe(data):
        data[0]["reopening"] = "Maybe"
    with pytest.raises(SourceFormatError, match=r"row 0: column 'reopening': expected one of 'Yes', 'No'"):
        parse_fiscal_data_auctions(fiscal_data(maybe), location="x")


def test_not_a_page_is_rejected():
    with pytest.raises(SourceFormatError, match="expected a Fiscal Data API page"):
        parse_fiscal_data_auctions(b'{"error": "bad"}', location="x")
    with pytest.raises(SourceFormatError, match="document is HTML"):
        parse_fiscal_data_auctions(b"<html><body>Maintenance</body></html>", location="x")


def test_treasurydirect_json_gives_the_same_facts_as_fiscal_data():
    td = parse_treasurydirect_auctions(TD.read_bytes(), location="auctioned.json")
    fd = parse_fiscal_data_auctions(FD.read_bytes(), location="x")
    assert list(td.columns) == list(OUTPUT_COLUMNS) and len(td) == 3
    same = ["cusip", "auction_date", "issue_date", "maturity_date", "security_type", "security_term",
            "original_security_term", "is_reopening", "offering_amt", "comp_accepted",
            "bid_to_cover_ratio", "high_yield_pct", "indirect_bidder_accepted",
            "primary_dealer_accepted", "soma_accepted"]
    pd.testing.assert_series_equal(td.iloc[0][same], fd.iloc[3][same], check_names=False)
    assert td.iloc[0]["source_format"] == "treasurydirect_auctioned"


def test_treasurydirect_frn_reopening_and_empty_strings():
    frn = parse_treasurydirect_auctions(TD.read_bytes(), location="x").iloc[2]
    assert (frn["security_term"], frn["original_security_term"], frn["is_reopening"], frn["is_frn"]) == (
        "1-Year 10-Month", "2-Year", True, True)
    assert math.isnan(frn["indirect_bidder_accepted"]) and math.isnan(frn["high_yield_pct"])
    assert not frn["is_cmb"]  # "" reads as No


def test_treasurydirect_spreadsheet_number_is_rejected():
    def spreadsheet(records):
        records[1]["totalTendered"] = "1,5183E+11"
    with pytest.raises(SourceFormatError, match=r"\[treasurydirect\] td\.json, row 1: column 'totalTendered'.*'1,5183E\+11'.*decimal commas are not accepted"):
        parse_treasurydirect_auctions(treasurydirect(spreadsheet), location="td.json")


def test_treasurydirect_date_shape_is_checked():
    def plain(records):
        records[0]["auctionDate"] = "07/12/2021"
    with pytest.raises(SourceFormatError, match=r"row 0: field 'auctionDate': expected a date as YYYY-MM-DDT00:00:00"):
        parse_treasurydirect_auctions(treasurydirect(plain), location="x")
    with pytest.raises(SourceFormatError, match="expected a JSON list of auctioned securities"):
        parse_treasurydirect_auctions(b'{"data": []}', location="x")
