"""Stooq CSV and Coinbase candles parsers."""

from __future__ import annotations

import datetime as dt

import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.prices import (
    coinbase_pages,
    parse_coinbase_candles,
    parse_stooq_csv,
)
from tests.conftest import FIXTURES as TESTS_FIXTURES

FIXTURES = TESTS_FIXTURES


def test_stooq_csv():
    frame = parse_stooq_csv((FIXTURES / "stooq" / "mu.us.csv").read_bytes(), location="mu.us.csv", symbol="mu.us")
    assert frame["price_date"].dt.date.astype(str).tolist() == ["2025-01-02", "2025-01-03", "2025-01-06"]
    assert frame["close"].tolist() == [91.2, 94.75, 100.5]
    assert frame["volume"].tolist() == [20123456, 25000000, 31500000]
    assert set(frame["symbol"]) == {"mu.us"}


def test_stooq_html_with_status_200_is_a_clear_error():
    content = (FIXTURES / "stooq" / "html_page_status_200.html").read_bytes()
    with pytest.raises(SourceFormatError, match="RQE_STOOQ_API_KEY") as info:
        parse_stooq_csv(content, location="https://stooq.com/q/d/l/?s=mu.us&i=d", symbol="mu.us")
    assert info.value.source == "stooq" and "stooq.com" in info.value.location


def test_stooq_rejects_no_data_and_inconsistent_prices():
    with pytest.raises(SourceFormatError, match="No data"):
        parse_stooq_csv(b"No data", location="x", symbol="zz.us")
    with pytest.raises(SourceFormatError, match="inconsistent") as info:
        parse_stooq_csv(b"Date,Open,High,Low,Close,Volume\n2025-01-02,90,89,88,89.5,100\n", location="x", symbol="mu.us")
    assert info.value.row == 2


def test_coinbase_candles_are_reordered_oldest_first():
    frame = parse_coinbase_candles((FIXTURES / "coinbase" / "BTC-USD_p0001.json").read_bytes(), location="c.json", product_id="BTC-USD")
    assert frame["price_date"].dt.date.astype(str).tolist() == ["2025-01-04", "2025-01-05", "2025-01-06"]
    assert frame["open"].tolist() == [96500, 98200, 98500]
    assert frame["close"].tolist() == [98200, 98500, 102000]
    assert frame["low"].tolist() == [96000, 97500, 98000.5]
    assert frame["volume"].tolist() == [11000, 9876.5, 15234.25]


def test_coinbase_errors():
    with pytest.raises(SourceFormatError, match="error object"):
        parse_coinbase_candles(b'{"message": "NotFound"}', location="c", product_id="X-USD")
    with pytest.raises(SourceFormatError) as info:
        parse_coinbase_candles(b'[[1736121600,1,2,1,1,1],[1736035200,1,2,"1",1,1]]', location="c", product_id="X-USD")
    assert info.value.row == 1



def test_coinbase_candle_times_in_milliseconds_are_a_named_error_not_an_overflow():
    # 2025-01-05 and 2025-01-06 in milliseconds: multiples of 86400 too, so only the range tells
    content = b'[[1736121600000,1,2,1,1,1],[1736035200000,1,2,1,1,1]]'
    with pytest.raises(SourceFormatError, match="milliseconds") as info:
        parse_coinbase_candles(content, location="c.json", product_id="BTC-USD")
    assert info.value.row == 0 and info.value.location == "c.json" and info.value.source == "coinbase"
    with pytest.raises(SourceFormatError, match="before 2100") as info:
        parse_coinbase_candles(b'[[1736121600,1,2,1,1,1],[-86400,1,2,1,1,1]]', location="c", product_id="X-USD")
    assert info.value.row == 1

def test_coinbase_pages_hold_at_most_300_days():
    pages = coinbase_pages(dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert pages[0] == (dt.date(2024, 1, 1), dt.date(2024, 10, 26))
    assert pages[-1][1] == dt.date(2025, 12, 31)
    assert all((b - a).days < 300 for a, b in pages)
    assert all(pages[i][1] + dt.timedelta(days=1) == pages[i + 1][0] for i in range(len(pages) - 1))
