"""The published copy opens in a real DuckDB 1.x, carries meta.publication and meta.raw_tables, and
its Parquet export round-trips and is swapped in whole (or not at all)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from reverse_qe.settings import code_version
from reverse_qe.warehouse import PARQUET_FOLDER, PUBLISHED_STORAGE_VERSION, publish_copy
from tests import handmade_warehouse

# The oldest DuckDB 1.x that reads the 'v1.2.0' storage format (1.1.3 stops at storage version 64).
DUCKDB_1X = os.environ.get("RQE_DUCKDB_1X_VERSION", "1.2.2")
CACHE = Path(os.environ.get("RQE_DUCKDB_1X_CACHE", Path.home() / ".cache" / "rqe-duckdb1x"))


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def duckdb_1x() -> Path:
    """A Python with DuckDB ``DUCKDB_1X`` installed, in a venv cached across runs (under a lock, so
    parallel workers build it once). Skips, with the reason, when it cannot be installed."""
    venv = CACHE / f"duckdb-{DUCKDB_1X}"
    ready = venv / ".ready"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            shutil.rmtree(venv, ignore_errors=True)
            steps = [[sys.executable, "-m", "venv", str(venv)],
                     [str(_venv_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                      f"duckdb=={DUCKDB_1X}"]]
            for step in steps:
                done = subprocess.run(step, capture_output=True, text=True, timeout=600)
                if done.returncode != 0:
                    shutil.rmtree(venv, ignore_errors=True)
                    pytest.skip(f"cannot install duckdb=={DUCKDB_1X} into {venv} (no package registry?): "
                                f"{(done.stderr or done.stdout).strip().splitlines()[-1:]}")
            ready.write_text(DUCKDB_1X)
    found = subprocess.run([str(_venv_python(venv)), "-c", "import duckdb; print(duckdb.__version__)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert found == DUCKDB_1X and found.startswith("1."), found
    return _venv_python(venv)


READ_IN_1X = """
import json, sys, duckdb
out = {"version": duckdb.__version__}
with duckdb.connect(sys.argv[1], read_only=True) as conn:
    out["latest"] = conn.execute("select cast(week_ending as varchar), regime, score from marts.fct_capex_absorption "
                                 "order by week_ending desc limit 1").fetchone()
    out["level"] = str(conn.execute("select net_liquidity_bn from marts.fct_liquidity_bathtub "
                                    "order by week_ending desc limit 1").fetchone()[0])
    out["meta"] = conn.execute("select run_id, source_mode, code_version, storage_version, coverage_json "
                               "from meta.publication").fetchall()
    out["raw_tables"] = conn.execute("select table_name, cast(latest_date as varchar), row_count "
                                     "from meta.raw_tables order by 1").fetchall()
    out["comment"] = conn.execute("select comment from duckdb_tables() where table_name = 'fct_liquidity_bathtub'"
                                  ).fetchone()[0]
    out["parquet_rows"] = conn.execute("select count(*) from read_parquet(?)", [sys.argv[2]]).fetchone()[0]
