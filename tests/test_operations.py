"""Issue 5 with real processes: readers during a refresh, kill -9, incremental refreshes, the sensor.

The scenario runs in order on one working directory: a first refresh through the ``govperf`` CLI, an
unchanged refresh while a reader holds the warehouse open, a refresh with bad, new, changed and
removed files, a refresh killed with ``kill -9`` in the middle of dbt, and the refresh after it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from dagster_project.cli.refresh import RefreshOutcome, run_refresh
from dagster_project.defs.automation import raw_dir_sensor
from dagster_project.defs.resources import GovperfResource
from dagster_project.warehouse import changes
from dagster_project.warehouse.publish import internal_path
from dagster_project.warehouse.settings import DEFAULT_SENSOR_INTERVAL, Settings
from tests.conftest import REPO_ROOT, SAMPLE_RAW_DIR

pytestmark = pytest.mark.slow

LIMIT_MB = "0.0625"  # 64 KB: the samples are smaller, one bad input is larger
SAMPLES = sorted(p.name for p in SAMPLE_RAW_DIR.iterdir())
REMOVED, CHANGED, COPIED = SAMPLES[2], SAMPLES[3], SAMPLES[1]
NEWS = "新华社北京3月5日电 十四届全国人大二次会议今天上午在人民大会堂开幕，代表们认真听取了报告。\n" * 8
READER = """
import duckdb, sys
path = sys.argv[1]
q = "SELECT count(*) FROM marts.refresh_log"
con = duckdb.connect(path, read_only=True)
print(con.execute(q).fetchall()[0][0], flush=True)
sys.stdin.readline()
print(con.execute(q).fetchall()[0][0], flush=True)
con.close()
con = duckdb.connect(path, read_only=True)
print(con.execute(q).fetchall()[0][0], flush=True)
"""


@dataclasses.dataclass
class Scenario:
    """The working directory of the scenario and what each step produced."""

    root: Path
    settings: Settings
    results: dict[str, object] = dataclasses.field(default_factory=dict)


def _query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _marts(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table in ``marts``, sorted."""
    columns: dict[str, list[str]] = {}
    for table, column in _query(
        path,
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'marts' "
        "ORDER BY table_name, ordinal_position",
    ):
        columns.setdefault(table, []).append(f'"{column}"')
    return {t: _query(path, f"SELECT {', '.join(cols)} FROM marts.{t} ORDER BY ALL") for t, cols in columns.items()}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refresh(scenario: Scenario) -> RefreshOutcome:
    outcome = run_refresh(scenario.settings)
    assert outcome.published, "\n".join(outcome.errors)
    return outcome


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("operations")
    shutil.copytree(SAMPLE_RAW_DIR, root / "raw")
    settings = Settings.resolve(raw_dir=root / "raw", warehouse=root / "wh" / "warehouse.duckdb")
    return Scenario(root, dataclasses.replace(settings, max_file_bytes=int(float(LIMIT_MB) * 1024 * 1024)))


@pytest.fixture(scope="module")
def first(scenario: Scenario) -> subprocess.CompletedProcess:
    """First refresh through the CLI; the environment points elsewhere, the flags win."""
    env = {
        **os.environ,
        "GOVPERF_RAW_DIR": str(scenario.root / "env-raw"),
        "GOVPERF_WAREHOUSE": str(scenario.root / "env" / "warehouse.duckdb"),
        "GOVPERF_MAX_FILE_MB": LIMIT_MB,
    }
    args = ["refresh", "--raw-dir", str(scenario.settings.raw_dir), "--warehouse", str(scenario.settings.warehouse)]
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli.main", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def unchanged(scenario: Scenario, first: subprocess.CompletedProcess) -> dict[str, object]:
    """A refresh of unchanged input while another process holds the warehouse open read-only."""
    assert first.returncode == 0, first.stderr
    warehouse = scenario.settings.warehouse
    before = _marts(warehouse)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        opened = reader.stdout.readline().strip()
        started = time.monotonic()
        outcome = _refresh(scenario)
        seconds = time.monotonic() - started
        out, _ = reader.communicate("\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    return {
        "outcome": outcome,
        "before": before,
        "after": _marts(warehouse),
        "reader": [opened, *out.split()],
        "seconds": seconds,
    }


