"""The real pipeline on the sample reports: contract tables, Dagster definitions and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from dagster_project.cli.refresh import RefreshOutcome
from dagster_project.warehouse.publish import internal_path
from tests.conftest import REPO_ROOT, SAMPLE_RAW_DIR

CONTRACT_COLUMNS: dict[str, set[str]] = {
    "dim_level": {"admin_level", "level_name_zh", "level_rank"},
    "dim_year": {"fiscal_year"},
    "dim_department": {
        "department_key",
        "department_name",
        "department_type",
        "admin_level",
        "province",
        "city",
        "county",
    },
    "fct_report": {
        "report_id",
        "source_file",
        "content_sha256",
        "department_key",
        "fiscal_year",
        "title",
        "report_type",
        "parse_status",
        "status_reason",
        "header_source",
    },
    "fct_budget": {
        "report_id",
        "department_key",
        "fiscal_year",
        "item",
        "fund_scope",
        "amount_wan_yuan",
        "source_text",
        "source_start",
        "source_end",
    },
    "fct_spend": {
        "report_id",
        "department_key",
        "fiscal_year",
        "item",
        "fund_scope",
        "amount_wan_yuan",
        "source_text",
        "source_start",
        "source_end",
    },
    "fct_scores": {
        "report_id",
        "department_key",
        "fiscal_year",
        "score_item",
        "score",
        "rating",
        "is_derived",
        "source_text",
        "source_start",
        "source_end",
    },
    "fct_indicators": {
        "report_id",
        "department_key",
        "fiscal_year",
        "indicator_name",
        "target_value",
        "actual_value",
        "unit",
        "target_text",
        "actual_text",
        "source_text",
        "source_start",
        "source_end",
    },
    "mart_department_year": {
        "department_key",
        "department_name",
        "department_type",
        "admin_level",
        "province",
        "city",
        "county",
        "fiscal_year",
        "report_id",
        "source_file",
        "budget_total_wan_yuan",
        "spend_total_wan_yuan",
        "basic_spend_wan_yuan",
        "project_spend_wan_yuan",
        "revenue_total_wan_yuan",
        "execution_rate_pct",
        "score_total",
        "score_performance_effectiveness",
        "score_management_efficiency",
        "rating",
        "staff_authorized",
        "staff_in_service",
        "staff_retired",
        "indicator_count",
        "quality_status",
    },
}


def _query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_contract_table_and_column_is_in_marts(sample_warehouse: Path) -> None:
    rows = _query(
        sample_warehouse,
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'marts'",
    )
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    for table, wanted in CONTRACT_COLUMNS.items():
        assert table in columns, f"marts.{table} missing"
        assert wanted <= columns[table], f"marts.{table} lacks {sorted(wanted - columns[table])}"


def test_one_fct_report_row_per_sample_file(sample_warehouse: Path) -> None:
    rows = _query(sample_warehouse, "SELECT source_file, parse_status FROM marts.fct_report ORDER BY 1")
    assert [name for name, _ in rows] == sorted(p.name for p in SAMPLE_RAW_DIR.iterdir())
    assert {status for _, status in rows} <= {"ok", "partial", "failed"}


def test_money_is_decimal_in_wan_yuan(sample_warehouse: Path) -> None:
    types = dict(
        _query(
            sample_warehouse,
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND column_name LIKE '%wan_yuan'",
        )
    )
    assert types and set(types.values()) == {"DECIMAL(20,6)"}


def test_refresh_is_recorded_and_checks_ran(sample_refresh: RefreshOutcome) -> None:
    internal = internal_path(sample_refresh.settings.warehouse)
    assert _query(internal, "SELECT run_id FROM ops.refresh_log") == [(sample_refresh.run_id,)]
    names = {(c.asset, c.name) for c in sample_refresh.checks}
    assert ("marts/fct_spend", "great_expectations") in names
    assert ("marts/fct_scores", "great_expectations") in names
    assert len(names) > 20, "dbt tests are reported as asset checks too"
    assert (sample_refresh.settings.quality_dir / "index.html").exists()


def test_every_materialised_asset_reports_its_row_count(sample_refresh: RefreshOutcome) -> None:
    missing = [key for key, meta in sample_refresh.metadata.items() if "dagster/row_count" not in meta]
    assert missing == []
    assert sample_refresh.metadata["marts/fct_report"]["dagster/row_count"] == len(list(SAMPLE_RAW_DIR.iterdir()))
    assert sample_refresh.metadata["raw/raw_reports"]["dagster/row_count"] == len(list(SAMPLE_RAW_DIR.iterdir()))


def test_definitions_load_with_dbt_assets_and_checks() -> None:
    from dagster_project.defs.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    groups = {key.to_user_string(): graph.get(key).group_name for key in keys}
    assert groups["raw/raw_reports"] == "ingest"
    assert groups["raw/money_facts"] == "staging" and groups["quality/great_expectations"] == "quality"
    assert groups["published_warehouse"] == "publish"
    for model in ("fct_report", "fct_budget", "fct_spend", "fct_scores", "fct_indicators", "mart_department_year"):
        assert AssetKey(["marts", model]) in keys
    check_names = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("marts/fct_spend", "great_expectations") in check_names
    assert any(name.startswith("valid_columns_") for _, name in check_names)
    job = defs.resolve_job_def("refresh")
    assert AssetKey("published_warehouse") in job.asset_layer.asset_graph.get_all_asset_keys()
    assert [s.name for s in defs.schedules] == ["daily_refresh"]
    assert [s.name for s in defs.sensors] == ["raw_dir_sensor"]


def _govperf(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli.main", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_status_reads_the_published_warehouse(sample_warehouse: Path) -> None:
    done = _govperf("status", "--warehouse", str(sample_warehouse))
    assert done.returncode == 0, done.stderr
    assert "last refresh" in done.stdout and "reports by status" in done.stdout
    assert "failing dbt tests:" in done.stdout
    tests = _query(internal_path(sample_warehouse), "SELECT count(*) FROM ops.dbt_tests")
    assert tests[0][0] > 20, "every dbt test of the one build is recorded"


def test_published_warehouse_lists_only_the_marts(sample_warehouse: Path) -> None:
    schemas = _query(sample_warehouse, "SELECT DISTINCT schema_name FROM duckdb_tables() ORDER BY 1")
    assert schemas == [("marts",)]
    internal = _query(internal_path(sample_warehouse), "SELECT DISTINCT schema_name FROM duckdb_tables() ORDER BY 1")
    assert {"raw", "ops", "marts", "intermediate"} <= {s for (s,) in internal}


def test_marts_carry_table_and_column_comments(sample_warehouse: Path) -> None:
    undocumented = _query(
        sample_warehouse,
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' AND coalesce(comment, '') = ''",
    )
    assert undocumented == []
    commented = _query(
        sample_warehouse,
        "SELECT count(*) FILTER (WHERE coalesce(comment, '') <> ''), count(*) FROM duckdb_columns() "
        "WHERE table_name = 'mart_department_year'",
    )[0]
    assert commented[0] == commented[1], "every column of the dashboard's starting table is described"


def test_status_without_a_warehouse_fails(tmp_path: Path) -> None:
    done = _govperf("status", env={"GOVPERF_WAREHOUSE": str(tmp_path / "none.duckdb")})
    assert done.returncode == 1 and "no warehouse" in done.stdout


def test_refresh_of_a_missing_raw_dir_publishes_nothing(tmp_path: Path) -> None:
    done = _govperf(
        "refresh",
        env={"GOVPERF_RAW_DIR": str(tmp_path / "missing"), "GOVPERF_WAREHOUSE": str(tmp_path / "w.duckdb")},
    )
    assert done.returncode == 2 and "does not exist" in done.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_refresh_that_cannot_write_publishes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a file").write_text("not a directory")
    done = _govperf("refresh", "--raw-dir", str(SAMPLE_RAW_DIR), "--warehouse", str(tmp_path / "a file" / "w.duckdb"))
    assert done.returncode == 2 and "is not a writable directory" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "a file"]


@pytest.mark.parametrize("command", [["refresh", "--bogus"], []])
def test_bad_usage_exits_non_zero(command: list[str]) -> None:
    assert _govperf(*command).returncode == 2


def test_a_parser_crash_fails_only_that_report(monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster import build_asset_context

    import dagster_project.defs.assets as assets
    from ingest.parse import ReportInput, parse_reports
    from ingest.runtime.pool import Limits

    def fragile(inputs: list[ReportInput], limits: Limits | None) -> dict:
        inputs = list(inputs)
        if any(item.text and "崩溃" in item.text for item in inputs):
            raise ValueError("boom")
        return parse_reports(inputs, limits=limits)

    monkeypatch.setattr(assets, "parse_reports", fragile)
    inputs = [
        ReportInput("a" * 16, "good.txt", "2023年度某局部门整体支出绩效自评报告"),
        ReportInput("b" * 16, "bad.txt", "2023年度某局部门整体支出绩效自评报告 崩溃"),
    ]
    frames = assets._parse(inputs, Limits(), build_asset_context())
    headers = {row["report_id"]: row for row in frames["report_headers"].to_dicts()}
    assert set(headers) == {"a" * 16, "b" * 16}
    assert headers["b" * 16]["parse_status"] == "failed"
    assert headers["b" * 16]["status_reason"] == "parser error: boom"


def _staging_rows(build_db: Path) -> dict[str, list[tuple]]:
    from ingest import schema

    con = duckdb.connect(str(build_db), read_only=True)
    try:
        return {table: sorted(con.execute(f"SELECT * FROM raw.{table}").fetchall(), key=str)
                for table in schema.STAGING_TABLES}
    finally:
        con.close()


@pytest.mark.slow
def test_staging_in_many_batches_writes_what_one_batch_writes(
    sample_refresh: RefreshOutcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are written by a second thread while the next is parsed: same rows as one batch."""
    import dagster_project.defs.assets as assets
    from dagster_project.cli.refresh import run_refresh
    from dagster_project.warehouse.settings import Settings

    monkeypatch.setattr(assets, "BATCH_SIZE", 2)
    outcome = run_refresh(Settings.resolve(raw_dir=SAMPLE_RAW_DIR, warehouse=tmp_path / "warehouse.duckdb"))
    assert outcome.published, outcome.errors
    many, one = _staging_rows(outcome.settings.build_db), _staging_rows(sample_refresh.settings.build_db)
    assert many == one and many["money_facts"]


