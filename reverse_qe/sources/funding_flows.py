"""Funding-flows loaders: fetch each source's documents through a transport and parse them.

The same loader serves every transport: live HTTP (with the source's own pagination), a replay
directory (``fred/<ID>.csv``, ``fiscal_data/dts_<table>*.csv|json``, ``nyfed/reverse_repo*.json``)
and the bundled scenario, which is written in that same layout.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

import pandas as pd

from reverse_qe.document_rows import DocumentRead, list_documents
from reverse_qe.fred_series import fred_series
from reverse_qe.settings import HISTORY_START
from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.parsers.fiscal_data import (
    PageMeta,
    fiscal_data_page_meta,
    parse_dts_operating_cash_balance,
    parse_dts_public_debt_transactions,
)
from reverse_qe.sources.parsers.fred import parse_fred_csv
from reverse_qe.sources.parsers.nyfed import parse_nyfed_repo_operations
from reverse_qe.sources.transports import (
    Document,
    FileTransport,
    HttpTransport,
    SourceNotProvided,
)
from reverse_qe.sources.window import FetchWindow, first_day

Transport = FileTransport | HttpTransport

FISCAL_DATA_PAGE_SIZE = 10_000
# FRED is asked from two weeks before the window: the suite's unit-jump check compares each weekly
# value with the one a week before (FRED_MAX_GAP_DAYS["weekly"] = 7), and a daily series' gap check
# looks back up to 5 days; 14 leaves room for a holiday. Rows before the window are validated, not written.
FRED_LOOKBACK_DAYS = 14


def with_lineage(frame: pd.DataFrame, document: Document, mode: str) -> pd.DataFrame:
    """Tag parsed rows with the transport and the file or URL they came from."""
    return frame.assign(source_mode=mode, source_uri=document.location)


def _concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = list(frames)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def load_fred(transport: Transport, endpoints: Endpoints, series_ids: Iterable[str] | None = None,
              window: FetchWindow | None = None) -> pd.DataFrame:
    """The FRED series of the seed ``fred_series.csv`` (or ``series_ids``) as long rows (series_id,
    observation_date, value), one document per series. IOER stops on 2021-07-28 and IORB starts
    the next day; staging splices the two. Live: ``cosd`` (fredgraph's first observation date) is
    the window's start less FRED_LOOKBACK_DAYS, or HISTORY_START without a window.

    A replay directory may hold only some series: those without a file are listed in
    ``frame.attrs["not_provided"]``; with none at all, the source is not provided. Each series'
    document is listed (``document_rows``), keyed by its series, also when it yields no row."""
    frames, missing, documents = [], [], []
    series_ids = list(fred_series()) if series_ids is None else list(series_ids)
    for series_id in series_ids:
        if isinstance(transport, HttpTransport):
            document = transport.get(
                "fred", f"{series_id}.csv", f"{endpoints.fred}/graph/fredgraph.csv",
                params={"id": series_id, "cosd": first_day(window, FRED_LOOKBACK_DAYS).isoformat()},
            )
        else:
            try:
                (document,) = transport.glob("fred", f"{series_id}.csv")
            except SourceNotProvided as err:
                missing.append((series_id, str(err)))
                continue
        parsed = parse_fred_csv(document.content, location=document.location, series_id=series_id)
        frames.append(with_lineage(parsed, document, transport.mode))
        documents.append(DocumentRead(series_id, document.location, transport.mode,
                                      first_day(window, FRED_LOOKBACK_DAYS) if isinstance(transport, HttpTransport)
                                      else None))
    if not frames:  # not one series: the source is not provided
        raise SourceNotProvided("fred", f"{missing[0][1]} (no file for any series of fred_series.csv)")
    frame = _concat(frames)
    frame.attrs["not_provided"] = [series_id for series_id, _ in missing]
    return list_documents(frame, documents)


class _FiscalDataPaging:
    """Checks each API page against the first one's meta: a page must hold exactly the records its
    position promises (full pages, then the remainder), so an empty or short page in the middle is
    refetched and then an error, never a silently shorter history."""

    def __init__(self, page_size: int):
        self.page_size = page_size
        self.first: PageMeta | None = None

    def check(self, number: int, content: bytes, location: str) -> str | None:
        meta = fiscal_data_page_meta(content, location=location)
        first = self.first or meta
        if (meta.total_pages, meta.total_count) != (first.total_pages, first.total_count):
            return (f"the result set changed while paging: page 1 said {first.total_count} records in "
                    f"{first.total_pages} pages, page {number} says {meta.total_count} in {meta.total_pages}")
        if meta.total_count is not None and meta.records is not None:
            due = max(0, min(self.page_size, meta.total_count - (number - 1) * self.page_size))
            if meta.records != due:
                return (f"page {number} of {meta.total_pages} holds {meta.records} records; with "
                        f"total-count {meta.total_count} and page[size] {self.page_size} it must hold {due}")
        elif meta.records == 0 and number < meta.total_pages:
            return f"page {number} of {meta.total_pages} holds no records"
        self.first = first
        return None


def fiscal_data_pages(transport: HttpTransport, url: str, name: str, date_field: str,
                      since: dt.date = HISTORY_START) -> list[Document]:
    """Every page of a Fiscal Data API query (rows from ``since`` on, ``filter=<date_field>:gte:<since>``,
    sorted by ``date_field``), landed as ``<name>_p0001.json``, ... Paging follows meta['total-pages']
    of the first page."""
    paging = _FiscalDataPaging(FISCAL_DATA_PAGE_SIZE)
    pages, number, total = [], 1, 1
    while number <= total:
        params = {
            "format": "json",
            "page[size]": str(paging.page_size),
            "page[number]": str(number),
            "filter": f"{date_field}:gte:{since.isoformat()}",
            "sort": date_field,
        }
        page = transport.get("fiscal_data", f"{name}_p{number:04d}.json", url, params=params,
                             check=lambda content, location, n=number: paging.check(n, content, location))
        total = paging.first.total_pages
        pages.append(page)
        number += 1
    return pages


_DTS_PARSERS: dict[str, Callable[..., pd.DataFrame]] = {
    "operating_cash_balance": parse_dts_operating_cash_balance,
    "public_debt_transactions": parse_dts_public_debt_transactions,
}


def load_dts(transport: Transport, endpoints: Endpoints, table: str, window: FetchWindow | None = None) -> pd.DataFrame:
    """One Daily Treasury Statement table, from API JSON pages (from the window's start) or CSV/JSON files."""
    if isinstance(transport, HttpTransport):
        documents = fiscal_data_pages(transport, f"{endpoints.fiscal_data}/v1/accounting/dts/{table}",
                                      f"dts_{table}", "record_date", since=first_day(window))
    else:
        documents = [d for d in transport.glob("fiscal_data", f"dts_{table}*") if d.fmt in ("csv", "json")]
    parse = _DTS_PARSERS[table]
    return _concat(
        with_lineage(parse(d.content, location=d.location, fmt=d.fmt), d, transport.mode) for d in documents
    )


def load_nyfed_reverse_repo(transport: Transport, endpoints: Endpoints, today: dt.date | None = None,
                            window: FetchWindow | None = None) -> pd.DataFrame:
    """NY Fed reverse-repo operation results (live: one ``startDate``..``endDate`` search per
    calendar year, from the window's start)."""
    if isinstance(transport, HttpTransport):
        today = today or dt.date.today()
        since = first_day(window)
        documents = [
            transport.get(
                "nyfed", f"reverse_repo_{year}.json", f"{endpoints.nyfed}/api/rp/results/search.json",
                params={
                    "startDate": max(since, dt.date(year, 1, 1)).isoformat(),
                    "endDate": min(dt.date(year, 12, 31), today).isoformat(),
                    "operationTypes": "Reverse Repo",
                },
            )
            for year in range(since.year, today.year + 1)
        ]
    else:
        documents = transport.glob("nyfed", "reverse_repo*.json")
    return _concat(
        with_lineage(parse_nyfed_repo_operations(d.content, location=d.location), d, transport.mode)
        for d in documents
    )
