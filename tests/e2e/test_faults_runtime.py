"""The fault catalogue, runtime half: kill, lock or corrupt the warehouse around real runs and assert
the outcome (README "Reliability"). Nothing is lost, the published copy stays intact and openable,
and the next run starts at once and succeeds, or fails at once saying exactly why.

Each case works on a copy of the one scenario build (``scenario_run``), its Dagster instance
included, so the next run is an incremental one (the newest H.4.1 week) and the module stays short.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

from reverse_qe import processes
from tests.conftest import REPO, copy_run, isolated_env
from tests.faults import descendants, outside_lock, read_only_folder

pytestmark = pytest.mark.slow

NEXT_JOB = "weekly_h41"  # the cheapest run that needs the warehouse slot and the lock
LAST_WEEKS = ("2026-11-12", "2026-11-19")  # the H.4.1 weeks (keyed by their Thursday) up to SCENARIO_END
SLOT_HOLDER = REPO / "tests" / "orchestration" / "slot_holder.py"  # a real Dagster run holding the slot
STARTUP_S = 90  # a runner's start (imports, code location) and one job on a loaded 2-core machine


@pytest.fixture
def root(scenario_run, tmp_path) -> Path:
    """A private copy of the built scenario: warehouse, published copy, scenario files, instance."""
    return copy_run(scenario_run, tmp_path).root


def warehouse(root: Path) -> Path:
    return root / "warehouse" / "reverse_qe.duckdb"


def published_state(root: Path) -> tuple[str, int]:
    """The published copy's bytes (hash) and its table count, opened read-only as an analyst would."""
    path = root / "warehouse" / "published.duckdb"
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = conn.execute("select count(*) from duckdb_tables()").fetchone()[0]
    return hashlib.sha256(path.read_bytes()).hexdigest(), tables


def raw_counts(root: Path) -> dict[str, int]:
    """Rows per raw table (not the per-run logs: the source status, the rows each document yielded)."""
    with duckdb.connect(str(warehouse(root)), read_only=True) as conn:
        names = [r[0] for r in conn.execute("select table_name from duckdb_tables() where schema_name = 'raw' "
                                            "and table_name not in ('source_status', 'document_rows') "
                                            "order by 1").fetchall()]
        return {n: conn.execute(f'select count(*) from raw."{n}"').fetchone()[0] for n in names}


def holds_file(pid: int, path: Path) -> bool:
    try:
        return any(link.resolve() == path for link in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


class Started:
    """A pipeline process whose merged output is collected line by line as it runs."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True).start()

    def wait_for(self, found, timeout: float = 600, what: str = ""):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hit = found()
            if hit:
                return hit
            assert self.proc.poll() is None, f"ended before {what}:\n" + "".join(self.lines)[-3000:]
            time.sleep(0.05)
        raise AssertionError(f"no {what} in {timeout}s:\n" + "".join(self.lines)[-3000:])

    @staticmethod
    def poll(found, proc: subprocess.Popen, timeout: float = STARTUP_S, what: str = ""):
        """``found()`` once it is truthy, while ``proc`` keeps running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"ended before {what}"
            hit = found()
            if hit:
                return hit
            time.sleep(0.3)
        raise AssertionError(f"no {what} in {timeout}s")

    def kill(self, group: bool = False) -> None:
        (os.killpg if group else os.kill)(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def runner(root: Path, *jobs: str, **env: str) -> Started:
    return Started([sys.executable, "-m", "orchestration.cli", *jobs], isolated_env(root, **env))


def run_next(root: Path, **env: str) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "orchestration.cli", NEXT_JOB], cwd=REPO,
                          env=isolated_env(root, **{"RQE_LOCK_WAIT_S": "20", **env}),
                          capture_output=True, text=True, timeout=900)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def assert_next_run_starts_at_once(root: Path) -> None:
    code, out, _ = run_next(root)
    assert code == 0, out[-3000:]
    assert "released run" in out and "is gone" in out, out[-3000:]  # the killed run, reaped, no daemon
    assert "waiting for the 'warehouse' pool slot" not in out


def test_kill_during_ingest_loses_nothing_and_the_next_run_starts_at_once(root):
    before, rows = published_state(root), raw_counts(root)
    run = runner(root, "daily_ingest")
    run.wait_for(lambda: any("rows from scenario documents validated" in line for line in run.lines),
                 what="a raw table written")
    run.kill()

    assert published_state(root) == before
    assert raw_counts(root) == rows  # the batches in flight rolled back; the newest month re-ingested
    assert_next_run_starts_at_once(root)


def runs_dbt_build(pid: int) -> bool:
    """The process that runs the step's ``dbt build``: the dbt the runner started ahead (``--warm``,
    reverse_qe/dbt_child.py), or dbt exec'd by the step (its entry point as -c code)."""
    arguments = processes.arguments(pid)
    return "--warm" in arguments or ("dbt.cli.main" in " ".join(arguments) and "build" in arguments)


