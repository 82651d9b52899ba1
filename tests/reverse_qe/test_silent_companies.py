"""A companyfacts document that yields 0 rows where it used to yield many leaves its company's rows
behind: the company's newest filing trails the others'. reconciliations.silent_companies finds it;
the asset check raw/sec_companyfacts:every_company_still_yields_facts warns with it."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd

from reverse_qe.reconciliations import SILENT_COMPANY_LAG_DAYS, silent_companies
from reverse_qe.sources.parsers.sec_companyfacts import parse_companyfacts
from tests.conftest import FIXTURES


def test_a_company_whose_filings_stop_is_silent_the_others_are_not():
    latest = pd.DataFrame({"cik": [1, 2, 3], "entity_name": ["A", "B", "C"],
                           "latest_filed": [dt.date(2026, 7, 29), dt.date(2026, 4, 30), dt.date(2025, 10, 30)],
                           "rows": [40, 38, 41]})
    silent = silent_companies(latest)
    assert silent["cik"].tolist() == [3] and silent["lag_days"].tolist() == [272]
    assert silent_companies(latest, lag_days=300).empty
    assert SILENT_COMPANY_LAG_DAYS > 99  # the longest real gap between two filings of one company


def test_facts_moved_to_ifrs_full_yield_no_rows_and_the_check_warns(tmp_path):
    from dagster import AssetCheckSeverity
    from dagster_duckdb import DuckDBResource

    from assets.issuance import SEC_COMPANYFACTS, every_company_still_yields_facts
    from reverse_qe.warehouse import upsert

    path = next((FIXTURES / "sec").glob("CIK*.json"))
    payload = json.loads(path.read_bytes())
    rows = parse_companyfacts(path.read_bytes(), location=str(path), tags=list(payload["facts"]["us-gaap"]))
    assert len(rows) > 0
    payload["facts"] = {"ifrs-full": payload["facts"]["us-gaap"]}
    moved = parse_companyfacts(json.dumps(payload).encode(), location=str(path), tags=list(payload["facts"]["ifrs-full"]))
    assert len(moved) == 0  # 0 rows, no error: only the check can tell

    old = rows.assign(cik=1, filed=pd.Timestamp("2025-01-30"), source_mode="replay", source_uri="a")
    new = rows.assign(cik=2, filed=pd.Timestamp("2026-07-30"), source_mode="replay", source_uri="b")
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        upsert(conn, SEC_COMPANYFACTS, pd.concat([old, new], ignore_index=True))
    check = every_company_still_yields_facts(warehouse=DuckDBResource(database=str(warehouse)))
    assert check.passed is False and check.severity == AssetCheckSeverity.WARN
    assert [r["cik"] for r in check.metadata["silent"].value] == ["1"]  # the company of the older filings
