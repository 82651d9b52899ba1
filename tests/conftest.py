"""Shared fixtures: an isolated warehouse, Dagster home and scenario per test session."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from assets.resources import DBT_CHILD
from reverse_qe.settings import DBT_FILE_LOG

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# dbt as the pipeline runs it: through reverse_qe/dbt_child.py, which runs the dbt of the interpreter
# RQE_DBT_PYTHON names (this one), its loggers building only the lines and messages they keep, with
# the pipeline's file log (text at info). With that file log, a dbt run of the scenario's models
# builds no message for its SQL statements' debug events, ~12% of dbt's time (docs/design_notes.md).
DBT = str(DBT_CHILD)
os.environ.setdefault("RQE_DBT_PYTHON", sys.executable)
for _name, _value in DBT_FILE_LOG.items():
    os.environ.setdefault(_name, _value)
SCENARIO_END = "2026-11-20"  # fixed, so every assertion on the scenario is reproducible


RAM_DIR = Path("/dev/shm")
_RAM_HOMES: list[Path] = []  # made by this process (each xdist worker has its own)


def dagster_home(root: Path) -> Path:
    """``root/dagster_home``: where it is the first time, a link to a fresh folder in RAM when the
    machine has one.

    Dagster's SQLite storage opens, writes and commits (an fsync) twice for every asset event, and
    a full run logs ~3,700 of them (one per partition of each asset, planned and materialised). On
    this machine's disk a commit costs ~4 ms against ~0.5 ms in RAM, which is most of a run's time
    under test. The pipeline is the same; only where Dagster keeps its run history changes.
    """
    home = root / "dagster_home"
    if not home.exists():
        if RAM_DIR.is_dir() and os.access(RAM_DIR, os.W_OK):
            home.parent.mkdir(parents=True, exist_ok=True)
            _RAM_HOMES.append(Path(tempfile.mkdtemp(prefix="rqe-dagster-home-", dir=RAM_DIR)))
            home.symlink_to(_RAM_HOMES[-1])
        else:
            home.mkdir(parents=True)
    return home


@pytest.fixture(scope="session", autouse=True)
def _remove_ram_homes():
    """The RAM folders behind this process's ``dagster_home`` links go when the session ends."""
    yield
    for folder in _RAM_HOMES:
        shutil.rmtree(folder, ignore_errors=True)


def isolated_env(root: Path, **extra: str) -> dict[str, str]:
    """Environment for a pipeline process whose every file lives under ``root``."""
    home = dagster_home(root)
    shutil.copy(REPO / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "RQE_WAREHOUSE": str(root / "warehouse" / "reverse_qe.duckdb"),
        "RQE_LANDING_DIR": str(root / "landing"),
        "RQE_SCENARIO_END": SCENARIO_END,
        "RQE_SOURCE": "scenario",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "False",
    }
    env.update(extra)
    return env


@dataclass
class PipelineRun:
    root: Path
    warehouse: Path
    returncode: int
    output: str

    @property
    def scenario_dir(self) -> Path:
        return self.warehouse.parent / "scenario"


def run_demo(root: Path, *jobs: str, **extra: str) -> PipelineRun:
    """``python -m orchestration.cli [jobs]`` (every job when none is named) on files under ``root``."""
    env = isolated_env(root, **extra)
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *jobs], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=900,
    )
    return PipelineRun(root, Path(env["RQE_WAREHOUSE"]), proc.returncode, proc.stdout + proc.stderr)


def run_dbt(command: str, warehouse: Path, target: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """``dbt <command> *args`` as the pipeline runs it (:data:`DBT`), from ``dbt_project/``, on the
    DuckDB file ``warehouse``, its artefacts under ``target``; the caller judges the outcome."""
    return subprocess.run([DBT, command, "--profiles-dir", ".", "--target-path", str(target), *args],
                          cwd=REPO / "dbt_project", capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "RQE_WAREHOUSE": str(warehouse), "DO_NOT_TRACK": "1"})


def copy_run(run: PipelineRun, root: Path) -> PipelineRun:
    """The files of a finished run under a new ``root``: its warehouse folder (published copy and
    Parquet links included) and a Dagster home holding its run history, so a test can run the
    pipeline again on top of it without touching the shared original."""
    shutil.copytree(run.root, root, symlinks=True, ignore=lambda folder, names: (
        ["dagster_home"] if Path(folder) == run.root else []), dirs_exist_ok=True)
    shutil.copytree(run.root / "dagster_home", dagster_home(root), dirs_exist_ok=True)
    return PipelineRun(root, root / run.warehouse.relative_to(run.root), run.returncode, run.output)


