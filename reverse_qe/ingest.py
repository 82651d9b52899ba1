"""Ingest one loaded batch: validate it, then upsert it by natural key or quarantine it. No Dagster.

The Dagster raw assets (``assets/raw.py``) call :func:`ingest_batch` for each batch a loader yields
and :func:`quarantine_parse_error` when a loader cannot parse a document; both return what happened
as plain data, and the asset turns it into events. A rejected batch is written to
``raw.quarantine`` in a transaction of its own and never reaches its raw table, so the previous good
data stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager

from reverse_qe import document_rows
from reverse_qe.warehouse import (
    QuarantineRecord,
    RawTable,
    UpsertResult,
    ensure_tables,
    record_source_status,
    upsert,
    upsert_together,
    write_quarantine,
)

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from reverse_qe.sources.errors import SourceFormatError
    from reverse_qe.validation.suites import RawSuite

Connect = Callable[[], ContextManager["duckdb.DuckDBPyConnection"]]
# The rows of a validated batch this run writes, and how many it leaves to other partitions' runs.
RowSelector = Callable[["pd.DataFrame"], "tuple[pd.DataFrame, int]"]


def _all_rows(frame: "pd.DataFrame") -> "tuple[pd.DataFrame, int]":
    return frame, 0


@dataclass(frozen=True)
class Written:
    """What one validated batch wrote."""

    rows: int
    rows_replaced: int
    rows_after: int
    rows_changed: int  # rows not stored before exactly as they are (reverse_qe.warehouse.UpsertResult)
    rows_of_other_partitions: int
    rows_validated: int
    first_date: str
    last_date: str
    modes: frozenset[str]
    documents: frozenset[str]

    @classmethod
    def of(cls, frame: "pd.DataFrame", date_column: str | None, *, upserted: UpsertResult,
           other_partitions: int, validated: int) -> "Written":
        dates = frame[date_column] if date_column and len(frame) else None
        return cls(len(frame), upserted.rows_replaced, upserted.rows_after, upserted.rows_changed,
                   other_partitions, validated,
                   str(dates.min().date()) if dates is not None else "",
                   str(dates.max().date()) if dates is not None else "",
                   frozenset(frame["source_mode"].unique()), frozenset(frame["source_uri"].unique()))


@dataclass(frozen=True)
class BatchResult:
    """One batch's outcome: ``written`` when it passed, ``rejected`` (already quarantined) when not."""

    written: Written | None
    rejected: QuarantineRecord | None
    warning: str
    checks_run: int
    locations: list[str]
    docs_index: Path | None


def ingest_batch(connect: Connect, table: RawTable, frame: "pd.DataFrame", suite: "RawSuite", *,
                 batch_id: str, asset_key: str, date_column: str | None, docs_dir: Path | None = None,
                 select_rows: RowSelector = _all_rows, source: str = "") -> BatchResult:
    """Validate every row of ``frame`` (a future date belongs to no partition and must still be
    caught), then upsert the rows ``select_rows`` keeps, or quarantine the whole batch. A written
    batch records its source as provided in ``raw.source_status`` (with the part that was not, as
    a loader lists it in ``frame.attrs["not_provided"]``), and, in the transaction of its rows, the
    rows each document the loader lists yielded in ``raw.document_rows``."""
    from reverse_qe.validation.gx import (
        validate_raw_batch,  # GX: seconds to import, only when a run validates
    )

    outcome = validate_raw_batch(frame, suite, docs_dir=docs_dir)
    if not outcome.success:
        record = QuarantineRecord(batch_id, asset_key, outcome.source, outcome.locations, "validation",
                                  outcome.message(), [f.check for f in outcome.errors], outcome.offending)
        quarantine(connect, record)
        return BatchResult(None, record, "", outcome.checks_run, outcome.locations, outcome.docs_index)
    validated = len(frame)
    missing = frame.attrs.get("not_provided") or []
    selected, other_partitions = select_rows(frame)
    counts = document_rows.document_counts(document_rows.documents_of(frame), frame, selected, date_column)
    frame = selected
    with connect() as conn:
        result = upsert(conn, table, frame, also=_record_documents(counts, batch_id, table, source or suite.source))
        record_source_status(conn, table, source or suite.source, provided=True, rows_loaded=validated,
                             detail=f"not provided: {', '.join(missing)}" if missing else "")
    written = Written.of(frame, date_column, upserted=result, other_partitions=other_partitions, validated=validated)
    return BatchResult(written, None, outcome.warning_message(), outcome.checks_run, outcome.locations,
                       outcome.docs_index)


@dataclass(frozen=True)
class Part:
    """One table's rows of a document set, with how they are validated and which this run writes."""

    table: RawTable
    frame: "pd.DataFrame"
    suite: "RawSuite"
    date_column: str | None
    asset_key: str
    select_rows: RowSelector = _all_rows


