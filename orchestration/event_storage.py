"""Dagster's SQLite event log, with the per-event costs that are not needed taken out.

A full run logs ~4,700 events (one per partition of each asset, planned and materialised), and
Dagster's ``SqliteEventLogStorage`` writes each through ``_connect``, which builds a new SQLAlchemy
engine every time (~5 per event: the run's database, then the cross-run index) and commits with
SQLite's default ``synchronous=FULL``, an fsync per commit. A profile of one demo on this
machine's disk (under cProfile, at a load of ~8) put 129 s of its 997 s in ``sqlite3.commit`` and
33 s in ``create_engine``; without the profiler, a demo took 126-129 s with this class against
135-143 s with Dagster's (two interleaved pairs, README "Dagster's run history").

This storage keeps one engine per database file and sets ``synchronous=NORMAL`` on each connection.
A run's own database is still connected per event (``NullPool``: no connection outlives its
transaction, so the webserver's file watcher, which watches that file, sees it change when the
connection closes). The cross-run index, which no watcher follows, keeps one connection for the
process (``StaticPool``); a forked child forgets it unclosed (``_forget_kept_connections``). A full
scale-1 run connects to the index ~2,100 times outside batches (every dbt node's check and
materialisation, the staleness queries): 4.26 s of the run per event, 1.55 s on the kept connection
(2026-12-05, one instrumented run each). The databases are already in WAL mode (Dagster sets it),
where SQLite documents NORMAL as safe from corruption: a power cut may lose the last events, an
application crash loses none. It also stores each batch of events Dagster hands over (a partitioned
step's materialisations, a run's planned events) in one transaction per database, through Dagster's
own per-event code (:meth:`QuickCommitSqliteEventLogStorage.store_event_batch`), and remembers
which tables exist, and that the asset table has its index columns, instead of asking SQLite before
each asset event. One demo with its history on disk (2026-12-03, idle): the three ingestion jobs
took 73 s before the batches, 37 s with a first version that wrote asset events only in batches,
and 30 s with this one; the whole demo 134, 103 and 94 s.

Such a batch is written in bulk (:meth:`QuickCommitSqliteEventLogStorage._store_in_bulk`): the same
rows Dagster's per-event code writes, ids included, in a handful of statements for the batch
rather than three to six per event, each compiled by SQLAlchemy anew. Storing the batches had
been ~7.5 s of a full scale-1 run's ~47 s in this process (``py-spy``), ~4.7 s of it the planned
events at each run's start; with the bulk writes the runs' set-up went from 5.1 to 2.8 s
(2026-12-05, 3 alternating rounds). Everything else is Dagster's own class.

The runner (``orchestration.cli``, and so ``make demo``, ``make real``, ``make live``) opens the
instance with :func:`runner_instance`, which uses this storage where the instance would use Dagster's
default SQLite one. The files are the same, so the webserver and the daemon read and write them with
Dagster's own class, as do the runs they launch.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster._check as check
import yaml
from dagster import DagsterInstance
from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS, BATCH_WRITABLE_EVENTS, DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable, SqlEventLogStorageTable
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.pool import NullPool, StaticPool

# Events Dagster buffers before handing them over as one batch; a step's batch ends with its last
# materialisation anyway, so this only caps the buffer (a backfill of the whole daily history is
# ~3,200 days of one asset).
EVENT_BATCH_SIZE = 1000
ENGINES_KEPT = 16  # the index and the runs this process writes or reads (a few); more are let go
MIRRORED_IN_THE_INDEX = ASSET_EVENTS | ASSET_CHECK_EVENTS  # as SqliteEventLogStorage.store_event mirrors them


# Engines whose one connection is kept open (the cross-run index). A forked child (the report's
# plots are drawn in one) must neither use its parent's SQLite connection nor close it, which could
# checkpoint the parent's WAL under it: the child forgets them unclosed and opens its own if needed.
_KEPT_ENGINES: weakref.WeakSet = weakref.WeakSet()
_INHERITED: list = []  # in a forked child: the parent's pools, kept so that no collection closes them


def _forget_kept_connections() -> None:
    for engine in list(_KEPT_ENGINES):
        _INHERITED.append(engine.pool)
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_kept_connections)


def _quick_commits(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class QuickCommitSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one engine per database and ``synchronous=NORMAL``."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, object] = OrderedDict()
        self._tables_seen: set[str] = set()
        self._asset_key_index_cols = False
        self._batch = threading.local()  # the open transactions of a batch being stored, per thread
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str):
        """The shard's engine, made once, its database initialised once (call with ``_db_lock``)."""
        engine = self._engines.get(shard)
        if engine is None:
            kept = shard == INDEX_SHARD_NAME  # one connection for the process, dropped unclosed in a fork's child
            engine = create_engine(self.conn_string_for_shard(shard), poolclass=StaticPool if kept else NullPool,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": not kept})
            if kept:
                _KEPT_ENGINES.add(engine)
            event.listen(engine, "connect", _quick_commits)
            self._engines[shard] = engine
            while len(self._engines) > ENGINES_KEPT:
                self._engines.popitem(last=False)[1].dispose()
        else:
            self._engines.move_to_end(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        """Dagster's body, with the engine kept; inside :meth:`store_event_batch` (on its thread),
        the batch's own transaction on that database."""
        held = getattr(self._batch, "connections", None)
        if held is not None:
            if shard not in held:
                with self._db_lock:
                    engine = self._engine(shard)
                conn = self._batch.stack.enter_context(engine.connect())
                self._batch.stack.enter_context(conn.begin())
                held[shard] = conn
            yield held[shard]
            return
        with self._db_lock:
            engine = self._engine(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Dagster's answer, kept once the table is there (Dagster asks before storing each asset
        event's tags, with an engine and a connection made for the question)."""
        if table_name not in self._tables_seen and super().has_table(table_name):
            self._tables_seen.add(table_name)
        return table_name in self._tables_seen

    def _has_asset_key_index_cols_on_connection(self, conn: Connection) -> bool:
        """Dagster's answer, kept once the column is there: Dagster reflects the ``asset_keys``
        table's columns (a PRAGMA and SQLAlchemy's reflection) before storing each asset event,
        ~0.8 s of a full scale-1 run's planned events (``py-spy``). A migration only adds the
        column, so a yes stays a yes; a no is asked again."""
        if not self._asset_key_index_cols:
            self._asset_key_index_cols = super()._has_asset_key_index_cols_on_connection(conn)
        return self._asset_key_index_cols

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """The batch inside one transaction per database (the run's and the index), instead of one
        to three per event, each a connection opened, committed and closed.

        Dagster hands over a batch (``DAGSTER_EVENT_BATCH_SIZE``, which :func:`runner_instance`
        sets) for an asset step's materialisations over a partition range and for a run's planned
        events: a month-partitioned ingestion from 2018 plans and materialises ~110 partitions per
        asset, and the transform plans ~90 assets and ~290 checks.

        Such a batch (every event one Dagster may batch, of one run) is written in bulk
        (:meth:`_store_in_bulk`); any other goes through Dagster's :meth:`store_event`, event by event.

        All or nothing until the commits: an error rolls each database back, and Dagster then
        stores the batch one event at a time, as it does after any failed batch. The transactions
        commit one after the other (the last opened first); only a failure of the second commit
        would leave one database with the batch and the other without it.
        """
        with ExitStack() as stack:
            self._batch.connections, self._batch.stack = {}, stack
            try:
                if _writable_in_bulk(events):
                    self._store_in_bulk(events)
                else:
                    for event in events:
                        self.store_event(event)
            finally:
                self._batch.connections = self._batch.stack = None

    def _store_in_bulk(self, events: Sequence[EventLogEntry]) -> None:
        """What Dagster's :meth:`SqliteEventLogStorage.store_event` writes for each event, in a
        handful of statements for the whole batch rather than three to six per event (each compiled
        by SQLAlchemy anew). The same rows, ids included, and the same last values per asset
        (``tests/orchestration/test_event_storage.py`` compares every table of both).

        - the run's database: every event (one ``executemany``);
        - the index: the asset and check events again, their ids returned in the batch's order;
        - the asset events' tags (Dagster's ``_store_asset_event_tags``, one statement already);
        - each asset's row: Dagster's ``_store_asset_event`` for the last event of each kind per
          asset (a kind sets the same columns every time, so the last one of each leaves what the
          whole sequence leaves), assets in the order they first appear;
        - the checks' planned executions, the rows Dagster's ``_store_asset_check_evaluation_planned``
          writes, with the event serialised once for both tables.
        """
        rows = [self._event_to_row(event) for event in events]
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
        mirrored = [i for i, event in enumerate(events) if event.dagster_event_type in MIRRORED_IN_THE_INDEX]
        if not mirrored:
            return
        with self.index_connection() as conn:
            inserted = conn.execute(SqlEventLogStorageTable.insert().returning(
                SqlEventLogStorageTable.c.id, sort_by_parameter_order=True), [rows[i] for i in mirrored])
            event_ids = dict(zip(mirrored, (row[0] for row in inserted), strict=True))
            assets = [i for i in mirrored if events[i].dagster_event_type in ASSET_EVENTS]
            if assets:
                self._store_asset_event_tags(conn, [events[i] for i in assets], [event_ids[i] for i in assets])
                for i in _last_of_each_kind_per_asset(events, assets):
                    self._store_asset_event(conn, events[i], event_ids[i])
            planned = [row for i in mirrored
                       if events[i].dagster_event_type == DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
                       for row in self._check_planned_rows(events[i], rows[i], event_ids[i])]
            if planned:
                check.invariant(self.supports_asset_checks, "Asset checks require a database schema migration. "
                                "Run `dagster instance migrate`.")  # Dagster's own words
                conn.execute(AssetCheckExecutionsTable.insert(), planned)

    @staticmethod
    def _check_planned_rows(event: EventLogEntry, row: dict, event_id: int) -> list[dict]:
        """A check's planned execution, one row per partition (Dagster's
        ``_store_asset_check_evaluation_planned``), with the event as ``row`` serialised it."""
        planned = event.dagster_event.event_specific_data
        partitions = planned.partitions_subset.get_partition_keys() if planned.partitions_subset else [None]
        return [dict(asset_key=planned.asset_key.to_string(), check_name=planned.check_name, partition=partition,
                     run_id=event.run_id, execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
                     evaluation_event=row["event"], evaluation_event_timestamp=row["timestamp"],
                     evaluation_event_storage_id=event_id)
                for partition in partitions]


def _last_of_each_kind_per_asset(events: Sequence[EventLogEntry], indices: Sequence[int]) -> list[int]:
    """Of the asset events at ``indices``, the last of each kind per asset: assets in the order
    they first appear, an asset's kinds in the order of their last events."""
    kinds_of: dict[object, dict[DagsterEventType, int]] = {}
    for i in indices:
        kinds = kinds_of.setdefault(events[i].dagster_event.asset_key, {})
        kinds.pop(events[i].dagster_event_type, None)  # so the kind moves to the end
        kinds[events[i].dagster_event_type] = i
    return [i for kinds in kinds_of.values() for i in kinds.values()]


def _writable_in_bulk(events: Sequence[EventLogEntry]) -> bool:
    """Every event one Dagster hands over in a batch, of one run, each asset event with its asset."""
    return bool(events) and len({event.run_id for event in events}) == 1 and all(
        event.is_dagster_event and event.dagster_event_type in BATCH_WRITABLE_EVENTS
        and (event.dagster_event_type not in ASSET_EVENTS or event.dagster_event.asset_key is not None)
        for event in events)


def runner_instance() -> DagsterInstance:
    """``DagsterInstance.get()`` (the instance ``DAGSTER_HOME`` names), with this storage in place of
    Dagster's default SQLite event log; an instance whose ``dagster.yaml`` configures its own storage
    (Postgres, say) is opened as it is.

    It also turns on Dagster's batching of events in this process (``DAGSTER_EVENT_BATCH_SIZE``, off
    by default; read at each event): this storage writes each batch in one transaction per database,
    any other storage as it always does. A value already set is kept."""
    home = os.environ.get("DAGSTER_HOME", "")
    if not home:
        return DagsterInstance.get()  # Dagster's own error: DAGSTER_HOME is not set
    return instance_at(home)


def instance_at(home: str | os.PathLike) -> DagsterInstance:
    """The instance in folder ``home`` as :func:`runner_instance` opens it (this storage, Dagster's
    batching of events on in this process)."""
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))
    home = os.fspath(home)
    config = Path(home) / "dagster.yaml"
    configured = yaml.safe_load(config.read_text()) or {} if config.exists() else {}
    if configured.keys() & {"storage", "run_storage", "event_log_storage", "schedule_storage"}:
        return DagsterInstance.from_ref(InstanceRef.from_dir(home))
    return DagsterInstance.from_ref(InstanceRef.from_dir(home, overrides={"event_log_storage": {
        "module": __name__, "class": QuickCommitSqliteEventLogStorage.__name__,
        "config": {"base_dir": os.path.join(home, "history", "runs")}}}))
