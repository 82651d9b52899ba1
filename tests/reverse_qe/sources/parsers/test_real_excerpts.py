"""Real-download quirks, each on a small excerpt of a real published file (tests/fixtures/real_excerpts,
origins in tests/fixtures/SOURCES.md). Expected values are read off those excerpt lines by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.fiscal_data import (
    parse_dts_operating_cash_balance,
    parse_dts_public_debt_transactions,
)
from reverse_qe.sources.parsers.fred import parse_fred_csv
from reverse_qe.sources.parsers.nyfed import parse_nyfed_repo_operations
from reverse_qe.sources.parsers.prices import parse_coinbase_candles, parse_stooq_csv
from reverse_qe.sources.parsers.sec_13f import (
    parse_13f_infotable_xml,
    parse_13f_primary_doc,
)
from reverse_qe.sources.parsers.treasury_auctions import parse_treasurydirect_auctions
from tests.conftest import FIXTURES as TESTS_FIXTURES

EXCERPTS = TESTS_FIXTURES / "real_excerpts"
ACCESSION = "0001850858-21-000001"  # any well-formed number: the XML itself carries none


def excerpt(relative: str) -> tuple[bytes, str]:
    path = EXCERPTS / relative
    return path.read_bytes(), str(path)


def values(frame: pd.DataFrame, column: str = "value") -> dict[str, float]:
    dates = frame.filter(regex="date$").columns[0]
    return dict(zip(frame[dates].dt.strftime("%Y-%m-%d"), frame[column]))


# --- FRED -------------------------------------------------------------------------------------


def test_fred_mixed_integer_and_ten_decimal_values_in_one_file():
    content, location = excerpt("fred/WDTGAL_mixed_number_formats.csv")
    assert b"835417.0000000000" in content and b"\n2026-07-15,795976\n" in content
    frame = parse_fred_csv(content, location=location, series_id="WDTGAL")
    assert values(frame) == {"2026-07-08": 749244.0, "2026-07-15": 795976.0, "2026-07-22": 835417.0,
                             "2026-07-29": 970442.0, "2026-08-05": 929325.0, "2026-08-12": 959405.0,
                             "2026-08-19": 936406.0}


def test_fred_old_date_header_with_dot_for_missing():
    content, location = excerpt("fred/BAMLH0A0HYM2_DATE_dot_missing.csv")
    assert content.startswith(b"DATE,BAMLH0A0HYM2\n")
    frame = parse_fred_csv(content, location=location, series_id="BAMLH0A0HYM2")
    got = values(frame)
    assert math.isnan(got.pop("2019-11-28"))  # Thanksgiving: "."
    assert got == {"2019-11-26": 4.05, "2019-11-27": 3.99, "2019-11-29": 4.01, "2019-12-02": 4.03}


def test_fred_empty_values_and_trimmed_numbers():
    content, location = excerpt("fred/RRPONTSYD_observation_date_empty_and_trimmed.csv")
    frame = parse_fred_csv(content, location=location, series_id="RRPONTSYD")
    assert frame["value"].iloc[0] == 2.5 and frame["value"].iloc[1:].isna().all()
    assert len(frame) == 3  # empty-value rows are kept, as null


def test_fred_wtregen_in_millions_is_stored_in_billions():
    """Current FRED downloads publish WTREGEN in $mn (1816687.000 on 2020-07-29); the pipeline's unit
    is $bn (dbt seed fred_series), so the $mn vintage is converted, exactly."""
    content, location = excerpt("fred/WTREGEN_observation_date_millions.csv")
    assert b"2020-07-29,1816687.000" in content
    frame = parse_fred_csv(content, location=location, series_id="WTREGEN")
    assert values(frame)["2020-07-29"] == 1816.687
    billions = parse_fred_csv(b"observation_date,WTREGEN\n2021-06-23,712.906\n", location="x", series_id="WTREGEN")
    assert billions["value"].tolist() == [712.906]  # the older $bn vintage is kept as it is


def test_fred_wresbal_is_read_as_published_in_either_vintage():
    """The parser does not guess WRESBAL's unit: the raw suite's era floors refuse the $bn vintage
    (tests/reverse_qe/validation/test_real_calibration.py)."""
    content, location = excerpt("fred/WRESBAL_DATE_billions_pyoph.csv")
    assert values(parse_fred_csv(content, location=location, series_id="WRESBAL"))["2021-12-08"] == 4275.806
    content, location = excerpt("fred/WRESBAL_observation_date_millions.csv")
    assert values(parse_fred_csv(content, location=location, series_id="WRESBAL"))["2021-12-08"] == 4275806.0


def test_fed_board_ddp_csv_as_the_ioer_source():
    content, location = excerpt("frb_ddp/PRATES_IOER_IORR_IORB_DDP.csv")
    assert content.count(b"\r\n") == content.count(b"\n") and not content.endswith(b"\n")  # CRLF, no final newline
    ioer = parse_fred_csv(content, location=location, series_id="IOER")
    # IOER is published until 2021-07-28; the later rows of the file belong to IORB only.
    assert values(ioer) == {"2008-10-09": 0.75, "2008-10-10": 0.75, "2008-10-11": 0.75,
                            "2021-07-27": 0.15, "2021-07-28": 0.15}
    assert set(ioer["series_id"]) == {"IOER"}
    iorb = parse_fred_csv(content, location=location, series_id="IORB")
    assert values(iorb) == {"2021-07-29": 0.15, "2021-07-30": 0.15, "2026-08-23": 3.65, "2026-08-24": 3.65}


def test_fed_board_ddp_csv_refuses_a_series_it_is_not_read_for():
    content, location = excerpt("frb_ddp/PRATES_IOER_IORR_IORB_DDP.csv")
    with pytest.raises(SourceFormatError) as info:
        parse_fred_csv(content, location=location, series_id="SOFR")
    assert info.value.location == location and info.value.row == 1
    assert "Fed Board DDP" in str(info.value) and "RESBME_N.D" in str(info.value)
    broken = content.replace(b'"Unit:","Percent"', b'"Unit:","Basis Points"')
    with pytest.raises(SourceFormatError, match="Percent with multiplier 1") as info:
        parse_fred_csv(broken, location=location, series_id="IOER")
    assert info.value.row == 2


# --- Daily Treasury Statement -------------------------------------------------------------------


def test_dts_operating_cash_balance_bom_and_three_tga_label_eras():
    content, location = excerpt("fiscal_data/dts_operating_cash_balance_site_export_3_label_eras.csv")
    assert content.startswith(b"\xef\xbb\xbfRecord Date,")
    frame = parse_dts_operating_cash_balance(content, location=location, fmt="csv")
    tga = frame[frame["account_type"].str.startswith(("Federal Reserve", "Treasury General"))]
    assert list(zip(tga["record_date"].dt.strftime("%Y-%m-%d"), tga["account_type"], tga["open_today_bal"])) == [
        ("2022-04-18", "Treasury General Account (TGA) Opening Balance", 578473.0),
        ("2022-04-18", "Treasury General Account (TGA) Closing Balance", 841253.0),  # the close, in "Opening Balance Today"
        ("2022-04-15", "Treasury General Account (TGA)", 602292.0),
        ("2022-04-14", "Treasury General Account (TGA)", 543536.0),
        ("2021-10-01", "Treasury General Account (TGA)", 215160.0),
        ("2021-09-30", "Federal Reserve Account", 173745.0),
    ]
    assert frame["close_today_bal"].isna().all()  # the site export has no closing-balance column


def test_dts_public_debt_transactions_crlf_table_number_spellings_null_and_negative_issues():
    content, location = excerpt("fiscal_data/dts_public_debt_transactions_site_export_negatives_III-A_IIIA.csv")
    assert b"\r\n" in content and b",III-A," in content and b",IIIA," in content
    frame = parse_dts_public_debt_transactions(content, location=location, fmt="csv")
    assert frame["record_date"].dt.strftime("%Y-%m-%d").unique().tolist() == [
        "2023-12-29", "2022-09-12", "2022-09-09", "2021-10-01"]
    negative = frame[frame["transaction_today_amt"] < 0]
    assert set(negative["transaction_type"]) == {"Issues"}
    bills = frame[(frame["record_date"] == "2023-12-29") & (frame["security_type"] == "Bills")
                  & (frame["transaction_type"] == "Issues")].iloc[0]
    assert (bills["security_type_desc"], bills["transaction_today_amt"], bills["transaction_mtd_amt"]) == (
        "Regular Series", -8.0, 1497032.0)
    bonds = frame[(frame["record_date"] == "2021-10-01") & (frame["security_type"] == "Bonds")
                  & (frame["transaction_type"] == "Issues")].iloc[0]
    assert bonds[["transaction_today_amt", "transaction_mtd_amt", "transaction_fytd_amt"]].tolist() == [-1.0, -1.0, -1.0]
    assert bonds["security_type_desc"] is None  # "null" in the file


# --- Stooq --------------------------------------------------------------------------------------


@pytest.mark.parametrize("relative, symbol, first", [
    ("stooq/gme_us_d_Data_Highest_Lowest_crlf.csv", "gme.us", ("2005-02-25", 1.56202, 1.62432, 1.56202, 1.61932, 2373972.0)),
    ("stooq/aapl_us_d_polish_header.csv", "aapl.us", ("1984-09-07", 0.10122, 0.10246, 0.1, 0.10122, 97236149.0)),
    ("stooq/amc_us_d_fractional_volume.csv", "amc.us", ("2013-12-18", 137.876, 142.284, 135.907, 135.907, 2089730.3896091)),
    ("stooq/mu.us_bulk.txt", "mu.us", ("1989-05-16", 2.4308, 2.44076, 2.32154, 2.34147, 13259227.295409)),
    ("stooq/now.us_bulk_2020.txt", "now.us", ("2012-06-29", 23.75, 24.75, 22.83, 24.6, 10922374.0)),
])
def test_stooq_real_header_variants(relative, symbol, first):
    content, location = excerpt(relative)
    frame = parse_stooq_csv(content, location=location, symbol=symbol)
    assert list(frame.columns) == ["symbol", "price_date", "open", "high", "low", "close", "volume"]
    assert len(frame) == 3 and set(frame["symbol"]) == {symbol}
    row = frame.iloc[0]
    assert row["price_date"].strftime("%Y-%m-%d") == first[0]
    assert tuple(row[["open", "high", "low", "close", "volume"]]) == first[1:]  # the excerpt's first line


def test_stooq_bulk_file_of_another_ticker_is_refused():
    content, location = excerpt("stooq/mu.us_bulk.txt")
    with pytest.raises(SourceFormatError, match=r"'<TICKER>': expected 'WDC.US'.*found 'MU.US'") as info:
        parse_stooq_csv(content, location=location, symbol="wdc.us")
    assert info.value.row == 2 and info.value.location == location


# --- SEC 13F information table -----------------------------------------------------------------


def _infotable(content: bytes, location: str = "infotable.xml") -> pd.DataFrame:
    return parse_13f_infotable_xml(content, location=location, accession_number=ACCESSION)


def test_13f_xml_with_ns1_prefix():
    content, location = excerpt("sec_13f/infotable_ns1_BardFinancial_2021Q3_first2.xml")
    assert b"<ns1:infoTable>" in content
    frame = _infotable(content, location)
    assert frame["cusip"].tolist() == ["88579Y101", "Q3394D101"]
    assert frame["value"].tolist() == [584, 5]  # $ thousands (a 2021 filing), as published
    assert frame["sshprnamt"].tolist() == [3326, 250000]
    assert frame["voting_auth_none"].tolist() == [3326.0, 250000.0]
    assert frame["figi"].isna().all()


def test_13f_xml_quirks_that_do_not_change_the_content():
    """EDGAR serves information tables with a blank line before ``<?xml``, with the namespace as a
    default instead of ``ns1:``, and (since 2023) with ``<figi>``; the real excerpt above has none of
    these, so each is applied here to its lines and must give the same rows."""
    content, location = excerpt("sec_13f/infotable_ns1_BardFinancial_2021Q3_first2.xml")
    base = _infotable(content, location)
    leading_blank = b"\n  \r\n" + content
    default_ns = content.replace(b"ns1:", b"").replace(b"xmlns:ns1=", b"xmlns=")
    no_ns = default_ns.replace(b' xmlns="http://www.sec.gov/edgar/document/thirteenf/informationtable"', b"")
    assert no_ns != default_ns != content
    for variant in (leading_blank, default_ns, no_ns, b"\xef\xbb\xbf\n" + content):
        pd.testing.assert_frame_equal(_infotable(variant), base)
    with_figi = content.replace(b"<ns1:cusip>88579Y101</ns1:cusip>",
                                b"<ns1:cusip>88579Y101</ns1:cusip>\n        <ns1:figi>BBG000BP52R2</ns1:figi>")
    assert _infotable(with_figi)["figi"].tolist() == ["BBG000BP52R2", None]


def test_13f_cover_page_is_refused_as_not_an_information_table():
    content, location = excerpt("sec_13f/primary_doc_BardFinancial_2021Q3.xml")
    with pytest.raises(SourceFormatError, match="cover page .*edgarSubmission") as info:
        _infotable(content, location)
    assert info.value.location == location


def test_13f_cover_page_gives_the_filings_submission_cover_and_summary_rows():
    """The real cover page: default namespace plus ``com:`` for the address, MM-DD-YYYY dates, no
    <isAmendment> at all (an original report), the summary page's totals in $ thousands (2021)."""
    content, location = excerpt("sec_13f/primary_doc_BardFinancial_2021Q3.xml")
    frames = parse_13f_primary_doc(content, location=location, accession_number=ACCESSION)
    (submission,) = frames["sec13f_submissions"].to_dict("records")
    assert submission == {"accession_number": ACCESSION, "filing_date": pd.Timestamp("2021-10-15"),
                          "submission_type": "13F-HR", "cik": 1850858, "period_of_report": pd.Timestamp("2021-09-30")}
    (cover,) = frames["sec13f_coverpages"].to_dict("records")
    assert cover["filing_manager_name"] == "Bard Financial Services, Inc." and cover["is_amendment"] is False
    assert cover["amendment_type"] is None and pd.isna(cover["amendment_no"])
    (summary,) = frames["sec13f_summarypages"].to_dict("records")
    assert (summary["table_entry_total"], summary["table_value_total"]) == (278, 1129298)


