"""How source documents arrive: over HTTP (live) or from a directory laid out like the sources.

Every transport returns :class:`Document` objects holding the exact bytes, so one parser per format
serves the live service, a replay directory of downloads, and the bundled scenario alike.

``httpx`` and ``tenacity`` are imported when an :class:`HttpTransport` is made, not here: loading
the Dagster code location imports this module and must not pay for the HTTP client.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import os
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping
from urllib.parse import urlsplit, urlunsplit

from reverse_qe.redaction import redact, redact_bytes
from reverse_qe.replace_file import replace_file
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.limits import ENV_DOCUMENT_BYTES, max_document_bytes, too_big

if TYPE_CHECKING:
    import httpx
    from tenacity import RetryCallState

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Query parameters holding a secret: sent, but never recorded (locations, errors, logs).
SECRET_PARAMS = frozenset({"apikey", "api_key"})
# Defaults of the live transport, each overridable by env (see README "Live mode").
ENV_ATTEMPTS, DEFAULT_ATTEMPTS = "RQE_HTTP_ATTEMPTS", 5
ENV_TIMEOUT_S, DEFAULT_TIMEOUT_S = "RQE_HTTP_TIMEOUT_S", 30.0
ENV_MAX_BACKOFF_S, DEFAULT_MAX_BACKOFF_S = "RQE_HTTP_MAX_BACKOFF_S", 60.0

# A body check: given the complete body and its location, a problem to retry on (None: fine).
BodyCheck = Callable[[bytes, str], "str | None"]


@dataclass(frozen=True)
class Document:
    """One fetched file or HTTP response body, with where it came from."""

    source: str
    name: str
    location: str
    content: bytes

    @property
    def fmt(self) -> str:
        return Path(self.name).suffix.lstrip(".").lower()


class RateLimiter:
    """At most ``per_second`` calls to :meth:`wait` return per second (evenly spaced), across threads."""

    def __init__(self, per_second: float, *, clock=time.monotonic, sleep=time.sleep):
        if per_second <= 0:
            raise ValueError(f"per_second must be positive, got {per_second}")
        self.interval = 1.0 / per_second
        self._clock, self._sleep = clock, sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


class SourceFetchError(RuntimeError):
    """A source could not be reached or read; names the source and the URL or path. ``transient``:
    the service failed in a way a later try may not (5xx, 429, a dropped connection, after the
    client's own retries); a 404, a 401 or a missing file is not."""

    def __init__(self, message: str, *, transient: bool = False):
        self.transient = transient
        super().__init__(redact(message))


class SourceNotProvided(SourceFetchError):
    """A replay directory holds nothing for this source (no folder), or nothing for this table in a
    folder that holds other files: the source is not provided, which is not a failure."""

    def __init__(self, source: str, message: str):
        self.source = source
        super().__init__(message)


class FileTransport:
    """Reads documents from ``root/<source>/`` (a replay directory, or the generated scenario)."""

    def __init__(self, root: Path, mode: str = "replay"):
        self.root = Path(root)
        self.mode = mode

    def glob(self, source: str, pattern: str, *, required: bool = True, max_bytes: int | None = None) -> list[Document]:
        """The files of ``<root>/<source>/`` matching ``pattern``. When ``required`` and none match:
        no folder, or a folder holding only other files, means the source (or this table of it) is
        not provided (:class:`SourceNotProvided`); an empty folder is an error (a download that
        went wrong), as is a folder whose only files are unreadable ones the parser then rejects.
        A file larger than ``max_bytes`` (``limits.max_document_bytes()`` when None) is refused by
        its size, before it is read."""
        folder = self.root / source
        matched = sorted(folder.glob(pattern))
        for path in matched:
            self._refuse_links_out(source, path)
        paths = [p for p in matched if p.is_file()]
        if required and not paths:
            where = f"(a {self.mode} directory holds one sub-folder per source; see README 'Replay layout')"
            if not folder.is_dir():
                raise SourceNotProvided(source, f"[{source}] not provided: no folder {folder} {where}")
            others = sorted(p.name for p in folder.iterdir())
            if not others:
                raise SourceFetchError(f"[{source}] {folder} is empty: nothing to read for {pattern!r} {where}")
            raise SourceNotProvided(source, f"[{source}] not provided for {pattern!r}: {folder} holds only "
                                            f"{', '.join(others[:5])}{' ...' if len(others) > 5 else ''}")
        limit, env = (max_document_bytes(), ENV_DOCUMENT_BYTES) if max_bytes is None else (max_bytes, "")
        for path in paths:
            size = path.stat().st_size
            if size > limit:
                raise SourceFormatError(source, str(path), too_big(size, limit, env or "its bound"))
        return [Document(source, p.name, str(p), p.read_bytes()) for p in paths]


    def _refuse_links_out(self, source: str, path: Path) -> None:
        """A symbolic link on the way from the replay directory to ``path`` (the source folder, a
        data-set folder, the file) must stay inside the replay directory: one that leaves it is
        refused, naming the link and where it points, and never followed."""
        root = self.root.resolve()
        current = self.root
        for part in path.relative_to(self.root).parts:
            current = current / part
            if current.is_symlink() and not current.resolve().is_relative_to(root):
                raise SourceFormatError(source, str(current), (
                    f"a symbolic link to {os.readlink(current)} (resolving to {current.resolve()}), outside "
                    f"the {self.mode} directory {root}: not followed; copy the file into the directory"))


def redact_url(url: str) -> str:
    """``url`` without its secret query parameters (API keys), for anything that is recorded."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [p for p in parts.query.split("&") if p.split("=", 1)[0].lower() not in SECRET_PARAMS]
    return urlunsplit(parts._replace(query="&".join(kept)))


def redact_text(text: str) -> str:
    """Free text (an error, a log line) with every secret hidden (:func:`reverse_qe.redaction.redact`)."""
    return redact(text)


class _RedactSecrets(logging.Filter):
    """httpx logs every request URL at INFO: hide API keys in those lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_REDACT_FILTER = _RedactSecrets()


def _env_number(name: str, default: float, cast: type) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = cast(raw)
    except ValueError:
        value = None
    if value is None or value <= 0:
        raise ValueError(f"{name}={raw!r}: expected a positive {cast.__name__}")
    return value


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


class _Retryable(Exception):
    """One attempt failed in a way another attempt may not."""


class _RetryableStatus(_Retryable):
    def __init__(self, status: int, retry_after: str | None):
        self.status = status
        self.retry_after = _retry_after_seconds(retry_after)
        after = f" (Retry-After {self.retry_after:g} s)" if self.retry_after is not None else ""
        super().__init__(f"HTTP {status}{after}")


class _BadBody(_Retryable):
    """A 200 answer whose body is incomplete or not what was asked for (truncated, empty page)."""


def _is_retryable(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, (_Retryable, httpx.TransportError))


class HttpTransport:
    """GETs documents over HTTP with timeouts and retries, keeping every body in the landing folder.

    Retries (tenacity) cover connection errors, timeouts, a body cut short, 429 and 5xx; a
    ``Retry-After`` is honoured (a wait longer than ``max_backoff_s`` ends the retries). After the
    last attempt the error names the URL and the number of attempts. The body is streamed and
    abandoned once it exceeds ``max_bytes`` (decoded); gzip is decoded here, so a truncated gzip
    stream is an error, not a shorter document. API keys in query parameters are sent but never
    recorded: locations, errors and httpx's log lines carry the URL without them.
    ``attempts``, ``timeout_s`` and ``max_backoff_s`` default to ``RQE_HTTP_ATTEMPTS``,
    ``RQE_HTTP_TIMEOUT_S`` and ``RQE_HTTP_MAX_BACKOFF_S`` (5, 30 s, 60 s).
    """

    mode = "live"

    def __init__(
        self,
        landing_dir: Path,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
        attempts: int | None = None,
        max_backoff_s: float | None = None,
        max_bytes: int | None = None,
        today: dt.date | None = None,
    ):
        import httpx

        self.landing_dir = Path(landing_dir)
        self.attempts = attempts or int(_env_number(ENV_ATTEMPTS, DEFAULT_ATTEMPTS, int))
        self.timeout_s = timeout_s or _env_number(ENV_TIMEOUT_S, DEFAULT_TIMEOUT_S, float)
        self.max_backoff_s = (max_backoff_s if max_backoff_s is not None
                              else _env_number(ENV_MAX_BACKOFF_S, DEFAULT_MAX_BACKOFF_S, float))
        self.max_bytes = max_bytes or max_document_bytes()  # a 13F data-set zip asks for more per call
        self.today = today or dt.date.today()
        logging.getLogger("httpx").addFilter(_REDACT_FILTER)  # a set: added once however often
        # gzip only: this transport decodes it itself, checking the stream is complete
        self.client = httpx.Client(
            headers={"Accept-Encoding": "gzip", **dict(headers or {})},
            timeout=httpx.Timeout(self.timeout_s), follow_redirects=True,
        )

    def _wait(self, state: RetryCallState) -> float:
        from tenacity import wait_exponential_jitter

        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus) and exc.retry_after is not None:
            return exc.retry_after
        return wait_exponential_jitter(initial=0.5, max=self.max_backoff_s)(state)

    def _stop(self, state: RetryCallState) -> bool:
        """After the last attempt, or when the server asks for a longer pause than we would wait."""
        exc = state.outcome.exception() if state.outcome else None
        too_long = (isinstance(exc, _RetryableStatus) and exc.retry_after is not None
                    and exc.retry_after > self.max_backoff_s)
        return state.attempt_number >= self.attempts or too_long

    def _read_body(self, response: httpx.Response, shown: str, source: str, max_bytes: int) -> bytes:
        """The decoded body, streamed: abandoned past ``max_bytes``, checked complete if gzip."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise SourceFetchError(f"[{source}] GET {shown} announces {int(declared):,} bytes, more than "
                                   f"the {max_bytes:,} this client accepts")
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("identity", "", "gzip", "x-gzip"):
            raise SourceFetchError(f"[{source}] GET {shown} sent Content-Encoding {encoding!r}; "
                                   "only gzip was asked for")
        gunzip = zlib.decompressobj(zlib.MAX_WBITS | 16) if encoding in ("gzip", "x-gzip") else None
        chunks, size = [], 0
        for raw in response.iter_raw():
            try:
                data = gunzip.decompress(raw, max_bytes + 1 - size) if gunzip else raw
            except zlib.error as exc:
                raise _BadBody(f"the gzip body is corrupt ({exc})") from exc
            size += len(data)
            if size > max_bytes:
                raise SourceFetchError(f"[{source}] GET {shown} returned more than {max_bytes:,} "
                                       "bytes; stopped reading")
            chunks.append(data)
        if gunzip is not None and not gunzip.eof:
            raise _BadBody(f"the gzip body is truncated: its stream ends after {size:,} decoded bytes "
                           "without the gzip end marker")
        if gunzip is not None and gunzip.unused_data:
            raise _BadBody("unexpected bytes after the end of the gzip body")
        return b"".join(chunks)

    def _get_once(self, source: str, url: str, params: Mapping[str, str] | None,
                  headers: Mapping[str, str] | None, limiter: RateLimiter | None,
                  check: BodyCheck | None, shown: str, max_bytes: int, method: str = "GET",
                  body: bytes | None = None) -> tuple[int, str, bytes]:
        if limiter is not None:
            limiter.wait()
        with self.client.stream(method, url, params=params, headers=dict(headers or {}), content=body) as response:
            if response.status_code in RETRY_STATUSES:
                raise _RetryableStatus(response.status_code, response.headers.get("Retry-After"))
            location = redact_url(str(response.request.url))
            content = self._read_body(response, location, source, max_bytes)
        if response.status_code == 200 and check is not None:
            problem = check(content, location)
            if problem:
                raise _BadBody(problem)
        return response.status_code, location, content

    def get(self, source: str, name: str, url: str, params: Mapping[str, str] | None = None, *,
            headers: Mapping[str, str] | None = None, limiter: RateLimiter | None = None,
            check: BodyCheck | None = None, max_bytes: int | None = None) -> Document:
        """GET ``url``; ``headers`` are added to this request; every attempt (retries too) first
        waits for ``limiter`` when one is given. ``check`` looks at a complete 200 body: a problem
        it returns is retried like a 5xx, and the error after the last attempt states it. Only a
        complete, checked body is landed and returned. ``max_bytes``: this response's bound, when
        it is not the transport's (a 13F data-set zip)."""
        return self._request("GET", source, name, url, params, headers=headers, limiter=limiter, check=check,
                             max_bytes=max_bytes)

    def post(self, source: str, name: str, url: str, body: bytes, *, headers: Mapping[str, str] | None = None,
             limiter: RateLimiter | None = None, check: BodyCheck | None = None) -> Document:
        """POST ``body`` to ``url`` (an API that takes its question as a body: OpenFIGI's mapping),
        with the retries, limits, checks, redaction and landing of :meth:`get`."""
        return self._request("POST", source, name, url, None, headers=headers, limiter=limiter, check=check,
                             max_bytes=None, body=body)

    def _request(self, method: str, source: str, name: str, url: str, params: Mapping[str, str] | None, *,
                 headers: Mapping[str, str] | None, limiter: RateLimiter | None, check: BodyCheck | None,
                 max_bytes: int | None, body: bytes | None = None) -> Document:
        import httpx
        from tenacity import Retrying, retry_if_exception

        shown = redact_url(str(httpx.URL(url, params=params)))
        retrying = Retrying(retry=retry_if_exception(_is_retryable), stop=self._stop, wait=self._wait,
                            reraise=True)
        try:
            status, location, content = retrying(self._get_once, source, url, params, headers, limiter,
                                                 check, shown, max_bytes or self.max_bytes, method, body)
        except (_Retryable, httpx.HTTPError) as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            what = str(exc) if isinstance(exc, _Retryable) else f"{type(exc).__name__}: {exc}"
            if isinstance(exc, _RetryableStatus) and attempts < self.attempts:
                what += f", longer than the {self.max_backoff_s:g} s this client waits ({ENV_MAX_BACKOFF_S})"
            raise SourceFetchError(redact_text(
                f"[{source}] {method} {shown} failed after {attempts} attempt{'s' * (attempts > 1)}: {what}"
            ), transient=_is_retryable(exc)) from exc
        content = redact_bytes(content)  # a body echoing a secret is neither kept nor quoted with it
        if status != 200:
            snippet = " ".join(content[:200].decode("utf-8", "replace").split())
            raise SourceFetchError(redact_text(
                f"[{source}] {method} {location} answered HTTP {status}" + (f": {snippet}" if snippet else "")))
        self.land(source, name, content)
        return Document(source, name, location, content)

    def landed(self, source: str, name: str) -> Path | None:
        """Today's landing copy of ``name``, if an earlier request today already fetched it."""
        path = self.landing_dir / source / self.today.isoformat() / name
        return path if path.is_file() else None

    def land(self, source: str, name: str, content: bytes) -> Path:
        """Keep the exact bytes under ``landing/<source>/<date>/<name>``, written atomically."""
        folder = self.landing_dir / source / self.today.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        return replace_file(folder / name, content)

    def close(self) -> None:
        self.client.close()
