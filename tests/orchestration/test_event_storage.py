"""The runner's event log: Dagster's SQLite files, written with one engine per database and
synchronous=NORMAL, and read back by Dagster's own class (the UI's and the daemon's)."""

from __future__ import annotations

import time

import pytest
from dagster import DagsterInstance
from dagster._core.events.log import EventLogEntry
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log import SqliteEventLogStorage

from orchestration.event_storage import (
    ENGINES_KEPT,
    QuickCommitSqliteEventLogStorage,
    runner_instance,
)
from tests.conftest import REPO


def entry(run_id: str, i: int) -> EventLogEntry:
    return EventLogEntry(error_info=None, level=20, user_message=f"message {i}", run_id=run_id, timestamp=time.time())


@pytest.fixture
def home(tmp_path, monkeypatch):
    (tmp_path / "dagster.yaml").write_text((REPO / ".dagster_home" / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    return tmp_path


def test_the_runner_writes_what_dagsters_own_storage_reads(home):
    with runner_instance() as instance:
        storage = instance.event_log_storage
        assert type(storage) is QuickCommitSqliteEventLogStorage
        for i in range(30):
            storage.store_event(entry("run-a", i))
        storage.store_event(entry("run-b", 0))
        assert list(storage._engines) == ["index", "run-a", "run-b"]  # one engine per database, kept
        with storage.run_connection("run-a") as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL is 2)
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as dagsters:
        assert type(dagsters.event_log_storage) is SqliteEventLogStorage
        assert [e.user_message for e in dagsters.all_logs("run-a")] == [f"message {i}" for i in range(30)]
        assert (home / "history" / "runs" / "run-a.db").exists()


def test_engines_beyond_the_bound_are_let_go(home):
    with runner_instance() as instance:
        storage = instance.event_log_storage
        for i in range(20):
            storage.store_event(entry(f"run-{i}", 0))
        assert list(storage._engines) == [f"run-{i}" for i in range(20 - ENGINES_KEPT, 20)]
        assert [e.user_message for e in instance.all_logs("run-0")] == ["message 0"]  # reopened


def test_an_instance_with_its_own_storage_is_opened_as_it_is(home):
    (home / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {home / 'elsewhere'}\n")
    with runner_instance() as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
