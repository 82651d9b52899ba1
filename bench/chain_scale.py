"""Benchmark (not a test): 13F ingest + holdings/prices models + the forced-selling chain, by size.

For 1/8, 1/4, 1/2 and 1 real-size quarter (~8,000 filers, ~3M information-table lines at 1), it
writes ONE quarter of the SYNTHETIC scenario (untimed), then times, in a fresh process per size,
what a pipeline run does: ingest, as each raw step does it (parse the 13F data-set zip, once for its
four tables, and the price files; validate each table's batch with its raw suite: Great Expectations
plus the batch checks, data docs included; upsert the raw table), then ``dbt build`` of the
holdings, prices and chain models with their tests. As in a Dagster run, the imports (Dagster, dbt,
Great Expectations and its context) and dbt's project parse (``make manifest`` leaves a partial parse that dagster-dbt copies into
each run's target) come before the clock starts; they count in the process time only. It prints
the wall time per phase, the CPU time of the run, the peak memory (high-water mark of that process's
own resident set, VmHWM: it runs dbt in-process; getrusage's max RSS would report the generator's
RSS, inherited at fork) and the variable cost (wall minus the smallest size's wall) per size.

    .venv/bin/python bench/chain_scale.py                 # all four sizes
    .venv/bin/python bench/chain_scale.py --fractions 0.125 0.25
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FULL_FILERS = 8000
LINES_PER_FILER = 640  # drawn lines per filer; ~38% are repeat draws merged away, leaving ~3M lines at size 1
QUARTER = dt.date(2025, 9, 30)
END = dt.date(2025, 12, 31)
DBT_SELECTION = ("asset_taxonomy asset_group_rules holder_types capital_calls staging.holdings staging.prices "
                 "staging.securities intermediate.holdings intermediate.prices intermediate.securities "
                 "intermediate.chain fct_forced_selling_chain fct_chain_asset_vulnerability "
                 "fct_chain_holder_systemicness fct_chain_bands latest_chain_quarter fct_divergence")
# The security map's sources, left empty as on a first run before the SEC list and OpenFIGI are read:
# the chain maps CUSIPs to asset groups through it (the taxonomy seed alone then).
# The chain's bands and inverse stress: their models' own time is reported as "draws s"
DRAW_MODELS = ("int_chain__scenarios", "int_chain__scenario_outcomes", "fct_chain_bands")


def generate(folder: Path, fraction: float) -> dict:
    from reverse_qe.scenario.build import TAXONOMY_SEED
    from reverse_qe.scenario.holdings import (
        generate_holdings,
        read_taxonomy,
        thirteen_f_assets,
    )
    from reverse_qe.scenario.prices import generate_prices

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    taxonomy = read_taxonomy(TAXONOMY_SEED)
    generate_prices(folder, end=END, assets=[a.priced for a in taxonomy])
    lines = generate_holdings(folder, end=END, taxonomy=thirteen_f_assets(taxonomy), periods=[QUARTER],
                              n_filers=round(FULL_FILERS * fraction), mean_positions=LINES_PER_FILER)
    return {"lines": lines, "generate_s": time.perf_counter() - started}


def run_one(scenario: Path, warehouse: Path) -> dict:
    """Ingest and build in this process (so its max RSS covers both); print the timings."""
    import duckdb
    from dbt.cli.main import dbtRunner

    from assets.holdings import (
        SEC13F_COVERPAGES,
        SEC13F_INFOTABLE,
        SEC13F_SUBMISSIONS,
        SEC13F_SUMMARYPAGES,
    )
    from assets.prices import COINBASE_DAILY_CANDLES, STOOQ_DAILY_PRICES
    from assets.securities import OPENFIGI_MAPPINGS, SEC13F_SECURITIES_LIST
    from reverse_qe.sources.endpoints import Endpoints
    from reverse_qe.sources.holdings import iter_13f_datasets
    from reverse_qe.sources.prices import load_coinbase, load_stooq
    from reverse_qe.sources.transports import FileTransport
    from reverse_qe.validation.gx import gx_context, validate_raw_batch
    from reverse_qe.validation.suites import raw_suite_for
    from reverse_qe.warehouse import ensure_tables, upsert

    os.environ["RQE_WAREHOUSE"] = str(warehouse)
    target = warehouse.parent / "target"
    dbt_args = ["--profiles-dir", ".", "--quiet", "--target-path", str(target)]
    os.chdir(REPO / "dbt_project")
    timings = {}
    t0 = time.perf_counter()
    gx_context()  # Great Expectations' import and context: once per process, like Dagster's imports
    parsed = dbtRunner().invoke(["parse", *dbt_args])  # what `make manifest` leaves for a run
    timings["untimed_setup_s"] = time.perf_counter() - t0
    if not parsed.success:
        raise RuntimeError(f"dbt parse failed: {parsed.exception}")

    started, cpu_started = time.perf_counter(), _cpu_s()
    transport, endpoints = FileTransport(scenario, mode="scenario"), Endpoints.from_env()
    # Each load yields batches {table name: rows}. The 13F data set is read once for its four tables,
    # as its one raw step (raw__sec13f_datasets) reads it; its parse time is the first table's.
    # Date columns as declared in assets/holdings.py and assets/prices.py.
    dataset_tables = ((SEC13F_SUBMISSIONS, "filing_date"), (SEC13F_COVERPAGES, "report_calendar_or_quarter"),
                      (SEC13F_SUMMARYPAGES, None), (SEC13F_INFOTABLE, None))
    raw_loads = (
        (dataset_tables, lambda: iter_13f_datasets(transport, endpoints)),
        (((STOOQ_DAILY_PRICES, "price_date"),), lambda: [{STOOQ_DAILY_PRICES.name: load_stooq(transport, endpoints)}]),
        (((COINBASE_DAILY_CANDLES, "price_date"),),
         lambda: [{COINBASE_DAILY_CANDLES.name: load_coinbase(transport, endpoints)}]),
    )
    with duckdb.connect(str(warehouse)) as conn:
        ensure_tables(conn, [SEC13F_SECURITIES_LIST, OPENFIGI_MAPPINGS])
        for tables, load in raw_loads:
            t0 = time.perf_counter()
            (batch,) = load()  # one quarter: one batch
            parse_s = time.perf_counter() - t0
            for table, date_column in tables:
                frame = batch.pop(table.name)
                t1 = time.perf_counter()
                suite = raw_suite_for(table, date_column=date_column, as_of=END)
                outcome = validate_raw_batch(frame, suite, docs_dir=warehouse.parent / "gx_docs")
                if not outcome.success:
                    raise RuntimeError(outcome.message())
                t2 = time.perf_counter()
                upsert(conn, table, frame)
                timings[table.name] = {"rows": len(frame), "parse_s": round(parse_s, 2),
                                       "validate_s": round(t2 - t1, 2), "upsert_s": round(time.perf_counter() - t2, 2)}
                parse_s = 0.0
                del frame
    timings["ingest_s"] = time.perf_counter() - started
    timings["ingest_peak_mib"] = _peak_mib()
    for phase in ("parse_s", "validate_s", "upsert_s"):
        timings[phase] = sum(v[phase] for v in timings.values() if isinstance(v, dict))

    t0 = time.perf_counter()
    result = dbtRunner().invoke(["build", *dbt_args, "-s", DBT_SELECTION])
    timings["dbt_s"] = time.perf_counter() - t0
    timings["pipeline_s"] = timings["ingest_s"] + timings["dbt_s"]
    timings["pipeline_cpu_s"] = _cpu_s() - cpu_started
    timings["peak_mib"] = _peak_mib()
    timings["dbt_ok"] = bool(result.success)
    with open(target / "run_results.json") as handle:
        nodes = json.load(handle)["results"]
    timings["slowest_nodes"] = [(_node_label(n["unique_id"]), round(n["execution_time"], 2))
                                for n in sorted(nodes, key=lambda n: -n["execution_time"])[:4]]
    timings["draws_s"] = sum(n["execution_time"] for n in nodes if _node_label(n["unique_id"]) in DRAW_MODELS)
    with duckdb.connect(str(warehouse)) as conn:  # dbt-duckdb may still hold a read-write connection
        timings["positions"] = conn.execute("select count(*) from intermediate.int_holdings__positions").fetchone()[0]
        timings["chain_rows"] = conn.execute("select count(*) from intermediate.int_chain__rounds").fetchone()[0]
        timings["amplification"] = conn.execute("select amplification from marts.fct_forced_selling_chain").fetchone()[0]
        timings["bands"] = conn.execute("select amplification_p10, amplification_p50, amplification_p90, "
                                        "loss_breaking_shock_pct from marts.fct_chain_bands").fetchone()
    return timings


def _cpu_s() -> float:
    """User + system CPU seconds of this process, all its threads (DuckDB's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> float:
    """This process's own peak resident set (VmHWM); ru_maxrss keeps the parent's RSS at fork."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _node_label(unique_id: str) -> str:
    """model.reverse_qe.x -> x; test.reverse_qe.unique_key_x.1a2b3c -> test unique_key_x; unit tests alike."""
    kind, _, name = unique_id.split(".", 2)
    name = name.rsplit(".", 1)[0] if kind == "test" else name
    return name if kind == "model" else f"{kind} {name}"


def measure(fraction: float, root: Path, keep: bool = False) -> dict:
    folder = root / f"f{fraction:g}"
    scenario, warehouse = folder / "scenario", folder / "warehouse" / "bench.duckdb"
    generated = generate(scenario, fraction)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--run-one", str(scenario), str(warehouse)],
                             stdout=subprocess.PIPE, text=True, cwd=REPO)
    output = child.stdout.read()
    _, status, _ = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"size {fraction}: run failed ({child.returncode}): {output[-2000:]}")
    detail = json.loads(output.strip().splitlines()[-1])
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return {"fraction": fraction, "wall_s": wall, **generated, **detail}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.125, 0.25, 0.5, 1.0])
    parser.add_argument("--work-dir", type=Path, default=REPO / "bench" / "results" / "chain_scale")
    parser.add_argument("--keep", action="store_true", help="keep each size's scenario, warehouse and dbt target")
    parser.add_argument("--run-one", nargs=2, type=Path, metavar=("SCENARIO", "WAREHOUSE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        print(json.dumps(run_one(*args.run_one), default=str))
        return 0
    rows = [measure(f, args.work_dir, args.keep) for f in sorted(args.fractions)]
    fixed = rows[0]["pipeline_s"]
    print(f"\nchain_scale: one SYNTHETIC quarter ({QUARTER}), {os.cpu_count()} cores; command: "
          f"{' '.join([Path(sys.executable).name, *sys.argv])}")
    print("pipeline s = ingest (parse + validate + upsert) + dbt build, wall; cpu s = its user + system CPU time (all "
          "threads); process s adds interpreter start, imports (Dagster, dbt, Great Expectations) and dbt's parse; "
          "variable s = pipeline s minus the smallest size's")
    print(f"{'size':>6} {'filers':>7} {'lines':>10} {'positions':>10} {'chain rows':>10} {'parse s':>7} {'valid. s':>8} "
          f"{'upsert s':>8} {'dbt s':>6} {'pipeline s':>10} {'cpu s':>6} {'process s':>9} {'peak MiB':>8} {'variable s':>10} "
          f"{'var/line us':>11} {'amplif.':>7} {'draws s':>7}")
    for r in rows:
        variable = r["pipeline_s"] - fixed
        per_line = 1e6 * variable / (r["lines"] - rows[0]["lines"]) if r is not rows[0] else float("nan")
        print(f"{r['fraction']:>6g} {round(FULL_FILERS * r['fraction']):>7} {r['lines']:>10,} {r['positions']:>10,} "
              f"{r['chain_rows']:>10,} {r['parse_s']:>7.1f} {r['validate_s']:>8.1f} {r['upsert_s']:>8.1f} "
              f"{r['dbt_s']:>6.1f} {r['pipeline_s']:>10.1f} {r['pipeline_cpu_s']:>6.1f} {r['wall_s']:>9.1f} {r['peak_mib']:>8.0f} "
              f"{variable:>10.1f} {per_line:>11.2f} {r['amplification']:>7.3f} {r['draws_s']:>7.1f}")
    for r in rows:
        p10, p50, p90, breaking = r["bands"]
        print(f"  size {r['fraction']:g}: bands of amplification p10/p50/p90 {p10:.3f}/{p50:.3f}/{p90:.3f} over the "
              f"draws; losses past the stress threshold from a {breaking}% shock")
        print(f"  size {r['fraction']:g}: generate {r['generate_s']:.1f}s, imports and dbt parse "
              f"{r['untimed_setup_s']:.1f}s (untimed); peak after ingest {r['ingest_peak_mib']:.0f} MiB; slowest dbt nodes "
              + ", ".join(f"{name} {seconds}s" for name, seconds in r["slowest_nodes"]) + "; "
              + ", ".join(f"{k} {v['rows']:,} rows parse {v['parse_s']}s validate {v['validate_s']}s upsert {v['upsert_s']}s"
                          for k, v in r.items() if isinstance(v, dict)))
    return 0 if all(r["dbt_ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
