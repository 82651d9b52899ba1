"""``raw.quarantine``: every rejected batch with its reason, documents and offending rows.

No Dagster here. Written in its own transaction, never together with a raw table's upsert, so a
rejected batch is kept while the previous good raw data stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

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
