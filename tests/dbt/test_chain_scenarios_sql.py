"""The chain's scenarios (bands and inverse stress) give, scenario by scenario, what the chain itself
gives with those parameters: ``int_chain__scenario_outcomes`` (a Python model: its own functions,
on the inputs its ``compact_inputs`` reduces in DuckDB) against ``int_chain__rounds`` run with the
same leverage, beta, price impact and shock as vars, on random holdings, as the project's real SQL
in DuckDB (``tests.dbt_sql``). Price caps and whole positions sold are in the draws on purpose: the
scenario model keeps one "share sold" per hedge fund instead of every position, which is exact
only because hedge funds sell pro rata; this is where that would break.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dbt_sql import project_vars, python_model, render_model

QUARTERS = [dt.date(2025, 3, 31), dt.date(2025, 6, 30)]
ASSETS = [f"A{i:07d}0" for i in range(5)]
SCENARIO_COLUMNS = ["scenario_id", "scenario_kind", "shock_pct", "leverage_hedge_fund", "redemption_beta", "kappa_scale"]


def world(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exposures and shocks: two funders, three hedge funds, two others, overlapping holdings."""
    rng = np.random.default_rng(seed)
    kinds = {1: "funder", 2: "funder", 10: "hedge_fund", 11: "hedge_fund", 12: "hedge_fund", 20: "other", 21: "other"}
    impact = {a: float(rng.choice([0.0005, 0.005, 0.05])) for a in ASSETS}  # the largest makes the cap bind
    rows = []
    for quarter in QUARTERS:
        for cik, kind in kinds.items():
            held = [a for a in ASSETS if rng.random() < 0.7] or ASSETS[:1]
            for cusip in held:
                holding = float(rng.integers(1, 30))
                rows.append({"quarter_end": quarter, "cik": cik, "cusip": cusip, "holder_type": kind, "leverage": 1.0,
                             "holding_bn": holding, "price_impact_per_bn": impact[cusip],
                             "sale_weight": holding * float(rng.choice([1.0, 1.5, 3.0]))})
    exposures = pd.DataFrame(rows)
    exposures["aum_bn"] = exposures.groupby(["quarter_end", "cik"])["holding_bn"].transform("sum")
    funders = exposures[exposures["holder_type"] == "funder"].groupby(["quarter_end", "cik"], as_index=False)["aum_bn"].max()
    funders["capital_call_bn"] = [float(rng.choice([0.0, 2.0])) for _ in range(len(funders))]
    return exposures, funders


def scenario_outcomes(exposures: pd.DataFrame, funders: pd.DataFrame, scenarios: list[tuple], rounds: int) -> pd.DataFrame:
    """The model's outcomes, as ``model(dbt, session)`` computes them on a full build."""
    outcomes = python_model("intermediate/chain/int_chain__scenario_outcomes.py")
    conn = duckdb.connect()
    # rows in no particular order, as a real table's scan gives them (the world is made sorted)
    conn.register("e", exposures.sample(frac=1, random_state=1))
    conn.register("f", funders.sample(frac=1, random_state=2))
    conn.register("s", pd.DataFrame(scenarios, columns=SCENARIO_COLUMNS))
    conn.execute("create table int_chain__exposures as select * from e")
    conn.execute("create table int_chain__shocks as select quarter_end, cik, aum_bn, capital_call_bn from f")
    conn.execute("create table int_chain__scenarios as select * from s")
    inputs = outcomes.compact_inputs(conn.table("int_chain__exposures"), conn.table("int_chain__shocks"))
    rows = outcomes.scenario_outcomes(**inputs, scenarios=conn.table("int_chain__scenarios").df(), rounds=rounds,
                                      cap=float(project_vars()["chain_price_impact_cap"]))
    return conn.from_df(rows).project(outcomes.OUTPUT).df()


