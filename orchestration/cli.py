"""The one runner behind ``make demo`` (the bundled scenario), replay and ``make live``.

``python -m orchestration.cli`` runs each ingestion job, then ``transform_and_publish``, from the
sources ``RQE_SOURCE`` names (``scenario`` by default; ``replay`` with ``RQE_REPLAY_DIR``; ``live``,
where ``quarterly_13f`` runs only when ``RQE_SEC_13F_DATASETS`` names data sets), and summarises the
marts. ``python -m orchestration.cli [job ...]`` runs just those jobs, in that order: ``daily_ingest
transform_and_publish`` is what a weekday's schedule and the sensor after it run.

``python -m orchestration.cli backfill --select KEYS --partition-range FIRST...LAST`` materialises
assets over a range of partitions in one run (``orchestration.backfill``).

Every run is recorded in the Dagster instance under the code location, as the UI's are (in the runs
list and on the timeline), and executed in this process (``orchestration.launch``); while one of
its steps waits for the ``warehouse`` pool slot it says who holds it (``orchestration.pool_watch``).

The transform after named jobs rebuilds what they left stale, as the sensor does
(``orchestration.staleness``); the full build (no jobs named) rebuilds all of it. A failed job
stops the run and prints each failed step's error (source, URL, attempts): its raw tables keep
their previous data and, since nothing is published after a failure, the published copy keeps the
last complete, checked state.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from dagster._core.utils import make_new_run_id

from orchestration import launch
from orchestration.event_storage import runner_instance
from orchestration.pool_watch import PoolWaitGaveUp, PoolWatch
from orchestration.recovery import process_tags, release_dead_runs
from reverse_qe.process_exit import run_then_exit
from reverse_qe.settings import (
    DBT_PROJECT_DIR,
    REPO_ROOT,
    SourceSettings,
    lock_wait_s,
    published_path,
    warehouse_path,
)
from reverse_qe.warehouse_open import WarehouseUnavailable, open_warehouse

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def summarise(warehouse: str) -> str:
    """Rows per mart, the latest week and regime, the regime by year, the chain and the coverage by
    source, read from the warehouse (read-only)."""
    from reverse_qe.reports.summary import run_summary

    with open_warehouse(Path(warehouse), read_only=True) as conn:
        return run_summary(conn)


def not_provided(warehouse: str) -> list[str]:
    from reverse_qe.reports import summary

    with open_warehouse(Path(warehouse), read_only=True) as conn:
        return summary.not_provided(conn)


def dbt_failures(target_dir: Path = DBT_PROJECT_DIR / "target") -> list[str]:
    """Failing nodes of the newest dbt invocation, with dbt's own message, for the console."""
    results = sorted(target_dir.glob("*/run_results.json"), key=lambda p: p.stat().st_mtime)
    if not results:
        return []
    found = json.loads(results[-1].read_text())["results"]
    return [
        f"{r['unique_id']}: {r['status']}: {(r.get('message') or '').strip()[:500]}"
        for r in found
        if r["status"] in ("error", "fail")
    ]


def failed_checks(result) -> list[str]:
    """Asset checks of the run that did not pass, as (severity, 'asset: check (severity)')."""
    out = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
            evaluation = event.event_specific_data
            out.append((evaluation.severity.value,
                        f"{'/'.join(evaluation.asset_key.path)}: {evaluation.check_name} ({evaluation.severity.value})"))
    return out


