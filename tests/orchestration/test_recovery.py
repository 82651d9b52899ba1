"""Runs whose process died are reaped without a daemon, and a run waiting for the warehouse slot
says who holds it and gives up in time: real Dagster runs in real processes, killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import (
    DagsterInstance,
    DagsterRunStatus,
    Definitions,
    asset,
    define_asset_job,
)
from dagster._core.utils import make_new_run_id

from orchestration.pool_watch import PoolWatch
from orchestration.recovery import release_dead_runs
from reverse_qe import processes
from tests.conftest import REPO, isolated_env

HOLDER = Path(__file__).with_name("slot_holder.py")


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / ".dagster_home" / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def hold_slot(home: Path, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(HOLDER), str(seconds)], cwd=REPO,
                            env={**os.environ, "DAGSTER_HOME": str(home)})


def claimed(instance: DagsterInstance) -> set[str]:
    return instance.event_log_storage.get_concurrency_info("warehouse").active_run_ids


def wait_for_claim(instance: DagsterInstance, proc: subprocess.Popen, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the slot holder ended early"
        if claimed(instance):
            return next(iter(claimed(instance)))
        time.sleep(0.3)
    raise AssertionError("the slot holder never claimed the warehouse slot")


def test_a_killed_run_keeps_its_slot_until_reaped_then_the_next_run_starts_at_once(home):
    with DagsterInstance.get() as instance:
        holder = hold_slot(home, 600)
        run_id = wait_for_claim(instance, holder)
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        assert claimed(instance) == {run_id}  # what made the next `make demo` hang

        released = release_dead_runs(instance)

        assert [(r.run_id, r.pids) for r in released] == [(run_id, (holder.pid,))]
        assert instance.get_run_by_id(run_id).status == DagsterRunStatus.FAILURE
        assert claimed(instance) == set()
        started = time.monotonic()
        assert hold_slot(home, 0).wait(timeout=120) == 0
        assert time.monotonic() - started < 60  # process start and one step; no waiting on the slot
        assert release_dead_runs(instance) == []  # a finished run is never "dead"


def job_wanting_the_warehouse():
    """A job of one asset that takes the ``warehouse`` pool slot, as every pipeline step does."""
    @asset(pool="warehouse")
    def wants_the_warehouse() -> None:
        pass

    return Definitions(assets=[wants_the_warehouse], jobs=[define_asset_job("waits")]).resolve_job_def("waits")


def test_a_run_waiting_for_a_live_holder_names_it_and_gives_up_after_the_bound(home):
    job = job_wanting_the_warehouse()
    with DagsterInstance.get() as instance:
        holder = hold_slot(home, 600)
        try:
            holder_run = wait_for_claim(instance, holder)
            said, run_id = [], make_new_run_id()
            started = time.monotonic()
            with PoolWatch(instance, run_id, wait_s=4, poll_s=0.5, report=said.append) as watch:
                result = job.execute_in_process(instance=instance, run_id=run_id, raise_on_error=False)
            waited = time.monotonic() - started
            assert not result.success and instance.get_run_by_id(run_id).status == DagsterRunStatus.FAILURE
            assert instance.event_log_storage.get_concurrency_info("warehouse").pending_run_ids == set()
        finally:
            holder.kill()
            holder.wait()
    assert 4 <= waited < 30
    assert watch.gave_up and f"run {holder_run}" in watch.gave_up and f"PID {holder.pid}" in watch.gave_up
    assert "RQE_LOCK_WAIT_S=4" in watch.gave_up
    assert said and f"run {holder_run}" in said[0]  # reported at once, not after 30 s


def test_the_give_up_is_raised_again_when_code_in_the_main_thread_swallowed_it(home):
    """The signal lands wherever the main thread is, and code there may catch the exception (a CI
    run waited out a 600 s holder, its stderr opening with SQLAlchemy's "Exception closing
    connection"). Here the first one raised is swallowed."""
    job = job_wanting_the_warehouse()
    with DagsterInstance.get() as instance:
        holder = hold_slot(home, 40)
        try:
            wait_for_claim(instance, holder)
            run_id, swallowed = make_new_run_id(), []
            started = time.monotonic()
            with PoolWatch(instance, run_id, wait_s=2, poll_s=0.5, report=lambda _: None) as watch:
                give_up = signal.getsignal(signal.SIGUSR1)

                def first_one_lost(signum, frame):
                    if not swallowed:
                        swallowed.append(time.monotonic())  # as `except Exception: log(...)` would
                        return
                    give_up(signum, frame)

                signal.signal(signal.SIGUSR1, first_one_lost)
                result = job.execute_in_process(instance=instance, run_id=run_id, raise_on_error=False)
            waited = time.monotonic() - started
        finally:
            holder.kill()
            holder.wait()
    assert swallowed and watch.gave_up
    assert not result.success  # without a second raise the run waited out the holder's 40 s, then ran
    assert waited < 20


def test_the_runner_gives_up_on_a_held_slot_after_the_bound_and_its_run_is_marked_failed(home, tmp_path):
    """The same through the runner (its runs are created in the instance and executed by Dagster's
    run-worker path, ``orchestration.launch``): a real runner process, a real holder."""
    with DagsterInstance.get() as instance:
        holder = hold_slot(home, 600)
        try:
            holder_run = wait_for_claim(instance, holder)
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "orchestration.cli", "backfill", "--select",
                                   "maintenance/warehouse_compaction"], cwd=REPO, capture_output=True, text=True,
                                  env=isolated_env(tmp_path, RQE_LOCK_WAIT_S="4"), timeout=600, check=False)
            took = time.monotonic() - started
        finally:
            holder.kill()
            holder.wait()
        (run,) = [r for r in instance.get_runs() if r.run_id != holder_run]
        pending = instance.event_log_storage.get_concurrency_info("warehouse").pending_run_ids
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    waiting = next(line for line in out.splitlines() if "waiting for the 'warehouse' pool slot" in line)
    assert f"run {holder_run}" in waiting and f"PID {holder.pid}" in waiting, waiting
    assert "gave up waiting" in out and "RQE_LOCK_WAIT_S=4" in out, out[-3000:]
    assert run.status == DagsterRunStatus.FAILURE and pending == set()
    assert took < 120  # process start, imports, the 4 s bound; not the step's retries

def test_a_pid_given_to_a_later_process_is_not_the_run_that_recorded_it():
    assert processes.same_process(os.getpid(), time.time())
    assert not processes.same_process(os.getpid(), time.time() - 24 * 3600)  # started after that
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert not processes.alive(dead.pid)
