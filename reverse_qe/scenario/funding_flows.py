"""SYNTHETIC funding-flows scenario, written in the sources' official formats (README, "The scenario is synthetic").

Nothing here is real data. The generator builds one deterministic world over a fixed horizon
(``HORIZON_START``..``HORIZON_END``) from the anchor tables in ``anchors/funding_flows.py`` (piecewise-linear in time) plus
small seeded noise, then writes the files up to ``end``. Every date's value depends only on the
seed, never on ``end``, so a later run only appends rows. Each series draws its noise from its own
generator (``series_rng(seed, name)``), so adding a series never changes another one.

Files written under ``out_dir``:

- ``fred/<ID>.csv``: FRED graph CSV (``observation_date,<ID>``, LF, no BOM, empty = missing)
- ``fiscal_data/dts_operating_cash_balance.csv``: DTS table I CSV export (UTF-8 with BOM)
- ``fiscal_data/dts_public_debt_transactions.csv``: DTS table IIIA CSV export (UTF-8 with BOM)
- ``nyfed/reverse_repo_operations.json``: NY Fed Markets API repo results (ON RRP)

Units follow each source: FRED WALCL/TREAST/WRESBAL in $mn, WTREGEN/RRPONTSYD in $bn, rates in
percent; DTS in $mn; NY Fed in USD. Anchor tables are in $bn (money) or percent (rates).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from reverse_qe.fred_series import fred_series

from .anchors.funding_flows import FIRST_DATE, HORIZON_END, HORIZON_START, IORB_START, SOFR_START
from .world.funding_flows import FundingFlowsWorld, funding_flows_world
from .world.primitives import series_rng

__all__ = ["generate_funding_flows", "FRED_SERIES", "HORIZON_START", "HORIZON_END"]

FRED_SERIES = tuple(fred_series())  # the scenario writes every series the pipeline reads
TGA_LABEL_TGA_FROM = dt.date(2021, 10, 1)  # "Federal Reserve Account" before this date
TGA_FOUR_ROWS_FROM = dt.date(2022, 4, 18)  # four "Cash Balance Details" rows from this date

# ----------------------------------------------------------------------------------------------
# Output formats
# ----------------------------------------------------------------------------------------------

DTS_CASH_HEADER = (
    "Record Date,Type of Account,Opening Balance Today,Opening Balance This Month,"
    "Opening Balance This Fiscal Year,Table Number,Table Name,Sub Table Name,Source Line Number,"
    "Fiscal Year,Fiscal Quarter Number,Calendar Year,Calendar Quarter Number,"
    "Calendar Month Number,Calendar Day Number"
)
DTS_DEBT_HEADER = (
    "Record Date,Transaction Type,Security Marketability,Security Type,Security Type Description,"
    "Transactions Today,Transactions Month to Date,Transactions Fiscal Year to Date,Table Number,"
    "Table Name,Source Line Number,Fiscal Year,Fiscal Quarter Number,Calendar Year,"
    "Calendar Quarter Number,Calendar Month Number,Calendar Day Number"
)
# Table IIIA rows: (source line, transaction type, marketability, security type, description, key)
DTS_DEBT_ROWS = (
    (1, "Issues", "Marketable", "Bills", "Regular Series", "bills_iss"),
    (2, "Issues", "Marketable", "Bills", "Cash Management Series", "cmb_iss"),
    (3, "Issues", "Marketable", "Notes", "null", "notes_iss"),
    (4, "Issues", "Marketable", "Bonds", "null", "bonds_iss"),
    (5, "Issues", "Marketable", "Inflation-Protected Securities Increment", "null", "tips_inc"),
    (6, "Issues", "Marketable", "Federal Financing Bank", "null", "zero"),
    (7, "Issues", "Nonmarketable", "United States Savings Securities", "Cash Issue Price", "ss_cash"),
    (8, "Issues", "Nonmarketable", "United States Savings Securities", "Interest Increment", "ss_int"),
    (9, "Issues", "Nonmarketable", "Government Account Series", "null", "gas_iss"),
    (10, "Issues", "Nonmarketable", "Domestic Series", "null", "zero"),
    (11, "Issues", "Nonmarketable", "Foreign Series", "null", "zero"),
    (12, "Issues", "Nonmarketable", "State and Local Series", "null", "slgs_iss"),
    (13, "Issues", "Nonmarketable", "Other", "null", "other_iss"),
    (15, "Redemptions", "Marketable", "Bills", "null", "bills_red"),
    (16, "Redemptions", "Marketable", "Notes", "null", "notes_red"),
    (17, "Redemptions", "Marketable", "Bonds", "null", "bonds_red"),
    (18, "Redemptions", "Marketable", "Federal Financing Bank", "null", "zero"),
    (19, "Redemptions", "Nonmarketable", "United States Savings Securities", "null", "ss_red"),
    (20, "Redemptions", "Nonmarketable", "Government Account Series", "null", "gas_red"),
    (21, "Redemptions", "Nonmarketable", "Domestic Series", "null", "zero"),
    (22, "Redemptions", "Nonmarketable", "Foreign Series", "null", "zero"),
    (23, "Redemptions", "Nonmarketable", "State and Local Series", "null", "slgs_red"),
    (24, "Redemptions", "Nonmarketable", "Other", "null", "other_red"),
)
BOM = b"\xef\xbb\xbf"



def _fmt_thousandths(mn: int) -> str:
    """An integer count of thousandths as a decimal with 3 places ($mn -> "$bn.xxx"), exactly."""
    sign = "-" if mn < 0 else ""
    mn = abs(int(mn))
    return f"{sign}{mn // 1000}.{mn % 1000:03d}"


def _fmt_decimals(values: np.ndarray, places: int) -> list[str]:
    rounded = np.round(values, places) + 0.0  # + 0.0 turns -0.0 into 0.0
    return [f"{v:.{places}f}" for v in rounded]


def _group_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cumulative sum that restarts where ``starts`` is True (month / fiscal year to date)."""
    total = np.cumsum(values)
    first = np.maximum.accumulate(np.where(starts, np.arange(len(values)), 0))
    return total - total[first] + values[first]