def checks_run(result) -> int:
    return sum(1 for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION")


TRANSFORM_JOB = "transform_and_publish"
HOLDINGS_JOB = "quarterly_13f"


def all_jobs() -> list[str]:
    """The jobs of a full build, in order: each ingestion job, then transform-and-publish."""
    from orchestration.jobs import INGEST_JOBS, transform_job

    return [job.name for job in INGEST_JOBS] + [transform_job.name]


def default_plan(environ=os.environ) -> list[str]:
    """Every job; live, the 13F one only when ``RQE_SEC_13F_DATASETS`` names data sets (a live 13F
    data set is a ~100 MB download a quarter, asked for by name)."""
    live = environ.get("RQE_SOURCE", "scenario").strip().lower() == "live"
    with_13f = not live or bool(environ.get("RQE_SEC_13F_DATASETS", "").strip())
    return [name for name in all_jobs() if name != HOLDINGS_JOB or with_13f]


def step_errors(result) -> list[str]:
    """Each failed step with its error message (for a source: the source, the URL, the attempts)."""
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.event_specific_data.error
            message = (error.cause.message if error and error.cause else "") or (error.message if error else "")
            lines.append(f"{event.step_key}: {message.strip()}")
    return lines


def register_13f_datasets(instance, defs) -> list[str]:
    """Make each 13F data set the sources hold a partition (what the sensor does as they appear)."""
    from assets.partitions import sec_13f_dataset_partitions
    from reverse_qe.sources.holdings import dataset_keys

    sources = defs.resources["sources"]
    if sources.mode == "live" and not os.environ.get("RQE_SEC_13F_DATASETS", "").strip():
        return []
    with sources.open_transport() as transport:
        keys = sorted(set(dataset_keys(transport)))
    new = [key for key in keys if not instance.has_dynamic_partition(sec_13f_dataset_partitions.name, key)]
    if new:
        instance.add_dynamic_partitions(sec_13f_dataset_partitions.name, new)
    return keys


def partitions_as_of(sources):
    """The day whose partition a run goes through: a pinned scenario end (``RQE_SCENARIO_END``: the
    scenario has no data after it, and a later run with a later end fills the weeks in between), or
    None: now, the newest partition the definitions hold (``end_offset=1``: the one in progress),
    as the UI counts them. The scenario's default end is the last business day before today, so on
    a Thursday (a new H.4.1 week) or early in a month that partition starts after the data's end,
    and a run that stopped at the data's end left it showing as missing after a clean demo."""
    return sources.as_of() if sources.mode == "scenario" and sources.scenario_end else None


def partition_tags(instance, job, sources) -> dict[str, str] | None:
    """Tags for one single-run backfill from the first partition not yet materialised through the
    newest (``assets.partitions.keys_to_run``, through :func:`partitions_as_of`); None when the job
    has nothing to run."""
    from assets.partitions import keys_through
    from reverse_qe.partitions import keys_to_run, partition_range_tags

    if job.partitions_def is None:
        return {}
    keys = keys_through(job.partitions_def, partitions_as_of(sources), instance)
    done = set.intersection(*(set(instance.get_materialized_partitions(key))
                              for key in job.asset_layer.executable_asset_keys))
    todo = keys_to_run(keys, done)
    return partition_range_tags(todo[0], todo[-1]) if todo else None


def run_job(instance, defs, job_name: str, after: list[str] | None = None, *, transform_follows: bool = False):
    """Run ``job_name`` (its partitions as ``partition_tags`` picks them); returns (result or None
    when there was nothing to run, seconds). The transform after ingestion jobs (``after``) rebuilds
    what they left stale (``orchestration.jobs.transform_after``), as the sensor does; with none,
    all of it. ``transform_follows``: this runner runs the transform next, so the sensor need not
    (``RUNNER_TRANSFORMS_TAG``)."""
    from orchestration.jobs import RUNNER_TRANSFORMS_TAG, transform_after

    started = time.perf_counter()
    job = defs.resolve_job_def(job_name)
    if job_name == "quarterly_13f":
        register_13f_datasets(instance, defs)
    tags = partition_tags(instance, job, defs.resources["sources"])
    if tags is None:
        print(f"{job_name}: no partition to run (no data set yet)", flush=True)
        return None, time.perf_counter() - started
    label = (f" partitions {tags['dagster/asset_partition_range_start']}..{tags['dagster/asset_partition_range_end']}"
             if tags else "")
    selection = (transform_after(after, defs.resolve_asset_graph(), instance, warehouse_path())
                 if job.partitions_def is None and after else None)
    if selection == []:  # an empty selection would run the whole job
        print(f"{job_name}: nothing stale after {', '.join(after)} (no input changed)", flush=True)
        return None, time.perf_counter() - started
    if selection:
        label += f" ({len(selection)} assets stale after {', '.join(after)})"
    print(f"running {job_name}{label}", flush=True)
    extra = {RUNNER_TRANSFORMS_TAG: "true"} if transform_follows else {}
    return run_in_instance(instance, defs, job, {**tags, **extra}, selection), time.perf_counter() - started


def run_in_instance(instance, defs, job, tags: dict[str, str], selection=None):
    """One run of ``job``, recorded in the instance under its code location (``orchestration.launch``:
    in the runs list and the timeline) and executed here, while :class:`PoolWatch` names who holds
    the warehouse slot, frees it from dead runs and gives up after ``RQE_LOCK_WAIT_S``."""
    for released in release_dead_runs(instance):
        print(released, flush=True)
    run = launch.create_run(instance, defs, job, run_id=make_new_run_id(), tags={**process_tags(), **tags},
                            run_config=QUIET_LOGS, asset_selection=selection)
    with PoolWatch(instance, run.run_id, wait_s=lock_wait_s()) as watch:
        result = launch.execute(instance, run)
    if watch.gave_up:
        raise PoolWaitGaveUp(f"{job.name} (run {run.run_id}): {watch.gave_up}")
    return result


def chosen_plan(argv: list[str]) -> list[str]:
    """The jobs named on the command line (:func:`default_plan` when none), checked by name."""
    plan, known = argv or default_plan(), all_jobs()
    unknown = [name for name in plan if name not in known]
    if unknown:
        raise SystemExit(f"orchestration.cli: no job {', '.join(map(repr, unknown))}; the jobs are {', '.join(known)}")
    return plan


def write_scenario_meanwhile(settings: SourceSettings, plan: list[str]) -> subprocess.Popen | None:
    """On the scenario, when the plan ingests and the scenario's files for this end and scale are
    not there yet: ``python -m reverse_qe.scenario.build`` started beside this process, so they are
    written on the other core while this one loads the code location and plans the first run
    (writing them took ~2.2 s of a scale-1 full run's first step). The step that reads them waits
    for that writer (its lock) instead of writing them again, and writes them itself if the writer
    failed. None when there is nothing to write."""
    if settings.mode != "scenario" or all(job == TRANSFORM_JOB for job in plan):
        return None
    from reverse_qe.scenario.build import is_written, scenario_end

    if is_written(settings.scenario_dir, end=scenario_end(settings.scenario_end), scale=settings.scenario_scale):
        return None
    return subprocess.Popen([sys.executable, "-m", "reverse_qe.scenario.build"], cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL)


def start_dbt_meanwhile(plan: list[str]) -> subprocess.Popen | None:
    """When the plan transforms: a dbt started now (``reverse_qe.dbt_child``, "A dbt started
    ahead"), which imports itself on the other core while this process ingests, then waits at an
    abstract socket of a random name for the dbt step's command; ``RQE_DBT_WARM`` tells that step
    the name. Its import is ~1.5 s of the step's start otherwise. None when the plan runs no
    transform, or off Linux (no abstract sockets)."""
    from reverse_qe import dbt_child

    if TRANSFORM_JOB not in plan or not sys.platform.startswith("linux"):
        return None
    name = f"rqe-dbt-{secrets.token_hex(16)}"
    warm = subprocess.Popen([sys.executable, dbt_child.__file__, "--warm", name], cwd=DBT_PROJECT_DIR,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    os.environ[dbt_child.WARM_ENV] = name
    return warm


def header(settings, warehouse: Path, what: str) -> None:
    landing = f", landing={settings.landing_dir}" if settings.mode == "live" else ""
    print(f"Reverse-QE Monitor: sources={settings.mode}, warehouse={warehouse}{landing}; {what}", flush=True)


def report_failure(job_name: str, result, seconds: float, warehouse: Path) -> None:
    print(f"FAILED after {seconds:.0f}s in {job_name} (run {result.run_id}; see it in `make dev`). "
          f"The failed steps wrote nothing and {published_path(warehouse).name} was not replaced:",
          file=sys.stderr)
    for line in step_errors(result):
        print(f"  {line}", file=sys.stderr)
    for line in dbt_failures() if job_name == TRANSFORM_JOB else []:
        print(f"  dbt {line}", file=sys.stderr)


def report_gave_up(err: Exception, warehouse: Path) -> None:
    print(f"FAILED: {err}\nNothing more was run and {published_path(warehouse).name} was not replaced.",
          file=sys.stderr)


def report_checks(not_green: list[tuple[str, str]], checks: int, elapsed: float) -> bool:
    """Print the checks not green and the closing line; False when one of them is an ERROR."""
    for severity, line in not_green:
        print(f"Check not green: {line}", file=sys.stderr)
    if any(severity == "ERROR" for severity, _ in not_green):
        return False
    if not_green:
        print(f"\nAll assets materialised in {elapsed:.0f}s with {len(not_green)} of {checks} checks "
              "warning; see them in `make dev`.")
    else:
        print(f"\nAll assets materialised and all checks passed ({checks} checks) in {elapsed:.0f}s.")
    return True


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["backfill"]:
        return backfill_main(argv[1:])
    settings = SourceSettings.from_env()
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    plan = chosen_plan(argv)
    header(settings, warehouse, f"jobs {', '.join(plan)}")
    write_scenario_meanwhile(settings, plan)
    start_dbt_meanwhile(plan)

    from orchestration.definitions import defs  # after the env is resolved

    started = time.perf_counter()
    not_green, checks = [], 0
    with runner_instance() as instance:
        ingested = []  # the ingestion jobs this process ran: the transform rebuilds what they changed
        for position, job_name in enumerate(plan):
            try:
                result, seconds = run_job(instance, defs, job_name, after=ingested if argv else None,
                                          transform_follows=TRANSFORM_JOB in plan[position + 1:])
            except (PoolWaitGaveUp, WarehouseUnavailable) as err:
                report_gave_up(err, warehouse)
                return 1
            if result is None:
                continue
            if defs.resolve_job_def(job_name).partitions_def is not None:
                ingested.append(job_name)
            if not result.success:
                report_failure(job_name, result, seconds, warehouse)
                return 1
            not_green += failed_checks(result)
            checks += checks_run(result)
            print(f"{job_name} done in {seconds:.0f}s", flush=True)
    if not report_checks(not_green, checks, time.perf_counter() - started):
        return 1
    for line in not_provided(str(warehouse)) if warehouse.exists() else []:
        print(f"Warning: {line}", file=sys.stderr)
    if TRANSFORM_JOB in plan:
        print(summarise(str(warehouse)))
        print(
            f"\nWarehouse: {warehouse}\nAnalysts: {published_path(warehouse)} (read-only copy, safe to open "
            "during runs)\nOpen the UI with `make dev` (http://127.0.0.1:3000) to see lineage and checks."
        )
    return 0


def backfill_main(argv: list[str]) -> int:
    """``backfill --select KEYS --partition-range FIRST...LAST`` (``orchestration.backfill``): one run,
    which waits for the warehouse slot saying who holds it, as every job of the runner does."""
    from orchestration import backfill

    args = backfill.parse(argv)
    settings = SourceSettings.from_env()
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    header(settings, warehouse, "backfill")

    from orchestration.definitions import defs  # after the env is resolved

    started = time.perf_counter()
    with runner_instance() as instance:
        try:
            planned = backfill.plan(defs, instance, args.select, partition=args.partition,
                                    partition_range=args.partition_range)
        except backfill.BackfillRefused as err:
            print(f"orchestration.cli backfill: {err}", file=sys.stderr)
            return 2
        print(f"running a backfill of {planned.describe()}", flush=True)
        try:
            result = run_in_instance(instance, defs, planned.job, planned.tags, list(planned.asset_keys))
        except (PoolWaitGaveUp, WarehouseUnavailable) as err:
            report_gave_up(err, warehouse)
            return 1
    seconds = time.perf_counter() - started
    if not result.success:
        report_failure("the backfill", result, seconds, warehouse)
        return 1
    if not report_checks(failed_checks(result), checks_run(result), seconds):
        return 1
    print(f"The marts are rebuilt from it by `python -m orchestration.cli {TRANSFORM_JOB}`.")
    return 0


if __name__ == "__main__":
    run_then_exit(main)
