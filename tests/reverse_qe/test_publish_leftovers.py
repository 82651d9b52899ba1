"""A publish killed midway leaves its temporaries: the next publish removes them (and only them)."""

from __future__ import annotations

import os
import uuid

import duckdb

from reverse_qe.warehouse import PARQUET_FOLDER, publish_copy


def _publish(warehouse, target):
    with duckdb.connect(str(warehouse)) as conn:
        return publish_copy(conn, target, run_id="r", source_mode="scenario", code_version="test")


def test_the_next_publish_removes_what_a_killed_publish_left_and_nothing_else(tmp_path):
    warehouse = tmp_path / "reverse_qe.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.fct_x as select 1 as week, 2.5 as score")
    target = tmp_path / "published" / "published.duckdb"
    _publish(warehouse, target)
    folder = target.parent
    live_parquet = os.readlink(folder / PARQUET_FOLDER)

    # what a publish killed midway leaves: the copy being written, its WAL, a Parquet export, a staged link
    hex_id = uuid.uuid4().hex
    stale = [folder / f".published.duckdb.{hex_id}.tmp", folder / f".published.duckdb.{hex_id}.tmp.wal",
             folder / f".{PARQUET_FOLDER}.{uuid.uuid4().hex}", folder / f".{PARQUET_FOLDER}.{uuid.uuid4().hex}.old",
             folder / f".{PARQUET_FOLDER}.{uuid.uuid4().hex}.link"]
    stale[0].write_bytes(b"half a copy")
    stale[1].write_bytes(b"wal")
    for directory in stale[2:4]:
        (directory / "marts").mkdir(parents=True)
        (directory / "marts" / "fct_x.parquet").write_bytes(b"half")
    stale[4].symlink_to(stale[2].name)
    # not of its naming pattern: never touched
    others = [folder / ".published.duckdb.notes.tmp", folder / "keep.txt", folder / f".{PARQUET_FOLDER}.backup",
              folder / f".other.duckdb.{uuid.uuid4().hex}.tmp"]
    for path in others:
        path.write_text("mine")

    _publish(warehouse, target)

    assert [p for p in stale if p.exists() or p.is_symlink()] == []
    assert all(p.read_text() == "mine" for p in others)
    assert not (folder / live_parquet).exists()  # the previous export, replaced as usual
    with duckdb.connect(str(target), read_only=True) as conn:
        assert conn.execute("select week, score from marts.fct_x").fetchall() == [(1, 2.5)]
    parquet = folder / PARQUET_FOLDER / "marts" / "fct_x.parquet"
    assert duckdb.sql(f"select count(*) from '{parquet}'").fetchall() == [(1,)]
    leftovers = sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p not in others)
    assert leftovers == [os.readlink(folder / PARQUET_FOLDER)]  # only the live Parquet folder
