"""Great Expectations data docs of raw batches: each validation adds its own pages, and leaves the
pages of the batches validated before it in the same process as they were (rendering them all
again made a run's docs cost grow with the square of its batches)."""

from __future__ import annotations

import pandas as pd

from reverse_qe.validation.gx import validate_raw_batch
from reverse_qe.validation.suites import Expect, RawSuite


def _suite(table: str) -> RawSuite:
    return RawSuite(table, "test_source", (Expect("ExpectColumnValuesToNotBeNull", {"column": "x"}, "x is present"),))


def _pages(docs, table: str) -> dict:
    return {path.relative_to(docs).as_posix(): path.stat().st_mtime_ns
            for path in docs.rglob("*.html") if table in path.relative_to(docs).parts[-1]}


def test_each_batch_renders_its_own_pages_and_keeps_the_earlier_ones(tmp_path):
    docs = tmp_path / "gx_docs"
    first = validate_raw_batch(pd.DataFrame({"x": [1, 2], "source_uri": ["a.csv"] * 2}),
                               _suite("docs_first"), docs_dir=docs)
    first_pages = _pages(docs, "docs_first")

    second = validate_raw_batch(pd.DataFrame({"x": [1.0, None], "source_uri": ["b.csv"] * 2}),
                                _suite("docs_second"), docs_dir=docs)

    assert first.success and not second.success
    assert second.docs_index == docs / "index.html"
    assert {page.split("/")[0] for page in first_pages} == {"expectations", "validations"}
    assert len(_pages(docs, "docs_second")) == 2  # its suite page and its validation page
    assert _pages(docs, "docs_first") == first_pages  # not rendered again
    index = second.docs_index.read_text()
    assert "docs_first" in index and "docs_second" in index
