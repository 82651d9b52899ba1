"""Benchmark (not a test): what publishing costs on a real warehouse, whole against incremental.

On a copy of ``--warehouse`` (a finished run's ``reverse_qe.duckdb``), alternating, the median of
``--repeats``: a whole copy (``publish_copy(incremental=False)``), an incremental publish after the
day changes one mart (the tables copied then are the changed ones only), an incremental publish with
nothing changed, and the fingerprints alone (what every incremental publish pays first), against
the same fingerprints with every row hashed, the quarterly models' too (the baseline before their
build records stood in for their rows: reverse_qe/table_fingerprints.py). ``--fingerprints-only``
times just those two (at scale 16 a whole publish takes minutes). ``--cold`` empties the kernel's
page cache before each of them (needs root), as for a weekday's publish that reads tables no step
of the day read.

    .venv/bin/python -m bench.publish_cost --warehouse /path/to/reverse_qe.duckdb [--repeats 3]
        [--fingerprints-only] [--cold]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from reverse_qe.table_fingerprints import base_tables, fingerprint, fingerprints
from reverse_qe.warehouse import publish_copy

CHANGED = "marts.fct_liquidity_bathtub"  # a mart every weekday rebuilds with one more row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fingerprints-only", action="store_true")
    parser.add_argument("--cold", action="store_true", help="drop the page cache before each fingerprinting (root)")
    args = parser.parse_args()
    if args.cold and not args.fingerprints_only:
        parser.error("--cold times the fingerprints only: add --fingerprints-only")

    def timed_prints(warehouse: Path, conn, every_row: list | None) -> float:
        """Seconds to fingerprint the warehouse as the publish does (``every_row`` None) or with
        every row hashed; with --cold on a connection of its own opened after the page cache is
        emptied (DuckDB's buffers are the connection's, so a new one starts empty)."""
        if args.cold:
            os.sync()
            Path("/proc/sys/vm/drop_caches").write_text("3\n")
        with contextlib.ExitStack() as stack:
            if args.cold:
                conn = stack.enter_context(duckdb.connect(str(warehouse), read_only=True))
            started = time.perf_counter()
            if every_row is None:
                fingerprints(conn, "reverse_qe", skip_schemas=("meta",))
            for schema, table in every_row or []:
                fingerprint(conn, "reverse_qe", schema, table)
            return time.perf_counter() - started

    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {"whole": [], "one mart changed": [], "nothing changed": [], "fingerprints": [],
                                     "fingerprints, every row hashed": []}
    if args.fingerprints_only:
        del times["whole"], times["one mart changed"], times["nothing changed"]
    copied = 0
    with tempfile.TemporaryDirectory(prefix="rqe-bench-publish-") as tmp:
        warehouse, target = Path(tmp) / "reverse_qe.duckdb", Path(tmp) / "published" / "published.duckdb"
        shutil.copyfile(args.warehouse, warehouse)
        with duckdb.connect(str(warehouse)) as conn:
            tables = len(fingerprints(conn, "reverse_qe"))
            # as the publish reads them: without meta (its own); every row read once first, so the
            # baseline is timed warm, as the fingerprints of the quarterly tables need no rows
            every_row = base_tables(conn, "reverse_qe", skip_schemas=("meta",))
            if not args.cold:
                for schema, table in every_row:
                    fingerprint(conn, "reverse_qe", schema, table)
            if not args.fingerprints_only:
                publish_copy(conn, target, incremental=False)
            whole_size = target.stat().st_size if target.exists() else 0
            if args.cold:
                conn.close()  # each timing opens its own
            for _ in range(args.repeats):
                times["fingerprints"].append(timed_prints(warehouse, conn, None))
                times["fingerprints, every row hashed"].append(timed_prints(warehouse, conn, every_row))
                if args.fingerprints_only:
                    continue
                started = time.perf_counter()
                publish_copy(conn, target, incremental=False)
                times["whole"].append(time.perf_counter() - started)
                conn.execute(f"create or replace table {CHANGED} as select * from {CHANGED} order by 1 desc")
                conn.execute(f"insert into {CHANGED} select * from {CHANGED} limit 1")
                result = publish_copy(conn, target)
                times["one mart changed"].append(result.seconds)
                copied = result.tables_copied
                times["nothing changed"].append(publish_copy(conn, target).seconds)
        size = target.stat().st_size if target.exists() else 0
    sizes = "" if args.fingerprints_only else (f"; published file {whole_size / 2**20:.1f} MiB whole, "
                                               f"{size / 2**20:.1f} MiB after the incremental publishes")
    print(f"publish of {args.warehouse} ({tables} tables{sizes}): median of "
          f"{args.repeats}, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after")
    for name, seconds in times.items():
        note = f" ({copied} table(s) copied)" if name == "one mart changed" else ""
        print(f"  {name:<31} {statistics.median(seconds):6.2f} s{note}")
    ratio = statistics.median(times["fingerprints"]) / statistics.median(times["fingerprints, every row hashed"])
    print(f"  fingerprints / every row hashed: {ratio:.2f}")


if __name__ == "__main__":
    main()
