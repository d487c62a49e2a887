"""The Great Expectations suite: each invariant fails naming the report that breaks it, clean reports pass."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
from pathlib import Path

import duckdb
import pytest
from dagster import build_asset_context, build_init_resource_context

from dagster_project.defs.resources import GreatExpectationsResource
from dagster_project.quality import suite
from dagster_project.quality.spec import load_checks
from dagster_project.quality.worker import QualityWorker
from dagster_project.warehouse import dbt_runner as project
from tests.test_dbt_project import header, indicator, measure, money, raw_report, run_dbt, score, write_raw_tables

NEXT_YEAR = dt.date.today().year + 1

# One clean report stating every figure consistently, and one report per invariant breaking just it.
REPORTS: dict[str, dict] = {
    "clean": {"year": 2023},
    "over_budget": {"year": 2023},
    "parts_off": {"year": 2023},
    "parts_rounded": {"year": 2023},
    "parts_off_by_rounding": {"year": 2023},
    "revenue_off": {"year": 2023},
    "carryover_off": {"year": 2023},
    "rate_off": {"year": 2023},
    "score_over": {"year": 2023},
    "parts_not_total": {"year": 2023},
    "year_1999": {"year": 1999},
    "year_future": {"year": NEXT_YEAR},
    "no_header": {"name": None, "year": None},
    "partial_explained": {"name": None, "year": None, "parse_status": "partial", "status_reason": "no title"},
    "negative_indicator": {"year": 2023},
    "pct_over": {"year": 2023},
    "rating_only": {"year": 2023},
}

MONEY = [
    # clean: every identity holds exactly or within printed precision.
    money("clean", "budget", "total", "1000"),
    money("clean", "spend", "total", "900.5"),
    money("clean", "spend", "basic", "600.2"),
    money("clean", "spend", "project", "300.3"),
    money("clean", "budget", "revenue_total", "950"),
    money("clean", "budget", "fiscal_appropriation_revenue", "900"),
    money("clean", "budget", "other_revenue", "50"),
    money("clean", "budget", "carryover_begin", "100.01"),
    money("clean", "budget", "carryover_end", "149.5"),
    money("over_budget", "budget", "total", "100"),
    money("over_budget", "spend", "total", "120"),
    money("parts_off", "spend", "total", "100"),
    money("parts_off", "spend", "basic", "60"),
    money("parts_off", "spend", "project", "30"),
    # 0.33 + 0.33 = 0.66 vs 0.67: off by 0.01 <= 3 x 0.005, a rounding difference.
    money("parts_rounded", "spend", "total", "0.67"),
    money("parts_rounded", "spend", "basic", "0.33"),
    money("parts_rounded", "spend", "project", "0.33"),
    # 0.33 + 0.33 = 0.66 vs 0.68: off by 0.02 > 0.015, more than rounding explains.
    money("parts_off_by_rounding", "spend", "total", "0.68"),
    money("parts_off_by_rounding", "spend", "basic", "0.33"),
    money("parts_off_by_rounding", "spend", "project", "0.33"),
    money("revenue_off", "budget", "revenue_total", "80", scope="general_public_budget"),
    money("revenue_off", "budget", "fiscal_appropriation_revenue", "50", scope="general_public_budget"),
    money("revenue_off", "budget", "other_revenue", "20", scope="general_public_budget"),
    money("carryover_off", "budget", "carryover_begin", "10"),
    money("carryover_off", "budget", "revenue_total", "100"),
    money("carryover_off", "spend", "total", "90"),
    money("carryover_off", "budget", "carryover_end", "30"),
    money("rate_off", "budget", "total", "200"),
    money("rate_off", "spend", "total", "150"),
]

MEASURES = [
    measure("clean", "execution_rate_pct", "90.05"),
    measure("rate_off", "execution_rate_pct", "90"),
]

SCORES = [
    score("clean", "total", "95.5"),
    score("clean", "performance_effectiveness", "50", max_score=50),
    score("clean", "management_efficiency", "45.5", max_score=50),
    score("score_over", "total", "105"),
    score("parts_not_total", "total", "90"),
    score("parts_not_total", "performance_effectiveness", "50"),
    score("parts_not_total", "management_efficiency", "45"),
    # Only a rating (优秀) and one part are stated: the NULL scores are not what any check is about.
    {"report_id": "rating_only", "score_item": "total", "score": None, "rating": "优", "is_derived": False},
    {"report_id": "rating_only", "score_item": "performance_effectiveness", "score": None, "is_derived": False},
    score("rating_only", "management_efficiency", "45"),
]

INDICATORS = [
    indicator("clean", "收文处理率", "100", target="95"),
    indicator("clean", "办文数量", "1200", target="1000", unit="份"),
    indicator("clean", "信息采用数增长率", "150"),
    indicator("negative_indicator", "会议保障次数", "-3", unit="次"),
    indicator("pct_over", "信息报采用率", "120", target="45"),
]


def _fixture_rows() -> dict[str, list[dict]]:
    raw_reports, headers = [], []
    for number, (report_id, spec) in enumerate(REPORTS.items()):
        raw_reports.append(raw_report(report_id, f"{number:03d}_{report_id}.txt"))
        name = spec.get("name", f"测试{number:03d}区人民政府办公室")
        extra = {key: value for key, value in spec.items() if key in ("parse_status", "status_reason")}
        headers.append(header(report_id, name, spec["year"], admin_level="county", county="测试区", **extra))
    return {
        "raw_reports": raw_reports,
        "report_headers": headers,
        "money_facts": MONEY,
        "measure_facts": MEASURES,
        "score_facts": SCORES,
        "indicator_facts": INDICATORS,
    }


@pytest.fixture(scope="module")
def build_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build database after the dbt build on the fixture."""
    db_path = tmp_path_factory.mktemp("quality") / "build.duckdb"
    write_raw_tables(db_path, _fixture_rows())
    run_dbt(db_path, "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
    return db_path


@pytest.fixture(scope="module")
def outcomes(build_db: Path) -> dict[str, suite.CheckOutcome]:
    """The suite's outcomes by check name."""
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        results = suite.run_quality_suite(con)
    finally:
        con.close()
    return {outcome.check_name: outcome for outcome in results}


EXPECTED_FAILURES = {
    "spend_within_budget": ("warn", {"over_budget"}),
    "spend_parts_sum_to_total": ("error", {"parts_off", "parts_off_by_rounding"}),
    "revenue_parts_sum_to_total": ("error", {"revenue_off"}),
    "carryover_identity": ("error", {"carryover_off"}),
    "execution_rate_matches_spend": ("warn", {"rate_off"}),
    "score_in_range": ("error", {"score_over"}),
    "score_parts_sum_to_total": ("error", {"parts_not_total"}),
    "fiscal_year_in_range": ("error", {"year_1999", "year_future"}),
    "report_has_department_and_year": ("error", {"no_header"}),
    "indicator_values_non_negative": ("error", {"negative_indicator"}),
    "indicator_percentages_in_range": ("warn", {"pct_over"}),
}


def test_every_invariant_has_a_check(outcomes: dict[str, suite.CheckOutcome]) -> None:
    assert set(outcomes) == set(EXPECTED_FAILURES)


def test_every_check_is_a_dbt_model_guarding_a_mart() -> None:
    """The invariants live in dbt's lineage (models/quality) and guard marts; Python holds no query of its own."""
    manifest = json.loads(project.ensure_dbt_manifest().read_text(encoding="utf-8"))
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    checks = load_checks()
    assert {check.name for check in checks} == set(EXPECTED_FAILURES)
    for check in checks:
        node = models[f"qc_{check.name}"]
        assert check.relation == f"quality.qc_{check.name}" and node["config"]["materialized"] == "view"
        assert models[check.target_model]["fqn"][1] == "marts", check.target_model
        assert check.description and node["depends_on"]["nodes"], check.name
    source = "\n".join(path.read_text(encoding="utf-8") for path in Path(suite.__file__).parent.glob("*.py"))
    assert re.search(r"(?i)\b(?:from|join)\s+(?:intermediate|marts|staging)\.", source) is None


@pytest.mark.parametrize("check_name", sorted(EXPECTED_FAILURES))
def test_check_fails_naming_only_the_breaking_reports(
    outcomes: dict[str, suite.CheckOutcome], check_name: str
) -> None:
    outcome = outcomes[check_name]
    severity, breaking = EXPECTED_FAILURES[check_name]
    assert not outcome.passed
    assert outcome.severity == severity
    assert outcome.failing_report_ids == sorted(breaking)
    assert outcome.unexpected_count == len(outcome.failing_rows) == len(breaking)
    assert outcome.element_count > outcome.unexpected_count
    assert all(row.observed and row.expected for row in outcome.failing_rows)


def test_a_null_a_check_is_not_about_never_fails_it(outcomes: dict[str, suite.CheckOutcome]) -> None:
    failing = {name: o.failing_report_ids for name, o in outcomes.items() if "rating_only" in o.failing_report_ids}
    assert failing == {}
    assert all("nan" not in row.observed for o in outcomes.values() for row in o.failing_rows)


def test_failing_rows_show_the_figures(outcomes: dict[str, suite.CheckOutcome]) -> None:
    (row,) = outcomes["spend_within_budget"].failing_rows
    assert "120" in row.observed and "100" in row.observed
    (row,) = outcomes["carryover_identity"].failing_rows
    assert "begin 10 + revenue 100 - spend 90 = 20 vs end 30" in row.observed


def test_clean_report_passes_every_check(build_db: Path, tmp_path: Path) -> None:
    """Keep only the clean report in a copy of the staged tables: every check looks at it and passes."""
    db_path = tmp_path / "clean.duckdb"
    shutil.copy(build_db, db_path)
    con = duckdb.connect(str(db_path))
    try:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.columns "
            "WHERE column_name = 'report_id' AND table_schema IN ('intermediate', 'marts') "
            "AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')"
        ).fetchall()
        for (table,) in tables:
            con.execute(f"DELETE FROM {table} WHERE report_id <> 'clean'")
        results = suite.run_quality_suite(con)
    finally:
        con.close()
    assert [(o.check_name, o.failing_report_ids) for o in results if not o.passed] == []
    assert {o.check_name for o in results if o.element_count > 0} == set(EXPECTED_FAILURES)