print(json.dumps(out))
"""


def publish_handmade(tmp_path: Path, **kwargs) -> Path:
    warehouse = handmade_warehouse.build(tmp_path / "reverse_qe.duckdb", **kwargs)
    target = tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        publish_copy(conn, target, run_id="run-123", source_mode="scenario", code_version="abc123",
                     date_columns=handmade_warehouse.DATE_COLUMNS)
    return target


def test_duckdb_1x_refuses_a_file_duckdb_2_writes_by_default(tmp_path, duckdb_1x):
    """The premise, so the test below can fail: without STORAGE_VERSION, 1.x cannot open the copy."""
    default = tmp_path / "default.duckdb"
    duckdb.connect(str(default)).execute("create table t as select 1 as x").close()
    done = subprocess.run([str(duckdb_1x), "-c", "import sys, duckdb; duckdb.connect(sys.argv[1], read_only=True)",
                           str(default)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "version number" in done.stderr, done.stderr[-2000:]


def test_duckdb_1x_reads_a_mart_row_the_meta_row_and_the_parquet(tmp_path, duckdb_1x):
    published = publish_handmade(tmp_path, coverage=True)
    parquet = published.parent / PARQUET_FOLDER / "marts" / "fct_capex_absorption.parquet"
    done = subprocess.run([str(duckdb_1x), "-c", READ_IN_1X, str(published), str(parquet)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert out["version"].startswith("1.")
    assert out["latest"] == [handmade_warehouse.LATEST_WEEK, "crowding_out", handmade_warehouse.LATEST_SCORE]
    assert out["level"] == "5933.000000"  # 6805 - 867 - 5 in the hand-made latest week, decimal kept
    [(run_id, mode, code, storage, coverage)] = out["meta"]
    assert (run_id, mode, code, storage) == ("run-123", "scenario", "abc123", PUBLISHED_STORAGE_VERSION)
    assert [row["table_name"] for row in json.loads(coverage)] == ["fred_observations", "coinbase_daily_candles"]
    assert out["raw_tables"] == [["coinbase_daily_candles", None, 0],
                                 ["fred_observations", handmade_warehouse.LATEST_WEEK, handmade_warehouse.WEEKS]]
    assert out["comment"] == "The liquidity bathtub (hand-made)."
    assert out["parquet_rows"] == handmade_warehouse.WEEKS


def test_meta_publication_without_a_coverage_mart_and_without_run_facts(tmp_path):
    target = tmp_path / "published.duckdb"
    with duckdb.connect(str(handmade_warehouse.build(tmp_path / "w.duckdb"))) as conn:
        result = publish_copy(conn, target)
    with duckdb.connect(str(target), read_only=True) as conn:
        row = conn.execute("select run_id, source_mode, code_version, tables, coverage_json, "
                           "published_at_utc > now()::timestamp - interval 1 hour from meta.publication").fetchall()
        assert conn.execute("select count(*) from meta.raw_tables").fetchone()[0] == 0
    assert row == [(None, None, "unknown", result.tables, None, True)]
    # marts + intermediate + raw tables; meta.* not counted
    assert result.tables == len(handmade_warehouse.MARTS) + len(handmade_warehouse.INTERMEDIATE) + 3


def test_code_version_is_the_git_head_or_unknown(tmp_path):
    head = code_version()
    assert len(head) == 40 and int(head, 16) >= 0
    assert code_version(tmp_path) == "unknown"  # not a clone


def test_every_marts_and_meta_table_round_trips_through_parquet(tmp_path):
    published = publish_handmade(tmp_path, coverage=True)
    folder = published.parent / PARQUET_FOLDER
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.parquet"))
    assert files == sorted([f"marts/{m}.parquet" for m in (*handmade_warehouse.MARTS, "fct_source_coverage")]
                           + ["meta/publication.parquet", "meta/published_tables.parquet", "meta/raw_tables.parquet"])
    with duckdb.connect(str(published), read_only=True) as conn:
        for name in files:
            schema, table = name.removesuffix(".parquet").split("/")
            qualified = f'"{schema}"."{table}"'  # names from the folder this test listed
            path = str(folder / name)
            assert conn.execute(f"select count(*) from {qualified}").fetchone()[0] == \
                conn.execute("select count(*) from read_parquet(?)", [path]).fetchone()[0]
            differences = conn.execute(
                f"select count(*) from ((from {qualified} except all from read_parquet(?)) "
                f"union all (from read_parquet(?) except all from {qualified}))", [path, path]).fetchone()[0]
            assert differences == 0, name
            table_types = conn.execute(f"select column_name, column_type from (describe {qualified})").fetchall()
            file_types = conn.execute("select column_name, column_type from (describe from read_parquet(?))",
                                      [path]).fetchall()
            assert table_types == file_types, name  # decimal(18,6), dates and booleans survive


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_failed_parquet_export_leaves_the_previous_folder_and_copy_intact(tmp_path):
    warehouse = handmade_warehouse.build(tmp_path / "reverse_qe.duckdb")
    target = tmp_path / "published.duckdb"
    folder = tmp_path / PARQUET_FOLDER
    with duckdb.connect(str(warehouse)) as conn:
        publish_copy(conn, target, run_id="first")
        before_files, before_copy = digests(folder), target.read_bytes()
        live = os.readlink(folder)
        # A real failure part-way through the export: this table's file name is longer than the
        # file system allows (255 bytes), and it sorts after the marts already written.
        conn.execute(f'create table marts."{"z" * 250}" as select 1 as x')
        conn.execute("update marts.fct_capex_absorption set score = 0")
        with pytest.raises(duckdb.Error):
            publish_copy(conn, target, run_id="second")
    assert digests(folder) == before_files
    assert os.readlink(folder) == live
    assert target.read_bytes() == before_copy  # the copy is swapped only with its Parquet
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden == [live]  # no temporary file, folder or link left behind
    with duckdb.connect(str(target), read_only=True) as conn:
        assert conn.execute("select run_id from meta.publication").fetchone()[0] == "first"


def test_each_publication_swaps_the_folder_and_removes_the_previous_one(tmp_path):
    warehouse = handmade_warehouse.build(tmp_path / "reverse_qe.duckdb")
    target = tmp_path / "published.duckdb"
    folder = tmp_path / PARQUET_FOLDER
    with duckdb.connect(str(warehouse)) as conn:
        publish_copy(conn, target, run_id="first")
        first = os.readlink(folder)
        conn.execute("delete from marts.fct_divergence_by_regime where regime = 'ample'")
        publish_copy(conn, target, run_id="second")
    second = os.readlink(folder)
    assert first != second and not (tmp_path / first).exists()
    assert not os.path.isabs(second)  # relative: the warehouse folder can be moved or mounted elsewhere
    with duckdb.connect() as conn:
        rows = conn.execute("select count(*) from read_parquet(?)",
                            [str(folder / "marts" / "fct_divergence_by_regime.parquet")]).fetchone()[0]
        meta = conn.execute("select run_id from read_parquet(?)",
                            [str(folder / "meta" / "publication.parquet")]).fetchone()[0]
    assert (rows, meta) == (2, "second")
