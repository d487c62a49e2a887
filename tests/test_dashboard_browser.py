"""The dashboard in a real headless Chromium over the warehouse built from data/raw (slow).

Needs Debian's ``chromium`` (``make system-deps`` installs it with a CJK font; ``make test`` runs
that first). Screenshots go to ``test-artefacts/dashboard/`` (``GOVPERF_TEST_ARTEFACTS`` to change).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from openpyxl import load_workbook

from dashboard import serve
from dashboard.i18n import text

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = Path(os.environ.get("GOVPERF_TEST_ARTEFACTS", REPO_ROOT / "test-artefacts")) / "dashboard"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOAD_TIMEOUT_MS = 90_000
# Pages with at least one chart on the sample warehouse.
CHART_PAGES = ("overview", "scores", "budget", "indicators", "department")
# Codes and Python values a Chinese page must never show.
CODES = ("measure", "department_overall", "None", "budget · total", "staff_in_service", "all_funds", "nan")
README_SCREENSHOT = REPO_ROOT / "docs" / "img" / "dashboard.png"

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


def open_page(page, url: str, name: str, lang: str = "zh", query: str = "") -> None:
    """Load a dashboard page and wait until its heading is drawn and the script has finished."""
    page.goto(f"{url}/?page={name}&lang={lang}{query}")
    settle(page, name, lang)


def settle(page, name: str, lang: str = "zh") -> None:
    """Wait until page ``name`` is drawn and the script has finished."""
    page.get_by_role("heading", name=text(f"page.{name}", lang), exact=True).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    running = page.locator("[data-testid='stStatusWidget']")
    for _ in range(3):  # the script may start (and the widget appear) after a first check: idle three times
        running.wait_for(state="detached", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(700)


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


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
    links = page.locator("table.govperf").first.locator("a.provenance")
    links.first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert links.count() >= 4
    assert all("fact=" in (links.nth(i).get_attribute("href") or "") for i in range(links.count()))
    links.first.click()
    page.get_by_role("heading", name=text("page.source", "zh"), exact=True).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.locator("blockquote").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=LOAD_TIMEOUT_MS)
    assert "page=source" in page.url and "fact=" in page.url
    assert page.locator("blockquote").count() == 1, "a link by fact id shows that one sentence, not every equal value"
    assert page.locator("mark").count() >= 1
    download = page.locator("[data-testid='stDownloadButton']")
    download.wait_for(timeout=LOAD_TIMEOUT_MS)
    with page.expect_download() as started:
        download.locator("button").click()
    assert started.value.suggested_filename.endswith(".txt")
    assert_no_error(page)
    page.screenshot(path=str(ARTEFACTS / "source.png"), full_page=True)


def test_quality_page_and_english_toggle(dashboard_url: str, page, sample_warehouse: Path) -> None:
    open_page(page, dashboard_url, "quality", lang="en")
    assert_no_error(page)
    assert page.get_by_text(text("title", "en")).count() == 1
    assert page.get_by_role("heading", name=text("checks", "en")).count() == 1
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        checks, failed = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT passed) FROM marts.quality_checks"
        ).fetchone()
    finally:
        con.close()
    summary = text("checks_summary", "en", n=checks, passed=checks - failed, failed=failed)
    assert summary in main_text(page), "the page counts the checks the warehouse, the CLI and the Data Docs count"
    page.screenshot(path=str(ARTEFACTS / "quality-en.png"), full_page=True)


def test_chinese_pages_show_no_codes_and_the_local_refresh_time(dashboard_url: str, page) -> None:
    from dashboard.app import PAGES

    for name in PAGES:
        if name == "dictionary":  # the page that documents column names and codes
            continue
        open_page(page, dashboard_url, name)
        shown = main_text(page)
        assert [code for code in CODES if code in shown] == [], name
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ \(UTC[+-]\d\d:\d\d\)", shown), shown[:300]


def test_filters_live_in_the_url_and_survive_navigation(dashboard_url: str, page, sample_warehouse: Path) -> None:
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        (year,) = con.execute("SELECT min(fiscal_year) FROM marts.mart_department_year").fetchone()
        (province,) = con.execute("SELECT min(province) FROM marts.mart_department_year").fetchone()
    finally:
        con.close()
    open_page(page, dashboard_url, "scores", query=f"&year={year}")
    assert f"{text('filter.year', 'zh')}: {year}" in main_text(page)
    page.get_by_text(text("page.overview", "zh"), exact=True).first.click()
    settle(page, "overview")
    assert f"year={year}" in page.url and "page=overview" in page.url
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stMultiSelect']").first.click()
    option = page.get_by_role("option", name=re.compile(re.escape(province) + r" \(\d{6}\)"))
    option.first.click()  # the province list names each province with its GB/T 2260 code
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile("province="), timeout=LOAD_TIMEOUT_MS)
    settle(page, "overview")
    assert f"year={year}" in page.url
    assert_no_error(page)
    page.screenshot(path=str(ARTEFACTS / "overview-filtered.png"), full_page=True)


def test_drill_down_from_a_table_to_the_department_and_its_printable_report(dashboard_url: str, page) -> None:
    open_page(page, dashboard_url, "budget")
    first = page.locator("table.govperf a.provenance").first
    name = first.inner_text()
    first.click()
    settle(page, "department")
    assert "page=department" in page.url and "department=" in page.url
    assert page.get_by_role("heading", name=name).count() >= 1
    shown = main_text(page)
    assert text("change_and_rank", "zh") in shown and " / " in shown  # rank among peers: "1 / 3"
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.screenshot(path=str(ARTEFACTS / "department.png"))
    if os.environ.get("GOVPERF_UPDATE_README_SCREENSHOT"):
        shutil.copy(ARTEFACTS / "department.png", README_SCREENSHOT)
    page.get_by_text(text("printable", "zh"), exact=True).click()
    settle(page, "report")
    assert page.get_by_role("heading", name=name).count() >= 1
    downloads = page.locator("[data-testid='stDownloadButton']")
    downloads.first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.emulate_media(media="print")
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert downloads.count() >= 2 and not downloads.first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    (ARTEFACTS / "report.pdf").write_bytes(pdf)
    assert_no_error(page)


def test_every_table_downloads_as_csv_and_xlsx_with_chinese_headers(dashboard_url: str, page) -> None:
    open_page(page, dashboard_url, "department")
    buttons = page.locator("[data-testid='stDownloadButton']")
    buttons.first.wait_for(timeout=LOAD_TIMEOUT_MS)
    tables = page.locator("table.govperf").count() + page.locator("[data-testid='stDataFrame']").count()
    assert buttons.count() == 2 * tables >= 6
    with page.expect_download() as started:
        buttons.nth(0).locator("button").click()
    raw = Path(started.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and text("budget_total_wan_yuan", "zh").encode() in raw
    with page.expect_download() as started:
        buttons.nth(1).locator("button").click()
    assert started.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(started.value.path()).read_bytes()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:2] == [text("fiscal_year", "zh"), text("budget_total_wan_yuan", "zh")]
    assert sheet.freeze_panes == "A2" and sheet.cell(row=2, column=2).number_format == "#,##0.00"
    assert isinstance(sheet.cell(row=2, column=2).value, float)


def test_server_logged_no_error_or_deprecation(dashboard_url: str) -> None:
    """Runs last in this module: whatever the pages did left no traceback or warning in the server log."""
    log = (ARTEFACTS / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "Uvicorn server started" in log or "You can now view" in log
    for marker in ("Traceback", "Error", "deprecated", "Please replace"):
        assert marker not in log, log[-3000:]
