"""`make bench`: the pipeline's set-up, speed and memory at several scales, against its own floor.

Not a test: prints one table of medians. Each figure runs in fresh processes on fresh temporary
folders (virtual environment, uv cache, warehouse, Dagster home, scenario, dbt target), so runs do
not warm each other's files. Parts (``--only``, default all):

  setup   `make demo`'s install step (`uv sync --frozen --compile-bytecode`) into a new environment,
          empty uv cache (downloads everything) and warm (the cache the first filled)
  load    code-location load against the import floor (dagster + dagster-dbt)
  fixed   the floor of a run: a trivial Dagster+dbt run (one seed) as its own process
  full    `python -m orchestration.cli` from nothing at each scale: wall, peak memory, the split
          into fixed (the floor above) and variable (the rest), the five slowest dbt models
  daily   after each full run, what a weekday runs with one more day: the schedule's daily_ingest
          (the month in progress) and the transform_and_publish the sensor starts after it
  chain   after each full run, the chain models' dbt execution time against plain pandas on the
          same holdings (bench/chain_pandas.py; needs the full run)
  quarter one real-size 13F quarter (~3M information-table lines) ingested and chained, wall and the
          peak memory of the process that does it (bench/chain_scale.py at size 1)
  suite   `make test` (the README's test command) once in this checkout: one run, not a median, as it
          takes minutes

Beside each row, its target (``bench/targets.py``) and whether the median meets it. The daily run is
also printed as a multiple of the fixed floor measured in the same bench run (needs ``fixed``).

    .venv/bin/python -m bench.run [--repeats 3] [--scales 1 4 16] [--only setup load fixed ...] [--dagster-home disk]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import targets
from bench.targets import Row, judged
from tests.conftest import REPO, isolated_env

FLOOR = "import dagster, dagster_dbt"
LOAD = "import orchestration.definitions"
WEEKDAY_JOBS = ("daily_ingest", "transform_and_publish")  # the daily schedule, then the sensor's transform
# the scenario's documents through RQE_SCENARIO_END written (the world publishing a new day)
PUBLISH_THE_DAY = [sys.executable, "-m", "reverse_qe.scenario.build"]
PARTS = ("setup", "load", "fixed", "full", "daily", "chain", "quarter", "suite")
NEEDS_FULL_RUN = ("full", "daily", "chain")
# "The chain computation": the three intermediate models, from holdings to the rounds. The marts
# only aggregate the rounds (and add realised pressure, which is not the chain).
CHAIN_MODELS = ("int_chain__exposures", "int_chain__shocks", "int_chain__rounds")
CHAIN_MARTS = ("fct_forced_selling_chain", "fct_chain_asset_vulnerability", "fct_chain_holder_systemicness")
NO_PARTIAL_PARSE = "Unable to do partial parsing"
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


class RunFailed(Exception):
    """A measured command failed; its message is the end of its output."""


@dataclass
class Measured:
    wall: float  # seconds
    peak_mib: float  # the process tree's summed RSS, sampled every 0.5 s
    largest_mib: float  # the largest single process of the tree (its max RSS, from the kernel)
    stdout: str
    stderr: str


def tree_rss_kib(pid: int) -> int:
    """Summed resident memory of ``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * PAGE_KIB
        except (OSError, IndexError, ValueError):
            pass
    return total


