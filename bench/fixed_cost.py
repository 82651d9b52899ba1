"""The floor of a pipeline run, for `make bench`: what the demo pays whatever the data.

Run as its own process (``python -m bench.fixed_cost`` in an isolated environment), the way the
demo runs: interpreter start, ``import orchestration.definitions`` (Dagster, dagster-dbt, the
assets), one Dagster run of the transform job in-process, whose dbt step invokes dbt (process
start, project parse, DuckDB connection) to build a single trivial node, the ``asset_taxonomy``
seed (a few dozen rows) with its tests. Prints the in-process split as JSON; the caller times the
whole process.
"""

from __future__ import annotations

import json
import os
import time

started = time.perf_counter()

from dagster import AssetKey, DagsterInstance  # noqa: E402

from orchestration.cli import QUIET_LOGS  # noqa: E402
from reverse_qe.settings import warehouse_path  # noqa: E402

TRIVIAL = AssetKey(["raw", "asset_taxonomy"])


def main() -> None:
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    # Only the tests whose every parent is the seed: dbt's default (eager) also picks the
    # relationships test of int_prices__daily against it, which fails on a warehouse without that model.
    os.environ.setdefault("DBT_INDIRECT_SELECTION", "cautious")
    from orchestration.definitions import defs

    imported = time.perf_counter()
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("transform_and_publish").execute_in_process(
            instance=instance, asset_selection=[TRIVIAL], run_config=QUIET_LOGS, raise_on_error=False)
    if not result.success:
        raise SystemExit("bench fixed cost: the one-seed run failed")
    print(json.dumps({"import_s": imported - started, "run_s": time.perf_counter() - imported}))


if __name__ == "__main__":
    main()
