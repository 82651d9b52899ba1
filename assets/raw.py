"""The one way a raw asset is built: load, validate, then upsert (or quarantine), and describe.

Each family module declares its raw tables and calls :func:`raw_asset`; the loaders (pure code in
``reverse_qe.sources``) do the fetching and parsing, :func:`reverse_qe.ingest.ingest_batch` the
validation (a generic suite from the RawTable declaration, the source's own suite, and any extras
passed here) and the write. A batch that fails to parse or to validate is kept in ``raw.quarantine`` and the step
fails before writing, so the previous good raw data stays; the result is also reported as the
asset check ``raw_batch_valid``.

Loading this module (and so the code location) imports neither pandas, DuckDB, the HTTP client
nor Great Expectations: loaders are named by :func:`lazy_loader` and imported when a run starts.
"""

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    BackfillPolicy,
    Backoff,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    RetryPolicy,
    TimeWindowPartitionsDefinition,
    asset,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from assets.resources import SourcesResource
from reverse_qe.partitions import partition_mask
from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.warehouse import RawTable

if TYPE_CHECKING:
    import pandas as pd

    from reverse_qe.ingest import Written
    from reverse_qe.sources.window import FetchWindow
    from reverse_qe.validation.suites import BatchCheck, Expect
    from reverse_qe.warehouse import QuarantineRecord

# On top of the HTTP client's own retries: the whole step again after a pause (e.g. a short outage).
INGEST_RETRY = RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL)
# Every step that opens the warehouse runs in this pool (size 1 in .dagster_home/dagster.yaml).
WAREHOUSE_POOL = "warehouse"

Loader = Callable[..., "pd.DataFrame"]  # (transport, endpoints) -> parsed frame with lineage columns
RAW_CHECK = "raw_batch_valid"
# Every raw table a family file declares: each raw step creates those that do not exist yet (empty),
# so the models find every source even when one was never loaded (not provided, no 13F data set yet).
DECLARED_TABLES: list[RawTable] = []
GX_DOCS_FOLDER = "gx_docs"  # beside the warehouse file
DATE_COLUMN_METADATA = "date_column"  # definition metadata of each raw asset ("" when it has none)
# Materialisation metadata: the rows the step's writes changed (orchestration/staleness.py reads it)
ROWS_CHANGED = "rows_changed"


def lazy_loader(module_name: str, function_name: str, **kwargs: Any) -> Loader:
    """The loader ``module_name.function_name``, imported when called, with ``kwargs`` bound."""

    def load(transport, endpoints, **more):
        return getattr(importlib.import_module(module_name), function_name)(transport, endpoints, **kwargs, **more)

    load.__name__ = load.__qualname__ = function_name
    return load


def gx_docs_dir(warehouse: DuckDBResource) -> Path:
    return Path(warehouse.database).parent / GX_DOCS_FOLDER


def data_docs_metadata(docs_index: Path | None) -> dict:
    """Where Great Expectations wrote the batch's data docs, as a path, not a link: the UI is served
    over http, from which a browser does not follow a ``file://`` link, and GX's pages load their
    scripts and styles from CDNs, so offline they render blank anyway. Open the file in a browser
    on a machine online; the report page (``reports/index.html``) is the offline view."""
    return {"data_docs": MetadataValue.path(str(docs_index))} if docs_index else {}


