"""Compacting the working warehouse after a transform, so its file does not stay half empty.

DuckDB reuses the blocks a dropped table frees but never hands them back to the file system, and
``CHECKPOINT``/``VACUUM`` leave the file as it is. dbt rebuilds every table it builds (drop and
create), so after one rebuild the scenario's warehouse was 109 MB of which 47 MB were free blocks
(187 of 417), against 60 MB right after the first build; a copy of the database into a new file has
no free block. ``COPY FROM DATABASE`` keeps every schema, table, view, column comment (the marts'
``persist_docs``), constraint (the raw tables' keys the upserts need) and row: checked on the
scenario's warehouse, and in ``tests/reverse_qe/test_warehouse_compact.py``.

Only from the writer's own read-write connection, which holds DuckDB's lock on the file throughout:
no other process can write or even open the file between the copy and the swap, and a process
waiting for the lock opens the new file afterwards. The copy goes into a temporary file beside the
warehouse and is swapped in with one ``os.replace``; a compaction that fails or is killed midway
leaves the working file as it was (the next compaction removes its temporary file). The published
copy is another file, written before, and not touched.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Compact once free blocks are at least this share of the file: a rebuild of every model frees
# ~45% (see above); a daily run that rebuilds a few models frees less, and waits for the next.
COMPACT_FROM_FREE_SHARE = 0.25


@dataclass(frozen=True)
class Compaction:
    path: str
    bytes_before: int
    bytes_after: int
    free_share_before: float
    compacted: bool
    seconds: float


def free_share(conn: duckdb.DuckDBPyConnection) -> float:
    """Free blocks over all blocks of the connection's own database file (0 for an empty file)."""
    free, total = conn.execute(
        "select free_blocks, total_blocks from pragma_database_size() where database_name = current_database()"
    ).fetchone()
    return free / total if total else 0.0


def remove_compaction_leftovers(path: Path) -> list[Path]:
    """The temporary files (and their ``.wal``) a compaction killed midway left beside ``path``."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.compact\.[0-9a-f]{{32}}\.tmp(\.wal)?")
    removed = [p for p in path.parent.iterdir() if pattern.fullmatch(p.name) and p.is_file() and not p.is_symlink()]
    for leftover in removed:
        leftover.unlink()
    return removed


def compact_warehouse(conn: duckdb.DuckDBPyConnection, path: Path, *,
                      from_free_share: float = COMPACT_FROM_FREE_SHARE) -> Compaction:
    """Copy the database ``conn`` has open read-write (the file ``path``) into a new file and swap it
    in, when at least ``from_free_share`` of the file is free blocks; else leave it. The caller
    closes ``conn`` right after: it still holds the old file, which the swap unlinked."""
    started = time.perf_counter()
    path = Path(path)
    remove_compaction_leftovers(path)
    conn.execute("checkpoint")  # what the WAL holds is in the file, so its size and blocks are current
    before, share = path.stat().st_size, free_share(conn)
    if share < from_free_share:
        return Compaction(str(path), before, before, share, False, time.perf_counter() - started)
    temporary = path.with_name(f".{path.name}.compact.{uuid.uuid4().hex}.tmp")
    catalog = conn.execute("select current_database()").fetchone()[0]
    try:
        conn.execute("attach ? as rqe_compact", [str(temporary)])
        try:
            conn.execute(f"copy from database {_identifier(catalog)} to rqe_compact")
        finally:
            conn.execute("detach rqe_compact")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    return Compaction(str(path), before, path.stat().st_size, share, True, time.perf_counter() - started)


def _identifier(name: str) -> str:
    """A catalog name read from DuckDB itself, double-quoted."""
    return '"' + name.replace('"', '""') + '"'
