"""What a table holds, as one short fingerprint: the publish copies a table only when it changed.

No Dagster here. A table's fingerprint covers everything an analyst can see of it in the published
copy: its DDL (columns, types, constraints), its comment and its columns' comments (the marts are
documented with ``persist_docs``), its row count and an order-independent sum of DuckDB's hash of
every row. A rebuilt table with the same rows in another order has the same fingerprint; a changed
value, row, column or comment gives another (a collision needs two 64-bit row-hash sums to meet).

Why content and not dbt's run results: dbt rebuilds every table model it runs whether or not its
rows changed, and the raw tables are written by the ingestion steps, not by dbt; only the content
says whether the analysts' copy of a table would differ.
"""

from __future__ import annotations

import hashlib
import json
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


def fingerprint(conn: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> Fingerprint:
    """The fingerprint of ``database.schema.table`` (names as the catalog spells them)."""
    ddl, comment = conn.execute(
        "select sql, comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [database, schema, table]).fetchone()
    columns = conn.execute(
        "select column_name, data_type, comment from duckdb_columns() where database_name = ? and schema_name = ? "
        "and table_name = ? order by column_index", [database, schema, table]).fetchall()
    qualified = f"{quoted(database)}.{quoted(schema)}.{quoted(table)}"
    # hash(t) of the row struct; summed as hugeint so no row's hash can overflow the sum
    rows, hash_sum = conn.execute(f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {qualified} t").fetchone()
    text = json.dumps([ddl, comment, columns, rows, str(hash_sum)], default=str)
    return Fingerprint(hashlib.sha256(text.encode()).hexdigest(), int(rows))


def fingerprints(conn: duckdb.DuckDBPyConnection, database: str, *,
                 skip_schemas: tuple[str, ...] = ()) -> dict[tuple[str, str], Fingerprint]:
    """Every base table's fingerprint, by ``(schema, table)``."""
    return {(schema, table): fingerprint(conn, database, schema, table)
            for schema, table in base_tables(conn, database, skip_schemas=skip_schemas)}
