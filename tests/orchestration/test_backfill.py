"""The runner's backfill plans the run ``dagster asset materialize`` would (the README's commands), and
refuses what cannot be one run with a message that says what to change. Planned against the real
definitions; the run itself, held up by a real slot holder, is in tests/e2e/test_faults_runtime.py."""

from __future__ import annotations

import re
import shlex

import pytest
from dagster import AssetKey, DagsterInstance

from orchestration.backfill import BackfillRefused, parse, plan
from tests.conftest import REPO

README_BACKFILL = re.compile(r"^\.venv/bin/python -m orchestration\.cli backfill (.+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


def planned(defs, argv: list[str]):
    args = parse(argv)
    return plan(defs, DagsterInstance.ephemeral(), args.select, partition=args.partition,
                partition_range=args.partition_range)


def test_the_readme_commands_plan_one_single_run_backfill_each(defs):
    text = (REPO / "README.md").read_text().replace("\\\n", " ")
    commands = [shlex.split(line) for line in README_BACKFILL.findall(text)]
    assert len(commands) == 2, commands
    cash_and_debt, fred = (planned(defs, argv) for argv in commands)
    assert cash_and_debt.asset_keys == (AssetKey(["raw", "dts_operating_cash_balance"]),
                                        AssetKey(["raw", "dts_public_debt_transactions"]))
    assert cash_and_debt.tags == {"dagster/asset_partition_range_start": "2024-01-01",
                                  "dagster/asset_partition_range_end": "2024-06-01"}
    assert fred.asset_keys == (AssetKey(["raw", "fred_observations"]),)
    assert fred.tags["dagster/asset_partition_range_end"] == "2025-03-27"
    # Dagster's implicit asset job, as the UI's Materialize: one job whatever the cadence
    assert cash_and_debt.job.name == fred.job.name == defs.get_repository_def().get_implicit_job_def_for_assets(
        fred.asset_keys).name
    assert fred.describe() == "raw/fred_observations partitions 2025-01-02..2025-03-27"


def test_one_partition_is_tagged_as_dagster_tags_it(defs):
    one = planned(defs, ["--select", "raw/fred_observations", "--partition", "2025-01-02"])
    assert one.tags["dagster/partition"] == "2025-01-02"
    assert one.describe() == "raw/fred_observations partitions 2025-01-02..2025-01-02"


@pytest.mark.parametrize(("argv", "says"), [
    (["--select", "raw/fred_observations,raw/dts_operating_cash_balance", "--partition-range", "2025-01-02...2025-03-27"],
     "must share a partitions definition"),
    (["--select", "raw/fred_observations", "--partition-range", "2025-01-01...2025-03-27"],
     "no partition '2025-01-01'"),  # FRED weeks start on a Thursday
    (["--select", "raw/fred_observations", "--partition-range", "2025-01-02..2025-03-27"],
     "expected FIRST...LAST"),
    (["--select", "raw/fred_observations", "--partition-range", "2025-03-27...2025-01-02"],
     "2025-03-27 comes after 2025-01-02"),
    (["--select", "raw/fred_observations"], "give --partition-range or --partition"),
    (["--select", "raw/no_such_table", "--partition", "2025-01-02"], "raw/no_such_table"),
    (["--select", "published/warehouse", "--partition", "2025-01-02"], "none of these assets is partitioned"),
])
def test_what_cannot_be_one_run_is_refused_saying_why(defs, argv, says):
    with pytest.raises(BackfillRefused, match=re.escape(says)):
        planned(defs, argv)


def test_an_unpartitioned_asset_needs_no_partition(defs):
    publish = planned(defs, ["--select", "published/warehouse"])
    assert publish.asset_keys == (AssetKey(["published", "warehouse"]),) and publish.tags == {}
