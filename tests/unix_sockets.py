"""Whether a process listens at an abstract Unix socket, as the dbt started ahead does."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

LISTENING = 0x10000  # __SO_ACCEPTCON, the flag /proc/net/unix shows on a socket that listens


def listens(name: str) -> bool:
    """Whether a socket listens at the abstract address ``name`` (shown as ``@name``)."""
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) == 8 and fields[7] == f"@{name}" and int(fields[3], 16) & LISTENING:
            return True
    return False


def wait_until_listening(process: subprocess.Popen, name: str, what: str, timeout: float = 30) -> None:
    """Wait until ``process`` (``what``, for the failure) listens at ``name``; fail if it ends first."""
    deadline = time.monotonic() + timeout
    while not listens(name):
        assert process.poll() is None, f"{what} ended (status {process.returncode}) before it listened"
        assert time.monotonic() < deadline, f"{what} did not listen within {timeout} s"
        time.sleep(0.02)


def wait_until_not_listening(name: str, what: str, timeout: float = 60) -> None:
    """Wait until nothing listens at ``name`` (``what``, for the failure)."""
    deadline = time.monotonic() + timeout
    while listens(name):
        assert time.monotonic() < deadline, f"{what} still listened after {timeout} s"
        time.sleep(0.02)
