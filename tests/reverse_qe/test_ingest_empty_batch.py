"""A batch with no rows is ingested without Great Expectations (seconds to import) and still records
what an ingested batch records; a batch with rows still goes through GX, and bad rows are still
quarantined naming the source, the file and the row."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import duckdb
import pandas as pd

from reverse_qe.document_rows import DocumentRead, list_documents
from reverse_qe.validation.gx import VACUOUS_ON_NO_ROWS, passes_without_gx
from reverse_qe.validation.suites import Expect, RawSuite, raw_suite_for
from reverse_qe.warehouse import RawTable
from tests.conftest import REPO

TABLE = RawTable("empty_batch_things", {"thing": "varchar", "day": "date", "value": "double"}, key=("thing", "day"))
AS_OF = dt.date(2026, 11, 20)
DOCUMENT = "scenario/things/THINGS.csv"


def batch(rows: list[tuple[str, str, float]], columns=("thing", "day", "value", "source_mode", "source_uri")) -> pd.DataFrame:
    frame = pd.DataFrame([(t, pd.Timestamp(d), v, "scenario", DOCUMENT) for t, d, v in rows],
                         columns=["thing", "day", "value", "source_mode", "source_uri"])
    frame["day"] = frame["day"].astype("datetime64[ns]")
    frame["value"] = frame["value"].astype("float64")
    return list_documents(frame[list(columns)], [DocumentRead("THINGS", DOCUMENT, "scenario")])


def ingest_in_this_process(warehouse: str, rows: list, columns: list[str]) -> dict:
    """One batch through ``ingest_batch`` into ``warehouse``; what it wrote, and whether GX was imported."""
    from reverse_qe.ingest import ingest_batch

    suite = raw_suite_for(TABLE, date_column="day", as_of=AS_OF)
    result = ingest_batch(lambda: duckdb.connect(warehouse), TABLE, batch(rows, tuple(columns)), suite,
                          batch_id="run-1/empty_batch_things", asset_key="raw/empty_batch_things",
                          date_column="day", source="things")
    with duckdb.connect(warehouse) as conn:
        status = conn.execute("select source, provided, rows_loaded from raw.source_status "
                              "where table_name = 'empty_batch_things'").fetchall() if result.written else []
        documents = (conn.execute("select document_key, rows_yielded, rows_written from raw.document_rows").fetchall()
                     if result.written else [])
        quarantined = conn.execute("select count(*) from raw.quarantine").fetchone()[0] if result.rejected else 0
    return {"gx_imported": "great_expectations" in sys.modules, "written": result.written is not None,
            "reason": result.rejected.reason if result.rejected else "", "status": status, "documents": documents,
            "quarantined": quarantined}


def ingest_in_a_fresh_process(tmp_path, rows: list, columns=("thing", "day", "value", "source_mode", "source_uri")) -> dict:
    code = ("import json, sys; from tests.reverse_qe.test_ingest_empty_batch import ingest_in_this_process as f; "
            "print(json.dumps(f(sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]))))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "w.duckdb"), json.dumps(rows), json.dumps(list(columns))],
                         cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_an_empty_batch_imports_no_gx_and_records_its_source_and_documents(tmp_path):
    got = ingest_in_a_fresh_process(tmp_path, [])
    assert got["written"] and not got["gx_imported"]
    assert got["status"] == [["things", True, 0]]
    assert got["documents"] == [["THINGS", 0, 0]]  # the document read, which yielded nothing


def test_an_empty_batch_lacking_a_column_still_goes_to_gx_and_is_quarantined(tmp_path):
    got = ingest_in_a_fresh_process(tmp_path, [], columns=("thing", "day", "source_mode", "source_uri"))
    assert got["gx_imported"] and not got["written"] and got["quarantined"] == 1
    assert "value" in got["reason"] and "[empty" in got["reason"]


def test_a_batch_with_a_bad_row_imports_gx_and_is_quarantined_naming_source_file_and_row(tmp_path):
    got = ingest_in_a_fresh_process(tmp_path, [["a", "2026-11-18", 1.0], ["a", "2026-11-23", 2.0]])  # after AS_OF
    assert got["gx_imported"] and not got["written"] and got["quarantined"] == 1
    assert f"{DOCUMENT}, row 3" in got["reason"]  # CSV line 3: the header, then the second row
    assert "[empty" in got["reason"] and "future" in got["reason"]


def test_only_a_batch_with_no_rows_and_every_named_column_and_vacuous_checks_skips_gx():
    suite = raw_suite_for(TABLE, date_column="day", as_of=AS_OF)
    assert passes_without_gx(batch([]), suite)
    assert not passes_without_gx(batch([("a", "2026-11-18", 1.0)]), suite)
    assert not passes_without_gx(batch([], ("thing", "day", "source_mode", "source_uri")), suite)
    row_count = Expect("ExpectTableRowCountToBeBetween", {"min_value": 1}, "at least one row")
    assert not passes_without_gx(batch([]), RawSuite(TABLE.name, "things", (*suite.expectations, row_count)))
    exact = Expect("ExpectTableColumnsToMatchSet", {"column_set": list(TABLE.columns)}, "exactly these columns")
    assert not passes_without_gx(batch([]), RawSuite(TABLE.name, "things", (exact,)))


# One expectation of each kind skipped on an empty batch, as the suites use them
EACH_VACUOUS_KIND = [
    Expect("ExpectTableColumnsToMatchSet", {"column_set": ["thing", "day"], "exact_match": False}, ""),
    Expect("ExpectColumnValuesToNotBeNull", {"column": "thing"}, ""),
    Expect("ExpectColumnValuesToBeUnique", {"column": "thing"}, ""),
    Expect("ExpectCompoundColumnsToBeUnique", {"column_list": ["thing", "day"]}, ""),
    Expect("ExpectColumnValuesToBeBetween", {"column": "value", "min_value": 0, "max_value": 1}, ""),
    Expect("ExpectColumnValuesToBeInSet", {"column": "thing", "value_set": ["b"]}, ""),
    Expect("ExpectColumnValuesToMatchRegex", {"column": "thing", "regex": "^b$"}, ""),
    Expect("ExpectColumnPairValuesAToBeGreaterThanB", {"column_A": "value", "column_B": "value"}, ""),
]


def test_gx_itself_passes_every_skipped_kind_on_an_empty_batch_and_fails_each_on_a_bad_row():
    from reverse_qe.validation.gx import _run_gx

    assert {e.kind for e in EACH_VACUOUS_KIND} == VACUOUS_ON_NO_ROWS
    suite = RawSuite("empty_batch_kinds", "things", tuple(EACH_VACUOUS_KIND))
    failures, _ = _run_gx(batch([]).reset_index(drop=True), suite, None)
    assert failures == []
    # the same expectations do look at rows: a row that breaks each (a null key, two "a"s, value 5)
    bad = pd.DataFrame({"thing": ["a", "a", None], "day": pd.to_datetime(["2026-11-18"] * 3), "value": [5.0, 5.0, 5.0],
                        "source_mode": "scenario", "source_uri": DOCUMENT})
    failed = {f.check.split("(")[0] for f in _run_gx(bad, suite, None)[0]}
    assert failed == VACUOUS_ON_NO_ROWS - {"ExpectTableColumnsToMatchSet"}

