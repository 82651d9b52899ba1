"""Benchmark (not a test): where a weekday's seconds go, the median of ``--repeats`` weekdays.

One full run at ``--scale`` (the scenario through 2026-11-19) makes a warehouse and Dagster home;
the scenario's next day is written; that state is kept. Each repeat restores it into fresh folders
and runs ``daily_ingest`` then ``transform_and_publish`` as one process (``bench.weekday_split``),
timed from outside, so every repeat is the same weekday on the same state. Prints each part's
median: interpreter start and exit, imports, each job's planning, Dagster's run set-up, the steps by kind
(raw ingestion, dbt's start and its build, checks, publish, reports and alerts), and the Great
Expectations import a run pays when it validates a batch.

    .venv/bin/python -m bench.weekday [--scale 1] [--repeats 3] [--state DIR]
    .venv/bin/python -m bench.weekday --full [--scale 1] [--repeats 3]

``--full`` splits the full run instead (every job on empty folders, the scenario through
2026-11-19), as ``make demo`` does and as most end-to-end tests do before they look.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import PUBLISH_THE_DAY, import_seconds, pipeline_env, progress, timed
from tests.conftest import REPO, dagster_home

FIRST_END, WEEKDAY = "2026-11-19", "2026-11-20"
PARTS = [  # (key in the split, label)
    ("start", "interpreter start and exit (wall - in-process)"),
    ("imports", "import orchestration.definitions"),
    ("plan", "jobs' planning (partitions, selection, reaping)"),
    ("run_setup", "Dagster run set-up and tear-down (every run)"),
    ("step_raw", "raw ingestion steps"),
    ("dbt_start", "dbt step less dbt's own build (dbt start, parse, DuckDB open)"),
    ("dbt_elapsed", "dbt build (run_results elapsed_time)"),
    ("step_checks_other", "asset-check steps"),
    ("step_publish", "publish step"),
    ("step_reports_alerts", "reports and alerts steps"),
]


def copy_state(source: Path, root: Path) -> None:
    """``source``'s folders under ``root``, and its Dagster home (a RAM folder when there is one)."""
    shutil.copytree(source, root, symlinks=True, ignore=lambda folder, names: (
        ["dagster_home"] if Path(folder) == source else []), dirs_exist_ok=True)
    shutil.copytree(source / "dagster_home", dagster_home(root), dirs_exist_ok=True)


def remove_state(root: Path) -> None:
    home = root / "dagster_home"
    if home.is_symlink():
        shutil.rmtree(home.resolve(), ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)


def one_weekday(kept: Path, work: Path, scale: int) -> dict:
    """The kept state restored at ``work`` (the path the full run used: dbt's partial parse and the
    warehouse path stay as a real weekday finds them), then the weekday, timed."""
    remove_state(work)
    copy_state(kept, work)
    env = pipeline_env(work, RQE_SCENARIO_SCALE=str(scale), RQE_SCENARIO_END=WEEKDAY)
    return split_of(timed([sys.executable, "-m", "bench.weekday_split"], env))


def split_of(measured) -> dict:
    """``bench.weekday_split``'s JSON line with the parts only the caller can tell: the wall, the
    interpreter's start and exit, planning, and whether dbt parsed afresh."""
    split = json.loads(measured.stdout.strip().splitlines()[-1])
    steps = sum(v for k, v in split.items() if k.startswith("step_"))
    split["wall"] = measured.wall
    split["start"] = measured.wall - split["total"]
    split["plan"] = split["jobs"] - split["run_setup"] - steps
    split["partial_parse"] = "Unable to do partial parsing" not in measured.stdout + measured.stderr
    return split


def one_full_run(work: Path, scale: int) -> dict:
    """The full run on empty folders at ``work`` (dbt's partial parse made beforehand, as `make
    manifest` leaves one for `make demo`), timed and split."""
    remove_state(work)
    env = pipeline_env(work, RQE_SCENARIO_SCALE=str(scale), RQE_SCENARIO_END=FIRST_END)
    return split_of(timed([sys.executable, "-m", "bench.weekday_split", "--full"], env))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="split the full run (every job) instead of a weekday")
    parser.add_argument("--state", type=Path, help="keep the full run's state in this folder and reuse it "
                        "next time (a profiling loop; the state holds its own paths, so keep the same folder)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="rqe-bench-weekday-", ignore_cleanup_errors=True) as tmp:
        # The weekday runs where the full run ran (the state holds that path), so a kept state keeps it too.
        root = args.state.resolve() if args.state else Path(tmp)
        work, kept = root / f"run-scale{args.scale}", root / f"kept-scale{args.scale}"
        if args.full:
            progress(f"full runs at scale {args.scale} on empty folders at {work}")
        elif kept.exists():
            progress(f"reusing the full run kept at {kept}")
        else:
            progress(f"full run at scale {args.scale} through {FIRST_END} (the state every weekday starts from)")
            env = pipeline_env(work, RQE_SCENARIO_SCALE=str(args.scale), RQE_SCENARIO_END=FIRST_END)
            subprocess.run([sys.executable, "-m", "orchestration.cli"], cwd=REPO, env=env, check=True,
                           capture_output=True)
            next_day = pipeline_env(work, RQE_SCENARIO_SCALE=str(args.scale), RQE_SCENARIO_END=WEEKDAY)
            subprocess.run(PUBLISH_THE_DAY, cwd=REPO, env=next_day, check=True)
            copy_state(work, kept)
        splits = []
        try:
            for i in range(args.repeats):
                progress(f"{'full run' if args.full else 'weekday'} {i + 1} of {args.repeats}")
                splits.append(one_full_run(work, args.scale) if args.full else one_weekday(kept, work, args.scale))
        finally:
            remove_state(work)
            if not args.state:
                remove_state(kept)
    # as a raw step pays it: pandas and duckdb loaded, scipy.stats deferred (reverse_qe.validation.gx)
    gx = statistics.median(import_seconds("great_expectations()", after="import pandas, duckdb; from "
                                          "reverse_qe.validation.gx import great_expectations")
                           for _ in range(args.repeats))
    median = statistics.median
    what = "full run" if args.full else "weekday"
    print(f"{what} at scale {args.scale}: median of {args.repeats}, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{os.cpu_count()} cores, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after")
    print(f"{'wall (s)':<62} {median(s['wall'] for s in splits):>6.1f}")
    for key, label in PARTS:
        print(f"  {label:<60} {median(s.get(key, 0.0) for s in splits):>6.2f}")
    last = splits[-1]
    print(f"publish by part (last {what}, seconds): "
          + ", ".join(f"{name} {seconds}" for name, seconds in last.get("publish_parts", {}).items()))
    print(f"slowest steps (last {what}, seconds): "
          + ", ".join(f"{name} {seconds}" for name, seconds in last.get("slowest_steps", [])))
    print(f"dbt's slowest nodes of {last.get('dbt_nodes', 0)} (last {what}, seconds): "
          + ", ".join(f"{name} {seconds}" for name, seconds in last.get("dbt_slowest", [])))
    if not all(s["partial_parse"] for s in splits):
        print(f"dbt parsed afresh in some {what} (no partial parse)")
    print(f"Great Expectations imported by the {what}: {', '.join(str(s['gx_imported']) for s in splits)} "
          f"(its import alone: {gx:.2f} s)")


if __name__ == "__main__":
    main()
