"""What a table holds, as one short fingerprint: the publish copies a table only when it changed.

No Dagster here. A table's fingerprint covers everything an analyst can see of it in the published
copy: its DDL (columns, types, constraints), its comment and its columns' comments (the marts are
documented with ``persist_docs``), its row count and an order-independent sum of DuckDB's hash of
every row. A rebuilt table with the same rows in another order has the same fingerprint; a changed
value, row, column or comment gives another (a collision needs two 64-bit row-hash sums to meet).

Why content and not dbt's run results: dbt rebuilds every table model it runs whether or not its
rows changed, and the raw tables are written by the ingestion steps, not by dbt; only the content
says whether the analysts' copy of a table would differ.

Except for the models incremental by quarter (dbt_project/macros/quarterly.sql): their rows are
written only quarter by quarter, each quarter in the transaction that records it in
``meta.dbt_quarter_builds`` with the dbt invocation that wrote it. A quarter whose record is
unchanged was not written, so for these tables the record stands in for the row hash (their DDL,
comments and row count still count). Hashing their rows was most of a weekday's publish at scale
16 (``int_chain__rounds``, 105M rows: 28 s of 47 s with a cold cache); reading the record is
milliseconds. The price, as for their key tests: a row written into such a table by hand, outside
dbt, is not seen until its quarter is rebuilt (``dbt build --full-refresh`` rebuilds them all).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Fingerprint:
    digest: str  # sha256 hex of the DDL, comments, row count and row-hash sum
    rows: int


def quoted(name: str) -> str:
    """A catalog, schema or table name read from DuckDB itself, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def base_tables(conn: duckdb.DuckDBPyConnection, database: str, *, skip_schemas: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(schema, table)`` of every base table of ``database`` (no views), in order."""
    return [tuple(row) for row in conn.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? and not internal "
        "and schema_name not in (select unnest(?::varchar[])) order by 1, 2",
        [database, list(skip_schemas)]).fetchall()]


QUARTER_BUILDS = "dbt_quarter_builds"  # in schema meta, written by dbt (macros/quarterly.sql)


def quarter_build_records(conn: duckdb.DuckDBPyConnection, database: str) -> dict[str, str]:
    """Per model incremental by quarter (its table's name), a digest of its rows in
    ``meta.dbt_quarter_builds``: each quarter's input fingerprint and the dbt invocation that wrote
    it. Empty when the database has no such table, or one from before the invocation was recorded."""
    columns = {name for (name,) in conn.execute(
        "select column_name from duckdb_columns() "
        "where database_name = ? and schema_name = 'meta' and table_name = ?", [database, QUARTER_BUILDS]).fetchall()}
    if "built_by_invocation" not in columns:
        return {}
    rows = conn.execute(
        "select model_name, string_agg(concat_ws(' ', quarter_end, inputs_fingerprint, "
        "coalesce(built_by_invocation, '-')), ';' order by quarter_end) "
        f"from {quoted(database)}.meta.{quoted(QUARTER_BUILDS)} group by model_name").fetchall()
    return {model: hashlib.sha256(text.encode()).hexdigest() for model, text in rows}


def fingerprint(conn: duckdb.DuckDBPyConnection, database: str, schema: str, table: str,
                quarter_builds: str | None = None) -> Fingerprint:
    """The fingerprint of ``database.schema.table`` (names as the catalog spells them); with
    ``quarter_builds`` (the table's digest from :func:`quarter_build_records`), that digest in
    place of its rows' hash."""
    ddl, comment = conn.execute(
        "select sql, comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [database, schema, table]).fetchone()
    columns = conn.execute(
        "select column_name, data_type, comment from duckdb_columns() where database_name = ? and schema_name = ? "
        "and table_name = ? order by column_index", [database, schema, table]).fetchall()
    qualified = f"{quoted(database)}.{quoted(schema)}.{quoted(table)}"
    if quarter_builds is not None:
        rows, content = conn.execute(f"select count(*) from {qualified}").fetchone()[0], f"quarters {quarter_builds}"
    else:
        # hash(t) of the row struct; summed as hugeint so no row's hash can overflow the sum
        rows, content = conn.execute(
            f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {qualified} t").fetchone()
    text = json.dumps([ddl, comment, columns, rows, str(content)], default=str)
    return Fingerprint(hashlib.sha256(text.encode()).hexdigest(), int(rows))


def fingerprints(conn: duckdb.DuckDBPyConnection, database: str, *,
                 skip_schemas: tuple[str, ...] = ()) -> dict[tuple[str, str], Fingerprint]:
    """Every base table's fingerprint, by ``(schema, table)``: a quarterly model's by its build
    record, where its name is one table's only (dbt's identifiers are unique in the project)."""
    tables = base_tables(conn, database, skip_schemas=skip_schemas)
    records = quarter_build_records(conn, database)
    tables_named = Counter(table for _, table in tables)
    return {(schema, table): fingerprint(conn, database, schema, table,
                                         records.get(table) if tables_named[table] == 1 else None)
            for schema, table in tables}
