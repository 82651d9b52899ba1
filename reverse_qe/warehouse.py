"""Writing raw tables into the DuckDB warehouse: typed, upserted by natural key, all or nothing;
``raw.quarantine`` for every rejected batch; the analysts' published copy.

No Dagster here. Identifiers come only from the :class:`RawTable` declarations in code, checked
against a strict pattern; values always travel as a registered DataFrame, never inside SQL text.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # the code location imports RawTable at load: no DuckDB or pandas import then
    import duckdb
    import pandas as pd

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _ident(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return f'"{name}"'


# Every raw row says where it came from: the source mode (scenario, replay, live) and the file or URL.
LINEAGE_COLUMNS = {"source_mode": "varchar", "source_uri": "varchar"}


@dataclass(frozen=True)
class RawTable:
    """A raw table's name, typed columns (in order; the lineage columns are appended) and natural key."""

    name: str
    columns: dict[str, str]
    key: tuple[str, ...]
    schema: str = "raw"

    def __post_init__(self):
        object.__setattr__(self, "columns", {**self.columns, **LINEAGE_COLUMNS})

    @property
    def qualified(self) -> str:
        return f"{_ident(self.schema)}.{_ident(self.name)}"

    def column(self, name: str) -> str:
        """A declared column's quoted identifier (a column the declaration lacks is an error)."""
        if name not in self.columns:
            raise ValueError(f"{self.qualified} has no column {name!r}")
        return _ident(name)

    def latest_date_sql(self, date_column: str, *, per: str | None = None) -> str:
        """SQL for ``series, latest_date`` of this table: its newest date, or the newest per value of
        column ``per`` (rows with a null ``value`` column, where it has one, count as unpublished)."""
        date = self.column(date_column)
        published = " where \"value\" is not null" if "value" in self.columns else ""
        if per is None:
            return f"select ? as series, max({date}) as latest_date from {self.qualified}{published}"
        group = self.column(per)
        return f"select {group} as series, max({date}) as latest_date from {self.qualified}{published} group by 1"

    def ddl(self) -> str:
        cols = ", ".join(f"{_ident(c)} {t}" for c, t in self.columns.items())
        return f"create table if not exists {self.qualified} ({cols})"


@dataclass(frozen=True)
class UpsertResult:
    rows_in_batch: int
    rows_replaced: int
    rows_after: int


