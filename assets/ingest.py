"""The one way a raw asset is built: load, validate, then upsert (or quarantine), and describe.

Each family module declares its raw tables and calls :func:`raw_asset`; the loaders (pure code in
``assets.sources``) do the fetching and parsing, ``orchestration.checks`` the validation (a generic
suite from the RawTable declaration, the source's own suite if registered, and any extras passed
here). A batch that fails to parse or to validate is kept in ``raw.quarantine`` and the step
fails before writing, so the previous good raw data stays; the result is also reported as the
asset check ``raw_batch_valid``.

Loading this module (and so the code location) imports neither pandas, DuckDB, the HTTP client
nor Great Expectations: loaders are named by :func:`lazy_loader` and imported when a run starts.
"""

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    Backoff,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    RetryPolicy,
    TimeWindowPartitionsDefinition,
    asset,
)
from dagster_duckdb import DuckDBResource

from assets.sources.endpoints import Endpoints
from assets.sources.errors import SourceFormatError
from orchestration.partitions import partition_mask
from orchestration.resources import SourcesResource
from orchestration.warehouse import RawTable

if TYPE_CHECKING:
    import pandas as pd

    from orchestration.checks.quarantine import QuarantineRecord
    from orchestration.checks.raw_suites import BatchCheck, Expect

# On top of the HTTP client's own retries: the whole step again after a pause (e.g. a short outage).
INGEST_RETRY = RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL)
# Every step that opens the warehouse runs in this pool (size 1 in .dagster_home/dagster.yaml).
WAREHOUSE_POOL = "warehouse"

Loader = Callable[..., "pd.DataFrame"]  # (transport, endpoints) -> parsed frame with lineage columns
RAW_CHECK = "raw_batch_valid"
GX_DOCS_FOLDER = "gx_docs"  # beside the warehouse file


def lazy_loader(module_name: str, function_name: str, **kwargs: Any) -> Loader:
    """The loader ``module_name.function_name``, imported when called, with ``kwargs`` bound."""

    def load(transport, endpoints, **more):
        return getattr(importlib.import_module(module_name), function_name)(transport, endpoints, **kwargs, **more)

    load.__name__ = load.__qualname__ = function_name
    return load


def gx_docs_dir(warehouse: DuckDBResource) -> Path:
    return Path(warehouse.database).parent / GX_DOCS_FOLDER


def _reject(context, warehouse: DuckDBResource, key: AssetKey, record: "QuarantineRecord", metadata: dict):
    """Quarantine the batch, report the failing check, and fail the step without retries."""
    from orchestration.checks.quarantine import write_quarantine

    with warehouse.get_connection() as conn:
        write_quarantine(conn, record)
    context.log.error(record.reason)
    yield AssetCheckResult(
        check_name=RAW_CHECK, asset_key=key, passed=False, severity=AssetCheckSeverity.ERROR,
        metadata={"stage": record.stage, "batch_id": record.batch_id, "reason": record.reason[:2000],
                  "failed_checks": MetadataValue.json(record.failed_checks),
                  "offending_rows": len(record.offending_rows), **metadata},
    )
    raise Failure(description=record.reason, allow_retries=False,
                  metadata={"quarantine": MetadataValue.text(f"raw.quarantine batch_id = {record.batch_id}")})


def rows_of_this_run(context: AssetExecutionContext, frame: "pd.DataFrame", date_column: str | None):
    """The loaded rows that belong to the run's partition (or range of them), and how many did not."""
    if isinstance(context.assets_def.partitions_def, TimeWindowPartitionsDefinition):
        window = context.partition_time_window
        mask = partition_mask(frame, date_column=date_column, window=(window.start.date(), window.end.date()))
    else:
        mask = partition_mask(frame, date_column=None, dataset_keys=context.partition_keys)
    if mask.all():
        return frame, 0
    return frame[mask].reset_index(drop=True), int((~mask).sum())


@dataclass
class Written:
    """What one validated batch wrote: a step writes one, or one per data set (``per_dataset``)."""

    rows: int
    rows_replaced: int
    rows_after: int
    rows_of_other_partitions: int
    rows_validated: int
    first_date: str
    last_date: str
    modes: frozenset[str]
    documents: frozenset[str]

    @classmethod
    def of(cls, frame: "pd.DataFrame", date_column: str | None, *, rows_after: int, rows_replaced: int,
           other_partitions: int, validated: int) -> "Written":
        dates = frame[date_column] if date_column and len(frame) else None
        return cls(len(frame), rows_replaced, rows_after, other_partitions, validated,
                   str(dates.min().date()) if dates is not None else "",
                   str(dates.max().date()) if dates is not None else "",
                   frozenset(frame["source_mode"].unique()), frozenset(frame["source_uri"].unique()))


def batch_metadata(table: RawTable, written: Sequence[Written]) -> dict:
    """The materialisation's metadata over the batches a step wrote."""
    firsts = [w.first_date for w in written if w.first_date]
    lasts = [w.last_date for w in written if w.last_date]
    modes = sorted(set().union(*(w.modes for w in written)))
    return {
        "table": f"{table.schema}.{table.name}",
        "rows_in_batch": sum(w.rows for w in written),
        "rows_replaced": sum(w.rows_replaced for w in written),
        "dagster/row_count": written[-1].rows_after if written else 0,
        "first_date": min(firsts, default=""),
        "last_date": max(lasts, default=""),
        "source_mode": ", ".join(modes),
        "synthetic": MetadataValue.bool("scenario" in modes),
        "documents": MetadataValue.json(sorted(set().union(*(w.documents for w in written)))[:50]),
        "rows_of_other_partitions": sum(w.rows_of_other_partitions for w in written),
    }


