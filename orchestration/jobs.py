"""One job per source cadence (a job cannot mix partitions definitions), and the transform that
follows any of them.

Ingestion is partitioned (``assets.partitions``): daily sources by month, the H.4.1 week
(FRED) by week, 13F by data set. A range of partitions is one run; the transform is unpartitioned
and rebuilds, from the whole raw layer, the models downstream of what the ingestion changed
(:func:`transform_after`): a weekday's run leaves the 13F-only holdings models alone, and those of
the sources whose download only repeated stored rows.
"""

from pathlib import Path
from typing import Iterable

from dagster import AssetKey, AssetSelection, define_asset_job

from assets.alerts import absorption_alert_log
from assets.compaction import warehouse_compaction
from assets.dbt import reverse_qe_dbt_assets
from assets.publish import published_warehouse
from assets.reports import report_assets
from orchestration.staleness import stale_assets

DAILY_GROUPS = ("raw_funding_flows", "raw_issuance", "raw_prices", "raw_securities")
QUARTERLY_GROUPS = ("raw_holdings",)
H41_ASSET = ["raw", "fred_observations"]  # the H.4.1 series (WALCL, TREAST, WTREGEN, WRESBAL) come via FRED

daily_ingest_job = define_asset_job(
    "daily_ingest",
    selection=AssetSelection.groups(*DAILY_GROUPS) - AssetSelection.assets(H41_ASSET),
    description="Daily sources, by month: the Daily Treasury Statement, NY Fed reverse repo, Treasury "
    "auctions and MSPD, SEC companyfacts of the hyperscalers (new filings appear any day), prices, the "
    "SEC's list of 13(f) securities (each quarter's, once it ends) and OpenFIGI for the 13F CUSIPs not asked yet.",
)

weekly_h41_job = define_asset_job(
    "weekly_h41",
    selection=AssetSelection.assets(H41_ASSET),
    description="FRED, by H.4.1 week (Thursday..Wednesday), once the Fed has published it on Thursday "
    "afternoon: the balance sheet, TGA, ON RRP, reserves, and the week's yields and spreads.",
)

quarterly_13f_job = define_asset_job(
    "quarterly_13f",
    selection=AssetSelection.groups(*QUARTERLY_GROUPS),
    description="SEC Form 13F data sets (submissions, cover pages, information tables) of a new quarter.",
)

transform_job = define_asset_job(
    "transform_and_publish",
    selection=AssetSelection.assets(reverse_qe_dbt_assets, absorption_alert_log, published_warehouse, *report_assets,
                                    warehouse_compaction),
    description="Every dbt model and test, the reconciliations, the alerts, the published copy, the reports, "
    "then the working warehouse compacted.",
)

INGEST_JOBS = (daily_ingest_job, weekly_h41_job, quarterly_13f_job)
# The transform's assets that no ingestion feeds: the dbt seeds and the model built from dbt vars
# alone (int_chain__scenarios).
TRANSFORM_ROOTS = AssetSelection.all().roots() & transform_job.selection
DBT_UNIQUE_ID = "dagster_dbt/unique_id"  # dagster-dbt's definition metadata: seed.<project>.<name>, ...


def dbt_seeds(asset_graph) -> set[AssetKey]:
    """The dbt seeds among the transform's roots (dagster-dbt's unique id ``seed.<project>.<name>``)."""
    return {key for key in TRANSFORM_ROOTS.resolve(asset_graph)
            if str(asset_graph.get(key).metadata.get(DBT_UNIQUE_ID, "")).startswith("seed.")}


def table_of(asset_graph, key: AssetKey) -> tuple[str, str]:
    """(schema, table) of a dbt asset, from dagster-dbt's ``dagster/table_name`` (database.schema.table)."""
    schema, table = str(asset_graph.get(key).metadata["dagster/table_name"]).split(".")[-2:]
    return schema, table


def always_rebuilt(asset_graph, warehouse: Path | None) -> set[AssetKey]:
    """What a transform after ingestion rebuilds whatever changed: the seeds, when ``warehouse``
    lacks one of their tables or cannot say at once (a new warehouse under an old Dagster home);
    otherwise nothing. Every transform asset follows the staleness rules: a seed's code version is
    its CSV's checksum and a model's its SQL and the project's vars (``assets.dbt.code_version``), so
    a changed seed or var is rebuilt, and a weekday no longer reloads 11 unchanged seeds, runs their
    82 tests or rebuilds the scenarios built from vars alone (docs/design_notes.md, "The seeds are
    rebuilt when they changed")."""
    from reverse_qe.warehouse_open import tables_missing

    seeds = dbt_seeds(asset_graph)
    if warehouse is None or tables_missing(warehouse, [table_of(asset_graph, key) for key in seeds]):
        return seeds
    return set()


# On an ingestion run of the runner (``orchestration.cli``) that runs the transform itself next: the
# sensor ``transform_after_ingest`` then launches none (its runs are recorded under the code location,
# as the UI's are, so the sensor sees them).
RUNNER_TRANSFORMS_TAG = "rqe/runner_transforms"


def transform_after(ingest_job_names: Iterable[str], asset_graph, instance=None,
                    warehouse: Path | None = None) -> list[AssetKey]:
    """The transform's assets to rebuild after these ingestion jobs, in key order, with their checks.

    Without the Dagster ``instance``: what is downstream of what the jobs write (models, reports, the
    published copy) and the transform's roots (the seeds, the models built from vars alone); after
    every ingestion job, that is the whole transform (``tests/orchestration/test_operations.py``).
    With it: :func:`always_rebuilt` (the seeds when the ``warehouse`` lacks them) and what is stale
    (``orchestration.staleness``: never built, code changed, or a raw asset upstream changed rows
    since it was built; any ingestion job's, so a failed transform's work is picked up by the next
    one), with everything downstream of that: nothing when no input changed."""
    if instance is None:
        changed = AssetSelection.assets()
        for job in INGEST_JOBS:
            if job.name in ingest_job_names:
                changed = changed | job.selection
        always = TRANSFORM_ROOTS
    else:
        raw = set().union(*(job.selection.resolve(asset_graph) for job in INGEST_JOBS))
        changed = AssetSelection.assets(*stale_assets(instance, asset_graph,
                                                      transform_job.selection.resolve(asset_graph), raw))
        always = AssetSelection.assets(*always_rebuilt(asset_graph, warehouse))
    selected = ((changed.downstream() | always) & transform_job.selection).resolve(asset_graph)
    return sorted(selected, key=lambda k: k.path)
