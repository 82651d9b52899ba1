"""Price loaders: Stooq daily CSV for equities/ETFs and Coinbase daily candles for crypto.

Which symbols: the asset taxonomy seed (``dbt_project/seeds/asset_taxonomy.csv``, columns
``price_source`` and ``price_symbol``). Replay / scenario layout: ``stooq/<symbol>.csv`` (e.g.
``mu.us.csv``) and ``coinbase/<PRODUCT>[_<page>].json`` (e.g. ``BTC-USD_p0001.json``). Live: Stooq
with ``apikey`` from ``RQE_STOOQ_API_KEY`` when set; Coinbase paged by time, 300 candles a call.
Given a window, each symbol is asked from its last stored day in the window (Stooq ``d1``, Coinbase
``start``): a weekday needs a day or two of candles, not all history.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pandas as pd

from reverse_qe.settings import HISTORY_START, SEEDS_DIR
from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.funding_flows import Transport, _concat, with_lineage
from reverse_qe.sources.issuance import once_per_key_where_documents_agree
from reverse_qe.sources.parsers.prices import (
    coinbase_pages,
    parse_coinbase_candles,
    parse_stooq_csv,
)
from reverse_qe.sources.transports import HttpTransport
from reverse_qe.sources.window import FetchWindow

TAXONOMY_SEED = SEEDS_DIR / "asset_taxonomy.csv"


def priced_symbols(source: str, seed: Path = TAXONOMY_SEED) -> list[str]:
    """Symbols of the taxonomy's assets priced by ``source`` ('stooq' or 'coinbase')."""
    with open(seed, newline="", encoding="utf-8") as handle:
        return sorted({row["price_symbol"] for row in csv.DictReader(handle) if row["price_source"] == source})


def load_stooq(transport: Transport, endpoints: Endpoints, window: FetchWindow | None = None) -> pd.DataFrame:
    if isinstance(transport, HttpTransport):
        key = os.environ.get("RQE_STOOQ_API_KEY")
        documents = []
        for symbol in priced_symbols("stooq"):
            # d1: the first day, YYYYMMDD (without it, Stooq sends all history)
            since = {"d1": window.since_stored(symbol).strftime("%Y%m%d")} if window else {}
            params = {"s": symbol, "i": "d", **since, **({"apikey": key} if key else {})}
            documents.append((symbol, transport.get("stooq", f"{symbol}.csv", f"{endpoints.stooq}/q/d/l/", params=params)))
    else:
        documents = [(d.name.removesuffix(".csv"), d) for d in transport.glob("stooq", "*.csv")]
    return _concat(with_lineage(parse_stooq_csv(d.content, location=d.location, symbol=symbol), d, transport.mode)
                   for symbol, d in documents)


def load_coinbase(transport: Transport, endpoints: Endpoints, today: dt.date | None = None,
                  window: FetchWindow | None = None) -> pd.DataFrame:
    if isinstance(transport, HttpTransport):
        today = today or dt.date.today()
        documents = []
        for product in priced_symbols("coinbase"):
            since = window.since_stored(product) if window else HISTORY_START
            for n, (first, last) in enumerate(coinbase_pages(since, today), start=1):
                documents.append((product, transport.get(
                    "coinbase", f"{product}_p{n:04d}.json", f"{endpoints.coinbase}/products/{product}/candles",
                    params={"granularity": "86400", "start": f"{first.isoformat()}T00:00:00Z",
                            "end": f"{last.isoformat()}T00:00:00Z"})))
    else:
        documents = [(Path(d.name).stem.split("_")[0], d) for d in transport.glob("coinbase", "*.json")]
    frame = _concat(with_lineage(parse_coinbase_candles(d.content, location=d.location, product_id=p), d, transport.mode)
                    for p, d in documents)
    # pages may overlap at their edges: one candle per product and day when they agree, else an error
    return once_per_key_where_documents_agree(frame, ("symbol", "price_date"), "coinbase")