# ----------------------------------------------------------------------------------------------
# Writers: one per file
# ----------------------------------------------------------------------------------------------


def _write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((BOM if bom else b"") + text.encode("utf-8"))
    return path


def _write_fred_csv(path: Path, series_id: str, dates: list[str], values: list[str]) -> Path:
    lines = [f"observation_date,{series_id}\n"]
    lines.extend(f"{d},{v}\n" for d, v in zip(dates, values))
    return _write(path, "".join(lines))


def write_fred_weekly(world: FundingFlowsWorld, out_dir: Path, series_id: str, end: dt.date) -> Path:
    """A weekly (Wednesday) FRED series: $mn integers, or $bn with 3 decimals for WTREGEN."""
    cal = world.cal
    values_mn = world.fred_weekly_mn[series_id]
    keep = cal.days[cal.wed] <= np.datetime64(end, "D")
    keep &= cal.days[cal.wed] >= np.datetime64(FIRST_DATE, "D")
    dates = [cal.iso[p] for p in cal.wed[keep]]
    fmt = _fmt_thousandths if series_id == "WTREGEN" else str
    values = [fmt(int(v)) for v in values_mn[keep]]
    return _write_fred_csv(out_dir / "fred" / f"{series_id}.csv", series_id, dates, values)


def write_fred_daily(world: FundingFlowsWorld, out_dir: Path, series_id: str, end: dt.date) -> Path:
    """A daily FRED series: every weekday of its period, empty on US federal holidays."""
    cal = world.cal
    start = {"SOFR": SOFR_START, "IORB": IORB_START}.get(series_id, FIRST_DATE)
    stop = min(end, IORB_START - dt.timedelta(days=1)) if series_id == "IOER" else end
    keep = (cal.days >= np.datetime64(start, "D")) & (cal.days <= np.datetime64(stop, "D"))
    if series_id == "RRPONTSYD":
        values = np.full(len(cal.days), "", dtype=object)
        values[cal.bd] = [_fmt_thousandths(v) for v in world.rrp_mn]
    else:
        places = 4 if series_id == "THREEFYTP10" else 2
        values = np.array(_fmt_decimals(world.fred_daily[series_id], places), dtype=object)
        values[~cal.is_bd] = ""
    pos = np.flatnonzero(keep)
    return _write_fred_csv(out_dir / "fred" / f"{series_id}.csv", series_id,
                           [cal.iso[p] for p in pos], list(values[pos]))


