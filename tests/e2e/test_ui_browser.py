"""A real browser (Debian's Chromium, driven by Playwright) opens the lineage in the Dagster UI.

Skipped with a visible reason where no Chromium is installed; `.ci/run` sets RQE_REQUIRE_BROWSER=1,
which turns that skip into a failure.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, isolated_env

CHROMIUM = Path(os.environ.get("RQE_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.browser


def require_browser():
    if CHROMIUM.exists():
        return
    reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("RQE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser required in CI: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def dagster_dev(root: Path, env: dict[str, str]) -> Iterator[str]:
    """What a user runs, `make dev` (the webserver and the daemon), on the files of ``env``; yields its
    URL once it answers, and asserts its output had no warning when it ends."""
    port = free_port()
    log_path = root / "dagster_dev.log"
    log = open(log_path, "w")
    # the Makefile sets DAGSTER_HOME unless the command line does
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "dev", f"DEV_PORT={port}", f"DAGSTER_HOME={env['DAGSTER_HOME']}"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make dev did not come up: {log_path.read_text()[-3000:]}")
            time.sleep(1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the webserver ignores SIGTERM for a while: end the group
        proc.wait(timeout=30)
        log.close()
    output = log_path.read_text()
    assert "Warning" not in output, output[-3000:]  # no deprecation or supersession warning


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory):
    require_browser()
    root = tmp_path_factory.mktemp("ui")
    with dagster_dev(root, isolated_env(root)) as url:
        yield url, root


def shows(label: str, name: str) -> bool:
    """The UI truncates long node labels to 'head…tail'."""
    if "…" not in label:
        return label == name
    head, tail = label.split("…", 1)
    return name.startswith(head) and name.endswith(tail) and len(head) + len(tail) >= 6


def test_lineage_view_shows_raw_staging_intermediate_and_mart_of_the_bathtub(dagster_ui):
    from playwright.sync_api import sync_playwright

    url, root = dagster_ui
    groups = ["raw_funding_flows", "staging_funding_flows", "intermediate_funding_flows", "marts"]
    names = ["fred_observations", "stg_fred__observations", "int_funding__aligned_weekly", "fct_liquidity_bathtub"]
    lineage = f"{url}/assets/marts/fct_liquidity_bathtub?view=lineage&lineageScope=upstream&lineageDepth=5"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(lineage, wait_until="domcontentloaded", timeout=120_000)
            for group in groups:
                page.get_by_text(group, exact=True).first.wait_for(timeout=120_000)
            labels = [line.strip() for line in page.inner_text("body").splitlines() if line.strip()]
            page.screenshot(path=str(root / "lineage.png"))
        finally:
            browser.close()
    missing = [name for name in names if not any(shows(label, name) for label in labels)]
    assert not missing, (missing, labels)
