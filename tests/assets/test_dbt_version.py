"""dagster-dbt reads dbt's version before every invocation; it comes from the dbt package DBT_CHILD
runs, without starting a dbt process to print it."""

from __future__ import annotations

import re
import subprocess
import sys

import dagster_dbt.core.resource as dagster_dbt_resource
from packaging import version

from assets.resources import DBT_CHILD, build_resources


def test_the_dbt_version_is_read_without_starting_dbt(monkeypatch):
    dbt = build_resources()["dbt"]

    def no_process(*args, **kwargs):
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_process)
    read = dbt._cli_version
    printed = subprocess.run([sys.executable, str(DBT_CHILD), "--version"], capture_output=True, text=True,
                             check=True).stdout
    assert read == version.parse(re.search(r"installed: (\d+\.\d+\.\d+)", printed).group(1))
