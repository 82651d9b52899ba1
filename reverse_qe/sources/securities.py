"""Security-map loaders: the SEC's Official List of Section 13(f) Securities, and OpenFIGI's mapping.

The list (source ``sec_13f_list``): replay / scenario ``sec_13f_list/13flistYYYYqN.txt``; live, the
SEC's text file of each quarter whose end falls in the run's window and has passed
(``<RQE_SEC_13F_LIST_BASE_URL>/13flistYYYYqN.txt``), with the SEC's ``User-Agent`` and rate limit.

OpenFIGI (source ``openfigi``): a cache. Live, the CUSIPs the 13F information tables hold that
``raw.openfigi_mappings`` does not, largest value first, at most ``RQE_OPENFIGI_MAX_CUSIPS`` a run,
are asked in requests of 10 jobs (100 with a key), at most 25 requests a minute (25 per 6 seconds
with a key), each answer landed beside the jobs it answers. Every CUSIP answered (found or not) is
stored with when it was fetched and never asked again; a job OpenFIGI failed is asked again the next
run. Replay / scenario: ``openfigi/<name>.request.json`` (``{"fetched_at": ..., "jobs": [...]}``, as
live mode lands it) beside ``openfigi/<name>.json``, the answer as served.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from typing import Callable, Iterator

import pandas as pd

from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.funding_flows import Transport, _concat, with_lineage
from reverse_qe.sources.issuance import SEC_LIMITER, sec_user_agent
from reverse_qe.sources.parsers.openfigi import COLUMNS as OPENFIGI_COLUMNS
from reverse_qe.sources.parsers.openfigi import parse_openfigi_mapping
from reverse_qe.sources.parsers.sec_13f_list import SOURCE as LIST_SOURCE
from reverse_qe.sources.parsers.sec_13f_list import file_quarter_end, parse_13f_list, quarter_end
from reverse_qe.sources.transports import Document, HttpTransport, RateLimiter
from reverse_qe.sources.window import FetchWindow, first_day

OPENFIGI = "openfigi"
OPENFIGI_KEY_ENV = "OPENFIGI_API_KEY"
OPENFIGI_MAX_CUSIPS_ENV = "RQE_OPENFIGI_MAX_CUSIPS"
# OpenFIGI's published limits for /v3/mapping: without a key 25 requests a minute of at most 10
# jobs; with one 25 requests per 6 seconds of at most 100 jobs. Requests go a tenth slower than the
# limit: evenly spaced at exactly it, one request held up in transit lands 26 in the server's minute.
KEYLESS, KEYED = (25 / 66, 10), (25 / 6.6, 100)
# A first live run asks this many CUSIPs at most (keyless: 2,500 = 250 requests = 10 minutes); the
# rest follow, largest value first, on the next runs. A real quarter holds ~40,000 CUSIPs.
DEFAULT_MAX_CUSIPS = 2_500
REQUEST_SUFFIX = ".request.json"
logger = logging.getLogger(__name__)
Connect = Callable[[], object]  # a context manager giving a DuckDB connection to the warehouse


# -- the SEC's list -------------------------------------------------------------------------------

def quarters_ending_in(window: FetchWindow | None, today: dt.date) -> list[dt.date]:
    """Quarter ends in the window (all since history's start without one) that are past."""
    start, end = first_day(window), (window.end if window else today + dt.timedelta(days=1))
    ends, year, quarter = [], start.year, (start.month - 1) // 3 + 1
    while True:
        day = quarter_end(year, quarter)
        if day >= end or day > today:
            return ends
        if day >= start:
            ends.append(day)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def list_file_name(last_day: dt.date) -> str:
    """The SEC's name of the list of the quarter ending ``last_day`` (read back by ``file_quarter_end``)."""
    return f"13flist{last_day.year}q{(last_day.month - 1) // 3 + 1}.txt"


def list_in_window(name: str, window: FetchWindow | None) -> bool:
    """Whether a replay or scenario file holds a quarter of the run's window (its rows would be kept):
    a weekday's month holds none, and parsing every quarter's list to keep nothing took 7.4 s of a
    scale-16 weekday (``python -m bench.weekday --scale 16``). A name that names no quarter is read,
    so that its parser refuses it by name, as a full run does."""
    last_day = file_quarter_end(name)
    return window is None or last_day is None or window.start <= last_day < window.end


def load_13f_list(transport: Transport, endpoints: Endpoints, window: FetchWindow | None = None) -> pd.DataFrame:
    """Every quarter's list: one row per security line, with the quarter it is the list of."""
    if isinstance(transport, HttpTransport):
        documents = [transport.get(LIST_SOURCE, name, f"{endpoints.sec_13f_list}/{name}",
                                   headers={"User-Agent": sec_user_agent()}, limiter=SEC_LIMITER)
                     for name in map(list_file_name, quarters_ending_in(window, transport.today))]
    else:
        documents = [d for d in transport.glob(LIST_SOURCE, "13flist*.txt") if list_in_window(d.name, window)]
    if not documents:  # no quarter ended in the window (a month inside a quarter)
        return pd.DataFrame(columns=["cusip", "has_options", "issuer_name", "issuer_description", "status",
                                     "line_number", "source_mode", "source_uri"]).assign(
            list_quarter_end=pd.Series(dtype="datetime64[ns]"))
    return _concat(with_lineage(parse_13f_list(d.content, location=d.location), d, transport.mode) for d in documents)


# -- OpenFIGI ---------------------------------------------------------------------------------------

def openfigi_key(environ=os.environ) -> str | None:
    return (environ.get(OPENFIGI_KEY_ENV) or "").strip() or None


def max_cusips(environ=os.environ) -> int:
    raw = (environ.get(OPENFIGI_MAX_CUSIPS_ENV) or "").strip()
    if raw and not (raw.isdigit() and int(raw) > 0):
        raise ValueError(f"{OPENFIGI_MAX_CUSIPS_ENV}={raw!r}: expected a positive whole number")
    return int(raw) if raw else DEFAULT_MAX_CUSIPS


# The CUSIPs of the information tables that the cache lacks, largest value (in either unit) first.
UNCACHED_CUSIPS_SQL = """
select i.cusip
from raw.sec13f_infotable as i
where i.cusip is not null
  and not exists (select 1 from raw.openfigi_mappings as m where m.cusip = i.cusip)
group by i.cusip
order by sum(i.value) desc nulls last, i.cusip
limit ?
"""


def uncached_cusips(connect: Connect, limit: int) -> list[str]:
    with connect() as conn:
        return [row[0] for row in conn.execute(UNCACHED_CUSIPS_SQL, [limit]).fetchall()]


_LIMITERS: dict[bool, RateLimiter] = {}


def _limiter(keyed: bool) -> RateLimiter:
    """One limiter per kind for the whole process: two loaders in one process share OpenFIGI's quota."""
    if keyed not in _LIMITERS:
        _LIMITERS[keyed] = RateLimiter((KEYED if keyed else KEYLESS)[0])
    return _LIMITERS[keyed]


def _check_answer(jobs: int) -> Callable[[bytes, str], str | None]:
    """A 200 whose body is no JSON array of one result per job is retried (a proxy's page, a cut body)."""
    def check(content: bytes, location: str) -> str | None:
        try:
            answer = json.loads(content)
        except ValueError as exc:
            return f"the answer is not JSON ({exc})"
        if not isinstance(answer, list) or len(answer) != jobs:
            shown = f"an array of {len(answer)}" if isinstance(answer, list) else type(answer).__name__
            return f"the answer is {shown}, not an array of {jobs} results (one per job)"
        return None
    return check


def ask_openfigi(transport: HttpTransport, endpoints: Endpoints, cusips: list[str],
                 fetched_at: dt.datetime | None = None) -> Iterator[tuple[Document, list[str], dt.datetime]]:
    """POST ``cusips`` in requests of the allowed size; each answer with the CUSIPs it answers."""
    key = openfigi_key()
    _, per_request = KEYED if key else KEYLESS
    headers = {"Content-Type": "application/json", **({"X-OPENFIGI-APIKEY": key} if key else {})}
    for n, first in enumerate(range(0, len(cusips), per_request), start=1):
        batch = cusips[first:first + per_request]
        when = fetched_at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
        name = f"mapping_{when:%H%M%S}_{n:05d}"
        jobs = [{"idType": "ID_CUSIP", "idValue": cusip} for cusip in batch]
        document = transport.post(OPENFIGI, f"{name}.json", f"{endpoints.openfigi}/v3/mapping",
                                  json.dumps(jobs).encode(), headers=headers, limiter=_limiter(bool(key)),
                                  check=_check_answer(len(batch)))
        transport.land(OPENFIGI, f"{name}{REQUEST_SUFFIX}",
                       json.dumps({"fetched_at": when.isoformat(), "jobs": jobs}, indent=1).encode())
        yield document, batch, when


def _replayed(transport: Transport) -> Iterator[tuple[Document, list[str], dt.datetime]]:
    """The landed (or scenario) answers, each with the request file beside it."""
    documents = transport.glob(OPENFIGI, "*.json")  # none (no folder): OpenFIGI is not provided
    requests = {d.name.removesuffix(REQUEST_SUFFIX): d for d in documents if d.name.endswith(REQUEST_SUFFIX)}
    answers = {d.name.removesuffix(".json"): d for d in documents if not d.name.endswith(REQUEST_SUFFIX)}
    for name in sorted(set(requests) | set(answers)):
        if name not in answers or name not in requests:
            there, missing = (requests, f"{name}.json") if name in requests else (answers, f"{name}{REQUEST_SUFFIX}")
            raise SourceFormatError(OPENFIGI, there[name].location, (
                f"{missing} is not beside it: an answer is read with the request whose jobs it answers"))
        request = requests[name]
        try:
            asked = json.loads(request.content)
            cusips = [job["idValue"] for job in asked["jobs"]]
            when = dt.datetime.fromisoformat(asked["fetched_at"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceFormatError(OPENFIGI, request.location, (
                f"not a request file ({{\"fetched_at\": ISO time, \"jobs\": [{{\"idType\", \"idValue\"}}, ...]}}): "
                f"{type(exc).__name__}: {exc}")) from exc
        yield answers[name], cusips, when


def load_openfigi(transport: Transport, endpoints: Endpoints, window: FetchWindow | None = None,
                  warehouse: Connect | None = None) -> pd.DataFrame:
    """The answered CUSIPs, one row each: status found / not_found, the listing, when fetched."""
    if isinstance(transport, HttpTransport):
        if warehouse is None:
            raise ValueError("live OpenFIGI needs the warehouse: it asks only for the CUSIPs its cache lacks")
        exchanges = ask_openfigi(transport, endpoints, uncached_cusips(warehouse, max_cusips()))
    else:
        exchanges = _replayed(transport)
    frames, failed = [], {}
    for document, cusips, when in exchanges:
        answer = parse_openfigi_mapping(document.content, location=document.location, cusips=cusips)
        failed.update(answer.failed)
        frames.append(with_lineage(answer.rows.assign(fetched_at=pd.Timestamp(when), fetched_on=pd.Timestamp(when.date())), document, transport.mode))
    if failed:
        shown = "; ".join(f"{c}: {e}" for c, e in list(failed.items())[:5])
        logger.warning("[openfigi] %d job(s) failed and are asked again next run (%s%s)", len(failed), shown,
                       " ..." if len(failed) > 5 else "")
    if not frames:
        return pd.DataFrame(columns=[*OPENFIGI_COLUMNS, "source_mode", "source_uri"]).assign(
            fetched_at=pd.Series(dtype="datetime64[ns]"), fetched_on=pd.Series(dtype="datetime64[ns]"))
    frame = _concat(frames)
    # the same CUSIP answered twice (two landed runs): the later answer
    return frame.sort_values("fetched_at").drop_duplicates("cusip", keep="last").reset_index(drop=True)
