"""Anchor tables of the SYNTHETIC issuance world: auction calendar, hyperscaler cash flows, MSPD levels; data only.

The auction sizes themselves follow the gross-issuance anchors of ``anchors/funding_flows.py``
(one story for both families). ``(ISO date, value)`` tables are interpolated linearly by the world
model (``world/issuance.py``). The calendar and company facts follow real practice; the amounts
trace the shape of real history, rounded by hand, and are SYNTHETIC; the late-2025 bond deals come
from the ``hyperscaler_financings`` seed, whose rows are public facts.

Changing a value changes the scenario's bytes (bump ``SCENARIO_VERSION`` in ``build.py``).
"""

from __future__ import annotations

import csv
import datetime as dt

from reverse_qe.settings import HISTORY_START, SEEDS_DIR

FIRST_DATE = HISTORY_START  # files start here, as the funding-flows files do

# ----------------------------------------------------------------------------------------------
# Treasury auctions (Fiscal Data auctions_query, TreasuryDirect)
# ----------------------------------------------------------------------------------------------

# Auction stress (0 calm .. 1 strained): a short spell in March 2020 (the dash for cash, when
# dealers were left with more of each auction), then a made-up build-up from 2025.
STRESS = (("2017-09-01", 0.0), ("2020-02-28", 0.0), ("2020-03-18", 0.6), ("2020-05-15", 0.1),
          ("2024-10-01", 0.0), ("2025-06-30", 0.6), ("2026-11-30", 1.0), ("2030-12-31", 1.0))

# Coupon series: (original term, type, day of month, share of the monthly gross, base bid-to-cover,
# reopening months after the new issue (0 = new every month), remaining terms of reopenings).
# Follows Treasury's calendar: 2-, 5- and 7-year notes late in the month, 3- and 10-year notes and
# the 30-year bond in the refunding week, the 20-year bond mid-month; the 10-, 20- and 30-year are
# new in Feb/May/Aug/Nov and reopened in the two months after; bid-to-cover levels as typical.
COUPONS = (
    ("2-Year", "Note", 24, 0.26, 2.65, (), None),
    ("3-Year", "Note", 8, 0.20, 2.50, (), None),
    ("5-Year", "Note", 25, 0.27, 2.40, (), None),
    ("7-Year", "Note", 26, 0.17, 2.35, (), None),
    ("10-Year", "Note", 10, 0.20, 2.45, (2, 5, 8, 11), ("9-Year 11-Month", "9-Year 10-Month")),
)
BONDS = (
    ("20-Year", "Bond", 17, 0.40, 2.40, (2, 5, 8, 11), ("19-Year 11-Month", "19-Year 10-Month")),
    ("30-Year", "Bond", 11, 0.60, 2.35, (2, 5, 8, 11), ("29-Year 11-Month", "29-Year 10-Month")),
)
TWENTY_YEAR_FROM = dt.date(2020, 5, 1)  # Treasury reintroduced the 20-year bond in May 2020
# Bills: (term, weekday (Mon=0), weeks, share of the weekly gross, base bid-to-cover, every n weeks).
# 13- and 26-week on Mondays, 4- and 8-week on Tuesdays, the 52-week every fourth Tuesday (the
# 6- and 17-week bills and CMB auctions are not modelled).
BILLS = (("4-Week", 1, 4, 0.22, 2.90, 1), ("8-Week", 1, 8, 0.18, 2.85, 1),
         ("13-Week", 0, 13, 0.26, 2.80, 1), ("26-Week", 0, 26, 0.24, 2.90, 1),
         ("52-Week", 1, 52, 0.10 * 4, 3.00, 4))

# ----------------------------------------------------------------------------------------------
# Hyperscalers (SEC companyfacts)
# ----------------------------------------------------------------------------------------------

