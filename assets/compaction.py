"""The working warehouse compacted after each transform (``reverse_qe.warehouse_compact``): wiring only.

Last in ``transform_and_publish``, after the published copy and the reports, in the warehouse pool:
the copy into a new file holds DuckDB's lock for a few seconds (3-4 s for the scenario's warehouse
on this 2-core machine), when no pipeline step needs the file.
"""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from assets.publish import published_warehouse
from assets.raw import WAREHOUSE_POOL
from assets.reports import report_assets


@asset(key=AssetKey(["maintenance", "warehouse_compaction"]),
       deps=[published_warehouse.key, *(a.key for a in report_assets)], group_name="maintenance",
       kinds={"duckdb"}, owners=["team:analytics"], pool=WAREHOUSE_POOL,
       description="The working warehouse copied into a file without free blocks and swapped in whole, once "
       "a quarter of it is free blocks: DuckDB never gives back what dropped tables held, and dbt drops every "
       "table it rebuilds (a full rebuild left 45% of the file free). The published copy is not touched.")
def warehouse_compaction(context: AssetExecutionContext, warehouse: DuckDBResource) -> MaterializeResult:
    from reverse_qe.warehouse_compact import compact_warehouse

    with warehouse.get_connection() as conn:
        result = compact_warehouse(conn, Path(warehouse.database))
    mib = 1024 * 1024
    context.log.info(
        f"{result.path}: {result.bytes_before / mib:.1f} MiB, {result.free_share_before:.0%} free blocks; "
        + (f"compacted to {result.bytes_after / mib:.1f} MiB in {result.seconds:.2f}s" if result.compacted
           else "left as it is"))
    return MaterializeResult(metadata={
        "bytes_before": result.bytes_before, "bytes_after": result.bytes_after,
        "free_share_before": round(result.free_share_before, 4), "compacted": result.compacted,
        "seconds": round(result.seconds, 3),
    })
