"""The estimated reserve floor (``fct_reserve_floor_estimates``), run as the project's real SQL in
DuckDB on constructed weeks of reserves and SOFR - IORB.

A curve flat above a known kink and rising linearly below it, plus noise, gives back its kink; a
week's estimate does not change when later weeks are cut off (no look-ahead); a flat spread gives
no floor, with the reason. Each check is also run on the SQL with a planted bug (a window that sees
the future; a hinge turned the wrong way) to show it fails then.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.dbt_sql import render_model

MODEL = "marts/fct_reserve_floor_estimates.sql"
FLOORS = render_model(MODEL)
START = dt.date(2015, 1, 7)  # a Wednesday
# Two grid steps (var reserve_floor_grid_step_bn = 25): the lattice alone can miss by half a step,
# and with 2 bp of noise against 4-8 bp per 100 bn the least-squares kink wanders by about one more.
TOLERANCE_BN = 50


def estimates(weeks: pd.DataFrame, sql: str = FLOORS) -> pd.DataFrame:
    conn = duckdb.connect()
    conn.register("w", weeks)
    conn.execute("create table int_funding__reserves_spread_weekly as select * from w")
    return conn.execute(f"select * from ({sql}) order by week_ending").df()


def constructed(seed: int, kink_bn: float, slope_bp_per_100bn: float, weeks: int = 260,
                noise_bp: float = 2.0) -> pd.DataFrame:
    """Reserves run down from 4,000 to 1,500 bn and back up (a QT then a QE), with weekly wiggles;
    the spread is -8 bp above the kink and rises by the slope below it, plus normal noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    path = np.interp(t, [0, weeks * 0.55, weeks - 1], [4000, 1500, 3500]) + rng.normal(0, 30, weeks)
    spread = -8 + slope_bp_per_100bn / 100 * np.maximum(0, kink_bn - path) + rng.normal(0, noise_bp, weeks)
    return pd.DataFrame({
        "week_ending": [START + dt.timedelta(weeks=int(i)) for i in t],
        "reserves_bn": path,
        "sofr_iorb_spread_bp": spread,
        "spread_days": 5,
        "is_synthetic": False,
    })


def kink_errors(sql: str = FLOORS) -> list[float]:
    """|estimate - known kink| in the last week, over several curves."""
    errors = []
    for seed, kink, slope in [(1, 2400, 6), (2, 2000, 4), (3, 2800, 8), (4, 2250, 5)]:
        estimate = estimates(constructed(seed, kink, slope), sql)["reserve_floor_estimate_bn"].iloc[-1]
        errors.append(float("inf") if pd.isna(estimate) else abs(float(estimate) - kink))
    return errors


def look_ahead_changes(sql: str = FLOORS) -> int:
    """Weeks whose row changes when the weeks after a cut are removed, over several cuts."""
    weeks = constructed(5, 2300, 6)
    full = estimates(weeks, sql)
    changed = 0
    for cut in (60, 120, 175, 230):
        part = estimates(weeks.iloc[:cut], sql)
        before = full.iloc[:cut].reset_index(drop=True)
        same = np.ones(cut, dtype=bool)
        for column in full.columns:
            if pd.api.types.is_numeric_dtype(full[column]):
                same &= np.isclose(before[column].astype(float), part[column].astype(float), rtol=1e-9, equal_nan=True)
            else:
                same &= (before[column].astype(str) == part[column].astype(str)).to_numpy()
        changed += int((~same).sum())
    return changed


def test_a_constructed_kink_is_recovered_within_two_grid_steps():
    errors = kink_errors()
    assert max(errors) <= TOLERANCE_BN, errors


def test_fit_quality_is_published_with_the_estimate():
    last = estimates(constructed(1, 2400, 6)).iloc[-1]
    assert 4 < last["spread_slope_bp_per_100bn"] < 8  # the curve's 6 bp per 100 bn
    assert -10 < last["spread_above_floor_bp"] < -6  # its -8 bp above the kink
    assert last["fit_r_squared"] > 0.8
    assert last["weeks_in_window"] == 156 and last["weeks_below_floor"] >= 13
    assert pd.isna(last["null_reason"])


def test_no_week_uses_a_later_week():
    assert look_ahead_changes() == 0


@pytest.mark.parametrize("seed", range(6, 16))
def test_a_flat_spread_has_no_floor_and_says_why(seed):
    floors = estimates(constructed(seed, 2400, 0))
    assert floors["reserve_floor_estimate_bn"].isna().all()
    reasons = floors["null_reason"]
    assert reasons.iloc[:25].str.startswith("fewer than 26 weeks").all()
    assert reasons.iloc[25:].str.contains("no kink|of the spread variance, below 0.25").all()


def planted(old: str, new: str) -> str:
    assert FLOORS.count(old) >= 1, old
    return FLOORS.replace(old, new)


def test_the_look_ahead_check_fails_on_a_window_that_sees_the_future():
    bug = planted("preceding and current row", "preceding and unbounded following")
    assert look_ahead_changes(bug) > 0


def test_the_recovery_check_fails_on_a_hinge_turned_the_wrong_way():
    bug = planted("greatest(0, kinks.kink_bn - weekly.reserves_bn)", "greatest(0, weekly.reserves_bn - kinks.kink_bn)")
    assert max(kink_errors(bug)) > TOLERANCE_BN
