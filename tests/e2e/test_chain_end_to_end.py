"""The demo on the scenario fills the chain marts; the chain hits the speculative group hardest."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

pytestmark = pytest.mark.slow

SCENARIO_QUARTERS = 35  # 2018-03-31 .. 2026-09-30: Q3 2026 is filed by the scenario end 2026-11-20
SPECULATIVE = ("crypto_proxy", "software", "retail_favourite")


@pytest.fixture(scope="module")
def conn(scenario_run):
    with duckdb.connect(str(scenario_run.warehouse), read_only=True) as connection:
        yield connection


def test_all_four_marts_are_filled(conn):
    for mart in ("fct_forced_selling_chain", "fct_chain_asset_vulnerability",
                 "fct_chain_holder_systemicness", "fct_divergence"):
        assert conn.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0, mart


def test_the_chain_has_one_row_per_scenario_quarter_with_amplification_at_least_one(conn):
    rows = conn.execute("select quarter_end, amplification, is_synthetic from marts.fct_forced_selling_chain "
                        "order by quarter_end").fetchall()
    assert len(rows) == SCENARIO_QUARTERS
    assert rows[0][0] == dt.date(2018, 3, 31) and rows[-1][0] == dt.date(2026, 9, 30)
    assert all(amplification >= 1 for _, amplification, _ in rows)
    assert any(amplification > 1 for _, amplification, _ in rows)
    assert all(synthetic for *_, synthetic in rows)


def test_capital_calls_of_the_seed_reach_their_quarters(conn):
    calls = dict(conn.execute("select quarter_end, capital_calls_bn from marts.fct_forced_selling_chain "
                              "where capital_calls_bn > 0").fetchall())
    assert {str(q): float(v) for q, v in calls.items()} == {
        "2025-03-31": 6.0, "2025-06-30": 8.0, "2025-09-30": 5.0, "2025-12-31": 12.0,
        "2026-03-31": 7.0, "2026-06-30": 6.5, "2026-09-30": 9.0}


@pytest.mark.parametrize("since", ["2018-01-01", "2025-01-01"])
def test_speculative_vulnerability_exceeds_near_cash_flow(conn, since):
    spec, memory = conn.execute(
        "select avg(case when asset_group in (?, ?, ?) then chain_price_change_pct end), "
        "       avg(case when asset_group = 'memory' then chain_price_change_pct end) "
        "from marts.fct_chain_asset_vulnerability where quarter_end >= ?", [*SPECULATIVE, since]).fetchone()
    assert spec < memory < 0  # price changes are negative: the speculative group falls further


def test_divergence_turns_against_the_speculative_basket_after_the_pool_empties(conn):
    before, after = conn.execute(
        "select avg(case when week_ending < date '2025-04-02' then spread_pp end), "
        "       avg(case when week_ending >= date '2025-04-02' then spread_pp end) from marts.fct_divergence").fetchone()
    assert after < 0 < before or after < before - 0.5


def test_the_chain_materialization_carries_the_explanation(scenario_run):
    with DagsterInstance.from_config(str(scenario_run.root / "dagster_home")) as instance:
        event = instance.get_latest_materialization_event(AssetKey(["reports", "forced_selling_chain"]))
    metadata = event.asset_materialization.metadata
    summary = metadata["chain_summary"].value
    assert "Which funders started it" in summary and "SYNTHETIC SOVEREIGN FUND" in summary
    assert "Which assets fell most" in summary and "Which holders amplified it" in summary
    assert "data:image/png;base64," in metadata["chain_plots"].value
    assert (scenario_run.warehouse.parent / "reports" / "chain_history.png").stat().st_size > 1000


def test_speculative_assets_trail_near_cash_flow_more_after_crowding_out_sets_in(conn):
    """The essay's claims 4 and 9 on the scenario: the forward spread is lower in crowding-out."""
    rows = dict(conn.execute(
        "select regime, mean_forward_13w_spread_pp from marts.fct_divergence_by_regime").fetchall())
    assert set(rows) <= {"ample", "tightening", "crowding_out"}
    assert rows["crowding_out"] < rows["ample"]
