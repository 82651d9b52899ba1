"""The daily bathtub and its nowcast, run as the project's real SQL in DuckDB on random histories:
int_funding__aligned_weekly, int_funding__aligned_daily, int_funding__week_averages,
fct_liquidity_bathtub, fct_liquidity_daily, int_liquidity__nowcast_scored_weeks and
fct_liquidity_nowcast_errors chained as dbt chains them (``tests.dbt_sql`` renders each file).

- No look-ahead: the history cut at any day gives every day up to it the same row.
- On each Wednesday with its H.4.1 the daily row is the weekly bathtub's, to the last decimal.
- On a world where Fed assets move by a constant weekly amount and reserves follow the balance
  sheet's identity, the nowcast is exact; the error mart's median and p90 are numpy's.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dbt_sql import render_model

START = dt.date(2024, 1, 3)  # a Wednesday
WEEKS = 30
TREND_WEEKS = 4  # a short drift window keeps histories small; the SQL is the same
# US federal holidays of the span: a Wednesday (Juneteenth) and a Thursday (Independence Day)
# among them, so the H.4.1 week of a holiday Wednesday has no daily row on its Wednesday.
HOLIDAYS = {dt.date(2024, 1, 15), dt.date(2024, 2, 19), dt.date(2024, 5, 27), dt.date(2024, 6, 19),
            dt.date(2024, 7, 4)}
CHAIN = [
    "intermediate/funding_flows/int_funding__aligned_weekly.sql",
    "intermediate/funding_flows/int_funding__aligned_daily.sql",
    "intermediate/funding_flows/int_funding__week_averages.sql",
    "marts/fct_liquidity_bathtub.sql",
    "marts/fct_liquidity_daily.sql",
    "intermediate/liquidity/int_liquidity__nowcast_scored_weeks.sql",
    "marts/fct_liquidity_nowcast_errors.sql",
]
SQL = {path.rsplit("/", 1)[1][:-4]: render_model(path, nowcast_assets_trend_weeks=TREND_WEEKS) for path in CHAIN}
NOWCAST_COLUMNS = ["business_date", "week_ending", "is_nowcast", "h41_week_ending", "days_since_h41", "tga_bn",
                   "on_rrp_bn", "fed_total_assets_bn", "reserves_bn", "net_liquidity_bn", "idle_pool_bn",
                   "fed_total_assets_nowcast_bn", "reserves_nowcast_bn", "net_liquidity_nowcast_bn",
                   "assets_drift_weekly_bn", "h41_tga_week_average_bn", "h41_on_rrp_week_average_bn", "null_reason"]


def calendar() -> tuple[list[dt.date], list[dt.date], list[dt.date]]:
    """Every calendar day, business day and Wednesday of the span (from the first Wednesday on)."""
    days = [START + dt.timedelta(days=i) for i in range(7 * WEEKS + 1)]
    business = [d for d in days if d.weekday() < 5 and d not in HOLIDAYS]
    wednesdays = [d for d in days if d.weekday() == 2]
    return days, business, wednesdays


def random_world(seed: int) -> dict:
    """Daily TGA and ON RRP (business days) and weekly WALCL and WRESBAL, in USD bn with 3 decimals."""
    rng = np.random.default_rng(seed)
    _, business, wednesdays = calendar()
    return {
        "tga": dict(zip(business, np.round(750 + np.cumsum(rng.normal(0, 25, len(business))), 3))),
        "rrp": dict(zip(business, np.round(np.abs(500 + np.cumsum(rng.normal(0, 30, len(business)))), 3))),
        "walcl": dict(zip(wednesdays, np.round(7500 + np.cumsum(rng.normal(-15, 20, len(wednesdays))), 3))),
        "wresbal": dict(zip(wednesdays, np.round(3300 + np.cumsum(rng.normal(0, 40, len(wednesdays))), 3))),
    }


def identity_world(seed: int, assets_drift_bn: float) -> dict:
    """Fed assets that step by ``assets_drift_bn`` every week; reserves, every calendar day, = a
    constant + Fed assets - TGA - ON RRP (a weekend at the Friday's), and WRESBAL their week's mean:
    the world the nowcast assumes."""
    world = random_world(seed)
    days, _, wednesdays = calendar()
    world["walcl"] = {w: round(7500 + assets_drift_bn * i, 3) for i, w in enumerate(wednesdays)}
    carried = pd.DataFrame({"tga": world["tga"], "rrp": world["rrp"]}).reindex(days).ffill()
    walcl = pd.Series(world["walcl"]).reindex(days).ffill()  # flat within the week: drift 0 only
    daily = 1000 + walcl - carried["tga"] - carried["rrp"]
    world["wresbal"] = {w: round(float(daily[w - dt.timedelta(days=6):w].mean()), 6) for w in wednesdays[1:]}
    return world


def run_chain(world: dict, cut: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Every model of the chain on ``world``, keeping only what is dated up to ``cut``."""
    def kept(series: dict) -> dict:
        return {d: v for d, v in series.items() if cut is None or d <= cut}

    fred = [("WALCL", d, v) for d, v in kept(world["walcl"]).items()]
    fred += [("WRESBAL", d, v) for d, v in kept(world["wresbal"]).items()]
    fred += [("RRPONTSYD", d, v) for d, v in kept(world["rrp"]).items()]
    conn = duckdb.connect()
    conn.register("fred_frame", pd.DataFrame(fred, columns=["series_id", "observation_date", "value_bn"]))
    conn.execute("create table int_fred__observations_in_units as select series_id, "
                 "cast(observation_date as date) as observation_date, value_bn, null::double as value_pct, "
                 "'replay' as source_mode from fred_frame")
    tga = kept(world["tga"])
    conn.register("tga_frame", pd.DataFrame({"record_date": list(tga), "tga_close_bn": list(tga.values())}))
    conn.execute("create table int_treasury__tga_daily as select cast(record_date as date) as record_date, "
                 "tga_close_bn, false as is_synthetic from tga_frame")
    conn.execute("create table stg_nyfed__reverse_repo_operations as select date '2024-01-03' as operation_date, "
                 "1.0 as accepted_bn, false as is_small_value, 'Overnight' as term where false")
    conn.execute("create table int_treasury__supply_weekly as select date '2024-01-03' as week_ending, "
                 "1.0 as private_supply_13w_bn where false")
    conn.execute("create table int_hyperscaler__funding_weekly as select date '2024-01-03' as week_ending, "
                 "'T' as ticker, 1.0 as external_funding_13w_bn where false")
    # no estimated reserve floor: the bathtub's columns at that floor stay null
    conn.execute("create table fct_reserve_floor_estimates (week_ending date, reserve_floor_estimate_bn double)")
    for name, sql in SQL.items():
        conn.execute(f"create table {name} as {sql}")
    return {name: conn.execute(f"select * from {name}").df() for name in SQL}


SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), cut_days=st.integers(8, 7 * WEEKS - 1))
def test_a_history_cut_at_any_day_gives_every_day_up_to_it_the_same_row(seed, cut_days):
    world = random_world(seed)
    cut = START + dt.timedelta(days=cut_days)
    full = run_chain(world)["fct_liquidity_daily"]
    truncated = run_chain(world, cut)["fct_liquidity_daily"]
    expected = full[full["business_date"] <= pd.Timestamp(cut)][NOWCAST_COLUMNS].reset_index(drop=True)
    got = truncated[NOWCAST_COLUMNS].sort_values("business_date").reset_index(drop=True)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(got, expected.sort_values("business_date").reset_index(drop=True))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_each_wednesday_with_its_h41_is_the_weekly_bathtub_row(seed):
    marts = run_chain(random_world(seed))
    daily, weekly = marts["fct_liquidity_daily"], marts["fct_liquidity_bathtub"]
    both = daily.merge(weekly, left_on="business_date", right_on="week_ending", suffixes=("", "_weekly"))
    assert len(both) >= WEEKS - 3  # every Wednesday with a daily row but the holiday one
    assert not both["is_nowcast"].any()
    for column in ("fed_total_assets_bn", "tga_bn", "on_rrp_bn", "reserves_bn", "net_liquidity_bn", "idle_pool_bn"):
        assert (both[column] == both[f"{column}_weekly"]).all(), column
    # every other day is a nowcast, from the Wednesday before it
    others = daily[~daily["business_date"].isin(weekly["week_ending"])]
    assert others["is_nowcast"].all() and others["days_since_h41"].between(1, 7).all()
    assert pd.Timestamp(dt.date(2024, 6, 19)) not in set(daily["business_date"])  # the holiday Wednesday


