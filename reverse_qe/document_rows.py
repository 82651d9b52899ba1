"""The rows each source document yields, run by run: ``raw.document_rows``, and the documents that
now yield none or far fewer than before. No Dagster.

A document that parses but yields no rows (a company's facts moved from ``us-gaap`` to
``ifrs-full``, a FRED file cut to a header) raises no error: its old rows simply stay, and only a
record of what each document yielded in each run can tell. A loader lists the documents it read
(:func:`list_documents`, in ``frame.attrs``, so a document with no row still counts); the ingest
writes one row per document in the same transaction as the batch's rows (:func:`record`), and the
asset check ``every_document_still_yields_rows`` compares each document's newest run with its
previous one fetched the same way (:func:`falling_documents`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

DOCUMENTS_ATTR = "documents"  # frame.attrs key a loader lists its documents under

DDL = """
create table if not exists raw.document_rows (
    batch_id varchar not null,        -- <run id>/<raw table>: one run's batch
    table_name varchar not null,      -- raw.<table_name>, where the rows went
    source varchar not null,          -- the publisher's folder (fred, sec, ...)
    document_key varchar not null,    -- the document across runs: a FRED series, a company's CIK
    location varchar not null,        -- the file or URL read this run (secrets redacted)
    source_mode varchar not null,     -- scenario | replay | live
    requested_from date,              -- a live fetch of a window: the first date asked for; null: the whole document
    rows_yielded bigint not null,     -- rows the document gave, parsed and validated
    rows_written bigint not null,     -- of them, the rows of this run's partitions
    first_date date,                  -- the rows' own first and last date (the table's date column)
    last_date date,
    recorded_at timestamp not null,
    primary key (batch_id, table_name, document_key)
)
"""


@dataclass(frozen=True)
class DocumentRead:
    """One document a loader read: its key across runs, where it was read, and what was asked."""

    key: str
    location: str
    source_mode: str  # scenario | replay | live (the transport's)
    requested_from: dt.date | None = None  # None: the whole document (a file, or an API without a window)


def list_documents(frame: "pd.DataFrame", documents: Sequence[DocumentRead]) -> "pd.DataFrame":
    """``frame`` with the documents it was read from listed (each once, also those with no row)."""
    frame.attrs[DOCUMENTS_ATTR] = list(documents)
    return frame


def documents_of(frame: "pd.DataFrame") -> list[DocumentRead]:
    return list(frame.attrs.get(DOCUMENTS_ATTR) or [])


def document_counts(documents: Sequence[DocumentRead], validated: "pd.DataFrame", written: "pd.DataFrame",
                    date_column: str | None) -> "pd.DataFrame":
    """Per document: rows yielded (of ``validated``), rows written (of ``written``), first and last
    date of the rows yielded; the rows say their document in ``source_uri``."""
    import pandas as pd

    yielded = validated.groupby("source_uri").size()
    kept = written.groupby("source_uri").size() if len(written) else pd.Series(dtype="int64")
    dates = validated.groupby("source_uri")[date_column].agg(["min", "max"]) if date_column and len(validated) else None
    rows = []
    for document in documents:
        first = last = None
        if dates is not None and document.location in dates.index:
            first, last = (pd.Timestamp(d).date() for d in dates.loc[document.location])
        rows.append({"document_key": document.key, "location": document.location,
                     "source_mode": document.source_mode, "requested_from": document.requested_from,
                     "rows_yielded": int(yielded.get(document.location, 0)),
                     "rows_written": int(kept.get(document.location, 0)), "first_date": first, "last_date": last})
    return pd.DataFrame(rows, columns=["document_key", "location", "source_mode", "requested_from", "rows_yielded",
                                       "rows_written", "first_date", "last_date"])


def record(conn: "duckdb.DuckDBPyConnection", *, batch_id: str, table_name: str, source: str,
           counts: "pd.DataFrame") -> None:
    """Within the caller's transaction (the one writing the rows): one row per document of
    ``counts`` (:func:`document_counts`); a step retried with the same batch replaces its rows."""
    from reverse_qe.redaction import redact

    if counts.empty:
        return
    conn.execute(DDL)
    frame = counts.assign(batch_id=batch_id, table_name=table_name, source=source, location=counts["location"].map(redact),
                          recorded_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    columns = ["batch_id", "table_name", "source", "document_key", "location", "source_mode", "requested_from",
               "rows_yielded", "rows_written", "first_date", "last_date", "recorded_at"]
    conn.register("_rqe_document_rows", frame[columns])
    try:
        conn.execute(f"insert or replace into raw.document_rows ({', '.join(columns)}) "
                     f"select {', '.join(columns)} from _rqe_document_rows")
    finally:
        conn.unregister("_rqe_document_rows")


def falling_documents(records: "pd.DataFrame", fall_share: float) -> "pd.DataFrame":
    """``records``: raw.document_rows of one table. Each document's newest record against its
    previous one fetched the same way (same source mode, and both whole documents or both live
    windows): the documents that yield no rows where the previous yielded some, or, whole documents,
    fewer than ``fall_share`` of its rows. A window says nothing of rows dated before it: a window
    that yields none is reported only when the previous fetch had rows dated inside it.
    Returns document_key, location, rows_before, rows_now, recorded_before, recorded_now, reason."""
    import pandas as pd

    columns = ["document_key", "location", "rows_before", "rows_now", "recorded_before", "recorded_now", "reason"]
    found = []
    ordered = records.assign(whole=records["requested_from"].isna()).sort_values(["recorded_at", "batch_id"])
    for _, runs in ordered.groupby("document_key", sort=True):
        now = runs.iloc[-1]
        same_way = runs.iloc[:-1]
        same_way = same_way[(same_way["source_mode"] == now["source_mode"]) & (same_way["whole"] == now["whole"])]
        if same_way.empty:
            continue
        before = same_way.iloc[-1]
        reason = None
        if before["rows_yielded"] > 0 and now["rows_yielded"] == 0:
            if now["whole"] or (pd.notna(before["last_date"])
                                and pd.Timestamp(before["last_date"]) >= pd.Timestamp(now["requested_from"])):
                reason = "yields no rows"
        elif now["whole"] and now["rows_yielded"] < fall_share * before["rows_yielded"]:
            reason = f"yields fewer than {fall_share:.0%} of its rows before"
        if reason:
            found.append([now["document_key"], now["location"], int(before["rows_yielded"]), int(now["rows_yielded"]),
                          before["recorded_at"], now["recorded_at"], reason])
    return pd.DataFrame(found, columns=columns)