# The companies' real CIKs, fiscal-year ends (Microsoft June, Oracle May) and the us-gaap tags each
# uses for capex and for securities sales and purchases; entity names as in their filings.
HYPERSCALERS = {  # cik, fiscal year end month, capex tag, securities tags (sales, purchases)
    "MSFT": (789019, 6, "PaymentsToAcquirePropertyPlantAndEquipment",
             ("ProceedsFromSaleMaturityAndCollectionsOfInvestments", "PaymentsToAcquireInvestments")),
    "GOOGL": (1652044, 12, "PaymentsToAcquirePropertyPlantAndEquipment",
              ("ProceedsFromSaleMaturityAndCollectionsOfInvestments", "PaymentsToAcquireInvestments")),
    "AMZN": (1018724, 12, "PaymentsToAcquireProductiveAssets",
             ("ProceedsFromSaleMaturityAndCollectionsOfInvestments", "PaymentsToAcquireInvestments")),
    "META": (1326801, 12, "PaymentsToAcquirePropertyPlantAndEquipment",
             ("ProceedsFromSaleAndMaturityOfMarketableSecurities", "PaymentsToAcquireMarketableSecurities")),
    "ORCL": (1341439, 5, "PaymentsToAcquirePropertyPlantAndEquipment",
             ("ProceedsFromSaleAndMaturityOfMarketableSecurities", "PaymentsToAcquireMarketableSecurities")),
}
NAMES = {"MSFT": "MICROSOFT CORPORATION", "GOOGL": "Alphabet Inc.", "AMZN": "AMAZON.COM, INC.",
         "META": "Meta Platforms, Inc.", "ORCL": "Oracle Corporation"}
# Per-quarter flows, $bn, at each fiscal quarter's end. Capex follows the shape of the reported
# ramp (flat to 2022, then the AI build-out of 2024-25); operating cash flow, repayments and
# securities sales are orders of magnitude; 2026 values are made up.
CAPEX_BN = {
    "MSFT": (("2017-01-01", 3.0), ("2020-01-01", 4.5), ("2022-06-30", 6.5), ("2023-12-31", 9.7),
             ("2024-12-31", 15.8), ("2025-12-31", 22.0), ("2026-12-31", 30.0)),
    "GOOGL": (("2017-01-01", 4.0), ("2020-01-01", 5.5), ("2022-06-30", 7.0), ("2023-12-31", 11.0),
              ("2024-12-31", 14.0), ("2025-12-31", 24.0), ("2026-12-31", 40.0)),
    "AMZN": (("2017-01-01", 3.0), ("2020-01-01", 7.0), ("2021-12-31", 16.0), ("2023-06-30", 11.5),
             ("2024-12-31", 27.0), ("2025-12-31", 35.0), ("2026-12-31", 50.0)),
    "META": (("2017-01-01", 2.5), ("2020-01-01", 4.0), ("2022-09-30", 9.0), ("2023-06-30", 6.5),
             ("2024-12-31", 14.8), ("2025-12-31", 22.0), ("2026-12-31", 30.0)),
    "ORCL": (("2017-01-01", 0.4), ("2021-06-30", 1.0), ("2023-06-30", 2.0), ("2024-12-31", 4.0),
             ("2025-12-31", 12.0), ("2026-12-31", 15.0)),
}
OPERATING_BN = {
    "MSFT": (("2017-01-01", 10.0), ("2021-01-01", 18.0), ("2025-12-31", 37.0), ("2026-12-31", 40.0)),
    "GOOGL": (("2017-01-01", 10.0), ("2021-01-01", 19.0), ("2025-12-31", 40.0), ("2026-12-31", 44.0)),
    "AMZN": (("2017-01-01", 5.0), ("2021-01-01", 12.0), ("2025-12-31", 35.0), ("2026-12-31", 40.0)),
    "META": (("2017-01-01", 6.0), ("2021-01-01", 10.0), ("2025-12-31", 28.0), ("2026-12-31", 30.0)),
    "ORCL": (("2017-01-01", 3.0), ("2025-12-31", 5.0), ("2026-12-31", 5.5)),
}
REPAYMENTS_BN = {"MSFT": 1.5, "GOOGL": 0.3, "AMZN": 1.2, "META": 0.0, "ORCL": 2.5}  # META: no tag
SECURITIES_SALES_BN = {"MSFT": 12.0, "GOOGL": 25.0, "AMZN": 6.0, "META": 3.0, "ORCL": 1.0}
# Net securities bought (+) or sold (−) per quarter, $bn: companies sell holdings to fund capex later
SECURITIES_NET_BUY_BN = {
    "MSFT": (("2017-01-01", 5.0), ("2023-12-31", 1.0), ("2025-09-30", -5.0), ("2026-12-31", -8.0)),
    "GOOGL": (("2017-01-01", 5.0), ("2023-12-31", 1.0), ("2025-09-30", -6.0), ("2026-12-31", -10.0)),
    "AMZN": (("2017-01-01", 1.0), ("2024-06-30", 0.0), ("2025-09-30", -3.0), ("2026-12-31", -5.0)),
    "META": (("2017-01-01", 2.0), ("2024-06-30", 0.0), ("2025-09-30", -3.0), ("2026-12-31", -6.0)),
    "ORCL": (("2017-01-01", 0.2), ("2025-09-30", -0.5), ("2026-12-31", -0.5)),
}
# Bond deals before the seed's late-2025 ones (SYNTHETIC dates and sizes), $bn
EARLIER_BONDS = {
    "ORCL": (("2020-03-30", 20.0), ("2021-03-24", 15.0), ("2023-02-06", 6.0), ("2026-02-02", 20.0)),
    "AMZN": (("2020-06-01", 10.0), ("2021-05-10", 18.5), ("2022-04-11", 12.75), ("2022-11-29", 8.25),
             ("2026-05-12", 20.0)),
    "GOOGL": (("2020-08-03", 10.0), ("2026-05-05", 20.0)),
    "META": (("2022-08-04", 10.0), ("2023-05-03", 8.5), ("2024-08-08", 10.5), ("2026-04-29", 25.0)),
    "MSFT": (),
}


