"""dbt's unit tests (hand-computed cases for decumulation, unit conversion, the scores, the chain).

The scheduled transform leaves them out (``assets.dbt.dbt_build_args``): their inputs are
fixed rows, so only a change of code can change their outcome, and that is what this suite runs
for. dbt reads the column types of each mocked input from the warehouse, so they run against the
scenario's: a copy of its warehouse, since dbt opens the file for writing and other workers read the
shared one.
"""

from __future__ import annotations

import json
import shutil

from tests.conftest import run_dbt


def test_every_dbt_unit_test_passes(scenario_run, tmp_path):
    target = tmp_path / "target"
    warehouse = shutil.copy(scenario_run.warehouse, tmp_path / scenario_run.warehouse.name)
    proc = run_dbt("test", warehouse, target, "--select", "test_type:unit", timeout=600)
    # every invocation's results begin with the on-run-start hook (macros/quarterly.sql's table)
    results = [r for r in json.loads((target / "run_results.json").read_text())["results"]
               if not r["unique_id"].startswith("operation.")]
    manifest = json.loads((target / "manifest.json").read_text())

    assert {r["unique_id"] for r in results} == set(manifest["unit_tests"]) and len(results) >= 10
    failed = [f"{r['unique_id']}: {r['status']}: {r.get('message')}" for r in results if r["status"] != "pass"]
    assert not failed and proc.returncode == 0, "\n".join(failed) or proc.stdout[-3000:]
