"""After any ingestion job succeeds, rebuild the models downstream and publish."""

from dagster import DagsterRunStatus, RunRequest, RunStatusSensorContext, run_status_sensor

from orchestration.jobs import INGEST_JOBS, transform_job


MONITORED = list(INGEST_JOBS)


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=MONITORED,
    request_job=transform_job,
    description="An ingestion run succeeded: build every dbt model, run the checks, publish.",
)
def transform_after_ingest(context: RunStatusSensorContext):
    return RunRequest(run_key=f"after-{context.dagster_run.run_id}")


sensors = [transform_after_ingest]
