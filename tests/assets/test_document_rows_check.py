"""The asset check every_document_still_yields_rows through the real raw assets (replay transport,
parser, GX validation, DuckDB write): a companyfacts document whose facts moved to ifrs-full, and a
FRED file cut to a few rows, parse without error and are written; the run's raw.document_rows says
what each document yielded, and the check warns with the document.

The date check every_company_still_yields_facts stays silent on the first case: the company's old
facts are still recent, so only the row counts tell."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetCheckSeverity
from dagster_duckdb import DuckDBResource

from assets.checks import document_rows_check
from assets.funding_flows import FRED_OBSERVATIONS
from assets.issuance import SEC_COMPANYFACTS, every_company_still_yields_facts
from tests.conftest import FIXTURES
from tests.harness import run_raw, runner_instance_under

COMPANY = "CIK0001326801"  # the fixture's companyfacts document (Meta)


@pytest.fixture()
def instance(tmp_path):
    with runner_instance_under(tmp_path / "instance") as inst:
        yield inst


@pytest.fixture()
def replay(tmp_path) -> Path:
    folder = tmp_path / "replay"
    shutil.copytree(FIXTURES, folder)
    return folder


def recorded(warehouse: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute("select batch_id, document_key, rows_yielded, rows_written from raw.document_rows "
                            "where table_name = ? order by recorded_at, document_key", [table]).fetchall()


def check(table, warehouse: Path):
    return document_rows_check(table)(warehouse=DuckDBResource(database=str(warehouse)))


def test_companyfacts_moved_to_ifrs_full_yield_no_rows_and_the_check_warns(tmp_path, replay, instance):
    warehouse = tmp_path / "w" / "reverse_qe.duckdb"
    assert run_raw(["sec_companyfacts"], warehouse, replay, instance).success
    ((first_batch, key, rows, written),) = recorded(warehouse, "sec_companyfacts")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        stored = conn.execute("select count(*) from raw.sec_companyfacts").fetchone()[0]
    assert key == COMPANY and rows == written == stored > 0
    assert check(SEC_COMPANYFACTS, warehouse).passed is True

    document = replay / "sec" / f"{COMPANY}.json"
    payload = json.loads(document.read_bytes())
    payload["facts"] = {"ifrs-full": payload["facts"]["us-gaap"]}
    document.write_text(json.dumps(payload))
    run = run_raw(["sec_companyfacts"], warehouse, replay, instance)

    assert run.success, run.error  # 0 rows, no error: the old rows stay
    (_, *before), (second_batch, *now) = recorded(warehouse, "sec_companyfacts")  # one record per run
    assert second_batch != first_batch and now == [COMPANY, 0, 0] and before == [COMPANY, rows, written]
    result = check(SEC_COMPANYFACTS, warehouse)
    assert result.passed is False and result.severity == AssetCheckSeverity.WARN
    (falling,) = result.metadata["falling"].value
    assert (falling["document_key"], falling["rows_before"], falling["rows_now"], falling["reason"]) == (
        COMPANY, str(rows), "0", "yields no rows")
    # what the date check sees: the company's newest filing is still the newest of all
    assert every_company_still_yields_facts(warehouse=DuckDBResource(database=str(warehouse))).passed is True


def test_a_fred_file_cut_to_a_few_rows_is_reported_by_its_series(tmp_path, replay, instance):
    warehouse = tmp_path / "w" / "reverse_qe.duckdb"
    assert run_raw(["fred_observations"], warehouse, replay, instance).success
    first = {key: rows for _, key, rows, _ in recorded(warehouse, "fred_observations")}
    assert first["DGS10"] > 0 and first["IORB"] == 0  # the fixtures end before IORB began: a header only
    assert check(FRED_OBSERVATIONS, warehouse).passed

    lines = (replay / "fred" / "DGS10.csv").read_text().splitlines(keepends=True)
    kept = 1 + first["DGS10"] // 4  # the header and a quarter of the rows
    (replay / "fred" / "DGS10.csv").write_text("".join(lines[:kept]))
    assert run_raw(["fred_observations"], warehouse, replay, instance).success

    result = check(FRED_OBSERVATIONS, warehouse)
    assert result.passed is False and result.severity == AssetCheckSeverity.WARN
    assert [(f["document_key"], f["rows_now"]) for f in result.metadata["falling"].value] == [("DGS10", str(kept - 1))]
