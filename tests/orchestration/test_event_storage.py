"""The runner's event log: Dagster's SQLite files, written with one engine per database and
synchronous=NORMAL, and read back by Dagster's own class (the UI's and the daemon's)."""

from __future__ import annotations

import os
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


# A single run over 2024's twelve months, as an ingestion job's ranged run is tagged.
YEAR_RANGE = {"dagster/asset_partition_range_start": "2024-01-01", "dagster/asset_partition_range_end": "2024-12-01"}


def monthly_asset_with_check():
    """A month-partitioned asset over 2024, run as a single-run backfill, and a check on it."""
    from dagster import AssetCheckResult, BackfillPolicy, MonthlyPartitionsDefinition, asset, asset_check

    months = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2025-01-01")

    @asset(partitions_def=months, backfill_policy=BackfillPolicy.single_run())
    def monthly() -> None:
        """No output to store: only the events."""

    @asset_check(asset=monthly)
    def monthly_has_rows():
        return AssetCheckResult(passed=True)

    return monthly, monthly_has_rows


def partitioned_job_events(instance, fail_index_once: bool = False):
    """A single-run backfill of a month-partitioned asset with a check over 2024's twelve months,
    as an ingestion job runs; returns what the instance then says of it."""
    from dagster import DagsterEventType, EventRecordsFilter, materialize

    monthly, monthly_has_rows = monthly_asset_with_check()
    result = materialize([monthly, monthly_has_rows], instance=instance, tags=YEAR_RANGE)
    assert result.success

    def count(kind):
        return len(instance.get_event_records(EventRecordsFilter(event_type=kind, asset_key=monthly.key)))

    run_kinds = sorted(str(e.dagster_event_type) for e in instance.all_logs(result.run_id) if e.is_dagster_event)
    return {
        "partitions": sorted(instance.get_materialized_partitions(monthly.key)),
        "materialized": count(DagsterEventType.ASSET_MATERIALIZATION),
        "planned": count(DagsterEventType.ASSET_MATERIALIZATION_PLANNED),
        "check": instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [monthly_has_rows.check_key])[monthly_has_rows.check_key].status.value,
        "run_events": run_kinds,
    }


def test_a_batch_of_asset_events_is_stored_as_dagster_stores_them_one_by_one(home, tmp_path_factory, monkeypatch):
    batches = []  # (events, databases opened while storing them)
    store_batch, engine = QuickCommitSqliteEventLogStorage.store_event_batch, QuickCommitSqliteEventLogStorage._engine

    def counted_batch(self, events):
        opened = []
        monkeypatch.setattr(self, "_engine", lambda shard: opened.append(shard) or engine(self, shard))
        try:
            store_batch(self, events)
        finally:
            monkeypatch.delattr(self, "_engine")
        batches.append((len(events), len(opened)))

    monkeypatch.setattr(QuickCommitSqliteEventLogStorage, "store_event_batch", counted_batch)
    monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE", raising=False)
    with runner_instance() as instance:
        batched = partitioned_job_events(instance)

    other = tmp_path_factory.mktemp("dagsters_own")
    (other / "dagster.yaml").write_text((REPO / ".dagster_home" / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "0")  # Dagster's default: every event on its own
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(other))) as dagsters:
        one_by_one = partitioned_job_events(dagsters)

    assert batched == one_by_one
    assert batched["materialized"] == batched["planned"] == len(batched["partitions"]) == 12
    # the twelve materialisations: one transaction on the run's database and one on the index
    assert (12, 2) in batches, batches


def test_a_batch_that_fails_midway_is_rolled_back_and_stored_once_event_by_event(home, monkeypatch):
    from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage

    store_asset_event, failed = SqlEventLogStorage._store_asset_event, []

    def fails_once(self, conn, event, event_id):
        if getattr(self._batch, "connections", None) is not None and not failed:
            store_asset_event(self, conn, event, event_id)  # written, then rolled back with the batch
            failed.append(event_id)
            raise RuntimeError("the disk filled up")
        return store_asset_event(self, conn, event, event_id)

    monkeypatch.setattr(SqlEventLogStorage, "_store_asset_event", fails_once)
    monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE", raising=False)
    with runner_instance() as instance:
        events = partitioned_job_events(instance)
    assert failed
    assert events["materialized"] == events["planned"] == len(events["partitions"]) == 12


def test_the_asset_tables_columns_are_read_once_not_before_each_asset_event(home, monkeypatch):
    from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage

    asked, reflect = [], SqlEventLogStorage._has_asset_key_index_cols_on_connection  # a PRAGMA and a reflection

    def noted(self, conn):
        asked.append(1)
        return reflect(self, conn)

    monkeypatch.setattr(SqlEventLogStorage, "_has_asset_key_index_cols_on_connection", noted)
    monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE", raising=False)
    with runner_instance() as instance:
        events = partitioned_job_events(instance)
    assert events["materialized"] == events["planned"] == 12  # Dagster's own class asks before each: 24
    assert len(asked) == 1


def recorded_events(instance) -> list[EventLogEntry]:
    """Every event of two rounds of two runs, as Dagster's own storage stored them one by one: a
    month-partitioned asset over a year with a check, and two unpartitioned ones, one with a
    failing check; the second round updates the asset rows the first one made."""
    from dagster import AssetCheckResult, asset, asset_check, materialize

    monthly, monthly_has_rows = monthly_asset_with_check()

    @asset
    def whole() -> None:
        """Unpartitioned."""

    @asset
    def beside() -> None:
        """Planned in the same batch as ``whole``: two assets new to the index at once."""

    @asset_check(asset=whole)
    def whole_is_wrong():
        return AssetCheckResult(passed=False, metadata={"rows": 3})

    run_ids = []
    for _ in range(2):
        for assets in ([monthly, monthly_has_rows], [whole, beside, whole_is_wrong]):
            result = materialize(assets, instance=instance, tags=YEAR_RANGE if monthly in assets else None,
                                 raise_on_error=False)
            run_ids.append(result.run_id)
    return [event for run_id in run_ids for event in instance.all_logs(run_id)]


