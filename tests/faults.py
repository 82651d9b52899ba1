"""Helpers of the fault tests: a process outside the pipeline holding DuckDB's lock, a folder made
read-only even for root, the processes of a process tree."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

HOLD_LOCK = ("import duckdb, sys, time\n"
             "conn = duckdb.connect(sys.argv[1])\n"
             "print('holding', flush=True)\n"
             "time.sleep(float(sys.argv[2]))\n")


@contextlib.contextmanager
def outside_lock(warehouse: Path, seconds: float = 600) -> Iterator[subprocess.Popen]:
    """An analyst's Python session holding ``duckdb.connect`` on the warehouse (read-write)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(warehouse), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "holding"
        yield proc
    finally:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """No file can be created in ``folder``: chmod for a normal user; for root, who ignores modes,
    the immutable attribute (chattr +i), or the test is skipped where the file system refuses it."""
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(mode)
        return
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make {folder} read-only as root: chattr +i: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out
