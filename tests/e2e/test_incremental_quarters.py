"""The holdings and chain models rebuild only the quarters whose inputs changed (macros/quarterly.sql),
and what they leave is what a full rebuild would give.

"Untouched" is observed from outside the mechanism: before a build, the rows of a quarter are
deleted from every quarterly table. A build that leaves the quarter alone cannot bring them back;
one that rebuilds it does. The rows are put back afterwards, and the tables compared with
``dbt run --full-refresh`` on the same raw tables: the same rows, doubles within 1e-12 relative,
decimals within their last place. Not byte for byte, as tests/e2e/test_deterministic_marts.py
compares two full builds: a rebuilt quarter's rows sit after the others in its table, and a model
reading a few quarters joins them in another order than one reading all, so a sum of doubles can
add up in another order (measured: 2.6e-14 relative at most).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from decimal import Decimal

import duckdb
import pytest

from tests.conftest import DBT, REPO, copy_run, isolated_env
from tests.e2e.test_deterministic_marts import table_hashes

pytestmark = pytest.mark.slow

# The models incremental by quarter: the 13F holdings and the chain, keyed by quarter end.
QUARTERLY = {
    "intermediate.int_holdings__reference_prices", "intermediate.int_holdings__filing_units",
    "intermediate.int_holdings__effective_filings", "intermediate.int_holdings__positions",
    "intermediate.int_holdings__option_positions", "intermediate.int_holdings__restatements",
    "intermediate.int_holdings__implied_flows", "intermediate.int_chain__exposures",
    "intermediate.int_chain__shocks", "intermediate.int_chain__rounds",
    "intermediate.int_chain__scenario_outcomes", "marts.fct_chain_bands",
    "marts.fct_chain_asset_vulnerability", "marts.fct_chain_holder_systemicness",
    "marts.fct_13f_unit_reconciliation", "marts.fct_13f_unit_exceptions",
}
EARLIER, LATEST = dt.date(2024, 6, 30), dt.date(2026, 9, 30)  # the scenario's last 13F period to 2026-11-27
AMENDED, NEXT, UNRELATED = dt.date(2024, 6, 30), dt.date(2024, 9, 30), dt.date(2023, 3, 31)
# dbt's models downstream of the 13F raw tables: the holdings, the chain and their marts
FROM_13F = ["--select", ("source:raw.sec13f_submissions+ source:raw.sec13f_coverpages+ "
                         "source:raw.sec13f_summarypages+ source:raw.sec13f_infotable+")]


def quarterly_models() -> dict[str, str]:
    """Each model the manifest declares incremental by quarter, with the column holding its quarter."""
    manifest = json.loads((REPO / "dbt_project" / "target" / "manifest.json").read_text())
    return {f"{node['config']['schema']}.{node['name']}": node["config"]["unique_key"]
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"].get("incremental_strategy") == "quarters"}


def take_out(warehouse, quarters) -> dict:
    """Delete the rows of ``quarters`` from every quarterly table; return them to put back."""
    taken = {}
    with duckdb.connect(str(warehouse)) as conn:
        for table, key in quarterly_models().items():
            for quarter in quarters:
                rows = conn.execute(f"select * from {table} where {key} = ?", [quarter]).fetchall()
                if rows:
                    conn.execute(f"delete from {table} where {key} = ?", [quarter])
                    taken[(table, quarter)] = rows
    return taken


def back_again(warehouse, taken) -> dict:
    """For each (table, quarter) taken out, whether a build has written its rows again; then the
    rows taken out are put back where nothing was."""
    rebuilt = {}
    with duckdb.connect(str(warehouse)) as conn:
        keys = quarterly_models()
        for (table, quarter), rows in taken.items():
            present = conn.execute(f"select count(*) from {table} where {keys[table]} = ?", [quarter]).fetchone()[0]
            rebuilt[(table, quarter)] = present > 0
            if not present:
                marks = ", ".join("?" * len(rows[0]))
                conn.executemany(f"insert into {table} values ({marks})", rows)
    return rebuilt


def table_rows(warehouse) -> dict[str, list[tuple]]:
    """Every intermediate and mart table's rows, sorted with doubles rounded to 9 significant digits
    (so that two rows differing in the last bits of a sum sort alike)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = conn.execute("select schema_name, table_name from duckdb_tables() "
                              "where schema_name in ('intermediate', 'marts') order by all").fetchall()
        return {f"{schema}.{table}": sorted(conn.execute(f'select * from "{schema}"."{table}"').fetchall(),
                                            key=lambda row: [repr(f"{v:.9g}" if isinstance(v, float) else v) for v in row])
                for schema, table in tables}


def largest_difference(rows: list[tuple], others: list[tuple]) -> float:
    """The largest relative difference between two tables' doubles, row by row; inf where any other
    value, or the row count, differs. A decimal may differ by one unit of its last place: the marts
    round a double to 6 places (macros/units.sql), and a last-bit difference can tip that rounding."""
    if len(rows) != len(others):
        return math.inf
    gap = 0.0
    for row, other in zip(rows, others):
        for a, b in zip(row, other):
            if isinstance(a, Decimal) and isinstance(b, Decimal):
                if abs(a - b) > Decimal(1).scaleb(a.as_tuple().exponent):
                    return math.inf
            elif isinstance(a, float) and isinstance(b, float):
                if math.isnan(a) or math.isnan(b):
                    gap = gap if math.isnan(a) and math.isnan(b) else math.inf
                else:
                    gap = max(gap, abs(a - b) / max(abs(a), abs(b), 1e-300))
            elif a != b:
                return math.inf
    return gap


