"""Schedules and sensors produce the right run requests and partitions (evaluated by Dagster itself)."""

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import (
    DagsterInstance,
    build_run_status_sensor_context,
    build_schedule_context,
)

from orchestration.schedules import (
    daily_sources_schedule,
    h41_week_ending,
    weekly_h41_schedule,
)

NY = ZoneInfo("America/New_York")


def tick(scheduled: dt.datetime):
    """A schedule context inside the code location, so Dagster validates the partition key."""
    from orchestration.definitions import defs

    return build_schedule_context(scheduled_execution_time=scheduled, repository_def=defs.get_repository_def())


def test_daily_schedule_collects_the_previous_day_once_per_tick_into_its_month():
    context = tick(dt.datetime(2026, 11, 23, 10, 0, tzinfo=NY))
    (request,) = daily_sources_schedule.evaluate_tick(context).run_requests
    assert request.run_key == "daily-2026-11-22"
    assert request.partition_key == "2026-11-01"
    # The first business day of a month closes the month before.
    context = tick(dt.datetime(2026, 12, 1, 10, 0, tzinfo=NY))
    (request,) = daily_sources_schedule.evaluate_tick(context).run_requests
    assert (request.run_key, request.partition_key) == ("daily-2026-11-30", "2026-11-01")
    assert daily_sources_schedule.cron_schedule == "0 10 * * 1-5"
    assert daily_sources_schedule.execution_timezone == "America/New_York"
    assert daily_sources_schedule.job_name == "daily_ingest"


def test_weekly_schedule_names_the_h41_week_it_collects():
    context = tick(dt.datetime(2026, 11, 19, 17, 0, tzinfo=NY))
    (request,) = weekly_h41_schedule.evaluate_tick(context).run_requests
    assert request.run_key == "h41-2026-11-18"
    assert request.tags["rqe/h41_week_ending"] == "2026-11-18"
    assert request.partition_key == "2026-11-12"  # the Thursday..Wednesday week ending 11-18
    assert weekly_h41_schedule.cron_schedule == "0 17 * * 4"
    # A late tick on Wednesday still names the previous complete week, never the current one.
    assert h41_week_ending(dt.datetime(2026, 11, 25, 9, 0)) == dt.date(2026, 11, 18)


def test_a_successful_ingestion_run_requests_the_transform_of_what_it_changed():
    from dagster import DagsterEvent, DagsterEventType

    from orchestration.definitions import defs
    from orchestration.jobs import transform_after
    from orchestration.sensors import transform_after_ingest
    from reverse_qe.settings import warehouse_path

    instance = DagsterInstance.ephemeral()
    run = instance.create_run_for_job(job_def=defs.resolve_job_def("daily_ingest"), run_id="4f1b2c3d-0000-4000-8000-000000000abc")
    event = DagsterEvent(event_type_value=DagsterEventType.RUN_SUCCESS.value, job_name="daily_ingest")
    context = build_run_status_sensor_context(
        sensor_name=transform_after_ingest.name, dagster_instance=instance, dagster_run=run, dagster_event=event,
        repository_def=defs.get_repository_def(),
    )
    request = transform_after_ingest(context)
    assert request.run_key == "after-4f1b2c3d-0000-4000-8000-000000000abc"
    assert transform_after_ingest.job_name == "transform_and_publish"
    assert request.asset_selection == transform_after(["daily_ingest"], defs.resolve_asset_graph(), instance,
                                                      warehouse_path())



def test_an_ingestion_run_of_the_runner_that_transforms_next_requests_no_second_transform():
    """The runner's runs are filed under the code location like the UI's, so the sensor sees them;
    one whose runner runs the transform itself next is skipped, any other is not."""
    from dagster import DagsterEvent, DagsterEventType, SkipReason

    from orchestration.definitions import defs
    from orchestration.jobs import RUNNER_TRANSFORMS_TAG
    from orchestration.sensors import transform_after_ingest

    instance = DagsterInstance.ephemeral()
    outcomes = []
    for tags in ({RUNNER_TRANSFORMS_TAG: "true"}, {}):
        run = instance.create_run_for_job(job_def=defs.resolve_job_def("weekly_h41"), tags=tags)
        event = DagsterEvent(event_type_value=DagsterEventType.RUN_SUCCESS.value, job_name="weekly_h41")
        context = build_run_status_sensor_context(
            sensor_name=transform_after_ingest.name, dagster_instance=instance, dagster_run=run,
            dagster_event=event, repository_def=defs.get_repository_def(),
        )
        outcomes.append(transform_after_ingest(context))
    skipped, requested = outcomes
    assert isinstance(skipped, SkipReason) and "runs the transform next" in skipped.skip_message
    assert requested.run_key.startswith("after-")

def _paths(keys) -> set[str]:
    return {"/".join(key.path) for key in keys}


def test_the_transform_rebuilds_what_is_downstream_of_the_jobs_that_ran_and_all_after_every_job():
    from orchestration.definitions import defs
    from orchestration.jobs import INGEST_JOBS, transform_after, transform_job

    graph = defs.resolve_asset_graph()
    everything = _paths(transform_job.selection.resolve(graph))
    weekday = _paths(transform_after(["daily_ingest"], graph))
    # a weekday's prices and Treasury data reach the chain and the scores, not the 13F-only models
    assert {"marts/fct_capex_absorption", "intermediate/int_chain__rounds", "published/warehouse",
            "raw/asset_taxonomy"} <= weekday
    assert everything - weekday >= {"intermediate/int_holdings__positions", "staging/stg_sec13f__infotable",
                                    "staging/stg_fred__observations"}
    assert "staging/stg_fred__observations" in _paths(transform_after(["weekly_h41"], graph))
    # every model hangs off some ingestion job or is a seed: after all of them, the whole transform
    assert _paths(transform_after([job.name for job in INGEST_JOBS], graph)) == everything


