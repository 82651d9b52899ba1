"""SYNTHETIC issuance scenario, written in the sources' official formats (README, "The scenario is synthetic").

This module only composes the layers: the anchor tables (``anchors/issuance.py``, with the gross
issuance of ``anchors/funding_flows.py``) -> the world model for a seed (``world/issuance.py``) ->
one writer per file format (``writers/``). Nothing here is real data (the late-2025 bond deals are
taken from the ``hyperscaler_financings`` seed, whose rows are public facts, so the synthetic
filings contain them). Like the funding-flows generator, every value is a function of the seed and
its date only, never of ``end``.

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
from pathlib import Path

from .anchors.issuance import HYPERSCALERS
from .world.issuance import auction_results, hyperscaler_fiscal_years, mspd_month_ends
from .writers.fiscal_data_json import auction_record, mspd_records, write_auctions_query, write_mspd_table_1
from .writers.sec_companyfacts_json import companyfacts_document, write_companyfacts
from .writers.treasurydirect_json import write_treasurydirect_auctioned

__all__ = ["generate_issuance"]


def build_auctions(seed: int, last: dt.date) -> list[dict]:
    """Every auction held from 2018 to ``last`` as Fiscal Data auctions_query records."""
    return [auction_record(a) for a in auction_results(seed, last)]


def build_mspd(seed: int, last: dt.date) -> list[dict]:
    """Month-end debt outstanding to ``last`` as MSPD table 1 records."""
    return mspd_records(mspd_month_ends(seed, last))


def build_companyfacts(seed: int, ticker: str, last: dt.date) -> dict:
    """One company's companyfacts document with every filing made up to ``last``."""
    return companyfacts_document(ticker, hyperscaler_fiscal_years(seed, ticker), last)


def generate_issuance(out_dir: Path, *, end: dt.date, seed: int = 20180101) -> list[Path]:
    """Write the SYNTHETIC issuance family up to ``end`` (inclusive); return the paths written."""
    if isinstance(end, dt.datetime):
        end = end.date()
    out_dir = Path(out_dir)
    auctions = build_auctions(int(seed), end)
    paths = [write_auctions_query(out_dir, auctions)]
    paths.append(write_treasurydirect_auctioned(out_dir, auctions, end))
    paths.append(write_mspd_table_1(out_dir, build_mspd(int(seed), end)))
    for ticker in HYPERSCALERS:
        paths.append(write_companyfacts(out_dir, build_companyfacts(int(seed), ticker, end)))
    return paths