def chain_rounds(exposures: pd.DataFrame, funders: pd.DataFrame, shock_pct: float, leverage: float, beta: float,
                 kappa_scale: float, rounds: int) -> pd.DataFrame:
    """int_chain__rounds' rows with these parameters as vars (and in its inputs)."""
    sql = render_model("intermediate/chain/int_chain__rounds.sql", chain_rounds=rounds, chain_redemption_beta=beta)
    e = exposures.copy()
    e.loc[e["holder_type"] == "hedge_fund", "leverage"] = leverage
    e["price_impact_per_bn"] = e["price_impact_per_bn"] * kappa_scale
    shocks = funders.assign(required_bn=np.minimum(funders["aum_bn"], shock_pct / 100 * funders["aum_bn"] + funders["capital_call_bn"]))
    conn = duckdb.connect()
    conn.register("e", e)
    conn.register("s", shocks)
    conn.execute("create table int_chain__exposures as select * from e")
    conn.execute("create table int_chain__shocks as select * from s")
    return conn.execute(sql).df()


def chain_itself(*args) -> pd.DataFrame:
    """The chain's totals per quarter: first-round sales, all sales, all losses."""
    return chain_rounds(*args).groupby("quarter_end").apply(lambda r: pd.Series({
        "first": r.loc[r["round_no"] == 1, "sale_bn"].sum(), "total": r["sale_bn"].sum(), "loss": r["loss_bn"].sum()}),
        include_groups=False)


parameters = st.tuples(st.sampled_from([1.0, 5.0, 20.0, 60.0]), st.floats(1.0, 4.0), st.floats(0.5, 6.0), st.floats(0.5, 2.0))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), draws=st.lists(parameters, min_size=1, max_size=3), rounds=st.sampled_from([2, 3, 4]))
def test_every_scenario_gives_what_the_chain_gives_with_its_parameters(seed, draws, rounds):
    exposures, funders = world(seed)
    scenarios = [(i, "draw", *p) for i, p in enumerate(draws, start=1)]
    outcomes = scenario_outcomes(exposures, funders, scenarios, rounds).set_index(["scenario_id", "quarter_end"])
    for scenario_id, _, shock, leverage, beta, kappa in scenarios:
        expected = chain_itself(exposures, funders, shock, leverage, beta, kappa, rounds)
        for quarter in QUARTERS:
            got = outcomes.loc[(scenario_id, pd.Timestamp(quarter))]
            want = expected.loc[pd.Timestamp(quarter)]
            assert got["first_round_sales_bn"] == pytest.approx(want["first"], rel=1e-9, abs=1e-12)
            assert got["total_forced_sales_bn"] == pytest.approx(want["total"], rel=1e-9, abs=1e-12)
            assert got["total_loss_bn"] == pytest.approx(want["loss"], rel=1e-9, abs=1e-12)


def test_a_quarter_without_hedge_funds_and_one_without_funders_give_what_the_chain_gives():
    """Real quarters lack either now and then (the replay fixtures' and the real corpus's do)."""
    exposures, funders = world(7)
    first, second = (pd.Timestamp(q) for q in QUARTERS)
    when, kind = pd.to_datetime(exposures["quarter_end"]), exposures["holder_type"]
    exposures = exposures[~((when == first) & (kind == "hedge_fund")) & ~((when == second) & (kind == "funder"))]
    funders = funders[pd.to_datetime(funders["quarter_end"]) != second]
    outcomes = scenario_outcomes(exposures, funders, [(1, "draw", 20.0, 2.0, 1.5, 1.0)], 3).set_index("quarter_end")
    expected = chain_itself(exposures, funders, 20.0, 2.0, 1.5, 1.0, 3)
    # no hedge fund: the funders' sales and their losses, and nothing after them
    assert outcomes.loc[first, "first_round_sales_bn"] == pytest.approx(expected.loc[first, "first"], rel=1e-9)
    assert outcomes.loc[first, "first_round_sales_bn"] > 0
    assert outcomes.loc[first, "total_forced_sales_bn"] == pytest.approx(expected.loc[first, "total"], rel=1e-9)
    assert outcomes.loc[first, "total_loss_bn"] == pytest.approx(expected.loc[first, "loss"], rel=1e-9)
    assert outcomes.loc[first, "amplification"] == 1.0
    # no funder: the chain has no rows; the scenario sells nothing
    assert second not in expected.index
    assert outcomes.loc[second, ["first_round_sales_bn", "total_forced_sales_bn", "total_loss_bn"]].tolist() == [0, 0, 0]
    assert outcomes.loc[second, "amplification"] == 1.0