def test_the_sensor_watches_every_ingestion_job():
    from orchestration.jobs import INGEST_JOBS
    from orchestration.sensors import MONITORED

    assert {job.name for job in MONITORED} == {job.name for job in INGEST_JOBS} == {
        "daily_ingest", "weekly_h41", "quarterly_13f"}


def test_the_demo_runs_the_jobs_named_on_its_command_line_and_refuses_unknown_ones(monkeypatch):
    import pytest

    from orchestration.cli import all_jobs, chosen_plan

    monkeypatch.setenv("RQE_SOURCE", "scenario")
    assert chosen_plan([]) == all_jobs() == ["daily_ingest", "weekly_h41", "quarterly_13f", "transform_and_publish"]
    assert chosen_plan(["daily_ingest", "transform_and_publish"]) == ["daily_ingest", "transform_and_publish"]
    with pytest.raises(SystemExit, match="no job 'daily'; the jobs are daily_ingest, weekly_h41"):
        chosen_plan(["daily", "transform_and_publish"])


def test_a_new_13f_dataset_in_the_replay_folder_starts_the_quarterly_job_once(tmp_path, monkeypatch):
    from dagster import build_sensor_context

    from orchestration.sensors import new_13f_dataset_sensor

    folder = tmp_path / "replay" / "sec_13f"
    folder.mkdir(parents=True)
    monkeypatch.setenv("RQE_SOURCE", "replay")
    monkeypatch.setenv("RQE_REPLAY_DIR", str(tmp_path / "replay"))
    monkeypatch.setenv("RQE_LANDING_DIR", str(tmp_path / "landing"))
    assert new_13f_dataset_sensor(build_sensor_context()).run_requests == []

    (folder / "01sep2025-30nov2025_form13f.zip").write_bytes(b"zip")
    first = new_13f_dataset_sensor(build_sensor_context())
    (request,) = first.run_requests
    assert request.job_name in (None, "quarterly_13f")
    assert request.partition_key == "01sep2025-30nov2025_form13f"
    (added,) = first.dynamic_partitions_requests
    assert (added.partitions_def_name, list(added.partition_keys)) == ("sec_13f_datasets", ["01sep2025-30nov2025_form13f"])

    again = new_13f_dataset_sensor(build_sensor_context(cursor=first.cursor))
    assert again.run_requests == []  # seen: no second run
    (tmp_path / "landing" / "sec_13f" / "2026-03-01").mkdir(parents=True)
    (tmp_path / "landing" / "sec_13f" / "2026-03-01" / "01dec2025-28feb2026_form13f.zip").write_bytes(b"zip")
    (later,) = new_13f_dataset_sensor(build_sensor_context(cursor=first.cursor)).run_requests
    assert later.partition_key == "01dec2025-28feb2026_form13f"


def test_each_ingestion_job_has_one_partitions_definition_and_runs_a_range_as_one_run():
    from dagster import BackfillPolicy

    from assets.partitions import (
        h41_weekly_partitions,
        monthly_partitions,
        sec_13f_dataset_partitions,
    )
    from orchestration.definitions import defs

    expected = {"daily_ingest": monthly_partitions, "weekly_h41": h41_weekly_partitions,
                "quarterly_13f": sec_13f_dataset_partitions}
    graph = defs.resolve_asset_graph()
    for job_name, partitions_def in expected.items():
        job = defs.resolve_job_def(job_name)
        assert job.partitions_def == partitions_def
        for key in job.asset_layer.executable_asset_keys:
            assert graph.get(key).backfill_policy == BackfillPolicy.single_run(), key


def test_the_runner_materialises_through_the_partition_in_progress_the_ui_shows():
    """A clean demo leaves no partition the UI shows as missing: the scenario's data ends the business
    day before today, but the definitions (end_offset=1) already hold the week or month in progress
    on a Thursday or early in a month, so the run goes through that one (empty until data arrives),
    as a live run does. A pinned scenario end stops at its own partition: a later run with a later
    end must still find the weeks after it not done."""
    from assets.partitions import h41_weekly_partitions, monthly_partitions
    from assets.resources import SourcesResource
    from orchestration.cli import partition_tags, partitions_as_of
    from orchestration.definitions import defs

    default = SourcesResource(mode="scenario", scenario_dir="scenario", landing_dir="landing")
    pinned = SourcesResource(mode="scenario", scenario_dir="scenario", landing_dir="landing", scenario_end="2026-11-20")
    live = SourcesResource(mode="live", scenario_dir="scenario", landing_dir="landing")
    assert partitions_as_of(default) is None and partitions_as_of(live) is None
    assert partitions_as_of(pinned) == dt.date(2026, 11, 20)
    instance = DagsterInstance.ephemeral()
    for job_name, partitions_def in (("daily_ingest", monthly_partitions), ("weekly_h41", h41_weekly_partitions)):
        job = defs.resolve_job_def(job_name)
        tags = partition_tags(instance, job, default)
        assert tags["dagster/asset_partition_range_end"] == partitions_def.get_last_partition_key(), job_name
        assert tags["dagster/asset_partition_range_start"] == partitions_def.get_first_partition_key(), job_name
    ends = {name: partition_tags(instance, defs.resolve_job_def(name), pinned)["dagster/asset_partition_range_end"]
            for name in ("daily_ingest", "weekly_h41")}
    assert ends == {"daily_ingest": "2026-11-01", "weekly_h41": "2026-11-19"}
