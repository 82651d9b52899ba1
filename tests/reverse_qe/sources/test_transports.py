"""Transports: files laid out per source, and HTTP with retries and a landing zone (local server)."""

import datetime as dt
import gzip
import logging
import subprocess
import sys
import time

import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.transports import (
    FileTransport,
    HttpTransport,
    SourceFetchError,
    redact_url,
)
from tests.conftest import REPO
from tests.http_server import LocalServer, Reply

CSV = b"observation_date,WALCL\n2025-01-01,6800000\n"


def test_file_transport_reads_the_source_folder(tmp_path):
    (tmp_path / "fred").mkdir()
    (tmp_path / "fred" / "WALCL.csv").write_bytes(CSV)
    (document,) = FileTransport(tmp_path).glob("fred", "WALCL.csv")
    assert (document.source, document.name, document.content, document.fmt) == ("fred", "WALCL.csv", CSV, "csv")
    assert document.location == str(tmp_path / "fred" / "WALCL.csv")


def test_a_symlink_leaving_the_replay_directory_is_refused_naming_link_and_target(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "WALCL.csv").write_bytes(CSV)
    replay = tmp_path / "replay"
    (replay / "fred").mkdir(parents=True)
    link = replay / "fred" / "WALCL.csv"
    link.symlink_to(outside / "WALCL.csv")
    with pytest.raises(SourceFormatError) as err:
        FileTransport(replay).glob("fred", "*.csv")
    assert err.value.source == "fred" and err.value.location == str(link)
    assert f"a symbolic link to {outside / 'WALCL.csv'}" in str(err.value)
    assert "outside the replay directory" in str(err.value) and "not followed" in str(err.value)


def test_a_source_folder_linked_out_of_the_replay_directory_is_refused(tmp_path):
    outside = tmp_path / "downloads"
    outside.mkdir()
    (outside / "WALCL.csv").write_bytes(CSV)
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "fred").symlink_to(outside, target_is_directory=True)
    with pytest.raises(SourceFormatError, match=r"replay/fred: a symbolic link to .*downloads"):
        FileTransport(replay).glob("fred", "WALCL.csv")


def test_a_symlink_inside_the_replay_directory_is_read(tmp_path):
    (tmp_path / "fred").mkdir()
    (tmp_path / "fred" / "WALCL_2025.csv").write_bytes(CSV)
    (tmp_path / "fred" / "WALCL.csv").symlink_to("WALCL_2025.csv")
    (document,) = FileTransport(tmp_path).glob("fred", "WALCL.csv")
    assert document.content == CSV


def test_file_transport_names_the_missing_file_and_folder(tmp_path):
    # no folder: the source is not provided (a SourceFetchError the raw assets record, not a failure)
    with pytest.raises(SourceFetchError, match=r"\[fred\] not provided: no folder .*fred"):
        FileTransport(tmp_path).glob("fred", "WALCL.csv")
    (tmp_path / "fred").mkdir()
    (tmp_path / "fred" / "DGS10.csv").write_bytes(CSV)
    with pytest.raises(SourceFetchError, match=r"\[fred\] not provided for 'WALCL.csv': .*fred holds only DGS10.csv"):
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


def test_a_body_over_the_size_bound_is_abandoned_while_streaming(tmp_path):
    """No Content-Length: the client stops reading past max_bytes, long before the server is done."""
    endless = Reply(200, {"Content-Type": "text/csv"}, chunks=(b"x" * 65536 for _ in range(800)))  # 50 MB
    with LocalServer(lambda path, query, n: endless) as server:
        transport = HttpTransport(tmp_path / "landing", max_bytes=1_000_000)
        with pytest.raises(SourceFetchError, match=r"\[fred\] GET .*/big returned more than 1,000,000 bytes; stopped"):
            transport.get("fred", "big.csv", f"{server.url}/big")
        transport.close()
        time.sleep(0.2)
    assert endless.sent < 10_000_000  # what the socket buffers took before the client hung up
    assert len(server.requests) == 1 and not (tmp_path / "landing").exists()


def test_a_declared_length_over_the_bound_is_refused_before_reading(tmp_path):
    with LocalServer(lambda path, query, n: (200, {}, b"y" * 2_000_001)) as server:
        transport = HttpTransport(tmp_path / "landing", max_bytes=2_000_000)
        with pytest.raises(SourceFetchError, match=r"announces 2,000,001 bytes, more than the 2,000,000"):
            transport.get("fred", "big.csv", f"{server.url}/big")
        transport.close()


def test_the_bound_applies_to_the_decoded_body_of_a_gzip_bomb(tmp_path):
    bomb = gzip.compress(b"\0" * 20_000_000)  # 20 KB on the wire
    with LocalServer(lambda path, query, n: (200, {"Content-Encoding": "gzip"}, bomb)) as server:
        transport = HttpTransport(tmp_path / "landing", max_bytes=1_000_000)
        with pytest.raises(SourceFetchError, match="returned more than 1,000,000 bytes"):
            transport.get("fred", "bomb.csv", f"{server.url}/bomb")
        transport.close()
    assert len(bomb) < 100_000


def test_api_keys_are_sent_but_never_recorded(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with LocalServer(lambda path, query, n: (200, {}, CSV) if n == 0 else (500, {}, b"")) as server:
        transport = HttpTransport(tmp_path / "landing", attempts=2, max_backoff_s=0.01)
        params = {"s": "mu.us", "apikey": "s3cret-key"}
        document = transport.get("stooq", "mu.us.csv", f"{server.url}/q/d/l/", params=params)
        with pytest.raises(SourceFetchError) as failed:
            transport.get("stooq", "mu.us.csv", f"{server.url}/q/d/l/", params=params)
        transport.close()
    assert {r.query["apikey"] for r in server.requests} == {"s3cret-key"}
    assert document.location == f"{server.url}/q/d/l/?s=mu.us"
    assert "GET " + document.location + " failed after 2 attempts" in str(failed.value)
    assert "apikey=<redacted>" in caplog.text  # httpx's own request log line, redacted
    assert "s3cret-key" not in caplog.text + str(failed.value)
    assert redact_url("https://x.test/a?apikey=k&s=1&API_KEY=k") == "https://x.test/a?s=1"


def test_attempts_timeout_and_backoff_come_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("RQE_HTTP_ATTEMPTS", "2")
    monkeypatch.setenv("RQE_HTTP_TIMEOUT_S", "1.5")
    monkeypatch.setenv("RQE_HTTP_MAX_BACKOFF_S", "0.01")
    transport = HttpTransport(tmp_path)
    assert (transport.attempts, transport.timeout_s, transport.max_backoff_s) == (2, 1.5, 0.01)
    assert transport.client.timeout.read == 1.5
    transport.close()
    monkeypatch.setenv("RQE_HTTP_ATTEMPTS", "many")
    with pytest.raises(ValueError, match=r"RQE_HTTP_ATTEMPTS='many': expected a positive int"):
        HttpTransport(tmp_path)


def test_importing_the_transports_loads_no_http_client():
    code = "import sys, reverse_qe.sources.transports; print('httpx' in sys.modules, 'tenacity' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
