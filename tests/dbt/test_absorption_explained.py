"""The absorption score explained, run as the project's real SQL in DuckDB on random histories:
the contributions add up to weighted_z, the diffusion counts stay within their inputs, a missing
input has no z, and the held regime follows the hysteresis rule, checked against a plain-Python
version of the rule. (The hand-computed week is a dbt unit test in _marts__models.yml; the
scenario's early-2025 flips are in tests/e2e/test_capex_absorption_e2e.py.)
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dbt_sql import render_model

WEEKS = 30
START = dt.date(2024, 1, 3)
CONFIRMATIONS = ["ig_oas_change_13w_pp", "hy_oas_change_13w_pp", "yield_10y_change_13w_pp",
                 "term_premium_change_13w_pp", "sofr_iorb_change_13w_pp", "auction_stress_13w"]
MARKET = ["ig_oas_pct", "hy_oas_pct", "yield_10y_pct", "term_premium_10y_pct", "sofr_pct", "iorb_pct"]
CONTRIBUTIONS = ["contribution_absorption_ratio", "contribution_neg_slack"] + [f"contribution_{c}" for c in CONFIRMATIONS]
Z_INPUTS = ["z_absorption_ratio", "z_neg_slack"] + [f"z_{c}" for c in CONFIRMATIONS]


def absorption(history: dict, **var_overrides) -> pd.DataFrame:
    """fct_capex_absorption's SQL (with these vars) on a weekly history; one row per week."""
    weeks = [START + dt.timedelta(weeks=i) for i in range(WEEKS)]
    conn = duckdb.connect()
    conn.register("b", pd.DataFrame({"week_ending": weeks, "idle_pool_bn": history["idle"], "is_synthetic": True}))
    conn.register("s", pd.DataFrame({
        "week_ending": weeks, "private_supply_13w_bn": history["d13"], "net_marketable_issuance_13w_bn": history["d13"],
        "fed_treasury_purchases_13w_bn": [0.0] * WEEKS, "auction_stress_13w": history["stress"]}))
    conn.register("f", pd.DataFrame({"week_ending": weeks, "ticker": "T", "external_funding_13w_bn": history["f13"]}))
    conn.register("m", pd.DataFrame({"week_ending": weeks, **{name: history[name] for name in MARKET}}))
    # the estimated floor's columns, unknown here: the score stays on the fixed floor's idle pool
    conn.execute("create table fct_liquidity_bathtub as select *, null::double as idle_pool_estimated_floor_bn, "
                 "null::double as reserve_floor_estimated_bn from b")
    conn.execute("create table int_treasury__supply_weekly as select * from s")
    conn.execute("create table int_hyperscaler__funding_weekly as select * from f")
    conn.execute("create table int_funding__aligned_weekly as select * from m")
    sql = render_model("marts/fct_capex_absorption.sql", **var_overrides)
    return conn.execute(f"select * from ({sql}) order by week_ending").df()


def weekly(values: st.SearchStrategy, missing: bool = False) -> st.SearchStrategy:
    """WEEKS values; with ``missing``, about one in four is None (a week the source did not publish)."""
    value = st.one_of(values, values, values, st.none()) if missing else values
    return st.lists(value, min_size=WEEKS, max_size=WEEKS)


def rounded(lo: float, hi: float) -> st.SearchStrategy:
    return st.floats(lo, hi, allow_nan=False).map(lambda v: round(v, 3))


histories = st.fixed_dictionaries({
    "idle": weekly(rounded(0, 3000)),
    "f13": weekly(rounded(0, 300)),
    "d13": weekly(rounded(-1500, 2500)),
    "stress": weekly(rounded(-2, 2), missing=True),
    **{name: weekly(rounded(0, 8), missing=True) for name in MARKET},
})
weights = st.tuples(*[st.sampled_from([0.1, 0.2, 0.4, 1, 2.5])] * 3)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(history=histories, w=weights, z_min=st.integers(3, 8))
def test_contributions_add_up_to_weighted_z_and_counts_stay_within_the_inputs(history, w, z_min):
    rows = absorption(history, z_min_weeks=z_min, score_weight_absorption=w[0], score_weight_slack=w[1],
                      score_weight_confirmation=w[2])
    scored = rows[rows["weighted_z"].notna()]
    total = scored[CONTRIBUTIONS].fillna(0).sum(axis=1)
    assert ((total - scored["weighted_z"]).abs() <= 1e-9).all(), (total - scored["weighted_z"]).abs().max()
    assert rows.loc[rows["weighted_z"].isna(), CONTRIBUTIONS].isna().all().all()
    for z, contribution in zip(Z_INPUTS, CONTRIBUTIONS):  # an input without a z contributes nothing
        assert (scored[contribution].isna() == scored[z].isna()).all(), contribution
    # an input missing that week has no z (DuckDB's least/greatest skip nulls: it once read +z_winsor)
    for c in CONFIRMATIONS:
        assert rows.loc[rows[c].isna(), f"z_{c}"].isna().all(), c
    scored_inputs = rows[Z_INPUTS].notna().sum(axis=1)
    assert (rows["inputs_scored"] == scored_inputs).all()
    assert (rows["inputs_above_average"] == (rows[Z_INPUTS] > 0).sum(axis=1)).all()
    assert ((0 <= rows["inputs_rising"]) & (rows["inputs_rising"] <= rows["inputs_scored"])).all()


def held_by_the_rule(raw: list, min_weeks: int) -> list:
    """The hysteresis rule, week by week: switch to a new raw call once it has been made
    ``min_weeks`` weeks in a row (no call counts as a call of its own); None until the first call
    has lasted that long."""
    held, run, previous, out = None, 0, object(), []
    for call in raw:
        run = run + 1 if call == previous else 1
        previous = call
        if run >= min_weeks:
            held = call
        out.append(held)
    return out


def runs(values: list) -> list[tuple]:
    """(value, length) of each run of equal values."""
    out: list[list] = []
    for value in values:
        if out and out[-1][0] == value:
            out[-1][1] += 1
        else:
            out.append([value, 1])
    return [tuple(r) for r in out]


def none_for_nan(values) -> list:
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]


# slack near zero flips the raw call often: the case hysteresis is for
flippy = st.fixed_dictionaries({
    "idle": weekly(rounded(400, 600)),
    "f13": weekly(rounded(0, 200)),
    "d13": weekly(rounded(250, 450), missing=True),
    "stress": weekly(rounded(-2, 2)),
    **{name: weekly(rounded(0, 8)) for name in MARKET},
})


@SETTINGS
@given(history=flippy, min_weeks=st.integers(1, 5))
def test_the_held_regime_follows_the_hysteresis_rule(history, min_weeks):
    rows = absorption(history, regime_min_weeks=min_weeks)
    raw = none_for_nan(rows["regime"])
    held = none_for_nan(rows["regime_held"])
    assert held == held_by_the_rule(raw, min_weeks)
    assert [n for _, n in runs(raw) for n in range(1, n + 1)] == rows["weeks_in_regime"].tolist()
    assert [n for _, n in runs(held) for n in range(1, n + 1)] == rows["weeks_in_regime_held"].tolist()
    # every held run but the first (the series start) and the last (cut by the series end) lasts
    held_runs = runs(held)
    assert all(n >= min_weeks for _, n in held_runs[1:-1]), held_runs
    assert rows["regime_reason"].notna().all()