def _date_columns(d: dt.date) -> str:
    """Fiscal Year, Fiscal Quarter Number, Calendar Year, Calendar Quarter Number, Month, Day."""
    fiscal_year = d.year + (d.month >= 10)
    fiscal_quarter = (d.month + 2) % 12 // 3 + 1
    return f"{fiscal_year},{fiscal_quarter},{d.year},{(d.month - 1) // 3 + 1},{d.month:02d},{d.day:02d}"


def _written_bdays(world: FundingFlowsWorld, end: dt.date) -> np.ndarray:
    """Indices of the business days to write, newest first (as the DTS export orders them)."""
    bdays = world.cal.days[world.cal.bd]
    keep = (bdays >= np.datetime64(FIRST_DATE, "D")) & (bdays <= np.datetime64(end, "D"))
    return np.flatnonzero(keep)[::-1]


def _period_starts(bdays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flags for the first business day of each month and of each fiscal year (Oct 1)."""
    months = bdays.astype("datetime64[M]").astype(np.int64)
    month_start = np.append(True, months[1:] != months[:-1])
    fy_start = month_start & (months % 12 == 9)
    fy_start[0] = True
    return month_start, fy_start


def write_dts_operating_cash_balance(world: FundingFlowsWorld, out_dir: Path, end: dt.date) -> Path:
    """DTS Table I: the TGA row(s) in the label of each era, opening balances in $mn."""
    cal = world.cal
    bdays = cal.days[cal.bd]
    close = world.tga_close_mn
    opening = np.concatenate(([close[0]], close[:-1]))
    month_start, fy_start = _period_starts(bdays)
    open_month = opening[np.maximum.accumulate(np.where(month_start, np.arange(len(bdays)), 0))]
    open_fy = opening[np.maximum.accumulate(np.where(fy_start, np.arange(len(bdays)), 0))]
    dep_mtd, dep_fytd = _group_cumsum(world.tga_dep_mn, month_start), _group_cumsum(world.tga_dep_mn, fy_start)
    wdr_mtd, wdr_fytd = _group_cumsum(world.tga_wdr_mn, month_start), _group_cumsum(world.tga_wdr_mn, fy_start)

    tail = "I,Operating Cash Balance"
    lines = [DTS_CASH_HEADER + "\n"]
    for i in _written_bdays(world, end):
        day = bdays[i].item()
        iso, cols = cal.iso[cal.bd[i]], _date_columns(day)
        if day >= TGA_FOUR_ROWS_FROM:
            sub = "Cash Balance Details"
            rows = (
                ("Treasury General Account (TGA) Opening Balance", opening[i], open_month[i], open_fy[i]),
                ("Total TGA Deposits (Table II)", world.tga_dep_mn[i], dep_mtd[i], dep_fytd[i]),
                ("Total TGA Withdrawals (Table II) (-)", world.tga_wdr_mn[i], wdr_mtd[i], wdr_fytd[i]),
                ("Treasury General Account (TGA) Closing Balance", close[i], close[i], close[i]),
            )
        else:
            sub = "Type of account"
            label = "Treasury General Account (TGA)" if day >= TGA_LABEL_TGA_FROM else "Federal Reserve Account"
            rows = (
                (label, opening[i], open_month[i], open_fy[i]),
                ("Supplementary Financing Program Account", 0, 0, 0),
                ("Short-Term Cash Investments (Table V)", 0, 0, 0),
            )
        for line_no, (name, today, month, year) in enumerate(rows, start=1):
            lines.append(f"{iso},{name},{today},{month},{year},{tail},{sub},{line_no},{cols}\n")
    return _write(out_dir / "fiscal_data" / "dts_operating_cash_balance.csv", "".join(lines), bom=True)


def write_dts_public_debt_transactions(world: FundingFlowsWorld, out_dir: Path, end: dt.date) -> Path:
    """DTS Table IIIA: issues and redemptions by marketability and security type, $mn."""
    cal = world.cal
    bdays = cal.days[cal.bd]
    month_start, fy_start = _period_starts(bdays)
    columns = {}
    for key, today in world.debt_mn.items():
        columns[key] = (today, _group_cumsum(today, month_start), _group_cumsum(today, fy_start))
    prefixes = [f"{t},{m},{s},{d}" for _, t, m, s, d, _ in DTS_DEBT_ROWS]
    lines = [DTS_DEBT_HEADER + "\n"]
    for i in _written_bdays(world, end):
        iso, cols = cal.iso[cal.bd[i]], _date_columns(bdays[i].item())
        for (line_no, *_, key), prefix in zip(DTS_DEBT_ROWS, prefixes):
            today, mtd, fytd = columns[key]
            lines.append(
                f"{iso},{prefix},{today[i]},{mtd[i]},{fytd[i]},IIIA,Public Debt Transactions,{line_no},{cols}\n"
            )
    return _write(out_dir / "fiscal_data" / "dts_public_debt_transactions.csv", "".join(lines), bom=True)


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


def write_nyfed_reverse_repo(world: FundingFlowsWorld, out_dir: Path, end: dt.date, seed: int) -> Path:
    """NY Fed Markets API repo results: one ON RRP operation per business day (newest first),
    plus a few small value exercises (note "Small Value Exercise", operation number 2)."""
    cal = world.cal
    bdays = cal.days[cal.bd]
    n = len(bdays)
    rng = series_rng(seed, "NYFED_details")
    seconds = rng.integers(0, 120, n)
    jitter = rng.uniform(0.9, 1.1, n)
    small_value = {i: (amount, cpty) for i, amount, cpty in world.svx}
    operations = []
    for i in _written_bdays(world, end):
        day = bdays[i].item()
        maturity = cal.bd_next[i]
        rate = round(float(world.rrp_rate[i]), 2)
        if i in small_value:
            amount, cpty = small_value[i]
            operations.append(_rrp_operation(day, maturity, 2, amount, cpty, rate, int(seconds[i]) // 2,
                                             "Small Value Exercise"))
        accepted_bn = world.rrp_mn[i] / 1000.0
        cpty = 0 if accepted_bn == 0 else max(1, round((2 + 105 * (accepted_bn / 2550.0) ** 0.6) * jitter[i]))
        operations.append(_rrp_operation(day, maturity, 1, int(world.rrp_mn[i]) * 1_000_000, cpty, rate,
                                         int(seconds[i])))
    text = json.dumps({"repo": {"operations": operations}}, separators=(",", ":"))
    return _write(out_dir / "nyfed" / "reverse_repo_operations.json", text)


def generate_funding_flows(out_dir: Path, *, end: dt.date, seed: int = 20180101) -> list[Path]:
    """Write the SYNTHETIC funding-flows family up to ``end`` (inclusive); return the paths written.

    Deterministic for a given ``seed``; the value of any date never depends on ``end``.
    """
    if isinstance(end, dt.datetime):
        end = end.date()
    if not FIRST_DATE <= end <= HORIZON_END:
        raise ValueError(f"end must lie in {FIRST_DATE}..{HORIZON_END}, got {end}")
    out_dir = Path(out_dir)
    world = funding_flows_world(int(seed))
    paths = []
    for series_id in FRED_SERIES:
        if series_id in world.fred_weekly_mn:
            paths.append(write_fred_weekly(world, out_dir, series_id, end))
        else:
            paths.append(write_fred_daily(world, out_dir, series_id, end))
    paths.append(write_dts_operating_cash_balance(world, out_dir, end))
    paths.append(write_dts_public_debt_transactions(world, out_dir, end))
    paths.append(write_nyfed_reverse_repo(world, out_dir, end, int(seed)))
    return paths
