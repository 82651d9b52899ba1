"""Each live connector against the local fake of its service gives the rows the same fixtures give
through the replay path, and records the URL each row came from."""

from __future__ import annotations

import datetime as dt
import urllib.request

import pandas as pd
import pytest

from reverse_qe.sources import funding_flows, issuance
from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.funding_flows import (
    load_dts,
    load_fred,
    load_nyfed_reverse_repo,
)
from reverse_qe.sources.holdings import (
    load_13f_coverpages,
    load_13f_infotable,
    load_13f_submissions,
)
from reverse_qe.sources.issuance import (
    load_mspd,
    load_sec_companyfacts,
    load_treasury_auctions,
)
from reverse_qe.sources.parsers.fiscal_data import (
    parse_dts_operating_cash_balance,
    parse_dts_public_debt_transactions,
)
from reverse_qe.sources.prices import load_coinbase, load_stooq
from reverse_qe.sources.transports import FileTransport, SourceFetchError
from tests.live.conftest import SEC_CONTACT
from tests.live.fake_sources import FISCAL_DATA, FIXTURES, NFCI_FAMILY, SEC_13F

REPLAY = FileTransport(FIXTURES)
LINEAGE = ["source_mode", "source_uri"]


def rows(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """The data columns, sorted by ``key``, categoricals as plain objects (for comparing)."""
    frame = frame.drop(columns=LINEAGE)
    frame = frame.astype({c: object for c in frame.select_dtypes("category").columns})
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def assert_same_rows(live: pd.DataFrame, expected: pd.DataFrame, key: list[str]) -> None:
    assert len(live) > 0 and live["source_mode"].eq("live").all()
    pd.testing.assert_frame_equal(rows(live, key), rows(expected, key))


def test_fred_series_come_from_fredgraph_csv_gzipped(fake, transport):
    live = load_fred(transport, fake.endpoints())
    replay = load_fred(REPLAY, Endpoints())
    # the fixtures hold no NFCI subindex nor ANFCI (no real download of them): the fake serves NFCI's
    # file under their ids, so live reads every series of the seed
    assert replay.attrs["not_provided"] == list(NFCI_FAMILY) and live.attrs["not_provided"] == []
    assert_same_rows(live[~live.series_id.isin(NFCI_FAMILY)], replay, ["series_id", "observation_date"])
    nfci = live[live.series_id == "NFCI"].set_index("observation_date")["value"]
    for series_id in NFCI_FAMILY:
        assert live[live.series_id == series_id].set_index("observation_date")["value"].equals(nfci), series_id
    assert set(live.loc[live.series_id == "WALCL", "source_uri"]) == {
        f"{fake.url}/graph/fredgraph.csv?id=WALCL&cosd=2018-01-01"}
    assert {r.headers["Accept-Encoding"] for r in fake.requests} == {"gzip"}
    with urllib.request.urlopen(urllib.request.Request(  # the fake compresses, as FRED does
            f"{fake.url}/graph/fredgraph.csv?id=WALCL", headers={"Accept-Encoding": "gzip"})) as response:
        assert response.headers["Content-Encoding"] == "gzip" and response.read()[:2] == b"\x1f\x8b"
    landed = transport.landing_dir / "fred" / transport.today.isoformat() / "WALCL.csv"
    assert landed.read_bytes() == (FIXTURES / "fred" / "WALCL.csv").read_bytes()  # decoded, exact


@pytest.mark.parametrize("table, parse, records, key", [
    ("operating_cash_balance", parse_dts_operating_cash_balance, 10, ["record_date", "account_type"]),
    ("public_debt_transactions", parse_dts_public_debt_transactions, 23, ["record_date", "source_line_number"]),
])
def test_dts_pages_through_fiscal_data(fake, transport, monkeypatch, table, parse, records, key):
    monkeypatch.setattr(funding_flows, "FISCAL_DATA_PAGE_SIZE", 4)
    live = load_dts(transport, fake.endpoints(), table)
    fixture = FIXTURES / "fiscal_data" / f"dts_{table}.json"
    expected = parse(fixture.read_bytes(), location=str(fixture), fmt="json").assign(source_mode="x", source_uri="x")
    assert_same_rows(live, expected, key)
    pages = -(-records // 4)
    sent = [r.query for r in fake.requests]
    assert [q["page[number]"] for q in sent] == [str(n) for n in range(1, pages + 1)]
    assert {(q["page[size]"], q["filter"], q["sort"], q["format"]) for q in sent} == {
        ("4", "record_date:gte:2018-01-01", "record_date", "json")}
    assert live["source_uri"].nunique() == pages
    assert live["source_uri"].iloc[-1].startswith(f"{fake.url}{FISCAL_DATA}/v1/accounting/dts/{table}?")
    assert live["record_date"].is_monotonic_increasing  # the API's sort, as asked


def test_nyfed_reverse_repo_one_request_per_year(fake, transport):
    live = load_nyfed_reverse_repo(transport, fake.endpoints(), today=dt.date(2022, 3, 15))
    assert_same_rows(live, load_nyfed_reverse_repo(REPLAY, Endpoints()), ["operation_id"])
    assert [(r.query["startDate"], r.query["endDate"], r.query["operationTypes"]) for r in fake.requests] == [
        ("2018-01-01", "2018-12-31", "Reverse Repo"), ("2019-01-01", "2019-12-31", "Reverse Repo"),
        ("2020-01-01", "2020-12-31", "Reverse Repo"), ("2021-01-01", "2021-12-31", "Reverse Repo"),
        ("2022-01-01", "2022-03-15", "Reverse Repo")]
    assert set(live["source_uri"]) == {
        f"{fake.url}/api/rp/results/search.json?startDate=2021-01-01&endDate=2021-12-31&operationTypes=Reverse+Repo"}


def test_auctions_from_fiscal_data_and_treasurydirect(fake, transport, monkeypatch):
    monkeypatch.setattr(funding_flows, "FISCAL_DATA_PAGE_SIZE", 5)  # 6 auctions: two pages
    live = load_treasury_auctions(transport, fake.endpoints())
    assert_same_rows(live, load_treasury_auctions(REPLAY, Endpoints()), ["cusip", "auction_date"])
    assert {u.split("?")[0] for u in live["source_uri"]} == {
        f"{fake.url}{FISCAL_DATA}/v1/accounting/od/auctions_query", f"{fake.url}/TA_WS/securities/auctioned"}
    assert fake.requests[-1].query == {"format": "json", "days": "60"}


def test_mspd_from_fiscal_data(fake, transport):
    live = load_mspd(transport, fake.endpoints())
    assert_same_rows(live, load_mspd(REPLAY, Endpoints()), ["record_date", "source_line_number"])
    assert fake.requests[0].query["filter"] == "record_date:gte:2018-01-01"


def test_sec_companyfacts_with_user_agent(fake, transport):
    live = load_sec_companyfacts(transport, fake.endpoints())
    meta = live[live.cik == 1326801]
    assert_same_rows(meta, load_sec_companyfacts(REPLAY, Endpoints()), ["tag", "period_end", "accn"])
    assert live["cik"].nunique() == 5 and len(live) == 5 * len(meta)
    assert {r.headers["User-Agent"] for r in fake.requests} == {SEC_CONTACT}
    assert set(meta["source_uri"]) == {f"{fake.url}/api/xbrl/companyfacts/CIK0001326801.json"}


def test_sec_refuses_a_request_without_a_declared_user_agent(fake, transport):
    with pytest.raises(SourceFetchError, match=r"\[sec\] GET http://127\.0\.0\.1:\d+/api/xbrl/companyfacts/"
                       r"CIK0000789019\.json answered HTTP 403: .*Undeclared Automated Tool"):
        transport.get("sec", "x.json", f"{fake.url}/api/xbrl/companyfacts/CIK0000789019.json")
    assert len(fake.requests) == 1  # a 403 is not retried


def test_sec_client_stays_under_10_requests_a_second(fake, transport, monkeypatch):
    """21 companies: at 9 a second that takes 2.2 s, and no second of it sees more than 10."""
    ciks = list(range(1_000_001, 1_000_022))
    fake.companyfacts.update({cik: {**fake.companyfacts[1326801], "cik": cik} for cik in ciks})
    monkeypatch.setattr(issuance, "hyperscaler_ciks", lambda: ciks)
    live = load_sec_companyfacts(transport, fake.endpoints())
    assert live["cik"].nunique() == 21 and len(fake.sec_times) == 21
    assert fake.sec_max_per_second() <= 10
    spacing = sorted(b - a for a, b in zip(fake.sec_times, fake.sec_times[1:]))
    # evenly spaced, not bursts (a burst is ~1 ms apart): the limiter spaces them 1/9 s. The fake
    # stamps each request when its thread gets the CPU, so on a loaded machine one gap can shrink
    # while its neighbour grows (0.022 s seen at a load average of 6): the median gap and the span
    # of all 20 gaps hold, one gap need not.
    assert spacing[len(spacing) // 2] > 0.5 / 9
    assert fake.sec_times[-1] - fake.sec_times[0] > 0.9 * 20 / 9


def test_the_fake_catches_a_client_faster_than_10_a_second(fake, transport):
    """The measuring instrument works: 15 requests without the limiter trip it."""
    for cik in [1326801] * 15:
        try:
            transport.get("sec", "x.json", f"{fake.url}/api/xbrl/companyfacts/CIK{cik:010d}.json",
                          headers={"User-Agent": SEC_CONTACT})
        except SourceFetchError as err:
            assert "Request Rate Threshold Exceeded" in str(err)
            break
    else:
        pytest.fail("15 requests at full speed were not refused")
    assert fake.sec_max_per_second() > 10


def test_13f_data_sets_download_once_for_three_tables(fake, transport):
    endpoints = fake.endpoints()
    for load, key in ((load_13f_submissions, ["accession_number"]), (load_13f_coverpages, ["accession_number"]),
                      (load_13f_infotable, ["accession_number", "infotable_sk"])):
        live = load(transport, endpoints)
        expected = load(REPLAY, Endpoints())
        expected = expected[~expected["source_uri"].str.endswith(".xml")]  # single filings: file modes only
        assert_same_rows(live, expected, key)
        assert set(live["source_uri"]) == {f"{fake.url}{SEC_13F}/2022q4_form13f.zip",
                                           f"{fake.url}{SEC_13F}/2023q1_form13f.zip"}
    assert sorted(fake.server.paths()) == [f"{SEC_13F}/2022q4_form13f.zip", f"{SEC_13F}/2023q1_form13f.zip"]
    assert {r.headers["User-Agent"] for r in fake.requests} == {SEC_CONTACT}


def test_stooq_csv_with_the_api_key_from_env(fake, transport, monkeypatch):
    fake.stooq_key = "k-123"
    monkeypatch.setenv("RQE_STOOQ_API_KEY", "k-123")
    live = load_stooq(transport, fake.endpoints())
    assert_same_rows(live[live.symbol == "mu.us"], load_stooq(REPLAY, Endpoints()), ["price_date"])
    assert {r.query["apikey"] for r in fake.requests} == {"k-123"}
    assert set(live.loc[live.symbol == "mu.us", "source_uri"]) == {f"{fake.url}/q/d/l/?s=mu.us&i=d"}


def test_coinbase_pages_by_time_300_candles_at_most(fake, transport):
    live = load_coinbase(transport, fake.endpoints(), today=dt.date(2025, 1, 31))
    btc = live[live.symbol == "BTC-USD"]
    assert_same_rows(btc, load_coinbase(REPLAY, Endpoints()), ["price_date"])
    windows = [(r.query["start"], r.query["end"]) for r in fake.requests if "BTC-USD" in r.path]
    assert windows[0][0] == "2018-01-01T00:00:00Z" and windows[-1][1] == "2025-01-31T00:00:00Z"
    assert len(windows) == 9  # 2,588 days / 300
    # the fake enforces the limit: one day more than 300 is refused, as by the real API
    with pytest.raises(SourceFetchError, match=r"answered HTTP 400: .*exceeds 300"):
        transport.get("coinbase", "x.json", f"{fake.url}/products/BTC-USD/candles",
                      params={"granularity": "86400", "start": "2024-01-01T00:00:00Z", "end": "2024-10-27T00:00:00Z"})
