"""Transports: files laid out per source, and HTTP with retries and a landing zone (local server)."""

import datetime as dt

import pytest

from assets.sources.transports import FileTransport, HttpTransport, SourceFetchError
from tests.http_server import LocalServer

CSV = b"observation_date,WALCL\n2025-01-01,6800000\n"


def test_file_transport_reads_the_source_folder(tmp_path):
    (tmp_path / "fred").mkdir()
    (tmp_path / "fred" / "WALCL.csv").write_bytes(CSV)
    (document,) = FileTransport(tmp_path).glob("fred", "WALCL.csv")
    assert (document.source, document.name, document.content, document.fmt) == ("fred", "WALCL.csv", CSV, "csv")
    assert document.location == str(tmp_path / "fred" / "WALCL.csv")


def test_file_transport_names_the_missing_file_and_folder(tmp_path):
    with pytest.raises(SourceFetchError, match=r"\[fred\] no file matching 'WALCL.csv' in .*fred"):
        FileTransport(tmp_path).glob("fred", "WALCL.csv")


def test_http_retries_5xx_and_429_then_keeps_the_bytes(tmp_path):
    def route(path, query, n):
        if n == 0:
            return 503, {}, b"busy"
        if n == 1:
            return 429, {"Retry-After": "0"}, b"slow down"
        return 200, {"Content-Type": "text/csv"}, CSV

    with LocalServer(route) as server:
        transport = HttpTransport(tmp_path / "landing", today=dt.date(2026, 11, 20), max_backoff_s=0.05)
        document = transport.get("fred", "WALCL.csv", f"{server.url}/graph/fredgraph.csv", params={"id": "WALCL"})
        transport.close()
    assert document.content == CSV
    assert document.location.endswith("/graph/fredgraph.csv?id=WALCL")
    assert len(server.requests) == 3
    assert (tmp_path / "landing" / "fred" / "2026-11-20" / "WALCL.csv").read_bytes() == CSV


def test_http_persistent_500_names_url_and_attempts_and_lands_nothing(tmp_path):
    with LocalServer(lambda path, query, n: (500, {}, b"oops")) as server:
        transport = HttpTransport(tmp_path / "landing", attempts=3, max_backoff_s=0.01)
        with pytest.raises(SourceFetchError, match=r"\[fred\] GET http://127\.0\.0\.1:\d+/x failed after 3 attempts"):
            transport.get("fred", "X.csv", f"{server.url}/x")
        transport.close()
    assert len(server.requests) == 3
    assert not (tmp_path / "landing").exists()


def test_http_client_error_is_not_retried(tmp_path):
    with LocalServer(lambda path, query, n: (404, {}, b"no")) as server:
        transport = HttpTransport(tmp_path / "landing")
        with pytest.raises(SourceFetchError, match="answered HTTP 404"):
            transport.get("fred", "X.csv", f"{server.url}/x")
        transport.close()
    assert len(server.requests) == 1
