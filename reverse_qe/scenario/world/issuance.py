"""The issuance world model: anchors + seed -> Treasury auctions, MSPD month ends and hyperscaler cash flows.

Numbers only, in the world's units (USD floats for auctions, $mn integers for the MSPD, $bn for
company flows); the writers in ``writers/`` lay them out as Fiscal Data, TreasuryDirect and SEC
files. Auction sizes follow the funding-flows gross-issuance anchors and the MSPD follows the
funding-flows world's DTS net issuance, so both families tell one story. Every value depends only
on the seed and its own date (each auction and each company has its own generator), never on
``last``, so a later run only adds records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..anchors.funding_flows import (
    BILLS_GROSS_WEEKLY_BN,
    BONDS_GROSS_MONTHLY_BN,
    DGS2_PCT,
    DGS10_PCT,
    DGS30_PCT,
    NOTES_GROSS_MONTHLY_BN,
    POLICY_RATES,
)
from ..anchors.issuance import (
    BILLS,
    BONDS,
    CAPEX_BN,
    COUPONS,
    EARLIER_BONDS,
    FIRST_DATE,
    HYPERSCALERS,
    MSPD_BASE_MN,
    MSPD_INTRAGOV_MN,
    NONMARKETABLE_INTRAGOV_GROWTH_MN_PER_DAY,
    NONMARKETABLE_INTRAGOV_MN,
    NONMARKETABLE_PUBLIC_MN,
    OPERATING_BN,
    REPAYMENTS_BN,
    SECURITIES_NET_BUY_BN,
    SECURITIES_SALES_BN,
    STRESS,
    TWENTY_YEAR_FROM,
    seed_bond_deals,
)
from ..calendar import business_days
from .funding_flows import funding_flows_world, horizon_calendar
from .primitives import interpolate, series_rng, stable_hash, step_values

__all__ = ["AuctionResult", "FiscalYearFlows", "MspdMonth", "auction_results", "hyperscaler_fiscal_years",
           "mspd_month_ends"]


# ------------------------------------------------------------------------------------------------
# Treasury auctions
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuctionResult:
    """One auction's result, amounts in USD."""

    day: dt.date
    issue: dt.date
    maturity: dt.date
    cusip: str
    sec_type: str  # "Bill", "Note", "Bond"
    term: str  # this security's remaining term ("9-Year 11-Month" for a reopening)
    original: str  # its original term
    reopening: bool
    bill: bool  # bills are priced by investment rate, coupons by yield
    offering: float
    tendered: float
    comp_accepted: float
    bid_to_cover: float
    yield_pct: float
    indirect_accepted: float
    direct_accepted: float
    dealer_accepted: float
    soma_accepted: float


def _next_business_day(day: dt.date, bdays: set[dt.date]) -> dt.date:
    while day not in bdays:
        day += dt.timedelta(days=1)
    return day


def _cusip(kind: str, first_issue: dt.date) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    n = stable_hash(kind, first_issue.isoformat())
    body = "".join(alphabet[(n >> (6 * i)) % len(alphabet)] for i in range(4))
    return ("912796" if kind.endswith("Week") else "91282C")[:5] + body


def _at(anchors, day: dt.date) -> float:
    return float(interpolate(anchors, np.array([np.datetime64(day, "D")]))[0])


def _auction(seed: int, series: str, sec_type: str, term: str, original: str, day: dt.date,
             issue: dt.date, maturity: dt.date, cusip: str, offering_bn: float, base_btc: float,
             reopening: bool, yield_pct: float, bill: bool) -> AuctionResult:
    """One auction: demand weakens with the stress anchor (lower bid-to-cover, more left with
    dealers, fewer indirect bidders); the Fed takes more at auction during 2020-22 QE."""
    rng = np.random.default_rng(stable_hash(seed, series, day.isoformat()))
    stress = _at(STRESS, day)
    btc = max(1.6, base_btc - 0.35 * stress + rng.normal(0.0, 0.07))
    dealer = min(0.6, max(0.03, 0.16 + 0.10 * stress + rng.normal(0.0, 0.025)))
    indirect = min(0.85, max(0.2, 0.64 - 0.10 * stress + rng.normal(0.0, 0.025)))
    offering = offering_bn * 1e9
    comp = round(offering * 0.985, -5)
    soma = round(offering * (0.25 if dt.date(2020, 3, 15) <= day <= dt.date(2022, 5, 31) else 0.08), -5)
    indirect_accepted = round(comp * indirect, -5)
    dealer_accepted = round(comp * dealer, -5)
    return AuctionResult(
        day=day, issue=issue, maturity=maturity, cusip=cusip, sec_type=sec_type, term=term,
        original=original, reopening=reopening, bill=bill, offering=offering, tendered=btc * offering,
        comp_accepted=comp, bid_to_cover=btc, yield_pct=yield_pct, indirect_accepted=indirect_accepted,
        direct_accepted=comp - indirect_accepted - dealer_accepted, dealer_accepted=dealer_accepted,
        soma_accepted=soma,
    )


