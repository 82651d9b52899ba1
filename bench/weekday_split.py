"""Where a weekday's seconds go, for ``bench.weekday``: run as its own process on a warehouse and
Dagster home a full run left (the scenario's next day already written), exactly as ``python -m
orchestration.cli daily_ingest transform_and_publish`` does, and print one JSON line splitting it:

  imports      ``import orchestration.definitions`` (Dagster, dagster-dbt, the assets)
  plan         per job, before its run starts: partitions to run, the transform's selection, reaping
  run_setup    per run, what is not a step: run start, resources, the end of the run
  steps        per kind: raw ingestion, dbt (its own ``elapsed_time`` and the rest, dbt's start),
               asset checks, publish, reports and alerts
  gx_imported  whether Great Expectations was imported by the weekday at all

The caller times the whole process; its wall less ``total`` here is the interpreter's start.
``--full``: the full run instead (every job, as ``python -m orchestration.cli`` with none named).
"""

from __future__ import annotations

started = __import__("time").perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

JOBS = ["daily_ingest", "transform_and_publish"]


def step_kind(step_key: str, materialized: bool = True) -> str:
    """The part a step's seconds count in; a step that materialised nothing ran asset checks only
    (``raw__<table>_fresh_for_its_cadence`` is a check of a raw table, not its ingestion)."""
    if not materialized:
        return "checks_other"
    if step_key.startswith("raw__"):
        return "raw"
    if "dbt" in step_key:
        return "dbt"
    if step_key.startswith("published__"):
        return "publish"
    if step_key.startswith(("reports__", "alerts__")):
        return "reports_alerts"
    return "checks_other"


def split_runs(instance, since: float) -> dict:
    """Seconds per run setup and per kind of step, from the event logs of the runs created after ``since``."""
    from dagster import DagsterEventType, RunsFilter

    out: dict = defaultdict(float)
    per_step: dict[str, float] = {}
    runs = instance.get_runs(filters=RunsFilter(created_after=__import__("datetime").datetime.fromtimestamp(since)))
    for run in runs:
        records = [r.event_log_entry for r in instance.get_records_for_run(run.run_id).records]
        stamps = [e.timestamp for e in records]
        starts = {}
        in_steps = 0.0
        materializing = {e.step_key for e in records if e.dagster_event is not None
                         and e.dagster_event.event_type == DagsterEventType.ASSET_MATERIALIZATION}
        for entry in records:
            event = entry.dagster_event
            if event is None or entry.step_key is None:
                continue
            if event.event_type == DagsterEventType.ASSET_MATERIALIZATION and \
                    event.asset_key.path == ["published", "warehouse"]:
                parts = event.step_materialization_data.materialization.metadata.get("seconds_by_part")
                out["publish_parts"] = parts.value if parts is not None else {}
            if event.event_type == DagsterEventType.STEP_START:
                starts[entry.step_key] = entry.timestamp
            elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE) \
                    and entry.step_key in starts:
                seconds = entry.timestamp - starts.pop(entry.step_key)
                out[f"step_{step_kind(entry.step_key, entry.step_key in materializing)}"] += seconds
                per_step[entry.step_key] = round(seconds, 2)
                in_steps += seconds
        out["run_setup"] += max(stamps) - min(stamps) - in_steps
        out["runs"] += 1
    out["slowest_steps"] = sorted(per_step.items(), key=lambda kv: kv[1], reverse=True)[:8]
    return dict(out)


def main() -> None:
    from dagster import DagsterInstance

    import orchestration.definitions  # noqa: F401  (timed: the code location's import)
    from orchestration import cli

    imported = time.perf_counter()
    wall_clock = time.time()
    code = cli.main([] if "--full" in sys.argv[1:] else JOBS)
    ran = time.perf_counter()
    if code != 0:
        raise SystemExit(f"bench weekday split: the jobs failed ({code})")
    with DagsterInstance.get() as instance:
        split = split_runs(instance, wall_clock - 1)
    target = Path(__import__("os").environ.get("DBT_TARGET_PATH", "dbt_project/target"))
    results = sorted(target.glob("**/run_results.json"), key=lambda p: p.stat().st_mtime)
    run_results = json.loads(results[-1].read_text()) if results else {"elapsed_time": 0.0, "results": []}
    dbt_elapsed = run_results["elapsed_time"]
    slowest = sorted(run_results["results"], key=lambda r: r["execution_time"], reverse=True)[:8]
    split["dbt_slowest"] = [[r["unique_id"].split(".")[-1], round(r["execution_time"], 2)] for r in slowest]
    split["dbt_nodes"] = len(run_results["results"])
    split["dbt_elapsed"] = dbt_elapsed
    split["dbt_start"] = split.get("step_dbt", 0.0) - dbt_elapsed
    split["imports"] = imported - started
    split["jobs"] = ran - imported
    split["gx_imported"] = "great_expectations" in sys.modules
    split["total"] = time.perf_counter() - started
    print(json.dumps(split))


if __name__ == "__main__":
    from reverse_qe.process_exit import run_then_exit

    run_then_exit(main)  # as `python -m orchestration.cli` ends
