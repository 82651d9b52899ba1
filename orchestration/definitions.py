"""The one Definitions of the Reverse-QE Monitor code location (loaded by workspace.yaml)."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job

from assets.funding_flows import funding_flows_assets
from assets.holdings import holdings_assets
from assets.prices import prices_assets
from orchestration.dbt import reverse_qe_dbt_assets
from orchestration.resources import build_resources

# Everything, in dependency order: the offline demo and a full rebuild.
everything_job = define_asset_job(
    "everything",
    selection=AssetSelection.all(),
    description="Ingest every source, build every dbt model and run every check.",
)

defs = Definitions(
    assets=[*funding_flows_assets, *holdings_assets, *prices_assets, reverse_qe_dbt_assets],
    jobs=[everything_job],
    resources=build_resources(),
)
