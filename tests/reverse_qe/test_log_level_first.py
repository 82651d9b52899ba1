"""dbt's loggers build only the lines their level lets through (reverse_qe/log_level_first.py): a
logger set to info builds no line for a debug event, and dbt's event manager builds no message for
an event no logger takes; what dbt writes through ``dbt_child.py`` is what it writes without the
change, event for event and line for line, with its console at debug and at info."""

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
from dbt_common.events import event_manager
from dbt_common.events import logger as dbt_logger
from dbt_common.events.base_types import BaseEvent, EventLevel, msg_from_base_event
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
    monkeypatch.setattr(event_manager.EventManager, "fire_event", event_manager.EventManager.fire_event)
    for name in ("__init__", "__getattr__", "__setattr__"):
        monkeypatch.setattr(BaseEvent, name, getattr(BaseEvent, name))
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


def test_the_event_manager_builds_a_message_only_for_an_event_some_logger_takes(installed, monkeypatch):
    built = []

    def counting(event, level=None):
        built.append(type(event).__name__)
        return msg_from_base_event(event, level=level)
    monkeypatch.setattr(event_manager, "msg_from_base_event", counting)  # the name fire_event calls
    manager = event_manager.EventManager()
    at_info, _ = counted(CountedJson, EventLevel.INFO)
    manager.loggers.append(at_info)
    manager.fire_event(SQL_QUERY)  # debug: no logger takes it
    manager.fire_event(Note(msg="a note"))
    manager.fire_event(SQL_QUERY, level=EventLevel.WARN)  # a warning goes through warn-error handling
    assert built == ["Note", "SQLQuery"] and at_info.built == ["Note", "SQLQuery"]

    dropped = SQLQuery(conn_name="model.probe.answer", sql="select 42 as answer", node_info={})
    manager.fire_event(dropped)
    assert "_unparsed" in vars(dropped)  # made and dropped, never parsed into its protobuf
    assert dropped.sql == "select 42 as answer" and "_unparsed" not in vars(dropped)  # parsed when read
    assert msg_from_base_event(dropped).data.sql == "select 42 as answer"

    heard = []
    manager.callbacks.append(heard.append)  # someone else listens: every event is built for it
    manager.fire_event(SQL_QUERY)
    assert built[-1] == "SQLQuery" and [msg.info.name for msg in heard] == ["SQLQuery"]
    assert at_info.built == ["Note", "SQLQuery"]  # and the logger still builds no debug line

    manager.callbacks.clear()
    at_debug, _ = counted(CountedText, EventLevel.DEBUG)
    manager.loggers.append(at_debug)
    manager.fire_event(SQL_QUERY)
    assert at_debug.built == ["SQLQuery"] and at_info.built == ["Note", "SQLQuery"]


def project(root: Path) -> Path:
    return probe_project(root / "project", "lines_probe", str(root / "probe.duckdb"), {
        "answer": "select 42 as answer",
        "doubled": "select answer * 2 as doubled from {{ ref('answer') }}",
        "broken": "select no_such_column from {{ ref('answer') }}",
    })


def dbt_lines(root: Path, command: list[str], console: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``dbt run`` by ``command`` on a fresh probe project as the pipeline runs it (JSON console at
    ``console`` level, info in the pipeline, and the log file as text at info): the console's events
    (name, level) and the file's lines, timestamps, timings and the probe's folder left out."""
    folder = project(root)
    env = {k: v for k, v in os.environ.items() if k != WARM_ENV}
    env.update(DBT_LOG_LEVEL_FILE="info", DBT_LOG_FORMAT_FILE="text", DO_NOT_TRACK="1")
    ran = subprocess.run([*command, "run", "--log-format", "json", "--log-level", console, "--profiles-dir", ".",
                          "--project-dir", "."], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 1, ran.stdout[-2000:] + ran.stderr[-2000:]  # broken.sql fails, as dbt says
    events = [(event["info"]["name"], event["info"]["level"]) for event in map(json.loads, ran.stdout.splitlines())]

    def plain(line: str) -> str:
        line = re.sub(r"^\S+\s+", "", line).replace(str(root), "ROOT")  # the time each line starts with
        return re.sub(r"\d+\.\d+", "N", line)
    lines = [plain(line) for line in (folder / "logs" / "dbt.log").read_text().splitlines() if line.strip()]
    return events, lines


@pytest.mark.parametrize("console", ["debug", "info"])
def test_dbt_through_its_wrapper_writes_the_events_and_lines_dbt_writes_without_it(tmp_path, console):
    wrapped = dbt_lines(tmp_path / "wrapped", [sys.executable, str(DBT_CHILD)], console)
    plain = dbt_lines(tmp_path / "plain", [sys.executable, "-c",
                                           "import sys; from dbt.cli.main import cli; sys.argv[0] = 'dbt'; cli()"],
                      console)
    # the console at debug still gets the debug events; at info, the models' and the run's results
    assert ("SQLQuery", "debug") in wrapped[0] if console == "debug" else ("LogModelResult", "info") in wrapped[0]
    # the same kinds of event, each as often, less those dbt's own thread timing varies between
    # two runs (how often a connection is opened or reused, where children are marked skipped)
    assert set(wrapped[0]) == set(plain[0])
    assert Counter(settled(wrapped[0])) == Counter(settled(plain[0]))
    assert len(settled(plain[0])) > (100 if console == "debug" else 10)
    assert wrapped[1] == plain[1]


def settled(events: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, level) for name, level in events if "Connection" not in name and name != "MarkSkippedChildren"]


def test_dbt_child_installs_it_in_the_dbt_it_starts_cold_or_warm():
    # the code both start dbt with: exec'd as the cold dbt's -c, run by the warm dbt before it waits
    probe = ("from dbt_common.events import base_types, event_manager, logger\n"
             "print(logger._Logger.write_line.checks_level_first,\n"
             "      event_manager.EventManager.fire_event.__name__,\n"
             "      base_types.BaseEvent.__init__.parses_when_read)\n")
    ran = subprocess.run([sys.executable, "-c", LOAD_DBT.format(folder=HERE) + probe], capture_output=True,
                         text=True, timeout=120)
    assert ran.stdout.split() == ["True", "fire_event_someone_takes", "True"], ran.stderr[-2000:]
    assert DBT_MAIN.startswith(LOAD_DBT)
