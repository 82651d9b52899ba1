"""`make bench`: the pipeline's speed and memory at several scales, against its own floor.

Not a test: prints one table of medians. Each figure runs in fresh processes on fresh temporary
folders (warehouse, Dagster home, scenario), so runs do not warm each other's files.

    .venv/bin/python -m bench.run [--repeats 3] [--scales 1 4 16]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import REPO, isolated_env

FLOOR = "import dagster, dagster_dbt"
LOAD = "import orchestration.definitions"


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of the child in MiB, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return wall, peak, proc.stdout + proc.stderr


def import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def slowest_models(root: Path, top: int = 5) -> list[tuple[str, float]]:
    results = sorted((REPO / "dbt_project" / "target").glob("*/run_results.json"), key=lambda p: p.stat().st_mtime)
    found = json.loads(results[-1].read_text())["results"]
    timings = [(r["unique_id"].split(".")[-1], r["execution_time"]) for r in found if r["unique_id"].startswith("model.")]
    return sorted(timings, key=lambda t: -t[1])[:top]


def full_run(scale: int) -> tuple[float, float, float, list[tuple[str, float]]]:
    """One demo from nothing (scenario generation included), then a daily re-run with one more day."""
    with tempfile.TemporaryDirectory(prefix=f"rqe-bench-{scale}-") as tmp:
        root = Path(tmp)
        env = isolated_env(root, RQE_SCENARIO_SCALE=str(scale), RQE_SCENARIO_END="2026-11-19")
        wall, peak, _ = timed([sys.executable, "-m", "orchestration.demo"], env)
        models = slowest_models(root)
        daily_env = isolated_env(root, RQE_SCENARIO_SCALE=str(scale), RQE_SCENARIO_END="2026-11-20")
        daily, _, _ = timed([sys.executable, "-m", "orchestration.demo"], daily_env)
    return wall, peak, daily, models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()

    rows = []
    floor = statistics.median(import_seconds(FLOOR) for _ in range(args.repeats))
    load = statistics.median(import_seconds(LOAD) for _ in range(args.repeats))
    rows.append(("code location load (s)", f"{load:.2f}", f"floor {floor:.2f}; +{load - floor:.2f} (target +1.5)"))
    models = []
    for scale in args.scales:
        runs = [full_run(scale) for _ in range(args.repeats)]
        wall = statistics.median(r[0] for r in runs)
        peak = statistics.median(r[1] for r in runs)
        daily = statistics.median(r[2] for r in runs)
        rows.append((f"full materialisation, scale {scale} (s)", f"{wall:.1f}", f"peak RSS {peak:,.0f} MiB (target 120 s at scale 1)"))
        rows.append((f"daily re-run, scale {scale} (s)", f"{daily:.1f}", "one more day, every asset again (target 30 s)"))
        models = runs[-1][3] if scale == args.scales[0] else models
    for name, seconds in models:
        rows.append((f"  dbt model {name} (s)", f"{seconds:.2f}", f"scale {args.scales[0]}, one of the five slowest"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'median':>8}  notes   (median of {args.repeats}, {time.strftime('%Y-%m-%d')})")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>8}  {note}")


if __name__ == "__main__":
    main()
