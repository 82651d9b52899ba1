"""Writes Fiscal Data API pages (JSON, one page holding every record): Treasury auctions and MSPD table 1.

- ``fiscal_data/auctions_query_p0001.json``: auctions_query, amounts in USD as integer strings
- ``fiscal_data/mspd_table_1_p0001.json``: MSPD table 1, month ends, amounts in $mn with ".0"

Values are strings as the API sends them, ``"null"`` where the API has no value.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..world.issuance import AuctionResult, MspdMonth
from .common import write_file

__all__ = ["auction_record", "fiscal_data_page", "mspd_records", "write_auctions_query", "write_mspd_table_1"]


def _fmt(value: float | None, places: int = 0) -> str:
    if value is None:
        return "null"
    return f"{value:.{places}f}" if places else str(int(round(value)))


def auction_record(a: AuctionResult) -> dict:
    """One auctions_query record (bills carry an investment rate, coupons a high yield)."""
    return {
        "record_date": a.day.isoformat(), "cusip": a.cusip, "security_type": a.sec_type,
        "security_term": a.term, "original_security_term": a.original,
        "auction_date": a.day.isoformat(), "issue_date": a.issue.isoformat(),
        "maturity_date": a.maturity.isoformat(), "reopening": "Yes" if a.reopening else "No",
        "inflation_index_security": "No", "floating_rate": "No", "cash_management_bill_cmb": "No",
        "offering_amt": _fmt(a.offering), "total_tendered": _fmt(a.tendered),
        "total_accepted": _fmt(a.offering), "comp_accepted": _fmt(a.comp_accepted),
        "bid_to_cover_ratio": _fmt(a.bid_to_cover, 6), "high_yield": "null" if a.bill else _fmt(a.yield_pct, 3),
        "high_investment_rate": _fmt(a.yield_pct, 3) if a.bill else "null",
        "indirect_bidder_accepted": _fmt(a.indirect_accepted),
        "direct_bidder_accepted": _fmt(a.direct_accepted),
        "primary_dealer_accepted": _fmt(a.dealer_accepted), "soma_accepted": _fmt(a.soma_accepted),
    }


def _mspd_row(day: dt.date, kind: str, klass: str | None, public_mn: int, intragov_mn: int, line: int) -> dict:
    return {"record_date": day.isoformat(), "security_type_desc": kind,
            "security_class_desc": klass if klass is not None else "null",
            "debt_held_public_mil_amt": f"{public_mn}.0", "intragov_hold_mil_amt": f"{intragov_mn}.0",
            "total_mil_amt": f"{public_mn + intragov_mn}.0", "src_line_nbr": str(line)}


def mspd_records(months: list[MspdMonth]) -> list[dict]:
    """MSPD table 1 rows per month end: the marketable classes (lines 1-5), the Federal Financing
    Bank (6, always zero here), Total Marketable (7), Total Nonmarketable (8) and the total (9)."""
    records = []
    for m in months:
        day = m.month_end
        for line, (klass, public) in enumerate(m.marketable_public_mn.items(), start=1):
            records.append(_mspd_row(day, "Marketable", klass, public, m.marketable_intragov_mn[klass], line))
        total_public = sum(m.marketable_public_mn.values())
        total_intragov = sum(m.marketable_intragov_mn.values())
        records.append(_mspd_row(day, "Marketable", "Federal Financing Bank", 0, 0, 6))
        records.append(_mspd_row(day, "Marketable", "Total Marketable", total_public, total_intragov, 7))
        records.append(_mspd_row(day, "Nonmarketable", "Total Nonmarketable", m.nonmarketable_public_mn,
                                 m.nonmarketable_intragov_mn, 8))
        records.append(_mspd_row(day, "Total Public Debt Outstanding", None, total_public + m.nonmarketable_public_mn,
                                 m.nonmarketable_intragov_mn + total_intragov, 9))
    return records


def fiscal_data_page(records: list[dict]) -> str:
    """A single Fiscal Data API page holding every record."""
    return json.dumps({"data": records, "meta": {"count": len(records), "total-count": len(records),
                                                 "total-pages": 1}, "links": {"next": None}},
                      separators=(",", ":"))


def write_auctions_query(out_dir: Path, records: list[dict]) -> Path:
    return write_file(out_dir / "fiscal_data" / "auctions_query_p0001.json", fiscal_data_page(records))


def write_mspd_table_1(out_dir: Path, records: list[dict]) -> Path:
    return write_file(out_dir / "fiscal_data" / "mspd_table_1_p0001.json", fiscal_data_page(records))
