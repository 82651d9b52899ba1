"""Parsers for daily prices with volume: Stooq CSV (equities, ETFs) and Coinbase candles (crypto).

Stooq (``https://stooq.com/q/d/l/?s=mu.us&i=d``): CSV ``Date,Open,High,Low,Close,Volume``, one line
per trading day, dates ``YYYY-MM-DD``, LF or CRLF. Real downloads also carry the header in other
words (``STOOQ_HEADERS``: ``Data,Open,Highest,Lowest,Close,Volume``, the Polish
``Data,Otwarcie,Najwyzszy,Najnizszy,Zamkniecie,Wolumen``), and Stooq's bulk files (``d_us_txt``)
have two more layouts, dates as ``YYYYMMDD``: ``<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,
<CLOSE>,<VOL>,<OPENINT>`` (one ticker, period ``D``) and, in older (2020) bulk files,
``Date,Open,High,Low,Close,Volume,OpenInt``. Volumes may be fractional (split-adjusted). Stooq has
been reported (2026) to answer a request without an API key with an HTML page and status 200: that
body is rejected with a clear error. A body of ``No data`` (unknown symbol) is an error too.

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
    document_parser,
    json_type,
    load_json,
    read_csv,
    to_dates,
    to_float,
)

STOOQ = "stooq"
COINBASE = "coinbase"
STOOQ_HEADER = ("Date", "Open", "High", "Low", "Close", "Volume")
COINBASE_MAX_CANDLES = 300


# Header variants of the per-ticker download, each mapped onto Date, Open, High, Low, Close, Volume.
STOOQ_HEADERS = {
    STOOQ_HEADER: "English",
    ("Data", "Open", "Highest", "Lowest", "Close", "Volume"): "English, 'Data/Highest/Lowest'",
    ("Data", "Otwarcie", "Najwyzszy", "Najnizszy", "Zamkniecie", "Wolumen"): "Polish",
}
STOOQ_BULK_HEADER = ("<TICKER>", "<PER>", "<DATE>", "<TIME>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>",
                     "<VOL>", "<OPENINT>")
STOOQ_BULK_2020_HEADER = ("Date", "Open", "High", "Low", "Close", "Volume", "OpenInt")
_COMPACT_DATE = r"\d{8}"


@document_parser(STOOQ)
def parse_stooq_csv(content: bytes, *, location: str, symbol: str) -> pd.DataFrame:
    """One Stooq daily file (any layout above) into ``symbol, price_date, open, high, low, close, volume``."""
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
    header_t = tuple(header)
    if header_t in STOOQ_HEADERS:
        positions, compact = dict(zip(STOOQ_HEADER, range(6))), False
    elif header_t == STOOQ_BULK_2020_HEADER:
        positions, compact = dict(zip(STOOQ_HEADER, range(6))), True
    elif header_t == STOOQ_BULK_HEADER:
        positions, compact = dict(zip(STOOQ_HEADER, (2, 4, 5, 6, 7, 8))), True
    else:
        known = "; ".join(",".join(h) for h in (*STOOQ_HEADERS, STOOQ_BULK_HEADER, STOOQ_BULK_2020_HEADER))
        doc.fail(f"expected a Stooq header ({known}), found {','.join(header)!r}", row=1)
    check_field_counts(header, rows, lines, doc)
    if header_t == STOOQ_BULK_HEADER:
        _check_bulk_columns(rows, lines, doc, symbol)
    dates = csv_column(rows, positions["Date"])
    if compact:  # YYYYMMDD -> YYYY-MM-DD; anything else stays as it is and fails to_dates
        shaped = dates.str.fullmatch(_COMPACT_DATE).to_numpy(dtype=bool, na_value=False)
        dates = dates.where(~shaped, dates.str[:4] + "-" + dates.str[4:6] + "-" + dates.str[6:])
    frame = pd.DataFrame({
        "symbol": pd.Series([symbol] * len(rows), dtype=object),
        "price_date": to_dates(dates, column=header[positions["Date"]], rows=lines, doc=doc),
    })
    for name in STOOQ_HEADER[1:]:
        i = positions[name]
        frame[name.lower()] = to_float(csv_column(rows, i), column=header[i], rows=lines, doc=doc,
                                       missing=frozenset({""}) if name == "Volume" else frozenset())
    _check_prices(frame, lines, doc)
    check_unique(frame, ["price_date"], lines, doc)
    return frame


def _check_bulk_columns(rows: list[list[str]], lines, doc: Doc, symbol: str) -> None:
    """A bulk file holds one ticker (the symbol asked for) at period D (daily), time 000000."""
    for i, row in enumerate(rows):
        ticker, period, time = row[0], row[1], row[3]
        if ticker.lower() != symbol.lower():
            doc.fail(f"column '<TICKER>': expected {symbol.upper()!r} (the file's symbol), found {ticker!r}",
                     row=lines[i])
        if period != "D":
            doc.fail(f"column '<PER>': expected 'D' (daily), found {period!r}", row=lines[i])
        if time != "000000":
            doc.fail(f"column '<TIME>': expected '000000' for a daily bar, found {time!r}", row=lines[i])


# Candle times are Unix seconds; 2100-01-01 is far beyond any candle, and a time in milliseconds
# (x1000) lands past it instead of overflowing the datetime conversion.
COINBASE_LAST_TIME = 4_102_444_800


@document_parser(COINBASE)
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
    objects = [i for i, candle in enumerate(value) if isinstance(candle, dict)]
    if objects:  # checked first: a re-serialized history is also longer than one response
        i = objects[0]
        doc.fail(f"expected candles as arrays [time, low, high, open, close, volume], found an object with "
                 f"keys {', '.join(map(str, value[i]))}: a re-serialized export (e.g. by a client library), "
                 "not a Coinbase Exchange candles response", row=i)
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
    outside = (times < 0) | (times >= COINBASE_LAST_TIME)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        unit = " (milliseconds? Coinbase Exchange candles are in seconds)" if times[i] >= COINBASE_LAST_TIME * 100 else ""
        doc.fail(f"candle time {times[i]:.0f} is not a time in seconds since 1970 before 2100{unit}", row=i)
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
