"""A real browser (Debian's Chromium, driven by Playwright) opens the report page from disk: every
image loads, and no request leaves the machine (only file: and data: URLs).

Skipped with a visible reason where no Chromium is installed; RQE_REQUIRE_BROWSER=1 (set by
`.ci/run`) turns that skip into a failure.
"""

from __future__ import annotations

import duckdb
import pytest

from reverse_qe.reports import page
from reverse_qe.warehouse import publish_copy
from tests import handmade_warehouse
from tests.e2e.test_ui_browser import CHROMIUM, require_browser

pytestmark = pytest.mark.browser
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run"]


def test_the_page_loads_every_image_from_itself_and_requests_nothing_outside(tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright

    warehouse = handmade_warehouse.build(tmp_path / "reverse_qe.duckdb", coverage=True)
    with duckdb.connect(str(warehouse)) as conn:
        publish_copy(conn, tmp_path / "published.duckdb", run_id="run-123", source_mode="scenario",
                     date_columns=handmade_warehouse.DATE_COLUMNS)
    with duckdb.connect(str(tmp_path / "published.duckdb"), read_only=True) as conn:
        html = page.build_page(page.read_page_data(conn))
    index = tmp_path / "reports" / "index.html"
    index.parent.mkdir()
    index.write_text(html, encoding="utf-8")

    requests, failed = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1100, "height": 900})
            tab.on("request", lambda request: requests.append(request.url))
            tab.on("requestfailed", lambda request: failed.append(request.url))
            tab.goto(index.as_uri(), wait_until="load", timeout=60_000)
            images = tab.eval_on_selector_all(
                "img", "els => els.map(e => ({complete: e.complete, width: e.naturalWidth, src: e.src.slice(0, 22)}))")
            sections = tab.eval_on_selector_all("section.mart", "els => els.map(e => e.id)")
            tab.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        finally:
            browser.close()
    assert len(images) == html.count("<img ") == 21
    assert all(i["complete"] and i["width"] > 0 and i["src"] == "data:image/png;base64," for i in images), images
    assert sorted(sections) == sorted([*handmade_warehouse.MARTS, "fct_source_coverage"])
    assert requests and requests[0] == index.as_uri()
    outside = [url for url in requests if not url.startswith(("file:", "data:"))]
    assert outside == [] and failed == [], (outside, failed)
