"""CPU seconds per test, its subprocesses included: on a machine shared with other work, wall time
says little about what a test costs.

    python -m pytest -p tests.cpu_profile --cpu-profile DIR -n 2 --dist loadfile   # one JSON line a phase
    python -m tests.cpu_profile DIR                                                 # by file, then by test

Each test's setup, call and teardown is measured with ``resource.getrusage``: the user + system time
of this process (all its threads) and of its children once they are waited for (a pipeline run,
dbt). A shared session run counts in the test that first asks for it. ``make test``'s order of long
files (``LONGEST_FIRST`` in tests/conftest.py) comes from these figures.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addoption("--cpu-profile", metavar="DIR", help="write each test's CPU seconds to DIR/<worker>.jsonl")


def cpu_seconds() -> tuple[float, float]:
    """(this process, its waited-for children): user + system seconds so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _measured(phase: str):
    @pytest.hookimpl(hookwrapper=True)
    def hook(item):
        folder = item.config.getoption("--cpu-profile")
        own, children, started = *cpu_seconds(), time.time()
        yield
        if folder:
            own_after, children_after = cpu_seconds()
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            Path(folder).mkdir(parents=True, exist_ok=True)
            with open(Path(folder) / f"{worker}.jsonl", "a") as out:
                out.write(json.dumps({"test": item.nodeid, "phase": phase, "worker": worker, "started": round(started, 3),
                                      "wall": round(time.time() - started, 3), "cpu": round(own_after - own, 3),
                                      "children_cpu": round(children_after - children, 3)}) + "\n")
    return hook


pytest_runtest_setup = _measured("setup")
pytest_runtest_call = _measured("call")
pytest_runtest_teardown = _measured("teardown")


def by_file_and_test(lines: list[dict]) -> tuple[dict[str, float], dict[str, float]]:
    """CPU seconds (own + children) summed per file and per test, each most first."""
    files: dict[str, float] = defaultdict(float)
    tests: dict[str, float] = defaultdict(float)
    for line in lines:
        cpu = line["cpu"] + line["children_cpu"]
        files[line["test"].split("::")[0]] += cpu
        tests[line["test"]] += cpu
    return (dict(sorted(files.items(), key=lambda item: -item[1])),
            dict(sorted(tests.items(), key=lambda item: -item[1])))


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    read = [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]
    files, tests = by_file_and_test(read)
    print(f"{sum(files.values()):8.1f} s CPU in {len(tests)} tests, {len(files)} files")
    for name, seconds in files.items():
        print(f"{seconds:8.1f}  {name}")
    print()
    for name, seconds in list(tests.items())[:40]:
        print(f"{seconds:8.1f}  {name}")