def _reject(context, key: AssetKey, record: "QuarantineRecord", metadata: dict):
    """Report the failing check of a quarantined batch, and fail the step without retries."""
    from reverse_qe.redaction import redact

    reason = redact(record.reason)
    context.log.error(reason)
    yield AssetCheckResult(
        check_name=RAW_CHECK, asset_key=key, passed=False, severity=AssetCheckSeverity.ERROR,
        metadata={"stage": record.stage, "batch_id": record.batch_id, "reason": reason[:2000],
                  "failed_checks": MetadataValue.json(record.failed_checks),
                  "offending_rows": len(record.offending_rows), **metadata},
    )
    raise Failure(description=reason, allow_retries=False,
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



def fetch_window(context: AssetExecutionContext, warehouse: DuckDBResource, table: RawTable,
                 date_column: str | None, resume_per: str | None) -> "FetchWindow | None":
    """The dates the run writes, for the live loaders to ask only for those: the run's partition
    window, and with ``resume_per`` each value's newest stored date (None: not a time-partitioned asset)."""
    from reverse_qe.sources.window import FetchWindow

    if not isinstance(context.assets_def.partitions_def, TimeWindowPartitionsDefinition):
        return None
    window = context.partition_time_window
    last_stored = {}
    if resume_per and date_column:
        with warehouse.get_connection() as conn:
            last_stored = {key: day for key, day in conn.execute(table.latest_date_sql(date_column, per=resume_per))
                           .fetchall() if day is not None}
    return FetchWindow(window.start.date(), window.end.date(), last_stored)


def batch_metadata(table: RawTable, written: Sequence["Written"]) -> dict:
    """The materialisation's metadata over the batches a step wrote."""
    firsts = [w.first_date for w in written if w.first_date]
    lasts = [w.last_date for w in written if w.last_date]
    modes = sorted(set().union(*(w.modes for w in written)))
    return {
        "table": f"{table.schema}.{table.name}",
        "provided": True,
        "rows_in_batch": sum(w.rows for w in written),
        "rows_replaced": sum(w.rows_replaced for w in written),
        # whether anything downstream is stale: 0 when the batches only repeated stored rows
        ROWS_CHANGED: sum(w.rows_changed for w in written),
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
    source: str,
    expectations: Sequence["Expect"] = (),
    batch_checks: Sequence["BatchCheck"] = (),
    per_dataset: bool = False,
    resume_per: str | None = None,
    reads_warehouse: bool = False,
) -> AssetsDefinition:
    """A raw-layer asset ``raw/<table>`` that loads, validates, upserts by natural key and reports.

    Partitioned by ``partitions_def`` (see ``assets.partitions``); a range of partitions
    is one run (``BackfillPolicy.single_run``) and writes the rows of those partitions only.

    ``source`` is the publisher's folder (``reverse_qe.sources.SOURCES``): when ``RQE_SOURCES``
    leaves it out, or a replay directory holds nothing for it, the asset records the source as not
    provided (the table stays as it was, created empty if new) instead of failing.

    ``expectations`` (GX 1.x expectations by class name) and ``batch_checks`` (plain functions)
    add to the generic suite every table gets from its declaration.

    ``per_dataset``: the partitions are data sets, and ``load(transport, endpoints, datasets=keys)``
    yields the run's rows in batches of whole data sets, each validated and written before the next
    is read, so a backfill of many (a real 13F quarter is ~3M lines) needs the memory of one batch.
    A batch that fails stops the step; those before it stay written, each whole.

    Otherwise ``load(transport, endpoints, window=...)`` gets the run's :class:`FetchWindow` (live
    loaders ask their service for those dates only); ``resume_per`` (a column, e.g. ``symbol``) adds
    each value's newest stored day, for sources asked from there. ``reads_warehouse``: the loader
    also gets ``warehouse`` (a connection factory), for a source asked only for what the warehouse
    lacks (OpenFIGI's cache).
    """
    key = AssetKey([table.schema, table.name])
    DECLARED_TABLES.append(table)

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
        # the column the data's own date is read from (partitions, freshness, the published meta.raw_tables)
        metadata={DATE_COLUMN_METADATA: date_column or ""},
        check_specs=[AssetCheckSpec(
            RAW_CHECK, asset=key, blocking=True,
            description="The batch passed its Great Expectations suite (columns, types, key, ranges, "
            "no future dates) and the cadence checks before it was written; a failing batch is "
            "quarantined in raw.quarantine and never written.",
        )],
    )
    def _raw(context: AssetExecutionContext, sources: SourcesResource, warehouse: DuckDBResource):
        yield from _retried_if_transient(f"raw.{table.name}", _ingest(context, sources, warehouse))

    def _ingest(context: AssetExecutionContext, sources: SourcesResource, warehouse: DuckDBResource):
        from reverse_qe.ingest import ingest_batch, quarantine_parse_error
        from reverse_qe.sources.transports import SourceNotProvided
        from reverse_qe.validation.suites import raw_suite_for
        from reverse_qe.warehouse import ensure_tables

        Path(warehouse.database).parent.mkdir(parents=True, exist_ok=True)  # a first run from the CLI
        with warehouse.get_connection() as conn:
            ensure_tables(conn, DECLARED_TABLES)

        if not sources.provides(source):
            yield from _not_provided(context, warehouse, table, key, source,
                                     f"[{source}] not provided: RQE_SOURCES leaves it out")
            return
        batch_id, asset_key = f"{context.run_id}/{table.name}", "/".join(key.path)
        suite = raw_suite_for(table, date_column=date_column, as_of=sources.as_of(),
                              expectations=expectations, batch_checks=batch_checks)
        written: list["Written"] = []
        warnings, checks_run, docs = [], 0, {}
        try:
            with sources.open_transport() as transport:
                endpoints = Endpoints.from_env()
                # a generator either way, so no batch outlives its turn (the loop keeps only its rows)
                window = None if per_dataset else fetch_window(context, warehouse, table, date_column, resume_per)
                batches = (load(transport, endpoints, datasets=list(context.partition_keys)) if per_dataset
                           else (load(transport, endpoints, window=window,
                                      **({"warehouse": warehouse.get_connection} if reads_warehouse else {}))
                                 for _ in range(1)))
                for frame in batches:
                    result = ingest_batch(
                        warehouse.get_connection, table, frame, suite, batch_id=batch_id, asset_key=asset_key,
                        date_column=date_column, docs_dir=gx_docs_dir(warehouse), source=source,
                        select_rows=lambda f: rows_of_this_run(context, f, date_column))
                    docs = data_docs_metadata(result.docs_index)
                    if result.rejected:
                        yield from _reject(context, key, result.rejected, docs)
                    done = result.written
                    context.log.info(f"{table.name}: {done.rows_validated:,} rows from {sources.mode} documents "
                                     f"validated; {_what_was_written(done, context)}"
                                     + (f" ({', '.join(result.locations[:2])})" if per_dataset else ""))
                    written.append(done)
                    checks_run = result.checks_run
                    warnings += filter(None, [result.warning])
        except SourceNotProvided as err:
            if written:  # a later data set went missing between listing and reading: an error
                raise
            yield from _not_provided(context, warehouse, table, key, source, str(err))
            return
        except SourceFormatError as err:
            record = quarantine_parse_error(warehouse.get_connection, table, err, batch_id=batch_id, asset_key=asset_key)
            yield from _reject(context, key, record, {"location": err.location})
        if not written:  # a data-set step whose partitions hold nothing for this table (single filings only)
            yield from _not_provided(context, warehouse, table, key, source,
                                     f"[{source}] nothing for raw.{table.name} in partition(s) {_partition_label(context)}")
            return
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


