"""The funding-flows world model: anchors + seed -> every daily and weekly series over the horizon.

Built once per seed over the fixed horizon (``HORIZON_START``..``HORIZON_END`` of
``anchors/funding_flows.py``) and cached: the Fed's balance sheet (weekly H.4.1 series), the TGA and
its flows, ON RRP take-up and operations, DTS Table IIIA debt flows, and daily rates and spreads.
Every date's value depends only on the seed, never on how far the files are written, and each
series draws its noise from its own generator (``series_rng(seed, name)``), so adding a series never
changes another one. Values are numbers in the world's units ($mn integers, percent floats);
the writers in ``writers/`` turn them into files.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..anchors.funding_flows import (
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
    TGA_BN,
    TGA_TAX_BUMPS,
    THREEFYTP10_PCT,
    TIPS_INCREMENT_DAILY_MN,
    TREAST_BN,
    WALCL_BN,
    WRESBAL_BN,
)
from ..calendar import business_days, us_federal_holidays, weekdays
from .primitives import ar1_noise, bn_to_mn, interpolate, iso_day, series_rng, step_values

__all__ = ["FundingFlowsWorld", "HorizonCalendar", "funding_flows_world", "horizon_calendar"]


@dataclass(frozen=True)
class HorizonCalendar:
    days: np.ndarray  # datetime64[D]: every weekday of the horizon
    iso: list[str]
    is_bd: np.ndarray  # bool per weekday
    bd: np.ndarray  # positions (in days) of the business days
    last_bd: np.ndarray  # per weekday: position of itself if a business day, else the previous one
    wed: np.ndarray  # positions of the Wednesdays
    bd_next: list[dt.date]  # per business day: the next business day


@lru_cache(maxsize=1)
def horizon_calendar() -> HorizonCalendar:
    """The weekdays, business days and Wednesdays of the horizon (cached)."""
    wk = weekdays(HORIZON_START, HORIZON_END)
    holidays = us_federal_holidays(HORIZON_START, HORIZON_END)
    days = np.array(wk, dtype="datetime64[D]")
    is_bd = np.array([d not in holidays for d in wk])
    pos = np.arange(len(wk))
    bd = pos[is_bd]
    last_bd = np.maximum.accumulate(np.where(is_bd, pos, 0))
    wed = pos[np.array([d.weekday() == 2 for d in wk])]
    bds = business_days(HORIZON_START, HORIZON_END + dt.timedelta(days=14))
    return HorizonCalendar(days, list(np.datetime_as_string(days)), is_bd, bd, last_bd, wed, bds[1:])


@dataclass(frozen=True)
class FundingFlowsWorld:
    cal: HorizonCalendar
    fred_daily: dict[str, np.ndarray]  # per weekday, % (holidays are blanked when written)
    fred_weekly_mn: dict[str, np.ndarray]  # per Wednesday, $mn
    tga_close_mn: np.ndarray  # per business day
    tga_dep_mn: np.ndarray
    tga_wdr_mn: np.ndarray
    rrp_mn: np.ndarray  # per business day, ON RRP accepted in $mn
    rrp_rate: np.ndarray  # per business day, %
    debt_mn: dict[str, np.ndarray]  # per business day, Table IIIA flows
    svx: tuple  # small value exercises: (business-day index, amount USD, counterparties)
    rrp_cpty: tuple  # per business day, counterparties accepted at the ON RRP (0 when nothing taken)
    rrp_update_second: np.ndarray  # per business day, seconds after 13:15 the results were last updated


def _quarter_end_flags(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a sorted array of business days: (last of its month, last of its quarter)."""
    months = dates.astype("datetime64[M]").astype(np.int64)
    month_end = np.append(months[1:] != months[:-1], True)
    quarter_end = month_end & (months % 3 == 2)
    return month_end, quarter_end


