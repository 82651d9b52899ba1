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
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from reverse_qe.replace_file import temporary_beside, temporary_name_pattern
from reverse_qe.table_fingerprints import base_tables, fingerprints, quoted

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
    rows_replaced: int  # stored rows whose key the batch covers
    rows_after: int
    # batch rows not stored before exactly as they are (new or altered): 0 when the batch only repeats
    # what is stored; then nothing is written, and nothing downstream of the table is stale
    # (orchestration/staleness.py)
    rows_changed: int


# What a batch records beside its rows, in their transaction (the rows each document yielded).
AlsoWrite = Callable[["duckdb.DuckDBPyConnection"], None]


def upsert(conn: duckdb.DuckDBPyConnection, table: RawTable, frame: pd.DataFrame,
           also: AlsoWrite | None = None) -> UpsertResult:
    """Replace the rows whose key the batch covers, keep every other row; one transaction (with
    what ``also`` writes).

    The same input gives the same table; a newer download replaces only what it covers, so a
    source that serves a rolling window never deletes older history.
    """
    (result,) = upsert_together(conn, [(table, frame)], also=also)
    return result


def upsert_together(conn: duckdb.DuckDBPyConnection, batches: Iterable[tuple[RawTable, pd.DataFrame]],
                    also: AlsoWrite | None = None) -> list[UpsertResult]:
    """:func:`upsert` of several tables in one transaction: the tables of one document set (a 13F
    data set's submissions, cover pages and information table) are all written, or none is; so is
    what ``also`` writes."""
    batches = list(batches)
    for table, frame in batches:
        missing = [c for c in table.columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{table.qualified}: batch lacks columns {missing}")
        conn.execute(f"create schema if not exists {_ident(table.schema)}")
        conn.execute(table.ddl())
    results = []
    conn.execute("begin transaction")
    try:
        for table, frame in batches:
            results.append(_replace_rows(conn, table, frame))
        if also is not None:
            also(conn)
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    return results


def _replace_rows(conn: duckdb.DuckDBPyConnection, table: RawTable, frame: pd.DataFrame) -> UpsertResult:
    """Within the caller's transaction: delete the rows whose key ``frame`` covers, insert it; when
    those stored rows are already exactly the batch's (a day's download repeating the month so far),
    leave the table as it is.

    Every statement reads the frame itself, each casting what it needs (the key alone to find the
    covered rows): a typed copy of the whole batch in a temp table first cost ~1 s more (of ~6 s)
    at the 3M information-table lines of bench/chain_scale.py's real-size quarter."""
    cols = ", ".join(_ident(c) for c in table.columns)
    casts = ", ".join(f"cast({_ident(c)} as {t}) as {_ident(c)}" for c, t in table.columns.items())
    key = ", ".join(_ident(c) for c in table.key)
    typed_key = ", ".join(f"cast({_ident(c)} as {table.columns[c]})" for c in table.key)
    covers = f"({key}) in (select ({typed_key}) from _rqe_batch)"
    conn.register("_rqe_batch", frame[list(table.columns)])
    try:
        # each result fetched whole: DuckDB refuses the next statement while one is unfinished
        ((replaced,),) = conn.execute(f"select count(*) from {table.qualified} where {covers}").fetchall()
        # Batch rows not stored exactly as they are (new or altered; EXCEPT ALL compares whole rows,
        # NULLs as equal). A batch's keys are unique (its raw suite) and so are the table's (each
        # upsert replaces what its keys cover), so a covered row missing from the batch is an altered
        # one, already counted. A first load skips the comparison: every row is new.
        changed = len(frame) if not replaced else conn.execute(
            f"select count(*) from (select {casts} from _rqe_batch except all "
            f"select {cols} from {table.qualified} where {covers})").fetchall()[0][0]
        if replaced and changed:
            conn.execute(f"delete from {table.qualified} where {covers}").fetchall()
        if changed:
            conn.execute(f"insert into {table.qualified} ({cols}) select {casts} from _rqe_batch").fetchall()
        ((after,),) = conn.execute(f"select count(*) from {table.qualified}").fetchall()
    finally:
        conn.unregister("_rqe_batch")
    return UpsertResult(rows_in_batch=len(frame), rows_replaced=replaced, rows_after=after, rows_changed=changed)


@dataclass(frozen=True)
class PublishResult:
    path: str
    tables: int  # in the copy, from the warehouse (meta.* not counted)
    seconds: float
    parquet_path: str = ""
    parquet_files: int = 0
    tables_copied: int = 0  # of ``tables``, those written by this publish (the others were unchanged)
    parquet_linked: int = 0  # of ``parquet_files``, those kept from the previous export (unchanged tables)
    # seconds per part: fingerprints, previous (copying and attaching the last copy), tables (copying the
    # changed ones), meta, parquet, swap (detach, checkpoint, replace)
    phases: dict[str, float] = field(default_factory=dict)


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
    offending_rows varchar not null,  -- JSON list of rows (GX COMPLETE result format, from the failing pass)
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


# What the published copy says of the quarantine: per rejected batch its count and its reason as
# the names of the checks that failed, never the message or rows (they quote the rejected content:
# a replay file's first line, a server's error page). The full record stays in the warehouse.
PUBLISHED_QUARANTINE = """
create or replace table rqe_publish.raw.quarantine as
select batch_id, asset_key, source, stage,
       array_to_string(cast(failed_checks as varchar[]), ', ') as reason,
       offending_row_count, quarantined_at
from rqe_publish.raw.quarantine
"""


def _publish_quarantine_summary(conn: duckdb.DuckDBPyConnection) -> None:
    """In the copy being published: ``raw.quarantine`` reduced to a count and a reason per batch."""
    if _table_exists(conn, "rqe_publish", "raw", "quarantine"):
        conn.execute(PUBLISHED_QUARANTINE)
        conn.execute("comment on table rqe_publish.raw.quarantine is 'Per rejected batch: the asset, source, "
                     "stage (parse or validation), the checks that failed (reason) and how many rows; the "
                     "rejected content itself stays in the warehouse.'")


def write_quarantine(conn: duckdb.DuckDBPyConnection, record: QuarantineRecord) -> None:
    """Append one rejected batch (values as parameters, every text redacted of secrets), in a
    transaction of its own."""
    from reverse_qe.redaction import redact

    conn.execute("create schema if not exists raw")
    conn.execute(QUARANTINE_DDL)
    conn.execute("begin transaction")
    try:
        conn.execute(
            "insert into raw.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record.batch_id, record.asset_key, record.source, redact(json.dumps(record.locations)), record.stage,
             redact(record.reason), json.dumps(record.failed_checks),
             redact(json.dumps(record.offending_rows, default=str)),
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


# DuckDB 2.0 writes a storage format DuckDB 1.x refuses ("version number 69"): the published copy
# is written in the format of DuckDB 1.2, which every DuckDB from 1.2 on opens (comments included).
# (DuckDB 1.0 and 1.1 read only 'v1.0.0'; tests/e2e/test_published_formats.py opens the copy in a 1.x.)
PUBLISHED_STORAGE_VERSION = "v1.2.0"
PARQUET_FOLDER = "published_parquet"  # beside the published file: <schema>/<table>.parquet
PARQUET_SCHEMAS = ("marts", "meta")
COVERAGE_MART = ("marts", "fct_source_coverage")

PUBLICATION_DDL = """
create or replace table rqe_publish.meta.publication (
    published_at_utc timestamp not null,
    run_id varchar,                   -- the Dagster run that published (null outside a run)
    source_mode varchar,              -- scenario | replay | live
    code_version varchar not null,    -- git rev-parse HEAD of the code that built it, or 'unknown'
    storage_version varchar not null, -- the DuckDB storage format of this file
    tables integer not null,          -- tables copied from the warehouse (meta excluded)
    coverage_json varchar             -- marts.fct_source_coverage as a JSON list (null without that mart)
)
"""
RAW_TABLES_DDL = """
create or replace table rqe_publish.meta.raw_tables (
    table_name varchar not null,      -- raw.<table_name>
    date_column varchar,              -- the column the data's own date is read from (null: none declared)
    latest_date date,                 -- max(date_column) in this copy
    row_count bigint not null
)
"""


def publish_copy(conn: duckdb.DuckDBPyConnection, target: Path, *, run_id: str | None = None,
                 source_mode: str | None = None, code_version: str | None = None,
                 date_columns: dict[str, str | None] | None = None, incremental: bool = True) -> PublishResult:
    """Copy the warehouse's changed tables into a copy of ``target``, add ``meta.*``, export Parquet,
    swap both in.

    From the writer's own connection: fingerprint every warehouse table
    (:mod:`reverse_qe.table_fingerprints`), copy the published file to a temporary file beside it
    and ATTACH that (it keeps DuckDB's ``PUBLISHED_STORAGE_VERSION``, so DuckDB 1.x opens it), then
    replace only the tables whose fingerprint differs from the one ``meta.published_tables`` of the
    previous copy records, and drop those the warehouse no longer has. Without a previous copy (or
    one from before fingerprints, or ``incremental=False``) the temporary file starts empty and
    COPY FROM DATABASE copies everything, dropping the copied views (dbt's staging views name the
    working warehouse's catalog and would not resolve in the copy). Then write ``meta.publication``
    (when, which run, which source mode, which code, the coverage by source if
    ``marts.fct_source_coverage`` exists), ``meta.raw_tables`` (per raw table named in
    ``date_columns``: its declared date column, the data's latest date and its rows) and
    ``meta.published_tables`` (each table's fingerprint and when its content last changed), export
    every ``marts`` and ``meta`` table as Parquet (:func:`_export_parquet`: an unchanged table's file
    is a hard link to the previous export's), DETACH, then ``os.replace`` over the published file and
    swap the Parquet folder in (:func:`_swap_parquet`).

    A reader holding the old file keeps seeing the old complete state; a new reader sees the new
    one; nobody sees half a copy or a mix of two runs (every table of a copy is of one warehouse
    state: the unchanged ones are equal in both). If anything fails before the swaps, the published
    file and the Parquet folder are both left as they were, and the temporary file and folder are
    removed. A publish killed midway cannot clean up: the next one first removes what such a publish
    left (:func:`remove_stale_temporaries`). Publishes run one at a time (the Dagster pool ``warehouse``).
    """
    started = time.perf_counter()
    phases = Phases()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    temporary = temporary_beside(target)
    parquet_link = target.with_name(PARQUET_FOLDER)
    parquet_dir = target.with_name(f".{PARQUET_FOLDER}.{uuid.uuid4().hex}")
    source = conn.execute("select current_database()").fetchone()[0]
    current = fingerprints(conn, source, skip_schemas=(META_SCHEMA,))
    phases.done("fingerprints")
    swapped = False
    try:
        previous = None
        if incremental and target.is_file():
            shutil.copyfile(target, temporary)
            previous = _attach_previous(conn, temporary)
        if previous is None:
            conn.execute(f"attach ? as rqe_publish (storage_version '{PUBLISHED_STORAGE_VERSION}')", [str(temporary)])
        phases.done("previous")
        try:
            copied = (_copy_everything(conn, source, current) if previous is None
                      else _copy_changed(conn, source, current, previous))
            if ("raw", "quarantine") in copied:
                _publish_quarantine_summary(conn)
            phases.done("tables")
            tables = conn.execute(
                "select count(*) from duckdb_tables() where database_name = 'rqe_publish' and schema_name <> ?",
                [META_SCHEMA]).fetchone()[0]
            _write_meta(conn, tables=tables, run_id=run_id, source_mode=source_mode,
                        code_version=code_version or "unknown", date_columns=date_columns or {})
            _write_published_tables(conn, current, copied, previous or {})
            phases.done("meta")
            parquet_files, linked = _export_parquet(conn, parquet_dir, _reusable_parquet(conn, parquet_link, current))
            phases.done("parquet")
        finally:
            conn.execute("detach rqe_publish")
        os.replace(temporary, target)
        _swap_parquet(parquet_dir, parquet_link)
        swapped = True
        phases.done("swap")
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
        if not swapped:
            shutil.rmtree(parquet_dir, ignore_errors=True)
    return PublishResult(str(target), tables, time.perf_counter() - started, str(parquet_link), parquet_files,
                         len(copied), linked, phases.seconds)


class Phases:
    """Seconds per named part of a long operation, each from the end of the one before."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 3)
        self._last = now


META_SCHEMA = "meta"  # written by the publish itself, never copied from the warehouse
PUBLISHED_TABLES_DDL = """
create or replace table rqe_publish.meta.published_tables (
    schema_name varchar not null,
    table_name varchar not null,
    row_count bigint not null,
    content_hash varchar not null,    -- the warehouse table's fingerprint (reverse_qe.table_fingerprints)
    changed_at_utc timestamp not null -- the publish that last copied it, its content having changed
)
"""


def _attach_previous(conn: duckdb.DuckDBPyConnection, copy: Path) -> dict[tuple[str, str], tuple[str, dt.datetime]] | None:
    """ATTACH the copy of the previous published file as ``rqe_publish``; its recorded fingerprints
    and change times by table, or None (and nothing attached, the copy removed) when it has none or
    is in another storage format than ``PUBLISHED_STORAGE_VERSION``: a copy published before
    fingerprints existed, or by code that wrote another format, is replaced whole."""
    conn.execute("attach ? as rqe_publish", [str(copy)])
    storage = conn.execute("select tags['storage_version'] from duckdb_databases() "
                           "where database_name = 'rqe_publish'").fetchone()[0] or ""
    if (storage.removesuffix("+") == PUBLISHED_STORAGE_VERSION
            and _table_exists(conn, "rqe_publish", META_SCHEMA, "published_tables")):
        rows = conn.execute("select schema_name, table_name, content_hash, changed_at_utc "
                            "from rqe_publish.meta.published_tables").fetchall()
        return {(schema, table): (digest, at) for schema, table, digest, at in rows}
    conn.execute("detach rqe_publish")
    copy.unlink()
    return None


def _copy_everything(conn: duckdb.DuckDBPyConnection, source: str, current: dict) -> set[tuple[str, str]]:
    """COPY FROM DATABASE into the empty ``rqe_publish``, without the views; every table is copied."""
    conn.execute(f"copy from database {quoted(source)} to rqe_publish")
    views = conn.execute(
        "select schema_name, view_name from duckdb_views() where database_name = 'rqe_publish' and not internal"
    ).fetchall()
    for schema, view in views:
        conn.execute(f"drop view rqe_publish.{quoted(schema)}.{quoted(view)}")
    return set(current)


def _copy_changed(conn: duckdb.DuckDBPyConnection, source: str, current: dict,
                  previous: dict[tuple[str, str], tuple[str, dt.datetime]]) -> set[tuple[str, str]]:
    """In the previous copy attached as ``rqe_publish``: drop the tables the warehouse no longer has,
    replace those whose fingerprint changed (or that the copy lacks); the copied keys."""
    published = set(base_tables(conn, "rqe_publish", skip_schemas=(META_SCHEMA,)))
    for schema, table in sorted(published - set(current)):
        conn.execute(f"drop table rqe_publish.{quoted(schema)}.{quoted(table)}")
    changed = {key for key, print_ in current.items()
               if key not in published or previous.get(key, ("",))[0] != print_.digest}
    for schema, table in sorted(changed):
        conn.execute(f"create schema if not exists rqe_publish.{quoted(schema)}")
        conn.execute(f"drop table if exists rqe_publish.{quoted(schema)}.{quoted(table)}")
        _copy_table(conn, source, schema, table)
    return changed


def _copy_table(conn: duckdb.DuckDBPyConnection, source: str, schema: str, table: str) -> None:
    """One table into ``rqe_publish`` as COPY FROM DATABASE copies it: its own DDL (types and
    constraints, as DuckDB's catalog states it, run with ``rqe_publish`` as the default catalog),
    its rows, its comment and its columns' comments."""
    ddl, comment = conn.execute(
        "select sql, comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [source, schema, table]).fetchone()
    conn.execute("use rqe_publish")
    try:
        conn.execute(ddl)
    finally:
        conn.execute(f"use {quoted(source)}")
    qualified = f"{quoted(schema)}.{quoted(table)}"
    conn.execute(f"insert into rqe_publish.{qualified} select * from {quoted(source)}.{qualified}")
    # COMMENT ON takes no parameter: the text, from the warehouse's own catalog, as a quoted literal
    if comment:
        conn.execute(f"comment on table rqe_publish.{qualified} is {_literal(comment)}")
    for column, text in conn.execute(
            "select column_name, comment from duckdb_columns() where database_name = ? and schema_name = ? "
            "and table_name = ? and comment is not null", [source, schema, table]).fetchall():
        conn.execute(f"comment on column rqe_publish.{qualified}.{quoted(column)} is {_literal(text)}")


def _write_published_tables(conn: duckdb.DuckDBPyConnection, current: dict, copied: set,
                            previous: dict[tuple[str, str], tuple[str, dt.datetime]]) -> None:
    """``meta.published_tables``: per table its rows, fingerprint and when its content last changed."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    conn.execute(PUBLISHED_TABLES_DDL)
    rows = [(schema, table, print_.rows, print_.digest,
             now if (schema, table) in copied else previous[(schema, table)][1])
            for (schema, table), print_ in sorted(current.items())]
    if rows:
        conn.executemany("insert into rqe_publish.meta.published_tables values (?, ?, ?, ?, ?)", rows)
    conn.execute("comment on table rqe_publish.meta.published_tables is 'Per table of this copy: its rows, its "
                 "content hash and when its content last changed (the publish that last copied it).'")


def _reusable_parquet(conn: duckdb.DuckDBPyConnection, link: Path, current: dict) -> dict[tuple[str, str], Path]:
    """The previous export's Parquet files of tables whose content is unchanged, by the fingerprints
    that export's own ``meta/published_tables.parquet`` records (so a Parquet folder left behind by
    an interrupted publish can never be taken for the current one's)."""
    if not link.is_symlink():
        return {}
    folder = link.parent / os.readlink(link)
    recorded = folder / META_SCHEMA / "published_tables.parquet"
    if not recorded.is_file():
        return {}
    import duckdb

    try:
        rows = conn.execute("select schema_name, table_name, content_hash from read_parquet(?)",
                            [str(recorded)]).fetchall()
    except duckdb.Error:  # an unreadable previous export: every file is written afresh, as on a first publish
        return {}
    reusable = {}
    for schema, table, digest in rows:
        path = folder / schema / f"{table}.parquet"
        if schema != META_SCHEMA and (schema, table) in current and current[(schema, table)].digest == digest \
                and path.is_file():
            reusable[(schema, table)] = path
    return reusable


_HEX_ID = r"[0-9a-f]{32}"


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove what an earlier publish killed midway left beside ``target``, by this module's own
    naming patterns only: the temporary copy (``temporary_beside``: ``.<target name>.<uuid>.tmp``) and
    its ``.wal``, ``.published_parquet.<uuid>`` folders the ``published_parquet`` link does not point at
    (and their ``.old`` variants), and staged ``.published_parquet.<uuid>.link`` links. Nothing else is
    touched; the removed paths are returned."""
    tmp_file = re.compile(temporary_name_pattern(target.name) + r"(\.wal)?")
    parquet_dir = re.compile(rf"\.{re.escape(PARQUET_FOLDER)}\.{_HEX_ID}(\.old)?")
    staged_link = re.compile(rf"\.{re.escape(PARQUET_FOLDER)}\.{_HEX_ID}\.link")
    link = target.with_name(PARQUET_FOLDER)
    current = Path(os.readlink(link)).name if link.is_symlink() else None
    removed = []
    for path in target.parent.iterdir():
        name = path.name
        if tmp_file.fullmatch(name) and path.is_file() and not path.is_symlink():
            path.unlink()
        elif staged_link.fullmatch(name) and path.is_symlink():
            path.unlink()
        elif (parquet_dir.fullmatch(name) and name != current and path.is_dir()
              and not path.is_symlink()):
            shutil.rmtree(path)
        else:
            continue
        removed.append(path)
    return removed


def _write_meta(conn: duckdb.DuckDBPyConnection, *, tables: int, run_id: str | None, source_mode: str | None,
                code_version: str, date_columns: dict[str, str | None]) -> None:
    """``meta.publication`` (one row) and ``meta.raw_tables`` in the copy being written."""
    conn.execute("create schema if not exists rqe_publish.meta")
    conn.execute(PUBLICATION_DDL)
    conn.execute(RAW_TABLES_DDL)
    coverage = None
    if _table_exists(conn, "rqe_publish", *COVERAGE_MART):
        cursor = conn.execute("select * from rqe_publish.marts.fct_source_coverage")
        names = [d[0] for d in cursor.description]
        coverage = json.dumps([dict(zip(names, row)) for row in cursor.fetchall()], default=str)
    conn.execute(
        "insert into rqe_publish.meta.publication values (?, ?, ?, ?, ?, ?, ?)",
        [dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), run_id, source_mode, code_version,
         PUBLISHED_STORAGE_VERSION, tables, coverage],
    )
    for name in sorted(date_columns):
        if not _table_exists(conn, "rqe_publish", "raw", name):
            continue
        column = date_columns[name]
        known = column is not None and conn.execute(
            "select count(*) from duckdb_columns() where database_name = 'rqe_publish' and schema_name = 'raw' "
            "and table_name = ? and column_name = ?", [name, column]).fetchone()[0] > 0
        latest = f"max({quoted(column)})" if known else "null"  # identifiers checked against the catalog
        rows, last = conn.execute(f"select count(*), {latest} from rqe_publish.raw.{quoted(name)}").fetchone()
        conn.execute("insert into rqe_publish.meta.raw_tables values (?, ?, ?, ?)",
                     [name, column if known else None, last, rows])
    conn.execute("comment on table rqe_publish.meta.publication is "
                 "'One row: when this copy was published, by which run, from which source mode and code.'")
    conn.execute("comment on table rqe_publish.meta.raw_tables is "
                 "'Per raw table: its declared date column, the data''s latest date and its rows in this copy.'")


def _table_exists(conn: duckdb.DuckDBPyConnection, database: str, schema: str, name: str) -> bool:
    return conn.execute("select count(*) from duckdb_tables() where database_name = ? and schema_name = ? "
                        "and table_name = ?", [database, schema, name]).fetchone()[0] > 0


def _export_parquet(conn: duckdb.DuckDBPyConnection, folder: Path,
                    reusable: dict[tuple[str, str], Path] | None = None) -> tuple[int, int]:
    """Every table of ``PARQUET_SCHEMAS`` in the copy as ``<folder>/<schema>/<table>.parquet``; a table
    in ``reusable`` (unchanged since the previous export) as a hard link to that export's file, so
    it is neither rewritten nor doubled on disk. The files in all, and how many were linked."""
    reusable = reusable or {}
    found = conn.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'rqe_publish' "
        "and schema_name in (select unnest(?)) order by 1, 2", [list(PARQUET_SCHEMAS)]).fetchall()
    linked = 0
    for schema, name in found:
        (folder / schema).mkdir(parents=True, exist_ok=True)
        path = folder / schema / f"{name}.parquet"
        if (schema, name) in reusable:
            os.link(reusable[(schema, name)], path)
            linked += 1
        else:
            conn.execute(f"copy rqe_publish.{quoted(schema)}.{quoted(name)} to ? (format parquet)", [str(path)])
    return len(found), linked


def _swap_parquet(folder: Path, link: Path) -> None:
    """Make ``link`` (``published_parquet``) point at the freshly written ``folder``, atomically.

    A directory cannot be renamed over a non-empty one, so ``published_parquet`` is a symbolic link
    to a hidden folder ``.published_parquet.<id>`` beside it. Each publication writes a new hidden
    folder, makes a new link under a temporary name and renames that link over ``published_parquet``
    (``os.replace``: one atomic rename), then removes the folder the old link named. A reader opens
    files through ``published_parquet/`` and sees either the old folder or the new one, whole.
    """
    previous = None
    if link.is_symlink():
        previous = link.parent / os.readlink(link)
    elif link.exists():  # a real folder in the way (not one this function made): move it aside first
        previous = link.with_name(f".{PARQUET_FOLDER}.{uuid.uuid4().hex}.old")
        os.replace(link, previous)
    staged = link.with_name(f".{PARQUET_FOLDER}.{uuid.uuid4().hex}.link")
    os.symlink(folder.name, staged, target_is_directory=True)  # relative: the folder can move
    try:
        os.replace(staged, link)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    if previous is not None and previous.resolve() != folder.resolve():
        shutil.rmtree(previous, ignore_errors=True)


def _literal(text: str) -> str:
    """A comment read from DuckDB's own catalog as a single-quoted SQL literal (COMMENT ON takes no
    parameter)."""
    return "'" + text.replace("'", "''") + "'"
