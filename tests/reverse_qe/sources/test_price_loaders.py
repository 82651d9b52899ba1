"""Price loaders: Coinbase candle pages that overlap at their edges."""

from __future__ import annotations

import pytest

from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.prices import load_coinbase
from reverse_qe.sources.transports import FileTransport

DAY_5 = "[1736035200,97500,99000,98200,98500,9876.5]"


def _pages(tmp_path, second_page: str):
    (tmp_path / "coinbase").mkdir()
    (tmp_path / "coinbase" / "BTC-USD_p0001.json").write_text(
        f"[[1736121600,98000.5,102500,98500,102000,15234.25],{DAY_5}]")
    (tmp_path / "coinbase" / "BTC-USD_p0002.json").write_text(second_page)
    return FileTransport(tmp_path, mode="replay")


def test_overlapping_pages_that_agree_give_each_day_once(tmp_path):
    frame = load_coinbase(_pages(tmp_path, f"[{DAY_5},[1735948800,96000,98700,96500,98200,11000]]"), Endpoints())
    assert sorted(frame["price_date"].astype(str)) == ["2025-01-04", "2025-01-05", "2025-01-06"]
    day_5 = frame[frame["price_date"].astype(str) == "2025-01-05"]
    assert day_5["source_uri"].str.endswith("BTC-USD_p0001.json").tolist() == [True]  # the first page's


def test_overlapping_pages_that_disagree_about_a_day_are_an_error_naming_both(tmp_path):
    transport = _pages(tmp_path, "[[1736035200,97500,99000,98200,98600,9876.5]]")  # another close
    with pytest.raises(SourceFormatError) as err:
        load_coinbase(transport, Endpoints())
    message = str(err.value)
    assert err.value.source == "coinbase"
    assert "duplicate key (symbol, price_date) = (BTC-USD, 2025-01-05" in message
    assert "BTC-USD_p0001.json" in message and "BTC-USD_p0002.json" in message
