"""A snapshot of the one Definitions: asset keys, checks, jobs, schedules and sensors.

A change of wiring (a new asset, a check moved to another asset, a renamed job) shows here as a
diff of ``definitions_snapshot.json``. When the change is intended, regenerate the file with
``RQE_UPDATE_SNAPSHOT=1 make test`` (or the same variable on this test alone) and commit it.
"""

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")


def describe(defs) -> dict:
    graph = defs.resolve_asset_graph()
    jobs = defs.resolve_all_job_defs()
    return {
        "assets": sorted("/".join(key.path) for key in graph.get_all_asset_keys()
                         if graph.get(key).is_materializable),
        "checks": sorted(f"{'/'.join(key.asset_key.path)}:{key.name}" for key in graph.asset_check_keys),
        "jobs": sorted(job.name for job in jobs if not job.name.startswith("__")),
        "schedules": sorted(f"{s.name} {s.cron_schedule} -> {s.job_name}" for s in defs.schedules or []),
        "sensors": sorted(s.name for s in defs.sensors or []),
    }


def test_definitions_match_the_snapshot():
    from orchestration.definitions import defs

    current = describe(defs)
    if os.environ.get("RQE_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, indent=1) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())
