"""raw.document_rows and the documents that go quiet: the comparison of each document's newest run
with its previous one fetched the same way, and the record written in the rows' own transaction."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from reverse_qe import document_rows
from reverse_qe.document_rows import DocumentRead, document_counts, falling_documents
from reverse_qe.thresholds import DOCUMENT_ROWS_FALL_SHARE
from reverse_qe.warehouse import RawTable, upsert

DAY = dt.datetime(2026, 11, 2, 12)


def records(*runs) -> pd.DataFrame:
    """runs: (run number, key, rows, requested_from, last_date, mode) -> raw.document_rows-like rows."""
    return pd.DataFrame([{"batch_id": f"run-{n}/t", "table_name": "t", "document_key": key, "location": f"{key}.csv",
                          "source_mode": mode, "requested_from": requested_from, "rows_yielded": rows,
                          "last_date": last_date, "recorded_at": DAY + dt.timedelta(days=n)}
                         for n, key, rows, requested_from, last_date, mode in runs])


def whole(n, key, rows, mode="replay"):
    return (n, key, rows, None, None, mode)


def test_a_whole_document_that_yields_none_or_under_the_share_is_reported_the_others_not():
    found = falling_documents(records(
        whole(1, "GONE", 40), whole(2, "GONE", 0),
        whole(1, "CUT", 40), whole(2, "CUT", 19),
        whole(1, "HALF", 40), whole(2, "HALF", 20),  # exactly the share: kept
        whole(1, "GROWN", 40), whole(2, "GROWN", 41),
        whole(2, "NEW", 0),  # no run before: nothing to compare with
    ), DOCUMENT_ROWS_FALL_SHARE)
    assert found[["document_key", "rows_before", "rows_now"]].values.tolist() == [["CUT", 40, 19], ["GONE", 40, 0]]
    assert found["reason"].tolist() == ["yields fewer than 50% of its rows before", "yields no rows"]


def test_the_newest_run_is_compared_with_the_previous_one_fetched_the_same_way():
    found = falling_documents(records(
        whole(1, "A", 900), whole(2, "A", 0, mode="scenario"),  # another source mode: not compared
        (1, "B", 900, dt.date(2018, 1, 1), dt.date(2026, 11, 1), "live"), whole(2, "B", 0, mode="live"),
        whole(1, "C", 900), whole(2, "C", 10), whole(3, "C", 10),  # the fall was reported at run 2; C is steady since
    ), DOCUMENT_ROWS_FALL_SHARE)
    assert found.empty


def test_a_live_window_is_reported_only_when_the_run_before_saw_rows_inside_it():
    window = dt.date(2026, 10, 20)
    found = falling_documents(records(
        # a window is not a whole document: 400 rows of a backfill, then 3 of a weekday, is no fall
        (1, "DGS10", 400, dt.date(2018, 1, 1), dt.date(2026, 10, 30), "live"),
        (2, "DGS10", 3, window, dt.date(2026, 10, 31), "live"),
        # the run before had rows dated inside this window, this one has none: reported
        (1, "WALCL", 3, dt.date(2026, 10, 13), dt.date(2026, 10, 29), "live"),
        (2, "WALCL", 0, window, None, "live"),
        # discontinued long before the window: nothing to expect
        (1, "IOER", 900, dt.date(2018, 1, 1), dt.date(2021, 7, 28), "live"),
        (2, "IOER", 0, window, None, "live"),
    ), DOCUMENT_ROWS_FALL_SHARE)
    assert found[["document_key", "reason"]].values.tolist() == [["WALCL", "yields no rows"]]


def test_counts_list_every_document_also_one_without_rows():
    frame = pd.DataFrame({"d": pd.to_datetime(["2026-01-01", "2026-01-08", "2026-01-15"]), "source_uri": ["a", "a", "b"]})
    documents = [DocumentRead("A", "a", "replay"), DocumentRead("B", "b", "replay"), DocumentRead("Z", "z", "replay")]
    counts = document_counts(documents, frame, frame.iloc[1:], "d")
    assert counts[["document_key", "rows_yielded", "rows_written"]].values.tolist() == [
        ["A", 2, 1], ["B", 1, 1], ["Z", 0, 0]]
    assert counts.loc[0, "first_date"] == dt.date(2026, 1, 1) and counts.loc[0, "last_date"] == dt.date(2026, 1, 8)
    assert counts.loc[2, "last_date"] is None


TABLE = RawTable("things", {"k": "varchar", "d": "date"}, key=("k",))


def test_the_record_is_written_in_the_rows_transaction_or_not_at_all(tmp_path):
    frame = pd.DataFrame({"k": ["x", "y"], "d": pd.to_datetime(["2026-01-01", "2026-01-02"]),
                          "source_mode": "replay", "source_uri": "f.csv"})
    counts = document_counts([DocumentRead("F", "f.csv", "replay")], frame, frame, "d")

    def record(conn):
        document_rows.record(conn, batch_id="run-1/things", table_name="things", source="s", counts=counts)

    def record_then_fail(conn):
        record(conn)
        raise RuntimeError("the disk filled up")

    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        with pytest.raises(RuntimeError):
            upsert(conn, TABLE, frame, also=record_then_fail)
        assert conn.execute("select count(*) from raw.things").fetchone()[0] == 0
        assert conn.execute("select count(*) from information_schema.tables "
                            "where table_name = 'document_rows'").fetchone()[0] == 0
        upsert(conn, TABLE, frame, also=record)
        upsert(conn, TABLE, frame, also=record)  # a retried step: the same batch, its rows replaced
        assert conn.execute("select document_key, rows_yielded, rows_written, first_date, last_date "
                            "from raw.document_rows").fetchall() == [
            ("F", 2, 2, dt.date(2026, 1, 1), dt.date(2026, 1, 2))]
