"""A hand-made absorption history and the real SQL of marts.fct_absorption_alerts on it, in a DuckDB
connection: the alert events the webhook tests post (tests/reverse_qe/test_alerts.py,
tests/assets/test_alerts_asset.py)."""

from __future__ import annotations

import datetime as dt

from tests.dbt_sql import render_model

FIRST_WEEK = dt.date(2025, 1, 1)
WEEKS = 30


def absorption_history(conn, held: list[str | None], scores: list[float]) -> None:
    """marts.fct_capex_absorption with the columns the alerts mart reads; the raw call = held."""
    conn.execute("create schema if not exists marts")
    conn.execute("create or replace table marts.fct_capex_absorption as "
                 "select week_ending, regime, regime_held, weeks_in_regime, regime_reason, score, "
                 "score / 100 as weighted_z, cast(-10 as decimal(18,6)) as slack_bn, 0.5 as absorption_ratio, "
                 "cast(20 as decimal(18,6)) as idle_pool_13w_ago_bn, "
                 "cast(25 as decimal(18,6)) as private_treasury_supply_13w_bn, "
                 "cast(5 as decimal(18,6)) as hyperscaler_funding_13w_bn, "
                 "6 as inputs_above_average, 8 as inputs_scored, "
                 "true as is_synthetic "
                 "from (select unnest(?) as week_ending, unnest(?) as regime, unnest(?) as regime_held, "
                 "3 as weeks_in_regime, 'slack -10 bn <= 0: hand-made' as regime_reason, unnest(?) as score)",
                 [[FIRST_WEEK + dt.timedelta(weeks=i) for i in range(len(held))], held, held, scores])
    conn.execute("use marts")  # the model's ref('fct_capex_absorption') resolves here
    conn.execute(f"create or replace table marts.fct_absorption_alerts as "
                 f"{render_model('marts/fct_absorption_alerts.sql')}")
    conn.execute("use main")


def history_with_changes(*change_weeks: int) -> list[str]:
    """Held regime ample, switching at each of ``change_weeks``."""
    regimes, current = [], "ample"
    for week in range(WEEKS):
        if week in change_weeks:
            current = "crowding_out" if current == "ample" else "ample"
        regimes.append(current)
    return regimes
