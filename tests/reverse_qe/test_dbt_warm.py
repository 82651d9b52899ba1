"""A dbt started ahead (``reverse_qe/dbt_child.py --warm``, as the runner starts it): the step's
``dbt_child.py`` hands it its command with its own folder, environment and standard streams, gets
dbt's exit status once dbt has closed the warehouse, passes on SIGINT, and the warm dbt ends when
that caller is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from assets.resources import DBT_CHILD
from reverse_qe.dbt_child import WARM_ENV, run_in_warm


def probe_project(tmp_path: Path) -> Path:
    """A project whose warehouse path only the caller's environment names (PROBE_WAREHOUSE)."""
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: warm_probe\nversion: '1.0'\nprofile: warm_probe\n")
    (project / "profiles.yml").write_text(
        "warm_probe:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        "      path: \"{{ env_var('PROBE_WAREHOUSE') }}\"\n      threads: 1\n")
    (project / "models" / "answer.sql").write_text("select 42 as answer")
    (project / "models" / "broken.sql").write_text("select no_such_column from answer_missing")
    # minutes of counting, which DuckDB stops when dbt cancels its query
    (project / "models" / "slow.sql").write_text(
        "{{ config(materialized='table') }} select count(*) as n from range(1000000000000) t(i) where i % 7 = 3")
    return project


def start_warm(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    socket_path = tmp_path / "dbt.sock"
    env = {k: v for k, v in os.environ.items() if k not in ("PROBE_WAREHOUSE", WARM_ENV)}
    warm = subprocess.Popen([sys.executable, str(DBT_CHILD), "--warm", str(socket_path)], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not socket_path.exists():
        assert warm.poll() is None and time.monotonic() < deadline, "the warm dbt never listened"
        time.sleep(0.02)
    return warm, socket_path


def caller(project: Path, socket_path: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, WARM_ENV: str(socket_path), "PROBE_WAREHOUSE": str(project.parent / "probe.duckdb")}
    return subprocess.Popen([sys.executable, str(DBT_CHILD), *args, "--profiles-dir", ".", "--project-dir", "."],
                            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def taken(socket_path: Path, timeout: float = 60) -> None:
    """Wait until the warm dbt has taken a command (it removes its socket when it does)."""
    deadline = time.monotonic() + timeout
    while socket_path.exists():
        assert time.monotonic() < deadline, "the warm dbt never took the command"
        time.sleep(0.02)


def test_the_warm_dbt_runs_the_callers_command_where_and_as_the_caller_says_and_returns_its_status(tmp_path):
    project = probe_project(tmp_path)
    warm, socket_path = start_warm(tmp_path)
    run = caller(project, socket_path, "run", "--exclude", "slow")
    output, _ = run.communicate(timeout=300)
    assert run.returncode == 1, output[-2000:]  # one model failed: dbt's own exit status
    assert "answer_missing" in output  # dbt's output reached the caller's stdout
    assert warm.wait(timeout=30) == 1  # the warm dbt ran it, and ended: one command each
    assert not socket_path.exists()
    assert not (tmp_path / "probe.duckdb.wal").exists()  # the warehouse was closed before the status
    with duckdb.connect(str(tmp_path / "probe.duckdb"), read_only=True) as conn:
        assert conn.execute("select answer from answer").fetchone() == (42,)
    assert run_in_warm(str(socket_path), ["run"]) is None  # used: the next command starts dbt itself


def test_sigint_to_the_caller_stops_the_warm_dbt_and_its_status_is_the_callers(tmp_path):
    project = probe_project(tmp_path)
    warm, socket_path = start_warm(tmp_path)
    run = caller(project, socket_path, "run", "--select", "slow")
    taken(socket_path)
    time.sleep(3)  # dbt parses and starts the slow model
    started = time.monotonic()
    run.send_signal(signal.SIGINT)  # what dagster-dbt sends to stop dbt
    output, _ = run.communicate(timeout=60)
    assert time.monotonic() - started < 60  # stopped, not left to count for minutes
    assert run.returncode != 0 and run.returncode == warm.wait(timeout=30), output[-2000:]


def test_the_warm_dbt_ends_when_its_caller_is_killed(tmp_path):
    project = probe_project(tmp_path)
    warm, socket_path = start_warm(tmp_path)
    run = caller(project, socket_path, "run", "--select", "slow")
    taken(socket_path)
    run.kill()  # as when the run that started it is killed: no signal reaches the warm dbt
    run.wait(timeout=30)
    assert warm.wait(timeout=10) == -signal.SIGKILL
