"""A dbt build on a warehouse other than the one ``make manifest`` parsed for parses the project
once, keeps that parse beside the warehouse, and the next build there starts from it
(``reverse_qe.dbt_parse``); dbt's own log file of each is text at info level
(``reverse_qe.settings.dbt_file_log_env``). Real dbt, through the pipeline's own dbt resource."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from assets.resources import build_resources
from reverse_qe.dbt_parse import kept_parse_path
from reverse_qe.dbt_targets import RUN_TARGETS_KEPT
from reverse_qe.settings import DBT_FILE_LOG, dbt_file_log_env

REPARSED = "Unable to do partial parsing"  # what dbt logs when it parses the whole project again


def seed_one(dbt):
    """One small seed, as a build starts: the resource picks the target folder."""
    invocation = dbt.cli(["seed", "--select", "fred_series"], raise_on_error=True)
    invocation.wait()
    dbt.after_build(invocation)
    return invocation, (invocation.target_path / "dbt.log").read_text()


@dataclass
class TwoSeeds:
    warehouse: Path
    kept_after_first: bytes
    kept_made_ns: int
    first: object
    second: object
    second_log: str
    file_log_env: dict[str, str]
    earlier_builds: list[Path]  # invocation folders made before the seeds, oldest first
    target_after: set[str]


EARLIER_BUILDS = 12


@pytest.fixture(scope="module")
def two_seeds(tmp_path_factory) -> TwoSeeds:
    """Two seeds on a new warehouse whose kept parse is damaged (dbt parses again, as with none), in
    an environment without dbt's file-log variables, as a fresh run's process has."""
    warehouse = tmp_path_factory.mktemp("kept") / "w.duckdb"
    target = warehouse.parent / "target"
    earlier = []
    for n in range(EARLIER_BUILDS):  # earlier runs' folders, as dagster-dbt names them, oldest first
        earlier.append(target / f"reverse_qe_dbt_assets-{n:07x}-0000000")
        earlier[-1].mkdir(parents=True)
        os.utime(earlier[-1], (1_700_000_000 + n, 1_700_000_000 + n))
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("RQE_WAREHOUSE", str(warehouse))
        monkeypatch.setenv("DBT_TARGET_PATH", str(target))
        for name in DBT_FILE_LOG:  # set, then removed: the context puts back what was there
            monkeypatch.setenv(name, "")
            monkeypatch.delenv(name)
        dbt = build_resources()["dbt"]
        kept = kept_parse_path(warehouse)
        kept.write_bytes(b"not a parse")
        first, _ = seed_one(dbt)
        kept_after_first, made = kept.read_bytes(), kept.stat().st_mtime_ns
        second, second_log = seed_one(dbt)
        file_log_env = {name: os.environ.get(name) for name in DBT_FILE_LOG}
    return TwoSeeds(warehouse, kept_after_first, made, first, second, second_log, file_log_env, earlier,
                    {path.name for path in target.iterdir() if path.is_dir()})


def test_a_build_leaves_the_target_folders_of_the_newest_builds_only(two_seeds):
    newest_earlier = two_seeds.earlier_builds[-(RUN_TARGETS_KEPT - 2):]
    assert two_seeds.target_after == {two_seeds.first.target_path.name, two_seeds.second.target_path.name,
                                      *(path.name for path in newest_earlier)}


def test_a_build_keeps_its_parse_and_the_next_build_on_that_warehouse_starts_from_it(two_seeds):
    # the first parsed again and kept its parse (dbt names an unreadable parse only in debug lines)
    assert two_seeds.kept_after_first != b"not a parse"

    kept = kept_parse_path(two_seeds.warehouse)
    assert REPARSED not in two_seeds.second_log, two_seeds.second_log[-3000:]
    assert (two_seeds.second.target_path / "partial_parse.msgpack").read_bytes() == kept.read_bytes()
    assert kept.stat().st_mtime_ns == two_seeds.kept_made_ns  # nothing new to keep: dbt reused it whole
    with duckdb.connect(str(two_seeds.warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.fred_series").fetchone()[0] > 0


def test_dbts_log_file_is_text_with_each_nodes_result_and_none_of_its_sql(two_seeds):
    assert two_seeds.file_log_env == DBT_FILE_LOG  # the resource set them for its dbt
    log = two_seeds.second_log
    lines = [line for line in log.splitlines() if line.strip()]
    assert lines and not any(line.lstrip().startswith("{") for line in lines), log[:2000]  # text, not JSON
    assert "OK loaded seed file raw.fred_series" in log, log[-2000:]  # the node and its result
    # at debug level the file carries each statement dbt sends, the seed's insert among them
    assert "insert into" not in log.lower() and "SQL status" not in log, log[-2000:]


def test_the_users_own_file_log_setting_wins():
    assert dbt_file_log_env({}) == DBT_FILE_LOG
    assert dbt_file_log_env({"DBT_LOG_LEVEL_FILE": "debug"}) == {"DBT_LOG_FORMAT_FILE": "text"}
