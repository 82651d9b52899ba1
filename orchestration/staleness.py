"""Which transform assets a run after ingestion rebuilds: those whose inputs or code changed.

A weekday's ingestion downloads the month so far again, but only a few of its raw tables gain rows
(on 2026-11-20 at scale 1: prices, crypto, the two Daily Treasury Statement tables and the reverse
repo, 5 of daily_ingest's 10; the Treasury auctions, MSPD, the SEC's filings and list did not).
Each raw asset's materialisation says how many rows its write changed (``rows_changed``; an upsert
that only repeats stored rows changes none and writes nothing). From Dagster's event log, a
transform asset (a dbt model, a report, the published copy) is stale when:

- it was never materialised, or
- its code version (a model's SQL and the project's vars, a seed's CSV: ``assets.dbt.code_version``)
  is not the one of its latest materialisation, or
- a raw asset upstream of it has a materialisation that changed rows (or does not say) newer than
  its own latest materialisation: so a transform that failed, or one started by hand for a few
  assets, leaves the rest stale for the next one.

What is downstream of a stale asset is rebuilt with it (its rows may change). Not seen: a change to
a dbt macro or yml config alone, which the model's SQL does not show; the full build
(``python -m orchestration.cli`` without jobs, ``make demo``) rebuilds everything.
"""

from __future__ import annotations

from typing import Iterable

from dagster import AssetKey, AssetRecordsFilter, AssetSelection, DagsterInstance
from dagster._core.definitions.data_version import CODE_VERSION_TAG

from assets.raw import ROWS_CHANGED

PAGE = 1000  # materialisation records fetched at once


def changed_since(instance: DagsterInstance, key: AssetKey, after: float | None) -> float | None:
    """The time of the newest materialisation of raw asset ``key`` after ``after`` (a timestamp;
    None: ever) whose write changed rows or does not say how many it changed; None when none did."""
    cursor = None
    while True:
        page = instance.fetch_materializations(AssetRecordsFilter(asset_key=key, after_timestamp=after),
                                               limit=PAGE, cursor=cursor)
        for record in page.records:  # newest first
            said = record.asset_materialization.metadata.get(ROWS_CHANGED)
            if said is None or said.value != 0:
                return record.timestamp
        if not page.has_more:
            return None
        cursor = page.cursor


def stale_assets(instance: DagsterInstance, asset_graph, transform: Iterable[AssetKey],
                 raw: Iterable[AssetKey]) -> set[AssetKey]:
    """The ``transform`` assets stale by the rules above (downstream of stale ones not added here)."""
    transform = set(transform)
    latest = {}
    for key in transform:
        page = instance.fetch_materializations(key, limit=1)
        latest[key] = page.records[0] if page.records else None
    # assets without a code version (Python ones) get the run's id as theirs: compared only where the
    # definition has one (dbt's models and seeds)
    stale = {key for key, record in latest.items() if record is None
             or asset_graph.get(key).code_version not in (None, (record.asset_materialization.tags or {}).get(CODE_VERSION_TAG))}
    built = [record.timestamp for record in latest.values() if record is not None]
    oldest_build = min(built) if built else None
    for raw_key in raw:
        changed = changed_since(instance, raw_key, oldest_build)
        if changed is None:
            continue
        for key in AssetSelection.assets(raw_key).downstream().resolve(asset_graph) & transform:
            if latest[key] is not None and latest[key].timestamp < changed:
                stale.add(key)
    return stale
