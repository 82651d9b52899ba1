"""Opening the warehouse: a lock held by another process is waited for, boundedly and saying who
holds it; anything else fails at once with its cause (real DuckDB files, real processes)."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from reverse_qe.ingest import is_transient
from reverse_qe.settings import lock_wait_s
from reverse_qe.warehouse_open import (
    WarehouseLocked,
    WarehouseOpenError,
    lock_holder,
    open_warehouse,
)
from tests.faults import outside_lock, read_only_folder


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "dagster_dbt_data" / "reverse_qe.duckdb"  # a path naming them makes no holder the pipeline's
    path.parent.mkdir()
    with duckdb.connect(str(path)) as conn:
        conn.execute("create table t as select 42 as answer")
    return path


def test_a_lock_held_outside_the_pipeline_is_waited_for_boundedly_naming_holder_and_published_copy(warehouse):
    said = []
    with outside_lock(warehouse) as analyst:
        started = time.monotonic()
        with pytest.raises(WarehouseLocked) as err:
            open_warehouse(warehouse, wait_s=2.5, report=said.append)
        waited = time.monotonic() - started
    assert 2.5 <= waited < 5
    message = str(err.value)
    assert f"PID {analyst.pid}" in message and "OUTSIDE the pipeline" in message
    assert str(warehouse.parent / "published.duckdb") in message and "RQE_LOCK_WAIT_S=2.5" in message
    assert len(said) == 1 and f"PID {analyst.pid}" in said[0]  # said at once, not after 30 s
    assert not is_transient(err.value)  # already waited: the step's retry policy must not wait again


def test_a_lock_released_during_the_wait_lets_the_open_through(warehouse):
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               "c = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(1.5)",
                               str(warehouse)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    said = []
    with open_warehouse(warehouse, wait_s=30, report=said.append) as conn:
        assert conn.execute("select answer from t").fetchone() == (42,)
    holder.wait()
    assert said and "waiting for the warehouse lock" in said[0]


def test_dbt_through_its_wrapper_is_a_pipeline_process(tmp_path):
    path = tmp_path / "reverse_qe.duckdb"
    duckdb.connect(str(path)).close()
    code = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(60)"
    # what reverse_qe/dbt_child.py execs: the interpreter with dbt's entry point as -c code
    dbt_like = subprocess.Popen([sys.executable, "-c", f"import dbt.cli.main  # {code}\n{code}", str(path)],
                                stdout=subprocess.PIPE, text=True)
    try:
        assert dbt_like.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseLocked) as err:
            open_warehouse(path, wait_s=0, report=lambda _: None)
    finally:
        dbt_like.kill()
        dbt_like.wait()
    assert "a process of the pipeline" in str(err.value) and "OUTSIDE" not in str(err.value)


def test_a_pipeline_process_holding_the_lock_is_named_as_one():
    holder = lock_holder('IO Error: Could not set lock on file "/x.duckdb": Conflicting lock is held in '
                         '/venv/bin/python3 (PID 999999999). See also https://duckdb.org')
    assert holder.pid == 999999999 and holder.command == "/venv/bin/python3"  # gone: DuckDB's own name
    assert not holder.in_pipeline
    assert lock_holder("IO Error: Cannot open file") is None


@pytest.mark.parametrize("content", [b"", b"id,value\n1,2\n" * 100])
def test_a_file_that_is_not_duckdb_fails_at_once_with_the_cause(tmp_path, content):
    path = tmp_path / "reverse_qe.duckdb"
    path.write_bytes(content)
    started = time.monotonic()
    with pytest.raises(WarehouseOpenError) as err:
        open_warehouse(path, wait_s=60)
    assert time.monotonic() - started < 1
    assert "is not a DuckDB database file" in str(err.value) and "not retried" in str(err.value)
    assert not is_transient(err.value)


def test_a_missing_folder_fails_at_once_naming_it(tmp_path):
    with pytest.raises(WarehouseOpenError, match=f"the folder {tmp_path / 'nowhere'} does not exist"):
        open_warehouse(tmp_path / "nowhere" / "reverse_qe.duckdb", wait_s=60)


def test_a_read_only_folder_fails_at_open_not_at_the_first_commit(warehouse):
    with read_only_folder(warehouse.parent):
        started = time.monotonic()
        with pytest.raises(WarehouseOpenError, match="cannot be written"):
            open_warehouse(warehouse, wait_s=60)
        assert time.monotonic() - started < 1
        with open_warehouse(warehouse, read_only=True) as conn:  # reading it still works
            assert conn.execute("select answer from t").fetchone() == (42,)


def test_lock_wait_bound_from_env():
    assert lock_wait_s({}) == 300
    assert lock_wait_s({"RQE_LOCK_WAIT_S": "7.5"}) == 7.5
    with pytest.raises(ValueError, match="RQE_LOCK_WAIT_S"):
        lock_wait_s({"RQE_LOCK_WAIT_S": "soon"})
