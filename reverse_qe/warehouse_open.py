"""Opening the working warehouse: a bounded, talkative wait for DuckDB's file lock, and an immediate,
named failure for everything a wait cannot mend. No Dagster here.

DuckDB locks its file per process. When another process holds it, the open is retried for
``RQE_LOCK_WAIT_S`` seconds, saying at once and then every 30 s who holds it (the PID DuckDB's own
error names, that process's command and start time) and whether it is a process of the pipeline or
an outside one (an analyst's DuckDB shell: the message names ``published.duckdb``, the copy to open
instead); then it gives up with :class:`WarehouseLocked`. Any other failure to open (a file that is
not a DuckDB database, a missing folder, a folder that cannot be written) is deterministic: it raises
:class:`WarehouseOpenError` at once with the cause, never retried (it used to be retried for ~100 s
per open, then again by the step's retry policy, for about 40 minutes across the daily assets).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reverse_qe import processes
from reverse_qe.settings import lock_wait_s, published_path

if TYPE_CHECKING:
    import duckdb

REPORT_EVERY_S = 30.0  # the longest silence while waiting for the lock
POLL_S = 1.0
# DuckDB 1.x/2.0: 'Could not set lock on file "<path>": Conflicting lock is held in <command> (PID <n>)'
_LOCK_ERROR = "Could not set lock on file"
_LOCK_HOLDER = re.compile(r"held in (?P<command>.*?) \(PID (?P<pid>\d+)\)")
# Processes of the pipeline, by their command line: the runner, Dagster (CLI, daemon, code server,
# run worker) and dbt (directly or through reverse_qe.dbt_child).
_PIPELINE_COMMANDS = ("orchestration.", "dagster", "dbt")


class WarehouseUnavailable(Exception):
    """The warehouse cannot be opened. Never transient for the step's retry policy: a lock has
    already been waited for (``RQE_LOCK_WAIT_S``), and the other causes do not change by retrying."""

    transient = False


class WarehouseLocked(WarehouseUnavailable):
    pass


class WarehouseOpenError(WarehouseUnavailable):
    pass


@dataclass(frozen=True)
class LockHolder:
    pid: int | None
    command: str
    since: dt.datetime | None
    program: str = ""  # the first three arguments: interpreter, -m/-c, module or code (not data paths)

    @property
    def in_pipeline(self) -> bool:
        return any(marker in (self.program or self.command) for marker in _PIPELINE_COMMANDS)

    def describe(self) -> str:
        since = f", running since {self.since:%Y-%m-%d %H:%M:%S}" if self.since else ""
        pid = f"PID {self.pid}" if self.pid is not None else "an unknown process"
        return f"{pid} ({self.command or 'command unknown'}{since})"


def lock_holder(message: str) -> LockHolder | None:
    """The process holding the lock, from DuckDB's error message; None when it is not a lock error."""
    if _LOCK_ERROR not in message:
        return None
    match = _LOCK_HOLDER.search(message)
    if match is None:
        return LockHolder(None, "", None)
    pid = int(match["pid"])
    return LockHolder(pid, processes.command(pid) or match["command"], processes.started(pid),
                      " ".join(processes.arguments(pid)[:3]))


def lock_message(path: Path, holder: LockHolder) -> str:
    """Who holds the warehouse, and for a process outside the pipeline, what analysts should open."""
    if holder.in_pipeline:
        return f"the warehouse {path} is locked by {holder.describe()}, a process of the pipeline"
    return (f"the warehouse {path} is locked by {holder.describe()}, a process OUTSIDE the pipeline "
            f"(an analyst's DuckDB session?): close it. Analysts open the published copy "
            f"{published_path(path)} (read-only, safe during runs), never the working warehouse")


def open_error(path: Path, err: Exception) -> WarehouseOpenError:
    """A deterministic failure to open ``path``, named by its cause."""
    text = str(err)
    if "not a valid DuckDB database" in text:
        cause = (f"{path} is not a DuckDB database file: move it aside (or point RQE_WAREHOUSE elsewhere) "
                 "and run again to rebuild it")
    elif "No such file or directory" in text:
        cause = f"the folder {path.parent} does not exist"
    elif any(s in text for s in ("Permission denied", "Operation not permitted", "Read-only file system")):
        cause = f"the warehouse {path} or its folder cannot be written"
    else:
        cause = f"the warehouse {path} cannot be opened"
    return WarehouseOpenError(f"{cause} ({type(err).__name__}: {text}); not retried: it fails the same "
                              f"way every time. The published copy {published_path(path)} is untouched.")


def check_writable(folder: Path) -> None:
    """DuckDB writes its .wal beside the file: a folder it cannot write fails at the first commit,
    with a transaction error; probe it before any work instead."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".rqe-write-probe-"):
            pass
    except OSError as err:
        raise open_error(folder / "reverse_qe.duckdb", err) from err


def open_warehouse(path: Path, *, read_only: bool = False, config: dict | None = None,
                   wait_s: float | None = None, report: Callable[[str], None] = print,
                   clock: Callable[[], float] = time.monotonic) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` on the warehouse, waiting at most ``wait_s`` (``RQE_LOCK_WAIT_S``) for a
    lock held by another process and reporting who holds it; :class:`WarehouseOpenError` at once for
    anything else."""
    import duckdb

    wait_s = lock_wait_s() if wait_s is None else wait_s
    started, reported = clock(), None
    while True:
        try:
            conn = duckdb.connect(str(path), read_only=read_only, config=config or {})
            break
        except duckdb.IOException as err:
            holder = lock_holder(str(err))
            if holder is None:
                raise open_error(path, err) from err
            waited = clock() - started
            if waited >= wait_s:
                raise WarehouseLocked(f"gave up after {waited:.0f}s (RQE_LOCK_WAIT_S={wait_s:g}): "
                                      f"{lock_message(path, holder)}") from err
            if reported is None or clock() - reported >= REPORT_EVERY_S:
                report(f"waiting for the warehouse lock ({waited:.0f}s of at most {wait_s:g}s, "
                       f"RQE_LOCK_WAIT_S): {lock_message(path, holder)}")
                reported = clock()
            time.sleep(min(POLL_S, max(0.0, wait_s - waited)))
    if not read_only:
        try:
            check_writable(path.parent)
        except WarehouseOpenError:
            conn.close()
            raise
    return conn


def tables_missing(path: Path, tables: Iterable[tuple[str, str]]) -> bool:
    """Whether the warehouse at ``path`` lacks one of ``tables`` ((schema, name) pairs), or this cannot
    be told at once (no file, a lock held elsewhere, a connection of this process with another
    configuration): the caller then builds them. One read-only look at DuckDB's catalog, no wait."""
    import duckdb

    from reverse_qe.table_fingerprints import base_tables

    wanted = set(tables)
    if not wanted:
        return False
    try:
        with duckdb.connect(str(path), read_only=True) as conn:
            present = set(base_tables(conn, conn.execute("select current_database()").fetchone()[0]))
    except (duckdb.Error, OSError):
        return True
    return not wanted <= present
