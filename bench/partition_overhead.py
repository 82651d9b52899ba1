"""Benchmark (not a test): what one partition costs Dagster in a single-run backfill, by grain.

Why ingestion is partitioned by month (daily sources) and by week (H.4.1), not by day: a range run
writes a planned and a materialisation event per partition and asset into the run storage. This
times an asset that does nothing, over 2018-to-date at each grain, on a fresh SQLite instance (the
storage `make demo` and `make dev` use), the median of ``--repeats`` runs each.

    .venv/bin/python bench/partition_overhead.py [--repeats 3] [--grains monthly weekly daily]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def one_run(grain: str) -> tuple[int, float]:
    from dagster import (
        BackfillPolicy,
        DagsterInstance,
        DailyPartitionsDefinition,
        MaterializeResult,
        asset,
        materialize,
    )

    from assets.partitions import (
        h41_weekly_partitions,
        monthly_partitions,
    )
    from reverse_qe.partitions import partition_range_tags
    from reverse_qe.settings import HISTORY_START

    partitions_def = {
        "daily": DailyPartitionsDefinition(start_date=HISTORY_START.isoformat(), end_offset=1),
        "monthly": monthly_partitions,
        "weekly": h41_weekly_partitions,
    }[grain]

    @asset(partitions_def=partitions_def, backfill_policy=BackfillPolicy.single_run())
    def nothing():
        return MaterializeResult()

    keys = partitions_def.get_partition_keys()
    with tempfile.TemporaryDirectory() as home, DagsterInstance.local_temp(home) as instance:
        started = time.perf_counter()
        result = materialize([nothing], instance=instance, tags=partition_range_tags(keys[0], keys[-1]),
                             run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
        assert result.success
        return len(keys), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--grains", nargs="+", default=["monthly", "weekly", "daily"])
    args = parser.parse_args()
    print(f"{'grain':<8} {'partitions':>10} {'run s (median)':>15} {'ms / partition':>15}")
    for grain in args.grains:
        runs = [one_run(grain) for _ in range(args.repeats)]
        count, seconds = runs[0][0], statistics.median(s for _, s in runs)
        print(f"{grain:<8} {count:>10} {seconds:>15.1f} {1000 * seconds / count:>15.1f}", flush=True)


if __name__ == "__main__":
    main()