def test_a_constant_drift_is_nowcast_exactly():
    """Fed assets rising 20 bn a week: once the drift window is filled, each Wednesday's nowcast of
    Fed assets, so of net liquidity, is its H.4.1 to the last decimal."""
    marts = run_chain(identity_world(7, 20.0))
    scored = marts["int_liquidity__nowcast_scored_weeks"]
    same_day = scored[(scored["horizon"] == "same_day")
                      & (scored["week_ending"] >= pd.Timestamp(START + dt.timedelta(weeks=TREND_WEEKS + 1)))]
    assert len(same_day) >= WEEKS - TREND_WEEKS - 3
    assert same_day["net_liquidity_error_bn"].abs().max() < 1e-6


def test_reserves_following_the_identity_are_nowcast_exactly():
    """Reserves = a constant + Fed assets - TGA - ON RRP each day, WRESBAL their week's mean: the
    nowcast of the week's average, from the week before's and the daily TGA and ON RRP, is exact."""
    marts = run_chain(identity_world(11, 0.0))
    scored = marts["int_liquidity__nowcast_scored_weeks"]
    same_day = scored[(scored["horizon"] == "same_day") & scored["reserves_error_bn"].notna()]
    assert len(same_day) >= WEEKS - 4
    # exact but for the marts' 6 decimals: a few roundings of 5e-7 each
    assert same_day["reserves_error_bn"].abs().max() < 1e-5
    # the day before has not seen the Wednesday's flows: it misses by them
    before = scored[(scored["horizon"] == "business_day_before") & scored["reserves_error_bn"].notna()]
    assert before["reserves_error_bn"].abs().max() > 1


def test_the_error_mart_is_the_median_and_p90_of_the_scored_weeks():
    marts = run_chain(random_world(3))
    scored, errors = marts["int_liquidity__nowcast_scored_weeks"], marts["fct_liquidity_nowcast_errors"]
    for horizon in ("same_day", "business_day_before"):
        mine = scored[scored["horizon"] == horizon]
        row = errors[(errors["horizon"] == horizon) & (errors["period"] == "all")].iloc[0]
        absolute = mine["net_liquidity_error_bn"].abs().to_numpy(dtype=float)
        assert row["weeks_scored"] == len(absolute) >= WEEKS - 3
        assert float(row["net_liquidity_abs_error_median_bn"]) == pytest.approx(np.median(absolute), abs=1e-6)
        assert float(row["net_liquidity_abs_error_p90_bn"]) == pytest.approx(np.quantile(absolute, 0.9), abs=1e-6)
        reserves = mine["reserves_error_bn"].dropna().abs().to_numpy(dtype=float)
        assert float(row["reserves_abs_error_p90_bn"]) == pytest.approx(np.quantile(reserves, 0.9), abs=1e-6)
    assert set(errors["period"]) == {"2024", "all"}
