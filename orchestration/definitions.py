"""The one Definitions of the Reverse-QE Monitor code location (loaded by workspace.yaml)."""

from dagster import Definitions

from assets.checks import reconciliation_and_freshness_checks
from assets.dbt import reverse_qe_dbt_assets
from assets.funding_flows import funding_flows_assets
from assets.holdings import holdings_assets
from assets.issuance import issuance_assets
from assets.prices import prices_assets
from assets.publish import published_warehouse
from assets.resources import build_resources
from orchestration.jobs import INGEST_JOBS, transform_job
from orchestration.schedules import schedules
from orchestration.sensors import sensors

defs = Definitions(
    assets=[
        *funding_flows_assets, *issuance_assets, *holdings_assets, *prices_assets,
        reverse_qe_dbt_assets, published_warehouse,
    ],
    asset_checks=reconciliation_and_freshness_checks,
    jobs=[*INGEST_JOBS, transform_job],
    schedules=schedules,
    sensors=sensors,
    resources=build_resources(),
)