def test_results_table_and_data_docs(build_db: Path, outcomes: dict[str, suite.CheckOutcome], tmp_path: Path) -> None:
    con = duckdb.connect(str(build_db))
    try:
        suite.write_quality_results(con, list(outcomes.values()))
        suite.write_quality_results(con, list(outcomes.values()))
        summary = con.execute(
            "SELECT check_name, passed, unexpected_count FROM raw.quality_results WHERE row_kind = 'summary'"
        ).fetchall()
        failures = con.execute(
            "SELECT check_name, report_id, severity FROM raw.quality_results WHERE row_kind = 'failure'"
        ).fetchall()
    finally:
        con.close()
    assert len(summary) == len(EXPECTED_FAILURES)
    assert ("carryover_identity", "carryover_off", "error") in failures
    assert len(failures) == sum(len(ids) for _, ids in EXPECTED_FAILURES.values())

    entry = suite.write_data_docs(list(outcomes.values()), tmp_path / "quality")
    site = tmp_path / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert entry.is_file() and "local_site/index.html" in entry.read_text(encoding="utf-8")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in EXPECTED_FAILURES)
    pages = list((site / "validations" / "carryover_identity").rglob("*.html"))
    assert len(pages) == 1 and "carryover_off" in pages[0].read_text(encoding="utf-8")


