"""Alerts: record each event of ``marts.fct_absorption_alerts`` once, and post it once to a webhook.

The mart (dbt) says what changed in the whole history: the held regime, a score threshold crossed.
This module keeps the delivery state in ``alerts.absorption_alert_log`` (the published copy has it
too): a new event is recorded once (by ``alert_id``), posted as JSON to the URL in env
``RQE_ALERT_WEBHOOK`` with retries, and marked ``posted``; a post that still fails stays ``queued``
for the next run, and the run goes on. So a re-run, or a backfill that rebuilds the mart, posts
nothing again. Events older than ``RECENT_WEEKS`` before the latest week when first seen (the whole
history on a first run, an old week a backfill revised) are recorded as ``history`` and never
posted: the webhook pages someone about now, not about 2020.

``httpx`` is imported when a post is made: loading the Dagster code location imports this module.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import duckdb

log = logging.getLogger(__name__)

ENV_WEBHOOK = "RQE_ALERT_WEBHOOK"
MART = "marts.fct_absorption_alerts"
LOG_TABLE = "alerts.absorption_alert_log"
RECENT_WEEKS = 4  # an event this many weeks or fewer before the latest week is news, and posted
POST_ATTEMPTS = 3
BACKOFF_S = (1.0, 4.0)  # pauses between the attempts of one run
TIMEOUT_S = 10.0

LOG_DDL = """
create table if not exists alerts.absorption_alert_log (
    alert_id varchar primary key,     -- marts.fct_absorption_alerts.alert_id
    week_ending date not null,
    alert_kind varchar not null,      -- regime_change | score_crossing
    message varchar not null,
    payload_json varchar not null,    -- exactly what is posted
    recorded_at_utc timestamp not null,
    delivery varchar not null,        -- queued | posted | history (never posted)
    attempts integer not null,        -- posts tried, over all runs
    posted_at_utc timestamp,
    last_error varchar                -- the last failed post's error (null once posted)
)
"""
LOG_COMMENT = ("One row per alert of marts.fct_absorption_alerts, recorded once: its JSON payload and "
               "delivery to the webhook in RQE_ALERT_WEBHOOK (queued, posted, or history: older than "
               f"{RECENT_WEEKS} weeks before the latest week when first seen, never posted).")


@dataclass
class AlertRun:
    recorded: list[str] = field(default_factory=list)   # new alert ids, this run
    history: list[str] = field(default_factory=list)    # of those, recorded as history
    posted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)     # still queued after this run's attempts
    queued_without_webhook: int = 0


def ensure_log(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists alerts")
    conn.execute(LOG_DDL)
    conn.execute(f"comment on table {LOG_TABLE} is '{LOG_COMMENT}'")


def record_new(conn: duckdb.DuckDBPyConnection, now: dt.datetime, recent_weeks: int = RECENT_WEEKS
               ) -> tuple[list[str], list[str]]:
    """Insert the mart's alerts not in the log yet; return (new ids, those recorded as history)."""
    ensure_log(conn)
    cursor = conn.execute(f"""
        select m.*, (select max(week_ending) from marts.fct_capex_absorption) as latest_week
        from {MART} m
        anti join {LOG_TABLE} l using (alert_id)
        order by m.week_ending, m.alert_id""")
    names = [d[0] for d in cursor.description]
    new, history = [], []
    for values in cursor.fetchall():
        row = dict(zip(names, values))
        latest = row.pop("latest_week")
        payload = json.dumps(_jsonable(row), sort_keys=True)
        old = latest is not None and row["week_ending"] < latest - dt.timedelta(weeks=recent_weeks)
        conn.execute(f"insert into {LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, 0, null, null)",
                     [row["alert_id"], row["week_ending"], row["alert_kind"], row["message"], payload, now,
                      "history" if old else "queued"])
        new.append(row["alert_id"])
        if old:
            history.append(row["alert_id"])
    return new, history