def test_kill_during_dbt_leaves_no_dbt_behind_and_the_next_run_starts_at_once(root):
    before = published_state(root)
    run = runner(root, "transform_and_publish")
    dbt = run.wait_for(lambda: next((pid for pid in descendants(run.proc.pid) if runs_dbt_build(pid)), None),
                       what="dbt process")
    run.wait_for(lambda: holds_file(dbt, warehouse(root)), what="dbt opening the warehouse")
    time.sleep(2)  # dbt is building, one model after another
    with pytest.raises(duckdb.IOException, match=f"PID {dbt}"):  # dbt holds the file throughout
        duckdb.connect(str(warehouse(root)))
    run.kill()

    deadline = time.monotonic() + 10
    while processes.alive(dbt) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not processes.alive(dbt), f"dbt (PID {dbt}) outlived the run that started it"
    assert published_state(root) == before
    assert_next_run_starts_at_once(root)


def test_kill_during_publish_keeps_the_published_copy_and_the_next_run_starts_at_once(root):
    before = published_state(root)
    folder = warehouse(root).parent
    publish = Started([str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m",
                       "orchestration.definitions", "--select", "published/warehouse"], isolated_env(root))
    publish.wait_for(lambda: list(folder.glob(".published.duckdb.*.tmp")), timeout=300,
                     what="the publish's temporary copy")
    publish.kill(group=True)  # the CLI and its step process

    assert published_state(root) == before
    assert_next_run_starts_at_once(root)


def test_a_lock_held_outside_the_pipeline_is_named_then_a_clear_failure_after_the_bound(root):
    before = published_state(root)
    with outside_lock(warehouse(root)) as analyst:
        code, out, seconds = run_next(root, RQE_LOCK_WAIT_S="2")
    assert code == 1, out[-3000:]
    assert f"PID {analyst.pid}" in out and "OUTSIDE the pipeline" in out and "published.duckdb" in out
    assert "gave up after" in out and "RQE_LOCK_WAIT_S=2" in out
    assert seconds < STARTUP_S  # one bounded wait, not retried by the step (30 s + 60 s more)
    assert published_state(root) == before


def test_a_lock_held_outside_when_dbt_starts_is_named_not_dbts_raw_error(root):
    before = published_state(root)
    with outside_lock(warehouse(root)) as analyst:
        run = runner(root, "transform_and_publish", RQE_LOCK_WAIT_S="2")
        code = run.proc.wait(timeout=600)
    out = "".join(run.lines)
    assert code == 1, out[-3000:]
    assert f"PID {analyst.pid}" in out and "OUTSIDE the pipeline" in out and "gave up after" in out
    assert "Runtime Error" not in out  # dbt never started, so never failed on the lock itself
    assert published_state(root) == before


def claimed_runs(root: Path) -> set[str]:
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(root / "dagster_home"))) as instance:
        return instance.event_log_storage.get_concurrency_info("warehouse").active_run_ids


def test_a_backfill_names_the_run_holding_the_slot_and_frees_it_when_that_run_is_killed(root):
    """The README's backfill command while another run holds the warehouse slot: `dagster asset
    materialize` waited without a word, and for ever once that run was killed."""
    holder = subprocess.Popen([sys.executable, str(SLOT_HOLDER), "600"], cwd=REPO, env=isolated_env(root))
    try:
        holder_run = Started.poll(lambda: next(iter(claimed_runs(root)), None), holder, what="the slot claimed")
        backfill = runner(root, "backfill", "--select", "raw/fred_observations", "--partition-range",
                          f"{LAST_WEEKS[0]}...{LAST_WEEKS[-1]}", RQE_LOCK_WAIT_S="600")
        said = backfill.wait_for(lambda: next((line for line in backfill.lines
                                               if "waiting for the 'warehouse' pool slot" in line), None),
                                 timeout=STARTUP_S, what="a named wait")
        assert f"run {holder_run}" in said and f"PID {holder.pid}" in said and SLOT_HOLDER.name in said, said
        holder.kill()
        holder.wait()
        code = backfill.proc.wait(timeout=STARTUP_S)
    finally:
        holder.kill()
        holder.wait()
    out = "".join(backfill.lines)
    assert code == 0, out[-3000:]
    assert f"released run {holder_run}" in out and "is gone" in out, out[-3000:]
    assert f"partition(s) {LAST_WEEKS[0]}..{LAST_WEEKS[-1]}" in out, out[-3000:]
    assert claimed_runs(root) == set()


def test_a_warehouse_that_is_not_duckdb_fails_at_once_and_is_left_as_it_is(tmp_path):
    path = warehouse(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"date,value\n2024-01-01,1\n" * 1000)  # e.g. a CSV saved under the wrong name
    code, out, seconds = run_next(tmp_path)
    assert code == 1
    assert "is not a DuckDB database file" in out and "not retried" in out, out[-3000:]
    assert seconds < STARTUP_S  # it used to retry each open ~100 s, then the step twice more
    assert path.read_bytes() == b"date,value\n2024-01-01,1\n" * 1000


def test_a_read_only_warehouse_folder_fails_at_once_naming_it(root):
    before = published_state(root)
    with read_only_folder(warehouse(root).parent):
        code, out, seconds = run_next(root)
    assert code == 1
    assert "cannot be written" in out and "not retried" in out, out[-3000:]
    assert seconds < STARTUP_S
    assert published_state(root) == before
