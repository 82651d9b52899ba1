"""The runner's runs, recorded in the Dagster instance as the UI records a run it launches, and executed
in the runner's own process.

The UI's runs timeline (Overview → Timeline) lists a run only under a job of a code
location: it drops every run without a *remote origin* (the code location and repository, by the
names ``workspace.yaml`` gives them). ``JobDefinition.execute_in_process``, ``execute_job`` and
``dagster asset materialize`` record none, so their runs were in the runs list but never in the
timeline, had no job page to link to, and no run-status sensor saw them.

:func:`create_run` records a run the way the webserver does when you click Materialize: the remote
origin of this repository's code location in ``workspace.yaml``, the code origin a run worker would
reload the job from (``orchestration.definitions``), the job and execution-plan snapshots, the tags.
:func:`execute` then does what Dagster's run worker (``dagster api execute_run``) does with a
launched run, here, with the in-process executor: no code server and no second import of the
definitions per job, which a launch through a run launcher costs (see the README, "What the UI and
the logs show").
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from dagster import AssetKey, DagsterInstance, DagsterRun, JobDefinition
from dagster._core.definitions.reconstruct import (
    ReconstructableJob,
    ReconstructableRepository,
)
from dagster._core.execution.api import create_execution_plan, execute_run
from dagster._core.execution.job_execution_result import JobExecutionResult
from dagster._core.remote_origin import RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.workspace.autodiscovery import loadable_targets_from_loaded_module
from dagster._core.workspace.load_target import WorkspaceFileTarget

WORKSPACE = Path(__file__).resolve().parent.parent / "workspace.yaml"
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}  # the default executor's in-process choice


@cache
def code_location():
    """The one code location of ``workspace.yaml`` (its origin: name, module, working directory)."""
    origins = WorkspaceFileTarget(paths=[str(WORKSPACE)]).create_origins()
    if len(origins) != 1:
        raise RuntimeError(f"{WORKSPACE} must name exactly one code location; it names {len(origins)}")
    return origins[0]


@cache
def reconstructable_repository() -> ReconstructableRepository:
    """Where a run worker reloads the definitions from: the location's module, the attribute in it
    that holds them (found as the code server finds it; the module is imported by now), and its
    working directory, which ``workspace.yaml`` gives relative to itself (``make dev`` runs there)."""
    target = code_location().loadable_target_origin
    (loadable,) = loadable_targets_from_loaded_module(importlib.import_module(target.module_name))
    folder = (WORKSPACE.parent / (target.working_directory or ".")).resolve()
    return ReconstructableRepository.for_module(target.module_name, loadable.attribute, str(folder))


def remote_origin(repository_name: str, job_name: str) -> RemoteJobOrigin:
    return RemoteJobOrigin(RemoteRepositoryOrigin(code_location(), repository_name), job_name)


def create_run(instance: DagsterInstance, defs, job: JobDefinition, *, run_id: str, tags: Mapping[str, str],
               run_config: Mapping[str, object], asset_selection: Sequence[AssetKey] | None = None) -> DagsterRun:
    """A run of ``job`` (of these ``defs``), in the instance with its remote origin, not started."""
    selection = frozenset(asset_selection) if asset_selection else None
    subset = job.get_subset(asset_selection=selection) if selection else job
    recon = reconstructable_repository().get_reconstructable_job(job.name)
    run_config = {**IN_PROCESS, **run_config}
    return instance.create_run_for_job(
        job_def=subset,
        execution_plan=create_execution_plan(subset, run_config=run_config, tags=tags, instance_ref=instance.get_ref()),
        run_id=run_id,
        run_config=run_config,
        tags={**job.run_tags, **tags},
        asset_selection=selection,
        remote_job_origin=remote_origin(defs.get_repository_def().name, job.name),
        job_code_origin=recon.get_python_origin(),
    )


def execute(instance: DagsterInstance, run: DagsterRun) -> JobExecutionResult:
    """Execute a run :func:`create_run` made, in this process, as a run worker would."""
    job = ReconstructableJob(reconstructable_repository(), run.job_name)
    return execute_run(job, run, instance, raise_on_error=False)
