"""Every test file that takes a shared session run is listed with it in ``SHARED_RUN_FILES``, so
``make test`` builds each run once (tests/conftest.py); an unlisted file would build its own copy
in whichever worker it lands on, costing a full pipeline run unnoticed."""

import ast
from pathlib import Path

from tests.conftest import REPO, SHARED_RUN_FILES


def files_taking(fixture: str) -> set[str]:
    found = set()
    for path in (REPO / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and fixture in [a.arg for a in node.args.args]:
                found.add(path.relative_to(REPO).as_posix())
    return found


def test_each_file_taking_a_shared_run_is_scheduled_with_it():
    for run, listed in SHARED_RUN_FILES.items():
        assert files_taking(run) <= set(listed), f"add to SHARED_RUN_FILES[{run!r}]"
        assert all((REPO / path).is_file() for path in listed)


def test_the_finder_sees_fixture_arguments():
    assert "tests/e2e/test_end_to_end.py" in files_taking("scenario_run")
    assert not files_taking("no_such_fixture")
