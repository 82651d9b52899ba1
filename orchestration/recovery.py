"""Runs whose process died (SIGKILL, OOM, a closed laptop) must not hold the warehouse pool forever.

``dagster dev`` / the daemon frees slots of dead runs through run monitoring (.dagster_home/dagster.yaml).
In-process runs (``make demo``) have no daemon watching them, so they carry their process id as a
tag and every new run first releases the ones whose process is gone.
"""

from __future__ import annotations

import os
import socket

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

PID_TAG = "rqe/pid"
HOST_TAG = "rqe/host"


def process_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_dead_runs(instance: DagsterInstance) -> list[str]:
    """Mark this host's in-process runs whose process is gone as failed and free their pool slots."""
    released = []
    running = instance.get_runs(
        RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING], tags={HOST_TAG: socket.gethostname()})
    )
    for run in running:
        pid = run.tags.get(PID_TAG)
        if pid is None or _alive(int(pid)):
            continue
        instance.report_run_failed(run, f"process {pid} is gone (killed); its warehouse pool slot is freed")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released
