"""Facts about a process by its PID, from Linux's /proc: alive, its command line, when it started.
No Dagster here; elsewhere than Linux each answers "unknown" (None) except :func:`alive`."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return _state(pid) != "Z"  # a zombie (killed, not yet reaped by its parent) is gone


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def arguments(pid: int) -> list[str]:
    """The argv of a live process ([] when it is gone or unreadable)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def command(pid: int) -> str | None:
    """The command line of a live process, or None when it is gone or unreadable."""
    return " ".join(arguments(pid))[:300] or None


def started(pid: int) -> dt.datetime | None:
    """When a live process started (local time), or None when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, IndexError, StopIteration, ValueError):
        return None
    # field 22 of stat (starttime, in clock ticks after boot) is the 20th after the command's ')'
    return dt.datetime.fromtimestamp(boot + int(fields[19]) / os.sysconf("SC_CLK_TCK"))


def same_process(pid: int, seen_at: float) -> bool:
    """Whether ``pid`` is alive and is the process that was running at time ``seen_at`` (epoch
    seconds), not a later one given the same PID: it must have started by then (1 s of slack: the
    boot time in /proc is whole seconds)."""
    if not alive(pid):
        return False
    start = started(pid)
    return start is None or start.timestamp() <= seen_at + 1.0
