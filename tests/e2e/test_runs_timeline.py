"""The runner's runs (`make demo`, `make live`, `python -m orchestration.cli ...`) are in the UI's runs
timeline like the runs the UI launches: a real `make dev` (webserver and daemon) on a copy of the
scenario build, asked the timeline's own question over GraphQL, then the timeline page in a real
Chromium.

The timeline drops a run with no ``repositoryOrigin`` and files the others under (code location,
repository, job); ``execute_in_process`` runs had none, so the demo's runs were in the runs list but
not on the timeline.
"""

from __future__ import annotations

import httpx
import pytest

from orchestration.cli import all_jobs
from tests.conftest import copy_run, isolated_env
from tests.e2e.test_ui_browser import (
    CHROMIUM,
    LAUNCH_ARGS,
    dagster_dev,
    require_browser,
)

pytestmark = pytest.mark.slow

# what the timeline reads of each run (useRunsForTimeline's fragment), and what the workspace holds
QUERY = """
query {
  runsOrError {
    __typename
    ... on Runs { results { id pipelineName status startTime endTime
                            repositoryOrigin { repositoryLocationName repositoryName } } }
  }
  workspaceOrError {
    __typename
    ... on Workspace { locationEntries { name locationOrLoadError {
      __typename ... on RepositoryLocation { repositories { name jobs { name } } } } } }
  }
}
"""


@pytest.fixture(scope="module")
def dev_on_scenario(scenario_run, tmp_path_factory):
    root = copy_run(scenario_run, tmp_path_factory.mktemp("timeline")).root
    with dagster_dev(root, isolated_env(root)) as url:
        yield url, root


def graphql(url: str) -> dict:
    reply = httpx.post(f"{url}/graphql", json={"query": QUERY}, timeout=60)
    reply.raise_for_status()
    body = reply.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_every_runner_run_is_filed_under_a_job_of_the_workspace(dev_on_scenario):
    url, _ = dev_on_scenario
    data = graphql(url)
    jobs_of = {(entry["name"], repo["name"]): {job["name"] for job in repo["jobs"]}
               for entry in data["workspaceOrError"]["locationEntries"]
               for repo in entry["locationOrLoadError"]["repositories"]}
    runs = data["runsOrError"]["results"]
    assert {run["pipelineName"] for run in runs} == set(all_jobs()), runs  # the demo ran every job once

    unfiled = [run for run in runs if run["repositoryOrigin"] is None]
    assert not unfiled, f"runs the timeline drops (no repositoryOrigin): {unfiled}"
    for run in runs:
        origin = run["repositoryOrigin"]
        where = (origin["repositoryLocationName"], origin["repositoryName"])
        assert run["pipelineName"] in jobs_of.get(where, set()), (run, jobs_of)
        assert run["status"] == "SUCCESS" and run["startTime"] <= run["endTime"], run


def test_the_timeline_page_shows_a_row_for_each_job_the_demo_ran(dev_on_scenario):
    from playwright.sync_api import sync_playwright

    require_browser()
    url, root = dev_on_scenario
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{url}/overview/activity/timeline?groupBy=job", wait_until="domcontentloaded",
                      timeout=120_000)
            for job in all_jobs():  # a row of the timeline per job with runs; none when they had no origin
                page.get_by_text(job, exact=True).first.wait_for(timeout=120_000)
            page.screenshot(path=str(root / "timeline.png"))
        finally:
            browser.close()
