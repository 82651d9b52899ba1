"""The publish copies only the tables whose content changed, and stays atomic: an unchanged table is
neither rewritten in the copy nor in Parquet, a changed one is, the result equals a full copy, and a
reader in another process sees only whole states of the warehouse."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import duckdb

from reverse_qe.table_fingerprints import fingerprints
from reverse_qe.warehouse import PARQUET_FOLDER, publish_copy
from tests.conftest import REPO

MARTS = """
create schema marts; create schema raw;
create table marts.fct_a (week date primary key, score double);
insert into marts.fct_a select d::date, i * 1.5 from range(date '2020-01-01', date '2021-01-01', interval 7 day) t(d),
    (select 1 as i);
comment on table marts.fct_a is 'Scores by week; it''s the a';
comment on column marts.fct_a.score is 'The score, 0..100';
create table marts.fct_b as select 1 as x;
create table raw.c as select range as id from range(1000);
"""


def _publish(warehouse, target, **kwargs):
    with duckdb.connect(str(warehouse)) as conn:
        return publish_copy(conn, target, run_id="r", source_mode="scenario", code_version="test", **kwargs)


def _parquet(target, schema, table):
    return target.parent / PARQUET_FOLDER / schema / f"{table}.parquet"


def _published_prints(path):
    with duckdb.connect(str(path), read_only=True) as conn:
        name = conn.execute("select current_database()").fetchone()[0]
        return {k: v.digest for k, v in fingerprints(conn, name, skip_schemas=("meta",)).items()}


def test_an_unchanged_table_is_not_rewritten_and_a_changed_one_is(tmp_path):
    warehouse, target = tmp_path / "w.duckdb", tmp_path / "pub" / "published.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(MARTS)
    first = _publish(warehouse, target)
    assert (first.tables, first.tables_copied, first.parquet_linked) == (3, 3, 0)
    a_before, b_before = _parquet(target, "marts", "fct_a").stat(), _parquet(target, "marts", "fct_b").stat()
    with duckdb.connect(str(target), read_only=True) as conn:
        changed_before = dict(conn.execute("select table_name, changed_at_utc from meta.published_tables").fetchall())

    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create or replace table marts.fct_b as select 2 as x")  # b changes
        # a is rebuilt as dbt rebuilds a table model: the same rows, another order
        conn.execute("create table marts.tmp as select * from marts.fct_a order by week desc")
        conn.execute("delete from marts.fct_a; insert into marts.fct_a select * from marts.tmp; drop table marts.tmp")
    second = _publish(warehouse, target)

    assert (second.tables, second.tables_copied) == (3, 1)
    assert second.parquet_linked == 1  # fct_a's file kept; fct_b's and meta's written
    # where the seconds went, each part once, in order, adding up to no more than the whole
    assert list(second.phases) == ["fingerprints", "previous", "tables", "meta", "parquet", "swap"]
    assert all(seconds >= 0 for seconds in second.phases.values())
    assert sum(second.phases.values()) <= second.seconds + 0.01
    a_after, b_after = _parquet(target, "marts", "fct_a").stat(), _parquet(target, "marts", "fct_b").stat()
    assert (a_after.st_ino, a_after.st_mtime_ns) == (a_before.st_ino, a_before.st_mtime_ns)
    assert b_after.st_ino != b_before.st_ino
    assert duckdb.sql(f"select x from '{_parquet(target, 'marts', 'fct_b')}'").fetchall() == [(2,)]
    with duckdb.connect(str(target), read_only=True) as conn:
        assert conn.execute("select x from marts.fct_b").fetchall() == [(2,)]
        changed = dict(conn.execute("select table_name, changed_at_utc from meta.published_tables").fetchall())
    assert changed["fct_a"] == changed_before["fct_a"] and changed["c"] == changed_before["c"]
    assert changed["fct_b"] > changed_before["fct_b"]


def test_the_incremental_copy_equals_a_full_copy(tmp_path):
    warehouse, target, full = tmp_path / "w.duckdb", tmp_path / "pub" / "published.duckdb", tmp_path / "full.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(MARTS)
        conn.execute("create schema staging; create view staging.v as select * from marts.fct_b")
    _publish(warehouse, target)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.fct_a set score = score + 1 where week = date '2020-01-01'")  # a value
        conn.execute("comment on column marts.fct_a.week is 'Week''s Monday'")  # a comment
        conn.execute("drop table raw.c")  # a table gone
        conn.execute("create table raw.d (id integer primary key, name varchar)")  # a table new, empty
        conn.execute("create schema intermediate; create table intermediate.e as select 'x' as s")  # a schema new
    result = _publish(warehouse, target)
    _publish(warehouse, full, incremental=False)

    assert result.tables_copied == 3  # fct_a, raw.d, intermediate.e
    assert _published_prints(target) == _published_prints(full)
    assert ("raw", "c") not in _published_prints(target)
    with duckdb.connect(str(target), read_only=True) as conn:
        assert conn.execute("select count(*) from duckdb_views() where not internal").fetchone()[0] == 0
        assert conn.execute("select comment from duckdb_tables() where table_name = 'fct_a'").fetchone()[0] == \
            "Scores by week; it's the a"
        assert conn.execute("select tags['storage_version'] from duckdb_databases() where database_name = "
                            "current_database()").fetchone()[0].startswith("v1.2.0")


def test_a_copy_published_before_fingerprints_is_replaced_whole(tmp_path):
    warehouse, target = tmp_path / "w.duckdb", tmp_path / "pub" / "published.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(MARTS)
    _publish(warehouse, target)
    with duckdb.connect(str(target)) as conn:  # as a publish of the code before meta.published_tables left it
        conn.execute("drop table meta.published_tables")
    again = _publish(warehouse, target)
    assert again.tables_copied == 3
    # the Parquet export records its own fingerprints: its unchanged marts are still kept
    assert again.parquet_linked == 2


def test_a_parquet_folder_of_an_older_publish_is_not_reused(tmp_path):
    """The published file and the Parquet folder are swapped one after the other: if only the first
    swap happened, the folder is of an older state, and its files must not be kept as unchanged."""
    warehouse, target = tmp_path / "w.duckdb", tmp_path / "pub" / "published.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(MARTS)
    _publish(warehouse, target)
    link = target.parent / PARQUET_FOLDER
    older = target.parent / ".older-export"
    shutil.copytree(link.resolve(), older)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create or replace table marts.fct_b as select 3 as x")
    _publish(warehouse, target)
    link.unlink()
    link.symlink_to(older.name)  # the published file is of the new state, the Parquet folder of the old

    again = _publish(warehouse, target)
    assert again.tables_copied == 0
    assert duckdb.sql(f"select x from '{_parquet(target, 'marts', 'fct_b')}'").fetchall() == [(3,)]
    assert again.parquet_linked == 1  # fct_a: the same in both states


def test_a_reader_in_another_process_never_sees_a_mix_of_two_publishes(tmp_path):
    """Each publish changes the mart and the raw table it comes from together, beside a larger table
    that never changes (copied once, then kept): a reader polling the published file sees the two
    always agreeing, whichever publish it catches."""
    warehouse, target = tmp_path / "w.duckdb", tmp_path / "pub" / "published.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create schema marts; create schema raw")
        conn.execute("create table marts.fct_liquidity_bathtub as select date '2020-01-01' + (7 * i)::integer as week_ending, "
                     "i * 1.0 as net_liquidity_bn from range(100) t(i)")
        conn.execute("create table raw.fred_observations as select 'WALCL' as series_id, date '2020-01-01' + (7 * i)::integer "
                     "as observation_date, i * 1.0 as value from range(100) t(i)")
        conn.execute("create table raw.unchanged as select range as id, md5(range::varchar) as h from range(300000)")
    _publish(warehouse, target)

    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, str(REPO / "tests" / "published_reader.py"), str(target), str(stop), "120"],
                              cwd=REPO, stdout=subprocess.PIPE, text=True)
    copied = []
    for week in range(100, 112):
        with duckdb.connect(str(warehouse)) as conn:
            conn.execute("insert into marts.fct_liquidity_bathtub values (date '2020-01-01' + 7 * ?::integer, ?)", [week, week])
            conn.execute("insert into raw.fred_observations values ('WALCL', date '2020-01-01' + 7 * ?::integer, ?)", [week, week])
        copied.append(_publish(warehouse, target).tables_copied)
        time.sleep(0.1)
    stop.touch()
    report = json.loads(reader.communicate(timeout=60)[0])

    assert copied == [2] * 12  # the unchanged table is never copied again
    assert report["error_count"] == 0, report["errors"]
    states = [state.split("|") for state in report["states"]]
    assert len(states) >= 2, report  # it did read across publishes
    assert all(rows == walcl_weeks for rows, _, walcl_weeks in states), report["states"]
    assert os.readlink(target.parent / PARQUET_FOLDER).startswith(f".{PARQUET_FOLDER}.")


def test_a_copy_in_another_storage_format_is_replaced_whole_in_the_published_one(tmp_path):
    warehouse, target = tmp_path / "w.duckdb", tmp_path / "pub" / "published.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(MARTS)
    _publish(warehouse, target)
    newer = tmp_path / "newer.duckdb"  # the same copy, fingerprints included, in DuckDB 2.0's own format
    with duckdb.connect(str(newer)) as conn:
        conn.execute("attach ? as old (read_only)", [str(target)])
        conn.execute("copy from database old to newer")
    os.replace(newer, target)
    again = _publish(warehouse, target)
    assert again.tables_copied == 3
    with duckdb.connect(str(target), read_only=True) as conn:
        assert conn.execute("select tags['storage_version'] from duckdb_databases() where database_name = "
                            "current_database()").fetchone()[0].startswith("v1.2.0")


# A model incremental by quarter as dbt leaves it (dbt_project/macros/quarterly.sql): its rows, and
# per quarter the input fingerprint and the dbt invocation that wrote them.
QUARTERLY = """
create schema meta; create schema intermediate;
create table meta.dbt_quarter_builds (model_name varchar not null, quarter_end date not null,
    inputs_fingerprint varchar not null, keys_tested boolean default false, built_by_invocation varchar);
