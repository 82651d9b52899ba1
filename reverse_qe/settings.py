"""Configuration from environment variables, resolved once, with safe defaults.

Relative paths are resolved against the repository root (not the caller's working directory), so
Dagster, dbt (which runs from ``dbt_project/``) and the tests all name the same file.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# Reference tables (hyperscalers, taxonomy, FRED series, ...): dbt seeds, read by Python too.
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

# The first day of history every source is read from, every partition starts at, and the scenario
# begins with: wide enough for 104 weeks of z-score history before the 2020-2025 episodes.
HISTORY_START = dt.date(2018, 1, 1)

SOURCE_MODES = ("scenario", "replay", "live")
DEFAULT_WAREHOUSE = "warehouse/reverse_qe.duckdb"


def _path_from_env(name: str, default: str | Path) -> Path:
    raw = os.environ.get(name) or str(default)
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def dbt_project_vars(project_dir: Path = DBT_PROJECT_DIR) -> dict:
    """The ``vars`` of the dbt project's dbt_project.yml (what its models read with ``var()``)."""
    import yaml

    return yaml.safe_load((Path(project_dir) / "dbt_project.yml").read_text()).get("vars") or {}


def warehouse_path() -> Path:
    """``RQE_WAREHOUSE`` as an absolute path; also exported so the dbt subprocess reads the same file."""
    path = _path_from_env("RQE_WAREHOUSE", DEFAULT_WAREHOUSE)
    os.environ["RQE_WAREHOUSE"] = str(path)
    return path


def code_version(repo: Path = REPO_ROOT) -> str:
    """``git rev-parse HEAD`` of the code in ``repo``, or ``"unknown"`` (no git, not a clone)."""
    try:
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    head = out.stdout.strip()
    return head if out.returncode == 0 and len(head) == 40 else "unknown"


def published_path(warehouse: Path) -> Path:
    """The analysts' read-only copy, always beside the warehouse it was copied from."""
    return warehouse.parent / "published.duckdb"


@dataclass(frozen=True)
class SourceSettings:
    """Where source documents come from, and where fetched bytes are kept."""

    mode: str
    replay_dir: Path | None
    scenario_dir: Path
    scenario_end: str | None
    scenario_scale: int
    landing_dir: Path
    enabled_sources: frozenset[str] | None = None  # None: every source; else RQE_SOURCES

    @classmethod
    def from_env(cls) -> SourceSettings:
        mode = os.environ.get("RQE_SOURCE", "scenario").strip().lower()
        if mode not in SOURCE_MODES:
            raise ValueError(f"RQE_SOURCE={mode!r}: expected one of {', '.join(SOURCE_MODES)}")
        replay = os.environ.get("RQE_REPLAY_DIR")
        if mode == "replay" and not replay:
            raise ValueError("RQE_SOURCE=replay needs RQE_REPLAY_DIR, a directory with one sub-folder per source")
        warehouse = warehouse_path()
        return cls(
            mode=mode,
            replay_dir=_path_from_env("RQE_REPLAY_DIR", replay) if replay else None,
            scenario_dir=_path_from_env("RQE_SCENARIO_DIR", warehouse.parent / "scenario"),
            scenario_end=os.environ.get("RQE_SCENARIO_END") or None,
            scenario_scale=int(os.environ.get("RQE_SCENARIO_SCALE", "1")),
            landing_dir=_path_from_env("RQE_LANDING_DIR", "landing"),
            enabled_sources=enabled_sources(os.environ.get("RQE_SOURCES", "")),
        )


def enabled_sources(value: str) -> frozenset[str] | None:
    """``RQE_SOURCES=fred,fiscal_data``: only these sources are read (None when unset: all of them)."""
    from reverse_qe.sources import SOURCES

    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if not names:
        return None
    unknown = sorted(set(names) - set(SOURCES))
    if unknown:
        raise ValueError(f"RQE_SOURCES names unknown source(s) {', '.join(unknown)}: the sources are {', '.join(SOURCES)}")
    return frozenset(names)


def duckdb_memory_limit(environ=os.environ) -> str:
    """DuckDB's memory limit, the same for dbt (profiles.yml) and the Dagster steps: half the machine
    unless ``RQE_DUCKDB_MEMORY_LIMIT`` says (``8GB``, ``40%``), so DuckDB spills to disk instead of
    taking 80% of the memory beside the other process."""
    return environ.get("RQE_DUCKDB_MEMORY_LIMIT", "").strip() or "50%"


DEFAULT_LOCK_WAIT_S = 300.0


def lock_wait_s(environ=os.environ) -> float:
    """How long a run waits for the warehouse (DuckDB's file lock, the ``warehouse`` pool slot)
    before giving up: ``RQE_LOCK_WAIT_S``, 5 minutes by default, above the longest step that holds it
    (``dbt build`` of the scenario: 1-2 minutes on a 2-core machine)."""
    raw = environ.get("RQE_LOCK_WAIT_S", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_LOCK_WAIT_S
    except ValueError:
        raise ValueError(f"RQE_LOCK_WAIT_S={raw!r}: expected a number of seconds") from None
    if value < 0:
        raise ValueError(f"RQE_LOCK_WAIT_S={raw!r}: expected a number of seconds, 0 or more")
    return value


def dbt_colour_env(stream, environ=os.environ) -> dict[str, str]:
    """``{"DBT_USE_COLORS": "false"}`` when the run's output is not a terminal (a file, a pipe, CI, the
    UI's captured logs) or ``NO_COLOR`` is set to anything (no-color.org); else nothing. dbt colours
    its status words with ANSI codes unless told (it ignores ``NO_COLOR``), and dagster-dbt prints
    dbt's lines as they are, so every log file carried ``ESC[32mOK ESC[0m``. A ``DBT_USE_COLORS``
    the user set wins. (Dagster's own console lines are coloured only on a terminal already.)"""
    if "DBT_USE_COLORS" in environ:
        return {}
    isatty = getattr(stream, "isatty", None)
    if environ.get("NO_COLOR") or not (isatty and isatty()):
        return {"DBT_USE_COLORS": "false"}
    return {}


# dbt's own log file (dbt.log in each invocation's target folder): dbt writes it at debug level in
# the format of its console, which dagster-dbt sets to JSON, so every SQL statement dbt sends, with
# its timings, became a JSON line (10.4 MB for one scenario build). At info level, as text, it keeps
# what a reader looks for there (each node's start and result, errors, a changed profile that made
# dbt parse the whole project again) in ~90 KB. What it saves a build is within the machine's noise
# (docs/design_notes.md, "dbt's own log file").
DBT_FILE_LOG = {"DBT_LOG_LEVEL_FILE": "info", "DBT_LOG_FORMAT_FILE": "text"}


def dbt_file_log_env(environ=os.environ) -> dict[str, str]:
    """:data:`DBT_FILE_LOG`, less any of its variables the user set (``DBT_LOG_LEVEL_FILE=debug`` to
    see dbt's SQL in the file again)."""
    return {name: value for name, value in DBT_FILE_LOG.items() if name not in environ}
