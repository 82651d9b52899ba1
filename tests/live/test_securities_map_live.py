"""The security map's live sources against the local fake: the SEC's list of 13(f) securities, and
OpenFIGI's mapping API as a cache (each CUSIP asked once), within its keyless limits, with the
faults the other live sources face (tests/live/test_faults.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import duckdb
import pandas as pd
import pytest

from reverse_qe.sources import securities
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.securities import load_13f_list, load_openfigi
from reverse_qe.sources.transports import HttpTransport, SourceFetchError
from reverse_qe.sources.window import FetchWindow
from tests.http_server import Reply
from tests.live.fake_sources import OPENFIGI_MAPPING, json_reply

URL = r"http://127\.0\.0\.1:\d+"
FIXTURE_CUSIPS = ["037833100", "19260Q107", "594972408", "595112103", "69608A108"]


@pytest.fixture
def warehouse(tmp_path):
    """A warehouse holding 13F lines of ``n`` CUSIPs, the larger values first, and an empty cache."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema raw")
        conn.execute("create table raw.sec13f_infotable (cusip varchar, value bigint)")
        conn.execute("create table raw.openfigi_mappings (cusip varchar)")

    @contextlib.contextmanager
    def connect():
        with duckdb.connect(str(path)) as conn:
            yield conn

    def hold(cusips: list[str]) -> None:
        with connect() as conn:
            conn.executemany("insert into raw.sec13f_infotable values (?, ?)",
                             [(c, 1_000_000 - i) for i, c in enumerate(cusips)])

    def cache(frame) -> None:
        with connect() as conn:
            conn.executemany("insert into raw.openfigi_mappings values (?)", [[c] for c in frame["cusip"]])

    connect.hold, connect.cache = hold, cache
    return connect


@pytest.fixture(autouse=True)
def fast_openfigi(monkeypatch, fake):
    """OpenFIGI's minute made 0.6 s, for the fake and the client alike (the same 25 requests), and the
    limits of the real service checked as they are declared."""
    assert securities.KEYLESS == (25 / 66, 10) and securities.KEYED == (25 / 6.6, 100)
    fake.openfigi_window_s = 0.6
    monkeypatch.setattr(securities, "KEYLESS", (25 / 0.66, 10))  # the same tenth below the limit
    monkeypatch.setattr(securities, "KEYED", (25 / 0.066, 100))
    monkeypatch.setattr(securities, "_LIMITERS", {})
    monkeypatch.delenv("OPENFIGI_API_KEY", raising=False)


def _jobs(fake) -> list[list[str]]:
    return [[job["idValue"] for job in json.loads(r.body)] for r in fake.requests if r.path == OPENFIGI_MAPPING]


def _synthetic(n: int) -> list[str]:
    return [f"Z{i:07d}0" for i in range(n)]


def test_the_sec_list_of_each_past_quarter_in_the_window_with_the_sec_user_agent(fake, transport):
    transport.today = dt.date(2023, 4, 20)
    frame = load_13f_list(transport, fake.endpoints(), window=FetchWindow(dt.date(2022, 12, 1), dt.date(2023, 5, 1)))
    assert sorted(set(frame["list_quarter_end"])) == [pd.Timestamp(2022, 12, 31), pd.Timestamp(2023, 3, 31)]
    asked = [r for r in fake.requests if r.path.startswith("/files/investment/")]
    assert [r.path for r in asked] == ["/files/investment/13flist2022q4.txt", "/files/investment/13flist2023q1.txt"]
    assert all("@" in r.headers["User-Agent"] for r in asked)
    assert set(frame["source_uri"].str.replace(fake.url, "")) == {r.path for r in asked}


def test_a_quarter_not_yet_ended_is_not_asked_and_a_missing_list_is_a_clear_error(fake, transport):
    transport.today = dt.date(2023, 3, 30)
    assert load_13f_list(transport, fake.endpoints(), window=FetchWindow(dt.date(2023, 3, 1), dt.date(2023, 4, 1))).empty
    transport.today = dt.date(2023, 7, 5)
    fake.every_list_quarter = False
    with pytest.raises(SourceFetchError, match=rf"\[sec_13f_list\] GET {URL}/files/investment/13flist2023q2\.txt "
                       "answered HTTP 404"):
        load_13f_list(transport, fake.endpoints(), window=FetchWindow(dt.date(2023, 6, 1), dt.date(2023, 7, 1)))