def _what_was_written(done: "Written", context: AssetExecutionContext) -> str:
    partitions = f"partition(s) {_partition_label(context)}"
    if not done.rows:
        return f"none of them in {partitions}: nothing written"
    if not done.rows_changed:
        return f"the {done.rows:,} of {partitions} were stored as they are: nothing written"
    return f"wrote the {done.rows:,} of {partitions} ({done.rows_changed:,} new or altered)"


def _retried_if_transient(label: str, events):
    """The step's events; an error that trying again cannot help fails the step without retries."""
    from reverse_qe.ingest import is_transient
    from reverse_qe.redaction import redact

    try:
        yield from events
    except Failure:
        raise
    except Exception as err:
        if is_transient(err):  # an outage or a lock about to be released: the retry policy tries again
            raise
        # ``from None``: Dagster stores a failure's cause chain as it is, and a third-party error's
        # text (a library quoting a URL or a body) would carry a secret past the redaction above.
        raise Failure(description=redact(f"{label}: {type(err).__name__}: {err}") + "\n(not retried: the same input gives "
                      "the same error; nothing of this batch was written)", allow_retries=False) from None


def _not_provided(context, warehouse: DuckDBResource, table: RawTable, key: AssetKey, source: str, reason: str):
    """Record a source that is not provided (a visible warning, not a failure)."""
    from reverse_qe.ingest import record_not_provided

    record_not_provided(warehouse.get_connection, table, source, reason)
    context.log.warning(f"raw.{table.name}: {reason}. The table keeps what it held; the models that need it "
                        "give null components with a reason.")
    yield MaterializeResult(
        asset_key=key,
        metadata={"table": f"{table.schema}.{table.name}", "provided": False, "not_provided_reason": reason,
                  "rows_in_batch": 0},
        check_results=[AssetCheckResult(
            check_name=RAW_CHECK, asset_key=key, passed=True, severity=AssetCheckSeverity.WARN,
            metadata={"provided": False, "reason": reason})],
    )


def _partition_label(context: AssetExecutionContext) -> str:
    if context.has_partition_key_range:
        keys = context.partition_key_range
        return keys.start if keys.start == keys.end else f"{keys.start}..{keys.end}"
    return context.partition_key


