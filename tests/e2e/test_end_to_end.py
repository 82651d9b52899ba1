"""The whole demo path on the scenario, checked against a recomputation from the source files.

The recomputation uses plain pandas on the files the scenario wrote (none of the pipeline's code),
in integer $ millions, so the mart must match it to the cent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

RESERVE_FLOOR_MN = 2_900_000


def fred_mn(folder, series_id, unit_to_mn):
    frame = pd.read_csv(folder / "fred" / f"{series_id}.csv", dtype={series_id: str})
    frame = frame[frame[series_id].fillna("").str.strip().isin(["", "."]) == False]  # noqa: E712
    values = frame[series_id].map(lambda v: int(round(float(v) * unit_to_mn)))
    return pd.Series(values.values, index=pd.to_datetime(frame["observation_date"]).dt.date)


def dts_tga_close_mn(folder):
    frame = pd.read_csv(folder / "fiscal_data" / "dts_operating_cash_balance.csv", encoding="utf-8-sig")
    frame["date"] = pd.to_datetime(frame["Record Date"]).dt.date
    account = frame["Type of Account"]
    opening = frame[account.isin([
        "Federal Reserve Account", "Treasury General Account (TGA)", "Treasury General Account (TGA) Opening Balance",
    ])].set_index("date")["Opening Balance Today"].sort_index()
    closing_row = frame[account == "Treasury General Account (TGA) Closing Balance"].set_index("date")["Opening Balance Today"]
    next_opening = pd.Series(opening.values[1:], index=opening.index[:-1])
    close = closing_row.combine_first(next_opening)
    return close.astype("int64").sort_index()


def last_in_week(series: pd.Series, wednesday: dt.date):
    window = series[(series.index > wednesday - dt.timedelta(days=7)) & (series.index <= wednesday)]
    return int(window.iloc[-1]) if len(window) else None


@pytest.fixture(scope="module")
def mart(scenario_run):
    with duckdb.connect(str(scenario_run.warehouse), read_only=True) as conn:
        cursor = conn.execute("select * from marts.fct_liquidity_bathtub order by week_ending")
        names = [d[0] for d in cursor.description]
        # Rows as Python objects: DECIMAL columns stay exact decimals (a DataFrame would make floats).
        return pd.DataFrame.from_records(cursor.fetchall(), columns=names)


def test_demo_prints_a_summary(scenario_run):
    assert "All assets materialised and all checks passed" in scenario_run.output
    assert "marts.fct_liquidity_bathtub" in scenario_run.output
    assert "SYNTHETIC" in scenario_run.output
    assert str(scenario_run.warehouse) in scenario_run.output


def test_a_run_whose_output_is_not_a_terminal_logs_no_colour_codes(scenario_run):
    """The demo's output captured through a pipe (as CI, a log file or the UI keep it): dbt's lines
    are there, without ANSI escape sequences (dbt coloured OK/PASS; see dbt_colour_env)."""
    assert "OK created sql table model marts.fct_liquidity_bathtub" in scenario_run.output
    assert "PASS" in scenario_run.output and "dagster - INFO" in scenario_run.output
    assert "\x1b[" not in scenario_run.output


def test_one_row_per_week_since_2018(mart):
    weeks = pd.to_datetime(mart["week_ending"]).dt.date
    assert weeks.iloc[0] == dt.date(2018, 1, 3)
    assert all(w.weekday() == 2 for w in weeks)
    assert (pd.Series(weeks).diff().dropna() == dt.timedelta(days=7)).all()
    assert weeks.iloc[-1] == dt.date(2026, 11, 18)
    assert mart["is_synthetic"].all()


def test_mart_equals_an_independent_recomputation_to_the_cent(scenario_run, mart):
    folder = scenario_run.scenario_dir
    walcl = fred_mn(folder, "WALCL", 1)
    reserves = fred_mn(folder, "WRESBAL", 1)
    rrp = fred_mn(folder, "RRPONTSYD", 1000)
    tga = dts_tga_close_mn(folder)
    mismatches = []
    for row in mart.itertuples():
        week = pd.Timestamp(row.week_ending).date()
        fed, res = int(walcl[week]), int(reserves[week])
        tga_mn, rrp_mn = last_in_week(tga, week), last_in_week(rrp, week)
        expected = {
            "tga_bn": tga_mn,
            "on_rrp_bn": rrp_mn,
            "net_liquidity_bn": fed - tga_mn - rrp_mn,
            "idle_pool_bn": rrp_mn + max(0, res - RESERVE_FLOOR_MN),
        }
        for column, mn in expected.items():
            if getattr(row, column) * 1000 != Decimal(mn):
                mismatches.append((week, column, getattr(row, column), mn))
    assert not mismatches, mismatches[:10]


def test_the_scenario_tells_its_story(mart):
    by_year = mart.assign(year=pd.to_datetime(mart["week_ending"]).dt.year)
    rrp = by_year.groupby("year")["on_rrp_bn"].max().astype(float)
    idle = by_year.groupby("year")["idle_pool_bn"].mean().astype(float)
    assert rrp[2022] > 2000 and rrp[2019] < 50
    assert idle[2025] < idle[2022] / 5
