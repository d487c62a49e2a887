"""The dashboard in a real headless Chromium over the warehouse built from data/raw (slow).

Needs Debian's ``chromium`` (``make system-deps`` installs it with a CJK font; ``make test`` runs
that first). Screenshots go to ``test-artefacts/dashboard/`` (``GOVPERF_TEST_ARTEFACTS`` to change).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dashboard import serve
from dashboard.i18n import text

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = Path(os.environ.get("GOVPERF_TEST_ARTEFACTS", REPO_ROOT / "test-artefacts")) / "dashboard"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOAD_TIMEOUT_MS = 90_000
# Pages with at least one chart on the sample warehouse (indicators wait for fct_indicators.is_met).
CHART_PAGES = ("overview", "scores", "budget", "department")

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the dashboard exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the dashboard did not answer at {url} within {timeout} s")


@pytest.fixture(scope="module")
def dashboard_url(sample_warehouse: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "GOVPERF_WAREHOUSE": str(sample_warehouse), "PYTHONUNBUFFERED": "1"}
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTEFACTS / "server.log").open("w")
    server = subprocess.Popen(serve.command(port), cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run `make system-deps` (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    yield context.new_page()
    context.close()


def open_page(page, url: str, name: str, lang: str = "zh") -> None:
    """Load a dashboard page and wait until its heading is drawn and the script has finished."""
    page.goto(f"{url}/?page={name}&lang={lang}")
    page.get_by_role("heading", name=text(f"page.{name}", lang), exact=True).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=LOAD_TIMEOUT_MS)


def assert_no_error(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.locator("[data-testid='stException']")
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


def test_every_page_renders_its_charts_offline(dashboard_url: str, page) -> None:
    from dashboard.app import PAGES

    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for name in PAGES:
        open_page(page, dashboard_url, name)
        assert_no_error(page)
        if name in CHART_PAGES:
            charts = page.locator("[data-testid='stVegaLiteChart']")
            charts.first.locator("canvas, svg").first.wait_for(timeout=LOAD_TIMEOUT_MS)
            assert charts.count() >= 1
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
    elsewhere = [url for url in requested if urlsplit(url).hostname not in ("127.0.0.1", None)]
    assert requested and elsewhere == [], elsewhere  # no CDN, no telemetry: works on an offline network


def test_department_numbers_link_to_their_source_sentence_and_file(dashboard_url: str, page) -> None:
    open_page(page, dashboard_url, "department")
    links = page.locator("a.provenance")
    links.first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert links.count() >= 4
    links.first.click()
    page.get_by_role("heading", name=text("page.source", "zh"), exact=True).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.locator("blockquote").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert "page=source" in page.url
    assert page.locator("mark").count() >= 1
    download = page.locator("[data-testid='stDownloadButton']")
    download.wait_for(timeout=LOAD_TIMEOUT_MS)
    with page.expect_download() as started:
        download.locator("button").click()
    assert started.value.suggested_filename.endswith(".txt")
    assert_no_error(page)
    page.screenshot(path=str(ARTEFACTS / "source.png"), full_page=True)


def test_quality_page_and_english_toggle(dashboard_url: str, page) -> None:
    open_page(page, dashboard_url, "quality", lang="en")
    assert_no_error(page)
    assert page.get_by_text(text("title", "en")).count() == 1
    assert page.get_by_role("heading", name=text("checks", "en")).count() == 1
    page.screenshot(path=str(ARTEFACTS / "quality-en.png"), full_page=True)


def test_server_logged_no_error_or_deprecation(dashboard_url: str) -> None:
    """Runs last in this module: whatever the pages did left no traceback or warning in the server log."""
    log = (ARTEFACTS / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "Uvicorn server started" in log or "You can now view" in log
    for marker in ("Traceback", "Error", "deprecated", "Please replace"):
        assert marker not in log, log[-3000:]
