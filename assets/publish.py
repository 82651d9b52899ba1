"""The analysts' copy: published after every mart is built and every blocking check has passed."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from assets.dbt import reverse_qe_dbt_assets
from assets.raw import WAREHOUSE_POOL
from reverse_qe.settings import published_path
from reverse_qe.warehouse import publish_copy

MART_KEYS = sorted((k for k in reverse_qe_dbt_assets.keys if k.path[0] == "marts"), key=lambda k: k.path)


@asset(
    key=AssetKey(["published", "warehouse"]),
    deps=MART_KEYS,
    group_name="published",
    kinds={"duckdb"},
    owners=["team:analytics"],
    pool=WAREHOUSE_POOL,
    description="published.duckdb beside the warehouse: a read-only copy of every table, swapped in "
    "atomically once the marts are built and their checks passed. Analysts open only this file.",
)
def published_warehouse(context: AssetExecutionContext, warehouse: DuckDBResource) -> MaterializeResult:
    target = published_path(Path(warehouse.database))
    with warehouse.get_connection() as conn:
        result = publish_copy(conn, target)
    context.log.info(f"published {result.tables} tables to {result.path} in {result.seconds:.2f}s")
    return MaterializeResult(
        metadata={"path": result.path, "tables": result.tables, "seconds": round(result.seconds, 3)}
    )
