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


def test_a_table_keeps_its_newest_validation_pages_and_the_index_lists_only_those(tmp_path, monkeypatch):
    """GX's index lists every validation page on disk at every batch: unpruned, a year of weekdays
    would slow each batch's docs by ~0.5 s (reverse_qe.validation.gx.DOCS_PAGES_KEPT)."""
    from reverse_qe.validation import gx as gx_module

    monkeypatch.setattr(gx_module, "DOCS_PAGES_KEPT", 3)
    docs = tmp_path / "gx_docs"
    other = validate_raw_batch(pd.DataFrame({"x": [1], "source_uri": ["o.csv"]}), _suite("docs_other"), docs_dir=docs)
    pages = []
    for n in range(5):
        frame = pd.DataFrame({"x": [1.0, None if n == 3 else 2.0], "source_uri": [f"{n}.csv"] * 2})
        validate_raw_batch(frame, _suite("docs_daily"), docs_dir=docs)  # the fourth fails: two GX passes
        (page,) = set(_pages(docs, "docs_daily")) - set(pages) - {"expectations/raw/docs_daily.html"}
        pages.append(page)

    kept = {p for p in _pages(docs, "docs_daily") if p.startswith("validations/")}
    assert kept == set(pages[-3:])  # the newest three, the failing one among them
    assert len(_pages(docs, "docs_other")) == 2  # another table's pages are its own
    index = other.docs_index.read_text()
    assert all(page in index for page in pages[-3:])
    assert not any(page in index for page in pages[:2])  # no link to a removed page


def test_pruning_removes_the_oldest_run_folders_of_one_suite_only(tmp_path):
    from reverse_qe.validation.gx import prune_validation_pages

    times = ["20261201T090000.000001Z", "20261202T090000.000001Z", "20261130T235959.999999Z",
             "20261203T090000.000001Z"]
    for run_name, time in zip(["__none__", "__none__", "manual", "__none__"], times):
        for suite in ("raw/docs_daily", "raw/docs_other"):
            page = tmp_path / "validations" / suite / run_name / time / "batch.html"
            page.parent.mkdir(parents=True)
            page.write_text(time)
    removed = prune_validation_pages(tmp_path, "raw.docs_daily", 2)
    assert sorted(r.name for r in removed) == ["20261130T235959.999999Z", "20261201T090000.000001Z"]
    left = sorted(p.read_text() for p in (tmp_path / "validations" / "raw" / "docs_daily").rglob("*.html"))
    assert left == ["20261202T090000.000001Z", "20261203T090000.000001Z"]
    assert len(list((tmp_path / "validations" / "raw" / "docs_other").rglob("*.html"))) == 4
    assert prune_validation_pages(tmp_path, "raw.docs_daily", 5) == []
