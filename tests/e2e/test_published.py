"""The published copy: atomic, always readable from another process, never replaced by a failed run."""

import hashlib
import json
import os
import subprocess
import sys
import time

import duckdb
import pytest

from reverse_qe.warehouse import publish_copy
from tests.conftest import REPO, copy_run, run_demo


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publish_copies_tables_drops_views_and_replaces_atomically(tmp_path):
    target = tmp_path / "published.duckdb"
    with duckdb.connect(str(tmp_path / "reverse_qe.duckdb")) as conn:
        conn.execute("create schema marts; create table marts.t as select 1 as x")
        conn.execute("create schema staging; create view staging.v as select * from marts.t")
        first = publish_copy(conn, target)
        conn.execute("insert into marts.t values (2)")
        publish_copy(conn, target)
    assert first.tables == 1
    with duckdb.connect(str(target), read_only=True) as reader:
        assert reader.execute("select sum(x) from marts.t").fetchone()[0] == 3
        assert reader.execute("select count(*) from duckdb_views() where not internal").fetchone()[0] == 0
    # no temporary file left; the one hidden entry is the Parquet folder published_parquet links to
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [os.readlink(tmp_path / "published_parquet")]


def test_a_failed_copy_leaves_the_published_file_as_it_was(tmp_path):
    target = tmp_path / "published.duckdb"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        conn.execute("create schema marts; create table marts.t as select 1 as x")
        publish_copy(conn, target)
        before = digest(target)
        conn.execute("attach ':memory:' as rqe_publish")  # the name the copy needs is taken
        with pytest.raises(duckdb.Error):
            publish_copy(conn, target)
    assert digest(target) == before


@pytest.mark.slow
def test_a_reader_in_another_process_sees_only_complete_states_during_a_run(scenario_run, tmp_path):
    first = copy_run(scenario_run, tmp_path)  # the scenario through 2026-11-20
    published = first.warehouse.parent / "published.duckdb"
    stop = tmp_path / "stop-reading"
    reader = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "published_reader.py"), str(published), str(stop), "900"],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    # A week later, as the schedules and the sensor run it: the month in progress and the new H.4.1
    # week, then the rebuild of what they changed, and the publish. (The 13F job has no new data set.)
    second = run_demo(tmp_path, "daily_ingest", "weekly_h41", "transform_and_publish", RQE_SCENARIO_END="2026-11-27")
    assert second.returncode == 0, second.output[-3000:]
    time.sleep(3)  # a few more reads of the new state
    stop.touch()
    report = json.loads(reader.communicate(timeout=120)[0])
    assert report["error_count"] == 0, report["errors"]
    assert report["queries"] > 50
    # Only the two complete states: before (464 weeks to 2026-11-18) and after (465 to 2026-11-25).
    assert set(report["states"]) <= {"464|2026-11-18|464", "465|2026-11-25|465"}, report["states"]
    assert "465|2026-11-25|465" in report["states"]


# A run killed mid-dbt: tests/e2e/test_faults_runtime.py (the published copy intact, no dbt left,
# the next run at once).
