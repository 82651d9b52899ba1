"""Benchmark (not a test): what a day of raw batches pays for Great Expectations' data docs when the
docs site already holds a history of validation pages.

GX's index builder lists every validation page on disk each time it renders the site's index, at
every batch; ``reverse_qe.validation.gx`` keeps the newest ``DOCS_PAGES_KEPT`` pages per table. For
each size of history, a fresh docs site gets that many validation pages (copies of a real page,
spread over the day's tables, dated before it), then two days are timed: each validates every table
once, with its docs, as a weekday's raw steps do. Prints each day's seconds and the pages left.

    .venv/bin/python -m bench.docs_history [--pages 0 1000 4000] [--tables 10] [--keep N]

``--keep`` sets ``DOCS_PAGES_KEPT`` for the run; a large value (``--keep 100000``) shows the cost
without pruning.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.run import progress
from reverse_qe.validation import gx as gx_module
from reverse_qe.validation.suites import Expect, RawSuite

FRAME = pd.DataFrame({"x": range(1_000), "source_uri": "day.csv"})


def suite(table: str) -> RawSuite:
    return RawSuite(table, "bench", (Expect("ExpectColumnValuesToNotBeNull", {"column": "x"}, "x is present"),
                                     Expect("ExpectColumnValuesToBeBetween", {"column": "x", "min_value": 0},
                                            "x is not negative")))


def seed_history(docs: Path, tables: list[str], pages: int) -> None:
    """``pages`` validation pages of ``tables`` (round robin), dated 2020, copied from a real one."""
    gx_module.validate_raw_batch(FRAME, suite("bench_seed"), docs_dir=docs)
    page = next((docs / "validations").rglob("*.html"))
    for n in range(pages):
        folder = docs / "validations" / "raw" / tables[n % len(tables)] / "__none__" / f"2020{n:010d}T000000.000000Z"
        folder.mkdir(parents=True)
        shutil.copy(page, folder / page.name)


def one_day(docs: Path, tables: list[str]) -> float:
    started = time.perf_counter()
    for table in tables:
        outcome = gx_module.validate_raw_batch(FRAME, suite(table), docs_dir=docs)
        assert outcome.success, outcome.message()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[0, 1000, 4000])
    parser.add_argument("--tables", type=int, default=10)
    parser.add_argument("--keep", type=int, default=gx_module.DOCS_PAGES_KEPT)
    args = parser.parse_args()
    gx_module.DOCS_PAGES_KEPT = args.keep
    tables = [f"bench_table_{n:02d}" for n in range(args.tables)]
    gx_module.validate_raw_batch(FRAME, suite("bench_warm"))  # GX's import and context, untimed
    print(f"data docs with a history: {args.tables} batches a day, {args.keep} pages kept per table")
    print(f"{'pages before':>12} {'day 1 s':>8} {'day 2 s':>8} {'pages after':>12}")
    for pages in args.pages:
        progress(f"{pages} pages of history")
        with tempfile.TemporaryDirectory(prefix="rqe-bench-docs-") as tmp:
            docs = Path(tmp) / "gx_docs"
            seed_history(docs, tables, pages)
            first, second = one_day(docs, tables), one_day(docs, tables)
            left = sum(1 for _ in (docs / "validations").rglob("*.html"))
        print(f"{pages:>12,} {first:>8.2f} {second:>8.2f} {left:>12,}")


if __name__ == "__main__":
    main()
