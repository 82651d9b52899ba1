"""SYNTHETIC daily prices for the taxonomy's assets, written as Stooq CSV and Coinbase candles.

Each asset is a seeded geometric random walk whose drift follows its taxonomy group and the
scenario's regimes: before ``POOL_EMPTY`` everything drifts up (the idle pool is still there);
from then on crypto proxies, software and retail favourites fall while memory makers rise. The
walk is built over a fixed horizon, so a date's value never depends on ``end``.

Files: ``stooq/<symbol>.csv`` (``Date,Open,High,Low,Close,Volume``, trading days) and
``coinbase/<PRODUCT>_p<NNNN>.json`` (newest first, at most 300 daily candles per page, every day).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reverse_qe.settings import HISTORY_START

from .calendar import business_days

HORIZON_START = dt.date(2017, 7, 3)
FIRST_DATE = HISTORY_START
HORIZON_END = dt.date(2030, 12, 31)
POOL_EMPTY = dt.date(2025, 4, 1)  # the idle pool is gone (see the funding-flows scenario)

# group -> (annual drift before, annual drift after POOL_EMPTY, daily volatility, $ volume/day in bn at the start price)
GROUP_DYNAMICS = {
    "crypto_proxy": (0.35, -0.55, 0.040, 2.0),
    "software": (0.20, -0.40, 0.022, 2.5),
    "retail_favourite": (0.15, -0.45, 0.035, 1.2),
    "memory": (0.05, 0.45, 0.024, 3.0),
    "other": (0.07, 0.03, 0.015, 1.0),
}


@dataclass(frozen=True)
class PricedAsset:
    ticker: str
    group: str
    price_source: str
    price_symbol: str
    start_price: float


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng([20251, zlib.crc32(name.encode())])


def price_path(asset: PricedAsset, days: list[dt.date]) -> tuple[np.ndarray, np.ndarray]:
    """(close, dollar volume in $) per day of ``days``: deterministic from the asset's name."""
    before, after, vol, dollar_volume_bn = GROUP_DYNAMICS[asset.group]
    rng = _rng(asset.ticker)
    shocks = rng.standard_normal(len(days))
    volume_noise = rng.lognormal(0.0, 0.35, len(days))
    ordinals = np.array([d.toordinal() for d in days])
    drift = np.where(ordinals < POOL_EMPTY.toordinal(), before, after) / 252.0
    log_close = np.log(asset.start_price) + np.cumsum(drift - 0.5 * vol**2 + vol * shocks)
    close = np.exp(log_close)
    # share turnover is steady, so dollar volume moves with the price level
    return close, dollar_volume_bn * 1e9 * volume_noise * close / asset.start_price


def generate_prices(out_dir: Path, *, end: dt.date, assets: list[PricedAsset]) -> None:
    trading = business_days(HORIZON_START, HORIZON_END)
    for asset in assets:
        if asset.price_source == "stooq":
            _write_stooq(out_dir / "stooq" / f"{asset.price_symbol}.csv", asset, trading, end)
        else:
            every_day = [HORIZON_START + dt.timedelta(days=i) for i in range((HORIZON_END - HORIZON_START).days + 1)]
            _write_coinbase(out_dir / "coinbase", asset, every_day, end)


def _ohlc(asset: PricedAsset, days: list[dt.date]):
    close, dollar_volume = price_path(asset, days)
    rng = _rng(asset.ticker + "/ohlc")
    open_ = np.concatenate([[close[0]], close[:-1]]) * np.exp(rng.normal(0, 0.003, len(days)))
    spread = np.abs(rng.normal(0, 0.01, len(days)))
    high = np.maximum(open_, close) * (1 + spread)
    low = np.minimum(open_, close) * (1 - spread)
    return open_, high, low, close, dollar_volume / close


def _write_stooq(path: Path, asset: PricedAsset, days: list[dt.date], end: dt.date) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    open_, high, low, close, volume = _ohlc(asset, days)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["Date", "Open", "High", "Low", "Close", "Volume"])
        for i, day in enumerate(days):
            if FIRST_DATE <= day <= end:
                writer.writerow([day.isoformat(), f"{open_[i]:.4f}", f"{high[i]:.4f}", f"{low[i]:.4f}",
                                 f"{close[i]:.4f}", f"{volume[i]:.0f}"])


def _write_coinbase(folder: Path, asset: PricedAsset, days: list[dt.date], end: dt.date) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    open_, high, low, close, volume = _ohlc(asset, days)
    epoch = dt.date(1970, 1, 1)
    candles = [
        [(day - epoch).days * 86400, round(low[i], 2), round(high[i], 2), round(open_[i], 2),
         round(close[i], 2), round(volume[i], 6)]
        for i, day in enumerate(days) if FIRST_DATE <= day <= end
    ]
    for page, first in enumerate(range(0, len(candles), 300), start=1):
        chunk = candles[first:first + 300][::-1]  # the API answers newest first
        (folder / f"{asset.price_symbol}_p{page:04d}.json").write_text(json.dumps(chunk))
