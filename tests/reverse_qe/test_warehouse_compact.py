"""Compacting the working warehouse: the same database in a file without free blocks, swapped in whole."""

import os

import duckdb
import pytest

from reverse_qe.warehouse_compact import compact_warehouse, free_share, remove_compaction_leftovers

CATALOG = {  # what must survive a compaction, from DuckDB's own catalog
    "tables": "select schema_name, table_name, comment from duckdb_tables() where database_name = current_database()",
    "columns": "select schema_name, table_name, column_name, data_type, comment, is_nullable from duckdb_columns() "
               "where database_name = current_database()",
    "constraints": "select schema_name, table_name, constraint_type, constraint_text from duckdb_constraints() "
                   "where database_name = current_database()",
    "views": "select schema_name, view_name, sql from duckdb_views() where database_name = current_database() "
             "and not internal",
}


def catalog(conn) -> dict:
    facts = {name: sorted(map(str, conn.execute(sql).fetchall())) for name, sql in CATALOG.items()}
    facts["rows"] = conn.execute("select count(*), sum(amount_bn) from raw.flows").fetchone()
    facts["mart"] = conn.execute("select count(*), sum(value_bn) from marts.fct_wide").fetchone()
    return facts


def rebuilt_warehouse(path, rebuilds: int = 2):
    """A warehouse as dbt leaves it: a keyed raw table, a commented mart rebuilt ``rebuilds`` times,
    a view on the raw table. Each rebuild frees the old table's blocks; DuckDB gives the file's tail
    back when they end it, so after an even number of rebuilds about half the file is free blocks."""
    conn = duckdb.connect(str(path))
    conn.execute("create schema raw; create schema marts; create schema staging")
    conn.execute("create table raw.flows (flow_date date, series varchar, amount_bn decimal(18,6), "
                 "primary key (flow_date, series))")
    conn.execute("insert into raw.flows select date '2018-01-01' + cast(i as integer), 'S' || (i % 3), i / 7 "
                 "from range(3000) t(i)")
    conn.execute("create view staging.stg_flows as select flow_date, amount_bn from raw.flows")
    for rebuild in range(rebuilds):
        conn.execute("create or replace table marts.fct_wide as select i as id, i * 1.5 + ? as value_bn, "
                     "repeat('x', 64) || i as label from range(400000) t(i)", [rebuild])
        conn.execute("comment on table marts.fct_wide is 'A wide mart (test).'")
        conn.execute("comment on column marts.fct_wide.value_bn is 'USD billions.'")
        conn.execute("checkpoint")
    return conn


def test_a_rebuilt_warehouse_shrinks_to_its_data_and_keeps_every_table_comment_key_and_view(tmp_path):
    path = tmp_path / "reverse_qe.duckdb"
    conn = rebuilt_warehouse(path)
    before = catalog(conn)
    assert free_share(conn) > 0.25  # what the rebuilds freed
    result = compact_warehouse(conn, path)
    conn.close()
    assert result.compacted and result.bytes_after == path.stat().st_size < result.bytes_before
    assert result.bytes_after < 0.75 * result.bytes_before, result
    with duckdb.connect(str(path)) as conn:
        assert catalog(conn) == before
        assert free_share(conn) < 0.1
        with pytest.raises(duckdb.ConstraintException):  # the key the upserts rely on holds
            conn.execute("insert into raw.flows values (date '2018-01-01', 'S0', 1)")
        conn.execute("insert or replace into raw.flows values (date '2018-01-01', 'S0', 1)")
        assert conn.execute("select count(*) from staging.stg_flows").fetchone()[0] == 3000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reverse_qe.duckdb"]  # no temporary left


def test_three_rebuilds_each_followed_by_a_compaction_stay_the_size_of_one_build(tmp_path):
    path = tmp_path / "reverse_qe.duckdb"
    sizes = []
    rebuilt_warehouse(path, rebuilds=1).close()
    first = path.stat().st_size
    for rebuild in range(3):
        conn = duckdb.connect(str(path))
        conn.execute("create or replace table marts.fct_wide as select i as id, i * 1.5 + ? as value_bn, "
                     "repeat('x', 64) || i as label from range(400000) t(i)", [rebuild])
        compact_warehouse(conn, path)
        conn.close()
        sizes.append(path.stat().st_size)
    assert max(sizes) <= 1.1 * first, (first, sizes)


def test_a_file_with_few_free_blocks_is_left_as_it_is(tmp_path):
    path = tmp_path / "reverse_qe.duckdb"
    conn = rebuilt_warehouse(path, rebuilds=1)
    inode = os.stat(path).st_ino
    result = compact_warehouse(conn, path)
    conn.close()
    assert not result.compacted and os.stat(path).st_ino == inode and result.bytes_after == result.bytes_before


def test_only_a_killed_compactions_own_temporaries_are_removed(tmp_path):
    path = tmp_path / "reverse_qe.duckdb"
    path.write_bytes(b"")
    leftover = tmp_path / f".reverse_qe.duckdb.compact.{'a' * 32}.tmp"
    others = [tmp_path / f".reverse_qe.duckdb.{'b' * 32}.tmp", tmp_path / "notes.compact.tmp",
              tmp_path / f".published.duckdb.compact.{'c' * 32}.tmp"]
    for file in [leftover, tmp_path / f"{leftover.name}.wal", *others]:
        file.write_bytes(b"x")
    assert sorted(p.name for p in remove_compaction_leftovers(path)) == [leftover.name, f"{leftover.name}.wal"]
    assert all(other.exists() for other in others)
