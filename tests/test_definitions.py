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


def test_dbt_build_args_pass_vars_as_json():
    from orchestration.dbt import dbt_build_args

    assert dbt_build_args() == ["build"]
    args = dbt_build_args({"reserve_floor_bn": 3000})
    assert args[:2] == ["build", "--vars"] and json.loads(args[2]) == {"reserve_floor_bn": 3000}


def test_loading_the_code_location_imports_neither_gx_nor_the_dbt_runner():
    code = (
        "import sys, orchestration.definitions as d; "
        "print(int('great_expectations' in sys.modules), int('dbt.cli.main' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]