def test_13f_cover_page_of_an_amendment_names_its_type_or_is_refused():
    content, location = excerpt("sec_13f/primary_doc_BardFinancial_2021Q3.xml")
    amended = content.replace(b"<reportType>", b"<isAmendment>true</isAmendment><amendmentNo>2</amendmentNo>"
                              b"<amendmentInfo><amendmentType>NEW HOLDINGS</amendmentType></amendmentInfo><reportType>")
    cover = parse_13f_primary_doc(amended, location=location, accession_number=ACCESSION)["sec13f_coverpages"]
    assert (cover.loc[0, "amendment_type"], cover.loc[0, "amendment_no"], bool(cover.loc[0, "is_amendment"])) == (
        "NEW HOLDINGS", 2, True)
    untyped = content.replace(b"<reportType>", b"<isAmendment>true</isAmendment><reportType>")
    with pytest.raises(SourceFormatError, match="must say its <amendmentType>"):
        parse_13f_primary_doc(untyped, location=location, accession_number=ACCESSION)
    with pytest.raises(SourceFormatError, match="expected a Form 13F cover page .*informationTable"):
        parse_13f_primary_doc(excerpt("sec_13f/infotable_ns1_BardFinancial_2021Q3_first2.xml")[0],
                              location=location, accession_number=ACCESSION)