def _rrp_bn(seed: int, bdays: np.ndarray, quarter_end: np.ndarray, month_end: np.ndarray) -> np.ndarray:
    """ON RRP take-up, $bn per business day."""
    n = len(bdays)
    rng = series_rng(seed, "RRPONTSYD")
    # before the ramp: a few $bn or nothing, more at quarter ends
    early = np.where(rng.random(n) < 0.45, 0.0, rng.lognormal(math.log(1.5), 1.0, n))
    early = early + quarter_end * rng.uniform(10.0, 40.0, n)
    # the ramp, plateau and drain: anchors with a few per cent of persistent noise
    anchored = interpolate(RRP_BN, bdays) * np.exp(ar1_noise(rng, n, 0.9, 0.03))
    anchored *= 1.0 + quarter_end * rng.uniform(0.03, 0.10, n) + (month_end & ~quarter_end) * 0.02
    # an empty pool: between $1bn and $29bn (a logistic of persistent noise), quarter-end spikes
    empty = 1.0 + 28.0 / (1.0 + np.exp(0.75 - ar1_noise(rng, n, 0.8, 0.8)))
    empty = empty + quarter_end * rng.uniform(40.0, 110.0, n)
    out = np.where(bdays < iso_day(RRP_RAMP_FROM.isoformat()), early, anchored)
    return np.where(bdays >= iso_day(RRP_EMPTY_FROM.isoformat()), empty, out)