def _jsonable(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = float(value)  # Decimal
        out[key] = value
    return out


Poster = Callable[[str, bytes, dict], int]  # (url, body, headers) -> HTTP status


class _HideUrl(logging.Filter):
    """httpx logs every request's URL at INFO: show the webhook's scheme and host only."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.url in message:
            record.msg, record.args = message.replace(self.url, webhook_label(self.url)), ()
        return True


def http_post(url: str, body: bytes, headers: dict) -> int:
    import httpx

    hide = _HideUrl(url)
    logging.getLogger("httpx").addFilter(hide)
    try:
        return httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_S).status_code
    finally:
        logging.getLogger("httpx").removeFilter(hide)


def webhook_label(url: str) -> str:
    """The webhook as logs may show it: scheme and host only (its path or query may hold a token)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}"


def post_once(url: str, alert_id: str, payload: str, post: Poster = http_post, attempts: int = POST_ATTEMPTS,
              backoff_s: tuple[float, ...] = BACKOFF_S, sleep: Callable[[float], None] = time.sleep
              ) -> tuple[bool, int, str | None]:
    """POST ``payload`` with retries: (delivered, attempts made, last error). A 2xx is delivered;
    a 4xx other than 408/429 will not mend by retrying, so it stops there (and stays queued)."""
    headers = {"Content-Type": "application/json", "Idempotency-Key": alert_id}
    error = None
    for attempt in range(1, attempts + 1):
        try:
            status = post(url, payload.encode(), headers)
        except Exception as exc:  # noqa: BLE001 - a dropped connection, a timeout, a refused port
            error = f"{type(exc).__name__}: {exc}"
        else:
            if 200 <= status < 300:
                return True, attempt, None
            error = f"HTTP {status}"
            if 400 <= status < 500 and status not in (408, 429):
                return False, attempt, error
        if attempt < attempts:
            sleep(backoff_s[min(attempt - 1, len(backoff_s) - 1)])
    return False, attempts, error


def deliver_queued(conn: duckdb.DuckDBPyConnection, url: str | None, now: dt.datetime, post: Poster = http_post,
                   **retry) -> tuple[list[str], list[str], int]:
    """Post every queued alert, oldest first; (posted ids, failed ids, queued without a webhook)."""
    queued = conn.execute(f"select alert_id, payload_json from {LOG_TABLE} where delivery = 'queued' "
                          "order by week_ending, alert_id").fetchall()
    if not url:
        return [], [], len(queued)
    posted, failed = [], []
    for alert_id, payload in queued:
        delivered, tries, error = post_once(url, alert_id, payload, post, **retry)
        if delivered:
            conn.execute(f"update {LOG_TABLE} set delivery = 'posted', attempts = attempts + ?, posted_at_utc = ?, "
                         "last_error = null where alert_id = ?", [tries, now, alert_id])
            posted.append(alert_id)
        else:
            conn.execute(f"update {LOG_TABLE} set attempts = attempts + ?, last_error = ? where alert_id = ?",
                         [tries, error, alert_id])
            failed.append(alert_id)
            log.warning("alert %s not delivered to the webhook %s after %d attempt(s) (%s): it stays queued "
                        "for the next run", alert_id, webhook_label(url), tries, error)
    return posted, failed, 0


def run_alerts(conn: duckdb.DuckDBPyConnection, url: str | None = None, now: dt.datetime | None = None,
               post: Poster = http_post, **retry) -> AlertRun:
    """Record the mart's new alerts and post the queued ones to ``url`` (default: env RQE_ALERT_WEBHOOK)."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    url = url if url is not None else os.environ.get(ENV_WEBHOOK, "").strip() or None
    new, history = record_new(conn, now)
    posted, failed, waiting = deliver_queued(conn, url, now, post, **retry)
    if waiting:
        log.info("%d alert(s) queued: no webhook (set %s to post them)", waiting, ENV_WEBHOOK)
    return AlertRun(new, history, posted, failed, waiting)
