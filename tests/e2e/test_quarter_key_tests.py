"""A unique_key test on a model incremental by quarter reads only the quarters not yet tested since
they were built (dbt_project/tests/generic/unique_key.sql, macros/quarterly.sql): it finds a
duplicate in such a quarter, a failure marks nothing so the next run looks again, and a pass marks
the quarter, which later runs skip (a weekday that rebuilds no quarter groups no row of the chain's
rounds, 32 s of a scale-16 weekday before). ``dbt test`` on a copy of the session's scenario
warehouse, the chain's rounds only."""

from __future__ import annotations

import shutil
import subprocess

import duckdb
import pytest

from tests.conftest import run_dbt

pytestmark = pytest.mark.slow
MODEL = "int_chain__rounds"


@pytest.fixture(scope="module")
def warehouse(scenario_run, tmp_path_factory):
    folder = tmp_path_factory.mktemp("quarter_key_tests")
    shutil.copy(scenario_run.warehouse, folder / "reverse_qe.duckdb")
    return folder


def dbt_on(folder, command: str = "test") -> subprocess.CompletedProcess:
    return run_dbt(command, folder / "reverse_qe.duckdb", folder / "target", "--select", MODEL, timeout=600)


def execute(folder, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(folder / "reverse_qe.duckdb")) as conn:
        return conn.execute(sql, params).fetchall()


def marks_of(folder) -> dict:
    return dict(execute(folder, "select quarter_end, keys_tested from meta.dbt_quarter_builds "
                                "where model_name = ? order by 1", [MODEL]))


def records_of(folder) -> list[tuple]:
    return execute(folder, "select quarter_end, keys_tested, built_by_invocation from meta.dbt_quarter_builds "
                           "where model_name = ? order by 1", [MODEL])


DUPLICATE = f"insert into intermediate.{MODEL} select * from intermediate.{MODEL} where quarter_end = ? limit 1"


def test_a_duplicate_is_found_in_an_untested_quarter_only_and_a_pass_marks_it(warehouse):
    marks = marks_of(warehouse)
    assert marks and all(marks.values())  # the pipeline's build passed every quarter
    quarter = sorted(marks)[len(marks) // 2]
    # as a rebuild leaves it: the quarter's rows new, untested; one of them twice
    execute(warehouse, "update meta.dbt_quarter_builds set keys_tested = false "
                       "where model_name = ? and quarter_end = ?", [MODEL, quarter])
    execute(warehouse, DUPLICATE, [quarter])

    failed = dbt_on(warehouse)
    assert failed.returncode == 1 and f"unique_key_{MODEL}" in failed.stdout, failed.stdout[-2000:]
    assert marks_of(warehouse) == {**marks, quarter: False}  # a failure marks nothing: the next run looks again

    with duckdb.connect(str(warehouse / "reverse_qe.duckdb")) as conn:  # the duplicate removed
        conn.execute(f"create temp table kept as select distinct * from intermediate.{MODEL} where quarter_end = ?",
                     [quarter])
        conn.execute(f"delete from intermediate.{MODEL} where quarter_end = ?", [quarter])
        conn.execute(f"insert into intermediate.{MODEL} select * from kept")
    passed = dbt_on(warehouse)
    assert passed.returncode == 0, passed.stdout[-2000:]
    assert all(marks_of(warehouse).values())

    # a duplicate written by hand into a tested quarter is not looked for (what --full-refresh is for)
    execute(warehouse, DUPLICATE, [sorted(marks)[0]])
    skipped = dbt_on(warehouse)
    assert skipped.returncode == 0, skipped.stdout[-2000:]


def test_a_table_dropped_by_hand_is_built_in_full_and_every_quarter_recorded_anew(scenario_run, tmp_path):
    """Its old records stood for rows that are gone: kept, they would let the key test skip every
    quarter of the new rows and the publish take them for the rows it already copied."""
    shutil.copy(scenario_run.warehouse, tmp_path / "reverse_qe.duckdb")
    before = records_of(tmp_path)
    assert before and all(tested for _, tested, _ in before)
    execute(tmp_path, f"drop table intermediate.{MODEL}")

    built = dbt_on(tmp_path, "run")
    assert built.returncode == 0, built.stdout[-2000:]
    after = records_of(tmp_path)
    assert [q for q, _, _ in after] == [q for q, _, _ in before]
    assert not any(tested for _, tested, _ in after)  # the key test reads every quarter again
    invocations = {invocation for _, _, invocation in after}
    assert len(invocations) == 1 and invocations.isdisjoint(i for _, _, i in before)
    assert {q for (q,) in execute(tmp_path, f"select distinct quarter_end from intermediate.{MODEL}")} == \
        {q for q, _, _ in before}
