"""The SEC's Official List of Section 13(f) Securities, text edition: lines as its layout is
documented (no real excerpt of the text file was at hand: tests/fixtures/SOURCES.md), the PDF's
spaced CUSIPs, and bad lines named by file and line."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reverse_qe.scenario.writers.securities_map import ListedSecurity, list_line
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.sec_13f_list import check_digit, parse_13f_list
from tests.conftest import FIXTURES

NAME = "/downloads/sec_13f_list/13flist2024q1.txt"


def _parse(*lines: str, location: str = NAME):
    return parse_13f_list(("\n".join(lines) + "\n").encode(), location=location)


def test_fixed_column_lines_give_cusip_options_mark_name_description_and_status():
    frame = _parse(list_line(ListedSecurity("037833100", "APPLE INC", "COM", True)),
                   list_line(ListedSecurity("46438F101", "ISHARES BITCOIN TR", "SHS", False, "ADDED")),
                   list_line(ListedSecurity("88579Y101", "3M CO", "COM", True, "DELETED")))
    assert frame.to_dict("records") == [
        {"list_quarter_end": pd.Timestamp(2024, 3, 31), "cusip": "037833100", "has_options": True, "issuer_name": "APPLE INC",
         "issuer_description": "COM", "status": None, "line_number": 1},
        {"list_quarter_end": pd.Timestamp(2024, 3, 31), "cusip": "46438F101", "has_options": False,
         "issuer_name": "ISHARES BITCOIN TR", "issuer_description": "SHS", "status": "ADDED", "line_number": 2},
        {"list_quarter_end": pd.Timestamp(2024, 3, 31), "cusip": "88579Y101", "has_options": True, "issuer_name": "3M CO",
         "issuer_description": "COM", "status": "DELETED", "line_number": 3}]


def test_the_pdf_text_spaced_cusip_words_and_page_furniture_read_too():
    frame = _parse("CUSIP NO          ISSUER NAME                  ISSUER DESCRIPTION     STATUS",
                   "037833 10 0 *  APPLE INC                  COM",
                   "Run Date: 3/15/2024   Page 12",
                   "67066G 10 4    NVIDIA CORPORATION         COM                   ADDED")
    assert frame[["cusip", "has_options", "issuer_name", "status", "line_number"]].values.tolist() == [
        ["037833100", True, "APPLE INC", None, 2], ["67066G104", False, "NVIDIA CORPORATION", "ADDED", 4]]


@pytest.mark.parametrize(("line", "message"), [
    ("APPLE INC  COM", "line does not start with a CUSIP"),
    ("037833100 APPLE INC COM", "expected an issuer name and an issuer description after the CUSIP"),
    ("037833100 APPLE INC     COM     EXTRA FIELD    *A*", r"expected an issuer name .* found 3 field\(s\)"),
])
def test_a_bad_line_names_source_file_and_line(line, message):
    with pytest.raises(SourceFormatError, match=rf"\[sec_13f_list\] {NAME}, row 2: {message}"):
        _parse(list_line(ListedSecurity("037833100", "APPLE INC", "COM")), line)


def test_the_same_cusip_and_description_twice_with_another_name_is_an_error_a_repeated_line_is_one_row():
    apple = list_line(ListedSecurity("037833100", "APPLE INC", "COM"))
    assert len(_parse(apple, apple)) == 1
    with pytest.raises(SourceFormatError, match=r"row 2: duplicate key \(cusip, issuer_description\)"):
        _parse(apple, list_line(ListedSecurity("037833100", "APPLE COMPUTER INC", "COM")))


def test_the_quarter_comes_from_the_sec_file_name_and_a_renamed_copy_is_refused():
    assert set(_parse(list_line(ListedSecurity("037833100", "APPLE INC", "COM")), location="x/13flist2023q4.txt")
               ["list_quarter_end"]) == {pd.Timestamp(2023, 12, 31)}
    with pytest.raises(SourceFormatError, match=r"file name 'list.txt' is not the SEC's 13flistYYYYqN\.txt"):
        _parse("037833100 APPLE INC                     COM", location="x/list.txt")


def test_an_html_page_or_empty_file_is_refused():
    with pytest.raises(SourceFormatError, match="document is HTML"):
        parse_13f_list(b"<html><body>Page Not Found</body></html>", location=NAME)
    with pytest.raises(SourceFormatError, match="empty document"):
        parse_13f_list(b"\n\n", location=NAME)


def test_check_digits_of_real_cusips():
    # Apple, NVIDIA, Micron, Coinbase (CUSIPs as printed in the SEC's list and in 13F filings)
    assert [check_digit(c[:8]) == c[8] for c in ("037833100", "67066G104", "595112103", "19260Q107")] == [True] * 4
    assert check_digit("03783310") != "1"


def test_the_replay_fixtures_parse():
    for path in sorted((FIXTURES / "sec_13f_list").glob("*.txt")):
        frame = parse_13f_list(path.read_bytes(), location=str(path))
        assert len(frame) == 6 and frame["cusip"].str.len().eq(9).all()
