"""Alerts against a real local HTTP receiver: one post per change, none on a re-run, a failed post
queued for the next run. The alert events come from the real SQL of marts.fct_absorption_alerts,
run in DuckDB on a hand-made absorption history."""

from __future__ import annotations

import datetime as dt
import json
import logging

import duckdb
import pytest

from reverse_qe import alerts
from tests.alert_history import (
    FIRST_WEEK,
    WEEKS,
    absorption_history,
    history_with_changes,
)
from tests.http_server import LocalServer

NOW = dt.datetime(2025, 8, 1, 12, 0)
FAST = {"backoff_s": (0.0,)}  # no pauses between attempts in tests


@pytest.fixture
def conn():
    with duckdb.connect() as connection:
        yield connection


def receiver(fail_first: int = 0, status: int = 500) -> LocalServer:
    return LocalServer(lambda path, query, n: (status if n < fail_first else 204, {}, b""))


def test_one_regime_change_posts_once_and_a_rerun_posts_nothing(conn):
    absorption_history(conn, history_with_changes(WEEKS - 1), [60.0] * WEEKS)
    with receiver() as server:
        url = f"{server.url}/hooks/rqe?token=s3cret"
        first = alerts.run_alerts(conn, url, NOW, **FAST)
        again = alerts.run_alerts(conn, url, NOW, **FAST)
    change = f"regime_change:{FIRST_WEEK + dt.timedelta(weeks=WEEKS - 1)}"
    assert first.recorded == [change] and first.posted == [change] and not first.failed
    assert again.recorded == [] and again.posted == []
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request.method == "POST" and request.path == "/hooks/rqe" and request.headers["Idempotency-Key"] == change
    body = json.loads(request.body)
    assert (body["alert_kind"], body["from_value"], body["to_value"]) == ("regime_change", "ample", "crowding_out")
    assert body["message"].startswith("held regime ample -> crowding_out in the week of 2025-07-23")
    assert body["regime_reason"] == "slack -10 bn <= 0: hand-made"
    assert body["private_treasury_supply_13w_bn"] == 25.0
    row = conn.execute("select delivery, attempts, posted_at_utc, last_error from alerts.absorption_alert_log").fetchall()
    assert row == [("posted", 1, NOW, None)]


def test_a_post_that_fails_first_is_retried_within_the_run(conn):
    absorption_history(conn, history_with_changes(WEEKS - 1), [60.0] * WEEKS)
    with receiver(fail_first=1) as server:
        run = alerts.run_alerts(conn, server.url, NOW, **FAST)
        again = alerts.run_alerts(conn, server.url, NOW, **FAST)
    assert len(run.posted) == 1 and not again.posted
    assert len(server.requests) == 2  # the 500, then the post that went through
    assert conn.execute("select delivery, attempts from alerts.absorption_alert_log").fetchall() == [("posted", 2)]


def test_a_webhook_that_is_down_keeps_the_alert_queued_for_the_next_run(conn, caplog):
    absorption_history(conn, history_with_changes(WEEKS - 1), [60.0] * WEEKS)
    with receiver(fail_first=99, status=503) as down, caplog.at_level(logging.INFO):  # httpx logs URLs at INFO
        run = alerts.run_alerts(conn, f"{down.url}/hook?token=s3cret", NOW, attempts=3, **FAST)
    assert run.failed and not run.posted and len(down.requests) == 3
    assert conn.execute("select delivery, attempts, last_error from alerts.absorption_alert_log").fetchall() == [
        ("queued", 3, "HTTP 503")]
    line = next(r.getMessage() for r in caplog.records if r.name == "reverse_qe.alerts")
    assert any(r.name == "httpx" for r in caplog.records)  # the client did log its requests, hidden
    assert "not delivered to the webhook http://127.0.0.1:" in line and "it stays queued for the next run" in line
    assert "s3cret" not in caplog.text and "/hook" not in caplog.text  # the URL's path and token stay out of logs
    with receiver() as up:
        later = alerts.run_alerts(conn, up.url, NOW, **FAST)
        last = alerts.run_alerts(conn, up.url, NOW, **FAST)
    assert len(later.posted) == 1 and not later.recorded and not last.posted and len(up.requests) == 1
    assert conn.execute("select delivery, attempts from alerts.absorption_alert_log").fetchall() == [("posted", 4)]


def test_a_refused_connection_is_a_failed_post_not_a_failed_run(conn):
    absorption_history(conn, history_with_changes(WEEKS - 1), [60.0] * WEEKS)
    with receiver() as server:
        closed = server.url
    run = alerts.run_alerts(conn, closed, NOW, attempts=2, **FAST)
    assert run.failed and "ConnectError" in conn.execute("select last_error from alerts.absorption_alert_log").fetchone()[0]


def test_a_client_error_is_not_retried(conn):
    absorption_history(conn, history_with_changes(WEEKS - 1), [60.0] * WEEKS)
    with receiver(fail_first=99, status=404) as server:
        run = alerts.run_alerts(conn, server.url, NOW, attempts=3, **FAST)
    assert run.failed and len(server.requests) == 1


def test_old_events_are_history_never_posted_and_a_rebuilt_mart_posts_nothing_again(conn):
    """A first run over the whole history records every change; only the recent one is posted. A
    backfill that rebuilds the mart with the same events posts nothing."""
    scores = [40.0] * 10 + [90.0] * 10 + [60.0] * 10  # above 50 and 84 from week 10, below 84 from week 20
    absorption_history(conn, history_with_changes(5, WEEKS - 2), scores)
    with receiver() as server:
        run = alerts.run_alerts(conn, server.url, NOW, **FAST)
        absorption_history(conn, history_with_changes(5, WEEKS - 2), scores)  # rebuilt, as a backfill does
        rerun = alerts.run_alerts(conn, server.url, NOW, **FAST)
    week = lambda i: FIRST_WEEK + dt.timedelta(weeks=i)
    # held sides need 3 weeks (var regime_min_weeks): score crossings count on the third week
    assert run.recorded == [f"regime_change:{week(5)}", f"score_crossing_50:{week(12)}", f"score_crossing_84:{week(12)}",
                            f"score_crossing_84:{week(22)}", f"regime_change:{week(WEEKS - 2)}"]
    assert run.history == run.recorded[:-1] and run.posted == [f"regime_change:{week(WEEKS - 2)}"]
    assert not rerun.recorded and not rerun.posted and len(server.requests) == 1


def test_without_a_webhook_alerts_wait_queued(conn, monkeypatch, caplog):
    monkeypatch.delenv(alerts.ENV_WEBHOOK, raising=False)
    absorption_history(conn, history_with_changes(WEEKS - 1), [60.0] * WEEKS)
    with caplog.at_level(logging.INFO, logger="reverse_qe.alerts"):
        run = alerts.run_alerts(conn, now=NOW)
    assert run.queued_without_webhook == 1 and not run.posted
    assert "set RQE_ALERT_WEBHOOK to post them" in caplog.text
    monkeypatch.setenv(alerts.ENV_WEBHOOK, "http://127.0.0.1:9/x")  # the env var is read when none is given
    assert alerts.run_alerts(conn, now=NOW, attempts=1, **FAST).failed
