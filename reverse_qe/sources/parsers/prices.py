"""Parsers for daily prices with volume: Stooq CSV (equities, ETFs) and Coinbase candles (crypto).

Stooq (``https://stooq.com/q/d/l/?s=mu.us&i=d``): CSV ``Date,Open,High,Low,Close,Volume``, one line
per trading day, dates ``YYYY-MM-DD``. Stooq has been reported (2026) to answer a request without
an API key with an HTML page and status 200: that body is rejected with a clear error. A body of
``No data`` (unknown symbol) is an error too.

Coinbase Exchange (``https://api.exchange.coinbase.com/products/BTC-USD/candles?granularity=86400``):
a JSON array of ``[time, low, high, open, close, volume]`` (time = bucket start, Unix seconds UTC;
volume in the base currency), newest first, at most 300 per response.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from reverse_qe.sources.parsers._common import (
    Doc,
    check_field_counts,
    check_unique,
    csv_column,
    decode_text,
    json_type,
    load_json,
    read_csv,
    to_dates,
    to_float,
)

STOOQ = "stooq"
COINBASE = "coinbase"
STOOQ_HEADER = ("Date", "Open", "High", "Low", "Close", "Volume")
PRICE_COLUMNS = ("symbol", "price_date", "open", "high", "low", "close", "volume")
COINBASE_MAX_CANDLES = 300


def parse_stooq_csv(content: bytes, *, location: str, symbol: str) -> pd.DataFrame:
    """One Stooq daily CSV into ``symbol, price_date, open, high, low, close, volume``."""
    doc = Doc(STOOQ, location)
    try:
        text = decode_text(content, doc, kind="CSV")
    except Exception as exc:
        if "HTML" in str(exc):
            doc.fail("Stooq answered with an HTML page instead of CSV: it now asks for an API key; "
                     "set RQE_STOOQ_API_KEY (or check the symbol)")
        raise
    if text.strip().lower() in ("no data", "brak danych"):
        doc.fail(f"Stooq has no data for symbol {symbol!r} (body 'No data')")
    header, rows, lines = read_csv(text, doc)
    if tuple(header) != STOOQ_HEADER:
        doc.fail(f"expected header {','.join(STOOQ_HEADER)!r}, found {','.join(header)!r}", row=1)
    check_field_counts(header, rows, lines, doc)
    frame = pd.DataFrame({
        "symbol": pd.Series([symbol] * len(rows), dtype=object),
        "price_date": to_dates(csv_column(rows, 0), column="Date", rows=lines, doc=doc),
    })
    for i, name in enumerate(STOOQ_HEADER[1:], start=1):
        frame[name.lower()] = to_float(csv_column(rows, i), column=name, rows=lines, doc=doc,
                                       missing=frozenset({""}) if name == "Volume" else frozenset())
    _check_prices(frame, lines, doc)
    check_unique(frame, ["price_date"], lines, doc)
    return frame


def parse_coinbase_candles(content: bytes, *, location: str, product_id: str) -> pd.DataFrame:
    """One Coinbase candles response into the same columns as Stooq, oldest first.

    Errors: source "coinbase", row = index of the candle in the array.
    """
    doc = Doc(COINBASE, location)
    value = load_json(decode_text(content, doc, kind="JSON"), doc)
    if isinstance(value, dict) and "message" in value:
        doc.fail(f"Coinbase answered with an error object: {value['message']!r}")
    if not isinstance(value, list):
        doc.fail(f"expected a JSON array of candles [time, low, high, open, close, volume], found {json_type(value)}")
    if len(value) > COINBASE_MAX_CANDLES:
        doc.fail(f"a response holds at most {COINBASE_MAX_CANDLES} candles, found {len(value)}")
    for i, candle in enumerate(value):
        if not isinstance(candle, list) or len(candle) != 6:
            doc.fail(f"expected a candle [time, low, high, open, close, volume], found {candle!r}", row=i)
        for j, item in enumerate(candle):
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                doc.fail(f"candle field {j} ({('time', 'low', 'high', 'open', 'close', 'volume')[j]}): "
                         f"expected a JSON number, found {json_type(item)} {item!r}", row=i)
    array = np.array(value, dtype="float64").reshape(-1, 6)
    times = array[:, 0]
    if (times % 86400).any():
        i = int(np.flatnonzero(times % 86400)[0])
        doc.fail(f"time {int(times[i])} is not a UTC midnight: expected daily candles (granularity=86400)", row=i)
    frame = pd.DataFrame({
        "symbol": pd.Series([product_id] * len(array), dtype=object),
        "price_date": pd.to_datetime(times, unit="s").astype("datetime64[ns]"),
        "open": array[:, 3], "high": array[:, 2], "low": array[:, 1], "close": array[:, 4],
        "volume": array[:, 5],
    })
    rows = list(range(len(frame)))
    _check_prices(frame, rows, doc)
    check_unique(frame, ["price_date"], rows, doc)
    return frame.sort_values("price_date", ignore_index=True)


def _check_prices(frame: pd.DataFrame, rows, doc: Doc) -> None:
    bad = ~((frame["low"] > 0) & (frame["low"] <= frame[["open", "close"]].min(axis=1))
            & (frame["high"] >= frame[["open", "close"]].max(axis=1))).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        doc.fail(f"prices are inconsistent: expected 0 < low <= open, close <= high, found "
                 f"open={frame['open'].iat[i]}, high={frame['high'].iat[i]}, low={frame['low'].iat[i]}, "
                 f"close={frame['close'].iat[i]}", row=rows[i])
    negative = (frame["volume"] < 0).to_numpy()
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        doc.fail(f"negative volume {frame['volume'].iat[i]}", row=rows[i])


def coinbase_pages(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """[start, end] cut into windows of at most 300 daily candles, for live paging by time."""
    pages, first = [], start
    while first <= end:
        last = min(end, first + dt.timedelta(days=COINBASE_MAX_CANDLES - 1))
        pages.append((first, last))
        first = last + dt.timedelta(days=1)
    return pages
