"""The published copy tells analysts that a batch was rejected and why (a count and the failed
checks), never what it held: a rejected document's rows and message quote its content (a replay
file's first line, a server's page), which stay in the warehouse's raw.quarantine only."""

from __future__ import annotations

import duckdb

from reverse_qe.warehouse import QuarantineRecord, publish_copy, write_quarantine

CONTENT = "root:x:0:0:root:/root:/bin/bash"


def test_the_published_quarantine_holds_a_count_and_a_reason_per_batch_not_the_content(tmp_path):
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        write_quarantine(conn, QuarantineRecord(
            "run1/fred_observations", "raw/fred_observations", "fred", ["/replay/fred/WALCL.csv"], "parse",
            f"could not parse: expected a header, found {CONTENT!r}", ["source_format"],
            [{"source_uri": "/replay/fred/WALCL.csv", "document_row": 1, "reason": CONTENT}]))
        write_quarantine(conn, QuarantineRecord(
            "run2/stooq_daily_prices", "raw/stooq_daily_prices", "stooq", ["x"], "validation", "range",
            ["expect_column_values_to_be_between", "unique_key"], [{"close": -1}, {"close": -2}]))
        publish_copy(conn, published)
        assert CONTENT in str(conn.execute("select reason from raw.quarantine").fetchall())  # kept here
    with duckdb.connect(str(published), read_only=True) as conn:
        rows = conn.execute("select batch_id, stage, reason, offending_row_count from raw.quarantine order by 1").fetchall()
        columns = [c for (c,) in conn.execute("select column_name from duckdb_columns() where table_name = 'quarantine'").fetchall()]
    assert rows == [("run1/fred_observations", "parse", "source_format", 1),
                    ("run2/stooq_daily_prices", "validation", "expect_column_values_to_be_between, unique_key", 2)]
    assert "offending_rows" not in columns and "locations" not in columns
    assert CONTENT.encode() not in published.read_bytes()
