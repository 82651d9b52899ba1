"""How source documents arrive: over HTTP (live) or from a directory laid out like the sources.

Every transport returns :class:`Document` objects holding the exact bytes, so one parser per format
serves the live service, a replay directory of downloads, and the bundled scenario alike.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RESPONSE_BYTES = 200 * 1024 * 1024


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
    """A source could not be reached or read; names the source and the URL or path."""


class FileTransport:
    """Reads documents from ``root/<source>/`` (a replay directory, or the generated scenario)."""

    def __init__(self, root: Path, mode: str = "replay"):
        self.root = Path(root)
        self.mode = mode

    def glob(self, source: str, pattern: str, *, required: bool = True) -> list[Document]:
        folder = self.root / source
        paths = sorted(p for p in folder.glob(pattern) if p.is_file())
        if required and not paths:
            raise SourceFetchError(
                f"[{source}] no file matching {pattern!r} in {folder} "
                f"(a {self.mode} directory holds one sub-folder per source; see README 'Replay layout')"
            )
        return [Document(source, p.name, str(p), p.read_bytes()) for p in paths]


def _retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    when = email.utils.parsedate_to_datetime(value)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response):
        self.response = response
        super().__init__(f"HTTP {response.status_code}")


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, (_RetryableStatus, httpx.TransportError))


class HttpTransport:
    """GETs documents over HTTP with timeouts and retries, keeping every body in the landing folder.

    Retries (tenacity) cover connection errors, timeouts, 429 and 5xx; a 429/503 ``Retry-After``
    is honoured. After the last attempt the error names the URL and the number of attempts.
    """

    mode = "live"

    def __init__(
        self,
        landing_dir: Path,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_s: float = 30.0,
        attempts: int = 5,
        max_backoff_s: float = 60.0,
        today: dt.date | None = None,
    ):
        self.landing_dir = Path(landing_dir)
        self.attempts = attempts
        self.max_backoff_s = max_backoff_s
        self.today = today or dt.date.today()
        self.client = httpx.Client(
            headers=dict(headers or {}), timeout=httpx.Timeout(timeout_s), follow_redirects=True
        )

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus):
            after = _retry_after_seconds(exc.response)
            if after is not None:
                return min(after, self.max_backoff_s)
        return wait_exponential_jitter(initial=0.5, max=self.max_backoff_s)(state)

    def _get_once(self, url: str, params: Mapping[str, str] | None,
                  headers: Mapping[str, str] | None = None,
                  limiter: RateLimiter | None = None) -> httpx.Response:
        if limiter is not None:
            limiter.wait()
        response = self.client.get(url, params=params, headers=dict(headers or {}))
        if response.status_code in RETRY_STATUSES:
            raise _RetryableStatus(response)
        return response

    def get(self, source: str, name: str, url: str, params: Mapping[str, str] | None = None, *,
            headers: Mapping[str, str] | None = None, limiter: RateLimiter | None = None) -> Document:
        """GET ``url``; ``headers`` are added to this request; every attempt (retries too) first
        waits for ``limiter`` when one is given."""
        retrying = Retrying(
            retry=retry_if_exception(_is_retryable),
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            reraise=True,
        )
        try:
            response = retrying(self._get_once, url, params, headers, limiter)
        except (_RetryableStatus, httpx.HTTPError) as exc:
            raise SourceFetchError(
                f"[{source}] GET {url} failed after {self.attempts} attempts: {exc}"
            ) from exc
        location = str(response.request.url)
        if response.status_code != 200:
            raise SourceFetchError(f"[{source}] GET {location} answered HTTP {response.status_code}")
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise SourceFetchError(f"[{source}] GET {location} returned more than {MAX_RESPONSE_BYTES} bytes")
        self._land(source, name, response.content)
        return Document(source, name, location, response.content)

    def _land(self, source: str, name: str, content: bytes) -> Path:
        """Keep the exact bytes under ``landing/<source>/<date>/<name>``, written atomically."""
        folder = self.landing_dir / source / self.today.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        target = folder / name
        os.replace(tmp, target)
        return target

    def close(self) -> None:
        self.client.close()