# --- documents of other publications: refused, named ---------------------------------------------


def test_treasurydirect_auction_results_xml_is_refused_by_the_json_parser():
    content, location = excerpt("treasurydirect/R_20220502_1_26W_bill.xml")
    with pytest.raises(SourceFormatError, match="document is XML, not JSON") as info:
        parse_treasurydirect_auctions(content, location=location)
    assert info.value.location == location and "HTML" not in str(info.value)


def test_nyfed_reference_rates_are_refused_as_another_publication():
    content, location = excerpt("nyfed/rates_all_latest_refRates.json")
    with pytest.raises(SourceFormatError, match="NY Fed reference rates") as info:
        parse_nyfed_repo_operations(content, location=location)
    assert info.value.location == location


def test_coinbase_candles_re_serialized_as_objects_are_refused():
    # The first two candles of the real re-serialized BTC-USD history (see SOURCES.md), as it writes them.
    content = (b'[{"Time":"2015-07-20T00:00:00+00:00","Low":277.37,"High":280,"Open":277.98,"Close":280,'
               b'"Volume":782.88341959},{"Time":"2015-07-21T00:00:00+00:00","Low":276.85,"High":281.27,'
               b'"Open":279.96,"Close":277.32,"Volume":4943.55943437}]')
    with pytest.raises(SourceFormatError, match="re-serialized export") as info:
        parse_coinbase_candles(content, location="BTC-USD.json", product_id="BTC-USD")
    assert info.value.row == 0 and info.value.location == "BTC-USD.json"


def test_utf16_re_export_is_named_as_such():
    content = "\ufeff#TYPE System.Management.Automation.PSCustomObject\r\n".encode("utf-16-le")
    with pytest.raises(SourceFormatError, match="UTF-16") as info:
        parse_treasurydirect_auctions(content, location="data.csv")
    assert info.value.location == "data.csv"


def test_mspd_site_csv_export_is_refused_by_name():
    from reverse_qe.sources.parsers.mspd import parse_mspd_table_1

    content, location = excerpt("fiscal_data/mspd_table_1_site_export_first_lines.csv")
    assert content.startswith(b"\xef\xbb\xbfRecord Date,Security Type Description,")
    with pytest.raises(SourceFormatError, match="site's CSV export of MSPD table 1") as info:
        parse_mspd_table_1(content, location=location)
    assert (info.value.source, info.value.location, info.value.row) == ("fiscal_data", location, 1)
