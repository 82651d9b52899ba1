"""Issuance loaders: Treasury auctions, MSPD debt held by the public, SEC companyfacts.

The same loader serves every transport: live HTTP (with each source's own pagination, and for the
SEC a ``User-Agent`` from ``RQE_SEC_USER_AGENT`` and at most 9 requests a second), a replay
directory and the bundled scenario, laid out as

- ``fiscal_data/auctions_query*.json`` (Fiscal Data API pages) and, optionally,
  ``treasurydirect/auctioned*.json`` (TreasuryDirect JSON: the same facts, a second format);
- ``fiscal_data/mspd_table_1*.json`` (Fiscal Data API pages);
- ``sec/CIK##########.json`` (one companyfacts document per company).
"""

from __future__ import annotations

import csv
import os
import re

import pandas as pd

from reverse_qe.document_rows import DocumentRead, list_documents
from reverse_qe.settings import SEEDS_DIR
from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.funding_flows import fiscal_data_pages
from reverse_qe.sources.parsers.mspd import parse_mspd_table_1
from reverse_qe.sources.parsers.sec_companyfacts import parse_companyfacts
from reverse_qe.sources.parsers.treasury_auctions import (
    KEY as AUCTION_KEY,
)
from reverse_qe.sources.parsers.treasury_auctions import (
    OUTPUT_COLUMNS as AUCTION_COLUMNS,
)
from reverse_qe.sources.parsers.treasury_auctions import (
    parse_fiscal_data_auctions,
    parse_treasurydirect_auctions,
)
from reverse_qe.sources.transports import (
    Document,
    FileTransport,
    HttpTransport,
    RateLimiter,
    SourceFetchError,
)
from reverse_qe.sources.window import FetchWindow, first_day

Transport = FileTransport | HttpTransport

SEC_REQUESTS_PER_SECOND = 9.0  # the SEC's fair-access limit is 10
# One limiter for every SEC request of this process (companyfacts and 13F data sets alike).
SEC_LIMITER = RateLimiter(SEC_REQUESTS_PER_SECOND)
SEC_USER_AGENT_ENV = "RQE_SEC_USER_AGENT"
TREASURYDIRECT_DAYS = 60  # live: the recent auctions, which Fiscal Data may not carry yet


def with_lineage(frame: pd.DataFrame, document: Document, mode: str) -> pd.DataFrame:
    return frame.assign(source_mode=mode, source_uri=document.location)


def _concat(frames: list[pd.DataFrame], columns) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, "source_mode", "source_uri"]})
    return pd.concat(frames, ignore_index=True)


def _unique_across_documents(frame: pd.DataFrame, key, source: str) -> None:
    """Two documents of one format must not both carry the same key (a duplicated download)."""
    clash = frame.duplicated(subset=list(key), keep=False)
    if clash.any():
        rows = frame[clash].sort_values(list(key)).head(2)
        values = ", ".join(str(v) for v in rows.iloc[0][list(key)])
        raise SourceFormatError(source, rows.iloc[1]["source_uri"],
                                f"duplicate key ({', '.join(key)}) = ({values}): also in "
                                f"{rows.iloc[0]['source_uri']}; each key must appear once")


def once_per_key_where_documents_agree(frame: pd.DataFrame, key, source: str) -> pd.DataFrame:
    """Documents that overlap (pages sharing their edge days) may carry one key twice if they
    agree on every value: that row is kept once (the first document's). Two documents with
    different values for one key are an error naming both (:func:`_unique_across_documents`)."""
    values = [c for c in frame.columns if c not in ("source_mode", "source_uri")]
    once = frame.drop_duplicates(values, keep="first", ignore_index=True)
    _unique_across_documents(once, key, source)
    return once


# ------------------------------------------------------------------------------------------------
# Treasury auctions
# ------------------------------------------------------------------------------------------------

def combine_auction_formats(fiscal_data: pd.DataFrame, treasurydirect: pd.DataFrame) -> pd.DataFrame:
    """One row per auction: Fiscal Data's where it has the auction, TreasuryDirect's otherwise."""
    _unique_across_documents(fiscal_data, AUCTION_KEY, "fiscal_data")
    _unique_across_documents(treasurydirect, AUCTION_KEY, "treasurydirect")
    if not len(treasurydirect):
        return fiscal_data.reset_index(drop=True)
    if not len(fiscal_data):  # a window Fiscal Data has nothing for yet: its empty frame carries no types
        return treasurydirect.reset_index(drop=True)
    known = pd.MultiIndex.from_frame(fiscal_data[list(AUCTION_KEY)])
    extra = treasurydirect[~pd.MultiIndex.from_frame(treasurydirect[list(AUCTION_KEY)]).isin(known)]
    return pd.concat([fiscal_data, extra], ignore_index=True)