def test_the_draws_cover_cases_where_caps_bind_so_the_equivalence_is_not_vacuous():
    """In this world a large beta sells whole hedge-fund portfolios and prices hit the cap."""
    exposures, funders = world(3)
    scenarios = [(1, "draw", 60.0, 4.0, 6.0, 2.0)]
    rows = chain_rounds(exposures, funders, 60.0, 4.0, 6.0, 2.0, 3)
    assert (rows["price_change"] == -0.5).any()  # the cap binds
    hedge = rows[rows["holder_type"] == "hedge_fund"].groupby(["quarter_end", "cik", "cusip"])
    sold_out = (hedge["sale_bn"].sum() >= hedge["holding_bn"].max() - 1e-9)
    assert sold_out.any()  # some hedge-fund position is sold whole
    outcome = scenario_outcomes(exposures, funders, scenarios, 3)
    assert (outcome["amplification"] > 1).all()


def test_the_scenario_table_holds_the_baseline_the_draws_and_the_shock_grid():
    scenarios = duckdb.connect().execute(render_model("intermediate/chain/int_chain__scenarios.sql")).df()
    counts = scenarios["scenario_kind"].value_counts().to_dict()
    assert counts == {"baseline": 1, "draw": 200, "stress": 50}
    draws = scenarios[scenarios["scenario_kind"] == "draw"]
    assert draws["scenario_id"].is_unique and scenarios["scenario_id"].is_unique
    for column, (low, high) in {"leverage_hedge_fund": (1, 4), "redemption_beta": (0.5, 3), "kappa_scale": (0.5, 2)}.items():
        values = draws[column]
        assert values.between(low, high).all() and values.nunique() == 200
        # evenly spread: each quarter of the range holds about a quarter of the draws
        counts_by_quarter = np.histogram(values, bins=4, range=(low, high))[0]
        assert counts_by_quarter.min() >= 45, (column, counts_by_quarter)
    stress = scenarios[scenarios["scenario_kind"] == "stress"]
    assert stress["shock_pct"].tolist() == [float(k) for k in range(1, 51)]
    assert (draws["shock_pct"] == 5).all()


def test_bands_are_percentiles_of_the_draws_and_the_breaking_shocks_the_first_crossings():
    quarter = QUARTERS[0]
    rows = [(k, "draw", 5.0, float(k), 0.0) for k in range(1, 12)]  # amplification 1..11, losses 0
    rows += [(100 + s, "stress", float(s), 1.0 + s / 10, -s * 4.0) for s in range(1, 31)]  # amplification 1.1..4, loss 4s
    rows += [(0, "baseline", 5.0, 1.5, -20.0)]
    outcomes = pd.DataFrame([{"scenario_id": i, "scenario_kind": kind, "quarter_end": quarter, "shock_pct": shock,
                              "amplification": amp, "total_loss_bn": -amp if kind == "draw" else loss}
                             for i, kind, shock, amp, loss in rows])
    exposures = pd.DataFrame([{"quarter_end": quarter, "holding_bn": 400.0, "is_synthetic": True}])
    conn = duckdb.connect()
    conn.register("o", outcomes)
    conn.register("e", exposures)
    conn.execute("create table int_chain__scenario_outcomes as select * from o")
    conn.execute("create table int_chain__exposures as select * from e")
    (row,) = conn.execute(render_model("marts/fct_chain_bands.sql")).df().to_dict("records")
    assert row["draws"] == 11
    assert (row["amplification_p10"], row["amplification_p50"], row["amplification_p90"]) == pytest.approx((2.0, 6.0, 10.0))
    assert float(row["total_loss_p10_bn"]) == pytest.approx(-10.0)  # losses are negative: p10 is the bad tail
    assert row["breaking_shock_pct"] == 11.0  # first amplification above 2 (var): 1 + 11/10
    assert row["loss_breaking_shock_pct"] == 2.0  # first loss above 1% of 400: 4 * 2 = 8 > 4
    assert row["largest_shock_tried_pct"] == 30.0
