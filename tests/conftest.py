"""Shared fixtures: an isolated warehouse, Dagster home and scenario per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DBT = str(Path(sys.executable).parent / "dbt")  # the dbt beside this interpreter
SCENARIO_END = "2026-11-20"  # fixed, so every assertion on the scenario is reproducible


def isolated_env(root: Path, **extra: str) -> dict[str, str]:
    """Environment for a pipeline process whose every file lives under ``root``."""
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "RQE_WAREHOUSE": str(root / "warehouse" / "reverse_qe.duckdb"),
        "RQE_LANDING_DIR": str(root / "landing"),
        "RQE_SCENARIO_END": SCENARIO_END,
        "RQE_SOURCE": "scenario",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "False",
    }
    env.update(extra)
    return env


@dataclass
class PipelineRun:
    root: Path
    warehouse: Path
    returncode: int
    output: str

    @property
    def scenario_dir(self) -> Path:
        return self.warehouse.parent / "scenario"


def run_demo(root: Path, **extra: str) -> PipelineRun:
    env = isolated_env(root, **extra)
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli"], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=900,
    )
    return PipelineRun(root, Path(env["RQE_WAREHOUSE"]), proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def scenario_run(tmp_path_factory) -> PipelineRun:
    """The demo path (``python -m orchestration.cli``) once on the scenario, shared by the e2e tests."""
    run = run_demo(tmp_path_factory.mktemp("scenario_run"))
    assert run.returncode == 0, run.output[-4000:]
    return run
