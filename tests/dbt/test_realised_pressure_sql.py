"""Realised pressure is not built from the returns it is compared with (Wardlaw's critique).

Flow-pressure measures that value a fund's trades, or scale its flows, with end-of-quarter prices
carry that quarter's returns inside them, so they "predict" the returns they are compared with
mechanically. ``int_holdings__implied_flows`` (net sales, implied flows, their deciles; realised
pressure in the chain marts is its bottom decile's net sales) is run as the project's real SQL in
DuckDB on random holdings of two quarters: repricing the current quarter, any way at all, with the
share counts unchanged, leaves every output as it was. Repricing the previous quarter does not,
so the property is not vacuous.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dbt_sql import render_model

FLOWS = render_model("intermediate/holdings/int_holdings__implied_flows.sql")
PREVIOUS, CURRENT = dt.date(2024, 9, 30), dt.date(2024, 12, 31)
CUSIPS = [f"P{i:07d}0" for i in range(6)]


def implied_flows(positions: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    conn = duckdb.connect()
    conn.register("p", positions)
    conn.register("r", reference)
    conn.execute("create table int_holdings__positions as select * from p")
    conn.execute("create table int_holdings__reference_prices as select * from r")
    return conn.execute(f"select * from ({FLOWS}) order by cik, period_of_report, cusip").df()


def world(seed: int) -> tuple[pd.DataFrame, dict]:
    """Eight filers holding some of six securities in both quarters (some opened, some closed)."""
    rng = np.random.default_rng(seed)
    price = {(period, c): float(rng.uniform(5, 500)) for period in (PREVIOUS, CURRENT) for c in CUSIPS}
    rows = []
    for cik in range(1, 9):
        for period in (PREVIOUS, CURRENT):
            for cusip in CUSIPS:
                if rng.random() < 0.7:
                    shares = int(rng.integers(100, 10_000))
                    rows.append({"cik": cik, "period_of_report": period, "cusip": cusip,
                                 "value_usd": shares * price[(period, cusip)], "shares_or_principal": shares})
    return pd.DataFrame(rows), price


def reprice(positions: pd.DataFrame, price: dict, period: dt.date, factors: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Positions and reference prices with ``period``'s prices times ``factors`` (per security)."""
    out = positions.copy()
    at = out["period_of_report"] == period
    out.loc[at, "value_usd"] = out.loc[at, "value_usd"] * out.loc[at, "cusip"].map(factors)
    reference = pd.DataFrame([{"period_of_report": p, "cusip": c, "reference_price_usd": v * (factors[c] if p == period else 1.0)}
                              for (p, c), v in price.items()])
    return out, reference


returns = st.fixed_dictionaries({c: st.floats(0.05, 20.0) for c in CUSIPS})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), factors=returns)
def test_any_current_quarter_return_leaves_realised_pressure_unchanged(seed, factors):
    positions, price = world(seed)
    same = {c: 1.0 for c in CUSIPS}
    base = implied_flows(*reprice(positions, price, CURRENT, same))
    repriced = implied_flows(*reprice(positions, price, CURRENT, factors))
    pd.testing.assert_frame_equal(base, repriced, rtol=1e-9)
    assert (base["net_sales_bn"].abs() > 0).any()  # there are trades to value


def test_the_previous_quarters_prices_do_enter_so_the_property_is_not_vacuous():
    positions, price = world(7)
    base = implied_flows(*reprice(positions, price, PREVIOUS, {c: 1.0 for c in CUSIPS}))
    moved = implied_flows(*reprice(positions, price, PREVIOUS, {c: 2.0 for c in CUSIPS}))
    traded = base["net_sales_bn"] != 0
    assert np.allclose(moved.loc[traded, "net_sales_bn"], 2 * base.loc[traded, "net_sales_bn"])


def test_a_position_opened_this_quarter_is_valued_at_the_previous_reference_price():
    positions = pd.DataFrame([
        {"cik": 1, "period_of_report": PREVIOUS, "cusip": CUSIPS[0], "value_usd": 1000.0, "shares_or_principal": 10},
        {"cik": 1, "period_of_report": CURRENT, "cusip": CUSIPS[0], "value_usd": 3000.0, "shares_or_principal": 10},
        {"cik": 1, "period_of_report": CURRENT, "cusip": CUSIPS[1], "value_usd": 900.0, "shares_or_principal": 30},
    ])
    reference = pd.DataFrame([{"period_of_report": PREVIOUS, "cusip": CUSIPS[1], "reference_price_usd": 20.0},
                              {"period_of_report": CURRENT, "cusip": CUSIPS[1], "reference_price_usd": 30.0}])
    flows = implied_flows(positions, reference).set_index("cusip")
    assert flows.loc[CUSIPS[0], "net_sales_bn"] == 0
    assert flows.loc[CUSIPS[1], "net_sales_bn"] * 1e9 == -30 * 20.0  # bought 30 shares at last quarter's 20
    assert flows.loc[CUSIPS[1], "implied_flow_share"] == 600 / 1000


CHAIN = render_model("marts/fct_forced_selling_chain.sql")


def chain_rows(aum: dict, realised: dict) -> pd.DataFrame:
    """fct_forced_selling_chain on quarters of 13F AUM ``aum`` ($bn) and realised pressure ``realised``."""
    conn = duckdb.connect()
    conn.register("e", pd.DataFrame([{"quarter_end": q, "holding_bn": v, "is_synthetic": False} for q, v in aum.items()]))
    conn.register("f", pd.DataFrame([{"period_of_report": q, "net_sales_bn": v, "flow_decile": 1} for q, v in realised.items()]))
    conn.execute("create table int_chain__exposures as select * from e")
    conn.execute("create table int_holdings__implied_flows as select * from f")
    conn.execute("create table int_chain__shocks (quarter_end date, standard_shock_bn double, capital_call_bn double, required_bn double)")
    conn.execute("create table int_chain__rounds (quarter_end date, round_no integer, sale_bn double, loss_bn double)")
    return conn.execute(f"select * from ({CHAIN}) order by quarter_end").df().set_index("quarter_end")


def test_the_chain_scales_realised_pressure_by_the_previous_quarters_aum_not_this_ones():
    """This quarter's 13F AUM holds this quarter's returns: doubling it (a 100% return) leaves the
    share unchanged; it is realised pressure over the previous quarter's AUM."""
    base = chain_rows({PREVIOUS: 200.0, CURRENT: 250.0}, {CURRENT: 3.0})
    boomed = chain_rows({PREVIOUS: 200.0, CURRENT: 500.0}, {CURRENT: 3.0})
    at = pd.Timestamp(CURRENT)
    assert base.loc[at, "realised_pressure_of_aum_pct"] == boomed.loc[at, "realised_pressure_of_aum_pct"] == 100 * 3.0 / 200.0
    assert pd.isna(base.loc[pd.Timestamp(PREVIOUS), "realised_pressure_of_aum_pct"])  # no quarter before it