create table intermediate.int_q (quarter_end date, x double);
insert into intermediate.int_q values ('2026-03-31', 1.0), ('2026-06-30', 2.0);
insert into meta.dbt_quarter_builds values ('int_q', '2026-03-31', 'f1', false, 'inv-1'), ('int_q', '2026-06-30', 'f2', false, 'inv-1');
"""


def _published_x(target):
    with duckdb.connect(str(target), read_only=True) as conn:
        return conn.execute("select x from intermediate.int_q order by quarter_end").fetchall()


def test_a_quarterly_table_is_copied_when_its_build_record_changes_and_not_for_its_rows_alone(tmp_path):
    warehouse, target = tmp_path / "w.duckdb", tmp_path / "pub" / "published.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(MARTS + QUARTERLY)
    assert _publish(warehouse, target).tables_copied == 4

    def change_then_publish(sql):
        with duckdb.connect(str(warehouse)) as conn:
            conn.execute(sql)
        return _publish(warehouse, target).tables_copied

    # a passed key test marks its quarters: no row is written
    assert change_then_publish("update meta.dbt_quarter_builds set keys_tested = true") == 0
    # dbt rebuilds June from new inputs: its rows and its record, in one transaction
    assert change_then_publish(
        "begin; delete from intermediate.int_q where quarter_end = '2026-06-30'; "
        "insert into intermediate.int_q values ('2026-06-30', 3.0); "
        "update meta.dbt_quarter_builds set inputs_fingerprint = 'f3', built_by_invocation = 'inv-2' "
        "where quarter_end = '2026-06-30'; commit") == 1
    assert _published_x(target) == [(1.0,), (3.0,)]
    # --full-refresh: the same inputs, every quarter written again (its doubles may differ in the last bits)
    assert change_then_publish("update intermediate.int_q set x = x + 1e-15; "
                               "update meta.dbt_quarter_builds set built_by_invocation = 'inv-3'") == 1
    # a column added to the model (dbt's append_new_columns) changes its DDL
    assert change_then_publish("alter table intermediate.int_q add column y integer") == 1
    # the price, documented in reverse_qe/table_fingerprints.py: a row changed by hand, outside dbt,
    # is not seen while the record stands (a row added or removed is: the count is in the fingerprint)
    assert change_then_publish("update intermediate.int_q set x = 9 where quarter_end = '2026-03-31'") == 0
    assert _published_x(target) == [(1.0 + 1e-15,), (3.0 + 1e-15,)]
    assert change_then_publish("insert into intermediate.int_q values ('2026-06-30', 4.0, null)") == 1


def test_without_the_invocation_in_the_build_record_a_quarterly_table_is_hashed_by_its_rows(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        conn.execute(QUARTERLY + "alter table meta.dbt_quarter_builds drop column built_by_invocation")
        name = conn.execute("select current_database()").fetchone()[0]
        before = fingerprints(conn, name, skip_schemas=("meta",))
        conn.execute("update intermediate.int_q set x = 9 where quarter_end = '2026-03-31'")
        assert fingerprints(conn, name, skip_schemas=("meta",)) != before
