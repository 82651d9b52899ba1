"""The run's partition window reaches the live loaders through the raw asset: a Dagster run of one
month asks Stooq from each symbol's last stored day, and FRED from its week less the lookback."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from dagster import DagsterInstance, materialize
from dagster_duckdb import DuckDBResource

from assets.funding_flows import funding_flows_assets
from assets.prices import STOOQ_DAILY_PRICES, prices_assets
from assets.resources import SourcesResource
from reverse_qe.settings import HISTORY_START
from reverse_qe.sources.funding_flows import FRED_LOOKBACK_DAYS
from reverse_qe.warehouse import ensure_tables, upsert

STOOQ = next(a for a in prices_assets if a.key.path[-1] == "stooq_daily_prices")
FRED = next(a for a in funding_flows_assets if a.key.path[-1] == "fred_observations")


def _live(tmp_path, fake, monkeypatch) -> dict:
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RQE_HTTP_ATTEMPTS", "1")
    warehouse = tmp_path / "w.duckdb"
    return {"warehouse": DuckDBResource(database=str(warehouse)),
            "sources": SourcesResource(mode="live", scenario_dir=str(tmp_path / "scenario"),
                                       landing_dir=str(tmp_path / "landing"))}


def test_a_month_of_stooq_is_asked_from_each_symbols_last_stored_day(tmp_path, fake, monkeypatch):
    resources = _live(tmp_path, fake, monkeypatch)

    with duckdb.connect(resources["warehouse"].database) as conn:  # a run the day before stored mu.us's 2025-01-03
        ensure_tables(conn, [STOOQ_DAILY_PRICES])
        upsert(conn, STOOQ_DAILY_PRICES, pd.DataFrame({
            "symbol": ["mu.us"], "price_date": [dt.date(2025, 1, 3)], "open": [1.0], "high": [1.0], "low": [1.0],
            "close": [1.0], "volume": [1.0], "source_mode": ["live"], "source_uri": ["x"]}))
    with DagsterInstance.ephemeral() as instance:
        result = materialize([STOOQ], resources=resources, instance=instance, partition_key="2025-01-01")
    assert result.success
    d1 = {r.query["s"]: r.query.get("d1") for r in fake.requests if r.path == "/q/d/l/"}
    assert d1.pop("mu.us") == "20250103"
    assert set(d1.values()) == {HISTORY_START.strftime("%Y%m%d")}  # nothing stored yet: all its history
    with duckdb.connect(resources["warehouse"].database, read_only=True) as conn:
        rows = conn.execute("select price_date, close from raw.stooq_daily_prices where symbol = 'mu.us' "
                            "order by 1").fetchall()
    # the stored day asked again and replaced by what Stooq says now, then the days after it
    assert rows == [(dt.date(2025, 1, 3), 94.75), (dt.date(2025, 1, 6), 100.5)]


def test_a_week_of_fred_is_asked_from_its_start_less_the_lookback(tmp_path, fake, monkeypatch):
    resources = _live(tmp_path, fake, monkeypatch)
    week = dt.date(2021, 7, 8)  # a Thursday: the H.4.1 week to Wednesday 2021-07-14
    with DagsterInstance.ephemeral() as instance:
        result = materialize([FRED], resources=resources, instance=instance, partition_key=week.isoformat())
    assert result.success
    assert {r.query["cosd"] for r in fake.requests} == {(week - dt.timedelta(days=FRED_LOOKBACK_DAYS)).isoformat()}
    with duckdb.connect(resources["warehouse"].database, read_only=True) as conn:
        first, last = conn.execute("select min(observation_date), max(observation_date) from raw.fred_observations "
                                   "where value is not null").fetchone()
    assert (first, last) == (week, dt.date(2021, 7, 14))  # the rows before the week were validated, not written


def test_a_window_the_services_have_nothing_for_yet_writes_nothing_and_succeeds(tmp_path, fake, monkeypatch):
    """Monday's DTS is published on Tuesday: a run early in a month may find nothing of it yet."""
    resources = _live(tmp_path, fake, monkeypatch)
    dts = next(a for a in funding_flows_assets if a.key.path[-1] == "dts_operating_cash_balance")
    with DagsterInstance.ephemeral() as instance:
        result = materialize([dts], resources=resources, instance=instance, partition_key="2022-05-01")
    assert result.success
    assert {r.query["filter"] for r in fake.requests} == {"record_date:gte:2022-05-01"}
    [materialisation] = result.asset_materializations_for_node("raw__dts_operating_cash_balance")
    assert materialisation.metadata["rows_in_batch"].value == 0
