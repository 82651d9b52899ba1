"""Dagster resources: the warehouse, dbt, and where source documents come from."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

from dagster import ConfigurableResource, get_dagster_logger
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from reverse_qe import dbt_child
from reverse_qe.dbt_parse import keep_parse, start_from_kept
from reverse_qe.dbt_targets import prune_run_targets
from reverse_qe.settings import (
    DBT_PROJECT_DIR,
    SourceSettings,
    dbt_colour_env,
    dbt_file_log_env,
    duckdb_memory_limit,
    warehouse_path,
)
from reverse_qe.warehouse_open import open_warehouse

# dbt through this wrapper dies with the process that started it (no dbt left holding the lock)
DBT_CHILD = Path(dbt_child.__file__)

if TYPE_CHECKING:  # the transports and the scenario generator load when a run opens them
    from reverse_qe.sources.transports import FileTransport, HttpTransport


class SourcesResource(ConfigurableResource):
    """Chooses the transport (``scenario`` | ``replay`` | ``live``) for every ingestion asset."""

    mode: str = "scenario"
    replay_dir: Optional[str] = None
    scenario_dir: str
    scenario_end: Optional[str] = None
    scenario_scale: int = 1
    landing_dir: str
    # comma-separated sources to read (RQE_SOURCES); empty: all of reverse_qe.sources.SOURCES
    enabled_sources: str = ""

    @classmethod
    def from_settings(cls, settings: SourceSettings) -> SourcesResource:
        return cls(
            mode=settings.mode,
            replay_dir=str(settings.replay_dir) if settings.replay_dir else None,
            scenario_dir=str(settings.scenario_dir),
            scenario_end=settings.scenario_end,
            scenario_scale=settings.scenario_scale,
            landing_dir=str(settings.landing_dir),
            enabled_sources=",".join(sorted(settings.enabled_sources or ())),
        )

    def provides(self, source: str) -> bool:
        """Whether ``source`` is read at all (``RQE_SOURCES``); a replay folder may still lack it."""
        return not self.enabled_sources or source in self.enabled_sources.split(",")

    def as_of(self) -> dt.date:
        """The run date data is judged against (no future dates, freshness): the scenario's own
        end date offline, otherwise today."""
        if self.mode == "scenario":
            from reverse_qe.scenario.build import scenario_end

            return scenario_end(self.scenario_end)
        return dt.date.today()

    @contextlib.contextmanager
    def open_transport(self) -> Iterator[FileTransport | HttpTransport]:
        from reverse_qe.scenario.build import ensure_scenario, scenario_end
        from reverse_qe.sources.transports import FileTransport, HttpTransport

        if self.mode == "live":
            # No shared headers: the SEC loaders send the contact (RQE_SEC_USER_AGENT, read from env
            # when they run, never resource config the UI shows) to the SEC only.
            transport = HttpTransport(Path(self.landing_dir))
            try:
                yield transport
            finally:
                transport.close()
        elif self.mode == "replay":
            if not self.replay_dir:
                raise ValueError("RQE_SOURCE=replay needs RQE_REPLAY_DIR")
            yield FileTransport(Path(self.replay_dir), mode="replay")
        elif self.mode == "scenario":
            end = scenario_end(self.scenario_end)
            yield FileTransport(ensure_scenario(Path(self.scenario_dir), end=end, scale=self.scenario_scale), mode="scenario")
        else:
            raise ValueError(f"unknown source mode {self.mode!r}: expected scenario, replay or live")



class WarehouseResource(DuckDBResource):
    """The warehouse connection of every step: DuckDB's lock waited for at most ``RQE_LOCK_WAIT_S``,
    saying who holds it every 30 s; any other failure to open raised at once with its cause
    (``reverse_qe.warehouse_open``), instead of dagster-duckdb's ~100 s of silent retries."""

    @contextlib.contextmanager
    def get_connection(self):
        conn = open_warehouse(Path(self.database), config={"custom_user_agent": "dagster", **self.connection_config},
                              report=get_dagster_logger().warning)
        try:
            yield conn
        finally:
            conn.close()


class WarehouseDbtResource(DbtCliResource):
    """dbt, started once the warehouse can be opened (the same bounded wait and named errors as the
    steps' connections, rather than dbt's raw lock error), without colour codes unless the run's
    output is a terminal (``dbt_colour_env``; dbt reads the environment it inherits), and its own
    log file at info level as text (``dbt_file_log_env``)."""

    @functools.cached_property
    def _cli_version(self):
        """dbt's version, which dagster-dbt reads before every invocation (dbt Core or Fusion), taken
        from this interpreter's dbt package: DBT_CHILD runs that very dbt. dagster-dbt starts
        ``dbt --version`` for it, a whole dbt process (~3 s idle, twice that on a loaded machine)
        that also asks PyPI for the latest release."""
        from dbt.version import __version__
        from packaging import version

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):
        """No in-process dbt adapter. dagster-dbt builds one before every invocation (dbt's adapter,
        the profile, the project and dbt's base macros loaded into the Dagster process: 1.5 s, 0.6 s
        again in the same process) only for ``fetch_row_counts()`` and ``fetch_column_metadata()``,
        which this project does not call (``assets/reports.py`` says why); an invocation takes None,
        as it does for dbt Fusion, and streams the same events."""
        return None

    def cli(self, args, **kwargs):
        """Also: a build starts from the parse kept for its warehouse (``reverse_qe.dbt_parse``);
        the caller keeps dbt's new one with :meth:`after_build` once the invocation has ended."""
        if args and args[0] in ("build", "run", "seed", "test", "snapshot"):
            warehouse = warehouse_path()
            open_warehouse(warehouse, report=get_dagster_logger().warning).close()
            target = Path(kwargs.get("target_path") or self._get_unique_target_path(context=kwargs.get("context")))
            start_from_kept(warehouse, target if target.is_absolute() else Path(self.project_dir) / target)
            kwargs["target_path"] = target
        os.environ.update(dbt_colour_env(sys.stdout))
        os.environ.update(dbt_file_log_env())
        return super().cli(args, **kwargs)

    def after_build(self, invocation) -> None:
        """Once an invocation has ended: keep the parse it wrote for the warehouse's next build, and
        remove the target folders of all but the newest builds (``reverse_qe.dbt_targets``)."""
        keep_parse(warehouse_path(), invocation.target_path)
        prune_run_targets(invocation.target_path)


def build_resources(settings: SourceSettings | None = None) -> dict:
    """The resources of the one Definitions, all pointing at ``RQE_WAREHOUSE``."""
    settings = settings or SourceSettings.from_env()
    os.environ["RQE_DBT_PYTHON"] = sys.executable  # read by DBT_CHILD in the dbt subprocess
    return {
        "warehouse": WarehouseResource(database=str(warehouse_path()),
                                       connection_config={"memory_limit": duckdb_memory_limit()}),
        # The dbt of this interpreter (so an unactivated venv, as make, CI and dagster dev run it,
        # finds it), through DBT_CHILD: dbt dies with the run that started it.
        "dbt": WarehouseDbtResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=str(DBT_CHILD),
        ),
        "sources": SourcesResource.from_settings(settings),
    }
