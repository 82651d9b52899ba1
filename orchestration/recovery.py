"""A run whose process died (SIGKILL, OOM, a closed laptop) must not hold the warehouse pool forever.

Every Dagster run records the PIDs of the processes that execute it: the in-process executor
(``python -m orchestration.cli``, ``dagster asset materialize``) and the run worker of a run launched
from the UI, a schedule or a sensor each log an engine event with ``pid`` metadata; the runner adds
its PID and host as tags. A run still ``STARTED``/``STARTING``/``CANCELING`` none of whose recorded
processes is alive is dead: :func:`release_dead_runs` marks it failed and frees its pool slots. A PID
given since to another process does not count (that process started after the PID was recorded).

Who calls it, so it works with or without a daemon: the runner before each job and, while one of its
steps waits for the ``warehouse`` slot, every few seconds (``orchestration.pool_watch``); the
``reap_dead_runs`` sensor every 30 s when the daemon runs (``make dev``). Dagster's own run
monitoring (``.dagster_home/dagster.yaml``) cannot see these runs: the default run launcher has no
worker health check, and in-process runs have no launcher at all.

The instance's storage is SQLite under ``DAGSTER_HOME`` on this machine: a run without a host tag is
taken to be from this host; one tagged with another host is never judged from here.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

from dagster import (
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    RunsFilter,
)

from reverse_qe import processes

PID_TAG = "rqe/pid"
HOST_TAG = "rqe/host"
ACTIVE = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.CANCELING]


def process_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def recorded_processes(instance: DagsterInstance, run: DagsterRun, created: float) -> list[tuple[int, float]]:
    """(PID, a time that process was known to run) for each process the run recorded."""
    found = [(int(run.tags[PID_TAG]), created)] if run.tags.get(PID_TAG, "").isdigit() else []
    for entry in instance.all_logs(run.run_id, of_type=DagsterEventType.ENGINE_EVENT):
        pid = entry.dagster_event.engine_event_data.metadata.get("pid")
        if pid is not None and str(pid.value).isdigit():
            found.append((int(pid.value), entry.timestamp))
    return found


def run_is_dead(instance: DagsterInstance, run: DagsterRun, created: float) -> bool:
    """The run recorded at least one process, on this host, and none of them is alive."""
    if run.tags.get(HOST_TAG, socket.gethostname()) != socket.gethostname():
        return False
    recorded = recorded_processes(instance, run, created)
    return bool(recorded) and not any(processes.same_process(pid, seen) for pid, seen in recorded)


@dataclass(frozen=True)
class Released:
    run_id: str
    job_name: str
    pids: tuple[int, ...]

    def __str__(self) -> str:
        return (f"released run {self.run_id} ({self.job_name}): its process {', '.join(map(str, self.pids))} "
                "is gone; marked failed, its warehouse pool slot freed")


def release_dead_runs(instance: DagsterInstance) -> list[Released]:
    """Mark this host's runs whose processes are all gone as failed and free their pool slots; also
    free slots still held by runs that already ended (the daemon does that after 15 s; without one,
    nothing did)."""
    released = []
    for record in instance.get_run_records(RunsFilter(statuses=ACTIVE)):
        run, created = record.dagster_run, record.create_timestamp.timestamp()
        if not run_is_dead(instance, run, created):
            continue
        pids = tuple(sorted({pid for pid, _ in recorded_processes(instance, run, created)}))
        instance.report_run_failed(run, f"process {', '.join(map(str, pids))} is gone (killed?): the run is "
                                   "marked failed and its warehouse pool slot freed")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(Released(run.run_id, run.job_name, pids))
    storage = instance.event_log_storage
    for key in storage.get_concurrency_keys():
        for run_id in storage.get_concurrency_info(key).active_run_ids:
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
    return released


@dataclass(frozen=True)
class SlotHolder:
    run_id: str
    job_name: str
    step_key: str
    pids: tuple[int, ...]
    command: str
    since: dt.datetime | None

    def describe(self) -> str:
        since = f", since {self.since:%H:%M:%S}" if self.since else ""
        return (f"run {self.run_id} ({self.job_name}, step {self.step_key}{since}), "
                f"PID {', '.join(map(str, self.pids)) or 'unknown'}: {self.command or 'command unknown'}")


def slot_holders(instance: DagsterInstance, pool: str, *, except_run: str | None = None) -> list[SlotHolder]:
    """The runs holding a slot of ``pool``: run id, job, step, live PIDs, command, since when."""
    info = instance.event_log_storage.get_concurrency_info(pool)
    assigned = {(p.run_id, p.step_key): p.assigned_timestamp for p in info.pending_steps if p.assigned_timestamp}
    holders = []
    for slot in info.claimed_slots:
        if slot.run_id == except_run:
            continue
        record = next(iter(instance.get_run_records(RunsFilter(run_ids=[slot.run_id]))), None)
        if record is None:
            continue
        recorded = recorded_processes(instance, record.dagster_run, record.create_timestamp.timestamp())
        live = tuple(sorted({pid for pid, seen in recorded if processes.same_process(pid, seen)}))
        command = next((c for c in map(processes.command, live) if c), "")
        since = assigned.get((slot.run_id, slot.step_key))
        holders.append(SlotHolder(slot.run_id, record.dagster_run.job_name, slot.step_key, live, command,
                                  since.astimezone() if since else None))
    return holders
