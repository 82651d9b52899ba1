"""Secrets (the SEC contact, the Stooq key) come from env, reach the services, and are recorded
nowhere: not in log lines (httpx's included, at DEBUG), errors, ``source_uri`` or landing names.
FRED's graph CSV needs no key, so there is no FRED secret. The Dagster side (run storage, metadata,
output) is scanned by test_live_job."""

from __future__ import annotations

import logging

import pytest

from reverse_qe.sources.holdings import load_13f_submissions
from reverse_qe.sources.issuance import load_sec_companyfacts
from reverse_qe.sources.prices import load_stooq
from reverse_qe.sources.transports import HttpTransport, SourceFetchError
from tests.http_server import Reply

USER_AGENT = "Sentinel Agent9b2e agent9b2e@example.com"
STOOQ_KEY = "sentinel-key-51fa"


def test_secrets_reach_the_services_and_are_recorded_nowhere(fake, landing, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("RQE_SEC_USER_AGENT", USER_AGENT)
    monkeypatch.setenv("RQE_STOOQ_API_KEY", STOOQ_KEY)
    monkeypatch.setenv("RQE_SEC_13F_DATASETS", "2023q1_form13f.zip")
    fake.stooq_key = STOOQ_KEY
    transport = HttpTransport(landing, attempts=2, max_backoff_s=0.01)
    frames = [load(transport, fake.endpoints()) for load in (load_stooq, load_sec_companyfacts, load_13f_submissions)]
    fake.inject("s=mu.us", Reply(500, {}, b""), persistent=True)
    with pytest.raises(SourceFetchError) as failed:
        load_stooq(transport, fake.endpoints())
    transport.close()

    assert {r.query.get("apikey") for r in fake.requests if r.path == "/q/d/l/"} == {STOOQ_KEY}
    assert {r.headers["User-Agent"] for r in fake.requests if r.path != "/q/d/l/"} == {USER_AGENT}
    assert "HTTP Request: GET" in caplog.text  # httpx did log every request...
    recorded = "\n".join([caplog.text, str(failed.value), *(u for f in frames for u in f["source_uri"]),
                          *(str(p) for p in landing.rglob("*"))])
    assert "/q/d/l/?s=mu.us&i=d" in recorded
    assert STOOQ_KEY not in recorded and USER_AGENT not in recorded  # ...without the secrets


ECHO_KEY = "sentinel-echo-key-93ac"
ECHO_AGENT = "Sentinel Echo e93ac echo-e93ac@example.com"


def test_a_server_echoing_the_key_and_the_user_agent_leaves_them_in_no_file_the_run_wrote(tmp_path, monkeypatch, capfd):
    """401, 403 and 200 bodies quoting the secrets: the raw assets run in Dagster (storage on disk),
    quarantine, log and fail; then the copy is published. No file any of it wrote holds a secret."""
    import datetime as dt

    import duckdb
    from dagster import DagsterInstance, materialize
    from dagster_duckdb import DuckDBResource

    from assets.partitions import keys_through
    from assets.resources import SourcesResource
    from reverse_qe.partitions import partition_range_tags
    from reverse_qe.warehouse import publish_copy
    from tests.harness import RAW_ASSETS
    from tests.live.fake_sources import FakeSources

    for name, value in {"RQE_STOOQ_API_KEY": ECHO_KEY, "RQE_SEC_USER_AGENT": ECHO_AGENT,
                        "RQE_HTTP_ATTEMPTS": "1", "RQE_HTTP_TIMEOUT_S": "5"}.items():
        monkeypatch.setenv(name, value)
    warehouse = tmp_path / "warehouse" / "reverse_qe.duckdb"
    warehouse.parent.mkdir(parents=True)
    with FakeSources(stooq_key=ECHO_KEY) as fake:
        for variable, url in fake.env().items():
            monkeypatch.setenv(variable, url)
        echoes = [  # one run each: a 200 page (parsed, quarantined), a 401, a 403
            ("stooq_daily_prices", "s=", Reply(200, {"Content-Type": "text/html"},
                                               f"<html><body>Your key {ECHO_KEY} is over its quota</body></html>".encode())),
            ("stooq_daily_prices", "s=", Reply(401, {}, f"401: apikey {ECHO_KEY} unknown".encode())),
            ("sec_companyfacts", "CIK", Reply(403, {}, f"403: User-Agent '{ECHO_AGENT}' is not allowed".encode())),
        ]
        resources = {"warehouse": DuckDBResource(database=str(warehouse)),
                     "sources": SourcesResource(mode="live", scenario_dir=str(tmp_path / "scenario"),
                                                landing_dir=str(tmp_path / "landing"))}
        (tmp_path / "dagster_home").mkdir()
        with DagsterInstance.local_temp(str(tmp_path / "dagster_home")) as instance:
            failures = []
            for table, match, reply in echoes:
                fake.faults.clear()
                fake.inject(match, reply, persistent=True)
                asset = RAW_ASSETS[table]
                keys = keys_through(asset.partitions_def, dt.date.today())
                result = materialize([asset], resources=resources, instance=instance, raise_on_error=False,
                                     tags=partition_range_tags(keys[0], keys[-1]))
                assert not result.success
                failures += [e.step_failure_data for e in result.all_events if e.is_step_failure]
        assert {r.query.get("apikey") for r in fake.requests if r.path == "/q/d/l/"} == {ECHO_KEY}
    with duckdb.connect(str(warehouse)) as conn:
        quarantined = conn.execute("select source, reason from raw.quarantine").fetchall()
        publish_copy(conn, warehouse.parent / "published.duckdb")
    assert [source for source, _ in quarantined] == ["stooq"]  # the 200 page: parsed, rejected, quarantined
    descriptions = " ".join((f.user_failure_data.description if f.user_failure_data else "") +
                            (f.error.to_string() if f.error else "") for f in failures)
    assert "answered HTTP 403" in descriptions and "<redacted RQE_SEC_USER_AGENT>" in descriptions
    assert "Your key <redacted RQE_STOOQ_API_KEY> is over its quota" in descriptions  # quoted, without the key
    assert "answered HTTP 401" in descriptions and "apikey <redacted RQE_STOOQ_API_KEY>" in descriptions

    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any("dagster_home" in p.parts for p in written) and any(p.name == "published.duckdb" for p in written)
    output = capfd.readouterr()
    for secret in (ECHO_KEY, ECHO_AGENT):
        assert secret not in descriptions and secret not in output.out + output.err
        for path in written:
            assert secret.encode() not in path.read_bytes(), path
