"""When the sources publish, in New York time: daily data after the US morning releases, the
Fed's H.4.1 on Thursday afternoon. Runs are keyed by the date they collect, so a schedule tick
that is evaluated twice starts one run."""

import datetime as dt

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from orchestration.jobs import daily_ingest_job, weekly_h41_job

SOURCE_TIMEZONE = "America/New_York"


def daily_run_key(scheduled: dt.datetime) -> str:
    """The last complete day the 10:00 run collects (the day before, in New York time)."""
    return f"daily-{(scheduled.date() - dt.timedelta(days=1)).isoformat()}"


def h41_week_ending(scheduled: dt.datetime) -> dt.date:
    """The Wednesday of the H.4.1 week the Fed released by that Thursday afternoon."""
    day = scheduled.date()
    return day - dt.timedelta(days=(day.weekday() - 2) % 7 or 7)


@schedule(job=daily_ingest_job, cron_schedule="0 10 * * 1-5", execution_timezone=SOURCE_TIMEZONE)
def daily_sources_schedule(context: ScheduleEvaluationContext):
    return RunRequest(run_key=daily_run_key(context.scheduled_execution_time))


@schedule(job=weekly_h41_job, cron_schedule="0 17 * * 4", execution_timezone=SOURCE_TIMEZONE)
def weekly_h41_schedule(context: ScheduleEvaluationContext):
    week = h41_week_ending(context.scheduled_execution_time)
    return RunRequest(run_key=f"h41-{week.isoformat()}", tags={"rqe/h41_week_ending": week.isoformat()})


schedules = [daily_sources_schedule, weekly_h41_schedule]
