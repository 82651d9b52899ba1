"""A run of the runner is recorded as the UI records the runs it launches (under the code location of
workspace.yaml, reloadable by a run worker) and executed in the runner's own process: a real runner
process on a fresh instance, its one run read back from the instance."""

from __future__ import annotations

import subprocess
import sys

from dagster import AssetKey, DagsterEventType, DagsterInstance, DagsterRunStatus
from dagster._core.instance.ref import InstanceRef
from dagster._utils.hosted_user_process import recon_job_from_origin

from orchestration.launch import IN_PROCESS, code_location
from orchestration.recovery import PID_TAG
from tests.conftest import REPO, isolated_env

CHEAP = "maintenance/warehouse_compaction"  # no dbt, no source: on an empty warehouse it only looks


def test_a_runner_run_is_filed_under_the_code_location_and_runs_in_the_runners_process(tmp_path):
    env = isolated_env(tmp_path)
    done = subprocess.run([sys.executable, "-m", "orchestration.cli", "backfill", "--select", CHEAP], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]

    with DagsterInstance.from_ref(InstanceRef.from_dir(env["DAGSTER_HOME"])) as instance:
        (run,) = instance.get_runs()
        pids = {int(entry.dagster_event.engine_event_data.metadata["pid"].value)
                for entry in instance.all_logs(run.run_id, of_type=DagsterEventType.ENGINE_EVENT)
                if "pid" in entry.dagster_event.engine_event_data.metadata}
    assert run.status == DagsterRunStatus.SUCCESS
    origin = run.remote_job_origin  # what the UI's runs timeline files a run under; None before
    assert origin is not None
    assert origin.repository_origin.code_location_origin.location_name == code_location().location_name
    assert (origin.repository_origin.repository_name, origin.job_name) == ("__repository__", run.job_name)
    assert run.asset_selection == {AssetKey.from_user_string(CHEAP)}
    # a run worker could reload the job from the code origin recorded
    assert AssetKey.from_user_string(CHEAP) in recon_job_from_origin(run.job_code_origin).get_definition(
        ).asset_layer.executable_asset_keys
    # executed in the runner's process with the in-process executor: no run worker, no step process
    assert pids == {int(run.tags[PID_TAG])}
    assert run.run_config["execution"] == IN_PROCESS["execution"]
