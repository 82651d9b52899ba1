"""The one Definitions of the Reverse-QE Monitor code location (loaded by workspace.yaml)."""

from dagster import Definitions

from assets.alerts import absorption_alert_log
from assets.checks import reconciliation_checks
from assets.compaction import warehouse_compaction
from assets.dbt import reverse_qe_dbt_assets
from assets.funding_flows import funding_flows_assets, funding_flows_checks
from assets.holdings import holdings_assets, holdings_checks
from assets.issuance import issuance_assets, issuance_checks
from assets.prices import prices_assets, prices_checks
from assets.securities import securities_assets, securities_checks
from assets.publish import published_warehouse
from assets.reports import report_assets
from assets.resources import build_resources
from orchestration.jobs import INGEST_JOBS, transform_job
from orchestration.schedules import schedules
from orchestration.sensors import sensors

defs = Definitions(
    assets=[
        *funding_flows_assets, *issuance_assets, *holdings_assets, *prices_assets, *securities_assets,
        reverse_qe_dbt_assets, absorption_alert_log, published_warehouse, *report_assets, warehouse_compaction,
    ],
    asset_checks=[*reconciliation_checks, *funding_flows_checks, *issuance_checks, *prices_checks, *holdings_checks,
                  *securities_checks],
    jobs=[*INGEST_JOBS, transform_job],
    schedules=schedules,
    sensors=sensors,
    resources=build_resources(),
)
