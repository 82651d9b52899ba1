"""Partitioned ingestion: which rows a run writes, which partitions a run covers, and a CLI backfill
of a range that runs as one run and writes that range only."""

import datetime as dt
import subprocess
import sys

import duckdb
import pandas as pd
from dagster import AssetKey, DagsterInstance

from assets.partitions import h41_weekly_partitions, keys_through, monthly_partitions
from reverse_qe.partitions import dataset_partition_key, keys_to_run, partition_mask
from tests.conftest import REPO, isolated_env


def test_a_time_window_keeps_its_own_dates_start_inclusive_end_exclusive():
    frame = pd.DataFrame({"record_date": pd.to_datetime(["2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01"])})
    mask = partition_mask(frame, date_column="record_date", window=(dt.date(2026, 10, 1), dt.date(2026, 11, 1)))
    assert mask.tolist() == [False, True, True, False]


def test_a_data_set_partition_keeps_its_own_documents_and_single_filings():
    frame = pd.DataFrame({"source_uri": [
        "/replay/sec_13f/01sep2025-30nov2025_form13f.zip",
        "/replay/sec_13f/01dec2025-28feb2026_form13f/INFOTABLE.tsv",
        "https://www.sec.gov/files/structureddata/data/form-13f-data-sets/01sep2025-30nov2025_form13f.zip",
        "/replay/sec_13f/0001234567-26-000001.xml",  # one filing's table, of no data set
    ]})
    mask = partition_mask(frame, date_column=None, dataset_keys=["01sep2025-30nov2025_form13f"])
    assert mask.tolist() == [True, False, True, True]
    assert dataset_partition_key("01sep2025-30nov2025_form13f.zip") == "01sep2025-30nov2025_form13f"


def test_data_sets_are_told_by_the_documents_own_names_not_the_replay_directory_path():
    """A replay directory whose path contains ``_form13f`` must not make single filings look like a
    data set (they were dropped from every run), nor a data set match another by prefix."""
    frame = pd.DataFrame({"source_uri": [
        "/home/me/my_form13f_downloads/sec_13f/0001234567-26-000001.xml",
        "/home/me/my_form13f_downloads/sec_13f/2023q1_form13f/INFOTABLE.tsv",
        "/home/me/my_form13f_downloads/sec_13f/2023q1_form13f.zip",
    ]})
    mask = partition_mask(frame, date_column=None, dataset_keys=["2022q4_form13f"])
    assert mask.tolist() == [True, False, False]
    mask = partition_mask(frame, date_column=None, dataset_keys=["2023q1_form13f"])
    assert mask.tolist() == [True, True, True]


def test_a_run_covers_from_the_first_missing_partition_through_the_newest():
    keys = ["2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"]
    assert keys_to_run(keys, set()) == keys  # first run: all history
    assert keys_to_run(keys, set(keys)) == ["2026-11-01"]  # daily: the month in progress again
    assert keys_to_run(keys, {"2026-08-01", "2026-10-01"}) == keys[1:]  # a hole is filled
    # A week later: the partition that was in progress at the last run is read again, then the new one.
    assert keys_to_run(keys, {"2026-08-01", "2026-09-01", "2026-10-01"}) == keys[2:]
    assert keys_to_run([], set()) == []


def test_partitions_run_through_the_one_holding_the_as_of_date():
    assert keys_through(monthly_partitions, dt.date(2026, 11, 20))[-1] == "2026-11-01"
    assert keys_through(monthly_partitions, dt.date(2026, 11, 20))[0] == "2018-01-01"
    # H.4.1 weeks run Thursday..Wednesday: Friday 2026-11-20 is in the week starting Thursday 11-19.
    assert keys_through(h41_weekly_partitions, dt.date(2026, 11, 20))[-1] == "2026-11-19"
    assert keys_through(h41_weekly_partitions, dt.date(2026, 11, 18))[-1] == "2026-11-12"


def test_a_cli_backfill_of_a_range_is_one_run_that_writes_that_range_only(tmp_path):
    env = isolated_env(tmp_path)
    cmd = [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "orchestration.definitions",
           "--select", "raw/dts_operating_cash_balance", "--partition-range", "2026-09-01...2026-10-01"]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]

    with duckdb.connect(env["RQE_WAREHOUSE"], read_only=True) as conn:
        first, last, days = conn.execute(
            "select min(record_date), max(record_date), count(distinct record_date) from raw.dts_operating_cash_balance"
        ).fetchone()
    assert dt.date(2026, 9, 1) <= first and last <= dt.date(2026, 10, 31) and days >= 40

    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        assert len(instance.get_run_records()) == 1
        key = AssetKey(["raw", "dts_operating_cash_balance"])
        assert instance.get_materialized_partitions(key) == {"2026-09-01", "2026-10-01"}