@pytest.mark.slow
def test_a_failed_batch_write_publishes_nothing_and_keeps_the_batches_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster_project.defs.assets as assets
    from dagster_project.cli.refresh import run_refresh
    from dagster_project.warehouse.build_db import replace_staging
    from dagster_project.warehouse.settings import Settings

    calls: list[list[str]] = []

    def second_fails(con: duckdb.DuckDBPyConnection, frames: dict, report_ids: list[str]) -> dict[str, int]:
        calls.append(report_ids)
        if len(calls) == 2:
            raise OSError("disk full")
        return replace_staging(con, frames, report_ids)

    monkeypatch.setattr(assets, "BATCH_SIZE", 2)
    monkeypatch.setattr(assets, "replace_staging", second_fails)
    settings = Settings.resolve(raw_dir=SAMPLE_RAW_DIR, warehouse=tmp_path / "warehouse.duckdb")
    outcome = run_refresh(settings)
    assert not outcome.published and not settings.warehouse.exists()
    assert any("disk full" in error for error in outcome.errors), outcome.errors
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        parsed = {rid for (rid,) in con.execute(
            "SELECT report_id FROM raw.raw_reports WHERE parsed_fingerprint = input_fingerprint").fetchall()}
    finally:
        con.close()
    assert parsed == set(calls[0])
