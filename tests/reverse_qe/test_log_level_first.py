"""dbt's loggers build only the lines their level lets through (reverse_qe/log_level_first.py): a
logger set to info builds no line for a debug event; what dbt writes through ``dbt_child.py`` is
what it writes without the change, event for event and line for line."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from dbt.adapters.events.types import SQLQuery
from dbt_common.events import logger as dbt_logger
from dbt_common.events.base_types import EventLevel, msg_from_base_event
from dbt_common.events.logger import LineFormat, LoggerConfig, _JsonLogger, _TextLogger
from dbt_common.events.types import Note, PrintEvent

from assets.resources import DBT_CHILD
from reverse_qe import log_level_first
from reverse_qe.dbt_child import DBT_MAIN, HERE, LOAD_DBT, WARM_ENV
from tests.dbt_probe import probe_project


class Counted:
    """A dbt logger that notes each line it builds."""

    built: list[str]

    def create_line(self, msg) -> str:
        self.built.append(msg.info.name)
        return super().create_line(msg)


class CountedJson(Counted, _JsonLogger):
    pass


class CountedText(Counted, _TextLogger):
    pass


@pytest.fixture
def installed(monkeypatch):
    """The change in this process, undone after the test."""
    monkeypatch.setattr(dbt_logger._Logger, "write_line", dbt_logger._Logger.write_line)
    log_level_first.install()


def counted(kind: type, level: EventLevel) -> tuple[Counted, io.StringIO]:
    stream = io.StringIO()
    line_format = LineFormat.Json if kind is CountedJson else LineFormat.PlainText
    logger = kind(LoggerConfig(name=f"probe-{kind.__name__}-{level}", level=level, line_format=line_format,
                               output_stream=stream))
    logger.built = []
    return logger, stream


SQL_QUERY = SQLQuery(conn_name="model.probe.answer", sql="select 42 as answer", node_info={})  # debug


@pytest.mark.parametrize("kind", [CountedJson, CountedText])
def test_a_logger_builds_only_the_lines_its_level_lets_through(installed, kind):
    at_info, info_out = counted(kind, EventLevel.INFO)
    for event in (SQL_QUERY, Note(msg="a note")):
        at_info.write_line(msg_from_base_event(event))
    assert at_info.built == ["Note"]  # the statement's event: not built, not written
    assert "a note" in info_out.getvalue() and "select 42" not in info_out.getvalue()

    at_warn, warn_out = counted(kind, EventLevel.WARN)  # as under --quiet
    for event in (Note(msg="a note"), PrintEvent(msg="printed")):
        at_warn.write_line(msg_from_base_event(event))
    assert at_warn.built == ["PrintEvent"] and "printed" in warn_out.getvalue()  # dbt sends prints as errors

    at_debug, debug_out = counted(kind, EventLevel.DEBUG)
    at_debug.write_line(msg_from_base_event(SQL_QUERY))
    assert at_debug.built == ["SQLQuery"] and "select 42" in debug_out.getvalue()


def project(root: Path) -> Path:
    return probe_project(root / "project", "lines_probe", str(root / "probe.duckdb"), {
        "answer": "select 42 as answer",
        "doubled": "select answer * 2 as doubled from {{ ref('answer') }}",
        "broken": "select no_such_column from {{ ref('answer') }}",
    })


def dbt_lines(root: Path, command: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """``dbt run`` by ``command`` on a fresh probe project as the pipeline runs it (JSON console,
    here at debug, and the log file as text at info): the console's events (name, level) and the
    file's lines, timestamps, timings and the probe's folder left out."""
    folder = project(root)
    env = {k: v for k, v in os.environ.items() if k != WARM_ENV}
    env.update(DBT_LOG_LEVEL_FILE="info", DBT_LOG_FORMAT_FILE="text", DO_NOT_TRACK="1")
    ran = subprocess.run([*command, "run", "--log-format", "json", "--log-level", "debug", "--profiles-dir", ".",
                          "--project-dir", "."], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 1, ran.stdout[-2000:] + ran.stderr[-2000:]  # broken.sql fails, as dbt says
    events = [(event["info"]["name"], event["info"]["level"]) for event in map(json.loads, ran.stdout.splitlines())]

    def plain(line: str) -> str:
        line = re.sub(r"^\S+\s+", "", line).replace(str(root), "ROOT")  # the time each line starts with
        return re.sub(r"\d+\.\d+", "N", line)
    lines = [plain(line) for line in (folder / "logs" / "dbt.log").read_text().splitlines() if line.strip()]
    return events, lines


def test_dbt_through_its_wrapper_writes_the_events_and_lines_dbt_writes_without_it(tmp_path):
    wrapped = dbt_lines(tmp_path / "wrapped", [sys.executable, str(DBT_CHILD)])
    plain = dbt_lines(tmp_path / "plain", [sys.executable, "-c",
                                           "import sys; from dbt.cli.main import cli; sys.argv[0] = 'dbt'; cli()"])
    assert ("SQLQuery", "debug") in wrapped[0]  # the console at debug still gets the debug events
    # the same kinds of event, each as often, less those dbt's own thread timing varies between
    # two runs (how often a connection is opened or reused, where children are marked skipped)
    assert set(wrapped[0]) == set(plain[0])
    assert Counter(settled(wrapped[0])) == Counter(settled(plain[0])) and len(settled(plain[0])) > 100
    assert wrapped[1] == plain[1]


def settled(events: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, level) for name, level in events if "Connection" not in name and name != "MarkSkippedChildren"]


def test_dbt_child_installs_it_in_the_dbt_it_starts_cold_or_warm():
    # the code both start dbt with: exec'd as the cold dbt's -c, run by the warm dbt before it waits
    probe = "from dbt_common.events import logger\nprint(logger._Logger.write_line.checks_level_first)\n"
    ran = subprocess.run([sys.executable, "-c", LOAD_DBT.format(folder=HERE) + probe], capture_output=True,
                         text=True, timeout=120)
    assert ran.stdout.strip() == "True", ran.stderr[-2000:]
    assert DBT_MAIN.startswith(LOAD_DBT)
