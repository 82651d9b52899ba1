"""A Dagster run holding the ``warehouse`` pool slot for ``argv[1]`` seconds: a stand-in for any
pipeline step, run by the tests in a process of its own (``DAGSTER_HOME`` from the environment)."""

import sys
import time

from dagster import DagsterInstance, asset, materialize


@asset(pool="warehouse")
def hold_the_warehouse_slot() -> None:
    time.sleep(float(sys.argv[1]))


if __name__ == "__main__":
    with DagsterInstance.get() as instance:
        sys.exit(0 if materialize([hold_the_warehouse_slot], instance=instance).success else 1)
