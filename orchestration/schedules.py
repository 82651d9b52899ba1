"""When the sources publish, in New York time: daily data after the US morning releases, the
Fed's H.4.1 on Thursday afternoon. Each run targets the partition holding the day (month) or week
it collects, and is keyed by that date, so a schedule tick evaluated twice starts one run."""

import datetime as dt

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from orchestration.jobs import daily_ingest_job, weekly_h41_job

SOURCE_TIMEZONE = "America/New_York"


def collected_day(scheduled: dt.datetime) -> dt.date:
    """The last complete day the 10:00 run collects (the day before, in New York time)."""
    return scheduled.date() - dt.timedelta(days=1)


def daily_run_key(scheduled: dt.datetime) -> str:
    return f"daily-{collected_day(scheduled).isoformat()}"


def daily_partition_key(scheduled: dt.datetime) -> str:
    """The month partition of the collected day: month-to-date is re-read and upserted."""
    return collected_day(scheduled).replace(day=1).isoformat()


def h41_week_ending(scheduled: dt.datetime) -> dt.date:
    """The Wednesday of the H.4.1 week the Fed released by that Thursday afternoon."""
    day = scheduled.date()
    return day - dt.timedelta(days=(day.weekday() - 2) % 7 or 7)


def h41_partition_key(scheduled: dt.datetime) -> str:
    """The weekly partition (keyed by its Thursday start) of that Thursday..Wednesday week."""
    return (h41_week_ending(scheduled) - dt.timedelta(days=6)).isoformat()


@schedule(job=daily_ingest_job, cron_schedule="0 10 * * 1-5", execution_timezone=SOURCE_TIMEZONE)
def daily_sources_schedule(context: ScheduleEvaluationContext):
    scheduled = context.scheduled_execution_time
    return RunRequest(run_key=daily_run_key(scheduled), partition_key=daily_partition_key(scheduled))


@schedule(job=weekly_h41_job, cron_schedule="0 17 * * 4", execution_timezone=SOURCE_TIMEZONE)
def weekly_h41_schedule(context: ScheduleEvaluationContext):
    scheduled = context.scheduled_execution_time
    week = h41_week_ending(scheduled)
    return RunRequest(run_key=f"h41-{week.isoformat()}", partition_key=h41_partition_key(scheduled),
                      tags={"rqe/h41_week_ending": week.isoformat()})


schedules = [daily_sources_schedule, weekly_h41_schedule]
