"""A local fake of every live source, speaking each one's protocol from the hand-written fixtures.

It answers the paths and query parameters the loaders send to the real services, the way those
services answer (as documented, and as seen in real downloads):

- FRED ``/graph/fredgraph.csv?id=&cosd=``: the series CSV from ``cosd`` on, gzip when asked.
- Fiscal Data ``/services/api/fiscal_service/v1/...``: ``filter`` (``field:op:value``, op in eq, gt,
  gte, lt, lte, in), ``sort`` (``-`` for descending), ``page[size]`` (1..10000, default 100) and
  ``page[number]``; ``meta.count``, ``meta.total-count``, ``meta.total-pages``, ``links.next``.
- NY Fed ``/api/rp/results/search.json?startDate&endDate&operationTypes``.
- TreasuryDirect ``/TA_WS/securities/auctioned?format=json&days=N`` (auctions of the last N days
  before the fake's ``today``).
- SEC ``data.sec.gov/api/xbrl/companyfacts/CIK##########.json`` and the 13F data-set zips under
  ``/files/structureddata/data/form-13f-data-sets/``: a ``User-Agent`` with a contact (``@``) or
  403; more than 10 requests in any second, 403 "Request Rate Threshold Exceeded".
- Stooq ``/q/d/l/?s=&i=d[&d1=YYYYMMDD][&d2=YYYYMMDD][&apikey=]``: CSV of the days from ``d1``
  through ``d2`` (all history without them); ``No data`` for an unknown symbol (and, assumed, for a
  range without a trading day: the loaders ask from a day they hold, never such a range); with ``stooq_key``
  set, a request without that key gets an HTML page with status 200 (as reported in 2026).
- Coinbase ``/products/<id>/candles?granularity&start&end``: newest first; more than 300 buckets
  in [start, end] is a 400, so the client must page by time.
- The SEC's list of 13(f) securities ``/files/investment/13flistYYYYqN.txt`` (the SEC's User-Agent
  and rate rules), from ``sec_13f_list/`` of the fixtures; any other quarter gets the newest fixture
  list unless ``every_list_quarter`` is off (then 404).
- OpenFIGI ``POST /v3/mapping`` (openfigi.com/api/documentation): a JSON array of jobs
  ``{"idType": "ID_CUSIP", "idValue"}``; at most 10 jobs a request and 25 requests in any
  ``openfigi_window_s`` (60 s) without a key, 100 jobs and 25 requests per a tenth of it with the
  ``X-OPENFIGI-APIKEY`` the fake holds (``openfigi_key``); more jobs is a 413, more requests a 429.
  Each job gets ``{"data": [...]}`` for a CUSIP of ``openfigi_known`` (the fixtures' answers),
  ``{"warning": "No identifier found."}`` for another 9-character one, ``{"error": ...}`` otherwise.

Data: the fixtures of ``tests/fixtures``, or (``root``) a scenario's documents for the funding-flows
and price sources, so byte counts are of real-sized histories (a scenario's DTS CSV exports are
served as the API's records, fields named by the fixture's ``meta.labels``). Every reply's body
size is recorded (``sent``). Where the live loaders ask for more than the fixtures
hold, the fake serves a fixture again under the other name: every hyperscaler of the seed gets the
companyfacts fixture with its own CIK, every Stooq symbol of the taxonomy the ``mu.us`` CSV, every
Coinbase product the BTC-USD candles, every NFCI subindex and ANFCI (no real download of them) the
NFCI CSV under its own series id. Faults are injected with :meth:`FakeSources.inject`.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
import re
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.issuance import hyperscaler_ciks
from reverse_qe.sources.parsers.fiscal_data import OPERATING_CASH_BALANCE, PUBLIC_DEBT_TRANSACTIONS
from reverse_qe.sources.prices import priced_symbols
from tests.conftest import FIXTURES as TESTS_FIXTURES
from tests.http_server import LocalServer, Reply

FIXTURES = TESTS_FIXTURES
FISCAL_DATA = "/services/api/fiscal_service"
SEC_13F = "/files/structureddata/data/form-13f-data-sets"
SEC_13F_LIST = "/files/investment"
OPENFIGI_MAPPING = "/v3/mapping"
OPENFIGI_REQUESTS, OPENFIGI_JOBS = 25, (10, 100)  # per window, without / with a key
FISCAL_DATASETS = {
    "/v1/accounting/dts/operating_cash_balance": "dts_operating_cash_balance.json",
    "/v1/accounting/dts/public_debt_transactions": "dts_public_debt_transactions.json",
    "/v1/accounting/od/auctions_query": "auctions_query.json",
    "/v1/debt/mspd/mspd_table_1": "mspd_table_1.json",
}
FISCAL_MAX_PAGE_SIZE = 10_000
FISCAL_DEFAULT_PAGE_SIZE = 100
SEC_MAX_PER_SECOND = 10
COINBASE_MAX_CANDLES = 300
COINBASE_GRANULARITIES = (60, 300, 900, 3600, 21600, 86400)
# The fixtures' auctions are of June/July 2021: "today" for TreasuryDirect's ``days`` window.
FAKE_TODAY = dt.date(2021, 7, 20)
HTML_PAGE = (FIXTURES / "stooq" / "html_page_status_200.html").read_bytes()
NFCI_FAMILY = ("NFCIRISK", "NFCICREDIT", "NFCILEVERAGE", "ANFCI")  # same scale and Fridays as NFCI
DTS_TABLES = {"dts_operating_cash_balance.json": OPERATING_CASH_BALANCE,
              "dts_public_debt_transactions.json": PUBLIC_DEBT_TRANSACTIONS}


def json_reply(status: int, payload, headers: dict | None = None) -> Reply:
    return Reply(status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode())


def truncated_gzip(body: bytes) -> bytes:
    """The gzip of ``body`` cut before its end (what a broken proxy or cache may serve)."""
    packed = gzip.compress(body)
    return packed[: len(packed) // 2]


def zip_of(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


@dataclass
class Fault:
    """Replies for requests whose ``path?query`` contains ``match``, in order; the last one again
    and again if ``persistent``; after that the service answers normally."""

    match: str
    replies: list[Reply]
    persistent: bool
    used: int = 0


def _fiscal_dataset(root: Path, name: str) -> dict:
    """An API dataset (``data`` and ``meta``) from ``root``: its JSON; else its DTS CSV export turned
    into the API's records (string values, "null" for a field the export lacks, each label mapped to
    its API field as the DTS parser's tables pair them) with the fixture's meta; else the fixture."""
    own = root / "fiscal_data" / name
    if own.exists():
        return json.loads(own.read_bytes())
    fixture = json.loads((FIXTURES / "fiscal_data" / name).read_bytes())
    export = own.with_suffix(".csv")
    if not export.exists():
        return fixture
    fields = [(f.json, f.label) for f in DTS_TABLES[name].fields]
    with open(export, newline="", encoding="utf-8-sig") as handle:
        rows = [{api_name: (row.get(label) if label else None) or "null" for api_name, label in fields}
                for row in csv.DictReader(handle)]
    return {"data": rows, "meta": fixture["meta"]}


@dataclass
class FakeSources:
    today: dt.date = FAKE_TODAY
    stooq_key: str | None = None
    faults: list[Fault] = field(default_factory=list)
    root: Path = FIXTURES
    openfigi_key: str | None = None
    openfigi_window_s: float = 60.0
    every_list_quarter: bool = True

    def __post_init__(self):
        root = self.root
        self.sent: list[tuple[str, int]] = []  # (path, body bytes) of every reply
        self.fred = {p.stem: p.read_bytes() for p in (root / "fred").glob("*.csv")}
        nfci = self.fred.get("NFCI", (FIXTURES / "fred" / "NFCI.csv").read_bytes())
        for series_id in NFCI_FAMILY:
            self.fred.setdefault(series_id, nfci.replace(b",NFCI\n", f",{series_id}\n".encode(), 1))
        self.fiscal = {path: _fiscal_dataset(root, name) for path, name in FISCAL_DATASETS.items()}
        self.nyfed = json.loads((root / "nyfed" / "reverse_repo_operations.json").read_bytes())
        self.treasurydirect = json.loads((FIXTURES / "treasurydirect" / "auctioned.json").read_bytes())
        facts = json.loads((FIXTURES / "sec" / "CIK0001326801.json").read_bytes())
        self.companyfacts = {cik: {**facts, "cik": cik} for cik in hyperscaler_ciks()}
        self.companyfacts[facts["cik"]] = facts
        self.datasets = {f"{p.name}.zip": zip_of(p) for p in (FIXTURES / "sec_13f").iterdir() if p.is_dir()}
        mu = (FIXTURES / "stooq" / "mu.us.csv").read_bytes()
        self.stooq = {symbol: mu for symbol in priced_symbols("stooq")}
        self.stooq.update({p.name.removesuffix(".csv"): p.read_bytes() for p in (root / "stooq").glob("*.csv")})
        self.candles = sorted({candle[0]: candle for page in sorted((root / "coinbase").glob("BTC-USD_p*.json"))
                               for candle in json.loads(page.read_bytes())}.values())
        self.products = set(priced_symbols("coinbase"))
        self.sec_times: list[float] = []
        self.lists = {p.name: p.read_bytes() for p in (FIXTURES / "sec_13f_list").glob("*.txt")}
        self.openfigi_known = _openfigi_answers(FIXTURES / "openfigi")
        self.openfigi_times: list[float] = []
        self._lock = threading.Lock()
        self.server = LocalServer(self.route, with_headers=True, with_body=True)

    # -- running ---------------------------------------------------------------------------------

    def __enter__(self) -> FakeSources:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self):
        return self.server.requests

    def env(self) -> dict[str, str]:
        """The ``RQE_*_BASE_URL`` variables pointing every live source at this fake."""
        return {
            "RQE_FRED_BASE_URL": self.url,
            "RQE_FISCAL_DATA_BASE_URL": self.url + FISCAL_DATA,
            "RQE_NYFED_BASE_URL": self.url,
            "RQE_TREASURYDIRECT_BASE_URL": self.url,
            "RQE_SEC_BASE_URL": self.url,
            "RQE_SEC_13F_BASE_URL": self.url + SEC_13F,
            "RQE_STOOQ_BASE_URL": self.url,
            "RQE_COINBASE_BASE_URL": self.url,
            "RQE_SEC_13F_LIST_BASE_URL": self.url + SEC_13F_LIST,
            "RQE_OPENFIGI_BASE_URL": self.url,
        }

    def endpoints(self) -> Endpoints:
        return Endpoints(fred=self.url, fiscal_data=self.url + FISCAL_DATA, nyfed=self.url,
                         treasurydirect=self.url, sec=self.url, sec_13f=self.url + SEC_13F,
                         stooq=self.url, coinbase=self.url, sec_13f_list=self.url + SEC_13F_LIST, openfigi=self.url)

    def inject(self, match: str, *replies: Reply, persistent: bool = False) -> Fault:
        fault = Fault(match, list(replies), persistent)
        self.faults.append(fault)
        return fault

    def sec_max_per_second(self) -> int:
        """The most SEC requests that arrived within any one second."""
        times = sorted(self.sec_times)
        return max((sum(1 for u in times[i:] if u - t < 1.0) for i, t in enumerate(times)), default=0)

    # -- dispatch --------------------------------------------------------------------------------

    def route(self, path: str, query: dict, n: int, headers: dict, body: bytes = b"") -> Reply:
        reply = self._answer(path, query, headers, body)
        with self._lock:
            self.sent.append((path, len(reply.body)))
        return reply

    def _answer(self, path: str, query: dict, headers: dict, body: bytes = b"") -> Reply:
        sec = path.startswith(("/api/xbrl/", SEC_13F, SEC_13F_LIST))
        if path == OPENFIGI_MAPPING:
            with self._lock:
                self.openfigi_times.append(time.monotonic())
        if sec:
            with self._lock:
                self.sec_times.append(time.monotonic())
        fault = self._fault(path, query)
        if fault is not None:
            return fault
        if sec:
            refusal = self._sec_refusal(headers)
            if refusal is not None:
                return refusal
        gzip_ok = "gzip" in headers.get("Accept-Encoding", "")
        if path == "/graph/fredgraph.csv":
            return self._compressed(self.fred_csv(query), gzip_ok)
        if path.startswith(FISCAL_DATA):
            return self._compressed(self.fiscal_data(path.removeprefix(FISCAL_DATA), query), gzip_ok)
        if path == "/api/rp/results/search.json":
            return self.nyfed_operations(query)
        if path == "/TA_WS/securities/auctioned":
            return self.auctioned(query)
        if path.startswith("/api/xbrl/companyfacts/"):
            return self._compressed(self.companyfacts_doc(path.rsplit("/", 1)[1]), gzip_ok)
        if path.startswith(SEC_13F + "/"):
            body = self.datasets.get(path.rsplit("/", 1)[1])
            return Reply(200, {"Content-Type": "application/zip"}, body) if body else self._not_found()
        if path.startswith(SEC_13F_LIST + "/"):
            name = path.rsplit("/", 1)[1]
            listed = self.lists.get(name) or (self.lists[max(self.lists)] if self.every_list_quarter
                                              and re.fullmatch(r"13flist\d{4}q[1-4]\.txt", name) else None)
            return Reply(200, {"Content-Type": "text/plain"}, listed) if listed else self._not_found()
        if path == OPENFIGI_MAPPING:
            return self.openfigi_mapping(headers, body)
        if path == "/q/d/l/":
            return self.stooq_csv(query)
        if path.startswith("/products/") and path.endswith("/candles"):
            return self.coinbase_candles(path.split("/")[2], query)
        return self._not_found()

    def _fault(self, path: str, query: dict) -> Reply | None:
        target = f"{path}?{urlencode(query)}" if query else path
        with self._lock:
            for fault in self.faults:
                if fault.match in target and (fault.used < len(fault.replies) or fault.persistent):
                    reply = fault.replies[min(fault.used, len(fault.replies) - 1)]
                    fault.used += 1
                    return Reply(reply.status, reply.headers, reply.body, reply.delay_s, reply.cut_after)
        return None

    @staticmethod
    def _compressed(reply: Reply, gzip_ok: bool) -> Reply:
        if not gzip_ok or reply.status != 200:
            return reply
        return Reply(reply.status, {**reply.headers, "Content-Encoding": "gzip"}, gzip.compress(reply.body))

    @staticmethod
    def _not_found() -> Reply:
        return Reply(404, {"Content-Type": "text/html"}, b"<html><body>Not Found</body></html>")

    def _sec_refusal(self, headers: dict) -> Reply | None:
        agent = headers.get("User-Agent", "")
        if "@" not in agent:
            return Reply(403, {"Content-Type": "text/html"},
                         b"<html><body>Your Request Originates from an Undeclared Automated Tool. "
                         b"Please declare your traffic by updating your user agent.</body></html>")
        with self._lock:
            now = self.sec_times[-1]
            if sum(1 for t in self.sec_times if now - t < 1.0) > SEC_MAX_PER_SECOND:
                return Reply(403, {"Content-Type": "text/html"},
                             b"<html><body>Request Rate Threshold Exceeded</body></html>")
        return None

    # -- the services ----------------------------------------------------------------------------

    def fred_csv(self, query: dict) -> Reply:
        content = self.fred.get(query.get("id", ""))
        if content is None:
            return self._not_found()
        header, *lines = content.decode("utf-8").splitlines()
        start, end = query.get("cosd", "0000"), query.get("coed", "9999")
        kept = [line for line in lines if start <= line.split(",", 1)[0] <= end]
        return Reply(200, {"Content-Type": "text/csv"}, "\n".join([header, *kept, ""]).encode())

    def fiscal_data(self, path: str, query: dict) -> Reply:
        dataset = self.fiscal.get(path)
        if dataset is None:
            return json_reply(404, {"error": "Not Found", "message": f"no endpoint {path}"})
        try:
            size = int(query.get("page[size]", FISCAL_DEFAULT_PAGE_SIZE))
            number = int(query.get("page[number]", 1))
            if not (1 <= size <= FISCAL_MAX_PAGE_SIZE and number >= 1) or query.get("format", "json") != "json":
                raise ValueError
            rows = _fiscal_filter(dataset["data"], query.get("filter", ""))
            rows = _fiscal_sort(rows, query.get("sort", ""))
        except (ValueError, KeyError) as exc:
            return json_reply(400, {"error": "Invalid Query Param",
                                    "message": f"Invalid query parameter: {exc or 'page/format'}"})
        total = len(rows)
        pages = math.ceil(total / size)
        page = rows[(number - 1) * size: number * size]

        def link(k: int | None) -> str | None:
            return None if k is None else f"&page%5Bnumber%5D={k}&page%5Bsize%5D={size}"

        meta = {k: v for k, v in dataset["meta"].items() if k in ("labels", "dataTypes", "dataFormats")}
        return json_reply(200, {
            "data": page,
            "meta": {"count": len(page), **meta, "total-count": total, "total-pages": pages},
            "links": {"self": link(number), "first": link(1), "prev": link(number - 1 if number > 1 else None),
                      "next": link(number + 1 if number < pages else None), "last": link(max(pages, 1))},
        })

    def nyfed_operations(self, query: dict) -> Reply:
        start, end = query.get("startDate", "0000"), query.get("endDate", "9999")
        types = set(query.get("operationTypes", "Repo,Reverse Repo").split(","))
        operations = [o for o in self.nyfed["repo"]["operations"]
                      if start <= o["operationDate"] <= end and o["operationType"] in types]
        return json_reply(200, {"repo": {"operations": operations}})

    def auctioned(self, query: dict) -> Reply:
        if query.get("format") != "json":
            return Reply(200, {"Content-Type": "application/xml"}, b"<?xml version='1.0'?><securities/>")
        since = (self.today - dt.timedelta(days=int(query.get("days", 7)))).isoformat()
        return json_reply(200, [a for a in self.treasurydirect
                                if since < a["auctionDate"][:10] <= self.today.isoformat()])

    def companyfacts_doc(self, name: str) -> Reply:
        cik = int(name.removeprefix("CIK").removesuffix(".json") or 0) if name.startswith("CIK") else 0
        facts = self.companyfacts.get(cik)
        return json_reply(200, facts) if facts else self._not_found()

    def stooq_csv(self, query: dict) -> Reply:
        if self.stooq_key is not None and query.get("apikey") != self.stooq_key:
            return Reply(200, {"Content-Type": "text/html"}, HTML_PAGE)
        content = self.stooq.get(query.get("s", "").lower())
        if content is None or query.get("i", "d") != "d":
            return Reply(200, {"Content-Type": "text/plain"}, b"No data")
        if "d1" in query or "d2" in query:  # YYYYMMDD, inclusive
            first, last = (f"{v[:4]}-{v[4:6]}-{v[6:]}" for v in (query.get("d1", "00000000"), query.get("d2", "99999999")))
            header, *lines = content.decode("utf-8").splitlines()
            kept = [line for line in lines if first <= line.split(",", 1)[0] <= last]
            if not kept:
                return Reply(200, {"Content-Type": "text/plain"}, b"No data")
            content = "\n".join([header, *kept, ""]).encode()
        return Reply(200, {"Content-Type": "text/csv"}, content)

    def openfigi_mapping(self, headers: dict, body: bytes) -> Reply:
        keyed = self.openfigi_key is not None and headers.get("X-OPENFIGI-APIKEY") == self.openfigi_key
        if headers.get("X-OPENFIGI-APIKEY") and not keyed:
            return json_reply(401, {"error": "Invalid API key."})
        window = self.openfigi_window_s / (10 if keyed else 1)
        with self._lock:
            now = self.openfigi_times[-1] if self.openfigi_times else time.monotonic()
            if sum(1 for t in self.openfigi_times if now - t < window) > OPENFIGI_REQUESTS:
                return Reply(429, {"Content-Type": "text/plain"}, b"Too Many Requests")
        try:
            jobs = json.loads(body)
            values = [job["idValue"] for job in jobs if job["idType"] == "ID_CUSIP"]
        except (ValueError, KeyError, TypeError):
            return json_reply(400, {"error": "Request body must be a JSON array of mapping jobs."})
        if len(values) > OPENFIGI_JOBS[keyed]:
            return json_reply(413, {"error": f"Too many mapping jobs: at most {OPENFIGI_JOBS[keyed]} per request."})
        return json_reply(200, [self.openfigi_known.get(v) or ({"warning": "No identifier found."} if len(v) == 9
                                                               else {"error": "Invalid idValue format."})
                                for v in values])

    def coinbase_candles(self, product: str, query: dict) -> Reply:
        if product not in self.products:
            return json_reply(404, {"message": "NotFound"})
        try:
            granularity = int(query["granularity"])
            start = _unix(query["start"])
            end = _unix(query["end"])
        except (KeyError, ValueError):
            return json_reply(400, {"message": "start, end and granularity are required"})
        if granularity not in COINBASE_GRANULARITIES:
            return json_reply(400, {"message": "Unsupported granularity"})
        if (end - start) // granularity + 1 > COINBASE_MAX_CANDLES:
            return json_reply(400, {"message": "granularity too small for the requested time range. "
                                               "Count of aggregations requested exceeds 300"})
        return json_reply(200, sorted((c for c in self.candles if start <= c[0] <= end), reverse=True))


def _openfigi_answers(folder: Path) -> dict[str, dict]:
    """CUSIP -> its result, from the fixtures' landed OpenFIGI exchanges (request beside answer)."""
    known = {}
    for request in folder.glob("*.request.json"):
        jobs = json.loads(request.read_bytes())["jobs"]
        answer = json.loads(request.with_name(request.name.replace(".request.json", ".json")).read_bytes())
        known.update({job["idValue"]: result for job, result in zip(jobs, answer) if "data" in result})
    return known


def _unix(value: str) -> int:
    return int(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


_OPS = {"eq": lambda a, b: a == b, "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
        "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
        "in": lambda a, b: a in b.strip("()").split(",")}
_TERM = re.compile(r"(?:[^,(]|\([^)]*\))+")


def _fiscal_filter(rows: list[dict], spec: str) -> list[dict]:
    """``field:op:value`` terms, comma-separated (``in:(a,b)`` keeps its commas)."""
    for term in _TERM.findall(spec):
        name, op, value = term.split(":", 2)
        if op not in _OPS or (rows and name not in rows[0]):
            raise ValueError(f"filter {term!r}")
        rows = [r for r in rows if r[name] is not None and _OPS[op](r[name], value)]
    return rows


def _fiscal_sort(rows: list[dict], spec: str) -> list[dict]:
    for key in reversed([k for k in spec.split(",") if k]):
        name = key.lstrip("-")
        if rows and name not in rows[0]:
            raise ValueError(f"sort {key!r}")
        rows = sorted(rows, key=lambda r: r[name], reverse=key.startswith("-"))
    return rows
