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