def _tga_bn(seed: int, bdays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TGA closing balance per business day, $bn, and its anchor path (no bumps, no noise)."""
    anchor = interpolate(TGA_BN, bdays)
    bumps = np.zeros(len(bdays))
    for year in range(HORIZON_START.year, HORIZON_END.year + 1):
        for month, day, share, decay in TGA_TAX_BUMPS:
            i = int(np.searchsorted(bdays, np.datetime64(dt.date(year, month, day), "D")))
            if i >= len(bdays):
                continue
            j = min(i + decay, len(bdays))
            bumps[i:j] += share * anchor[i] * (1.0 - np.arange(j - i) / decay)
    noise = ar1_noise(series_rng(seed, "TGA"), len(bdays), 0.9, 0.03)
    return np.maximum((anchor + bumps) * (1.0 + noise), 20.0), anchor


def _settlement_days(cal: HorizonCalendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _public_debt_mn(seed: int, cal: HorizonCalendar) -> dict[str, np.ndarray]:
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

    rng = series_rng(seed, "DTS_marketable")
    bills = interpolate(BILLS_GROSS_WEEKLY_BN, bdays) * bill_share * rng.lognormal(0.0, 0.06, n)
    notes = interpolate(NOTES_GROSS_MONTHLY_BN, bdays) * notes_share * rng.lognormal(0.0, 0.08, n)
    bonds = interpolate(BONDS_GROSS_MONTHLY_BN, bdays) * bonds_share * rng.lognormal(0.0, 0.08, n)
    tips = interpolate(TIPS_INCREMENT_DAILY_MN, bdays) / 1000.0 * rng.lognormal(0.0, 0.4, n)

    # cash management bills: issued on a bill day, redeemed 5-9 weeks later
    cmb_iss = np.zeros(n)
    cmb_red = np.zeros(n)
    rng_cmb = series_rng(seed, "DTS_cmb")
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
    rng_nm = series_rng(seed, "DTS_nonmarketable")
    month_start = np.append(True, months0[1:] != months0[:-1])
    gas_iss = interpolate(GAS_GROSS_DAILY_MN, bdays) * rng_nm.lognormal(0.0, 0.12, n)
    gas_red = np.maximum(gas_iss - rng_nm.normal(500.0, 15_000.0, n), 0.0)
    slgs = interpolate(SLGS_DAILY_MN, bdays)
    other = interpolate(OTHER_NONMARKETABLE_DAILY_MN, bdays) * rng_nm.lognormal(0.0, 0.2, n)
    flows = {
        "bills_iss": bn_to_mn(bills),
        "cmb_iss": bn_to_mn(cmb_iss),
        "notes_iss": bn_to_mn(notes),
        "bonds_iss": bn_to_mn(bonds),
        "tips_inc": bn_to_mn(tips),
        "bills_red": bn_to_mn(bills_red),
        "notes_red": bn_to_mn(notes_red),
        "bonds_red": bn_to_mn(bonds_red),
        "ss_cash": np.rint(interpolate(SAVINGS_CASH_DAILY_MN, bdays) * rng_nm.lognormal(-0.1, 0.5, n)),
        "ss_int": np.rint(rng_nm.lognormal(math.log(4.0), 0.6, n) + month_start * rng_nm.uniform(250, 450, n)),
        "ss_red": np.rint(interpolate(SAVINGS_REDEMPTION_DAILY_MN, bdays) * rng_nm.lognormal(-0.1, 0.4, n)),
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
    rng = series_rng(seed, "TGA_flows")
    tax_day = np.zeros(n, dtype=bool)
    for year in range(HORIZON_START.year, HORIZON_END.year + 1):
        for month, day, _, _ in TGA_TAX_BUMPS:
            i = int(np.searchsorted(bdays, np.datetime64(dt.date(year, month, day), "D")))
            if i < n:
                tax_day[i] = True
    receipts = bn_to_mn(interpolate(OTHER_RECEIPTS_DAILY_BN, bdays) * rng.lognormal(0.0, 0.25, n) * (1 + 3 * tax_day))
    issues = debt["bills_iss"] + debt["cmb_iss"] + debt["notes_iss"] + debt["bonds_iss"]
    redemptions = debt["bills_red"] + debt["notes_red"] + debt["bonds_red"]
    delta = np.diff(close_mn, prepend=opening0_mn)
    deposits = issues + receipts
    withdrawals = deposits - delta
    floor = bn_to_mn(MIN_SPENDING_DAILY_BN * rng.lognormal(0.0, 0.2, n))
    top_up = np.maximum(floor - (withdrawals - redemptions), 0)
    return deposits + top_up, withdrawals + top_up


def _rrp_operation_details(seed: int, rrp_mn: np.ndarray) -> tuple[tuple, np.ndarray]:
    """Per business day: ON RRP counterparties (more as take-up grows, with some jitter) and the
    second the results were last updated."""
    n = len(rrp_mn)
    rng = series_rng(seed, "NYFED_details")
    seconds = rng.integers(0, 120, n)
    jitter = rng.uniform(0.9, 1.1, n)
    cpty = []
    for i in range(n):
        accepted_bn = rrp_mn[i] / 1000.0
        cpty.append(0 if accepted_bn == 0 else max(1, round((2 + 105 * (accepted_bn / 2550.0) ** 0.6) * jitter[i])))
    return tuple(cpty), seconds


def _week_average_mn(cal: HorizonCalendar, per_bd_mn: np.ndarray) -> np.ndarray:
    """Per Wednesday, the mean over its H.4.1 week's seven calendar days (Thursday..Wednesday) of a
    per-business-day series, each day at the last business day up to it (the weekend at the Friday),
    in whole $mn: how the H.4.1 reports the TGA (the real WTREGEN equals this mean of the DTS closes
    to the $mn in every week of 2021-06..2023-12)."""
    bd_index_of_pos = np.cumsum(cal.is_bd) - 1
    # weekday positions of Thu, Fri (three times: Fri, Sat, Sun), Mon, Tue and Wed of each week
    offsets = np.array([4, 3, 3, 3, 2, 1, 0])
    positions = np.maximum(cal.wed[:, None] - offsets[None, :], 0)
    values = per_bd_mn[bd_index_of_pos[cal.last_bd[positions]]]
    return np.rint(values.mean(axis=1)).astype(np.int64)


@lru_cache(maxsize=4)
def funding_flows_world(seed: int) -> FundingFlowsWorld:
    """Every funding-flows series over the whole horizon for ``seed`` (cached, read-only arrays)."""
    cal = horizon_calendar()
    days = cal.days
    bdays = days[cal.bd]
    n_days = len(days)
    wed_days = days[cal.wed]
    month_end, quarter_end = _quarter_end_flags(bdays)

    # Treasury cash
    tga_bn, tga_anchor = _tga_bn(seed, bdays)
    tga_close = bn_to_mn(tga_bn)
    debt = _public_debt_mn(seed, cal)
    tga_open0 = int(tga_close[0])  # the day before the horizon: taken as flat
    dep, wdr = _tga_flows_mn(seed, bdays, tga_close, debt, tga_open0)

    # ON RRP
    rrp_mn = bn_to_mn(_rrp_bn(seed, bdays, quarter_end, month_end))
    rrp_rate = step_values(POLICY_RATES, bdays, 2)

    # weekly H.4.1 series ($bn -> $mn); a holiday Wednesday takes the previous business day
    bd_index_of_pos = np.cumsum(cal.is_bd) - 1  # business-day index of each weekday's last_bd
    wed_bd = bd_index_of_pos[cal.last_bd[cal.wed]]
    n_w = len(wed_days)
    walcl_anchor = interpolate(WALCL_BN, wed_days)
    walcl = walcl_anchor + ar1_noise(series_rng(seed, "WALCL"), n_w, 0.7, 8.0)
    treast = interpolate(TREAST_BN, wed_days) + ar1_noise(series_rng(seed, "TREAST"), n_w, 0.7, 3.0)
    tga_wed = tga_close[wed_bd] / 1000.0
    rrp_wed = rrp_mn[wed_bd] / 1000.0
    rrp_anchor = np.where(wed_days >= iso_day(RRP_RAMP_FROM.isoformat()), interpolate(RRP_BN, wed_days), rrp_wed)
    rrp_anchor = np.where(wed_days >= iso_day(RRP_EMPTY_FROM.isoformat()), 10.0, rrp_anchor)
    reserves = (
        interpolate(WRESBAL_BN, wed_days)
        + (walcl - walcl_anchor)
        - (tga_wed - tga_anchor[wed_bd])
        - (rrp_wed - rrp_anchor)
        + ar1_noise(series_rng(seed, "WRESBAL"), n_w, 0.6, 15.0)
    )
    weekly = {
        "WALCL": bn_to_mn(walcl),
        "TREAST": bn_to_mn(treast),
        "WTREGEN": _week_average_mn(cal, tga_close),
        "WRESBAL": bn_to_mn(reserves),
    }

    # daily rates (per weekday; holidays blanked when written)
    def yield_noise(name: str, anchor: np.ndarray, sd: float) -> np.ndarray:
        scale = np.clip(anchor / 1.5, 0.12, 1.0)  # quieter near zero
        return ar1_noise(series_rng(seed, name), n_days, 0.97, sd) * scale

    dgs2_a, dgs10_a, dgs30_a = (interpolate(t, days) for t in (DGS2_PCT, DGS10_PCT, DGS30_PCT))
    n10 = yield_noise("DGS10", dgs10_a, 0.10)
    dgs10 = dgs10_a + n10
    dgs2 = np.maximum(dgs2_a + yield_noise("DGS2", dgs2_a, 0.10), 0.05)
    dgs30 = dgs30_a + 0.8 * n10 + yield_noise("DGS30", dgs30_a, 0.05)
    tp = interpolate(THREEFYTP10_PCT, days) + 0.6 * n10 + ar1_noise(series_rng(seed, "THREEFYTP10"), n_days, 0.97, 0.06)
    ig_a, hy_a = interpolate(IG_OAS_PCT, days), interpolate(HY_OAS_PCT, days)
    ig = np.maximum(ig_a * (1.0 + ar1_noise(series_rng(seed, "BAMLC0A0CM"), n_days, 0.95, 0.03)), 0.3)
    hy = np.maximum(hy_a * (1.0 + ar1_noise(series_rng(seed, "BAMLH0A0HYM2"), n_days, 0.95, 0.035)), 1.5)
    iorb = step_values(POLICY_RATES, days, 1)
    rng_sofr = series_rng(seed, "SOFR")
    spread = interpolate(SOFR_SPREAD_PP, days) + ar1_noise(rng_sofr, n_days, 0.5, 0.015)
    scarce = days >= iso_day(SOFR_ABOVE_IORB_FROM.isoformat())
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
    rng_sv = series_rng(seed, "NYFED_small_value")
    years = bdays.astype("datetime64[Y]").astype(np.int64) + 1970
    svx = []
    for year in range(FIRST_DATE.year, HORIZON_END.year + 1):
        idx = np.sort(rng_sv.choice(np.flatnonzero(years == year), RRP_SMALL_VALUE_PER_YEAR, replace=False))
        amounts = rng_sv.integers(1, 10, RRP_SMALL_VALUE_PER_YEAR) * 1_000_000
        cpty = rng_sv.integers(1, 4, RRP_SMALL_VALUE_PER_YEAR)
        svx.extend(zip(idx.tolist(), amounts.tolist(), cpty.tolist()))

    rrp_cpty, rrp_second = _rrp_operation_details(seed, rrp_mn)

    world = FundingFlowsWorld(cal, daily, weekly, tga_close, dep, wdr, rrp_mn, rrp_rate, debt, tuple(svx),
                              rrp_cpty, rrp_second)
    for array in (tga_close, dep, wdr, rrp_mn, rrp_rate, rrp_second, *daily.values(), *weekly.values(),
                  *debt.values()):
        array.flags.writeable = False  # the world is cached: nobody may change it
    return world
