"""The same raw tables give byte-identical marts, so a hash of a mart says whether anything changed
(a re-run, or a real revision) rather than the last digits of a parallel sum.

DuckDB sums floating-point values in whatever order its threads finish; before dbt's connection
was limited to one thread (dbt_project/profiles.yml), two builds of the scenario differed in 9
tables (the chain, the Treasury supply and the score) by up to 9.4e-14 relative. A model whose result
does not depend on that order runs on every thread (macros/threads.sql), its rows written in the
order of its key: without that order, two builds differed in the chain's rounds and the implied
flows, which read those rows on one thread.
"""

import json
from pathlib import Path

import duckdb
import pytest

from reverse_qe.table_fingerprints import quoted
from tests.conftest import copy_run, run_dbt

pytestmark = pytest.mark.slow


def table_hashes(warehouse) -> dict[str, tuple[int, str]]:
    """Each intermediate and mart table's row count and md5 of its rows as text, in a fixed order.
    DuckDB writes a double as the shortest text that reads back to the same bits, so two tables
    hash alike only when every value is identical to the last bit. Done in DuckDB: fetching the
    rows into Python to hash them took 10 s a call at scale 1 (600k rows in the largest table)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = conn.execute("select schema_name, table_name from duckdb_tables() "
                              "where schema_name in ('intermediate', 'marts') order by all").fetchall()
        return {f"{schema}.{table}": conn.execute(
                    "select count(*), md5(string_agg(t::varchar, chr(10) order by t)) "
                    f"from {quoted(schema)}.{quoted(table)} t").fetchone()
                for schema, table in tables}


def dbt_run(warehouse: Path, tmp_path: Path, *args: str) -> None:
    """``dbt run *args`` on ``warehouse``, its target under ``tmp_path``; it must succeed."""
    done = run_dbt("run", warehouse, tmp_path / "target", *args)
    assert done.returncode == 0, done.stdout[-3000:]


def test_a_rebuild_from_the_same_raw_tables_gives_byte_identical_marts(scenario_run, tmp_path):
    run = copy_run(scenario_run, tmp_path / "again")
    before = table_hashes(run.warehouse)
    assert len([t for t in before if t.startswith("marts.")]) >= 8
    # --full-refresh: a plain run would rebuild no quarter of the models incremental by quarter
    dbt_run(run.warehouse, tmp_path, "--full-refresh")
    after = table_hashes(run.warehouse)
    assert after == before, sorted(t for t in before if after.get(t) != before[t])


def threads_statements(log: Path) -> dict[str, list[str]]:
    """Each model's statements about DuckDB's threads, from dbt's debug log in JSON lines."""
    said: dict[str, list[str]] = {}
    for line in log.read_text().splitlines():
        event = json.loads(line)
        sql = " ".join(event["data"].get("sql", "").split())
        if event["info"]["name"] == "SQLQuery" and sql.endswith(("set threads = 1", "reset threads")):
            said.setdefault(event["data"]["node_info"]["unique_id"], []).append(sql.rsplit("*/ ", 1)[-1])
    return said


def test_only_the_models_marked_order_independent_get_every_core(scenario_run, tmp_path):
    """macros/threads.sql: a model marked ``order_independent`` runs on all of DuckDB's threads; any
    other model (a sum of doubles would change in its last bits) on one, whatever ran before it."""
    run = copy_run(scenario_run, tmp_path / "threads")
    # positions: marked and incremental by quarter; asset groups: marked; the rounds: not marked
    models = ["model.reverse_qe.int_holdings__positions", "model.reverse_qe.int_securities__asset_groups",
              "model.reverse_qe.int_chain__rounds"]
    dbt_run(run.warehouse, tmp_path, "--log-path", str(tmp_path / "logs"), "--log-level-file", "debug",
            "--log-format-file", "json", "-s", *(m.rsplit(".", 1)[-1] for m in models))
    assert threads_statements(tmp_path / "logs" / "dbt.log") == {
        models[0]: ["reset threads"], models[1]: ["reset threads"], models[2]: ["set threads = 1"]}
