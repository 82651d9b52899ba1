"""Run a raw suite on a parsed batch: Great Expectations 1.x on the DataFrame, then the custom checks.

No Dagster here. Great Expectations is imported lazily (inside :func:`gx_context`), once per
process, so loading the code location never pays for it, and not at all for a batch with no rows
that has every column its suite names: each expectation the suite can hold then passes whatever GX
would find (``VACUOUS_ON_NO_ROWS``), so a run whose batches are all empty never imports it (~2 s,
``scipy.stats`` deferred: :func:`great_expectations`).
The outcome names, for each failed check, the source, the file or URL and the row, and keeps the
offending rows (GX's COMPLETE result format, asked for once a batch fails) for the quarantine.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.util
import math
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reverse_qe.validation.suites import Expect, RawSuite

MAX_ROWS_KEPT = 1_000  # offending rows kept per failed check (the count is always exact)
# A batch is validated first in GX's BASIC result format: the outcome of every expectation, its
# observed value and unexpected count (what the data docs show of a passing batch), but only a
# partial list of unexpected values. A batch that fails is validated again in the COMPLETE format,
# which lists every offending row. Nearly every batch passes, and for those the lists come back
# empty at a cost: the 47 readable files of the real corpus validate in 21.2 s against 27.3 s all
# COMPLETE, the scenario's FRED batch (28 expectations, 22 of them per series) in 0.91 against 1.24 s
# (2026-12-05, idle). The real-size 13F information table (few expectations) gains nothing.
FIRST_PASS_FORMAT = "BASIC"
DATASOURCE = "rqe_raw_batches"
# The expectations that hold on a batch with no rows when their columns exist: each checks the
# batch's values, and no value breaks them (GX itself passes each on an empty batch; a test runs
# every one). A suite with any other kind (a row count, a column mean) always goes to GX.
VACUOUS_ON_NO_ROWS = frozenset({
    "ExpectTableColumnsToMatchSet",  # only with exact_match false: the columns named are there
    "ExpectColumnValuesToNotBeNull", "ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique",
    "ExpectColumnValuesToBeBetween", "ExpectColumnValuesToBeInSet", "ExpectColumnValuesToMatchRegex",
    "ExpectColumnPairValuesAToBeGreaterThanB",
})
COLUMN_ARGUMENTS = ("column", "column_A", "column_B")  # an expectation's kwargs naming one column
COLUMN_LIST_ARGUMENTS = ("column_list", "column_set")  # and those naming several


@dataclass(frozen=True)
class CheckFailure:
    """One failed expectation or custom check, with the batch rows it flags (positions)."""

    check: str
    column: str | None
    note: str
    detail: str
    rows: tuple[int, ...]
    severity: str = "error"


@dataclass
class ValidationOutcome:
    table: str
    source: str
    checks_run: int
    failures: list[CheckFailure]
    locations: list[str]
    offending: list[dict] = field(default_factory=list)
    docs_index: Path | None = None

    @property
    def errors(self) -> list[CheckFailure]:
        return [f for f in self.failures if f.severity == "error"]

    @property
    def warnings(self) -> list[CheckFailure]:
        return [f for f in self.failures if f.severity != "error"]

    @property
    def success(self) -> bool:
        return not self.errors

    def _lines(self, failures: list[CheckFailure]) -> list[str]:
        first = {}
        for row in self.offending:
            first.setdefault(row["failure"], row)
        lines = []
        for failure in failures:
            row = first.get(self.failures.index(failure))
            where = (f"{row['source_uri']}, row {row['document_row']}" if row
                     else ", ".join(self.locations[:3]) + (" ..." if len(self.locations) > 3 else ""))
            count = f" ({len(failure.rows)} row{'s' if len(failure.rows) != 1 else ''})" if failure.rows else ""
            lines.append(f"- [{self.source}] {where}: {failure.note}; {failure.detail}{count}")
        return lines

    def warning_message(self) -> str:
        return "\n".join(self._lines(self.warnings))

    def message(self) -> str:
        """What is wrong, where, and what to do: for the run log and the failing step."""
        if self.success:
            return f"raw.{self.table}: all {self.checks_run} checks passed"
        lines = [f"raw.{self.table}: batch rejected before writing ({len(self.errors)} of "
                 f"{self.checks_run} checks failed); the previous raw data is unchanged and the batch "
                 f"is kept in raw.quarantine. Fix or replace the document(s) below, then re-run:"]
        return "\n".join(lines + self._lines(self.errors))


def document_rows(frame: pd.DataFrame) -> pd.Series:
    """Each row's place in its own document, numbered like SourceFormatError rows: the line number
    in a CSV file (header = 1), the record index in a JSON document."""
    position = frame.groupby("source_uri", sort=False).cumcount()
    is_csv = frame["source_uri"].str.contains(r"\.csv(?:$|\?)", regex=True)
    return position + is_csv.astype(int) * 2


def _jsonable(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    return value


def _defer_scipy_stats() -> None:
    """``scipy.stats`` made a lazy module (the standard library's ``importlib.util.LazyLoader``):
    it runs when first used, not when imported.

    GX imports every expectation it ships, and two of them (the KL divergence and the KS test
    metrics) import ``scipy.stats`` at the top of their modules, for use inside their functions
    only. None of the expectations the raw suites hold uses it, so a run never needs it, and its
    import was ~0.9 of GX's ~2.9 s (``python -X importtime``, pandas and duckdb already loaded;
    ``tests/reverse_qe/validation/test_gx_import.py``). Whoever does use it gets the real module."""
    if "scipy.stats" in sys.modules:
        return
    import scipy

    spec = importlib.util.find_spec("scipy.stats")
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["scipy.stats"] = module
    spec.loader.exec_module(module)
    scipy.stats = module


def great_expectations():
    """The ``great_expectations`` package, imported once per process with ``scipy.stats`` deferred."""
    if "great_expectations" not in sys.modules:
        _defer_scipy_stats()
    import great_expectations as gx

    return gx


@functools.lru_cache(maxsize=1)
def gx_context():
    """One ephemeral GX context per process (the import alone takes seconds)."""
    gx = great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas(DATASOURCE)
    return context


_DOCS_SITES: dict[str, str] = {}


def _view(name: str) -> dict[str, str]:
    return {"module_name": "reverse_qe.validation.gx_views", "class_name": name}


def _docs_site(context, docs_dir: Path) -> str:
    key = str(docs_dir.resolve())
    if key not in _DOCS_SITES:
        name = "rqe_" + hashlib.sha1(key.encode()).hexdigest()[:10]
        context.add_data_docs_site(site_name=name, site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": key},
            # GX's views, keeping their compiled templates between batches (reverse_qe.validation.gx_views)
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "view": _view("IndexPageView")},
            "site_section_builders": {section: {"view": _view("PageView")}
                                      for section in ("expectations", "validations")},
        })
        _DOCS_SITES[key] = name
    return _DOCS_SITES[key]


# Validation pages kept per raw table in the data docs: the newest, about two weeks of weekdays.
# GX's index builder lists every validation page on disk each time it renders the index, that is
# at every batch. A weekday validates about ten batches, and a day of ten took 1.0 s beside no
# history, 2.5 s beside 1,000 pages and 7.6 s beside 4,000, a year and a half of weekdays
# (`python -m bench.docs_history --keep 100000`, 2026-12-05); kept to ten a table, 1.0 s at any
# history. A rejected batch's checks, documents and offending rows stay in raw.quarantine.
DOCS_PAGES_KEPT = 10


def prune_validation_pages(docs_dir: Path, suite_name: str, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` validation pages of ``suite_name`` from a GX docs site;
    return the folders removed. GX lays a page out as
    ``validations/<suite name, a folder per dot>/<run name>/<run time>/<batch>.html``, the run time
    written ``20261205T161423.316987Z``, which sorts as it reads."""
    folder = docs_dir.joinpath("validations", *suite_name.split("."))
    runs = sorted((run for name in folder.glob("*") if name.is_dir() for run in name.iterdir() if run.is_dir()),
                  key=lambda run: run.name)
    removed = runs[:max(len(runs) - keep, 0)]
    for run in removed:
        shutil.rmtree(run)
    return removed


