"""SYNTHETIC issuance scenario, written in the sources' official formats (README, "The scenario is synthetic").

Nothing here is real data (the late-2025 bond deals are taken from the ``hyperscaler_financings``
seed, whose rows are public facts, so the synthetic filings contain them). Like the funding-flows
generator, every value is a function of the seed and its date only, never of ``end``.

Files written under ``out_dir``:

- ``fiscal_data/auctions_query_p0001.json``: Fiscal Data auctions_query API page(s)
- ``treasurydirect/auctioned.json``: TreasuryDirect JSON, auctions of the last 60 days before end
- ``fiscal_data/mspd_table_1_p0001.json``: MSPD table 1 API page(s), month ends
- ``sec/CIK##########.json``: companyfacts per hyperscaler (10-Q YTD and 10-K FY cash-flow facts)

The story: Treasury auction sizes follow the gross supply of the funding-flows world (a 2020 surge,
more bills as the reverse repo drains); auction stress (lower bid-to-cover, more left with dealers,
fewer indirect bidders) builds from 2025; hyperscaler capex ramps through 2024–2026 and is funded
increasingly by bonds and by selling securities in late 2025.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np

from .anchors.funding_flows import (
    BILLS_GROSS_WEEKLY_BN,
    BONDS_GROSS_MONTHLY_BN,
    DGS2_PCT,
    DGS10_PCT,
    DGS30_PCT,
    NOTES_GROSS_MONTHLY_BN,
    POLICY_RATES,
)
from .anchors.issuance import (
    BILLS,
    BONDS,
    CAPEX_BN,
    COUPONS,
    EARLIER_BONDS,
    FIRST_DATE,
    HYPERSCALERS,
    MSPD_BASE_MN,
    MSPD_INTRAGOV_MN,
    NAMES,
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
from .calendar import business_days
from .world.funding_flows import funding_flows_world, horizon_calendar
from .world.primitives import interpolate, series_rng, step_values

__all__ = ["generate_issuance"]

TREASURYDIRECT_DAYS = 60


def _digest(*parts) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def _next_business_day(day: dt.date, bdays: set[dt.date]) -> dt.date:
    while day not in bdays:
        day += dt.timedelta(days=1)
    return day


def _cusip(kind: str, first_issue: dt.date) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    n = _digest(kind, first_issue.isoformat())
    body = "".join(alphabet[(n >> (6 * i)) % len(alphabet)] for i in range(4))
    return ("912796" if kind.endswith("Week") else "91282C")[:5] + body


def _at(anchors, day: dt.date) -> float:
    return float(interpolate(anchors, np.array([np.datetime64(day, "D")]))[0])


def _fmt(value: float | None, places: int = 0) -> str:
    if value is None:
        return "null"
    return f"{value:.{places}f}" if places else str(int(round(value)))


def _auction(seed: int, series: str, sec_type: str, term: str, original: str, day: dt.date,
             issue: dt.date, maturity: dt.date, cusip: str, offering_bn: float, base_btc: float,
             reopening: bool, yield_pct: float, bill: bool) -> dict:
    rng = np.random.default_rng(_digest(seed, series, day.isoformat()))
    stress = _at(STRESS, day)
    btc = max(1.6, base_btc - 0.35 * stress + rng.normal(0.0, 0.07))
    dealer = min(0.6, max(0.03, 0.16 + 0.10 * stress + rng.normal(0.0, 0.025)))
    indirect = min(0.85, max(0.2, 0.64 - 0.10 * stress + rng.normal(0.0, 0.025)))
    offering = offering_bn * 1e9
    comp = round(offering * 0.985, -5)
    soma = round(offering * (0.25 if dt.date(2020, 3, 15) <= day <= dt.date(2022, 5, 31) else 0.08), -5)
    return {
        "record_date": day.isoformat(), "cusip": cusip, "security_type": sec_type,
        "security_term": term, "original_security_term": original,
        "auction_date": day.isoformat(), "issue_date": issue.isoformat(),
        "maturity_date": maturity.isoformat(), "reopening": "Yes" if reopening else "No",
        "inflation_index_security": "No", "floating_rate": "No", "cash_management_bill_cmb": "No",
        "offering_amt": _fmt(offering), "total_tendered": _fmt(btc * offering),
        "total_accepted": _fmt(offering), "comp_accepted": _fmt(comp),
        "bid_to_cover_ratio": _fmt(btc, 6), "high_yield": "null" if bill else _fmt(yield_pct, 3),
        "high_investment_rate": _fmt(yield_pct, 3) if bill else "null",
        "indirect_bidder_accepted": _fmt(round(comp * indirect, -5)),
        "direct_bidder_accepted": _fmt(comp - round(comp * indirect, -5) - round(comp * dealer, -5)),
        "primary_dealer_accepted": _fmt(round(comp * dealer, -5)), "soma_accepted": _fmt(soma),
    }


def _add_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def build_auctions(seed: int, last: dt.date) -> list[dict]:
    """Every auction held from 2018 to ``last`` (each one's values depend only on its date)."""
    bdays = set(business_days(FIRST_DATE, last + dt.timedelta(days=40)))
    out: list[dict] = []
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
    out.sort(key=lambda r: (r["auction_date"], r["security_type"], r["security_term"]))
    return out


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


def _fiscal_data_page(records: list[dict]) -> str:
    return json.dumps({"data": records, "meta": {"count": len(records), "total-count": len(records),
                                                 "total-pages": 1}, "links": {"next": None}},
                      separators=(",", ":"))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------
# MSPD
# ------------------------------------------------------------------------------------------------


def build_mspd(seed: int, last: dt.date) -> list[dict]:
    """Month-end debt held by the public: a base plus the cumulative DTS marketable net issuance."""
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
    records = []
    for i in ends:
        day = bdays[i].item()
        month_end = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        if month_end < FIRST_DATE or month_end > last:
            continue
        total_public = 0
        for line, (klass, base) in enumerate(MSPD_BASE_MN.items(), start=1):
            public = base + int(cums[klass][i])
            total_public += public
            records.append(_mspd_row(month_end, "Marketable", klass, public, MSPD_INTRAGOV_MN[klass], line))
        records.append(_mspd_row(month_end, "Marketable", "Federal Financing Bank", 0, 0, 6))
        records.append(_mspd_row(month_end, "Marketable", "Total Marketable", total_public, 6500, 7))
        intragov = NONMARKETABLE_INTRAGOV_MN + NONMARKETABLE_INTRAGOV_GROWTH_MN_PER_DAY * (month_end - FIRST_DATE).days
        records.append(_mspd_row(month_end, "Nonmarketable", "Total Nonmarketable", NONMARKETABLE_PUBLIC_MN, intragov, 8))
        records.append(_mspd_row(month_end, "Total Public Debt Outstanding", None, total_public + NONMARKETABLE_PUBLIC_MN,
                                 intragov + 6500, 9))
    return records


def _mspd_row(day: dt.date, kind: str, klass: str | None, public_mn: int, intragov_mn: int, line: int) -> dict:
    return {"record_date": day.isoformat(), "security_type_desc": kind,
            "security_class_desc": klass if klass is not None else "null",
            "debt_held_public_mil_amt": f"{public_mn}.0", "intragov_hold_mil_amt": f"{intragov_mn}.0",
            "total_mil_amt": f"{public_mn + intragov_mn}.0", "src_line_nbr": str(line)}


# ------------------------------------------------------------------------------------------------
# SEC companyfacts
# ------------------------------------------------------------------------------------------------

def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


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


def build_companyfacts(seed: int, ticker: str, last: dt.date) -> dict:
    """One company's companyfacts document with every filing made up to ``last``."""
    cik, fy_end, capex_tag, (sales_tag, purchases_tag) = HYPERSCALERS[ticker]
    rng = series_rng(seed, f"SEC_{ticker}")
    bonds = [*EARLIER_BONDS[ticker], *seed_bond_deals().get(ticker, [])]
    facts: dict[str, list[dict]] = {}
    history: list[tuple[int, dt.date, list[dt.date], dict[str, list[float]]]] = []
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
        history.append((label, start, quarter_ends, flows))
    for index, (label, start, quarter_ends, flows) in enumerate(history):
        for n, q_end in enumerate(quarter_ends, start=1):
            annual = n == 4
            filed = q_end + dt.timedelta(days=(30 if annual else 35) + _digest(ticker, q_end) % 10)
            if filed > last or filed < FIRST_DATE:
                continue
            accn = f"{cik:010d}-{filed.year % 100:02d}-{_digest(ticker, filed) % 900000 + 1000:06d}"
            form, fp = ("10-K", "FY") if annual else ("10-Q", f"Q{n}")
            periods = [(start, q_end, flows)]  # this year, then comparatives
            for back in (1, 2) if annual else (1,):
                if index - back >= 0:
                    _, p_start, p_ends, p_flows = history[index - back]
                    periods.append((p_start, p_ends[n - 1], p_flows))
            for p_start, p_end, p_flows in periods:
                for tag, quarterly in p_flows.items():
                    ytd = round(sum(quarterly[:n]), 3)
                    if ytd == 0:
                        continue  # nothing borrowed (or repaid) so far this year: no fact
                    facts.setdefault(tag, []).append({
                        "start": p_start.isoformat(), "end": p_end.isoformat(),
                        "val": int(round(ytd * 1e9)), "accn": accn, "fy": label, "fp": fp,
                        "form": form, "filed": filed.isoformat(),
                    })
    gaap = {tag: {"label": tag, "description": "SYNTHETIC scenario fact.", "units": {"USD": rows}}
            for tag, rows in sorted(facts.items())}
    return {"cik": cik, "entityName": NAMES[ticker], "facts": {"us-gaap": gaap}}


def generate_issuance(out_dir: Path, *, end: dt.date, seed: int = 20180101) -> list[Path]:
    """Write the SYNTHETIC issuance family up to ``end`` (inclusive); return the paths written."""
    if isinstance(end, dt.datetime):
        end = end.date()
    out_dir = Path(out_dir)
    auctions = build_auctions(int(seed), end)
    paths = [_write(out_dir / "fiscal_data" / "auctions_query_p0001.json", _fiscal_data_page(auctions))]
    recent = [_treasurydirect_record(r) for r in auctions
              if r["auction_date"] > (end - dt.timedelta(days=TREASURYDIRECT_DAYS)).isoformat()]
    paths.append(_write(out_dir / "treasurydirect" / "auctioned.json",
                        json.dumps(recent[::-1], separators=(",", ":"))))
    paths.append(_write(out_dir / "fiscal_data" / "mspd_table_1_p0001.json",
                        _fiscal_data_page(build_mspd(int(seed), end))))
    for ticker, (cik, *_rest) in HYPERSCALERS.items():
        document = build_companyfacts(int(seed), ticker, end)
        paths.append(_write(out_dir / "sec" / f"CIK{cik:010d}.json", json.dumps(document, separators=(",", ":"))))
    return paths
