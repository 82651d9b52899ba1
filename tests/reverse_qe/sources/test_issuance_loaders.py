"""Issuance loaders: SEC live transport (User-Agent from env, rate limit), auction formats merged."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.issuance import (
    AUCTION_COLUMNS,
    _concat,
    combine_auction_formats,
    companyfacts_name,
    hyperscaler_ciks,
    load_sec_companyfacts,
    load_treasury_auctions,
)
from reverse_qe.sources.transports import (
    FileTransport,
    HttpTransport,
    RateLimiter,
    SourceFetchError,
)
from tests.conftest import FIXTURES
from tests.http_server import LocalServer

META = (FIXTURES / "sec" / "CIK0001326801.json").read_bytes()


def test_hyperscaler_list_comes_from_the_seed():
    assert hyperscaler_ciks() == [789019, 1652044, 1018724, 1326801, 1341439]
    assert companyfacts_name(789019) == "CIK0000789019.json"


def test_live_sec_sends_the_configured_user_agent_to_each_company(tmp_path, monkeypatch):
    monkeypatch.setenv("RQE_SEC_USER_AGENT", "Jane Analyst jane@example.com")
    def company(path, query, n):  # Meta's facts under each requested company's own CIK
        cik = int(path.rsplit("CIK", 1)[1].removesuffix(".json"))
        return 200, {"Content-Type": "application/json"}, META.replace(b'"cik":1326801', f'"cik":{cik}'.encode())

    with LocalServer(company) as server:
        endpoints = dataclasses.replace(Endpoints(), sec=server.url)
        transport = HttpTransport(tmp_path / "landing")
        frame = load_sec_companyfacts(transport, endpoints)
        transport.close()
    paths = [r[0] for r in server.requests]
    assert paths == [f"/api/xbrl/companyfacts/CIK{c:010d}.json" for c in hyperscaler_ciks()]
    assert {r[2]["User-Agent"] for r in server.requests} == {"Jane Analyst jane@example.com"}
    assert len(frame) == 5 * 26 and frame["source_mode"].eq("live").all()


def test_live_sec_without_user_agent_fails_before_any_request(tmp_path, monkeypatch):
    monkeypatch.delenv("RQE_SEC_USER_AGENT", raising=False)
    with LocalServer(lambda path, query, n: (200, {}, META)) as server:
        endpoints = dataclasses.replace(Endpoints(), sec=server.url)
        with pytest.raises(SourceFetchError, match=r"\[sec\] RQE_SEC_USER_AGENT is not set"):
            load_sec_companyfacts(HttpTransport(tmp_path), endpoints)
    assert server.requests == []


def test_rate_limiter_spaces_calls_evenly():
    now, slept = [0.0], []

    def sleep(seconds):
        slept.append(round(seconds, 6))
        now[0] += seconds

    limiter = RateLimiter(9.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(10):
        limiter.wait()
    assert now[0] == pytest.approx(1.0) and slept == [round(1 / 9, 6)] * 9  # 10 calls in 1 s


def test_auctions_from_both_formats_are_merged_once_per_auction():
    frame = load_treasury_auctions(FileTransport(FIXTURES, mode="replay"), Endpoints())
    assert len(frame) == 8 and not frame.duplicated(["cusip", "auction_date"]).any()
    july = frame[(frame["cusip"] == "91282CCB5") & (frame["auction_date"] == pd.Timestamp("2021-07-12"))]
    assert july["source_format"].tolist() == ["fiscal_data_auctions_query"]


def test_treasurydirect_alone_keeps_its_types_when_fiscal_data_has_nothing_for_the_window():
    """A weekday's window early in a month: Fiscal Data has no auction yet, TreasuryDirect's recent ones."""
    both = load_treasury_auctions(FileTransport(FIXTURES, mode="replay"), Endpoints())
    treasurydirect = both[both["source_format"] != "fiscal_data_auctions_query"]
    nothing = _concat([], AUCTION_COLUMNS)  # what the loader makes of no Fiscal Data record
    combined = combine_auction_formats(nothing, treasurydirect)
    assert len(combined) == len(treasurydirect) > 0
    assert combined.dtypes.equals(treasurydirect.dtypes)  # booleans stay booleans


def test_the_same_auction_in_two_pages_is_an_error():
    page = load_treasury_auctions(FileTransport(FIXTURES, mode="replay"), Endpoints())
    fd = page[page["source_format"] == "fiscal_data_auctions_query"]
    twice = pd.concat([fd, fd.assign(source_uri="p2.json")], ignore_index=True)
    with pytest.raises(SourceFormatError, match=r"duplicate key \(cusip, auction_date\).*also in"):
        combine_auction_formats(twice, fd.iloc[0:0])


def test_companyfacts_of_another_company_under_a_cik_file_name_are_refused(tmp_path):
    """Meta's facts saved as Microsoft's file must not be published as Microsoft."""
    (tmp_path / "sec").mkdir()
    (tmp_path / "sec" / companyfacts_name(789019)).write_bytes(META)
    with pytest.raises(SourceFormatError) as err:
        load_sec_companyfacts(FileTransport(tmp_path, mode="replay"), Endpoints())
    message = str(err.value)
    assert "CIK0000789019.json" in message and err.value.source == "sec"
    assert "CIK 0001326801 (Meta Platforms, Inc.)" in message
    assert "not CIK 0000789019 (the file name's company, Microsoft Corporation in the hyperscalers seed)" in message


def test_a_companyfacts_file_not_named_by_its_cik_is_refused(tmp_path):
    (tmp_path / "sec").mkdir()
    (tmp_path / "sec" / "CIK1326801.json").write_bytes(META)
    with pytest.raises(SourceFormatError, match=r"CIK1326801\.json: expected a file named CIK##########\.json"):
        load_sec_companyfacts(FileTransport(tmp_path, mode="replay"), Endpoints())


def test_fred_file_holding_another_series_is_refused_naming_both(tmp_path):
    from reverse_qe.sources.funding_flows import load_fred

    (tmp_path / "fred").mkdir()
    (tmp_path / "fred" / "WALCL.csv").write_bytes(b"observation_date,DGS10\n2021-06-23,1.5\n")
    with pytest.raises(SourceFormatError) as err:
        load_fred(FileTransport(tmp_path, mode="replay"), Endpoints(), series_ids=["WALCL"])
    assert "WALCL.csv, row 1" in str(err.value)
    assert "expected series 'WALCL'" in str(err.value) and "found 'DGS10'" in str(err.value)
