"""Sensors: a new 13F data set becomes a partition and starts the quarterly job for it; any ingestion
success starts the transform of what it changed; runs whose process died are reaped."""

from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_status_sensor,
    sensor,
)

from assets.partitions import sec_13f_dataset_partitions
from orchestration.jobs import (
    INGEST_JOBS,
    RUNNER_TRANSFORMS_TAG,
    quarterly_13f_job,
    transform_after,
    transform_job,
)
from reverse_qe.partitions import dataset_partition_key
from reverse_qe.settings import SourceSettings, warehouse_path

MONITORED = list(INGEST_JOBS)


def dataset_folders(settings: SourceSettings) -> list[Path]:
    """Where new 13F data sets appear: the replay folder, and every landing day of the live source."""
    from reverse_qe.sources.holdings import (
        SOURCE as SEC_13F,  # pandas: at evaluation, not at load
    )

    folders = [settings.landing_dir / SEC_13F]
    if settings.replay_dir:
        folders.append(settings.replay_dir / SEC_13F)
    return folders


def new_datasets(folders: list[Path], seen: set[str]) -> list[str]:
    """Data-set zip names present in the folders and not seen before, oldest name first."""
    from reverse_qe.sources.holdings import DATASET_PATTERN

    present = {p.name for folder in folders if folder.exists() for p in folder.rglob(DATASET_PATTERN)}
    return sorted(present - seen)


@sensor(job=quarterly_13f_job, minimum_interval_seconds=3600,
        description="A Form 13F data set not seen before appeared in the replay or landing folder.")
def new_13f_dataset_sensor(context: SensorEvaluationContext):
    seen = set(filter(None, (context.cursor or "").split(",")))
    fresh = new_datasets(dataset_folders(SourceSettings.from_env()), seen)
    if not fresh:
        return SensorResult(skip_reason="no new 13F data set")
    keys = [dataset_partition_key(name) for name in fresh]
    return SensorResult(
        dynamic_partitions_requests=[sec_13f_dataset_partitions.build_add_request(keys)],
        run_requests=[RunRequest(run_key=f"13f-{key}", partition_key=key) for key in keys],
        cursor=",".join(sorted(seen | set(fresh))),
    )


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=MONITORED,
    request_job=transform_job,
    description="An ingestion run succeeded: rebuild the dbt models downstream of what it wrote, run "
    "their checks, publish.",
)
def transform_after_ingest(context: RunStatusSensorContext):
    if context.dagster_run.tags.get(RUNNER_TRANSFORMS_TAG) == "true":
        return SkipReason(f"run {context.dagster_run.run_id}: the runner that ran it runs the transform next")
    selection = transform_after([context.dagster_run.job_name], context.repository_def.asset_graph,
                                context.instance, warehouse_path())
    if not selection:  # an empty selection would run the whole job
        return SkipReason(f"run {context.dagster_run.run_id}: nothing stale after it (no input changed)")
    return RunRequest(run_key=f"after-{context.dagster_run.run_id}", asset_selection=selection)


@sensor(minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING,
        description="Every 30 s: a run still marked running whose processes are all gone (killed, "
        "out of memory), launched from anywhere (UI, schedule, sensor, `dagster asset materialize`, "
        "the runner), is marked failed and its warehouse pool slot freed (orchestration.recovery).")
def reap_dead_runs(context: SensorEvaluationContext):
    from orchestration.recovery import release_dead_runs

    released = release_dead_runs(context.instance)
    for line in released:
        context.log.warning(str(line))
    return SkipReason("; ".join(map(str, released)) or "no dead run")


sensors = [new_13f_dataset_sensor, transform_after_ingest, reap_dead_runs]