def _gx_expectation(expect: Expect, index: int):
    gx = great_expectations()
    return getattr(gx.expectations, expect.kind)(**expect.kwargs, meta={"rqe_index": index})


def _run_gx(frame: pd.DataFrame, suite: RawSuite, docs_dir: Path | None) -> tuple[list[CheckFailure], Path | None]:
    gx = great_expectations()
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    context = gx_context()
    source = context.data_sources.get(DATASOURCE)
    try:
        asset = source.get_asset(suite.table)
    except LookupError:
        asset = source.add_dataframe_asset(suite.table)
    try:
        batch_definition = asset.get_batch_definition("whole_batch")
    except (KeyError, LookupError):
        batch_definition = asset.add_batch_definition_whole_dataframe("whole_batch")
    gx_suite = context.suites.add_or_update(gx.ExpectationSuite(
        name=f"raw.{suite.table}", expectations=[_gx_expectation(e, i) for i, e in enumerate(suite.expectations)]))
    definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(
        name=f"raw.{suite.table}", data=batch_definition, suite=gx_suite))
    earlier = set(context.validation_results_store.list_keys())
    result = definition.run(batch_parameters={"dataframe": frame}, result_format=FIRST_PASS_FORMAT)
    if not result.success:  # again, listing every offending row: the quarantine keeps them
        earlier = set(context.validation_results_store.list_keys())  # the docs show this pass only
        result = definition.run(batch_parameters={"dataframe": frame}, result_format="COMPLETE")
    failures = []
    # GX does not keep the suite's order: match each result to its expectation by index.
    for outcome in sorted(result.results, key=lambda r: r.expectation_config.meta["rqe_index"]):
        expect = suite.expectations[outcome.expectation_config.meta["rqe_index"]]
        if outcome.success:
            continue
        info = outcome.result or {}
        rows = tuple(int(i) for i in info.get("unexpected_index_list") or ())
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            detail = f"the check could not run: {outcome.exception_info.get('exception_message')}"
        elif "unexpected_list" in info and info["unexpected_list"] is not None:
            shown = [_jsonable(v) for v in info["unexpected_list"][:5]]
            detail = f"found {', '.join(map(repr, shown))}{' ...' if len(info['unexpected_list']) > 5 else ''}"
        else:
            detail = f"found {info.get('observed_value')!r}"
        label = f"{expect.kind}({expect.column})" if expect.column else expect.kind
        failures.append(CheckFailure(label, expect.column, expect.note, detail, rows))
    docs_index = None
    if docs_dir is not None:
        docs_dir.mkdir(parents=True, exist_ok=True)
        site = _docs_site(context, docs_dir)
        # Only this batch's pages (and the index): without resource_identifiers GX renders again
        # every suite and result this process has validated, so a run's docs cost grows as n².
        this_batch = [key for key in context.validation_results_store.list_keys() if key not in earlier]
        prune_validation_pages(docs_dir, gx_suite.name, DOCS_PAGES_KEPT - len(this_batch))
        context.build_data_docs(site_names=[site], resource_identifiers=[
            ExpectationSuiteIdentifier(name=gx_suite.name), *this_batch])
        docs_index = docs_dir / "index.html"
    return failures, docs_index


