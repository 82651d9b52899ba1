"""SYNTHETIC funding-flows scenario, written in the sources' official formats (README, "The scenario is synthetic").

Nothing here is real data. The generator builds one deterministic world over a fixed horizon
(``HORIZON_START``..``HORIZON_END``) from the anchor tables in ``anchors/funding_flows.py`` (piecewise-linear in time) plus
small seeded noise, then writes the files up to ``end``. Every date's value depends only on the
seed, never on ``end``, so a later run only appends rows. Each series draws its noise from its own
generator (``_rng(seed, name)``), so adding a series never changes another one.

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
import math
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from reverse_qe.fred_series import fred_series

from .anchors.funding_flows import (
    BILLS_GROSS_WEEKLY_BN,
    BONDS_GROSS_MONTHLY_BN,
    CMB_DEFAULT,
    CMB_PER_YEAR,
    DGS2_PCT,
    DGS10_PCT,
    DGS30_PCT,
    FIRST_DATE,
    GAS_GROSS_DAILY_MN,
    HORIZON_END,
    HORIZON_START,
    HY_OAS_PCT,
    IG_OAS_PCT,
    IORB_START,
    MIN_SPENDING_DAILY_BN,
    NET_MARKETABLE_BN,
    NET_MARKETABLE_LATER_BN,
    NOTES_GROSS_MONTHLY_BN,
    OTHER_NONMARKETABLE_DAILY_MN,
    OTHER_RECEIPTS_DAILY_BN,
    POLICY_RATES,
    RRP_BN,
    RRP_EMPTY_FROM,
    RRP_RAMP_FROM,
    RRP_SMALL_VALUE_PER_YEAR,
    SAVINGS_CASH_DAILY_MN,
    SAVINGS_REDEMPTION_DAILY_MN,
    SLGS_DAILY_MN,
    SOFR_ABOVE_IORB_FROM,
    SOFR_SPREAD_PP,
    SOFR_START,
    TGA_BN,
    TGA_TAX_BUMPS,
    THREEFYTP10_PCT,
    TIPS_INCREMENT_DAILY_MN,
    TREAST_BN,
    WALCL_BN,
    WRESBAL_BN,
)
from .calendar import business_days, us_federal_holidays, weekdays

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

# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------


def _rng(seed: int, name: str) -> np.random.Generator:
    """A generator of its own for each series: stable across runs and independent of the others."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


def _d64(iso: str) -> np.datetime64:
    return np.datetime64(iso, "D")