def dbt_run(warehouse, tmp_path, *args: str) -> None:
    done = subprocess.run([DBT, "run", "--profiles-dir", ".", "--target-path", str(tmp_path / "target"), *args],
                          check=False, cwd=REPO / "dbt_project", capture_output=True, text=True, timeout=900,
                          env={**os.environ, "RQE_WAREHOUSE": str(warehouse), "DO_NOT_TRACK": "1"})
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_quarterly_models_are_the_holdings_and_chain_models_keyed_by_quarter():
    assert set(quarterly_models()) == QUARTERLY


def test_a_weekday_leaves_every_quarter_of_the_chain_as_it_was(scenario_run, tmp_path):
    run = copy_run(scenario_run, tmp_path / "weekday")
    taken = take_out(run.warehouse, [EARLIER, LATEST])
    # every quarterly table has rows there but the unit exceptions (planted in 2022 only)
    assert {table for table, _ in taken} == QUARTERLY - {"marts.fct_13f_unit_exceptions"}
    before = table_hashes(run.warehouse)

    # a week later: the weekday schedule's job, then the transform the sensor starts after it
    weekday = subprocess.run([sys.executable, "-m", "orchestration.cli", "daily_ingest", "transform_and_publish"],
                             check=False, cwd=REPO, env=isolated_env(run.root, RQE_SCENARIO_END="2026-11-27"),
                             capture_output=True, text=True, timeout=900)
    assert weekday.returncode == 0, (weekday.stdout + weekday.stderr)[-3000:]
    after = table_hashes(run.warehouse)
    assert after["intermediate.int_prices__liquidity"] != before["intermediate.int_prices__liquidity"]  # new prices

    # the chain models ran (prices feed them) but rebuilt no quarter: neither an earlier one nor the latest
    rebuilt = back_again(run.warehouse, taken)
    assert not any(rebuilt.values()), sorted(key for key, again in rebuilt.items() if again)
    assert {t: h for t, h in after.items() if t in QUARTERLY} == {t: h for t, h in before.items() if t in QUARTERLY}


def test_a_late_amendment_rebuilds_its_quarter_and_the_next_and_equals_a_full_rebuild(scenario_run, tmp_path):
    run = copy_run(scenario_run, tmp_path / "amended")
    with duckdb.connect(str(run.warehouse)) as conn:
        # a funder restates its 2024-06-30 report in November 2026, every position halved
        base, cik = conn.execute(
            "select accession_number, cik from intermediate.int_holdings__effective_filings "
            "where period_of_report = ? and filing_role = 'base' and cik between 9100000001 and 9100000004 "
            "order by cik limit 1", [AMENDED]).fetchone()
        held_before = conn.execute("select sum(value_usd) from intermediate.int_holdings__positions "
                                   "where cik = ? and period_of_report = ?", [cik, AMENDED]).fetchone()[0]
        amendment = "0009100000-26-000001"
        conn.execute("insert into raw.sec13f_submissions select * replace (? as accession_number, "
                     "date '2026-11-25' as filing_date, '13F-HR/A' as submission_type) "
                     "from raw.sec13f_submissions where accession_number = ?", [amendment, base])
        conn.execute("insert into raw.sec13f_coverpages select * replace (? as accession_number, true as is_amendment, "
                     "1 as amendment_no, 'RESTATEMENT' as amendment_type) "
                     "from raw.sec13f_coverpages where accession_number = ?", [amendment, base])
        conn.execute("insert into raw.sec13f_infotable select * replace (? as accession_number, value // 2 as value, "
                     "sshprnamt // 2 as sshprnamt) from raw.sec13f_infotable where accession_number = ?",
                     [amendment, base])
        conn.execute("insert into raw.sec13f_summarypages select * replace (? as accession_number, "
                     "(select count(*) from raw.sec13f_infotable where accession_number = ?) as table_entry_total, "
                     "(select sum(value) from raw.sec13f_infotable where accession_number = ?) as table_value_total) "
                     "from raw.sec13f_summarypages where accession_number = ?", [amendment, amendment, amendment, base])
    taken = take_out(run.warehouse, [AMENDED, NEXT, UNRELATED])

    dbt_run(run.warehouse, tmp_path, *FROM_13F)
    rebuilt = back_again(run.warehouse, taken)
    assert rebuilt, "no quarterly table had rows in the chosen quarters"
    assert {quarter for (_, quarter), again in rebuilt.items() if again} == {AMENDED, NEXT}
    assert all(again for (_, quarter), again in rebuilt.items() if quarter in (AMENDED, NEXT)), rebuilt
    with duckdb.connect(str(run.warehouse), read_only=True) as conn:
        held_after = conn.execute("select sum(value_usd) from intermediate.int_holdings__positions "
                                  "where cik = ? and period_of_report = ?", [cik, AMENDED]).fetchone()[0]
    assert held_after == pytest.approx(held_before / 2, rel=1e-3)  # the restatement replaced the report

    # the whole tables read across quarters (the chain's percentile) were built while rows were out
    dbt_run(run.warehouse, tmp_path, *FROM_13F)
    incremental = table_rows(run.warehouse)
    dbt_run(run.warehouse, tmp_path, *FROM_13F, "--full-refresh")
    full = table_rows(run.warehouse)
    assert incremental.keys() == full.keys()
    differ = {table: largest_difference(incremental[table], full[table])
              for table in full if incremental[table] != full[table]}
    assert all(gap <= 1e-12 for gap in differ.values()), differ
