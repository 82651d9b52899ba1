"""Shared fixtures: an isolated warehouse, Dagster home and scenario per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DBT = str(Path(sys.executable).parent / "dbt")  # the dbt beside this interpreter
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


def run_demo(root: Path, **extra: str) -> PipelineRun:
    env = isolated_env(root, **extra)
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli"], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=900,
    )
    return PipelineRun(root, Path(env["RQE_WAREHOUSE"]), proc.returncode, proc.stdout + proc.stderr)


def copy_run(run: PipelineRun, root: Path) -> PipelineRun:
    """The files of a finished run under a new ``root``: its warehouse folder (published copy and
    Parquet links included) and a Dagster home holding its run history, so a test can run the
    pipeline again on top of it without touching the shared original."""
    shutil.copytree(run.root, root, symlinks=True, ignore=lambda folder, names: (
        ["dagster_home"] if Path(folder) == run.root else []), dirs_exist_ok=True)
    shutil.copytree(run.root / "dagster_home", dagster_home(root), dirs_exist_ok=True)
    return PipelineRun(root, root / run.warehouse.relative_to(run.root), run.returncode, run.output)


# Test files that use one session-scoped run below, by run. Under ``pytest -n 2 --dist loadfile``
# (``make test``) each such set of files goes to one worker, so the run is built once per session
# rather than once per worker; every other file is scheduled on its own, as loadfile does.
# (xdist's own ``loadgroup`` cannot do this under pytest 9: it renames node ids, which pytest 9
# no longer lets a plugin do, so its groups are silently ignored.)
SHARED_RUN_FILES = {
    "scenario_run": ("tests/dbt/test_dbt_unit_tests.py", "tests/e2e/test_capex_absorption_e2e.py",
                     "tests/e2e/test_chain_end_to_end.py", "tests/e2e/test_demo_checks_green.py",
                     "tests/e2e/test_deterministic_marts.py", "tests/e2e/test_incremental_quarters.py",
                     "tests/e2e/test_end_to_end.py", "tests/e2e/test_faults_runtime.py", "tests/e2e/test_published.py"),
    "replay_run": ("tests/e2e/test_replay.py", "tests/e2e/test_issuance_bad_input.py"),
}


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    run_of_file = {path: run for run, paths in SHARED_RUN_FILES.items() for path in paths}

    class SharedRunScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return run_of_file.get(path, path)

    return SharedRunScheduling(config, log)


@pytest.fixture(scope="session")
def scenario_run(tmp_path_factory) -> PipelineRun:
    """The demo path (``python -m orchestration.cli``) once on the scenario, shared by the e2e
    tests (read it only; :func:`copy_run` it to run again)."""
    run = run_demo(tmp_path_factory.mktemp("scenario_run"))
    assert run.returncode == 0, run.output[-4000:]
    return run


@pytest.fixture(scope="session")
def replay_run(tmp_path_factory) -> PipelineRun:
    """The replay path once over a copy of the hand-written downloads in tests/fixtures (the
    copy lives at ``root/replay``; read the run only, :func:`copy_run` it to run again)."""
    root = tmp_path_factory.mktemp("replay_run")
    shutil.copytree(FIXTURES, root / "replay")
    run = run_demo(root, RQE_SOURCE="replay", RQE_REPLAY_DIR=str(root / "replay"))
    assert run.returncode == 0, run.output[-4000:]
    return run
