"""Writes the NY Fed Markets API repo results (``nyfed/reverse_repo_operations.json``, ON RRP), amounts in USD."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..world.funding_flows import FundingFlowsWorld
from .common import newest_business_days_to, write_file

__all__ = ["write_nyfed_reverse_repo"]


def _rrp_operation(day: dt.date, maturity: dt.date, number: int, accepted_usd: int, cpty: int,
                   rate: float, second: int, note: str = "") -> dict:
    return {
        "operationId": f"RP {day:%m%d%y} {number}",
        "auctionStatus": "Results",
        "operationDate": day.isoformat(),
        "settlementDate": day.isoformat(),
        "maturityDate": maturity.isoformat(),
        "operationType": "Reverse Repo",
        "operationMethod": "Fixed Rate",
        "settlementType": "Same Day",
        "termCalenderDays": (maturity - day).days,
        "term": "Overnight",
        "releaseTime": "12:45",
        "closeTime": "13:15",
        "note": note,
        "lastUpdated": f"{day.isoformat()} 13:1{5 + second // 60}:{second % 60:02d}",
        "participatingCpty": cpty,
        "acceptedCpty": cpty,
        "totalAmtSubmitted": accepted_usd,
        "totalAmtAccepted": accepted_usd,
        "details": [
            {
                "securityType": "Treasury",
                "amtSubmitted": accepted_usd,
                "amtAccepted": accepted_usd,
                "percentOfferingRate": rate,
                "percentAwardRate": rate,
            }
        ],
    }


def write_nyfed_reverse_repo(world: FundingFlowsWorld, out_dir: Path, end: dt.date) -> Path:
    """NY Fed Markets API repo results: one ON RRP operation per business day (newest first),
    plus a few small value exercises (note "Small Value Exercise", operation number 2)."""
    cal = world.cal
    bdays = cal.days[cal.bd]
    seconds = world.rrp_update_second
    small_value = {i: (amount, cpty) for i, amount, cpty in world.svx}
    operations = []
    for i in newest_business_days_to(world, end):
        day = bdays[i].item()
        maturity = cal.bd_next[i]
        rate = round(float(world.rrp_rate[i]), 2)
        if i in small_value:
            amount, cpty = small_value[i]
            operations.append(_rrp_operation(day, maturity, 2, amount, cpty, rate, int(seconds[i]) // 2,
                                             "Small Value Exercise"))
        operations.append(_rrp_operation(day, maturity, 1, int(world.rrp_mn[i]) * 1_000_000, world.rrp_cpty[i],
                                         rate, int(seconds[i])))
    text = json.dumps({"repo": {"operations": operations}}, separators=(",", ":"))
    return write_file(out_dir / "nyfed" / "reverse_repo_operations.json", text)