def ingest_set(connect: Connect, parts: "list[Part]", *, batch_id: str, docs_dir: Path | None = None,
               source: str = "") -> dict[str, BatchResult]:
    """:func:`ingest_batch` for the tables of one document set, all or nothing: every part is
    validated first; if one fails, each failing part is quarantined and nothing of the set is
    written; else all parts are upserted in one transaction. Results by table name."""
    from reverse_qe.validation.gx import validate_raw_batch

    outcomes = [validate_raw_batch(part.frame, part.suite, docs_dir=docs_dir) for part in parts]
    if not all(outcome.success for outcome in outcomes):
        names = ", ".join(f"raw.{part.table.name}" for part in parts)
        results = {}
        for part, outcome in zip(parts, outcomes):
            record = None
            if not outcome.success:
                record = QuarantineRecord(
                    batch_id, part.asset_key, outcome.source, outcome.locations, "validation",
                    f"{outcome.message()}\nThe document set ({names}) is written whole or not at all: "
                    "none of it was written.", [f.check for f in outcome.errors], outcome.offending)
                quarantine(connect, record)
            results[part.table.name] = BatchResult(None, record, "", outcome.checks_run, outcome.locations,
                                                   outcome.docs_index)
        return results
    selected = [part.select_rows(part.frame) for part in parts]
    records = [_record_documents(document_rows.document_counts(document_rows.documents_of(part.frame), part.frame,
                                                               rows, part.date_column),
                                 batch_id, part.table, source or part.suite.source)
               for part, (rows, _) in zip(parts, selected)]

    def also(conn):
        for write in records:
            write(conn)

    with connect() as conn:
        written = upsert_together(conn, [(part.table, rows) for part, (rows, _) in zip(parts, selected)], also=also)
        for part in parts:
            missing = part.frame.attrs.get("not_provided") or []
            record_source_status(conn, part.table, source or part.suite.source, provided=True,
                                 rows_loaded=len(part.frame),
                                 detail=f"not provided: {', '.join(missing)}" if missing else "")
    return {part.table.name: BatchResult(
        Written.of(rows, part.date_column, upserted=result, other_partitions=others, validated=len(part.frame)),
        None, outcome.warning_message(), outcome.checks_run, outcome.locations, outcome.docs_index)
        for part, (rows, others), result, outcome in zip(parts, selected, written, outcomes)}


def _record_documents(counts: "pd.DataFrame", batch_id: str, table: RawTable, source: str):
    """What a batch writes beside its rows, in their transaction: the rows each document yielded."""
    return lambda conn: document_rows.record(conn, batch_id=batch_id, table_name=table.name, source=source,
                                             counts=counts)


def quarantine_parse_error(connect: Connect, table: RawTable, err: "SourceFormatError", *,
                           batch_id: str, asset_key: str) -> QuarantineRecord:
    """Quarantine a document that could not be parsed (nothing of it is written) and say so."""
    record = QuarantineRecord(
        batch_id, asset_key, err.source, [err.location], "parse",
        f"raw.{table.name}: could not parse {err}. Nothing of it was written; the previous raw data "
        "is unchanged. Fix or replace that document, then re-run.",
        ["source_format"], [{"source_uri": err.location, "document_row": err.row, "reason": err.reason}],
    )
    quarantine(connect, record)
    return record


def record_not_provided(connect: Connect, table: RawTable, source: str, reason: str) -> None:
    """The source is not provided: the raw table exists (empty, or with what earlier runs wrote,
    which is kept) so the models that read it run, and ``raw.source_status`` says why."""
    with connect() as conn:
        ensure_tables(conn, [table])
        record_source_status(conn, table, source, provided=False, detail=reason)


def quarantine(connect: Connect, record: QuarantineRecord) -> None:
    with connect() as conn:
        write_quarantine(conn, record)


def is_transient(err: BaseException) -> bool:
    """Whether trying again later can help: a service that still failed after the HTTP client's own
    retries (an outage), a dropped connection, or the warehouse locked by another process. Anything
    else (a missing file, a bad value, a bug) gives the same error again, so it is not retried. An
    error that knows says so itself (``transient``): a fetch error, a warehouse that cannot be opened
    (``reverse_qe.warehouse_open``: its lock already waited for, or a cause retrying cannot mend)."""
    from reverse_qe.sources.transports import SourceFetchError
    from reverse_qe.warehouse_open import WarehouseUnavailable

    if isinstance(err, (SourceFetchError, WarehouseUnavailable)):
        return err.transient
    if isinstance(err, (ConnectionError, TimeoutError)):
        return True
    return type(err).__module__.lstrip("_").startswith("duckdb") and "lock" in str(err).lower()