def _path(anchors, days: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation of (iso date, value) anchors at ``days`` (datetime64[D])."""
    x = np.array([_d64(a[0]) for a in anchors]).astype(np.int64)
    y = np.array([a[1] for a in anchors], dtype=float)
    return np.interp(days.astype(np.int64), x, y)


def _steps(table, days: np.ndarray, column: int) -> np.ndarray:
    """Step function: the value of the last table row effective on or before each day."""
    x = np.array([_d64(r[0]) for r in table])
    idx = np.searchsorted(x, days, side="right") - 1
    return np.array([r[column] for r in table], dtype=float)[np.maximum(idx, 0)]


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """AR(1) noise with stationary standard deviation ``sd``."""
    shocks = rng.standard_normal(n) * (sd * math.sqrt(1.0 - phi * phi))
    out = np.empty(n)
    acc = rng.standard_normal() * sd
    for i in range(n):
        acc = phi * acc + shocks[i]
        out[i] = acc
    return out


def _mn(bn: np.ndarray) -> np.ndarray:
    """$bn floats to $mn integers."""
    return np.rint(np.asarray(bn) * 1000.0).astype(np.int64)


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
# The world: every series over the whole horizon, built once per seed
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    days: np.ndarray  # datetime64[D]: every weekday of the horizon
    iso: list[str]
    is_bd: np.ndarray  # bool per weekday
    bd: np.ndarray  # positions (in days) of the business days
    last_bd: np.ndarray  # per weekday: position of itself if a business day, else the previous one
    wed: np.ndarray  # positions of the Wednesdays
    bd_next: list[dt.date]  # per business day: the next business day


@lru_cache(maxsize=1)
def _calendar() -> _Calendar:
    wk = weekdays(HORIZON_START, HORIZON_END)
    holidays = us_federal_holidays(HORIZON_START, HORIZON_END)
    days = np.array(wk, dtype="datetime64[D]")
    is_bd = np.array([d not in holidays for d in wk])
    pos = np.arange(len(wk))
    bd = pos[is_bd]
    last_bd = np.maximum.accumulate(np.where(is_bd, pos, 0))
    wed = pos[np.array([d.weekday() == 2 for d in wk])]
    bds = business_days(HORIZON_START, HORIZON_END + dt.timedelta(days=14))
    return _Calendar(days, list(np.datetime_as_string(days)), is_bd, bd, last_bd, wed, bds[1:])


@dataclass(frozen=True)
class _World:
    cal: _Calendar
    fred_daily: dict[str, np.ndarray]  # per weekday, % (holidays are blanked when written)
    fred_weekly_mn: dict[str, np.ndarray]  # per Wednesday, $mn
    tga_close_mn: np.ndarray  # per business day
    tga_dep_mn: np.ndarray
    tga_wdr_mn: np.ndarray
    rrp_mn: np.ndarray  # per business day, ON RRP accepted in $mn
    rrp_rate: np.ndarray  # per business day, %
    debt_mn: dict[str, np.ndarray]  # per business day, Table IIIA flows
    svx: tuple  # small value exercises: (business-day index, amount USD, counterparties)


def _quarter_end_flags(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a sorted array of business days: (last of its month, last of its quarter)."""
    months = dates.astype("datetime64[M]").astype(np.int64)
    month_end = np.append(months[1:] != months[:-1], True)
    quarter_end = month_end & (months % 3 == 2)
    return month_end, quarter_end


def _rrp_bn(seed: int, bdays: np.ndarray, quarter_end: np.ndarray, month_end: np.ndarray) -> np.ndarray:
    """ON RRP take-up, $bn per business day."""
    n = len(bdays)
    rng = _rng(seed, "RRPONTSYD")
    # before the ramp: a few $bn or nothing, more at quarter ends
    early = np.where(rng.random(n) < 0.45, 0.0, rng.lognormal(math.log(1.5), 1.0, n))
    early = early + quarter_end * rng.uniform(10.0, 40.0, n)
    # the ramp, plateau and drain: anchors with a few per cent of persistent noise
    anchored = _path(RRP_BN, bdays) * np.exp(_ar1(rng, n, 0.9, 0.03))
    anchored *= 1.0 + quarter_end * rng.uniform(0.03, 0.10, n) + (month_end & ~quarter_end) * 0.02
    # an empty pool: between $1bn and $29bn (a logistic of persistent noise), quarter-end spikes
    empty = 1.0 + 28.0 / (1.0 + np.exp(0.75 - _ar1(rng, n, 0.8, 0.8)))
    empty = empty + quarter_end * rng.uniform(40.0, 110.0, n)
    out = np.where(bdays < _d64(RRP_RAMP_FROM.isoformat()), early, anchored)
    return np.where(bdays >= _d64(RRP_EMPTY_FROM.isoformat()), empty, out)


def _tga_bn(seed: int, bdays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TGA closing balance per business day, $bn, and its anchor path (no bumps, no noise)."""
    anchor = _path(TGA_BN, bdays)
    bumps = np.zeros(len(bdays))
    for year in range(HORIZON_START.year, HORIZON_END.year + 1):
        for month, day, share, decay in TGA_TAX_BUMPS:
            i = int(np.searchsorted(bdays, np.datetime64(dt.date(year, month, day), "D")))
            if i >= len(bdays):
                continue
            j = min(i + decay, len(bdays))
            bumps[i:j] += share * anchor[i] * (1.0 - np.arange(j - i) / decay)
    noise = _ar1(_rng(seed, "TGA"), len(bdays), 0.9, 0.03)
    return np.maximum((anchor + bumps) * (1.0 + noise), 20.0), anchor


def _settlement_days(cal: _Calendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per business day: bill share of the week (Tue 45%, Thu 55%; moved to the next business day
    when a holiday), and note / bond share of the month on the 15th and at month end."""
    n_bd = len(cal.bd)
    bd_of_pos = np.searchsorted(cal.bd, np.arange(len(cal.days)))  # next business day's index
    weekday = (cal.days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    bill_share = np.zeros(n_bd)
    for wd, share in ((1, 0.45), (3, 0.55)):
        targets = bd_of_pos[weekday == wd]
        np.add.at(bill_share, targets[targets < n_bd], share)
    bdays = cal.days[cal.bd]
    month_end, _ = _quarter_end_flags(bdays)
    months = np.unique(bdays.astype("datetime64[M]"))
    mid = np.searchsorted(bdays, months.astype("datetime64[D]") + 14)
    mid = mid[mid < n_bd]
    notes_share = np.zeros(n_bd)
    bonds_share = np.zeros(n_bd)
    np.add.at(notes_share, mid, 0.45)
    np.add.at(bonds_share, mid, 0.70)
    notes_share[month_end] += 0.55
    bonds_share[month_end] += 0.30
    return bill_share, notes_share, bonds_share


def _public_debt_mn(seed: int, cal: _Calendar) -> dict[str, np.ndarray]:
    """DTS Table IIIA flows per business day, $mn."""
    bdays = cal.days[cal.bd]
    n = len(bdays)
    years = bdays.astype("datetime64[Y]").astype(np.int64) + 1970
    months0 = bdays.astype("datetime64[M]").astype(np.int64) % 12
    quarter = (years - HORIZON_START.year) * 4 + months0 // 3
    n_q = int(quarter.max()) + 1
    bill_share, notes_share, bonds_share = _settlement_days(cal)

    def table(year: int) -> tuple:
        return NET_MARKETABLE_BN.get(year, NET_MARKETABLE_LATER_BN)

    net_q = np.array([table(HORIZON_START.year + q // 4)[q % 4] for q in range(n_q)], dtype=float)
    coupon_net_q = np.array([table(HORIZON_START.year + q // 4)[4] / 4.0 for q in range(n_q)])

    rng = _rng(seed, "DTS_marketable")
    bills = _path(BILLS_GROSS_WEEKLY_BN, bdays) * bill_share * rng.lognormal(0.0, 0.06, n)
    notes = _path(NOTES_GROSS_MONTHLY_BN, bdays) * notes_share * rng.lognormal(0.0, 0.08, n)
    bonds = _path(BONDS_GROSS_MONTHLY_BN, bdays) * bonds_share * rng.lognormal(0.0, 0.08, n)
    tips = _path(TIPS_INCREMENT_DAILY_MN, bdays) / 1000.0 * rng.lognormal(0.0, 0.4, n)

    # cash management bills: issued on a bill day, redeemed 5-9 weeks later
    cmb_iss = np.zeros(n)
    cmb_red = np.zeros(n)
    rng_cmb = _rng(seed, "DTS_cmb")
    bill_days = np.flatnonzero(bill_share > 0)
    for year in range(HORIZON_START.year, HORIZON_END.year + 1):
        count, lo, hi = CMB_PER_YEAR.get(year, CMB_DEFAULT)
        candidates = bill_days[years[bill_days] == year]
        picks = rng_cmb.choice(candidates, size=count, replace=False)
        sizes = rng_cmb.uniform(lo, hi, count)
        terms = rng_cmb.integers(35, 64, count)
        for i, size, term in zip(np.sort(picks), sizes, terms):
            j = int(np.searchsorted(bdays, bdays[i] + int(term)))
            if j < n:
                cmb_iss[i] += size
                cmb_red[j] += size

    def per_quarter(x: np.ndarray) -> np.ndarray:
        return np.bincount(quarter, weights=x, minlength=n_q)

    # coupon redemptions: what the quarter's coupon issues exceed its coupon net issuance by
    coupons = notes + bonds
    coupon_red_q = np.maximum(per_quarter(coupons) - coupon_net_q, 0.0)
    raw = coupons * rng.lognormal(0.0, 0.10, n)
    coupon_red = raw * (coupon_red_q / np.maximum(per_quarter(raw), 1e-9))[quarter]
    notes_red = coupon_red * 0.94
    bonds_red = coupon_red * 0.06
    # bill redemptions: bills take the rest of the quarter's net issuance
    bill_net_q = net_q - coupon_net_q - per_quarter(tips) - per_quarter(cmb_iss - cmb_red)
    bill_red_q = np.maximum(per_quarter(bills) - bill_net_q, 0.0)
    raw = bills * rng.lognormal(0.0, 0.05, n)
    bills_red = raw * (bill_red_q / np.maximum(per_quarter(raw), 1e-9))[quarter] + cmb_red

    # nonmarketable flows ($mn)
    rng_nm = _rng(seed, "DTS_nonmarketable")
    month_start = np.append(True, months0[1:] != months0[:-1])
    gas_iss = _path(GAS_GROSS_DAILY_MN, bdays) * rng_nm.lognormal(0.0, 0.12, n)
    gas_red = np.maximum(gas_iss - rng_nm.normal(500.0, 15_000.0, n), 0.0)
    slgs = _path(SLGS_DAILY_MN, bdays)
    other = _path(OTHER_NONMARKETABLE_DAILY_MN, bdays) * rng_nm.lognormal(0.0, 0.2, n)
    flows = {
        "bills_iss": _mn(bills),
        "cmb_iss": _mn(cmb_iss),
        "notes_iss": _mn(notes),
        "bonds_iss": _mn(bonds),
        "tips_inc": _mn(tips),
        "bills_red": _mn(bills_red),
        "notes_red": _mn(notes_red),
        "bonds_red": _mn(bonds_red),
        "ss_cash": np.rint(_path(SAVINGS_CASH_DAILY_MN, bdays) * rng_nm.lognormal(-0.1, 0.5, n)),
        "ss_int": np.rint(rng_nm.lognormal(math.log(4.0), 0.6, n) + month_start * rng_nm.uniform(250, 450, n)),
        "ss_red": np.rint(_path(SAVINGS_REDEMPTION_DAILY_MN, bdays) * rng_nm.lognormal(-0.1, 0.4, n)),
        "gas_iss": np.rint(gas_iss),
        "gas_red": np.rint(gas_red),
        "slgs_iss": np.rint(slgs * rng_nm.lognormal(-0.3, 0.8, n)),
        "slgs_red": np.rint(slgs * rng_nm.lognormal(-0.3, 0.8, n)),
        "other_iss": np.rint(other),
        "other_red": np.rint(other + rng_nm.normal(0.0, 60.0, n)),
        "zero": np.zeros(n),
    }
    return {k: np.asarray(v).astype(np.int64) for k, v in flows.items()}


def _tga_flows_mn(seed: int, bdays: np.ndarray, close_mn: np.ndarray, debt: dict[str, np.ndarray],
                  opening0_mn: int) -> tuple[np.ndarray, np.ndarray]:
    """TGA deposits and withdrawals per business day, $mn: deposits = cash debt issues + other
    receipts; withdrawals = deposits − Δclose, i.e. debt redemptions + spending (never below a floor)."""
    n = len(bdays)
    rng = _rng(seed, "TGA_flows")
    tax_day = np.zeros(n, dtype=bool)
    for year in range(HORIZON_START.year, HORIZON_END.year + 1):
        for month, day, _, _ in TGA_TAX_BUMPS:
            i = int(np.searchsorted(bdays, np.datetime64(dt.date(year, month, day), "D")))
            if i < n:
                tax_day[i] = True
    receipts = _mn(_path(OTHER_RECEIPTS_DAILY_BN, bdays) * rng.lognormal(0.0, 0.25, n) * (1 + 3 * tax_day))
    issues = debt["bills_iss"] + debt["cmb_iss"] + debt["notes_iss"] + debt["bonds_iss"]
    redemptions = debt["bills_red"] + debt["notes_red"] + debt["bonds_red"]
    delta = np.diff(close_mn, prepend=opening0_mn)
    deposits = issues + receipts
    withdrawals = deposits - delta
    floor = _mn(MIN_SPENDING_DAILY_BN * rng.lognormal(0.0, 0.2, n))
    top_up = np.maximum(floor - (withdrawals - redemptions), 0)
    return deposits + top_up, withdrawals + top_up


@lru_cache(maxsize=4)
def _world(seed: int) -> _World:
    cal = _calendar()
    days = cal.days
    bdays = days[cal.bd]
    n_days = len(days)
    wed_days = days[cal.wed]
    month_end, quarter_end = _quarter_end_flags(bdays)

    # Treasury cash
    tga_bn, tga_anchor = _tga_bn(seed, bdays)
    tga_close = _mn(tga_bn)
    debt = _public_debt_mn(seed, cal)
    tga_open0 = int(tga_close[0])  # the day before the horizon: taken as flat
    dep, wdr = _tga_flows_mn(seed, bdays, tga_close, debt, tga_open0)

    # ON RRP
    rrp_mn = _mn(_rrp_bn(seed, bdays, quarter_end, month_end))
    rrp_rate = _steps(POLICY_RATES, bdays, 2)

    # weekly H.4.1 series ($bn -> $mn); a holiday Wednesday takes the previous business day
    bd_index_of_pos = np.cumsum(cal.is_bd) - 1  # business-day index of each weekday's last_bd
    wed_bd = bd_index_of_pos[cal.last_bd[cal.wed]]
    n_w = len(wed_days)
    walcl_anchor = _path(WALCL_BN, wed_days)
    walcl = walcl_anchor + _ar1(_rng(seed, "WALCL"), n_w, 0.7, 8.0)
    treast = _path(TREAST_BN, wed_days) + _ar1(_rng(seed, "TREAST"), n_w, 0.7, 3.0)
    tga_wed = tga_close[wed_bd] / 1000.0
    rrp_wed = rrp_mn[wed_bd] / 1000.0
    rrp_anchor = np.where(wed_days >= _d64(RRP_RAMP_FROM.isoformat()), _path(RRP_BN, wed_days), rrp_wed)
    rrp_anchor = np.where(wed_days >= _d64(RRP_EMPTY_FROM.isoformat()), 10.0, rrp_anchor)
    reserves = (
        _path(WRESBAL_BN, wed_days)
        + (walcl - walcl_anchor)
        - (tga_wed - tga_anchor[wed_bd])
        - (rrp_wed - rrp_anchor)
        + _ar1(_rng(seed, "WRESBAL"), n_w, 0.6, 15.0)
    )
    weekly = {
        "WALCL": _mn(walcl),
        "TREAST": _mn(treast),
        "WTREGEN": tga_close[wed_bd],
        "WRESBAL": _mn(reserves),
    }

    # daily rates (per weekday; holidays blanked when written)
    def yield_noise(name: str, anchor: np.ndarray, sd: float) -> np.ndarray:
        scale = np.clip(anchor / 1.5, 0.12, 1.0)  # quieter near zero
        return _ar1(_rng(seed, name), n_days, 0.97, sd) * scale

    dgs2_a, dgs10_a, dgs30_a = (_path(t, days) for t in (DGS2_PCT, DGS10_PCT, DGS30_PCT))
    n10 = yield_noise("DGS10", dgs10_a, 0.10)
    dgs10 = dgs10_a + n10
    dgs2 = np.maximum(dgs2_a + yield_noise("DGS2", dgs2_a, 0.10), 0.05)
    dgs30 = dgs30_a + 0.8 * n10 + yield_noise("DGS30", dgs30_a, 0.05)
    tp = _path(THREEFYTP10_PCT, days) + 0.6 * n10 + _ar1(_rng(seed, "THREEFYTP10"), n_days, 0.97, 0.06)
    ig_a, hy_a = _path(IG_OAS_PCT, days), _path(HY_OAS_PCT, days)
    ig = np.maximum(ig_a * (1.0 + _ar1(_rng(seed, "BAMLC0A0CM"), n_days, 0.95, 0.03)), 0.3)
    hy = np.maximum(hy_a * (1.0 + _ar1(_rng(seed, "BAMLH0A0HYM2"), n_days, 0.95, 0.035)), 1.5)
    iorb = _steps(POLICY_RATES, days, 1)
    rng_sofr = _rng(seed, "SOFR")
    spread = _path(SOFR_SPREAD_PP, days) + _ar1(rng_sofr, n_days, 0.5, 0.015)
    scarce = days >= _d64(SOFR_ABOVE_IORB_FROM.isoformat())
    all_month_end, all_quarter_end = np.zeros(n_days, bool), np.zeros(n_days, bool)
    all_month_end[cal.bd], all_quarter_end[cal.bd] = month_end, quarter_end
    spread += scarce * (all_month_end * 0.02 + all_quarter_end * 0.04)
    spread = np.where(scarce, np.clip(spread, 0.0, 0.15), np.minimum(spread, -0.01))
    sofr = np.maximum(iorb + spread, 0.01)

    daily = {
        "DGS2": dgs2, "DGS10": dgs10, "DGS30": dgs30, "THREEFYTP10": tp,
        "BAMLC0A0CM": ig, "BAMLH0A0HYM2": hy, "SOFR": sofr, "IORB": iorb, "IOER": iorb,
    }

    # small value exercises: a few a year, a few $mn each
    rng_sv = _rng(seed, "NYFED_small_value")
    years = bdays.astype("datetime64[Y]").astype(np.int64) + 1970
    svx = []
    for year in range(FIRST_DATE.year, HORIZON_END.year + 1):
        idx = np.sort(rng_sv.choice(np.flatnonzero(years == year), RRP_SMALL_VALUE_PER_YEAR, replace=False))
        amounts = rng_sv.integers(1, 10, RRP_SMALL_VALUE_PER_YEAR) * 1_000_000
        cpty = rng_sv.integers(1, 4, RRP_SMALL_VALUE_PER_YEAR)
        svx.extend(zip(idx.tolist(), amounts.tolist(), cpty.tolist()))

    world = _World(cal, daily, weekly, tga_close, dep, wdr, rrp_mn, rrp_rate, debt, tuple(svx))
    for array in (tga_close, dep, wdr, rrp_mn, rrp_rate, *daily.values(), *weekly.values(), *debt.values()):
        array.flags.writeable = False  # the world is cached: nobody may change it
    return world


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


def write_fred_weekly(world: _World, out_dir: Path, series_id: str, end: dt.date) -> Path:
    """A weekly (Wednesday) FRED series: $mn integers, or $bn with 3 decimals for WTREGEN."""
    cal = world.cal
    values_mn = world.fred_weekly_mn[series_id]
    keep = cal.days[cal.wed] <= np.datetime64(end, "D")
    keep &= cal.days[cal.wed] >= np.datetime64(FIRST_DATE, "D")
    dates = [cal.iso[p] for p in cal.wed[keep]]
    fmt = _fmt_thousandths if series_id == "WTREGEN" else str
    values = [fmt(int(v)) for v in values_mn[keep]]
    return _write_fred_csv(out_dir / "fred" / f"{series_id}.csv", series_id, dates, values)


def write_fred_daily(world: _World, out_dir: Path, series_id: str, end: dt.date) -> Path:
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


def _written_bdays(world: _World, end: dt.date) -> np.ndarray:
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


def write_dts_operating_cash_balance(world: _World, out_dir: Path, end: dt.date) -> Path:
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


def write_dts_public_debt_transactions(world: _World, out_dir: Path, end: dt.date) -> Path:
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


def write_nyfed_reverse_repo(world: _World, out_dir: Path, end: dt.date, seed: int) -> Path:
    """NY Fed Markets API repo results: one ON RRP operation per business day (newest first),
    plus a few small value exercises (note "Small Value Exercise", operation number 2)."""
    cal = world.cal
    bdays = cal.days[cal.bd]
    n = len(bdays)
    rng = _rng(seed, "NYFED_details")
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
    world = _world(int(seed))
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