def timed(cmd: list[str], env: dict | None = None) -> Measured:
    """Run ``cmd`` from the repository; its wall seconds, peak memory and output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=err, text=True)
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss_kib(proc.pid))
            time.sleep(0.5)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    largest = usage.ru_maxrss / 1024
    peak = max(peak / 1024, largest)
    if proc.returncode != 0:
        raise RunFailed(f"{' '.join(cmd)} failed ({proc.returncode}) after {wall:.0f} s, peak RSS {peak:,.0f} MiB "
                        f"(process tree):\n{stdout[-2000:]}\n{stderr[-2000:]}")
    return Measured(wall, peak, largest, stdout, stderr)


def import_seconds(statement: str, after: str = "pass") -> float:
    """Seconds ``statement`` takes in a fresh interpreter, once ``after`` has run (untimed)."""
    code = f"{after}; import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def pipeline_env(root: Path, home: str = "disk", **extra: str) -> dict[str, str]:
    """``isolated_env`` with dbt's target folder under ``root`` too, holding a partial parse made for
    this environment's profile, as `make manifest` leaves one for `make demo` (the repository's
    dbt_project/target was parsed for another warehouse path, so dbt would parse afresh, ~3 s).

    ``home``: where Dagster keeps its run history, ``disk`` (under ``root``, as `make demo` keeps
    ``.dagster_home``) or ``ram`` (as the tests do, ``tests.conftest.dagster_home``): each of a
    run's ~3,700 asset events commits to SQLite, ~4 ms on this machine's disk against ~0.5 in RAM."""
    if home == "disk":
        (root / "dagster_home").mkdir(parents=True, exist_ok=True)  # isolated_env keeps a folder that is there
    env = isolated_env(root, **extra)
    target = root / "dbt_target"
    env["DBT_TARGET_PATH"] = str(target)
    if not (target / "partial_parse.msgpack").exists():
        subprocess.run([str(Path(sys.executable).parent / "dbt"), "parse", "--quiet", "--profiles-dir", ".",
                        "--target-path", str(target)], cwd=REPO / "dbt_project", env=env, check=True,
                       capture_output=True)
    return env


def check_manifest() -> None:
    """The code location loads dbt_project/target/manifest.json as it is (`make bench` refreshes it
    first); a dbt node newer than it would fail the run minutes in, so stop now."""
    project = REPO / "dbt_project"
    manifest = project / "target" / "manifest.json"
    built = manifest.stat().st_mtime if manifest.exists() else 0
    sources = [project / "dbt_project.yml", *(p for d in ("models", "macros", "seeds", "tests")
                                              for p in (project / d).rglob("*") if p.is_file())]
    stale = [str(p.relative_to(REPO)) for p in sources if p.stat().st_mtime > built]
    if stale:
        raise SystemExit(f"{manifest.relative_to(REPO)} is missing or older than {', '.join(stale[:3])}: "
                         "run `make manifest` (`make bench` does)")


def newest_run_results(root: Path) -> dict:
    results = sorted((root / "dbt_target").glob("*/run_results.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(results[-1].read_text())


def model_seconds(run_results: dict) -> dict[str, float]:
    return {r["unique_id"].split(".")[-1]: r["execution_time"] for r in run_results["results"]
            if r["unique_id"].startswith("model.")}


def fixed_cost(home: str) -> tuple[float, float, float, bool]:
    """Wall seconds of a trivial Dagster+dbt run, its in-process split (imports, the run), and
    whether dbt used its partial parse."""
    with tempfile.TemporaryDirectory(prefix="rqe-bench-fixed-") as tmp:
        measured = timed([sys.executable, "-m", "bench.fixed_cost"], pipeline_env(Path(tmp), home))
    split = json.loads(measured.stdout.strip().splitlines()[-1])
    return measured.wall, split["import_s"], split["run_s"], NO_PARTIAL_PARSE not in measured.stdout + measured.stderr


@dataclass
class Chain:
    dbt_s: float  # the chain models' execution time in dbt's run results
    marts_s: float  # the chain marts', not compared
    pandas_s: float  # median of the repeats, inputs in memory
    check: str


def chain_ratio(warehouse: Path, models: dict[str, float], repeats: int) -> Chain:
    """The pandas chain on the holdings this run left in its warehouse, timed; checked against dbt."""
    from bench import chain_pandas

    inputs = chain_pandas.read_inputs(warehouse)
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = chain_pandas.chain(inputs)
        seconds.append(time.perf_counter() - started)
    return Chain(sum(models[m] for m in CHAIN_MODELS), sum(models[m] for m in CHAIN_MARTS),
                 statistics.median(seconds), chain_pandas.check_against(warehouse, result))


@dataclass
class FullRun:
    run: Measured
    dbt_elapsed: float
    models: dict[str, float]
    partial_parse: bool
    daily: float | None
    chain: Chain | None


def full_run(scale: int, parts: set[str], repeats: int, home: str) -> FullRun:
    """One demo from nothing (scenario generation included); then, on its warehouse, the pandas
    chain and the weekday jobs with one more day."""
    # a failed run can leave its dbt process writing into the folder for a moment
    with tempfile.TemporaryDirectory(prefix=f"rqe-bench-{scale}-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp)
        env = pipeline_env(root, home, RQE_SCENARIO_SCALE=str(scale), RQE_SCENARIO_END="2026-11-19")
        run = timed([sys.executable, "-m", "orchestration.cli"], env)
        results = newest_run_results(root)
        models = model_seconds(results)
        chain = chain_ratio(Path(env["RQE_WAREHOUSE"]), models, repeats) if "chain" in parts else None
        daily = None
        if "daily" in parts:
            daily_env = pipeline_env(root, home, RQE_SCENARIO_SCALE=str(scale), RQE_SCENARIO_END="2026-11-20")
            # The world publishes the new day first (the scenario's documents for one more day), as
            # the sources do before the 10:00 run; the run itself is what is timed.
            subprocess.run(PUBLISH_THE_DAY, cwd=REPO, env=daily_env, check=True)
            daily = timed([sys.executable, "-m", "orchestration.cli", *WEEKDAY_JOBS], daily_env).wall
    return FullRun(run, results["elapsed_time"], models, NO_PARTIAL_PARSE not in run.stdout + run.stderr, daily, chain)


def line_fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares intercept and slope of y on x."""
    mx = statistics.fmean(x for x, _ in points)
    my = statistics.fmean(y for _, y in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - slope * mx, slope


def progress(message: str) -> None:
    print(f"bench {time.strftime('%H:%M:%S')}: {message}", file=sys.stderr, flush=True)


def quarter(fraction: float) -> dict:
    """One 13F quarter of ``fraction`` × real size written (untimed), then ingested and chained in
    a fresh process (``bench/chain_scale.py``): its pipeline wall (ingest + dbt build, after the
    imports and dbt's parse) and that process's peak resident set (VmHWM)."""
    from bench import chain_scale

    with tempfile.TemporaryDirectory(prefix="rqe-bench-quarter-", ignore_cleanup_errors=True) as tmp:
        measured = chain_scale.measure(fraction, Path(tmp))
    if not measured["dbt_ok"]:
        raise RunFailed(f"chain_scale at size {fraction:g}: dbt build failed")
    return measured


def suite_seconds() -> tuple[float, int, str]:
    """`make test` (the README's test command) once in this checkout: wall seconds, exit code and
    the end of its output."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        code = subprocess.run(["make", "test"], check=False, cwd=REPO, stdout=out, stderr=subprocess.STDOUT).returncode
        wall = time.perf_counter() - started
        out.seek(0)
        tail = out.read()[-300:].strip().splitlines()
    return wall, code, tail[-1] if tail else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS),
                        help="measure only these parts (daily and chain run the full demo they follow)")
    # a smaller quarter, to try the wiring cheaply; its rows then say so and are not judged
    parser.add_argument("--quarter-fraction", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--dagster-home", choices=("disk", "ram"), default="disk",
                        help="where the runs keep Dagster's history: disk, as `make demo` does (default), or "
                        "RAM, as the tests do")
    args = parser.parse_args()
    parts, median = set(args.only), statistics.median
    if parts & {"fixed", *NEEDS_FULL_RUN}:
        check_manifest()
    load_before = os.getloadavg()[0]
    rows: list[Row] = []

    if "setup" in parts:
        from bench.setup_timing import cold_and_warm

        progress(f"set-up: uv sync into fresh environments, {args.repeats} x (empty cache, warm cache)")
        cold, warm = zip(*(cold_and_warm() for _ in range(args.repeats)))
        rows.append(Row("set-up, empty uv cache (s)", f"{median(cold):.1f}",
                        "uv sync --frozen --compile-bytecode into a new venv, every wheel downloaded"))
        rows.append(Row("set-up, warm uv cache (s)", f"{median(warm):.1f}",
                        "the same into another new venv, from the cache the first filled (bytecode compiled again)"))

    if "load" in parts:
        progress("code location load")
        floor = median(import_seconds(FLOOR) for _ in range(args.repeats))
        load = median(import_seconds(LOAD) for _ in range(args.repeats))
        rows.append(Row("code location load (s)", f"{load:.2f}", f"floor {floor:.2f} (`{FLOOR}`); +{load - floor:.2f}",
                        targets.LOAD_OVER_FLOOR_S.label, targets.LOAD_OVER_FLOOR_S.verdict(load - floor)))

    fixed = None
    if "fixed" in parts:
        progress("fixed cost: a one-seed Dagster+dbt run")
        runs = [fixed_cost(args.dagster_home) for _ in range(args.repeats)]
        fixed = median(r[0] for r in runs)
        parse = "" if all(r[3] for r in runs) else "; dbt parsed afresh (no partial parse)"
        rows.append(Row("fixed cost: trivial Dagster+dbt run (s)", f"{fixed:.1f}",
                        f"one process: start + imports {median(r[1] for r in runs):.1f}, one Dagster run "
                        f"whose dbt build is one seed {median(r[2] for r in runs):.1f}{parse}"))

    walls, first_models = [], {}
    for scale in args.scales if parts & set(NEEDS_FULL_RUN) else []:
        runs = []
        try:
            for i in range(args.repeats):
                progress(f"scale {scale}: run {i + 1} of {args.repeats} ({', '.join(sorted(parts & set(NEEDS_FULL_RUN)))})")
                runs.append(full_run(scale, parts, args.repeats, args.dagster_home))
        except RunFailed as failure:  # keep the other scales' figures; the output says why
            progress(str(failure))
            message = str(failure).splitlines()[0].rstrip(":")
            rows.append(Row(f"full materialisation, scale {scale} (s)", "FAILED", message[message.index("failed"):]))
            continue
        wall = median(r.run.wall for r in runs)
        walls.append((scale, wall))
        first_models = first_models or runs[-1].models
        peak, largest = median(r.run.peak_mib for r in runs), median(r.run.largest_mib for r in runs)
        parse = "" if all(r.partial_parse for r in runs) else "; dbt parsed afresh (no partial parse)"
        rows.append(judged(f"full materialisation, scale {scale} (s)", wall, ".1f",
                           f"peak RSS {peak:,.0f} MiB (process tree; largest process {largest:,.0f}); "
                           f"dbt build itself {median(r.dbt_elapsed for r in runs):.1f} s{parse}",
                           targets.DEMO_SCALE_1 if scale == 1 else None))
        if fixed is not None:
            rows.append(Row(f"  variable part, scale {scale} (s)", f"{wall - fixed:.1f}",
                            f"wall - fixed cost; {100 * fixed / wall:.0f}% of the wall is the floor"))
        if "daily" in parts:
            rows += targets.daily_rows(scale, median(r.daily for r in runs), fixed,
                                       f"one more day: {' then '.join(WEEKDAY_JOBS)} on the same warehouse and "
                                       "Dagster home, as one process, the scenario's new day written before")
        if "chain" in parts:
            dbt_s, pandas_s = median(r.chain.dbt_s for r in runs), median(r.chain.pandas_s for r in runs)
            ratio = median(r.chain.dbt_s / r.chain.pandas_s for r in runs)
            rows.append(judged(f"chain dbt / pandas, scale {scale}", ratio, ".2f",
                               f"dbt {dbt_s:.2f} s vs pandas {pandas_s:.2f} s; {runs[-1].chain.check}; "
                               f"chain marts +{median(r.chain.marts_s for r in runs):.2f} s in dbt, not compared",
                               targets.CHAIN_DBT_OVER_PANDAS if scale >= 4 else None))
    if len(walls) >= 2:
        intercept, slope = line_fit(walls)
        rows.append(Row("full materialisation at scale 0, fitted (s)", f"{intercept:.1f}",
                        f"least-squares line over scales {', '.join(str(s) for s, _ in walls)}: "
                        f"{slope:+.1f} s per unit of scale; above the fixed cost by what does not grow with the "
                        "scale (which multiplies only the 13F holdings): the other sources, each job's Dagster run"))
    if "full" in parts:
        for name, seconds in sorted(first_models.items(), key=lambda t: -t[1])[:5]:
            rows.append(Row(f"  dbt model {name} (s)", f"{seconds:.2f}", f"scale {args.scales[0]}, one of the five slowest"))

    if "quarter" in parts:
        size = args.quarter_fraction
        progress(f"one 13F quarter at {size:g} x real size, {args.repeats} x (written, then ingested and chained)")
        runs = [quarter(size) for _ in range(args.repeats)]
        real = size == 1.0
        label = "one real-size 13F quarter" if real else f"one 13F quarter at {size:g} x real size"
        lines = median(r["lines"] for r in runs)
        rows.append(judged(f"{label}, ingested and chained (s)", median(r["pipeline_s"] for r in runs), ".1f",
                           f"{lines:,.0f} information-table lines: ingest {median(r['ingest_s'] for r in runs):.1f} s "
                           f"(validation {median(r['validate_s'] for r in runs):.1f}) + dbt build of holdings, prices "
                           f"and chain {median(r['dbt_s'] for r in runs):.1f} s; imports and dbt's parse before the "
                           "clock (bench/chain_scale.py)" + ("" if real else "; not real size, so not judged"),
                           targets.QUARTER_S if real else None))
        rows.append(judged(f"{label}, peak memory (MiB)", median(r["peak_mib"] for r in runs), ",.0f",
                           "the peak resident set (VmHWM) of the one process that ingests and runs dbt in-process",
                           targets.QUARTER_MIB if real else None))

    if "suite" in parts:
        progress("make test, once")
        seconds, code, last = suite_seconds()
        rows.append(Row("make test, this checkout (s)", f"{seconds:.0f}" if code == 0 else "FAILED",
                        f"one run, not a median (it takes minutes); {last}"
                        + ("" if code == 0 else f"; exit {code} after {seconds:.0f} s"),
                        targets.SUITE_S.label, targets.SUITE_S.verdict(seconds) if code == 0 else "NOT MET"))

    print(targets.table(rows, f"(median of {args.repeats}, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
                              f"Dagster home on {args.dagster_home}, "
                              f"load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after)"))


if __name__ == "__main__":
    main()
