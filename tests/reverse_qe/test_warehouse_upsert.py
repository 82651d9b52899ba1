"""Raw tables are upserted by natural key: same input, same table; newer rows replace, the rest stay."""

import duckdb
import pandas as pd
import pytest

from reverse_qe.warehouse import RawTable, upsert

TABLE = RawTable(
    "series",
    {"series_id": "varchar", "observation_date": "date", "value": "double"},
    key=("series_id", "observation_date"),
)


def batch(rows):
    return pd.DataFrame(rows, columns=["series_id", "observation_date", "value"]).assign(
        observation_date=lambda f: pd.to_datetime(f["observation_date"]), source_mode="replay", source_uri="f.csv"
    )


def table_rows(conn):
    return conn.execute("select series_id, cast(observation_date as varchar), value from raw.series order by 1, 2").fetchall()


@pytest.fixture
def conn(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        yield connection


def test_same_input_gives_same_table(conn):
    rows = [("A", "2025-01-01", 1.0), ("A", "2025-01-02", 2.0)]
    upsert(conn, TABLE, batch(rows))
    first = table_rows(conn)
    result = upsert(conn, TABLE, batch(rows))
    assert table_rows(conn) == first
    assert (result.rows_in_batch, result.rows_replaced, result.rows_after) == (2, 2, 2)


def test_newer_download_replaces_what_it_covers_and_keeps_older_history(conn):
    upsert(conn, TABLE, batch([("A", "2020-01-01", 1.0), ("A", "2025-01-01", 2.0), ("B", "2025-01-01", 9.0)]))
    # A rolling-window source: the new download starts in 2025 and revises one value.
    upsert(conn, TABLE, batch([("A", "2025-01-01", 2.5), ("A", "2025-01-02", 3.0)]))
    assert table_rows(conn) == [
        ("A", "2020-01-01", 1.0),
        ("A", "2025-01-01", 2.5),
        ("A", "2025-01-02", 3.0),
        ("B", "2025-01-01", 9.0),
    ]


def test_a_batch_that_cannot_be_typed_changes_nothing(conn):
    upsert(conn, TABLE, batch([("A", "2025-01-01", 1.0)]))
    bad = pd.DataFrame({"series_id": ["A"], "observation_date": ["not a date"], "value": [5.0],
                        "source_mode": ["replay"], "source_uri": ["f.csv"]})
    with pytest.raises(duckdb.Error):
        upsert(conn, TABLE, bad)
    assert table_rows(conn) == [("A", "2025-01-01", 1.0)]


def test_missing_columns_are_named(conn):
    with pytest.raises(ValueError, match=r"lacks columns \['value'\]"):
        upsert(conn, TABLE, batch([("A", "2025-01-01", 1.0)]).drop(columns="value"))


def test_identifiers_are_checked():
    with pytest.raises(ValueError, match="not a safe SQL identifier"):
        RawTable("x; drop table y", {"a": "int"}, key=("a",)).ddl()


def test_every_raw_table_carries_the_lineage_columns_after_its_own():
    assert list(TABLE.columns) == ["series_id", "observation_date", "value", "source_mode", "source_uri"]


def row_ids(conn):
    return conn.execute("select rowid from raw.series order by all").fetchall()


def test_a_batch_that_repeats_the_stored_rows_changes_none_and_writes_nothing(conn):
    rows = [("A", "2025-01-01", 1.0), ("A", "2025-01-02", None)]
    assert upsert(conn, TABLE, batch(rows)).rows_changed == 2  # a first load: every row is new
    stored = row_ids(conn)
    repeated = upsert(conn, TABLE, batch(rows))  # NULLs compare equal: the row with none is no change
    assert (repeated.rows_changed, repeated.rows_replaced, repeated.rows_after) == (0, 2, 2)
    assert row_ids(conn) == stored  # not deleted and inserted again


def test_rows_changed_counts_the_new_and_the_altered_rows_once_each(conn):
    upsert(conn, TABLE, batch([("A", "2025-01-01", 1.0), ("A", "2025-01-02", 2.0), ("B", "2025-01-01", 9.0)]))
    # one value revised, one row as stored, one new day; B is not covered
    result = upsert(conn, TABLE, batch([("A", "2025-01-01", 1.0), ("A", "2025-01-02", 2.5), ("A", "2025-01-03", 3.0)]))
    assert (result.rows_changed, result.rows_replaced, result.rows_after) == (2, 2, 4)
    assert table_rows(conn)[1:3] == [("A", "2025-01-02", 2.5), ("A", "2025-01-03", 3.0)]
    # a row read from another file is another row: its lineage is part of it
    moved = upsert(conn, TABLE, batch([("B", "2025-01-01", 9.0)]).assign(source_uri="g.csv"))
    assert moved.rows_changed == 1