def session_dir(tmp_path_factory) -> Path:
    """The folder all processes of this test session share: under xdist, the parent of each
    worker's base temp (one per session, which the controller made); otherwise the base temp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_run(tmp_path_factory, name: str, build) -> PipelineRun:
    """``build(root)`` once per test session, whichever xdist worker asks first; a worker asking
    while it is being built waits for it (a file lock), then every worker reads the same files.

    The run's Dagster home leaves RAM once it is built (a real folder in its place), so it
    outlives the worker that built it: :func:`copy_run` copies it back into RAM for a test that
    runs the pipeline again."""
    folder = session_dir(tmp_path_factory)
    done = folder / f"{name}.json"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        if not done.exists():
            run = build(folder / name)
            home = run.root / "dagster_home"
            if home.is_symlink():
                ram = home.resolve()
                home.unlink()
                shutil.copytree(ram, home)
                shutil.rmtree(ram)
            done.write_text(json.dumps({"warehouse": str(run.warehouse), "returncode": run.returncode,
                                        "output": run.output}))
    saved = json.loads(done.read_text())
    return PipelineRun(folder / name, Path(saved["warehouse"]), saved["returncode"], saved["output"])


# Files that run the pipeline or dbt, the longest first. ``make test`` (``-n 2 --dist loadfile``)
# hands them out in this order, so no long file starts last while the other worker idles; the
# first two go one to each worker, and neither waits for a shared run the other is building.
# Every other file follows, in xdist's order (most tests first). The figures: CPU seconds (this
# process and its children, ``resource.getrusage`` around each test, 2026-12-03) where measured,
# otherwise idle wall seconds from the last clean-clone run; a shared run's build counts in the
# file that asks for it first, which this order makes the first file below using it. From
# test_recovery.py on, CPU seconds of 2026-12-05 (`tests/cpu_profile.py`): without them the suite
# ended on one worker running test_quarter_key_tests.py while the other idled.
LONGEST_FIRST = (
    "tests/e2e/test_faults_runtime.py",  # builds scenario_run (~110 s wall), then a run or two per fault
    "tests/real/test_real_pipeline.py",  # two runs over the real corpus (79 + 73 s wall)
    "tests/e2e/test_replay.py",  # builds replay_run (75 s CPU), then its ingestion jobs again (21 s CPU)
    "tests/e2e/test_published.py",  # a weekday a week later beside a reader (102 s wall)
    "tests/e2e/test_runs_timeline.py",  # a run on a copy of scenario_run, then `make dev` and a browser
    "tests/e2e/test_bad_inputs.py",  # 103 s CPU: ~60 raw assets in-process
    "tests/live/test_live_job.py",  # two runs of the live job (54 s wall)
    "tests/e2e/test_deterministic_marts.py",  # dbt run over the scenario (36 s wall)
    "tests/e2e/test_incremental_quarters.py",  # four dbt runs on a copy of scenario_run (73 s CPU, 77 s wall at load 4)
    "tests/orchestration/test_recovery.py",  # 22 s CPU: runs and a runner against a held slot
    "tests/reverse_qe/test_dbt_warm.py",  # 19 s CPU: dbt started, signalled and stopped nine times
    "tests/dbt/test_chain_properties.py",  # 17 s CPU
    "tests/e2e/test_quarter_key_tests.py",  # 16 s CPU: dbt runs on a copy of scenario_run
    "tests/real/test_real_corpus.py",  # 15 s CPU
    "tests/assets/test_partitions.py",  # 12 s CPU: a CLI backfill of a range
    "tests/reverse_qe/test_log_level_first.py",  # 11 s CPU: three dbt calls
    "tests/e2e/test_issuance_bad_input.py",  # two runs that fail at ingest (10 s CPU)
    "tests/dbt/test_absorption_sql_properties.py",  # 10 s CPU
    "tests/reverse_qe/reports/test_report_page.py",  # 9 s CPU
    "tests/dbt/test_dbt_unit_tests.py",  # 8 s CPU
    "tests/assets/test_duckdb_memory_limit.py",  # 5 s CPU
)


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LongestFirstScheduling(LoadScopeScheduling):
        """loadfile (one file's tests on one worker) with LONGEST_FIRST at the head of the queue. A
        worker whose only tests left are a long file's last ones (it needs its next test before it
        runs the last) is handed the lightest file rather than the next long one, which goes to the
        worker that frees up first."""

        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return nodeid.split("::", 1)[0]

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the first call: the queue is complete, nothing handed out yet
                rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
                queue = sorted(self.workqueue.items(), key=lambda item: rank.get(item[0], len(rank)))
                self.workqueue.clear()
                self.workqueue.update(queue)
                self.ordered = True
            busy_with_a_long_file = any(scope in LONGEST_FIRST and not all(done.values())
                                        for scope, done in self.assigned_work.get(node, {}).items())
            if busy_with_a_long_file:
                self.workqueue.move_to_end(next(reversed(self.workqueue)), last=False)
            super()._assign_work_unit(node)

    return LongestFirstScheduling(config, log)


@pytest.fixture(scope="session")
def scenario_run(tmp_path_factory) -> PipelineRun:
    """The demo path (``python -m orchestration.cli``) once on the scenario, shared by the e2e
    tests of every worker (read it only, its warehouse read-only; :func:`copy_run` it to run again)."""
    run = shared_run(tmp_path_factory, "scenario_run", run_demo)
    assert run.returncode == 0, run.output[-4000:]
    return run


def _replay_fixtures(root: Path) -> PipelineRun:
    shutil.copytree(FIXTURES, root / "replay")
    return run_demo(root, RQE_SOURCE="replay", RQE_REPLAY_DIR=str(root / "replay"))


@pytest.fixture(scope="session")
def replay_run(tmp_path_factory) -> PipelineRun:
    """The replay path once over a copy of the hand-written downloads in tests/fixtures (the
    copy lives at ``root/replay``; read the run only, :func:`copy_run` it to run again)."""
    run = shared_run(tmp_path_factory, "replay_run", _replay_fixtures)
    assert run.returncode == 0, run.output[-4000:]
    return run