def _bad_and_changed_inputs(raw: Path) -> dict[str, tuple[set[str], str]]:
    """Add, change and remove files; return what fct_report should say for each new file."""
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (raw / "news.txt").write_text(NEWS, encoding="utf-8")
    (raw / "truncated.txt").write_text((SAMPLE_RAW_DIR / COPIED).read_text(encoding="utf-8")[:300], encoding="utf-8")
    (raw / "undecodable.txt").write_bytes("绩效自评报告".encode() + b"\xff\xfe\xfa\xfb" + "预算".encode())
    (raw / "huge.txt").write_text("预算执行情况良好。\n" * 8000, encoding="utf-8")
    (raw / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    shutil.copy(SAMPLE_RAW_DIR / COPIED, raw / "副本 copy.txt")
    (raw / "子目录").mkdir()
    revised = (SAMPLE_RAW_DIR / COPIED).read_text(encoding="utf-8") + "\n（修订版）\n"
    (raw / "子目录" / "修订 版本.txt").write_text(revised, encoding="utf-8")
    with (raw / CHANGED).open("a", encoding="utf-8") as fh:
        fh.write("\n附：本报告已更正。\n")
    (raw / REMOVED).unlink()
    return {
        "empty.txt": ({"failed"}, "empty file"),
        "binary.txt": ({"failed"}, "binary file"),
        "news.txt": ({"failed"}, "not a performance report"),
        "truncated.txt": ({"failed", "partial"}, ""),
        "undecodable.txt": ({"failed"}, "undecodable bytes at offset"),
        "huge.txt": ({"failed"}, "file exceeds 64 KB limit"),
        "scan.pdf": ({"failed"}, "corrupt or unreadable PDF"),
        "副本 copy.txt": ({"failed"}, f"duplicate of {COPIED}"),
        "子目录/修订 版本.txt": ({"ok", "partial"}, ""),
    }


@pytest.fixture(scope="module")
def changed(scenario: Scenario, unchanged: dict[str, object]) -> dict[str, object]:
    """A refresh after bad, new, changed and removed files."""
    raw = scenario.settings.raw_dir
    removed_id = _query(
        scenario.settings.warehouse, f"SELECT report_id FROM marts.fct_report WHERE source_file = '{REMOVED}'"
    )[0][0]
    expected = _bad_and_changed_inputs(raw)
    return {"outcome": _refresh(scenario), "expected": expected, "removed_id": removed_id}


@pytest.fixture(scope="module")
def killed(scenario: Scenario, changed: dict[str, object]) -> dict[str, object]:
    """A refresh with one more new file, killed with SIGKILL (with its dbt child) while dbt runs."""
    warehouse = scenario.settings.warehouse
    published = _sha(warehouse)
    shutil.copy(SAMPLE_RAW_DIR / REMOVED, scenario.settings.raw_dir / "back again.txt")
    dbt_log = scenario.settings.build_dir / "dbt" / "dbt.log"
    size_before = dbt_log.stat().st_size
    env = {**os.environ, "GOVPERF_MAX_FILE_MB": LIMIT_MB}
    args = ["refresh", "--raw-dir", str(scenario.settings.raw_dir), "--warehouse", str(warehouse)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagster_project.cli.main", *args],
        cwd=REPO_ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if dbt_log.stat().st_size > size_before + 20_000:  # dbt is building models
            break
        time.sleep(0.2)
    running = proc.poll() is None
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return {"published_sha": published, "was_running": running, "returncode": proc.returncode}


@pytest.fixture(scope="module")
def recovered(scenario: Scenario, killed: dict[str, object]) -> RefreshOutcome:
    """The refresh after the killed one."""
    return _refresh(scenario)


def test_cli_flags_beat_environment_and_print_a_summary(scenario: Scenario, first: subprocess.CompletedProcess) -> None:
    assert first.returncode == 0, first.stderr
    assert scenario.settings.warehouse.exists()
    assert not (scenario.root / "env").exists()
    assert f"reports seen {len(SAMPLES)}" in first.stdout
    assert "facts: fct_budget" in first.stdout and "checks:" in first.stdout
    assert "header values rejected " in first.stdout
    quality = re.search(r"quality checks (\d+) passed, (\d+) failed; dbt tests \d+ passed", first.stdout)
    con = duckdb.connect(str(scenario.settings.warehouse), read_only=True)
    try:
        (checks,) = con.execute("SELECT count(*) FROM marts.quality_checks").fetchone()
    finally:
        con.close()
    assert quality and int(quality[1]) + int(quality[2]) == checks, first.stdout
    assert "need attention" not in first.stdout, "a clean refresh lists no report lines"
    assert "leaked" not in first.stderr, "no shutdown noise (DuckDB instances, dbt's semaphores)"
    assert "Warning" not in first.stderr, first.stderr
    for name in SAMPLES:
        assert name not in first.stdout


def test_reader_holding_the_warehouse_never_blocks_a_refresh(unchanged: dict[str, object]) -> None:
    assert unchanged["reader"] == ["1", "1", "2"], "old snapshot on the open handle, new data on reconnect"


def test_unchanged_input_parses_nothing_and_leaves_identical_marts(unchanged: dict[str, object]) -> None:
    outcome: RefreshOutcome = unchanged["outcome"]
    assert outcome.metadata["raw/raw_reports"]["files_ingested"] == 0
    assert outcome.metadata["raw/report_headers"]["reports_parsed"] == 0
    before, after = unchanged["before"], unchanged["after"]
    assert before.keys() == after.keys()
    assert len(after["refresh_log"]) == len(before["refresh_log"]) + 1, "each refresh is logged"
    for table in before.keys() - {"refresh_log"}:
        assert before[table] == after[table], f"marts.{table} changed on identical input"


def test_only_new_and_changed_files_are_parsed(changed: dict[str, object]) -> None:
    outcome: RefreshOutcome = changed["outcome"]
    assert outcome.metadata["raw/raw_reports"]["files_ingested"] == len(changed["expected"]) + 1
    assert outcome.metadata["raw/raw_reports"]["files_removed"] == 2  # the removed file, the old changed one
    assert outcome.metadata["raw/report_headers"]["reports_parsed"] == len(changed["expected"]) + 1


def test_every_bad_input_is_a_report_row_with_its_reason(scenario: Scenario, changed: dict[str, object]) -> None:
    rows = {
        name: (status, reason)
        for name, status, reason in _query(
            scenario.settings.warehouse, "SELECT source_file, parse_status, status_reason FROM marts.fct_report"
        )
    }
    for name, (statuses, reason) in changed["expected"].items():
        assert name in rows, f"{name} missing from fct_report"
        status, stated = rows[name]
        assert status in statuses, f"{name}: {status} ({stated})"
        if status != "ok":
            assert stated and stated.startswith(reason), f"{name}: {stated!r}"


def test_removed_file_facts_leave_the_marts(scenario: Scenario, changed: dict[str, object]) -> None:
    warehouse, removed_id = scenario.settings.warehouse, changed["removed_id"]
    for table in ("fct_budget", "fct_spend", "fct_scores", "fct_indicators", "mart_department_year"):
        rows = _query(warehouse, f"SELECT count(*) FROM marts.{table} WHERE report_id = '{removed_id}'")
        assert rows == [(0,)], f"removed report still in marts.{table}"
    flagged = _query(
        internal_path(warehouse), f"SELECT is_removed FROM raw.raw_reports WHERE report_id = '{removed_id}'"
    )
    assert flagged == [(True,)]


def test_removed_file_leaves_fct_report(scenario: Scenario, changed: dict[str, object]) -> None:
    rows = _query(
        scenario.settings.warehouse,
        f"SELECT count(*) FROM marts.fct_report WHERE report_id = '{changed['removed_id']}'",
    )
    assert rows == [(0,)]


def test_revised_report_is_kept_beside_the_original(scenario: Scenario, changed: dict[str, object]) -> None:
    rows = _query(
        scenario.settings.warehouse,
        "SELECT r.source_file FROM marts.fct_report r JOIN marts.fct_report o USING (department_key, fiscal_year) "
        f"WHERE o.source_file = '{COPIED}' AND r.parse_status <> 'failed' ORDER BY 1",
    )
    assert {COPIED, "子目录/修订 版本.txt"} <= {name for (name,) in rows}
    latest = _query(
        scenario.settings.warehouse,
        "SELECT count(*) FROM marts.mart_department_year m JOIN marts.fct_report r USING (department_key, fiscal_year) "
        f"WHERE r.source_file = '{COPIED}'",
    )
    assert latest == [(1,)]


def test_kill_9_mid_refresh_leaves_the_published_warehouse_intact(
    scenario: Scenario, killed: dict[str, object]
) -> None:
    assert killed["was_running"], "the refresh ended before it could be killed"
    assert killed["returncode"] == -signal.SIGKILL
    warehouse = scenario.settings.warehouse
    assert _sha(warehouse) == killed["published_sha"]
    names = {n for (n,) in _query(warehouse, "SELECT source_file FROM marts.fct_report")}
    assert "back again.txt" not in names and "news.txt" in names


def test_refresh_after_a_kill_succeeds(scenario: Scenario, recovered: RefreshOutcome) -> None:
    names = {n for (n,) in _query(scenario.settings.warehouse, "SELECT source_file FROM marts.fct_report")}
    assert "back again.txt" in names
    leftovers = [p.name for p in scenario.settings.warehouse.parent.iterdir() if ".tmp-" in p.name]
    assert leftovers == []


def test_status_lists_failed_reports(scenario: Scenario, recovered: RefreshOutcome) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli.main", "status", "--warehouse", str(scenario.settings.warehouse)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "news.txt" in done.stdout and "file exceeds 64 KB limit" in done.stdout
    assert recovered.run_id[:8] in done.stdout


def _resource(tmp_path: Path, raw: Path) -> GovperfResource:
    settings = Settings.resolve(raw_dir=raw, warehouse=tmp_path / "w.duckdb", env={})
    return GovperfResource.from_settings(settings)


def _mark_published(resource: GovperfResource) -> None:
    """Pretend a refresh published the current state: both published files and the cursor in place."""
    settings = resource.settings
    for path in (settings.warehouse, internal_path(settings.warehouse)):
        duckdb.connect(str(path)).close()
    changes.write_pending_cursor(settings, changes.current_cursor(settings))
    changes.commit_pending_cursor(settings)


def test_sensor_requests_a_refresh_when_the_raw_dir_changes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("报告", encoding="utf-8")
    resource = _resource(tmp_path, raw)
    with DagsterInstance.ephemeral() as instance:

        def tick(cursor: str | None):
            context = build_sensor_context(cursor=cursor, instance=instance, resources={"govperf": resource})
            return raw_dir_sensor(DEFAULT_SENSOR_INTERVAL)(context)

        first = tick(None)
        assert isinstance(first.run_requests[0], RunRequest), "never published: a refresh is due"
        assert isinstance(tick(first.cursor), SkipReason), "the same state is requested once"
        _mark_published(resource)
        assert isinstance(tick(first.cursor), SkipReason)
        (raw / "新 文件.txt").write_text("新报告", encoding="utf-8")
        added = tick(first.cursor)
        assert added.run_requests and added.cursor != first.cursor
        (raw / "a.txt").unlink()
        removed = tick(added.cursor)
        assert removed.run_requests and removed.cursor not in (first.cursor, added.cursor)
        os.symlink(tmp_path / "nowhere", raw / "broken link")
        assert tick(removed.cursor).run_requests, "a broken symlink is a change, not an error"


def test_sensor_in_its_own_process_triggers_on_a_new_file(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("报告", encoding="utf-8")
    _mark_published(_resource(tmp_path, raw))
    env = {
        **os.environ,
        "GOVPERF_RAW_DIR": str(raw),
        "GOVPERF_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "home"),
    }
    env.pop("GOVPERF_BUILD_DB", None)
    (tmp_path / "home").mkdir()

    def preview() -> str:
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "dagster"),
                "sensor",
                "preview",
                "raw_dir_sensor",
                "-m",
                "dagster_project.defs.definitions",
            ],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "skipping: raw dir and code unchanged" in preview()
    (raw / "新 报告.txt").write_text("新报告", encoding="utf-8")
    assert "returning run requests for 1 run" in preview()
