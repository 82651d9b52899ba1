"""The target folders dagster-dbt makes, one per dbt invocation: the newest few are kept.

dagster-dbt gives every invocation a folder of its own under dbt's target path (named
``<op name>-<run id, 7 characters>-<uuid, 7>`` in a run, ``<uuid, 7>`` outside one), holding that
build's manifest, compiled SQL, run results and log, and never removes one. At scale 1 a build's
folder is ~7-10 MB: a clone's ``dbt_project/target`` held 103 of them, 698 MB, after two days of
tests and benchmarks (2026-12-05), and a daily schedule would add 2-3 GB a year.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

# Builds whose folders are kept: the newest ten, a fortnight of weekdays' runs to read back.
RUN_TARGETS_KEPT = 10
_INVOCATION_FOLDER = re.compile(r"(?:[A-Za-z0-9_]+-[0-9a-f]{7}-)?[0-9a-f]{7}")


def prune_run_targets(current: Path, keep: int = RUN_TARGETS_KEPT) -> list[Path]:
    """Remove the oldest invocation folders beside ``current`` (the one just used) until ``keep``
    remain, ``current`` always among them; return those removed. Newest by modification time, which
    dbt renews while it writes a folder: a build still running in another process is among the
    newest. Anything not named as dagster-dbt names an invocation's folder (dbt's own ``compiled``
    and ``run``, the files ``make manifest`` writes) is left alone."""
    others = [path for path in current.parent.iterdir()
              if path != current and path.is_dir() and _INVOCATION_FOLDER.fullmatch(path.name)]
    others.sort(key=lambda path: path.stat().st_mtime_ns, reverse=True)
    removed = others[max(keep - 1, 0):]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
