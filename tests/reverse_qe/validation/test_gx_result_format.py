"""A raw batch is validated in GX's BASIC result format, and again in COMPLETE only when it fails:
a failed check still names every offending row, and the data docs show one validation of it."""

from __future__ import annotations

import pandas as pd

from reverse_qe.validation import gx as gx_module
from reverse_qe.validation.gx import validate_raw_batch
from reverse_qe.validation.suites import Expect, RawSuite

SUITE = RawSuite("result_format", "test_source", (
    Expect("ExpectColumnValuesToNotBeNull", {"column": "x"}, "x is present"),
    Expect("ExpectColumnValuesToBeBetween", {"column": "x", "min_value": 0}, "x is not negative"),
))
BAD_ROWS = 30  # more than the 20 unexpected values a BASIC result lists


def _runs(monkeypatch) -> list[str]:
    """The result formats GX is asked for, in order."""
    from great_expectations import ValidationDefinition

    asked, run = [], ValidationDefinition.run

    def spy(self, *args, **kwargs):
        asked.append(kwargs["result_format"])
        return run(self, *args, **kwargs)

    monkeypatch.setattr(ValidationDefinition, "run", spy)
    return asked


def test_a_passing_batch_is_validated_once_in_the_basic_format(monkeypatch):
    gx_module.great_expectations()
    asked = _runs(monkeypatch)
    outcome = validate_raw_batch(pd.DataFrame({"x": range(100), "source_uri": "a.csv"}), SUITE)
    assert outcome.success, outcome.message()
    assert asked == ["BASIC"]


def test_a_failing_batch_names_every_offending_row_from_a_complete_second_pass(monkeypatch, tmp_path):
    gx_module.great_expectations()
    asked = _runs(monkeypatch)
    values = [1.0] * 50 + [None] * BAD_ROWS + [-1.0] * BAD_ROWS
    docs = tmp_path / "gx_docs"
    outcome = validate_raw_batch(pd.DataFrame({"x": values, "source_uri": "b.csv"}), SUITE, docs_dir=docs)

    assert asked == ["BASIC", "COMPLETE"]
    assert [f.rows for f in outcome.errors] == [tuple(range(50, 50 + BAD_ROWS)),
                                                tuple(range(50 + BAD_ROWS, 50 + 2 * BAD_ROWS))]
    assert f"({BAD_ROWS} rows)" in outcome.message()
    assert len(outcome.offending) == 2 * BAD_ROWS  # every one kept for the quarantine
    # the docs render the COMPLETE pass only: one validation page for the batch, not one per pass
    assert len([p for p in (docs / "validations").rglob("*.html") if "result_format" in p.as_posix()]) == 1
