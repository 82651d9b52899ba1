"""Ending a finished process without Python's teardown (reverse_qe/process_exit.py): the exit code,
the atexit handlers and the buffered output stay what ``sys.exit`` gives; dbt through its wrapper
still closes the warehouse (no write-ahead log left) and reports its failures by its exit code."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from assets.resources import DBT_CHILD
from reverse_qe.settings import REPO_ROOT
from tests.dbt_probe import probe_project

SCRIPT = textwrap.dedent("""
    import atexit, pathlib, sys, threading, time
    sys.path.insert(0, {repo!r})
    from reverse_qe.process_exit import run_then_exit
    out = pathlib.Path({out!r})

    class Teardown:  # freed only by the interpreter's finalisation
        def __del__(self):
            (out / "teardown").write_text("ran")

    kept = Teardown()
    atexit.register(lambda: (out / "atexit").write_text("ran"))
    sys.stdout.write("buffered, no newline")  # a pipe: block-buffered until flushed

    def main():
        {body}

    if sys.argv[1] == "sys.exit":
        sys.exit(main())
    run_then_exit(main)
""")


def run_script(tmp_path: Path, body: str, ending: str) -> subprocess.CompletedProcess:
    script = SCRIPT.format(repo=str(REPO_ROOT), out=str(tmp_path), body=body)
    return subprocess.run([sys.executable, "-c", script, ending], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("body, code, stderr", [
    ("return 0", 0, ""),
    ("return None", 0, ""),
    ("return 3", 3, ""),
    ("sys.exit(4)", 4, ""),
    ("return 'orchestration.cli: no job x'", 1, "orchestration.cli: no job x"),
])
def test_the_exit_keeps_the_code_the_output_and_the_atexit_handlers(tmp_path, body, code, stderr):
    ran = run_script(tmp_path, body, "run_then_exit")
    assert (ran.returncode, ran.stdout, ran.stderr.strip()) == (code, "buffered, no newline", stderr)
    assert (tmp_path / "atexit").read_text() == "ran"
    assert not (tmp_path / "teardown").exists()  # the finalisation was skipped


def test_sys_exit_runs_the_teardown_the_quick_exit_skips(tmp_path):
    """The marker above means something: Python's own exit frees the object and runs its __del__."""
    ran = run_script(tmp_path, "return 0", "sys.exit")
    assert ran.returncode == 0
    assert (tmp_path / "teardown").read_text() == "ran"


def test_an_exception_ends_the_process_as_it_would(tmp_path):
    ran = run_script(tmp_path, "raise RuntimeError('the source failed')", "run_then_exit")
    assert ran.returncode == 1
    assert "RuntimeError: the source failed" in ran.stderr and "Traceback" in ran.stderr


def test_a_thread_still_running_is_waited_for(tmp_path):
    body = ("threading.Thread(target=lambda: (time.sleep(0.5), (out / 'thread').write_text('done'))).start(); "
            "return 0")
    ran = run_script(tmp_path, body, "run_then_exit")
    assert ran.returncode == 0
    assert (tmp_path / "thread").read_text() == "done"


def test_dbt_through_its_wrapper_reports_failure_and_closes_the_warehouse(tmp_path):
    project = probe_project(tmp_path / "project", "exit_probe", str(tmp_path / "probe.duckdb"), {
        "answer": "select 42 as answer", "broken": "select no_such_column from answer_missing"})
    ran = subprocess.run([sys.executable, str(DBT_CHILD), "run", "--profiles-dir", str(project),
                          "--project-dir", str(project)], cwd=project, capture_output=True, text=True,
                         timeout=300)
    assert ran.returncode == 1, ran.stdout[-2000:]  # one model failed: dbt's own exit code
    assert "answer_missing" in ran.stdout
    assert not (tmp_path / "probe.duckdb.wal").exists()  # dbt's atexit closed DuckDB (a checkpoint)
    with duckdb.connect(str(tmp_path / "probe.duckdb"), read_only=True) as conn:
        assert conn.execute("select answer from answer").fetchone() == (42,)
