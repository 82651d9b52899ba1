"""The policy what-ifs, run as the project's real SQL in DuckDB on random weekly histories: the
bathtub, the absorption score and fct_policy_whatif chained as dbt chains them. Buying more never
raises the score or lowers the idle pool; the baseline path is the observed absorption exactly.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dbt_sql import render_model

WEEKS = 40
Z_MIN = 6  # a short window keeps examples small; the expanding-z logic is the same
START = dt.date(2024, 1, 3)
PATH_START = START + dt.timedelta(weeks=20)
PATH_COLUMNS = ["path_name", "starts_on", "treasury_runoff_bn_per_month", "qt_ends_on",
                "bill_purchases_bn_per_month", "tga_target_bn", "tga_rebuild_weeks"]


def whatif(history: dict, paths: list[tuple]) -> pd.DataFrame:
    """fct_policy_whatif on a weekly history (Fed assets, Treasury holdings, TGA, ON RRP, reserves,
    D13, F13, auction stress) for these paths (PATH_COLUMNS), through the bathtub and absorption SQL."""
    weeks = [START + dt.timedelta(weeks=i) for i in range(WEEKS)]
    conn = duckdb.connect()
    aligned = pd.DataFrame({
        "week_ending": weeks, "fed_total_assets_bn": history["assets"], "fed_treasury_holdings_bn": history["holdings"],
        "tga_bn": history["tga"], "on_rrp_bn": history["rrp"], "reserves_bn": history["reserves"], "is_synthetic": True,
        **{c: None for c in ["ig_oas_pct", "hy_oas_pct", "yield_10y_pct", "term_premium_10y_pct", "sofr_pct", "iorb_pct"]}})
    supply = pd.DataFrame({"week_ending": weeks, "private_supply_13w_bn": history["d13"],
                           "net_marketable_issuance_13w_bn": history["d13"], "fed_treasury_purchases_13w_bn": 0.0,
                           "auction_stress_13w": history["stress"]})
    funding = pd.DataFrame({"week_ending": weeks, "ticker": "T", "external_funding_13w_bn": history["f13"]})
    seed = pd.DataFrame(paths, columns=PATH_COLUMNS)
    for name, frame in [("int_funding__aligned_weekly", aligned), ("int_treasury__supply_weekly", supply),
                        ("int_hyperscaler__funding_weekly", funding), ("fed_policy_paths", seed)]:
        conn.register(f"{name}_frame", frame)
        conn.execute(f"create table {name} as select * from {name}_frame")
    conn.execute("alter table fed_policy_paths alter starts_on type date")
    conn.execute("alter table fed_policy_paths alter qt_ends_on type date")
    # no estimated reserve floor: the what-ifs stay on the fixed floor
    conn.execute("create table fct_reserve_floor_estimates (week_ending date, reserve_floor_estimate_bn double)")
    for model in ["fct_liquidity_bathtub", "fct_capex_absorption", "fct_policy_whatif"]:
        sql = render_model(f"marts/{model}.sql", z_min_weeks=Z_MIN)
        conn.execute(f"create table {model} as {sql}")
    return conn.execute("select w.*, a.score as absorption_score, a.regime as absorption_regime "
                        "from fct_policy_whatif w join fct_capex_absorption a using (week_ending) "
                        "order by path_name, week_ending").df()


def rounded(lo: float, hi: float) -> st.SearchStrategy:
    return st.floats(lo, hi, allow_nan=False).map(lambda v: round(v, 3))


def weekly(values: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(values, min_size=WEEKS, max_size=WEEKS)


histories = st.fixed_dictionaries({
    "assets": weekly(rounded(6000, 9000)),
    "holdings": weekly(rounded(4000, 6000)),
    "tga": weekly(rounded(300, 1000)),
    "rrp": weekly(rounded(0, 500)),
    "reserves": weekly(rounded(2500, 3500)),  # around the 2,900 floor, where max(0, .) bends
    "d13": weekly(rounded(-200, 900)),
    "f13": weekly(rounded(0, 200)),
    "stress": weekly(rounded(-2, 2)),
})
runoff = st.one_of(st.none(), rounded(0, 60))
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(history=histories, less=rounded(0, 150), more=rounded(0.001, 150), runoff=runoff,
       tga_target=st.one_of(st.none(), rounded(200, 1200)))
def test_buying_more_never_raises_the_score_or_lowers_the_idle_pool(history, less, more, runoff, tga_target):
    base = ("b", PATH_START, runoff, None, less, tga_target, 13 if tga_target else None)
    paths = [("baseline", PATH_START, None, None, 0.0, None, None), base,
             ("m", PATH_START, runoff, None, less + more, tga_target, 13 if tga_target else None)]
    rows = whatif(history, paths)
    fewer, extra = (rows[rows["path_name"] == name].reset_index(drop=True) for name in ("b", "m"))
    assert len(fewer) == len(extra) == WEEKS - 20
    assert (extra["fed_treasury_change_bn"] > fewer["fed_treasury_change_bn"]).iloc[1:].all()
    assert (extra["idle_pool_bn"] >= fewer["idle_pool_bn"]).all()
    assert (extra["slack_bn"] >= fewer["slack_bn"]).all()
    both = fewer["score"].notna() & extra["score"].notna()
    assert (fewer["score"].notna() == extra["score"].notna()).all()
    assert (extra.loc[both, "score"] <= fewer.loc[both, "score"] + 1e-9).all()
    # the baseline path is the observed absorption, week for week
    baseline = rows[rows["path_name"] == "baseline"]
    assert (baseline["fed_treasury_change_bn"] == 0).all() and (baseline["tga_change_bn"] == 0).all()
    assert (baseline["regime"].fillna("-") == baseline["absorption_regime"].fillna("-")).all()
    assert baseline["score"].fillna(-1).to_numpy() == pytest.approx(baseline["absorption_score"].fillna(-1).to_numpy(),
                                                                   abs=1e-9)


@SETTINGS
@given(history=histories, rate=rounded(1, 100))
def test_bill_purchases_add_reserves_one_for_one_and_take_them_off_private_supply(history, rate):
    rows = whatif(history, [("p", PATH_START, None, None, rate, None, None)])
    weeks_in = pd.Series(range(WEEKS - 20))
    bought = rate * (weeks_in * 7) / 30.4375
    assert rows["fed_treasury_change_bn"].astype(float).to_numpy() == pytest.approx(bought.to_numpy(), abs=1e-5)
    gained = (rows["reserves_bn"] - rows["baseline_reserves_bn"]).astype(float)
    assert gained.to_numpy() == pytest.approx(bought.to_numpy(), abs=1e-5)
    assets = (rows["fed_total_assets_bn"] - rows["baseline_fed_total_assets_bn"]).astype(float)
    assert assets.to_numpy() == pytest.approx(bought.to_numpy(), abs=1e-5)