def _add_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def auction_results(seed: int, last: dt.date) -> list[AuctionResult]:
    """Every auction held from 2018 to ``last``, by date, type and term (each one's values depend
    only on its date)."""
    bdays = set(business_days(FIRST_DATE, last + dt.timedelta(days=40)))
    out: list[AuctionResult] = []
    policy = lambda d: float(step_values(POLICY_RATES, np.array([np.datetime64(d, "D")]), 1)[0])  # noqa: E731
    # bills, weekly
    monday = FIRST_DATE - dt.timedelta(days=FIRST_DATE.weekday())
    week = 0
    while monday <= last:
        weekly_gross = _at(BILLS_GROSS_WEEKLY_BN, monday)
        for term, weekday, weeks, share, btc, every in BILLS:
            if week % every:
                continue
            day = _next_business_day(monday + dt.timedelta(days=weekday), bdays)
            if day > last or day < FIRST_DATE:
                continue
            issue = _next_business_day(day + dt.timedelta(days=3), bdays)
            maturity = issue + dt.timedelta(weeks=weeks)
            rate = max(0.01, policy(day) - 0.05)
            out.append(_auction(seed, term, "Bill", term, term, day, issue, maturity,
                                _cusip(term, issue), weekly_gross * share, btc, False, rate, True))
        monday += dt.timedelta(days=7)
        week += 1
    # coupons, monthly
    month = dt.date(FIRST_DATE.year, FIRST_DATE.month, 1)
    while month <= last:
        notes = _at(NOTES_GROSS_MONTHLY_BN, month)
        bonds = _at(BONDS_GROSS_MONTHLY_BN, month)
        for table, gross in ((COUPONS, notes), (BONDS, bonds)):
            for original, sec_type, dom, share, btc, new_months, reopen_terms in table:
                if original == "20-Year" and month < TWENTY_YEAR_FROM:
                    continue
                day = _next_business_day(month.replace(day=dom), bdays)
                if day > last:
                    continue
                years = int(original.split("-")[0])
                if new_months:
                    lag = (month.month - new_months[0]) % 3
                    new_month = _add_months(month, -lag)
                    term = original if lag == 0 else reopen_terms[lag - 1]
                else:
                    lag, new_month, term = 0, month, original
                first_issue = new_month.replace(day=15)
                maturity = _add_years(first_issue, years)
                issue = _next_business_day(day + dt.timedelta(days=5), bdays)
                curve = DGS2_PCT if years <= 3 else DGS10_PCT if years <= 10 else DGS30_PCT
                out.append(_auction(seed, original, sec_type, term, original, day, issue, maturity,
                                    _cusip(original, first_issue), gross * share * (0.85 if lag else 1.0),
                                    btc, lag > 0, _at(curve, day), False))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    out.sort(key=lambda a: (a.day, a.sec_type, a.term))
    return out


# ------------------------------------------------------------------------------------------------
# MSPD: debt outstanding at month ends
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MspdMonth:
    """Debt outstanding at one month end, $mn."""

    month_end: dt.date
    marketable_public_mn: dict[str, int]  # per marketable class, in MSPD_BASE_MN's order
    marketable_intragov_mn: dict[str, int]
    nonmarketable_public_mn: int
    nonmarketable_intragov_mn: int