def _stored_results(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute(
            "SELECT check_name, row_kind, report_id, passed, observed, expected FROM raw.quality_results"
        ).fetchall(), key=str)
    finally:
        con.close()


@pytest.mark.slow
def test_the_worker_runs_the_quality_step_as_the_refresh_process_would(build_db: Path, tmp_path: Path) -> None:
    here, there = tmp_path / "here.duckdb", tmp_path / "there.duckdb"
    shutil.copy(build_db, here)
    shutil.copy(build_db, there)
    expected = suite.validate_build(str(here), str(tmp_path / "docs_here"))
    worker = QualityWorker.start()
    try:
        got = worker.validate(str(there), str(tmp_path / "docs_there"))
    finally:
        worker.stop()
    assert not worker.running
    assert (got.checks, got.failing) == (expected.checks, expected.failing)
    assert got.checks == len(EXPECTED_FAILURES) and got.failing > 0
    assert _stored_results(there) == _stored_results(here) != []
    assert Path(got.docs).is_file() and Path(got.docs).is_relative_to(tmp_path / "docs_there")


@pytest.mark.slow
def test_a_quality_step_failing_in_the_worker_fails_with_its_error(tmp_path: Path) -> None:
    worker = QualityWorker.start()
    try:
        with pytest.raises(RuntimeError, match=r"failed in its worker: CatalogException: .*does not exist"):
            worker.validate(str(tmp_path / "empty.duckdb"), str(tmp_path / "docs"))
    finally:
        worker.stop()
    assert not worker.running


def test_an_unused_worker_ends_with_the_run() -> None:
    worker = QualityWorker.start()
    worker.stop()
    assert not worker.running


def test_without_a_worker_the_step_runs_in_the_refresh_process(build_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    shutil.copy(build_db, db)
    with GreatExpectationsResource(use_worker=False).yield_for_execution(build_init_resource_context()) as resource:
        resource.prepare()
        assert resource.worker is None
        summary = resource.validate(build_asset_context(), db, tmp_path / "docs")
    assert summary.checks == len(EXPECTED_FAILURES)
    assert _stored_results(db) != []


def test_when_the_worker_is_gone_the_step_runs_in_the_refresh_process(build_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    shutil.copy(build_db, db)
    with GreatExpectationsResource().yield_for_execution(build_init_resource_context()) as resource:
        assert resource.worker is None, "no worker before the dbt step prepares one"
        resource.prepare()
        worker = resource.worker
        assert worker is not None and worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        summary = resource.validate(build_asset_context(), db, tmp_path / "docs")
    assert summary.checks == len(EXPECTED_FAILURES)
    assert _stored_results(db) != []
