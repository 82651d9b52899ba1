"""The absorption formulas, run as the project's real SQL in DuckDB: Phi, monotonicity, Fed buying.

The model files are rendered with plain Jinja (``tests.dbt_sql``): ``ref('x')`` reads a table ``x``
that each example fills, so these properties hold for the SQL that dbt runs, not for a copy.
"""

from __future__ import annotations

import datetime as dt
from statistics import NormalDist

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dbt_sql import render, render_model

WEEKS = 24
Z_MIN = 6  # a short window keeps examples small; the expanding-z logic is the same
START = dt.date(2024, 1, 3)
ABSORPTION = render_model("marts/fct_capex_absorption.sql", z_min_weeks=Z_MIN)
SUPPLY = render_model("intermediate/issuance/int_treasury__supply_weekly.sql")


def test_normal_cdf_macro_matches_python_within_1e7():
    xs = [x / 100 for x in range(-700, 701, 7)] + [0.0, 1e-9, -1e-9, 8.5, -8.5]
    sql = render("select x, {{ normal_cdf('x') }} as p from unnest(?) as t(x)")
    rows = duckdb.connect().execute(sql, [xs]).fetchall()
    worst = max(abs(p - NormalDist().cdf(x)) for x, p in rows)
    assert len(rows) == len(xs) and worst < 1e-7, worst
    assert duckdb.connect().execute(render("select {{ normal_cdf('cast(null as double)') }}")).fetchone() == (None,)


def _weeks() -> list[dt.date]:
    return [START + dt.timedelta(weeks=i) for i in range(WEEKS)]


def absorption_scores(idle, f13, d13, stress) -> list[float | None]:
    """Run fct_capex_absorption's SQL on the given weekly history; return the scores."""
    weeks = _weeks()
    conn = duckdb.connect()
    conn.register("b", pd.DataFrame({"week_ending": weeks, "idle_pool_bn": idle, "is_synthetic": True}))
    conn.register("s", pd.DataFrame({
        "week_ending": weeks, "private_supply_13w_bn": d13, "net_marketable_issuance_13w_bn": d13,
        "fed_treasury_purchases_13w_bn": [0.0] * WEEKS, "auction_stress_13w": stress}))
    conn.register("f", pd.DataFrame({"week_ending": weeks, "ticker": "T", "external_funding_13w_bn": f13}))
    # the estimated floor's columns, unknown here: the score stays on the fixed floor's idle pool
    conn.execute("create table fct_liquidity_bathtub as select *, null::double as idle_pool_estimated_floor_bn, "
                 "null::double as reserve_floor_estimated_bn from b")
    conn.execute("create table int_treasury__supply_weekly as select * from s")
    conn.execute("create table int_hyperscaler__funding_weekly as select * from f")
    conn.execute("create table int_funding__aligned_weekly as select week_ending, null::double as ig_oas_pct, "
                 "null::double as hy_oas_pct, null::double as yield_10y_pct, null::double as term_premium_10y_pct, "
                 "null::double as sofr_pct, null::double as iorb_pct from b")
    return [r[0] for r in conn.execute(f"select score from ({ABSORPTION}) order by week_ending").fetchall()]


money = st.floats(min_value=0, max_value=3000, allow_nan=False).map(lambda v: round(v, 3))
histories = st.fixed_dictionaries({
    "idle": st.lists(money, min_size=WEEKS, max_size=WEEKS),
    "f13": st.lists(st.floats(0, 300).map(lambda v: round(v, 3)), min_size=WEEKS, max_size=WEEKS),
    "d13": st.lists(st.floats(-1500, 2500).map(lambda v: round(v, 3)), min_size=WEEKS, max_size=WEEKS),
    "stress": st.lists(st.floats(-2, 2).map(lambda v: round(v, 3)), min_size=WEEKS, max_size=WEEKS),
})
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(history=histories, extra=st.floats(0.001, 500).map(lambda v: round(v, 3)))
def test_more_hyperscaler_funding_never_lowers_the_score(history, extra):
    before = absorption_scores(**history)
    more = dict(history, f13=history["f13"][:-1] + [history["f13"][-1] + extra])
    after = absorption_scores(**more)
    assert after[:-1] == before[:-1]  # as known that week: the past does not change
    if before[-1] is not None:
        assert after[-1] is not None and 0 <= after[-1] <= 100
        assert after[-1] >= before[-1] - 1e-9, (before[-1], after[-1])


@SETTINGS
@given(history=histories, cut=st.floats(0.001, 1).map(lambda v: round(v, 3)))
def test_a_smaller_idle_pool_never_lowers_the_score(history, cut):
    before = absorption_scores(**history)
    idle = list(history["idle"])
    idle[-14] = round(idle[-14] * (1 - cut), 3)  # the pool 13 weeks before the last week
    after = absorption_scores(**dict(history, idle=idle))
    if before[-1] is not None:
        assert after[-1] >= before[-1] - 1e-9, (before[-1], after[-1])


def supply(holdings, issues, redemptions) -> pd.DataFrame:
    """Run int_treasury__supply_weekly's SQL; one DTS issue and redemption per week (Monday)."""
    weeks = _weeks()
    conn = duckdb.connect()
    conn.register("w", pd.DataFrame({"week_ending": weeks, "fed_treasury_holdings_bn": holdings, "is_synthetic": True}))
    monday = [w - dt.timedelta(days=2) for w in weeks]
    dts = pd.DataFrame({
        "record_date": monday * 2, "transaction_type": ["Issues"] * WEEKS + ["Redemptions"] * WEEKS,
        "security_marketability": "Marketable", "amount_today_bn": list(issues) + list(redemptions)})
    conn.register("d", dts)
    conn.execute("create table int_funding__aligned_weekly as select * from w")
    conn.execute("create table stg_dts__public_debt_transactions as select * from d")
    conn.execute("create table int_treasury__auction_stress as select date '2024-01-03' as week_ending, "
                 "'Bill' as security_kind, 1.0 as total_accepted_bn, 0.0 as auction_stress where false")
    return conn.execute(f"select * from ({SUPPLY}) order by week_ending").df()


@SETTINGS
@given(
    holdings=st.lists(st.floats(2000, 6000).map(lambda v: round(v, 3)), min_size=WEEKS, max_size=WEEKS),
    issues=st.lists(money, min_size=WEEKS, max_size=WEEKS),
    redemptions=st.lists(money, min_size=WEEKS, max_size=WEEKS),
    week=st.integers(1, WEEKS - 1),
    bought=st.floats(0.5, 1000).map(lambda v: round(v, 3)),
)
def test_fed_buying_lowers_private_supply(holdings, issues, redemptions, week, bought):
    before = supply(holdings, issues, redemptions)
    more = [h + (bought if i >= week else 0) for i, h in enumerate(holdings)]  # bought and kept
    after = supply(more, issues, redemptions)
    change = (after["private_supply_bn"] - before["private_supply_bn"]).round(6)
    assert change.iloc[week] == pytest.approx(-bought)
    assert (change.drop(index=week).dropna() == 0).all()
    d13 = (after["private_supply_13w_bn"] - before["private_supply_13w_bn"]).round(6)
    for j in range(13, WEEKS):  # D13 needs 13 weekly changes; windows holding the purchase fall
        assert d13.iloc[j] == pytest.approx(-bought if j - 12 <= week <= j else 0.0), j
