"""Writes Daily Treasury Statement CSV exports (UTF-8 with BOM, newest day first), amounts in $mn.

- ``fiscal_data/dts_operating_cash_balance.csv``: Table I, the TGA row(s) in the layout of each era
- ``fiscal_data/dts_public_debt_transactions.csv``: Table IIIA, issues and redemptions by security

Month-to-date and fiscal-year-to-date columns and opening balances are derived here from the
world's daily figures, as the DTS reports them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from ..world.funding_flows import FundingFlowsWorld
from .common import newest_business_days_to, write_file

__all__ = ["write_dts_operating_cash_balance", "write_dts_public_debt_transactions"]

# The Table I layout changed twice (real DTS history)
TGA_LABEL_TGA_FROM = dt.date(2021, 10, 1)  # "Federal Reserve Account" before this date
TGA_FOUR_ROWS_FROM = dt.date(2022, 4, 18)  # four "Cash Balance Details" rows from this date

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


def _group_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cumulative sum that restarts where ``starts`` is True (month / fiscal year to date)."""
    total = np.cumsum(values)
    first = np.maximum.accumulate(np.where(starts, np.arange(len(values)), 0))
    return total - total[first] + values[first]


def _date_columns(d: dt.date) -> str:
    """Fiscal Year, Fiscal Quarter Number, Calendar Year, Calendar Quarter Number, Month, Day."""
    fiscal_year = d.year + (d.month >= 10)
    fiscal_quarter = (d.month + 2) % 12 // 3 + 1
    return f"{fiscal_year},{fiscal_quarter},{d.year},{(d.month - 1) // 3 + 1},{d.month:02d},{d.day:02d}"


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
    for i in newest_business_days_to(world, end):
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
    return write_file(out_dir / "fiscal_data" / "dts_operating_cash_balance.csv", "".join(lines), bom=True)


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
    for i in newest_business_days_to(world, end):
        iso, cols = cal.iso[cal.bd[i]], _date_columns(bdays[i].item())
        for (line_no, *_, key), prefix in zip(DTS_DEBT_ROWS, prefixes):
            today, mtd, fytd = columns[key]
            lines.append(
                f"{iso},{prefix},{today[i]},{mtd[i]},{fytd[i]},IIIA,Public Debt Transactions,{line_no},{cols}\n"
            )
    return write_file(out_dir / "fiscal_data" / "dts_public_debt_transactions.csv", "".join(lines), bom=True)
