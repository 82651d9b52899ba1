"""FRED graph CSV parser: fixtures in tests/fixtures/fred and hand-made edge cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.fred import parse_fred_csv
from tests.conftest import FIXTURES as TESTS_FIXTURES

FIXTURES = TESTS_FIXTURES / "fred"
URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id=TESTSER"
COLUMNS = ["series_id", "observation_date", "value"]


def fixture(series_id: str) -> pd.DataFrame:
    path = FIXTURES / f"{series_id}.csv"
    return parse_fred_csv(path.read_bytes(), location=str(path), series_id=series_id)


def parse(text: str | bytes, series_id: str | None = None) -> pd.DataFrame:
    content = text.encode() if isinstance(text, str) else text
    return parse_fred_csv(content, location=URL, series_id=series_id)


def fails(text: str | bytes, row: int | None, *fragments: str, series_id: str | None = None):
    """Parsing must raise SourceFormatError naming fred, the URL, the row and each fragment."""
    with pytest.raises(SourceFormatError) as caught:
        parse(text, series_id)
    error = caught.value
    assert (error.source, error.location, error.row) == ("fred", URL, row)
    message = str(error)
    assert message.startswith(f"[fred] {URL}")
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return error


def value_on(frame: pd.DataFrame, day: str) -> float:
    return frame.set_index("observation_date").loc[pd.Timestamp(day), "value"]


# --- fixtures -------------------------------------------------------------------------------


def test_rrpontsyd_fixture_values_and_missing_markers():
    frame = fixture("RRPONTSYD")
    assert list(frame.columns) == COLUMNS
    assert frame.dtypes.astype(str).tolist() == ["object", "datetime64[ns]", "float64"]
    assert len(frame) == 25
    assert set(frame["series_id"]) == {"RRPONTSYD"}
    assert frame["observation_date"].iloc[0] == pd.Timestamp("2021-06-14")
    assert value_on(frame, "2021-06-23") == 791.512
    assert value_on(frame, "2021-06-30") == 989.261
    assert math.isnan(value_on(frame, "2021-06-18"))  # "."
    assert math.isnan(value_on(frame, "2021-07-05"))  # empty
    assert frame["value"].isna().sum() == 2


@pytest.mark.parametrize("series_id", ["WALCL", "WTREGEN", "WRESBAL", "TREAST"])
def test_weekly_fixtures_are_wednesdays_of_the_same_weeks(series_id):
    frame = fixture(series_id)
    assert (frame["series_id"] == series_id).all()
    assert (frame["observation_date"].dt.dayofweek == 2).all()
    assert frame["observation_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-06-16", "2021-06-23", "2021-06-30", "2021-07-07", "2021-07-14"]
    assert frame["value"].notna().all()


def test_fixtures_give_a_tiny_bathtub():
    """Net liquidity = WALCL ($mn) - TGA (WTREGEN, $bn) - ON RRP (RRPONTSYD, $bn) in $mn."""
    walcl = fixture("WALCL").set_index("observation_date")["value"]
    tga = fixture("WTREGEN").set_index("observation_date")["value"] * 1000
    rrp = fixture("RRPONTSYD").set_index("observation_date")["value"] * 1000
    net = (walcl - tga - rrp.reindex(walcl.index)).round(3)
    assert net[pd.Timestamp("2021-06-23")] == 8101946 - 712906 - 791512
    assert net[pd.Timestamp("2021-06-30")] == 8069733 - 851327 - 989261
    assert fixture("WRESBAL")["value"].iloc[1] == 3867512.0
    assert fixture("TREAST")["value"].iloc[-1] == 5134062.0


# --- format variants ------------------------------------------------------------------------


def test_crlf_bom_and_plain_numbers():
    content = b"\xef\xbb\xbfobservation_date,TESTSER\r\n2021-06-23,-0.25\r\n2021-06-24,3.925\r\n" \
              b"2021-06-25,3808042\r\n2021-06-28,\r\n2021-06-29,.\r\n"
    frame = parse(content, series_id="TESTSER")
    assert frame["value"].tolist()[:3] == [-0.25, 3.925, 3808042.0]
    assert frame["value"].isna().tolist() == [False, False, False, True, True]
    assert frame["observation_date"].tolist() == list(pd.to_datetime(
        ["2021-06-23", "2021-06-24", "2021-06-25", "2021-06-28", "2021-06-29"]))


def test_old_date_header_and_no_final_newline():
    frame = parse("DATE,TESTSER\n2019-01-02,2.40\n2019-01-03,.")
    assert frame["series_id"].tolist() == ["TESTSER", "TESTSER"]
    assert frame["value"].iloc[0] == 2.4
    assert np.isnan(frame["value"].iloc[1])


@pytest.mark.parametrize("content", [b"observation_date,TESTSER\n", b"\xef\xbb\xbfDATE,TESTSER\r\n",
                                     b"observation_date,TESTSER"])
def test_header_only_is_an_empty_frame(content):
    frame = parse(content, series_id="TESTSER")
    assert frame.empty and list(frame.columns) == COLUMNS
    assert frame.dtypes.astype(str).tolist() == ["object", "datetime64[ns]", "float64"]


def test_series_id_comes_from_header_when_not_given():
    assert parse("observation_date,WALCL\n2021-06-23,1\n")["series_id"].iloc[0] == "WALCL"


@settings(max_examples=50)
@given(st.lists(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False),
                min_size=1, max_size=20))
def test_plain_decimals_round_trip(values):
    days = pd.date_range("2020-01-01", periods=len(values), freq="D")
    lines = [f"{d:%Y-%m-%d},{v}" for d, v in zip(days, values)]
    frame = parse("observation_date,TESTSER\n" + "\n".join(lines) + "\n")
    assert frame["value"].tolist() == [float(v) for v in values]


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \r\n\n", b"\xef\xbb\xbf"])
def test_empty_document(content):
    fails(content, None, "empty document")


def test_html_instead_of_csv():
    fails(b"\xef\xbb\xbf\n  <!DOCTYPE html><html><body>Maintenance</body></html>", None,
          "HTML, not CSV", "<!DOCTYPE html>")


@pytest.mark.parametrize("header, fragment", [
    ("date,TESTSER", "'date'"),
    ("observation_date", "found 1 columns"),
    ("observation_date,TESTSER,OTHER", "found 3 columns"),
    ("observation_date,TEST SER", "not a FRED series ID"),
])
def test_bad_header(header, fragment):
    fails(f"{header}\n2021-06-23,1.5\n", 1, "expected", "observation_date", fragment)


def test_header_of_another_series():
    fails("observation_date,WALCL\n2021-06-23,1\n", 1, "expected series 'TESTSER'",
          "found 'WALCL'", series_id="TESTSER")


@pytest.mark.parametrize("day", ["2021/06/23", "23-06-2021", "2021-02-30", "2021-6-3", ""])
def test_bad_date(day):
    fails(f"observation_date,TESTSER\n2021-06-22,1\n{day},2\n", 3, "'observation_date'",
          "YYYY-MM-DD", f"found {day!r}")


@pytest.mark.parametrize("raw", ["1,234.5", "1,75754E+11"])
def test_unquoted_comma_in_number_breaks_the_column_count(raw):
    fails(f"observation_date,TESTSER\n2021-06-22,1\n2021-06-23,{raw}\n", 3,
          "expected 2 comma-separated fields", "found 3", "thousands separator", raw)


@pytest.mark.parametrize("raw, hint", [
    ('"1,234.5"', "thousands separators"),
    ('"1,75754E+11"', "thousands separators"),
    ("1.5E+3", "exponent"),
    ("1e5", "exponent"),
    ("12 345", "found '12 345'"),
    ("NaN", "found 'NaN'"),
    ("+1.5", "found '+1.5'"),
])
def test_number_that_is_not_a_plain_decimal(raw, hint):
    fails(f"observation_date,TESTSER\n2021-06-22,1\n2021-06-23,2\n2021-06-24,{raw}\n", 4,
          "column 'TESTSER'", "plain decimal", hint)


def test_truncated_row_and_blank_line():
    fails("observation_date,TESTSER\n2021-06-22,1\n2021-06-23\n", 3, "found 1", "truncated")
    fails("observation_date,TESTSER\n2021-06-22,1\n\n2021-06-23,2\n", 3, "blank line")


def test_duplicate_date_names_both_rows():
    fails("observation_date,TESTSER\r\n2021-06-22,1\r\n2021-06-23,2\r\n2021-06-22,3\r\n", 4,
          "duplicate key (observation_date) = (2021-06-22)", "already at row 2")


def test_non_utf8_bytes():
    fails(b"observation_date,TESTSER\n2021-06-22,1\n2021-06-23,\xff2\n", 3, "not valid UTF-8",
          "line 3")


def test_malformed_quoting():
    fails('observation_date,TESTSER\n2021-06-22,"1"2\n', 2, "malformed CSV")
