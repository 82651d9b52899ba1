"""``make live``'s entry point runs the daily job against the fake of every source: with faults that
retries absorb it completes; with a fault that persists it stops with a clear error, and the raw
tables and the published copy still hold the previous complete, checked data. Secrets reach the
services and nothing else: not the output, the warehouse, the landing zone or Dagster's storage."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from reverse_qe.warehouse import publish_copy
from tests.conftest import REPO, isolated_env
from tests.harness import raw_tables
from tests.http_server import Reply
from tests.live.fake_sources import FIXTURES, HTML_PAGE, FakeSources, truncated_gzip

pytestmark = pytest.mark.slow

USER_AGENT = "Sentinel Ua7f3 ua7f3-contact@example.com"
STOOQ_KEY = "sentinel-key-c41d"
# the daily job's tables (FRED too while the H.4.1 job is a subset of the daily one)
DAILY_TABLES = {"dts_operating_cash_balance", "dts_public_debt_transactions", "nyfed_reverse_repo_operations",
                "treasury_auctions", "mspd_debt_outstanding", "sec_companyfacts", "stooq_daily_prices",
                "coinbase_daily_candles"}


def run_live(root, fake: FakeSources, *jobs: str) -> tuple[int, str]:
    """``make live``'s entry point for ``jobs``, every base URL on the fake, no 13F data set named."""
    env = isolated_env(root, RQE_SOURCE="live", RQE_SEC_USER_AGENT=USER_AGENT, RQE_STOOQ_API_KEY=STOOQ_KEY, RQE_SEC_13F_DATASETS="",
                       RQE_HTTP_ATTEMPTS="3", RQE_HTTP_MAX_BACKOFF_S="2", RQE_HTTP_TIMEOUT_S="10", **fake.env())
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", *jobs], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def test_live_daily_job_completes_through_transient_faults_and_stops_cleanly_on_a_persistent_one(tmp_path):
    warehouse = tmp_path / "warehouse" / "reverse_qe.duckdb"
    published = warehouse.parent / "published.duckdb"
    with FakeSources(stooq_key=STOOQ_KEY) as fake:
        facts = (FIXTURES / "sec" / "CIK0001326801.json").read_bytes()
        fake.inject("dts/operating_cash_balance", Reply(503, {}, b"busy"), Reply(500, {}, b"oops"))
        fake.inject("startDate=2020-01-01", Reply(429, {"Retry-After": "1"}, b""))
        fake.inject("CIK0000789019", Reply(200, {"Content-Encoding": "gzip"}, truncated_gzip(facts)))
        fake.inject("BTC-USD", Reply(200, {}, json.dumps(fake.candles).encode(), cut_after=20))
        code, first_output = run_live(tmp_path, fake, "daily_ingest")
        assert code == 0, first_output[-4000:]
        assert all(f.used == len(f.replies) for f in fake.faults)  # every fault was met, and absorbed
        before = raw_tables(warehouse)
        # every raw table exists (the others empty until their jobs run); the daily ones are filled
        assert DAILY_TABLES <= set(before) and all(before[t] for t in DAILY_TABLES), {t: len(r) for t, r in before.items()}
        with duckdb.connect(str(warehouse)) as conn:  # the copy transform_and_publish last made
            publish_copy(conn, published)
        published_bytes = published.read_bytes()

        fake.inject("/q/d/l/", Reply(200, {"Content-Type": "text/html"}, HTML_PAGE), persistent=True)
        code, output = run_live(tmp_path, fake, "daily_ingest", "transform_and_publish")
        assert code == 1, output[-4000:]
        assert re.search(r"\[stooq\] http://127\.0\.0\.1:\d+/q/d/l/\?s=[a-z]+\.us&i=d&d1=\d{8}: Stooq answered with an HTML "
                         r"page instead of CSV", output), output[-4000:]
        assert "FAILED" in output and "running transform_and_publish" not in output
        assert raw_tables(warehouse) == before  # the failed source kept its rows; the others re-read the same
        assert published.read_bytes() == published_bytes
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            quarantined = conn.execute("select source from raw.quarantine").fetchall()
        assert quarantined == [("stooq",)]
        assert {r.query.get("apikey") for r in fake.requests if r.path == "/q/d/l/"} == {STOOQ_KEY}
        assert {r.headers.get("User-Agent") for r in fake.requests if r.path.startswith("/api/xbrl/")} == {USER_AGENT}

    # os.walk with followlinks: dagster_home may be a link to a folder in RAM (tests/conftest.py)
    files = [Path(folder) / name for folder, _, names in os.walk(tmp_path, followlinks=True) for name in names]
    # the scan can see: Dagster's run storage keeps each batch's metadata with its document URLs
    assert any(b"/q/d/l/?s=" in p.read_bytes() for p in files if "dagster_home" in p.parts)
    for secret in (USER_AGENT, STOOQ_KEY):
        assert secret not in first_output + output
        for path in files:
            assert secret not in str(path) and secret.encode() not in path.read_bytes(), path


def test_make_live_runs_every_ingestion_job_then_the_transform_and_13f_only_when_named():
    from orchestration.cli import all_jobs, default_plan

    live = {"RQE_SOURCE": "live"}
    assert default_plan({**live, "RQE_SEC_13F_DATASETS": "01sep2025-30nov2025_form13f.zip"}) == all_jobs()
    assert default_plan(live) == [name for name in all_jobs() if name != "quarterly_13f"]
    assert default_plan(live)[0] == "daily_ingest" and default_plan(live)[-1] == "transform_and_publish"
    assert default_plan({}) == default_plan({"RQE_SOURCE": "replay"}) == all_jobs()
