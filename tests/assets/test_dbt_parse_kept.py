"""A dbt build on a warehouse other than the one ``make manifest`` parsed for parses the project
once, keeps that parse beside the warehouse, and the next build there starts from it
(``reverse_qe.dbt_parse``). Real dbt, through the pipeline's own dbt resource."""

from __future__ import annotations

import duckdb

from assets.resources import build_resources
from reverse_qe.dbt_parse import kept_parse_path

REPARSED = "Unable to do partial parsing"  # what dbt logs when it parses the whole project again


def seed_one(dbt):
    """One small seed, as a build starts: the resource picks the target folder."""
    invocation = dbt.cli(["seed", "--select", "fred_series"], raise_on_error=True)
    invocation.wait()
    dbt.keep_parse(invocation)
    return invocation, (invocation.target_path / "dbt.log").read_text()


def test_a_build_keeps_its_parse_and_the_next_build_on_that_warehouse_starts_from_it(tmp_path, monkeypatch):
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("RQE_WAREHOUSE", str(warehouse))
    dbt = build_resources()["dbt"]
    kept = kept_parse_path(warehouse)
    kept.write_bytes(b"not a parse")  # a damaged one: dbt parses again, as with none

    _, first_log = seed_one(dbt)
    assert REPARSED in first_log or "Failed to load parsed file from disk" in first_log, first_log[-3000:]
    assert kept.read_bytes() != b"not a parse"
    made = kept.stat().st_mtime_ns

    second, second_log = seed_one(dbt)
    assert REPARSED not in second_log, second_log[-3000:]
    assert (second.target_path / "partial_parse.msgpack").read_bytes() == kept.read_bytes()
    assert kept.stat().st_mtime_ns == made  # nothing new to keep: dbt reused it whole
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.fred_series").fetchone()[0] > 0