def as_batches(events: list[EventLogEntry]) -> list[tuple[bool, list[EventLogEntry]]]:
    """The events as Dagster hands them to a storage with batching on, each as (a batch?, events):
    each stretch of events it may batch, of one run, as one batch; every other event alone. One
    more batch interleaves the partitioned asset's planned events with its materialisations, so
    one asset's row is written by two kinds of event in turn."""
    from dagster._core.events import BATCH_WRITABLE_EVENTS, DagsterEventType

    batches: list[tuple[bool, list[EventLogEntry]]] = []
    for event in events:
        writable = event.is_dagster_event and event.dagster_event_type in BATCH_WRITABLE_EVENTS
        if writable and batches and batches[-1][0] and batches[-1][1][-1].run_id == event.run_id:
            batches[-1][1].append(event)
        else:
            batches.append((writable, [event]))
    first = events[0].run_id
    kinds = (DagsterEventType.ASSET_MATERIALIZATION_PLANNED, DagsterEventType.ASSET_MATERIALIZATION)
    planned, done = ([e for e in events if e.run_id == first and e.is_dagster_event and e.dagster_event_type == kind
                      and e.dagster_event.asset_key.path == ["monthly"]] for kind in kinds)
    assert len(planned) == len(done) == 12
    batches.append((True, [event for pair in zip(planned, done) for event in pair]))
    return batches


def every_row(base_dir) -> dict[str, list[tuple]]:
    """Each table of each database under ``base_dir``, its rows in id order, without the columns
    SQLite fills with the time of the insert."""
    import sqlite3

    tables = {}
    for path in sorted(base_dir.glob("*.db")):
        with sqlite3.connect(path) as conn:
            for (table,) in conn.execute("select name from sqlite_master where type = 'table' order by name"):
                columns = [c[1] for c in conn.execute(f'pragma table_info("{table}")')
                           if c[1] not in ("create_timestamp", "update_timestamp", "migration_completed")]
                listed = ", ".join(f'"{c}"' for c in columns)
                tables[f"{path.name}:{table}"] = conn.execute(f'select {listed} from "{table}" order by 1').fetchall()
    return tables


def test_batches_written_in_bulk_leave_every_table_as_dagster_leaves_it_event_by_event(tmp_path, monkeypatch):
    """The same events, stored by Dagster's own class one at a time and by this one in Dagster's
    batches, leave the same rows (ids, serialised events, tags, each asset's last events, the
    checks' planned and evaluated executions) in the run databases and the index."""
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "0")
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "dagster.yaml").write_text((REPO / ".dagster_home" / "dagster.yaml").read_text())
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path / "source"))) as source:
        events = recorded_events(source)
    batches = as_batches(events)
    events = [event for _, batch in batches for event in batch]
    assert sum(len(batch) > 1 for _, batch in batches) >= 5, [len(batch) for _, batch in batches]

    original, bulk = QuickCommitSqliteEventLogStorage._store_in_bulk, []

    def counted(self, batch):
        bulk.append(len(batch))
        return original(self, batch)

    monkeypatch.setattr(QuickCommitSqliteEventLogStorage, "_store_in_bulk", counted)
    dagsters = SqliteEventLogStorage(str(tmp_path / "dagsters"))
    for event in events:
        dagsters.store_event(event)
    ours = QuickCommitSqliteEventLogStorage(str(tmp_path / "ours"))
    for is_batch, batch in batches:
        if is_batch:
            ours.store_event_batch(batch)
        else:
            ours.store_event(*batch)
    dagsters.dispose()
    ours.dispose()

    assert bulk == [len(batch) for is_batch, batch in batches if is_batch]  # none fell back
    theirs, mine = every_row(tmp_path / "dagsters"), every_row(tmp_path / "ours")
    assert mine.keys() == theirs.keys()
    for table in theirs:
        assert mine[table] == theirs[table], table
    assert len(theirs["index.db:asset_keys"]) == 3
    assert len(theirs["index.db:asset_event_tags"]) >= 24  # the partitions' tags
    status = 5  # asset_check_executions' execution_status, once its create_timestamp is left out
    assert {row[status] for row in theirs["index.db:asset_check_executions"]} == {"PLANNED", "SUCCEEDED", "FAILED"}


def test_the_index_keeps_one_connection_and_a_forked_child_opens_its_own(home):
    """The cross-run index is written at every asset and check event: its connection is kept (the
    runs' own databases still connect per event, for the UI's file watcher). A forked child (the
    report's plots) must not use its parent's SQLite connection."""
    def index_connection(storage):
        with storage.index_connection() as conn:
            assert conn.exec_driver_sql("select count(*) from event_logs").scalar() >= 0
            return conn.connection.dbapi_connection

    with runner_instance() as instance:
        storage = instance.event_log_storage
        first = index_connection(storage)
        assert index_connection(storage) is first
        with storage.run_connection("run-a") as conn:
            run_db = conn.connection.dbapi_connection
        with storage.run_connection("run-a") as conn:
            assert conn.connection.dbapi_connection is not run_db  # per event, as before
        child = os.fork()
        if child == 0:
            try:
                own = index_connection(storage)
                status = 0 if own is not first and index_connection(storage) is own else 3
            except BaseException:
                status = 4
            os._exit(status)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert index_connection(storage) is first
        storage.store_event(entry("run-a", 0))
        with storage.index_connection() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