def load_treasury_auctions(transport: Transport, endpoints: Endpoints, window: FetchWindow | None = None) -> pd.DataFrame:
    """Treasury auction results from Fiscal Data (from the window's start, else all history) and
    TreasuryDirect (recent)."""
    if isinstance(transport, HttpTransport):
        fd_docs = fiscal_data_pages(transport, f"{endpoints.fiscal_data}/v1/accounting/od/auctions_query",
                                    "auctions_query", "auction_date", since=first_day(window))
        td_docs = [transport.get(
            "treasurydirect", "auctioned.json", f"{endpoints.treasurydirect}/TA_WS/securities/auctioned",
            params={"format": "json", "days": str(TREASURYDIRECT_DAYS)},
        )]
    else:
        fd_docs = transport.glob("fiscal_data", "auctions_query*.json")
        td_docs = transport.glob("treasurydirect", "auctioned*.json", required=False)
    mode = transport.mode
    fiscal_data = _concat([with_lineage(parse_fiscal_data_auctions(d.content, location=d.location), d, mode)
                           for d in fd_docs], AUCTION_COLUMNS)
    treasurydirect = _concat([with_lineage(parse_treasurydirect_auctions(d.content, location=d.location), d, mode)
                              for d in td_docs], AUCTION_COLUMNS)
    return combine_auction_formats(fiscal_data, treasurydirect)


# ------------------------------------------------------------------------------------------------
# MSPD
# ------------------------------------------------------------------------------------------------

def load_mspd(transport: Transport, endpoints: Endpoints, window: FetchWindow | None = None) -> pd.DataFrame:
    """MSPD table 1 (debt outstanding by class, month ends, $mn; live from the window's start)."""
    if isinstance(transport, HttpTransport):
        docs = fiscal_data_pages(transport, f"{endpoints.fiscal_data}/v1/debt/mspd/mspd_table_1",
                                 "mspd_table_1", "record_date", since=first_day(window))
    else:
        docs = transport.glob("fiscal_data", "mspd_table_1*.json")
    frame = pd.concat([with_lineage(parse_mspd_table_1(d.content, location=d.location), d, transport.mode)
                       for d in docs], ignore_index=True)
    _unique_across_documents(frame, ("record_date", "source_line_number"), "fiscal_data")
    return frame


# ------------------------------------------------------------------------------------------------
# SEC companyfacts
# ------------------------------------------------------------------------------------------------

def _seed_rows(name: str) -> list[dict]:
    with open(SEEDS_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def hyperscaler_ciks() -> list[int]:
    """The companies of the ``hyperscalers`` seed (the one list, shared with dbt)."""
    return [int(row["cik"]) for row in _seed_rows("hyperscalers.csv")]


def cashflow_tags() -> list[str]:
    """Every us-gaap tag the models may read: the tag seed plus each company's capex override."""
    tags = [row["tag"] for row in _seed_rows("sec_cashflow_tags.csv")]
    tags += [row["capex_tag"] for row in _seed_rows("hyperscalers.csv") if row["capex_tag"]]
    return list(dict.fromkeys(tags))


def sec_user_agent(environ=os.environ) -> str:
    """The SEC wants ``User-Agent: Name email``: from config only, never a default."""
    value = (environ.get(SEC_USER_AGENT_ENV) or "").strip()
    if not value:
        raise SourceFetchError(
            f"[sec] {SEC_USER_AGENT_ENV} is not set: data.sec.gov requires a User-Agent naming you "
            "and an email address, e.g. RQE_SEC_USER_AGENT='Jane Doe jane@example.com'"
        )
    return value


def companyfacts_name(cik: int) -> str:
    return f"CIK{cik:010d}.json"


_COMPANYFACTS_NAME = re.compile(r"CIK(\d{10})\.json")


def companyfacts_cik(document: Document) -> tuple[int, str]:
    """The company a companyfacts document must be about: the CIK of its name ``CIK##########.json``,
    and how the ``hyperscalers`` seed names it (for errors). Another name is refused."""
    match = _COMPANYFACTS_NAME.fullmatch(document.name)
    if match is None:
        raise SourceFormatError("sec", document.location, "expected a file named CIK##########.json (the "
                                "company's 10-digit CIK, as data.sec.gov names it)")
    cik = int(match.group(1))
    names = {int(row["cik"]): row["name"] for row in _seed_rows("hyperscalers.csv")}
    seed = f"{names[cik]} in the hyperscalers seed" if cik in names else "not in the hyperscalers seed"
    return cik, f"the file name's company, {seed}"


def load_sec_companyfacts(transport: Transport, endpoints: Endpoints, window: FetchWindow | None = None) -> pd.DataFrame:
    """The cash-flow facts of every hyperscaler, one companyfacts document per company (the API
    serves a company's whole document: ``window`` cannot narrow it)."""
    if isinstance(transport, HttpTransport):
        headers = {"User-Agent": sec_user_agent()}
        docs = [
            transport.get("sec", companyfacts_name(cik),
                          f"{endpoints.sec}/api/xbrl/companyfacts/{companyfacts_name(cik)}",
                          headers=headers, limiter=SEC_LIMITER)
            for cik in hyperscaler_ciks()
        ]
    else:
        docs = transport.glob("sec", "CIK*.json")
    tags = cashflow_tags()
    frames = []
    for d in docs:
        cik, expected_as = companyfacts_cik(d)
        frames.append(with_lineage(parse_companyfacts(d.content, location=d.location, tags=tags, expected_cik=cik,
                                                      expected_as=expected_as), d, transport.mode))
    # each company's document, also one that yields no fact (facts moved out of the tags read)
    return list_documents(pd.concat(frames, ignore_index=True),
                          [DocumentRead(d.name.removesuffix(".json"), d.location, transport.mode) for d in docs])
