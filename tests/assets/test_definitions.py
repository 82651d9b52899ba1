"""The code location loads without touching dbt or DuckDB, and its lineage reads raw → marts."""

import json
import subprocess
import sys

from dagster import AssetKey

from tests.conftest import REPO


def test_definitions_load_and_lineage_runs_from_raw_to_the_bathtub():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    chain = [
        AssetKey(["raw", "fred_observations"]),
        AssetKey(["staging", "stg_fred__observations"]),
        AssetKey(["intermediate", "int_fred__observations_in_units"]),
        AssetKey(["intermediate", "int_funding__aligned_weekly"]),
        AssetKey(["marts", "fct_liquidity_bathtub"]),
    ]
    for upstream, downstream in zip(chain, chain[1:]):
        assert upstream in graph.get(downstream).parent_keys, (upstream, downstream)
    for table in ("dts_operating_cash_balance", "nyfed_reverse_repo_operations", "dts_public_debt_transactions"):
        assert graph.get(AssetKey(["raw", table])).is_materializable
    assert graph.get(AssetKey(["marts", "fct_liquidity_bathtub"])).group_name == "marts"
    assert graph.get(AssetKey(["staging", "stg_fred__observations"])).group_name == "staging_funding_flows"


def test_dbt_tests_surface_as_asset_checks_on_the_models_they_guard():
    from orchestration.definitions import defs

    checks = {key for key in defs.resolve_asset_graph().asset_check_keys}
    on_mart = {c.name for c in checks if c.asset_key == AssetKey(["marts", "fct_liquidity_bathtub"])}
    assert "unique_fct_liquidity_bathtub_week_ending" in on_mart
    assert "assert_bathtub_decomposition_adds_up" in on_mart


def test_dbt_build_args_leave_unit_tests_to_the_test_suite_and_pass_vars_as_json():
    from assets.dbt import dbt_build_args

    assert dbt_build_args() == ["build", "--exclude-resource-type", "unit_test"]
    args = dbt_build_args({"reserve_floor_bn": 3000})
    assert args[:4] == ["build", "--exclude-resource-type", "unit_test", "--vars"]
    assert json.loads(args[4]) == {"reserve_floor_bn": 3000}


# Loading the code location must not pay for what only a run needs (issue 7: load within 1.5 s of
# importing dagster and dagster_dbt): GX, the dbt runner, pandas/numpy, the HTTP client.
HEAVY_AT_RUN_TIME_ONLY = ("great_expectations", "dbt.cli.main", "pandas", "numpy", "httpx", "tenacity", "matplotlib")


def test_loading_the_code_location_imports_nothing_only_a_run_needs():
    code = (
        "import sys, orchestration.definitions as d; d.defs.resolve_asset_graph(); "
        f"print(' '.join(m for m in {HEAVY_AT_RUN_TIME_ONLY!r} if m in sys.modules) or 'none')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "none"