# ----------------------------------------------------------------------------------------------
# Monthly Statement of the Public Debt (table 1)
# ----------------------------------------------------------------------------------------------

# Debt held by the public per marketable class at the horizon start, $mn (orders of magnitude of
# the MSPD in late 2017); the world adds the cumulative DTS net issuance of each class.
MSPD_BASE_MN = {"Bills": 2_350_000, "Notes": 9_000_000, "Bonds": 2_250_000,
                "Treasury Inflation-Protected Securities": 1_300_000, "Floating Rate Notes": 350_000}
# Intragovernmental holdings, $mn: small fixed amounts per marketable class; nonmarketable debt
# (mostly trust-fund holdings) growing by a fixed amount a day; nonmarketable debt held by the public
MSPD_INTRAGOV_MN = {"Bills": 1_100, "Notes": 1_200, "Bonds": 1_300,
                    "Treasury Inflation-Protected Securities": 1_400, "Floating Rate Notes": 1_500}
NONMARKETABLE_PUBLIC_MN = 180_000
NONMARKETABLE_INTRAGOV_MN = 5_700_000  # at FIRST_DATE
NONMARKETABLE_INTRAGOV_GROWTH_MN_PER_DAY = 120


def seed_bond_deals() -> dict[str, list[tuple[str, float]]]:
    """The public bond deals of the ``hyperscaler_financings`` seed: company -> [(ISO date, $bn)]."""
    with open(SEEDS_DIR / "hyperscaler_financings.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out: dict[str, list[tuple[str, float]]] = {}
    for row in rows:
        if row["kind"] == "bond":
            out.setdefault(row["company"], []).append((row["date"], float(row["amount_bn"])))
    return out
