"""Great Expectations is imported with ``scipy.stats`` deferred (reverse_qe.validation.gx): a
validation with every kind of expectation the raw suites hold, failing rows and data docs
included, never runs ``scipy.stats``, and whoever uses it still gets the real module."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from reverse_qe.validation import suites
from reverse_qe.validation.gx import VACUOUS_ON_NO_ROWS
from reverse_qe.warehouse import RawTable
from tests.conftest import REPO

# In a fresh process: one suite with an expectation of each kind, a batch that breaks each one.
VALIDATE = """
import json, sys
from pathlib import Path
import pandas as pd
from reverse_qe.validation.gx import validate_raw_batch
from reverse_qe.validation.suites import Expect, RawSuite
suite = RawSuite("probe_things", "probe", (
    Expect("ExpectTableColumnsToMatchSet", {"column_set": ["thing", "low", "high"], "exact_match": False}, "columns"),
    Expect("ExpectColumnValuesToNotBeNull", {"column": "thing"}, "a thing"),
    Expect("ExpectColumnValuesToBeUnique", {"column": "low"}, "unique low"),
    Expect("ExpectCompoundColumnsToBeUnique", {"column_list": ["thing", "low"]}, "one row a key"),
    Expect("ExpectColumnValuesToBeBetween", {"column": "high", "min_value": 0, "max_value": 10}, "0..10"),
    Expect("ExpectColumnValuesToBeInSet", {"column": "thing", "value_set": ["a", "b"]}, "a or b"),
    Expect("ExpectColumnValuesToMatchRegex", {"column": "thing", "regex": "^[a-z]$"}, "one letter"),
    Expect("ExpectColumnPairValuesAToBeGreaterThanB", {"column_A": "high", "column_B": "low"}, "high over low"),
))
frame = pd.DataFrame({"thing": ["a", "a", None, "zz"], "low": [1.0, 1.0, 2.0, 3.0], "high": [2.0, 0.5, 30.0, 4.0],
                      "source_mode": "replay", "source_uri": "/replay/probe/things.csv"})
outcome = validate_raw_batch(frame, suite, docs_dir=Path(sys.argv[1]))
print(json.dumps({
    "kinds": [e.kind for e in suite.expectations],
    "failed": sorted({f.check.split("(")[0] for f in outcome.errors}),
    "docs": outcome.docs_index is not None and outcome.docs_index.exists(),
    "stats_module": type(sys.modules["scipy.stats"]).__name__,
}))
import scipy.stats
print(json.dumps({"entropy": float(scipy.stats.entropy([0.5, 0.5], [0.5, 0.5])),
                  "stats_module": type(sys.modules["scipy.stats"]).__name__}))
"""


def test_a_validation_with_every_kind_the_suites_hold_never_runs_scipy_stats(tmp_path):
    ran = subprocess.run([sys.executable, "-c", VALIDATE, str(tmp_path / "docs")], cwd=REPO, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})
    assert ran.returncode == 0, ran.stderr[-3000:]
    validated, used = (json.loads(line) for line in ran.stdout.strip().splitlines()[-2:])
    assert set(validated["kinds"]) == VACUOUS_ON_NO_ROWS
    assert validated["failed"] == sorted(VACUOUS_ON_NO_ROWS - {"ExpectTableColumnsToMatchSet"})  # each ran
    assert validated["docs"]
    assert validated["stats_module"] == "_LazyModule"  # imported by GX, never run
    assert used == {"entropy": 0.0, "stats_module": "module"}  # run on first use


def test_the_suites_hold_no_kind_of_expectation_the_probe_leaves_out():
    table = RawTable("probe_things", {"thing": "varchar", "day": "date"}, key=("thing", "day"))
    held = {e.kind for e in suites.generic_expectations(table, date_column="day", as_of=dt.date(2026, 11, 20))}
    for suite in suites.SOURCE_SUITES.values():
        held |= {e.kind for e in suite().expectations}
    assert held <= VACUOUS_ON_NO_ROWS