def upsert(conn: duckdb.DuckDBPyConnection, table: RawTable, frame: pd.DataFrame) -> UpsertResult:
    """Replace the rows whose key the batch covers, keep every other row; one transaction.

    The same input gives the same table; a newer download replaces only what it covers, so a
    source that serves a rolling window never deletes older history.
    """
    missing = [c for c in table.columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{table.qualified}: batch lacks columns {missing}")
    cols = ", ".join(_ident(c) for c in table.columns)
    casts = ", ".join(f"cast({_ident(c)} as {t}) as {_ident(c)}" for c, t in table.columns.items())
    key = ", ".join(_ident(c) for c in table.key)
    conn.execute(f"create schema if not exists {_ident(table.schema)}")
    conn.execute(table.ddl())
    conn.register("_rqe_batch", frame[list(table.columns)])
    try:
        conn.execute("begin transaction")
        conn.execute(f"create or replace temp table _rqe_typed as select {casts} from _rqe_batch")
        replaced = conn.execute(
            f"delete from {table.qualified} where ({key}) in (select ({key}) from _rqe_typed)"
        ).fetchone()[0]
        conn.execute(f"insert into {table.qualified} ({cols}) select {cols} from _rqe_typed")
        after = conn.execute(f"select count(*) from {table.qualified}").fetchone()[0]
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    finally:
        conn.unregister("_rqe_batch")
        conn.execute("drop table if exists _rqe_typed")
    return UpsertResult(rows_in_batch=len(frame), rows_replaced=replaced, rows_after=after)


@dataclass(frozen=True)
class PublishResult:
    path: str
    tables: int
    seconds: float


# ---------------------------------------------------------------------------------------------
# raw.quarantine: every rejected batch with its reason, documents and offending rows. Written in
# its own transaction, never together with a raw table's upsert, so a rejected batch is kept while
# the previous good raw data stays exactly as it was.
# ---------------------------------------------------------------------------------------------
QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    batch_id varchar not null,
    asset_key varchar not null,
    source varchar not null,
    locations varchar not null,       -- JSON list of files or URLs
    stage varchar not null,           -- 'parse' (SourceFormatError) or 'validation' (GX suite)
    reason varchar not null,          -- the message shown to the person running the pipeline
    failed_checks varchar not null,   -- JSON list of check names
    offending_rows varchar not null,  -- JSON list of rows (GX COMPLETE result format)
    offending_row_count integer not null,
    quarantined_at timestamp not null
)
"""


@dataclass(frozen=True)
class QuarantineRecord:
    batch_id: str
    asset_key: str
    source: str
    locations: list[str]
    stage: str
    reason: str
    failed_checks: list[str]
    offending_rows: list[dict]


def write_quarantine(conn: duckdb.DuckDBPyConnection, record: QuarantineRecord) -> None:
    """Append one rejected batch (values as parameters), in a transaction of its own."""
    conn.execute("create schema if not exists raw")
    conn.execute(QUARANTINE_DDL)
    conn.execute("begin transaction")
    try:
        conn.execute(
            "insert into raw.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record.batch_id, record.asset_key, record.source, json.dumps(record.locations), record.stage,
             record.reason, json.dumps(record.failed_checks), json.dumps(record.offending_rows, default=str),
             len(record.offending_rows), dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)],
        )
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise


# ---------------------------------------------------------------------------------------------
# raw.source_status: per raw table, whether its source was provided in the newest run that read it,
# and why not. The coverage mart (marts.fct_source_coverage) reads it beside the data's own dates.
# ---------------------------------------------------------------------------------------------
SOURCE_STATUS_DDL = """
create table if not exists raw.source_status (
    table_name varchar primary key,
    source varchar not null,
    provided boolean not null,
    detail varchar not null,          -- why not provided, or what part was not (FRED series)
    rows_loaded bigint not null,      -- rows the newest run read (all partitions)
    recorded_at timestamp not null
)
"""


def record_source_status(conn: duckdb.DuckDBPyConnection, table: RawTable, source: str, *, provided: bool,
                         detail: str = "", rows_loaded: int = 0) -> None:
    """Replace the table's status row (values as parameters)."""
    conn.execute(f"create schema if not exists {_ident(table.schema)}")
    conn.execute(SOURCE_STATUS_DDL)
    conn.execute(
        "insert or replace into raw.source_status values (?, ?, ?, ?, ?, ?)",
        [table.name, source, provided, detail, rows_loaded, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)],
    )


def ensure_tables(conn: duckdb.DuckDBPyConnection, tables: "Iterable[RawTable]") -> None:
    """Create every raw table that does not exist yet (empty), and ``raw.source_status``: the
    models read every source, so a source never loaded (not provided, or no 13F data set yet)
    must still be an empty table for them."""
    for table in tables:
        conn.execute(f"create schema if not exists {_ident(table.schema)}")
        conn.execute(table.ddl())
    conn.execute("create schema if not exists raw")
    conn.execute(SOURCE_STATUS_DDL)


def publish_copy(conn: duckdb.DuckDBPyConnection, target: Path) -> PublishResult:
    """Copy the warehouse's tables into ``target`` and swap it in atomically.

    From the writer's own connection: ATTACH a temporary file beside the target, COPY FROM
    DATABASE, drop the copied views (dbt's staging views name the working warehouse's catalog and
    would not resolve in the copy), DETACH, then ``os.replace`` over the published file. A reader
    holding the old file keeps seeing the old complete state; a new reader sees the new one; nobody
    sees half a copy. If anything fails, the published file is left as it was.
    """
    started = time.perf_counter()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    source = conn.execute("select current_database()").fetchone()[0]
    try:
        conn.execute("attach ? as rqe_publish", [str(temporary)])
        try:
            conn.execute(f"copy from database {_quote(source)} to rqe_publish")
            views = conn.execute(
                "select schema_name, view_name from duckdb_views() where database_name = 'rqe_publish' and not internal"
            ).fetchall()
            for schema, view in views:
                conn.execute(f"drop view rqe_publish.{_quote(schema)}.{_quote(view)}")
            tables = conn.execute(
                "select count(*) from duckdb_tables() where database_name = 'rqe_publish'"
            ).fetchone()[0]
        finally:
            conn.execute("detach rqe_publish")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    return PublishResult(str(target), tables, time.perf_counter() - started)


def _quote(name: str) -> str:
    """A catalog or schema name read from DuckDB itself, double-quoted."""
    return '"' + name.replace('"', '""') + '"'
