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
none. Everything else is Dagster's own class.

The runner (``orchestration.cli``, and so ``make demo``, ``make real``, ``make live``) opens the
instance with :func:`runner_instance`, which uses this storage where the instance would use Dagster's
default SQLite one. The files are the same, so the webserver and the daemon read and write them with
Dagster's own class, as do the runs they launch.
"""

from __future__ import annotations

import os
import sys
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path

import yaml
from dagster import DagsterInstance
from dagster._core.errors import DagsterInvariantViolationError
from dagster._core.events import ASSET_EVENTS
from dagster._core.events.log import EventLogEntry
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlalchemy_compat import db_result
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
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str):
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
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:  # Dagster's body, with the engine kept
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn


    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Dagster's :meth:`store_event` for each event, with each stretch of asset events of one run
        written in one transaction on the run's database and one on the index, instead of two per
        event (each a connection opened, committed and closed).

        Dagster hands over a batch (``DAGSTER_EVENT_BATCH_SIZE``, which :func:`runner_instance`
        sets) for an asset step's materialisations over a partition range and for a run's planned
        events: a month-partitioned ingestion from 2018 plans and materialises ~110 partitions per
        asset. Other events (checks, run status) take Dagster's own path, one by one, in order.

        Exactly once: when a stretch's write on the run's database fails, nothing of it was
        written and its events take Dagster's own path; when the index's fails, the index's part is
        done event by event. Only an error there too reaches Dagster, which then stores the whole
        batch again one by one, as it does after any failed batch.
        """
        for (asset_events, run_id), stretch in groupby(events, key=lambda event: (
                event.is_dagster_event and event.dagster_event_type in ASSET_EVENTS, event.run_id)):
            stretch = list(stretch)
            if not asset_events:
                for event in stretch:
                    self.store_event(event)
                continue
            statements = [self.prepare_insert_event(event) for event in stretch]
            try:
                with self.run_connection(run_id) as conn:
                    for statement in statements:
                        conn.execute(statement)
            except Exception as err:  # nothing of the stretch was written: Dagster's path
                _batch_fell_back("the run's database", err)
                for event in stretch:
                    self.store_event(event)
                continue
            try:
                self._index_asset_events(zip(stretch, statements))
            except Exception as err:  # the index's part alone, one event at a time
                _batch_fell_back("the index", err)
                for pair in zip(stretch, statements):
                    self._index_asset_events([pair])

    def _index_asset_events(self, pairs) -> None:
        """What :meth:`store_event` mirrors of asset events in the index, in one transaction."""
        with self.index_transaction() as conn:
            for event, statement in pairs:
                with db_result(conn, statement) as result:
                    event_id = result.inserted_primary_key[0]
                if event_id is None:
                    raise DagsterInvariantViolationError("Cannot store asset event tags for null event id.")
                self._store_asset_event_tags(conn, [event], [event_id])
                self._store_asset_event(conn, event, event_id)


def _batch_fell_back(where: str, err: Exception) -> None:
    sys.stderr.write(f"Storing a batch of asset events on {where} failed ({err}); storing them one by one\n")


def runner_instance() -> DagsterInstance:
    """``DagsterInstance.get()`` (the instance ``DAGSTER_HOME`` names), with this storage in place of
    Dagster's default SQLite event log; an instance whose ``dagster.yaml`` configures its own storage
    (Postgres, say) is opened as it is.

    It also turns on Dagster's batching of asset events in this process (``DAGSTER_EVENT_BATCH_SIZE``,
    off by default; read at each event), which this storage writes a stretch at a time and any other
    stores as it always does. A value already set is kept."""
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
