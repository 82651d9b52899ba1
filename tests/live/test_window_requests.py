"""A weekday's live run asks each service for its window only, and loses no row of it.

The fake serves a scenario's full histories (2018 to the weekday), so the bytes are of real-sized
documents. Before: the loaders without a window, as every live run asked before (all history since
2018). After: the windows a weekday run has (the month in progress; FRED's H.4.1 week; prices from
each symbol's last stored day). Run with ``-s`` to see the table of requests and bytes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import pytest

from reverse_qe.partitions import h41_week_start
from reverse_qe.scenario.build import TAXONOMY_SEED, read_taxonomy
from reverse_qe.scenario.funding_flows import generate_funding_flows
from reverse_qe.scenario.prices import generate_prices
from reverse_qe.sources.funding_flows import (
    FRED_LOOKBACK_DAYS,
    load_dts,
    load_fred,
    load_nyfed_reverse_repo,
)
from reverse_qe.sources.prices import load_coinbase, load_stooq, priced_symbols
from reverse_qe.sources.window import FetchWindow
from tests.live.fake_sources import FISCAL_DATA, FakeSources

WEEKDAY = dt.date(2026, 11, 20)  # a Friday; the day before's run stored prices through Thursday
MONTH = FetchWindow(dt.date(2026, 11, 1), dt.date(2026, 12, 1))
WEEK = FetchWindow(h41_week_start(WEEKDAY), h41_week_start(WEEKDAY) + dt.timedelta(days=7))
STORED = {symbol: WEEKDAY - dt.timedelta(days=1) for source in ("stooq", "coinbase") for symbol in priced_symbols(source)}
PRICES = FetchWindow(MONTH.start, MONTH.end, STORED)
SERVICES = {"fred": "/graph/", "fiscal_data": FISCAL_DATA, "nyfed": "/api/rp/", "stooq": "/q/d/l/", "coinbase": "/products/"}

# loader, its window, the date column the partition is cut by, the row key
LOADS = {
    "fred": (lambda t, e, w: load_fred(t, e, window=w), WEEK, "observation_date", ["series_id", "observation_date"]),
    "dts_operating_cash_balance": (lambda t, e, w: load_dts(t, e, "operating_cash_balance", window=w), MONTH,
                                   "record_date", ["record_date", "account_type"]),
    "dts_public_debt_transactions": (lambda t, e, w: load_dts(t, e, "public_debt_transactions", window=w), MONTH,
                                     "record_date", ["record_date", "source_line_number"]),
    "nyfed": (lambda t, e, w: load_nyfed_reverse_repo(t, e, today=WEEKDAY, window=w), MONTH, "operation_date",
              ["operation_id"]),
    "stooq": (lambda t, e, w: load_stooq(t, e, window=w), PRICES, "price_date", ["symbol", "price_date"]),
    "coinbase": (lambda t, e, w: load_coinbase(t, e, today=WEEKDAY, window=w), PRICES, "price_date",
                 ["symbol", "price_date"]),
}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    root = tmp_path_factory.mktemp("scenario")
    generate_funding_flows(root, end=WEEKDAY)
    generate_prices(root, end=WEEKDAY, assets=[a.priced for a in read_taxonomy(TAXONOMY_SEED)])
    return root


def in_window(frame: pd.DataFrame, column: str, window: FetchWindow, key: list[str]) -> pd.DataFrame:
    dates = pd.to_datetime(frame[column])
    rows = frame[(dates >= pd.Timestamp(window.start)) & (dates < pd.Timestamp(window.end))]
    rows = rows.drop(columns=["source_mode", "source_uri"])
    return rows.astype({c: object for c in rows.select_dtypes("category").columns}).sort_values(key).reset_index(drop=True)


def traffic(fake: FakeSources) -> dict[str, tuple[int, int]]:
    requests, sent = Counter(), Counter()
    for path, size in fake.sent:
        service = next(name for name, prefix in SERVICES.items() if path.startswith(prefix))
        requests[service] += 1
        sent[service] += size
    fake.sent.clear()
    return {name: (requests[name], sent[name]) for name in SERVICES}


def test_a_weekday_asks_each_service_for_its_window_and_loses_no_row_of_it(scenario, transport):
    with FakeSources(root=scenario, today=WEEKDAY) as fake:
        endpoints = fake.endpoints()
        before = {name: load(transport, endpoints, None) for name, (load, *_) in LOADS.items()}
        all_history = traffic(fake)
        after = {name: load(transport, endpoints, window) for name, (load, window, *_) in LOADS.items()}
        one_weekday = traffic(fake)
        fred_cosd = {r.query["cosd"] for r in fake.requests if r.path == "/graph/fredgraph.csv"}

    print(f"\nlive requests and response bytes for the weekday {WEEKDAY} (fake services, scenario histories):")
    print(f"{'service':<12} {'before: requests':>17} {'bytes':>12} {'after: requests':>16} {'bytes':>10}")
    for name in SERVICES:
        print(f"{name:<12} {all_history[name][0]:>17} {all_history[name][1]:>12,} {one_weekday[name][0]:>16} "
              f"{one_weekday[name][1]:>10,}")
    total = [sum(v[i] for v in d.values()) for d in (all_history, one_weekday) for i in (0, 1)]
    print(f"{'total':<12} {total[0]:>17} {total[1]:>12,} {total[2]:>16} {total[3]:>10,}")

    for name, (_, window, column, key) in LOADS.items():  # every row the run writes is still fetched
        if window.last_stored:  # prices: the rows from the last stored day on (those before are stored)
            window = FetchWindow(min(window.last_stored.values()), window.end)
        expected = in_window(before[name], column, window, key)
        assert len(expected) > 0, name
        pd.testing.assert_frame_equal(in_window(after[name], column, window, key), expected, obj=name)
    assert fred_cosd == {"2018-01-01", (WEEK.start - dt.timedelta(days=FRED_LOOKBACK_DAYS)).isoformat()}
    for name in SERVICES:
        assert one_weekday[name][0] <= all_history[name][0], name
        assert one_weekday[name][1] * 10 < all_history[name][1], name  # at least 10x fewer bytes per service
    assert one_weekday["nyfed"][0] == 1 and all_history["nyfed"][0] == WEEKDAY.year - 2018 + 1  # one year, not nine
    assert one_weekday["coinbase"][0] == len(priced_symbols("coinbase"))  # one page a product
