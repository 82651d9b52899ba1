"""`make status` (python -m orchestration.status) on a small hand-made published copy."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from reverse_qe.reports.summary import latest_week, regime_runs, status_summary
from reverse_qe.warehouse import publish_copy
from tests import handmade_warehouse
from tests.conftest import REPO


def run_status(warehouse: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "RQE_WAREHOUSE": str(warehouse)}
    return subprocess.run([sys.executable, "-m", "orchestration.status"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def published(tmp_path) -> Path:
    """Only the published copy exists: the working warehouse is written elsewhere and removed."""
    source = handmade_warehouse.build(tmp_path / "source.duckdb")
    target = tmp_path / "warehouse" / "published.duckdb"
    with duckdb.connect(str(source)) as conn:
        publish_copy(conn, target, run_id="run-123", source_mode="scenario", code_version="abc123",
                     date_columns=handmade_warehouse.DATE_COLUMNS)
    source.unlink()
    return target


def test_status_prints_the_answer_from_the_published_copy_alone(published):
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    done = run_status(published.parent / "reverse_qe.duckdb")  # that file does not exist: never opened
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Status of {published}"
    assert lines[1].startswith("Published ") and "by run run-123; sources scenario (SYNTHETIC scenario); code abc123" in lines[1]
    assert lines[2] == "Latest week 2025-10-01 (SYNTHETIC scenario): regime crowding_out, score 71.5 (0-100)"
    assert lines[3] == "  10 week(s) in crowding_out, since the week of 2025-07-30"
    assert lines[4].startswith("  held regime crowding_out for 8 week(s), since the week of 2025-08-13 (")
    assert lines[5] == "  score_null_reason: –"
    assert lines[6] == "  regime_reason: slack -140 bn <= 0"  # week 39: 700 - 16 * 26 - (190 + 6 * 39)
    # week 39: level 6805 - 867 - 5; idle pool = ON RRP 5 + reserves above the floor (3144 - 3000)
    assert lines[7] == ("Bathtub that week: level (net liquidity) 5,933.0 bn; idle pool 149.0 bn = ON RRP 5.0 "
                        "+ reserves above the floor 144.0")
    assert lines[8] == "Latest chain quarter 2025-12-31: amplification 1.400 (score 100th percentile), forced sales 18.2 bn"
    assert lines[9] == "Data freshness by source:"
    table = [line.split() for line in lines[10:]]
    assert table[0] == ["source", "table", "provided", "rows", "read", "rows", "latest", "date", "note"]
    assert table[1][:6] == ["coinbase", "raw.coinbase_daily_candles", "NOT", "PROVIDED", "0", "0"]
    assert "RQE_SOURCES leaves it out" in lines[11]
    assert table[2] == ["fred", "raw.fred_observations", "yes", "40", "40", "2025-10-01"]
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before  # read-only


def test_status_shows_why_the_latest_week_has_no_score(published):
    with duckdb.connect(str(published)) as conn:
        conn.execute("update marts.fct_capex_absorption set score = null, "
                     "score_null_reason = 'z-score window not filled: 2 of 3 weeks' where week_ending = ?",
                     [handmade_warehouse.LATEST_WEEK])
    with duckdb.connect(str(published), read_only=True) as conn:
        text = status_summary(conn)
    assert "regime crowding_out, score – (0-100)" in text
    assert "  score_null_reason: z-score window not filled: 2 of 3 weeks" in text


def test_the_demo_summary_shows_the_held_regime_the_raw_call_and_the_reason(published):
    with duckdb.connect(str(published), read_only=True) as conn:
        lines = latest_week(conn)
    assert lines[1].startswith("Regime crowding_out in the week of 2025-10-01: score 72")
    assert lines[2] == "  held regime crowding_out (8 week(s)); raw call crowding_out: slack -140 bn <= 0"


def test_without_a_published_copy_status_says_to_run_make_demo_and_exits_1(tmp_path):
    done = run_status(tmp_path / "reverse_qe.duckdb")
    assert done.returncode == 1
    assert done.stdout == ""
    assert f"No published copy at {tmp_path / 'published.duckdb'}: run `make demo` first" in done.stderr


def test_status_says_what_an_older_copy_lacks(tmp_path):
    old = tmp_path / "published.duckdb"
    with duckdb.connect(str(old)) as conn:  # no meta, no raw.source_status, no marts
        conn.execute("create schema marts")
    with duckdb.connect(str(old), read_only=True) as conn:
        text = status_summary(conn).splitlines()
    assert text == [
        "Published: no meta.publication in this copy (published by an older version).",
        "No absorption score yet (marts.fct_capex_absorption is missing).",
        "Data freshness: unknown (neither raw.source_status nor meta.raw_tables in this copy).",
    ]


def test_weeks_in_the_regime_count_back_while_it_is_unchanged():
    assert regime_runs(["crowding_out", "crowding_out", "tightening", "crowding_out"]) == 2
    assert regime_runs([None, None, "ample"]) == 2
    assert regime_runs(["ample"]) == 1
