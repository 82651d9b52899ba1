"""Run raw assets in-process on a temporary warehouse in replay mode (for the check tests)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import DagsterInstance, TimeWindowPartitionsDefinition, materialize
from dagster_duckdb import DuckDBResource

from assets.funding_flows import funding_flows_assets
from assets.issuance import issuance_assets
from assets.partitions import keys_through
from assets.prices import prices_assets
from assets.resources import SourcesResource
from orchestration.event_storage import instance_at
from reverse_qe.partitions import partition_range_tags
from tests.conftest import dagster_home

RAW_ASSETS = {a.key.path[-1]: a for a in (*funding_flows_assets, *issuance_assets, *prices_assets)}
# The replay fixtures hold no date before this day (tests/test_fixtures_span.py), so a run from the
# partition holding it reads every row they hold. From the assets' start (2018) the weekly FRED
# asset planned and stored ~150 more partitions in each run, for no row.
FIXTURES_START = dt.date(2021, 1, 1)


def fixture_keys(partitions_def) -> list[str]:
    """The partitions to date that can hold a fixture's row: from the one holding FIXTURES_START."""
    keys = keys_through(partitions_def, dt.date.today())
    if not isinstance(partitions_def, TimeWindowPartitionsDefinition):
        return keys
    start = dt.datetime.combine(FIXTURES_START, dt.time(), tzinfo=dt.timezone.utc)
    return [key for key in keys if partitions_def.time_window_for_partition_key(key).end > start]


def resources(warehouse: Path, replay_dir: Path) -> dict:
    return {
        "warehouse": DuckDBResource(database=str(warehouse)),
        "sources": SourcesResource(mode="replay", replay_dir=str(replay_dir),
                                   scenario_dir=str(warehouse.parent / "scenario"),
                                   landing_dir=str(warehouse.parent / "landing")),
    }


def runner_instance_under(root: Path) -> DagsterInstance:
    """The instance the runner opens (its event storage, events stored in batches), in ``root``. A
    run of the raw assets over their partitions stores an event or more per partition: Dagster's
    in-memory instance asks SQLite for its columns at each asset event (tests/e2e/test_bad_inputs.py
    took 34 s with it, 27 s with this one; 2026-12-05)."""
    return instance_at(dagster_home(root))


@dataclass
class RawRun:
    success: bool
    error: str
    checks: dict  # check name -> (passed, severity, metadata)


def run_raw(tables: list[str], warehouse: Path, replay_dir: Path, instance: DagsterInstance) -> RawRun:
    """Materialise the tables over their partitions to date from the fixtures' first
    (:func:`fixture_keys`): one single-run backfill per partitions definition (a run cannot mix them)."""
    by_partitions: dict = {}
    for table in tables:
        by_partitions.setdefault(RAW_ASSETS[table].partitions_def, []).append(RAW_ASSETS[table])
    results = []
    for partitions_def, assets in by_partitions.items():
        keys = fixture_keys(partitions_def)
        results.append(materialize(assets, resources=resources(warehouse, replay_dir), instance=instance,
                                   raise_on_error=False, tags=partition_range_tags(keys[0], keys[-1])))
    events = [event for result in results for event in result.all_events]
    errors = []
    for event in events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.user_failure_data is not None:
                errors.append(data.user_failure_data.description or "")
            errors.append(data.error.message if data.error else "")
    checks = {}
    for event in events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            checks[(evaluation.asset_key.path[-1], evaluation.check_name)] = (
                evaluation.passed, evaluation.severity, evaluation.metadata)
    return RawRun(all(result.success for result in results), "\n".join(errors), checks)


def raw_rows(warehouse: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(f'select * from raw."{table}" order by all').fetchall()


def raw_tables(warehouse: Path, *, without_source_uri: bool = False) -> dict[str, list[tuple]]:
    """Every raw table's rows, sorted (the quarantine, and the per-run source status and document
    rows, aside); ``without_source_uri``: without the file each row was read from (a copied run
    reads the same files from another folder)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = [t for (t,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and table_name not in ('quarantine', 'source_status', 'document_rows')").fetchall()]
        with_uri = {t for (t,) in conn.execute("select table_name from information_schema.columns "
                                               "where table_schema = 'raw' and column_name = 'source_uri'").fetchall()}
        return {t: conn.execute(f'select {"* exclude (source_uri)" if without_source_uri and t in with_uri else "*"} '
                                f'from raw."{t}" order by all').fetchall() for t in tables}


def quarantine_rows(warehouse: Path) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        exists = conn.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                              "and table_name = 'quarantine'").fetchone()[0]
        if not exists:
            return []
        cursor = conn.execute("select * from raw.quarantine order by quarantined_at")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    for row in rows:
        for field in ("locations", "failed_checks", "offending_rows"):
            row[field] = json.loads(row[field])
    return rows


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