def raw_asset(
    table: RawTable,
    load: Loader,
    *,
    date_column: str | None,
    partitions_def: PartitionsDefinition,
    group_name: str,
    description: str,
    owners: list[str],
    expectations: Sequence["Expect"] = (),
    batch_checks: Sequence["BatchCheck"] = (),
    per_dataset: bool = False,
) -> AssetsDefinition:
    """A raw-layer asset ``raw/<table>`` that loads, validates, upserts by natural key and reports.

    Partitioned by ``partitions_def`` (see ``orchestration.partitions``); a range of partitions
    is one run (``BackfillPolicy.single_run``) and writes the rows of those partitions only.

    ``expectations`` (GX 1.x expectations by class name) and ``batch_checks`` (plain functions)
    add to the generic suite every table gets from its declaration.

    ``per_dataset``: the partitions are data sets, and ``load(transport, endpoints, datasets=keys)``
    yields the run's rows in batches of whole data sets, each validated and written before the next
    is read, so a backfill of many (a real 13F quarter is ~3M lines) needs the memory of one batch.
    A batch that fails stops the step; those before it stay written, each whole.
    """
    key = AssetKey([table.schema, table.name])

    @asset(
        name=table.name,
        key_prefix=[table.schema],
        group_name=group_name,
        description=description,
        kinds={"python", "duckdb"},
        owners=owners,
        retry_policy=INGEST_RETRY,
        pool=WAREHOUSE_POOL,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        check_specs=[AssetCheckSpec(
            RAW_CHECK, asset=key, blocking=True,
            description="The batch passed its Great Expectations suite (columns, types, key, ranges, "
            "no future dates) and the cadence checks before it was written; a failing batch is "
            "quarantined in raw.quarantine and never written.",
        )],
    )
    def _raw(context: AssetExecutionContext, sources: SourcesResource, warehouse: DuckDBResource):
        # pandas, DuckDB and GX (seconds to import) only when a run needs them, never at load
        from orchestration.checks.quarantine import QuarantineRecord
        from orchestration.checks.raw_suites import raw_suite_for
        from orchestration.checks.validation import validate_raw_batch
        from orchestration.warehouse import upsert

        batch_id = f"{context.run_id}/{table.name}"
        asset_key = "/".join(key.path)
        suite = raw_suite_for(table, date_column=date_column, as_of=sources.as_of(),
                              expectations=expectations, batch_checks=batch_checks)
        written: list[Written] = []
        warnings, checks_run, docs = [], 0, {}
        try:
            with sources.open_transport() as transport:
                endpoints = Endpoints.from_env()
                # a generator either way, so no batch outlives its turn (the loop keeps only its rows)
                batches = (load(transport, endpoints, datasets=list(context.partition_keys)) if per_dataset
                           else (load(transport, endpoints) for _ in range(1)))
                for frame in batches:
                    # Every row loaded is validated (a future date belongs to no partition, and must
                    # still be caught); only the rows of the run's partitions are written.
                    outcome = validate_raw_batch(frame, suite, docs_dir=gx_docs_dir(warehouse))
                    docs = {"data_docs": MetadataValue.url(outcome.docs_index.as_uri())} if outcome.docs_index else {}
                    if not outcome.success:
                        record = QuarantineRecord(
                            batch_id, asset_key, outcome.source, outcome.locations, "validation", outcome.message(),
                            [f.check for f in outcome.errors], outcome.offending,
                        )
                        yield from _reject(context, warehouse, key, record, docs)
                    validated, checks_run = len(frame), outcome.checks_run
                    frame, other_partitions = rows_of_this_run(context, frame, date_column)
                    context.log.info(f"{table.name}: {validated:,} rows from {sources.mode} documents validated; "
                                     f"writing the {len(frame):,} of partition(s) {_partition_label(context)}"
                                     + (f" ({', '.join(outcome.locations[:2])})" if per_dataset else ""))
                    with warehouse.get_connection() as conn:
                        result = upsert(conn, table, frame)
                    written.append(Written.of(frame, date_column, rows_after=result.rows_after,
                                              rows_replaced=result.rows_replaced, other_partitions=other_partitions,
                                              validated=validated))
                    warnings += filter(None, [outcome.warning_message()])
        except SourceFormatError as err:
            record = QuarantineRecord(
                batch_id, asset_key, err.source, [err.location], "parse",
                f"raw.{table.name}: could not parse {err}. Nothing of it was written; the previous raw data "
                "is unchanged. Fix or replace that document, then re-run.",
                ["source_format"], [{"source_uri": err.location, "document_row": err.row, "reason": err.reason}],
            )
            yield from _reject(context, warehouse, key, record, {"location": err.location})
        warning_text = "\n".join(warnings)
        if warning_text:
            context.log.warning(f"raw.{table.name} written with warnings:\n{warning_text}")
        yield MaterializeResult(
            metadata=batch_metadata(table, written),
            check_results=[AssetCheckResult(
                check_name=RAW_CHECK, asset_key=key, passed=not warning_text, severity=AssetCheckSeverity.WARN,
                metadata={"checks_run": checks_run, "rows_validated": sum(w.rows_validated for w in written),
                          "warnings": warning_text or "none", **docs},
            )],
        )

    return _raw


def _partition_label(context: AssetExecutionContext) -> str:
    if context.has_partition_key_range:
        keys = context.partition_key_range
        return keys.start if keys.start == keys.end else f"{keys.start}..{keys.end}"
    return context.partition_key
