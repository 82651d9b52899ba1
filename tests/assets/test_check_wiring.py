"""Every check shows on the asset it guards; a new family's RawTable is validated by declaration."""

import datetime as dt

import pandas as pd

from reverse_qe.validation.suites import Expect, raw_suite_for
from reverse_qe.warehouse import RawTable


def _checks_by_asset():
    from orchestration.definitions import defs

    found = {}
    for key in defs.resolve_asset_graph().asset_check_keys:
        found.setdefault("/".join(key.asset_key.path), set()).add(key.name)
    return found


def test_raw_reconciliation_freshness_and_dbt_checks_sit_on_their_assets():
    checks = _checks_by_asset()
    for table in ("fred_observations", "dts_operating_cash_balance", "dts_public_debt_transactions",
                  "nyfed_reverse_repo_operations"):
        assert {"raw_batch_valid", "fresh_for_its_cadence"} <= checks[f"raw/{table}"], table
    assert "tga_matches_wtregen" in checks["intermediate/int_treasury__tga_daily"]
    assert {"bathtub_matches_raw_recomputation", "unique_fct_liquidity_bathtub_week_ending",
            "relationships_fct_liquidity_bathtub_week_ending__week_ending__ref_int_funding__aligned_weekly_"
            } <= checks["marts/fct_liquidity_bathtub"]
    assert {"not_null_stg_dts__public_debt_transactions_record_date",
            "not_null_stg_dts__public_debt_transactions_source_line_number"} <= checks[
        "staging/stg_dts__public_debt_transactions"]
    assert "accepted_values_stg_nyfed__reverse_repo_operations_operation_type__Reverse_Repo" in checks[
        "staging/stg_nyfed__reverse_repo_operations"]
    assert any(name.startswith("relationships_int_treasury__tga_daily_record_date")
               for name in checks["intermediate/int_treasury__tga_daily"])


def test_a_raw_table_without_its_own_suite_gets_the_generic_one():
    from reverse_qe.validation.gx import validate_raw_batch

    table = RawTable("prices_daily", {"ticker": "varchar", "trade_date": "date", "close": "double"},
                     key=("ticker", "trade_date"))
    suite = raw_suite_for(table, date_column="trade_date", as_of=dt.date(2026, 11, 20),
                          expectations=[Expect("ExpectColumnValuesToBeBetween", {"column": "close", "min_value": 0},
                                               "close must not be negative")])
    frame = pd.DataFrame({"ticker": ["MU", "MU", "MU"],
                          "trade_date": pd.to_datetime(["2026-11-18", "2026-11-18", "2026-11-30"]),
                          "close": [100.0, 101.0, -1.0], "source_mode": "replay",
                          "source_uri": "/replay/stooq/mu.us.csv"})
    outcome = validate_raw_batch(frame, suite)
    assert suite.source == "prices"
    assert [f.check for f in outcome.errors] == [
        "ExpectCompoundColumnsToBeUnique", "ExpectColumnValuesToBeBetween(trade_date)",
        "ExpectColumnValuesToBeBetween(close)"]
    assert [f.rows for f in outcome.errors] == [(0, 1), (2,), (2,)]
    assert "/replay/stooq/mu.us.csv, row 4: trade_date must not be after the run date 2026-11-20" in outcome.message()


def test_the_fred_bounds_cover_exactly_the_series_of_the_dbt_seed():
    from reverse_qe.fred_series import fred_series
    from reverse_qe.validation.suites import FRED_SERIES_BOUNDS

    assert list(FRED_SERIES_BOUNDS) == list(fred_series())  # units and cadence are the seed's alone