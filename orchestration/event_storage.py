"""Dagster's SQLite event log, with the per-event costs that are not needed taken out.

A full run logs ~4,700 events (one per partition of each asset, planned and materialised), and
Dagster's ``SqliteEventLogStorage`` writes each through ``_connect``, which builds a new SQLAlchemy
engine every time (~5 per event: the run's database, then the cross-run index) and commits with
SQLite's default ``synchronous=FULL``, an fsync per commit. A profile of one demo on this
machine's disk (under cProfile, at a load of ~8) put 129 s of its 997 s in ``sqlite3.commit`` and
33 s in ``create_engine``; without the profiler, a demo took 126-129 s with this class against
135-143 s with Dagster's (two interleaved pairs, README "Dagster's run history").

This storage keeps one engine per database file (still ``NullPool``: no connection outlives its
transaction, so the webserver's file watcher still sees each run's database change when the
connection closes, and nothing is shared across a fork), and sets ``synchronous=NORMAL`` on each
connection. The databases are already in WAL mode (Dagster sets it), where SQLite documents
NORMAL as safe from corruption: a power cut may lose the last events, an application crash loses
none. It also stores each batch of events Dagster hands over (a partitioned step's
materialisations, a run's planned events) in one transaction per database, through Dagster's own
per-event code (:meth:`QuickCommitSqliteEventLogStorage.store_event_batch`), and remembers which
tables exist, and that the asset table has its index columns, instead of asking SQLite before each
asset event. One demo with its history on disk (2026-12-03, idle): the three ingestion jobs took
73 s before the batches, 37 s with a first version that wrote asset events only in batches, and
30 s with this one; the whole demo 134, 103 and 94 s. Everything else is Dagster's own class.

The runner (``orchestration.cli``, and so ``make demo``, ``make real``, ``make live``) opens the
instance with :func:`runner_instance`, which uses this storage where the instance would use Dagster's
default SQLite one. The files are the same, so the webserver and the daemon read and write them with
Dagster's own class, as do the runs they launch.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import yaml
from dagster import DagsterInstance
from dagster._core.events.log import EventLogEntry
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.pool import NullPool

# Events Dagster buffers before handing them over as one batch; a step's batch ends with its last
# materialisation anyway, so this only caps the buffer (a backfill of the whole daily history is
# ~3,200 days of one asset).
EVENT_BATCH_SIZE = 1000
ENGINES_KEPT = 16  # the index and the runs this process writes or reads (a few); more are let go


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
            engine = create_engine(self.conn_string_for_shard(shard), poolclass=NullPool,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
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
        """Dagster's own :meth:`store_event` for each event, inside one transaction per database
        (the run's and the index) for the whole batch, instead of one to three per event, each a
        connection opened, committed and closed.

        Dagster hands over a batch (``DAGSTER_EVENT_BATCH_SIZE``, which :func:`runner_instance`
        sets) for an asset step's materialisations over a partition range and for a run's planned
        events: a month-partitioned ingestion from 2018 plans and materialises ~110 partitions per
        asset, and the transform plans ~90 assets and ~290 checks.

        All or nothing until the commits: an error rolls each database back, and Dagster then
        stores the batch one event at a time, as it does after any failed batch. The transactions
        commit one after the other (the last opened first); only a failure of the second commit
        would leave one database with the batch and the other without it.
        """
        with ExitStack() as stack:
            self._batch.connections, self._batch.stack = {}, stack
            try:
                for event in events:
                    self.store_event(event)
            finally:
                self._batch.connections = self._batch.stack = None


def runner_instance() -> DagsterInstance:
    """``DagsterInstance.get()`` (the instance ``DAGSTER_HOME`` names), with this storage in place of
    Dagster's default SQLite event log; an instance whose ``dagster.yaml`` configures its own storage
    (Postgres, say) is opened as it is.

    It also turns on Dagster's batching of events in this process (``DAGSTER_EVENT_BATCH_SIZE``, off
    by default; read at each event): this storage writes each batch in one transaction per database,
    any other storage as it always does. A value already set is kept."""
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))
    home = os.environ.get("DAGSTER_HOME", "")
    if not home:
        return DagsterInstance.get()  # Dagster's own error: DAGSTER_HOME is not set
    config = Path(home) / "dagster.yaml"
    configured = yaml.safe_load(config.read_text()) or {} if config.exists() else {}
    if configured.keys() & {"storage", "run_storage", "event_log_storage", "schedule_storage"}:
        return DagsterInstance.from_ref(InstanceRef.from_dir(home))
    return DagsterInstance.from_ref(InstanceRef.from_dir(home, overrides={"event_log_storage": {
        "module": __name__, "class": QuickCommitSqliteEventLogStorage.__name__,
        "config": {"base_dir": os.path.join(home, "history", "runs")}}}))