def test_openfigi_asks_each_uncached_cusip_once_largest_first_ten_a_request(fake, transport, warehouse):
    warehouse.hold(FIXTURE_CUSIPS + _synthetic(17))
    first = load_openfigi(transport, fake.endpoints(), warehouse=warehouse)
    assert [len(jobs) for jobs in _jobs(fake)] == [10, 10, 2]
    assert _jobs(fake)[0][:5] == FIXTURE_CUSIPS  # the largest values first
    assert first.set_index("cusip")["status"].to_dict() == {**dict.fromkeys(FIXTURE_CUSIPS, "found"),
                                                           **dict.fromkeys(_synthetic(17), "not_found")}
    assert first.set_index("cusip").loc["037833100", ["figi", "security_type", "exch_code"]].tolist() == [
        "BBG000B9XRY4", "Common Stock", "US"]
    landed = sorted(p.name for p in (transport.landing_dir / "openfigi").rglob("*.json"))
    assert len(landed) == 6 and sum(n.endswith(".request.json") for n in landed) == 3
    warehouse.cache(first)
    warehouse.hold(["Z99999990"])  # a new CUSIP: the only one asked by the next run
    second = load_openfigi(transport, fake.endpoints(), warehouse=warehouse)
    assert _jobs(fake)[3:] == [["Z99999990"]] and second["cusip"].tolist() == ["Z99999990"]


def test_a_run_asks_at_most_rqe_openfigi_max_cusips(fake, transport, warehouse, monkeypatch):
    warehouse.hold(_synthetic(30))
    monkeypatch.setenv("RQE_OPENFIGI_MAX_CUSIPS", "12")
    assert len(load_openfigi(transport, fake.endpoints(), warehouse=warehouse)) == 12
    monkeypatch.setenv("RQE_OPENFIGI_MAX_CUSIPS", "0")
    with pytest.raises(ValueError, match="RQE_OPENFIGI_MAX_CUSIPS='0': expected a positive whole number"):
        load_openfigi(transport, fake.endpoints(), warehouse=warehouse)


def test_the_rate_limit_keeps_under_openfigis_and_a_faster_client_gets_429(fake, transport, warehouse, monkeypatch):
    warehouse.hold(_synthetic(300))  # 30 requests: more than 25 in one window unless spaced
    assert len(load_openfigi(transport, fake.endpoints(), warehouse=warehouse)) == 300
    times = fake.openfigi_times
    assert max(sum(1 for u in times[i:] if u - t < fake.openfigi_window_s) for i, t in enumerate(times)) <= 25
    monkeypatch.setattr(securities, "KEYLESS", (10_000, 10))  # a client ignoring the limit
    monkeypatch.setattr(securities, "_LIMITERS", {})
    fake.openfigi_times.clear()
    fake.openfigi_window_s = 10.0  # 30 requests unspaced take far less, however loaded the machine
    quick = HttpTransport(transport.landing_dir, attempts=1, max_backoff_s=0.01, timeout_s=2.0)
    with pytest.raises(SourceFetchError, match=rf"\[openfigi\] POST {URL}/v3/mapping failed after 1 attempt: HTTP 429"):
        load_openfigi(quick, fake.endpoints(), warehouse=warehouse)
    quick.close()


def test_a_key_from_env_raises_the_jobs_per_request_and_is_never_recorded(fake, transport, warehouse, monkeypatch):
    key = "of-secret-key-123"
    fake.openfigi_key = key
    monkeypatch.setenv("OPENFIGI_API_KEY", key)
    warehouse.hold(_synthetic(150))
    load_openfigi(transport, fake.endpoints(), warehouse=warehouse)
    assert [len(jobs) for jobs in _jobs(fake)] == [100, 50]
    assert {r.headers.get("X-OPENFIGI-APIKEY") for r in fake.requests} == {key}
    fake.inject(OPENFIGI_MAPPING, json_reply(401, {"error": f"Invalid API key {key}."}), persistent=True)
    warehouse.hold(["Z99999990"])
    with pytest.raises(SourceFetchError) as raised:
        load_openfigi(transport, fake.endpoints(), warehouse=warehouse)
    assert key not in str(raised.value) and "<redacted OPENFIGI_API_KEY>" in str(raised.value)
    assert not any(key.encode() in p.read_bytes() for p in transport.landing_dir.rglob("*") if p.is_file())


