"""dagster-dbt opens no dbt adapter in the run's process: it built one before every invocation
(1.5 s) only for row counts and column metadata, which the project does not fetch."""

from __future__ import annotations

from dagster_dbt import DbtCliResource

from assets.resources import build_resources


def test_an_invocation_builds_no_dbt_adapter_in_this_process(monkeypatch, tmp_path):
    monkeypatch.setenv("RQE_WAREHOUSE", str(tmp_path / "reverse_qe.duckdb"))
    built = []
    adapter_of_dagster_dbt = DbtCliResource._initialize_dbt_core_adapter
    monkeypatch.setattr(DbtCliResource, "_initialize_dbt_core_adapter",
                        lambda self, args: built.append(args) or adapter_of_dagster_dbt(self, args))
    dbt = build_resources()["dbt"]

    invocation = dbt.cli(["ls", "--resource-type", "seed", "--output", "name"], target_path=tmp_path / "target")
    printed = [event.raw_event["info"]["msg"] for event in invocation.stream_raw_events()]

    assert invocation.is_successful()
    assert "asset_taxonomy" in printed  # dbt ran and its events reached Dagster
    assert invocation.adapter is None and built == []