def mspd_month_ends(seed: int, last: dt.date) -> list[MspdMonth]:
    """Month-end debt held by the public: a base plus the cumulative DTS marketable net issuance of
    the funding-flows world, for every month end from ``FIRST_DATE`` to ``last``."""
    world = funding_flows_world(seed)
    cal = horizon_calendar()
    bdays = cal.days[cal.bd]
    debt = world.debt_mn
    nets = {
        "Bills": debt["bills_iss"] + debt["cmb_iss"] - debt["bills_red"],
        "Notes": debt["notes_iss"] - debt["notes_red"],
        "Bonds": debt["bonds_iss"] - debt["bonds_red"],
        "Treasury Inflation-Protected Securities": debt["tips_inc"],
        "Floating Rate Notes": np.zeros(len(bdays), dtype=np.int64),
    }
    cums = {k: np.cumsum(v) for k, v in nets.items()}
    months = bdays.astype("datetime64[M]")
    ends = np.flatnonzero(np.append(months[1:] != months[:-1], True))
    out = []
    for i in ends:
        day = bdays[i].item()
        month_end = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        if month_end < FIRST_DATE or month_end > last:
            continue
        out.append(MspdMonth(
            month_end=month_end,
            marketable_public_mn={klass: base + int(cums[klass][i]) for klass, base in MSPD_BASE_MN.items()},
            marketable_intragov_mn={klass: MSPD_INTRAGOV_MN[klass] for klass in MSPD_BASE_MN},
            nonmarketable_public_mn=NONMARKETABLE_PUBLIC_MN,
            nonmarketable_intragov_mn=NONMARKETABLE_INTRAGOV_MN
            + NONMARKETABLE_INTRAGOV_GROWTH_MN_PER_DAY * (month_end - FIRST_DATE).days,
        ))
    return out


# ------------------------------------------------------------------------------------------------
# Hyperscalers: quarterly cash flows and filing dates
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiscalYearFlows:
    """One company's fiscal year: its quarters' cash flows per us-gaap tag ($bn, rounded to 3
    places) and the date each quarter's 10-Q (or, for the fourth, the 10-K) is filed."""

    label: int  # the fiscal year, named by the calendar year it ends in
    start: dt.date
    quarter_ends: list[dt.date]
    flows: dict[str, list[float]]  # tag -> the four quarters' flows
    filed: list[dt.date]  # per quarter


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year, month, 1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _fiscal_years(fy_end_month: int) -> list[tuple[int, dt.date, list[dt.date]]]:
    """(fiscal year label, start, [the four quarter ends]) for fiscal years ending 2017..2028."""
    years = []
    for label in range(2017, 2029):
        start = _add_months(dt.date(label, fy_end_month, 1), -11)
        quarters = []
        for k in (3, 6, 9, 12):
            month0 = start.month - 1 + k - 1
            quarters.append(_month_end(start.year + month0 // 12, month0 % 12 + 1))
        years.append((label, start, quarters))
    return years


def _filing_date(ticker: str, q_end: dt.date, annual: bool) -> dt.date:
    """A 10-Q 35-44 days after the quarter, a 10-K 30-39 days after the year (stable per quarter)."""
    return q_end + dt.timedelta(days=(30 if annual else 35) + stable_hash(ticker, q_end) % 10)


def hyperscaler_fiscal_years(seed: int, ticker: str) -> list[FiscalYearFlows]:
    """The company's fiscal years ending 2017..2028: capex along its anchor, operating cash flow,
    bond proceeds on the deal dates, repayments, and securities sold and bought (net selling later)."""
    _cik, fy_end, capex_tag, (sales_tag, purchases_tag) = HYPERSCALERS[ticker]
    rng = series_rng(seed, f"SEC_{ticker}")
    bonds = [*EARLIER_BONDS[ticker], *seed_bond_deals().get(ticker, [])]
    history: list[FiscalYearFlows] = []
    for label, start, quarter_ends in _fiscal_years(fy_end):
        flows: dict[str, list[float]] = {}
        previous_end = start - dt.timedelta(days=1)
        for q_end in quarter_ends:
            noise = float(rng.lognormal(0.0, 0.05))
            sales = SECURITIES_SALES_BN[ticker] * float(rng.lognormal(0.0, 0.1))
            borrowed = sum(a for d, a in bonds if previous_end < dt.date.fromisoformat(d) <= q_end)
            values = {
                capex_tag: _at(CAPEX_BN[ticker], q_end) * noise,
                "NetCashProvidedByUsedInOperatingActivities": _at(OPERATING_BN[ticker], q_end) * float(rng.lognormal(0.0, 0.08)),
                "ProceedsFromIssuanceOfLongTermDebt": borrowed,
                "RepaymentsOfLongTermDebt": REPAYMENTS_BN[ticker] * float(rng.lognormal(0.0, 0.2)),
                sales_tag: sales,
                purchases_tag: max(0.0, sales + _at(SECURITIES_NET_BUY_BN[ticker], q_end)),
            }
            for tag, value in values.items():
                flows.setdefault(tag, []).append(round(value, 3))
            previous_end = q_end
        filed = [_filing_date(ticker, q_end, n == 4) for n, q_end in enumerate(quarter_ends, start=1)]
        history.append(FiscalYearFlows(label, start, quarter_ends, flows, filed))
    return history
