"""The one way a raw asset is built: load through the configured transport, upsert, describe.

Each family module declares its raw tables and calls :func:`raw_asset`; the loaders (pure code in
``assets.sources``) do the fetching and parsing.
"""


from typing import Callable

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    Backoff,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    asset,
)
from dagster_duckdb import DuckDBResource

from assets.sources.endpoints import Endpoints
from orchestration.resources import SourcesResource
from orchestration.warehouse import RawTable, upsert

# On top of the HTTP client's own retries: the whole step again after a pause (e.g. a short outage).
INGEST_RETRY = RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL)
# Every step that opens the warehouse runs in this pool (size 1 in .dagster_home/dagster.yaml).
WAREHOUSE_POOL = "warehouse"

Loader = Callable[..., pd.DataFrame]  # (transport, endpoints) -> parsed frame with lineage columns


def batch_metadata(table: RawTable, frame: pd.DataFrame, date_column: str | None, rows_after: int, rows_replaced: int) -> dict:
    dates = frame[date_column] if date_column else pd.Series([], dtype="datetime64[ns]")
    modes = sorted(frame["source_mode"].unique()) if len(frame) else []
    return {
        "table": f"{table.schema}.{table.name}",
        "rows_in_batch": len(frame),
        "rows_replaced": rows_replaced,
        "dagster/row_count": rows_after,
        "first_date": str(dates.min().date()) if len(dates) else "",
        "last_date": str(dates.max().date()) if len(dates) else "",
        "source_mode": ", ".join(modes),
        "synthetic": MetadataValue.bool("scenario" in modes),
        "documents": MetadataValue.json(sorted(frame["source_uri"].unique().tolist())[:50]),
    }


def raw_asset(
    table: RawTable,
    load: Loader,
    *,
    date_column: str | None,
    group_name: str,
    description: str,
    owners: list[str],
) -> AssetsDefinition:
    """A raw-layer asset ``raw/<table>`` that loads, upserts by natural key and reports the batch."""

    @asset(
        name=table.name,
        key_prefix=[table.schema],
        group_name=group_name,
        description=description,
        kinds={"python", "duckdb"},
        owners=owners,
        retry_policy=INGEST_RETRY,
        pool=WAREHOUSE_POOL,
    )
    def _raw(context: AssetExecutionContext, sources: SourcesResource, warehouse: DuckDBResource) -> MaterializeResult:
        with sources.open_transport() as transport:
            frame = load(transport, Endpoints.from_env())
        context.log.info(
            f"{table.name}: parsed {len(frame):,} rows from {frame['source_uri'].nunique()} "
            f"{sources.mode} documents"
        )
        with warehouse.get_connection() as conn:
            result = upsert(conn, table, frame)
        return MaterializeResult(
            metadata=batch_metadata(table, frame, date_column, result.rows_after, result.rows_replaced)
        )

    return _raw
