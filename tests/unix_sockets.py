"""Whether a process listens at an abstract Unix socket, as the dbt and GX started ahead do."""

from __future__ import annotations

from pathlib import Path

LISTENING = 0x10000  # __SO_ACCEPTCON, the flag /proc/net/unix shows on a socket that listens


def listens(name: str) -> bool:
    """Whether a socket listens at the abstract address ``name`` (shown as ``@name``)."""
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) == 8 and fields[7] == f"@{name}" and int(fields[3], 16) & LISTENING:
            return True
    return False
