"""Faults injected into the local fake, one test each, with the outcome each must have: retried to
success, or a clear error naming the source, the URL and the attempts, with nothing landed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from reverse_qe.sources import funding_flows
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.funding_flows import (
    load_dts,
    load_fred,
    load_nyfed_reverse_repo,
)
from reverse_qe.sources.holdings import load_13f_submissions
from reverse_qe.sources.issuance import load_sec_companyfacts
from reverse_qe.sources.prices import load_coinbase, load_stooq
from reverse_qe.sources.transports import HttpTransport, SourceFetchError
from tests.http_server import Reply
from tests.live.fake_sources import (
    FISCAL_DATA,
    FIXTURES,
    SEC_13F,
    json_reply,
    truncated_gzip,
)

URL = r"http://127\.0\.0\.1:\d+"
DTS = "/v1/accounting/dts/public_debt_transactions"


def landed(transport: HttpTransport, source: str) -> list[str]:
    folder = transport.landing_dir / source / transport.today.isoformat()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_429_with_retry_after_waits_that_long_then_succeeds(fake, landing):
    fake.inject("id=WALCL", Reply(429, {"Retry-After": "1"}, b"Too Many Requests"))
    transport = HttpTransport(landing, attempts=3, max_backoff_s=5)
    frame = load_fred(transport, fake.endpoints(), series_ids=["WALCL"])
    transport.close()
    first, second = fake.requests
    assert 0.95 <= second.at - first.at < 2.0
    assert len(frame) == 5


def test_retry_after_longer_than_the_client_waits_is_a_clear_error(fake, transport):
    fake.inject("id=WALCL", Reply(429, {"Retry-After": "3600"}, b""), persistent=True)
    with pytest.raises(SourceFetchError, match=rf"\[fred\] GET {URL}/graph/fredgraph\.csv\?id=WALCL&cosd=2018-01-01 "
                       r"failed after 1 attempt: HTTP 429 \(Retry-After 3600 s\), longer than the 0\.05 s"):
        load_fred(transport, fake.endpoints(), series_ids=["WALCL"])
    assert len(fake.requests) == 1


def test_a_burst_of_500_and_503_is_retried_with_backoff(fake, transport, monkeypatch):
    monkeypatch.setattr(funding_flows, "FISCAL_DATA_PAGE_SIZE", 4)
    fake.inject("page%5Bnumber%5D=2", Reply(503, {}, b"busy"), Reply(500, {}, b"oops"))
    frame = load_dts(transport, fake.endpoints(), "public_debt_transactions")
    assert len(frame) == 23 and frame["source_uri"].nunique() == 6
    assert [r.query["page[number]"] for r in fake.requests] == ["1", "2", "2", "2", "3", "4", "5", "6"]


def test_a_persistent_500_names_url_and_attempts_and_lands_nothing(fake, transport):
    fake.inject("startDate=2019-01-01", Reply(500, {}, b"Internal Server Error"), persistent=True)
    with pytest.raises(SourceFetchError, match=rf"\[nyfed\] GET {URL}/api/rp/results/search\.json\?startDate=2019-01-01"
                       r"&endDate=2019-12-31&operationTypes=Reverse\+Repo failed after 3 attempts: HTTP 500"):
        load_nyfed_reverse_repo(transport, fake.endpoints())
    assert landed(transport, "nyfed") == ["reverse_repo_2018.json"]  # the year before it, complete


def test_a_timeout_is_retried_and_a_persistent_one_is_a_clear_error(fake, landing):
    transport = HttpTransport(landing, attempts=2, max_backoff_s=0.01, timeout_s=0.3)
    fake.inject("id=WALCL", Reply(200, {}, b"late", delay_s=1.0))
    assert len(load_fred(transport, fake.endpoints(), series_ids=["WALCL"])) == 5
    fake.inject("id=DGS2", Reply(200, {}, b"late", delay_s=1.0), persistent=True)
    with pytest.raises(SourceFetchError, match=rf"\[fred\] GET {URL}/graph/fredgraph\.csv\?id=DGS2&cosd=2018-01-01 "
                       r"failed after 2 attempts: ReadTimeout"):
        load_fred(transport, fake.endpoints(), series_ids=["DGS2"])
    transport.close()
    assert landed(transport, "fred") == ["WALCL.csv"]


def test_a_connection_reset_mid_body_is_retried(fake, transport):
    body = json.dumps(fake.candles).encode()
    fake.inject("BTC-USD", Reply(200, {"Content-Type": "application/json"}, body, cut_after=20))
    frame = load_coinbase(transport, fake.endpoints(), today=dt.date(2025, 1, 31))
    assert len(frame[frame.symbol == "BTC-USD"]) == 3
    fake.inject("ETH-USD", Reply(200, {}, body, cut_after=20), persistent=True)
    with pytest.raises(SourceFetchError, match=rf"\[coinbase\] GET {URL}/products/ETH-USD/candles\?granularity=86400"
                       r".* failed after 3 attempts: RemoteProtocolError: peer closed connection"):
        load_coinbase(transport, fake.endpoints())


def test_a_truncated_gzip_body_is_an_error_not_a_shorter_document(fake, transport):
    facts = (FIXTURES / "sec" / "CIK0001326801.json").read_bytes()
    fake.inject("CIK0000789019", Reply(200, {"Content-Encoding": "gzip"}, truncated_gzip(facts)), persistent=True)
    with pytest.raises(SourceFetchError, match=rf"\[sec\] GET {URL}/api/xbrl/companyfacts/CIK0000789019\.json failed "
                       r"after 3 attempts: the gzip body is truncated"):
        load_sec_companyfacts(transport, fake.endpoints())
    assert landed(transport, "sec") == []


def test_a_truncated_zip_is_refetched_then_a_clear_error(fake, transport):
    whole = fake.datasets["2022q4_form13f.zip"]
    fake.inject("2022q4_form13f.zip", Reply(200, {"Content-Type": "application/zip"}, whole[: len(whole) // 2]))
    assert len(load_13f_submissions(transport, fake.endpoints())) == 6  # the second attempt was whole
    (transport.landing_dir / "sec_13f" / transport.today.isoformat() / "2022q4_form13f.zip").unlink()
    fake.inject("2022q4_form13f.zip", Reply(200, {}, whole[:-30]), persistent=True)
    with pytest.raises(SourceFetchError, match=rf"\[sec_13f\] GET {URL}{SEC_13F}/2022q4_form13f\.zip failed after 3 "
                       r"attempts: not a complete zip archive"):
        load_13f_submissions(transport, fake.endpoints())
    assert landed(transport, "sec_13f") == ["2023q1_form13f.zip"]


def test_an_html_page_with_status_200_is_rejected_naming_source_and_url(fake, transport):
    page = b"<!DOCTYPE html>\n<html><body>Service maintenance</body></html>"
    fake.inject("id=WALCL", Reply(200, {"Content-Type": "text/html"}, page), persistent=True)
    with pytest.raises(SourceFormatError, match=rf"\[fred\] {URL}/graph/fredgraph\.csv\?id=WALCL&cosd=2018-01-01: "
                       r"document is HTML, not CSV"):
        load_fred(transport, fake.endpoints(), series_ids=["WALCL"])
    fake.stooq_key = "needed"  # Stooq without a key: an HTML page, status 200
    with pytest.raises(SourceFormatError, match=rf"\[stooq\] {URL}/q/d/l/\?s=coin\.us&i=d: Stooq answered with an "
                       r"HTML page .* set RQE_STOOQ_API_KEY"):
        load_stooq(transport, fake.endpoints())


def test_a_redirect_is_followed_and_the_final_url_recorded(fake, transport):
    moved = "/graph/fredgraph.csv?id=WALCL&cosd=2018-01-01&moved=1"
    fake.inject("id=WALCL&cosd", Reply(301, {"Location": moved}, b""))
    frame = load_fred(transport, fake.endpoints(), series_ids=["WALCL"])
    assert len(frame) == 5 and set(frame["source_uri"]) == {fake.url + moved}
    assert [r.query.get("moved") for r in fake.requests] == [None, "1"]


def test_an_empty_page_in_the_middle_of_fiscal_data_paging_is_never_taken_as_the_end(fake, transport, monkeypatch):
    monkeypatch.setattr(funding_flows, "FISCAL_DATA_PAGE_SIZE", 4)
    query = {"format": "json", "page[size]": "4", "page[number]": "3", "filter": "record_date:gte:2018-01-01"}
    empty = json.loads(fake.fiscal_data(DTS, query).body)
    empty["data"], empty["meta"]["count"] = [], 0
    fake.inject("page%5Bnumber%5D=3", json_reply(200, empty))  # once: refetched, complete
    assert len(load_dts(transport, fake.endpoints(), "public_debt_transactions")) == 23
    fake.inject("page%5Bnumber%5D=3", json_reply(200, empty), persistent=True)
    with pytest.raises(SourceFetchError, match=rf"\[fiscal_data\] GET {URL}{FISCAL_DATA}{DTS}\?format=json&page%5Bsize%5D=4"
                       r"&page%5Bnumber%5D=3&.* failed after 3 attempts: page 3 of 6 holds 0 records; with "
                       r"total-count 23 and page\[size\] 4 it must hold 4"):
        load_dts(transport, fake.endpoints(), "public_debt_transactions")
