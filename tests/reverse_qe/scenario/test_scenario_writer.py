"""The scenario is written by one process at a time: the runner starts a writer beside itself
(``orchestration.cli.write_scenario_meanwhile``) while its first step may ask for the same folder."""

from __future__ import annotations

import datetime as dt
import threading

from orchestration.cli import TRANSFORM_JOB, write_scenario_meanwhile
from reverse_qe.scenario import build
from reverse_qe.settings import SourceSettings

END = dt.date(2026, 11, 20)


def test_a_step_asking_while_another_process_writes_waits_for_it_and_writes_nothing_again(tmp_path):
    folder = tmp_path / "scenario"
    returned = threading.Event()
    with build.writer_lock(folder):  # this test is the other writer
        asker = threading.Thread(target=lambda: (build.ensure_scenario(folder, end=END), returned.set()))
        asker.start()
        assert not returned.wait(1.0), "ensure_scenario did not wait for the writer holding the folder"
        folder.mkdir()
        (folder / build.MARKER).write_text(build.marker_text(END, 1))  # what the writer leaves, complete
    asker.join(timeout=30)
    assert returned.is_set()
    assert [p.name for p in folder.iterdir()] == [build.MARKER]  # nothing generated a second time
    assert not folder.with_name("scenario.partial").exists()


def settings(monkeypatch, tmp_path, source: str = "scenario") -> SourceSettings:
    """The runner's settings; the environment it reads them from is the writer's too."""
    monkeypatch.setenv("RQE_WAREHOUSE", str(tmp_path / "warehouse" / "reverse_qe.duckdb"))
    monkeypatch.setenv("RQE_SCENARIO_END", END.isoformat())
    monkeypatch.setenv("RQE_SOURCE", source)
    monkeypatch.setenv("RQE_REPLAY_DIR", str(tmp_path / "replay"))
    for name in ("RQE_SCENARIO_DIR", "RQE_SCENARIO_SCALE"):
        monkeypatch.delenv(name, raising=False)
    return SourceSettings.from_env()


def test_the_runner_writes_the_scenario_beside_itself_only_when_a_job_will_read_it(tmp_path, monkeypatch):
    assert write_scenario_meanwhile(settings(monkeypatch, tmp_path, "replay"), ["daily_ingest"]) is None
    ours = settings(monkeypatch, tmp_path)
    assert write_scenario_meanwhile(ours, [TRANSFORM_JOB]) is None  # no job reads the scenario

    writer = write_scenario_meanwhile(ours, ["daily_ingest", TRANSFORM_JOB])
    assert writer is not None and writer.wait(timeout=120) == 0
    assert build.is_written(ours.scenario_dir, end=END)
    assert write_scenario_meanwhile(ours, ["daily_ingest", TRANSFORM_JOB]) is None  # written: nothing to do
