"""The dbt tests' shared fixture: the manifest ``dbt parse`` writes (``make manifest``), refused when
it is missing or older than a file of the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO

PROJECT = REPO / "dbt_project"
MANIFEST = PROJECT / "target" / "manifest.json"
PARSE = "cd dbt_project && RQE_WAREHOUSE=/tmp/any.duckdb ../.venv/bin/dbt parse --profiles-dir ."


def _dbt_sources() -> list[Path]:
    files = [PROJECT / "dbt_project.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        files += [p for p in (PROJECT / folder).rglob("*") if p.is_file()]
    return files


@pytest.fixture(scope="module")
def manifest() -> dict:
    if not MANIFEST.is_file():
        pytest.fail(f"{MANIFEST} is missing: run `{PARSE}` (or `make manifest`) first")
    newer = [str(p.relative_to(REPO)) for p in _dbt_sources() if p.stat().st_mtime > MANIFEST.stat().st_mtime]
    assert not newer, f"the manifest is older than {newer[:5]}: run `{PARSE}` (or `make manifest`) again"
    return json.loads(MANIFEST.read_text())