def test_429_and_5xx_are_retried_then_succeed(fake, transport, warehouse):
    warehouse.hold(FIXTURE_CUSIPS)
    fake.inject(OPENFIGI_MAPPING, Reply(429, {"Retry-After": "0"}, b"Too Many Requests"), Reply(503, {}, b"busy"))
    assert len(load_openfigi(transport, fake.endpoints(), warehouse=warehouse)) == 5
    assert len(_jobs(fake)) == 3


def test_a_persistent_500_names_source_url_and_attempts_and_caches_nothing(fake, transport, warehouse):
    warehouse.hold(FIXTURE_CUSIPS)
    fake.inject(OPENFIGI_MAPPING, Reply(500, {}, b"Internal Server Error"), persistent=True)
    with pytest.raises(SourceFetchError, match=rf"\[openfigi\] POST {URL}/v3/mapping failed after 3 attempts: HTTP 500"):
        load_openfigi(transport, fake.endpoints(), warehouse=warehouse)
    assert not list(transport.landing_dir.rglob("*.json"))


@pytest.mark.parametrize(("body", "problem"), [
    (b"<html><body>Gateway</body></html>", "the answer is not JSON"),
    (json.dumps([{"warning": "No identifier found."}]).encode(), "the answer is an array of 1, not an array of 5 results"),
])
def test_a_malformed_200_is_retried_then_a_clear_error(fake, transport, warehouse, body, problem):
    warehouse.hold(FIXTURE_CUSIPS)
    fake.inject(OPENFIGI_MAPPING, Reply(200, {"Content-Type": "application/json"}, body))
    assert len(load_openfigi(transport, fake.endpoints(), warehouse=warehouse)) == 5  # the retry was whole
    fake.inject(OPENFIGI_MAPPING, Reply(200, {"Content-Type": "application/json"}, body), persistent=True)
    with pytest.raises(SourceFetchError, match=rf"\[openfigi\] POST {URL}/v3/mapping failed after 3 attempts: {problem}"):
        load_openfigi(transport, fake.endpoints(), warehouse=warehouse)


def test_a_partial_answer_keeps_what_was_answered_and_asks_the_failed_jobs_again(fake, transport, warehouse, caplog):
    warehouse.hold(FIXTURE_CUSIPS)
    answered = json.loads(fake.openfigi_mapping({}, json.dumps(
        [{"idType": "ID_CUSIP", "idValue": c} for c in FIXTURE_CUSIPS]).encode()).body)
    answered[1] = answered[3] = {"error": "Internal error: try again."}
    fake.inject(OPENFIGI_MAPPING, json_reply(200, answered))
    first = load_openfigi(transport, fake.endpoints(), warehouse=warehouse)
    assert sorted(first["cusip"]) == sorted(set(FIXTURE_CUSIPS) - {FIXTURE_CUSIPS[1], FIXTURE_CUSIPS[3]})
    assert "2 job(s) failed and are asked again next run" in caplog.text
    warehouse.cache(first)
    second = load_openfigi(transport, fake.endpoints(), warehouse=warehouse)
    assert sorted(second["cusip"]) == sorted([FIXTURE_CUSIPS[1], FIXTURE_CUSIPS[3]])


def test_replay_reads_each_answer_with_its_request_and_refuses_an_answer_alone(tmp_path):
    from reverse_qe.sources.transports import FileTransport
    from tests.conftest import FIXTURES

    frame = load_openfigi(FileTransport(FIXTURES), None)
    assert sorted(frame["cusip"]) == sorted(FIXTURE_CUSIPS) and set(frame["fetched_on"]) == {pd.Timestamp(2023, 4, 3)}
    folder = tmp_path / "openfigi"
    folder.mkdir()
    (folder / "mapping_1.json").write_text("[]")
    with pytest.raises(SourceFormatError, match=r"\[openfigi\] .*mapping_1\.json: mapping_1\.request\.json is not beside it"):
        load_openfigi(FileTransport(tmp_path), None)