def passes_without_gx(frame: pd.DataFrame, suite: RawSuite) -> bool:
    """Whether GX would find nothing wrong with ``frame`` without running it: no rows, every column
    the suite's expectations name present, and only expectations that no value can break."""
    if len(frame):
        return False
    named = set()
    for expect in suite.expectations:
        if expect.kind not in VACUOUS_ON_NO_ROWS:
            return False
        if expect.kind == "ExpectTableColumnsToMatchSet" and expect.kwargs.get("exact_match") is not False:
            return False  # GX's default is an exact match, which extra columns break
        named.update(expect.kwargs[k] for k in COLUMN_ARGUMENTS if k in expect.kwargs)
        named.update(c for k in COLUMN_LIST_ARGUMENTS for c in expect.kwargs.get(k, ()))
    return named <= set(frame.columns)


def validate_raw_batch(frame: pd.DataFrame, suite: RawSuite, *, docs_dir: Path | None = None) -> ValidationOutcome:
    """Every expectation and custom check of ``suite`` on ``frame``; writes nothing but data docs.
    A batch with no rows that has its columns skips GX (and so writes no data docs): the custom
    checks still run."""
    frame = frame.reset_index(drop=True)
    failures, docs_index = ([], None) if passes_without_gx(frame, suite) else _run_gx(frame, suite, docs_dir)
    if not any(f.check in ("ExpectTableColumnsToMatchSet", "ExpectColumnValuesToBeInTypeList") for f in failures):
        for check in suite.batch_checks:  # they assume the declared columns and types
            failures += [CheckFailure(f.check, None, f.message, "see the rows kept in quarantine", f.rows,
                                      check.severity) for f in check.run(frame)]
    locations = sorted(frame["source_uri"].unique().tolist()) if "source_uri" in frame else []
    outcome = ValidationOutcome(suite.table, suite.source, len(suite.expectations) + len(suite.batch_checks),
                                failures, locations, docs_index=docs_index)
    if failures:
        place = document_rows(frame) if "source_uri" in frame else pd.Series(frame.index, index=frame.index)
        for n, failure in enumerate(failures):
            for i in failure.rows[:MAX_ROWS_KEPT]:
                record = {k: _jsonable(v) for k, v in frame.iloc[i].items()}
                outcome.offending.append({"failure": n, "check": failure.check, "column": failure.column,
                                          "document_row": int(place.iat[i]), **record})
    return outcome
