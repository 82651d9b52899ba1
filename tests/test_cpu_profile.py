"""tests/cpu_profile.py: a test's CPU seconds include the subprocesses it waits for, and sum by file."""

import json
import subprocess
import sys
from types import SimpleNamespace

from tests.cpu_profile import _measured, by_file_and_test


def test_a_phase_counts_the_cpu_of_the_subprocess_it_ran(tmp_path):
    item = SimpleNamespace(nodeid="tests/x/test_y.py::test_z", config=SimpleNamespace(getoption=lambda name: str(tmp_path)))
    phase = _measured("call")(item)
    next(phase)
    subprocess.run([sys.executable, "-c", "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"],
                   check=True)
    for _ in phase:  # the hook's end: it writes the line
        pass
    # one file per xdist worker (gw0.jsonl ...), main.jsonl outside xdist
    (line,) = [json.loads(text) for path in tmp_path.glob("*.jsonl") for text in path.read_text().splitlines()]
    assert line["test"] == "tests/x/test_y.py::test_z" and line["phase"] == "call"
    assert line["children_cpu"] >= 0.5 and line["cpu"] < 0.5


def test_cpu_seconds_add_up_by_file_and_by_test_most_first():
    lines = [{"test": "a.py::t1", "cpu": 1.0, "children_cpu": 2.0}, {"test": "a.py::t1", "cpu": 0.5, "children_cpu": 0.0},
             {"test": "b.py::t2", "cpu": 4.0, "children_cpu": 0.0}, {"test": "a.py::t3", "cpu": 0.0, "children_cpu": 1.0}]
    files, tests = by_file_and_test(lines)
    assert list(files.items()) == [("a.py", 4.5), ("b.py", 4.0)]
    assert list(tests.items()) == [("b.py::t2", 4.0), ("a.py::t1", 3.5), ("a.py::t3", 1.0)]
