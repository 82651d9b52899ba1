"""A fake of every live source on 127.0.0.1, and a live transport with short retries pointed at it."""

from __future__ import annotations

import pytest

from reverse_qe.sources.transports import HttpTransport
from tests.live.fake_sources import FakeSources

SEC_CONTACT = "Jane Analyst jane@example.com"


@pytest.fixture
def fake():
    with FakeSources() as server:
        yield server


@pytest.fixture
def landing(tmp_path):
    return tmp_path / "landing"


@pytest.fixture
def transport(landing, monkeypatch):
    """Three attempts, backoff at most 50 ms and a 2 s timeout: faults resolve in well under a second."""
    monkeypatch.setenv("RQE_SEC_USER_AGENT", SEC_CONTACT)
    monkeypatch.setenv("RQE_SEC_13F_DATASETS", "2022q4_form13f.zip,2023q1_form13f.zip")
    live = HttpTransport(landing, attempts=3, max_backoff_s=0.05, timeout_s=2.0)
    yield live
    live.close()
