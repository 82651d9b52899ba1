"""Raw price assets: Stooq daily CSV (equities, ETFs) and Coinbase daily candles (crypto).

Declarations only: loading and parsing live in ``reverse_qe.sources.prices``.
"""

from __future__ import annotations

from functools import partial

from assets.checks import freshness_check
from assets.partitions import monthly_partitions
from assets.raw import lazy_loader, raw_asset
from reverse_qe.warehouse import RawTable

_PRICE_COLUMNS = {"symbol": "varchar", "price_date": "date", "open": "double", "high": "double",
                  "low": "double", "close": "double", "volume": "double"}

STOOQ_DAILY_PRICES = RawTable("stooq_daily_prices", _PRICE_COLUMNS, key=("symbol", "price_date"))
COINBASE_DAILY_CANDLES = RawTable("coinbase_daily_candles", _PRICE_COLUMNS, key=("symbol", "price_date"))

_loader = partial(lazy_loader, "reverse_qe.sources.prices")  # imported when a run loads
# resume_per: live, each symbol is asked from its newest stored day (a weekday needs one or two candles)
_family = partial(raw_asset, partitions_def=monthly_partitions, group_name="raw_prices",
                  owners=["team:holdings"], resume_per="symbol")

prices_assets = [
    _family(STOOQ_DAILY_PRICES, _loader("load_stooq"), source="stooq", date_column="price_date",
            description="Stooq daily OHLC and share volume for the taxonomy's equities and ETFs."),
    _family(COINBASE_DAILY_CANDLES, _loader("load_coinbase"), source="coinbase", date_column="price_date",
            description="Coinbase Exchange daily candles (USD; volume in the base currency) for the taxonomy's crypto."),
]

# Freshness by the data's own date: a trading day's close every weekday.
prices_checks = [
    freshness_check(STOOQ_DAILY_PRICES, "price_date", "daily"),
    freshness_check(COINBASE_DAILY_CANDLES, "price_date", "daily"),
]
