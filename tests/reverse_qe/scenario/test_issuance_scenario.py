"""The SYNTHETIC issuance scenario: official formats, parseable, and independent of ``end``."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from reverse_qe.scenario.issuance import generate_issuance
from reverse_qe.sources.issuance import cashflow_tags
from reverse_qe.sources.parsers.mspd import parse_mspd_table_1
from reverse_qe.sources.parsers.sec_companyfacts import parse_companyfacts
from reverse_qe.sources.parsers.treasury_auctions import (
    parse_fiscal_data_auctions,
    parse_treasurydirect_auctions,
)

END = dt.date(2026, 11, 20)
EARLY = dt.date(2024, 3, 15)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    out = tmp_path_factory.mktemp("issuance_full")
    generate_issuance(out, end=END)
    return out


def test_every_file_parses_with_the_project_parsers(full):
    auctions = parse_fiscal_data_auctions((full / "fiscal_data" / "auctions_query_p0001.json").read_bytes(), location="x")
    recent = parse_treasurydirect_auctions((full / "treasurydirect" / "auctioned.json").read_bytes(), location="x")
    mspd = parse_mspd_table_1((full / "fiscal_data" / "mspd_table_1_p0001.json").read_bytes(), location="x")
    assert auctions["auction_date"].max() <= pd.Timestamp(END) and len(auctions) > 2000
    assert len(recent) > 20 and recent["auction_date"].min() > pd.Timestamp(END - dt.timedelta(days=60))
    reopenings = auctions[auctions["is_reopening"]]
    assert set(reopenings["original_security_term"]) == {"10-Year", "20-Year", "30-Year"}
    assert (reopenings["security_term"] != reopenings["original_security_term"]).all()
    assert mspd["record_date"].dt.is_month_end.all()
    for path in sorted((full / "sec").glob("CIK*.json")):
        facts = parse_companyfacts(path.read_bytes(), location=str(path), tags=cashflow_tags())
        lag = (facts["filed"] - facts["period_end"]).dt.days
        current = facts.groupby("accn")["period_end"].transform("max") == facts["period_end"]
        assert lag[current].between(30, 45).all(), path.name
        assert set(facts["form"]) == {"10-Q", "10-K"}


def test_fiscal_years_follow_each_company(full):
    msft = json.loads((full / "sec" / "CIK0000789019.json").read_text())
    ends = {f["end"][5:] for f in msft["facts"]["us-gaap"]["PaymentsToAcquirePropertyPlantAndEquipment"]["units"]["USD"]
            if f["form"] == "10-K"}
    assert ends == {"06-30"}
    orcl = json.loads((full / "sec" / "CIK0001341439.json").read_text())
    starts = {f["start"][5:] for f in orcl["facts"]["us-gaap"]["PaymentsToAcquirePropertyPlantAndEquipment"]["units"]["USD"]}
    assert starts == {"06-01"}


def test_an_earlier_end_gives_the_same_rows(full, tmp_path):
    generate_issuance(tmp_path, end=EARLY)
    long_ = json.loads((full / "fiscal_data" / "auctions_query_p0001.json").read_text())["data"]
    short = json.loads((tmp_path / "fiscal_data" / "auctions_query_p0001.json").read_text())["data"]
    assert short == [r for r in long_ if r["auction_date"] <= EARLY.isoformat()]
    for path in (tmp_path / "sec").glob("CIK*.json"):
        early = json.loads(path.read_text())["facts"]["us-gaap"]
        late = json.loads((full / "sec" / path.name).read_text())["facts"]["us-gaap"]
        for tag, facts in early.items():
            kept = [f for f in late[tag]["units"]["USD"] if f["filed"] <= EARLY.isoformat()]
            assert facts["units"]["USD"] == kept, (path.name, tag)


def test_capex_ramps_and_late_2025_is_funded_by_bonds(full):
    meta = json.loads((full / "sec" / "CIK0001326801.json").read_text())["facts"]["us-gaap"]
    fy = {f["end"]: f["val"] for f in meta["PaymentsToAcquirePropertyPlantAndEquipment"]["units"]["USD"] if f["fp"] == "FY"}
    assert fy["2025-12-31"] > 2 * fy["2023-12-31"]
    debt = {f["end"]: f["val"] for f in meta["ProceedsFromIssuanceOfLongTermDebt"]["units"]["USD"] if f["fp"] == "FY"}
    assert debt["2025-12-31"] == 30_000_000_000  # the seed's Oct 2025 bond