def raw_set_asset(
    name: str,
    tables: Sequence[tuple[RawTable, str | None, str]],
    load: Loader,
    *,
    partitions_def: PartitionsDefinition,
    group_name: str,
    owners: list[str],
    source: str,
) -> AssetsDefinition:
    """The raw assets of a multi-table document set (``tables``: each table, its date column and its
    description) as one step: ``load(transport, endpoints, datasets=keys)`` yields batches of whole
    document sets, ``{table name: rows}``; each batch's tables are validated, then written in one
    transaction (:func:`reverse_qe.ingest.ingest_set`), or, when any fails to parse or validate,
    quarantined with none of the set written. Each table keeps its own asset ``raw/<table>``, its
    ``raw_batch_valid`` check and its metadata, as :func:`raw_asset` gives them."""
    keys = {table.name: AssetKey([table.schema, table.name]) for table, _, _ in tables}
    DECLARED_TABLES.extend(table for table, _, _ in tables)

    @multi_asset(
        name=name,
        specs=[AssetSpec(keys[table.name], group_name=group_name, description=description, kinds={"python", "duckdb"},
                         owners=owners, metadata={DATE_COLUMN_METADATA: date_column or ""})
               for table, date_column, description in tables],
        check_specs=[AssetCheckSpec(
            RAW_CHECK, asset=keys[table.name], blocking=True,
            description="The batch passed its Great Expectations suite (columns, types, key, ranges, no future "
            "dates) with the other tables of its document set before the set was written in one transaction; "
            "a failing set is quarantined in raw.quarantine and none of it is written.",
        ) for table, _, _ in tables],
        retry_policy=INGEST_RETRY,
        pool=WAREHOUSE_POOL,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        can_subset=False,
    )
    def _raw_set(context: AssetExecutionContext, sources: SourcesResource, warehouse: DuckDBResource):
        yield from _retried_if_transient(name, _ingest_set(context, sources, warehouse))

    def _ingest_set(context: AssetExecutionContext, sources: SourcesResource, warehouse: DuckDBResource):
        from reverse_qe.ingest import Part, ingest_set, quarantine_parse_error
        from reverse_qe.sources.transports import SourceNotProvided
        from reverse_qe.validation.suites import raw_suite_for
        from reverse_qe.warehouse import ensure_tables

        Path(warehouse.database).parent.mkdir(parents=True, exist_ok=True)
        with warehouse.get_connection() as conn:
            ensure_tables(conn, DECLARED_TABLES)
        if not sources.provides(source):
            for table, _, _ in tables:
                yield from _not_provided(context, warehouse, table, keys[table.name], source,
                                         f"[{source}] not provided: RQE_SOURCES leaves it out")
            return
        batch_id = f"{context.run_id}/{name}"
        suites = {table.name: raw_suite_for(table, date_column=date_column, as_of=sources.as_of())
                  for table, date_column, _ in tables}
        written: dict[str, list[Written]] = {table.name: [] for table, _, _ in tables}
        warnings: dict[str, list[str]] = {table.name: [] for table, _, _ in tables}
        checks_run: dict[str, int] = {}
        try:
            with sources.open_transport() as transport:
                for batch in load(transport, Endpoints.from_env(), datasets=list(context.partition_keys)):
                    parts = [Part(table, batch[table.name], suites[table.name], date_column, "/".join(keys[table.name].path),
                                  select_rows=lambda f, column=date_column: rows_of_this_run(context, f, column))
                             for table, date_column, _ in tables if table.name in batch]
                    results = ingest_set(warehouse.get_connection, parts, batch_id=batch_id,
                                         docs_dir=gx_docs_dir(warehouse), source=source)
                    rejected = [(n, r) for n, r in results.items() if r.rejected]
                    if rejected:
                        table_name, result = rejected[0]
                        docs = data_docs_metadata(result.docs_index)
                        yield from _reject(context, keys[table_name], result.rejected, docs)
                    for table_name, result in results.items():
                        done = result.written
                        context.log.info(f"{table_name}: {done.rows_validated:,} rows validated; "
                                         f"{_what_was_written(done, context)} ({', '.join(result.locations[:2])})")
                        written[table_name].append(done)
                        checks_run[table_name] = result.checks_run
                        warnings[table_name] += filter(None, [result.warning])
        except SourceNotProvided as err:
            if any(written.values()):
                raise
            for table, _, _ in tables:
                yield from _not_provided(context, warehouse, table, keys[table.name], source, str(err))
            return
        except SourceFormatError as err:
            # a document of the set could not be read: the set is quarantined once, under each table
            record = None
            for table, _, _ in tables:
                record = quarantine_parse_error(warehouse.get_connection, table, err, batch_id=batch_id,
                                                asset_key="/".join(keys[table.name].path))
            yield from _reject(context, keys[tables[0][0].name], record, {"location": err.location})
        for table, _, _ in tables:
            if not written[table.name]:
                yield from _not_provided(context, warehouse, table, keys[table.name], source,
                                         f"[{source}] nothing for raw.{table.name} in partition(s) {_partition_label(context)}")
                continue
            warning_text = "\n".join(warnings[table.name])
            if warning_text:
                context.log.warning(f"raw.{table.name} written with warnings:\n{warning_text}")
            yield MaterializeResult(
                asset_key=keys[table.name],
                metadata=batch_metadata(table, written[table.name]),
                check_results=[AssetCheckResult(
                    check_name=RAW_CHECK, asset_key=keys[table.name], passed=not warning_text,
                    severity=AssetCheckSeverity.WARN,
                    metadata={"checks_run": checks_run.get(table.name, 0),
                              "rows_validated": sum(w.rows_validated for w in written[table.name]),
                              "warnings": warning_text or "none"},
                )],
            )

    return _raw_set
