"""``make live``: the daily job against the real services (``RQE_SOURCE=live``; README "Live mode").

``python -m orchestration.live`` runs the ingestion jobs of ``make demo`` (``quarterly_13f`` only when
``RQE_SEC_13F_DATASETS`` names data sets), then ``transform_and_publish``, only if every ingestion
job succeeded and once the 13F tables exist (the holdings marts read them). Job names on the command
line run just those jobs, in that order. A failed job stops the run and prints each failed step's
error (source, URL, attempts): its raw tables keep their previous data and, since nothing is
published after a failure, the published copy keeps the last complete, checked state.
"""

from __future__ import annotations

import os
import sys
import time

import duckdb
from dagster import DagsterInstance

from orchestration.demo import dbt_failures, demo_plan, failed_checks, run_job, summarise
from orchestration.recovery import release_dead_runs
from orchestration.settings import SourceSettings, published_path, warehouse_path

TRANSFORM_JOB = "transform_and_publish"
HOLDINGS_JOB = "quarterly_13f"
HOLDINGS_TABLE = ("raw", "sec13f_submissions")


def live_plan(environ=os.environ) -> list[str]:
    """The demo's jobs (each ingestion job, then the transform); the 13F one only when data sets are named."""
    with_13f = bool(environ.get("RQE_SEC_13F_DATASETS", "").strip())
    return [name for name in demo_plan() if name != HOLDINGS_JOB or with_13f]


def has_table(warehouse, schema: str, name: str) -> bool:
    if not warehouse.exists():
        return False
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute("select count(*) from information_schema.tables where table_schema = ? "
                            "and table_name = ?", [schema, name]).fetchone()[0] > 0


def step_errors(result) -> list[str]:
    """Each failed step with its error message (for a source: the source, the URL, the attempts)."""
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.event_specific_data.error
            message = (error.cause.message if error and error.cause else "") or (error.message if error else "")
            lines.append(f"{event.step_key}: {message.strip()}")
    return lines


def main(argv: list[str] | None = None) -> int:
    os.environ["RQE_SOURCE"] = "live"
    settings = SourceSettings.from_env()
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    plan = (sys.argv[1:] if argv is None else argv) or live_plan()
    print(f"Reverse-QE Monitor live: {', '.join(plan)} into {warehouse} (landing {settings.landing_dir})", flush=True)

    from orchestration.definitions import defs  # after the env is resolved

    started = time.perf_counter()
    with DagsterInstance.get() as instance:
        for run_id in release_dead_runs(instance):
            print(f"released run {run_id}: its process had died", flush=True)
        for job_name in plan:
            if job_name == TRANSFORM_JOB and not has_table(warehouse, *HOLDINGS_TABLE):
                print("Marts not rebuilt: no Form 13F data set loaded yet. Set RQE_SEC_13F_DATASETS once "
                      "(README 'Live mode'); the raw tables are up to date.", file=sys.stderr)
                return 0
            result, seconds = run_job(instance, defs, job_name)
            if result is None:  # nothing to run (no partition due)
                continue
            if not result.success:
                print(f"FAILED after {seconds:.0f}s in {job_name} (run {result.run_id}). The failed steps wrote "
                      f"nothing and {published_path(warehouse).name} was not replaced:", file=sys.stderr)
                for line in step_errors(result):
                    print(f"  {line}", file=sys.stderr)
                for line in dbt_failures() if job_name == TRANSFORM_JOB else []:
                    print(f"  dbt {line}", file=sys.stderr)
                return 1
            not_green = failed_checks(result)
            for _, line in not_green:
                print(f"Check not green: {line}", file=sys.stderr)
            if any(severity == "ERROR" for severity, _ in not_green):
                return 1
            print(f"{job_name} done in {seconds:.0f}s", flush=True)
    print(f"\nLive run complete in {time.perf_counter() - started:.0f}s.")
    if TRANSFORM_JOB in plan:
        print(summarise(str(warehouse)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
