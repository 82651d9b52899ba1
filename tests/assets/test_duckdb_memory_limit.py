"""dbt's profile and the Dagster steps' connections cap DuckDB's memory (half the machine unless
RQE_DUCKDB_MEMORY_LIMIT says), so a big build or upsert spills to disk instead of being killed
while the other process holds its own memory."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import DBT, REPO

MACHINE_GIB = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def dbt_memory_limit(tmp_path: Path, **env: str) -> str:
    """The memory limit of a dbt connection made from the project's own profile (profiles.yml).

    The query runs in an empty project that names that profile: parsing the real one's models (its
    partial-parse state never matches a test's warehouse path, which dbt hashes with the profile)
    would be ~6 s of CPU per call spent on what this test does not look at."""
    probe = tmp_path / "probe"
    probe.mkdir(exist_ok=True)
    (probe / "dbt_project.yml").write_text("name: memory_limit_probe\nconfig-version: 2\nprofile: reverse_qe\n")
    proc = subprocess.run(
        [DBT, "show", "--project-dir", str(probe), "--profiles-dir", str(REPO / "dbt_project"), "--output", "json",
         "--inline", "select current_setting('memory_limit') as memory_limit"],
        cwd=probe, capture_output=True, text=True, timeout=300,
        env={**os.environ, "RQE_WAREHOUSE": str(tmp_path / "w.duckdb"), "DO_NOT_TRACK": "1", **env},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


def test_duckdb_memory_limit_comes_from_the_env_and_defaults_to_half_the_machine(tmp_path):
    assert '"memory_limit": "953.6 MiB"' in dbt_memory_limit(tmp_path, RQE_DUCKDB_MEMORY_LIMIT="1GB")

    default = dbt_memory_limit(tmp_path).split('"memory_limit": "')[1].split('"')[0]
    number, unit = default.split()
    gib = float(number) * {"GiB": 1, "MiB": 1 / 1024}[unit]
    assert gib == pytest.approx(MACHINE_GIB / 2, rel=0.1)


def test_the_dagster_steps_connections_take_the_same_limit(tmp_path, monkeypatch):
    from assets.resources import build_resources

    monkeypatch.setenv("RQE_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("RQE_DUCKDB_MEMORY_LIMIT", "1GB")
    with build_resources()["warehouse"].get_connection() as conn:
        assert conn.execute("select current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"
    monkeypatch.delenv("RQE_DUCKDB_MEMORY_LIMIT")
    with build_resources()["warehouse"].get_connection() as conn:
        default = conn.execute("select current_setting('memory_limit')").fetchone()[0]
    assert float(default.split()[0]) == pytest.approx(MACHINE_GIB / 2, rel=0.1) and default.endswith("GiB")
