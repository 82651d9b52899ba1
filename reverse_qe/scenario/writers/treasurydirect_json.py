"""Writes TreasuryDirect's auction results (``treasurydirect/auctioned.json``): the last 60 days, newest first.

The same auctions as the Fiscal Data records, under TreasuryDirect's camelCase names, with empty
strings for missing values and dates as ``YYYY-MM-DDT00:00:00``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .common import write_file

__all__ = ["write_treasurydirect_auctioned"]

TREASURYDIRECT_DAYS = 60  # the auctions the page lists: those of the last 60 days

_TD_FIELDS = {  # TreasuryDirect camelCase name: Fiscal Data snake_case name
    "cusip": "cusip", "issueDate": "issue_date", "securityType": "security_type",
    "securityTerm": "security_term", "maturityDate": "maturity_date", "auctionDate": "auction_date",
    "bidToCoverRatio": "bid_to_cover_ratio", "competitiveAccepted": "comp_accepted",
    "directBidderAccepted": "direct_bidder_accepted", "floatingRate": "floating_rate",
    "highYield": "high_yield", "highInvestmentRate": "high_investment_rate",
    "indirectBidderAccepted": "indirect_bidder_accepted", "offeringAmount": "offering_amt",
    "originalSecurityTerm": "original_security_term", "primaryDealerAccepted": "primary_dealer_accepted",
    "reopening": "reopening", "somaAccepted": "soma_accepted", "tips": "inflation_index_security",
    "cashManagementBillCMB": "cash_management_bill_cmb", "totalAccepted": "total_accepted",
    "totalTendered": "total_tendered",
}


def _treasurydirect_record(record: dict) -> dict:
    out = {}
    for camel, snake in _TD_FIELDS.items():
        value = record[snake]
        value = "" if value == "null" else value
        if camel.endswith("Date") and value:
            value += "T00:00:00"
        out[camel] = value
    return out


def write_treasurydirect_auctioned(out_dir: Path, fiscal_data_records: list[dict], end: dt.date) -> Path:
    """The auctions (as Fiscal Data auctions_query records, oldest first) of the 60 days up to ``end``."""
    recent = [_treasurydirect_record(r) for r in fiscal_data_records
              if r["auction_date"] > (end - dt.timedelta(days=TREASURYDIRECT_DAYS)).isoformat()]
    return write_file(out_dir / "treasurydirect" / "auctioned.json", json.dumps(recent[::-1], separators=(",", ":")))
