"""The analysts' copy: published after every mart is built and every blocking check has passed."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from assets.alerts import ALERT_LOG
from assets.dbt import reverse_qe_dbt_assets
from assets.funding_flows import funding_flows_assets
from assets.holdings import holdings_assets
from assets.issuance import issuance_assets
from assets.prices import prices_assets
from assets.securities import securities_assets
from assets.raw import DATE_COLUMN_METADATA, WAREHOUSE_POOL
from assets.resources import SourcesResource
from reverse_qe.settings import code_version, published_path
from reverse_qe.warehouse import publish_copy

MART_KEYS = sorted((k for k in reverse_qe_dbt_assets.keys if k.path[0] == "marts"), key=lambda k: k.path)
RAW_ASSETS: list[AssetsDefinition] = [*funding_flows_assets, *issuance_assets, *holdings_assets, *prices_assets,
                                       *securities_assets]


def raw_date_columns(assets_defs: list[AssetsDefinition] = RAW_ASSETS) -> dict[str, str | None]:
    """Each raw table's declared date column (None when it has none), from the raw assets' metadata."""
    out = {}
    for assets_def in assets_defs:
        for key in assets_def.keys:
            out[key.path[-1]] = assets_def.specs_by_key[key].metadata.get(DATE_COLUMN_METADATA) or None
    return out


@asset(
    key=AssetKey(["published", "warehouse"]),
    deps=[*MART_KEYS, ALERT_LOG],  # the alert log is published with the marts it comes from
    group_name="published",
    kinds={"duckdb", "parquet"},
    owners=["team:analytics"],
    pool=WAREHOUSE_POOL,
    description="published.duckdb beside the warehouse: a read-only copy of every table (in a storage "
    "format DuckDB 1.x opens), with meta.publication (when, which run, source mode, code version), "
    "meta.raw_tables (each raw table's latest date) and meta.published_tables (each table's content hash "
    "and when it last changed), swapped in atomically once the marts are built and their checks passed; "
    "every marts and meta table also as Parquet in published_parquet/. Only tables whose content changed "
    "are copied again. Analysts open only these.",
)
def published_warehouse(context: AssetExecutionContext, warehouse: DuckDBResource,
                        sources: SourcesResource) -> MaterializeResult:
    target = published_path(Path(warehouse.database))
    with warehouse.get_connection() as conn:
        result = publish_copy(conn, target, run_id=context.run_id, source_mode=sources.mode,
                              code_version=code_version(), date_columns=raw_date_columns())
    context.log.info(f"published {result.tables} tables ({result.tables_copied} changed, copied) to {result.path} "
                     f"and {result.parquet_files} Parquet files ({result.parquet_linked} unchanged, kept) to "
                     f"{result.parquet_path} in {result.seconds:.2f}s ("
                     + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in result.phases.items()) + ")")
    return MaterializeResult(
        metadata={"path": result.path, "tables": result.tables, "tables_copied": result.tables_copied,
                  "seconds": round(result.seconds, 3), "parquet_path": result.parquet_path,
                  "parquet_files": result.parquet_files, "parquet_kept": result.parquet_linked,
                  "seconds_by_part": MetadataValue.json(result.phases),
                  "source_mode": sources.mode}
    )
