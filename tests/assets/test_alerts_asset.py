"""The alert-log asset in a real Dagster run: it reads the webhook from env RQE_ALERT_WEBHOOK, posts
one regime change once (its first try failing), and a second materialisation posts nothing."""

from __future__ import annotations

import duckdb
from dagster import materialize
from dagster_duckdb import DuckDBResource

from assets.alerts import absorption_alert_log
from assets.publish import published_warehouse
from tests.alert_history import WEEKS, absorption_history, history_with_changes
from tests.http_server import LocalServer


def test_the_asset_posts_a_change_once_and_a_rerun_posts_nothing(tmp_path, monkeypatch):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        absorption_history(conn, history_with_changes(WEEKS - 1), [60.0] * WEEKS)
    resources = {"warehouse": DuckDBResource(database=str(warehouse))}
    with LocalServer(lambda path, query, n: (500 if n == 0 else 200, {}, b"{}")) as server:
        monkeypatch.setenv("RQE_ALERT_WEBHOOK", f"{server.url}/hook")
        first = materialize([absorption_alert_log], resources=resources)
        second = materialize([absorption_alert_log], resources=resources)
    posted = [m.metadata["posted"].value for m in
              (first.asset_materializations_for_node(absorption_alert_log.op.name)
               + second.asset_materializations_for_node(absorption_alert_log.op.name))]
    assert first.success and second.success and posted == [1, 0]
    assert [r.method for r in server.requests] == ["POST", "POST"]  # the 500, then the one that went through
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("select delivery from alerts.absorption_alert_log").fetchall() == [("posted",)]


def test_the_published_copy_waits_for_the_alert_log():
    deps = {"/".join(k.path) for k in published_warehouse.asset_deps[published_warehouse.key]}
    assert "alerts/absorption_alert_log" in deps and "marts/fct_absorption_alerts" in deps
    assert {"/".join(k.path) for k in absorption_alert_log.asset_deps[absorption_alert_log.key]} == {
        "marts/fct_absorption_alerts"}
