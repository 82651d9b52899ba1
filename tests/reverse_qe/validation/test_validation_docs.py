"""Great Expectations data docs of raw batches: each validation adds its own pages, and leaves the
pages of the batches validated before it in the same process as they were (rendering them all
again made a run's docs cost grow with the square of its batches)."""

from __future__ import annotations

import re

import jinja2
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


def _without_ids_and_times(html: str) -> str:
    """GX's element ids (uuid4) and its cache-busting ``?d=<time>`` differ between any two builds."""
    html = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", html)
    return re.sub(r"\?d=\d{8}T\d{6}\.\d+Z", "", html)


def test_a_batch_after_the_first_compiles_no_template_and_its_page_is_gxs_own(tmp_path, monkeypatch):
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    from reverse_qe.validation.gx import gx_context
    from reverse_qe.validation.gx_views import PageView

    docs = tmp_path / "gx_docs"
    validate_raw_batch(pd.DataFrame({"x": [1], "source_uri": ["a.csv"]}), _suite("docs_warm"), docs_dir=docs)
    compiled = []
    compile_template = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, *a, **k: compiled.append(a[1:2]) or compile_template(self, *a, **k))
    later = validate_raw_batch(pd.DataFrame({"x": [1.0, None], "source_uri": ["b.csv"] * 2}),
                               _suite("docs_later"), docs_dir=docs)
    assert not later.success and len(_pages(docs, "docs_later")) == 2
    assert compiled == []  # GX's own views compiled their templates again for every batch

    context = gx_context()
    result = context.validation_results_store.get(context.validation_results_store.list_keys()[-1])
    # GX mutates a rendered document, so each view renders its own
    ours = PageView().render(ValidationResultsPageRenderer().render(result))
    gxs = DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(result))
    assert "docs_later" in ours
    assert _without_ids_and_times(ours) == _without_ids_and_times(gxs)
