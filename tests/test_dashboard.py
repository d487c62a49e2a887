"""Dashboard query helpers, rendering and labels, against a tiny warehouse made here (fast)."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dashboard import i18n, queries, render

APP = Path(queries.__file__).with_name("app.py")

TINY_WAREHOUSE = """
CREATE SCHEMA marts;

CREATE TABLE marts.refresh_log (run_id VARCHAR, refreshed_at TIMESTAMP, raw_dir VARCHAR,
    reports_present BIGINT, reports_removed BIGINT);
CREATE TABLE marts.dim_department (department_key VARCHAR, department_name VARCHAR, admin_level VARCHAR,
    admin_level_zh VARCHAR, province VARCHAR, department_type VARCHAR);
INSERT INTO marts.dim_department VALUES
    ('d1', '甲市人民政府办公室', 'prefecture', '市级', '广东省', 'government_office'),
    ('d2', '乙县人民政府办公室', 'county', '县级', '甲省', 'government_office');
CREATE TABLE marts.fct_report (report_id VARCHAR, source_file VARCHAR, department_key VARCHAR,
    fiscal_year INTEGER, title VARCHAR, report_type VARCHAR, parse_status VARCHAR, status_reason VARCHAR);
INSERT INTO marts.fct_report VALUES
    ('r1', 'a.txt', 'd1', 2022, 't1', 'department_overall', 'ok', NULL),
    ('r2', 'b.txt', 'd1', 2023, 't2', 'department_overall', 'ok', NULL),
    ('r3', 'c.txt', 'd2', 2023, 't3', 'department_overall', 'partial', 'no budget figure'),
    ('r4', 'd.txt', 'd2', 2024, 't4', 'department_overall', 'ok', NULL),
    ('r5', 'e.txt', 'd2', 2025, 't5', 'department_overall', 'ok', NULL),
    ('r6', 'bad.pdf', NULL, NULL, NULL, 'other', 'failed', 'unsupported file type .pdf');
CREATE TABLE marts.mart_department_year (department_key VARCHAR, department_name VARCHAR,
    department_type VARCHAR, admin_level VARCHAR, admin_level_zh VARCHAR, province VARCHAR, city VARCHAR,
    county VARCHAR, fiscal_year INTEGER, report_id VARCHAR, source_file VARCHAR,
    budget_total_wan_yuan DECIMAL(20,6), spend_total_wan_yuan DECIMAL(20,6), execution_rate_pct DECIMAL(9,4),
    execution_rate_source VARCHAR, score_total DECIMAL(6,2), rating VARCHAR, indicator_count BIGINT,
    quality_status VARCHAR);
INSERT INTO marts.mart_department_year VALUES
    ('d1', '甲市人民政府办公室', 'government_office', 'prefecture', '市级', '广东省', '甲市', NULL, 2022, 'r1',
        'a.txt', 100.10, 90.05, 89.96, 'computed', 92.00, '优', 2, 'pass'),
    ('d1', '甲市人民政府办公室', 'government_office', 'prefecture', '市级', '广东省', '甲市', NULL, 2023, 'r2',
        'b.txt', 200.000001, 210.000002, 105.00, 'stated_execution_rate', 93.00, '优', 0, 'warn'),
    ('d2', '乙县人民政府办公室', 'government_office', 'county', '县级', '甲省', '甲市', '乙县', 2023, 'r3',
        'c.txt', NULL, 50.00, NULL, NULL, 91.00, NULL, 0, 'pass'),
    ('d2', '乙县人民政府办公室', 'government_office', 'county', '县级', '甲省', '甲市', '乙县', 2024, 'r4',
        'd.txt', 80.00, 79.00, 98.75, 'computed', 94.00, '优', 0, 'pass'),
    ('d2', '乙县人民政府办公室', 'government_office', 'county', '县级', '甲省', '甲市', '乙县', 2025, 'r5',
        'e.txt', 70.00, 70.00, 100.00, 'computed', 40.00, '差', 0, 'pass');
CREATE TABLE marts.fct_budget (fact_id VARCHAR, report_id VARCHAR, department_key VARCHAR, fiscal_year INTEGER,
    item VARCHAR, fund_scope VARCHAR, amount_wan_yuan DECIMAL(20,6), amount_text VARCHAR, source_text VARCHAR,
    source_start BIGINT, source_end BIGINT, source_page VARCHAR, source_locator VARCHAR);
INSERT INTO marts.fct_budget VALUES
    ('b1', 'r1', 'd1', 2022, 'total', 'all_funds', 100.10, '100.1万元', '年度预算100.1万元。', 10, 22, '3',
        'bbox(1,2,3,4)'),
    ('b2', 'r2', 'd1', 2023, 'total', 'all_funds', 200.000001, '2,000,000.01元', '预算2,000,000.01元。', 5, 20,
        NULL, NULL);
CREATE TABLE marts.fct_scores (fact_id VARCHAR, report_id VARCHAR, department_key VARCHAR, fiscal_year INTEGER,
    score_item VARCHAR, score DECIMAL(6,2), source_text VARCHAR, source_start BIGINT, source_end BIGINT);
INSERT INTO marts.fct_scores VALUES ('s1', 'r1', 'd1', 2022, 'total', 92.00, '自评得分92分。', 30, 38);
CREATE TABLE marts.fct_indicators (fact_id VARCHAR, report_id VARCHAR, department_key VARCHAR,
    fiscal_year INTEGER, indicator_name VARCHAR, target_text VARCHAR, actual_text VARCHAR,
    actual_value DECIMAL(20,6), source_text VARCHAR, source_start BIGINT, source_end BIGINT);
INSERT INTO marts.fct_indicators VALUES
    ('i1', 'r1', 'd1', 2022, '收文处理率', '100%', '98%', 98, '收文处理率98%。', 40, 48);
CREATE TABLE marts.quality_issues (issue_id VARCHAR, report_id VARCHAR, department_key VARCHAR,
    fiscal_year INTEGER, check_name VARCHAR, target_model VARCHAR, severity VARCHAR, observed VARCHAR,
    expected VARCHAR, description VARCHAR);
INSERT INTO marts.quality_issues VALUES ('q1', 'r2', 'd1', 2023, 'spend_within_budget', 'mart_department_year',
    'warn', 'spend 210.000002 > budget 200.000001', 'spend <= budget', 'spend exceeds budget');
CREATE TABLE marts.quality_checks (check_name VARCHAR, target_model VARCHAR, severity VARCHAR, passed BOOLEAN,
    description VARCHAR, element_count BIGINT, unexpected_count BIGINT);
INSERT INTO marts.quality_checks VALUES ('spend_within_budget', 'mart_department_year', 'warn', false, 'x', 5, 1);
"""


def make_warehouse(path: Path, raw_dir: Path, extra_sql: str = "") -> Path:
    con = duckdb.connect(str(path))
    con.execute(TINY_WAREHOUSE + extra_sql)
    con.execute(
        "INSERT INTO marts.refresh_log VALUES ('run', TIMESTAMP '2026-01-02 03:04:05', ?, 6, 0)", [str(raw_dir)]
    )
    con.close()
    return path


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("原文", encoding="utf-8")
    return raw


@pytest.fixture
def warehouse(tmp_path: Path, raw_dir: Path) -> Path:
    return make_warehouse(tmp_path / "wh.duckdb", raw_dir)


@pytest.fixture
def con(warehouse: Path):
    with queries.open_warehouse(warehouse) as connection:
        yield connection


def records(panel: queries.Panel) -> list[dict]:
    assert panel.note is None, panel.note
    return [{k: None if render.is_missing(v) else v for k, v in row.items()} for row in panel.frame.to_dict("records")]


def test_open_warehouse_is_read_only_and_releases_the_file(warehouse: Path) -> None:
    with queries.open_warehouse(warehouse) as con, pytest.raises(duckdb.Error):
        con.execute("CREATE TABLE marts.x (a INTEGER)")
    writer = duckdb.connect(str(warehouse))  # fails if a reader still held the file
    writer.close()


def test_a_new_publish_shows_on_the_next_open(tmp_path: Path, raw_dir: Path, warehouse: Path) -> None:
    with queries.open_warehouse(warehouse) as con:
        assert len(records(queries.departments(con))) == 2
    newer = make_warehouse(
        tmp_path / "new.duckdb", raw_dir, "DELETE FROM marts.mart_department_year WHERE department_key = 'd2';"
    )
    os.replace(newer, warehouse)
    with queries.open_warehouse(warehouse) as con:
        assert [r["department_key"] for r in records(queries.departments(con))] == ["d1"]


def test_reports_by_status_counts_every_report(con) -> None:
    assert {r["parse_status"]: r["reports"] for r in records(queries.reports_by_status(con))} == {
        "failed": 1,
        "ok": 4,
        "partial": 1,
    }


def test_reports_by_level_uses_the_chinese_label_column_when_present(con) -> None:
    zh = records(queries.reports_by(con, "admin_level", "zh"))
    en = records(queries.reports_by(con, "admin_level", "en"))
    assert {(r["category"], r["parse_status"]): r["reports"] for r in zh} == {
        ("市级", "ok"): 2,
        ("县级", "ok"): 2,
        ("县级", "partial"): 1,
        (None, "failed"): 1,
    }
    assert {r["category"] for r in en} == {"prefecture", "county", None}


def test_reports_by_year_keeps_reports_without_a_year(con) -> None:
    rows = records(queries.reports_by(con, "fiscal_year"))
    assert sum(r["reports"] for r in rows) == 6
    assert (None, "failed", 1) in [(r["category"], r["parse_status"], r["reports"]) for r in rows]


def test_reports_by_rejects_an_unknown_dimension(con) -> None:
    with pytest.raises(ValueError, match="unknown dimension"):
        queries.reports_by(con, "department_name; DROP TABLE x")


def test_outliers_are_outside_tukeys_fences(con) -> None:
    assert [(r["department_name"], r["fiscal_year"]) for r in records(queries.outliers(con, "score_total"))] == [
        ("乙县人民政府办公室", 2025)
    ]


def test_budget_vs_spend_keeps_only_rows_with_both_figures_and_exact_differences(con) -> None:
    rows = records(queries.budget_vs_spend(con))
    assert [(r["fiscal_year"], r["department_name"]) for r in rows] == [
        (2022, "甲市人民政府办公室"),
        (2023, "甲市人民政府办公室"),
        (2024, "乙县人民政府办公室"),
        (2025, "乙县人民政府办公室"),
    ]
    assert rows[1]["difference_wan_yuan"] == pytest.approx(10.000001)
    assert render.number(rows[1]["difference_wan_yuan"]) == "10.00"


def test_missing_contract_columns_and_tables_give_an_empty_panel_with_a_note(con) -> None:
    met = queries.indicators_met(con)
    assert met.empty and met.note == "marts.fct_indicators has no column is_met"
    assert queries.indicators_not_met(con).note == "marts.fct_indicators has no column is_met"
    project = queries.projects(con)
    assert project.empty and project.note == "marts.fct_project is not in this warehouse"
    assert queries.parse_issues(con).note == "marts.fct_parse_issues is not in this warehouse"
    assert queries.reports_without_header(con).note == "marts.mart_report is not in this warehouse"


def test_reports_without_header_come_from_mart_report_once_it_exists(tmp_path: Path, raw_dir: Path) -> None:
    path = make_warehouse(
        tmp_path / "mr.duckdb",
        raw_dir,
        "CREATE TABLE marts.mart_report AS SELECT m.*, 'department_overall' AS report_type, 'ok' AS parse_status"
        " FROM marts.mart_department_year AS m;"
        "UPDATE marts.mart_report SET fiscal_year = NULL WHERE report_id = 'r3';",
    )
    with queries.open_warehouse(path) as con:
        assert [
            (r["source_file"], r["spend_total_wan_yuan"]) for r in records(queries.reports_without_header(con))
        ] == [("c.txt", 50.0)]


def test_indicators_met_counts_by_year_once_the_column_exists(tmp_path: Path, raw_dir: Path) -> None:
    path = make_warehouse(
        tmp_path / "met.duckdb",
        raw_dir,
        "ALTER TABLE marts.fct_indicators ADD COLUMN is_met BOOLEAN;"
        "UPDATE marts.fct_indicators SET is_met = false;"
        "INSERT INTO marts.fct_indicators VALUES ('i2', 'r1', 'd1', 2022, '信息报采用率', '40%', '45%', 45, 's', 1, 2,"
        " true);",
    )
    with queries.open_warehouse(path) as con:
        assert {(r["fiscal_year"], r["is_met"]): r["indicators"] for r in records(queries.indicators_met(con))} == {
            (2022, False): 1,
            (2022, True): 1,
        }
        assert [r["indicator_name"] for r in records(queries.indicators_not_met(con))] == ["收文处理率"]


def test_department_facts_carry_their_source_and_optional_page(con) -> None:
    rows = records(queries.facts(con, department_key="d1"))
    assert [(r["kind"], r["fact_id"]) for r in rows] == [
        ("budget", "b1"),
        ("score", "s1"),
        ("indicator", "i1"),
        ("budget", "b2"),
    ]
    first = rows[0]
    assert (first["source_text"], first["source_start"], first["source_end"]) == ("年度预算100.1万元。", 10, 22)
    assert (first["source_page"], first["source_locator"]) == ("3", "bbox(1,2,3,4)")
    assert rows[1]["source_page"] is None  # fct_scores has no source_page column here


def test_facts_by_value_find_the_sentence_stating_a_mart_figure(con) -> None:
    rows = records(queries.facts(con, report_id="r2", value="200.000001"))
    assert [r["fact_id"] for r in rows] == ["b2"]
    assert records(queries.facts(con, report_id="r2", value="200")) == []


def test_indicators_list_every_stated_indicator_with_its_department(con) -> None:
    assert [
        (r["department_name"], r["indicator_name"], r["actual_text"], r["fact_id"])
        for r in records(queries.indicators(con))
    ] == [("甲市人民政府办公室", "收文处理率", "98%", "i1")]


def test_facts_without_any_fact_table_say_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with queries.open_warehouse(path) as con:
        panel = queries.facts(con, department_key="d1")
        assert panel.empty and panel.note
        assert queries.raw_dir(con) is None and queries.last_refresh(con) is None
        assert queries.reports_by_status(con).note == "marts.fct_report is not in this warehouse"


def test_original_file_is_served_only_from_the_raw_dir(con, raw_dir: Path) -> None:
    recorded = queries.raw_dir(con)
    assert recorded == raw_dir
    assert queries.original_file(recorded, "a.txt") == (raw_dir / "a.txt").resolve()
    assert queries.original_file(recorded, "missing.txt") is None
    (raw_dir.parent / "secret.txt").write_text("x")
    assert queries.original_file(recorded, "../secret.txt") is None
    assert queries.original_file(None, "a.txt") is None


def test_quality_violations_show_the_offending_values_and_file(con) -> None:
    [row] = records(queries.quality_violations(con))
    assert (row["source_file"], row["observed"]) == ("b.txt", "spend 210.000002 > budget 200.000001")
    assert [r["source_file"] for r in records(queries.problem_reports(con))] == ["bad.pdf", "c.txt"]


def test_one_number_format_for_every_figure() -> None:
    assert render.number(1234567.5) == "1,234,567.50"
    assert render.number(200.000001) == "200.00"
    assert render.number(97.8) == render.number(Decimal("97.80")) == "97.80"
    assert render.number(3) == "3.00" and render.number(3, "count") == "3" and render.number(12345, "count") == "12,345"
    assert render.number(2023.0, "year") == "2023"
    assert render.number(float("nan")) == "" and render.number(None) == ""
    assert render.signed(-2) == "−2.00" and render.signed(1.5) == "+1.50" and render.signed(None) == ""
    kinds = {c: render.column_kind(c) for c in ("fiscal_year", "indicator_count", "score_rank", "spend_total_wan_yuan")}
    assert kinds == {"fiscal_year": "year", "indicator_count": "count", "score_rank": "count",
                     "spend_total_wan_yuan": "decimal"}
    assert render.cell(float("nan")) == "" and render.cell(2023) == "2023" and render.cell("95%") == "95%"


def test_source_links_lead_to_the_source_page_and_escape_html() -> None:
    assert render.source_url("en", "r1", fact_id="b1") == "?page=source&lang=en&report=r1&fact=b1"
    assert render.source_url("zh", "r2", value=1234.5) == "?page=source&lang=zh&report=r2&value=1234.5"
    link = render.linked_number(1234.5, "?a=1&b=<2>")
    assert link == '<a class="provenance" href="?a=1&amp;b=&lt;2&gt;" target="_self">1,234.50</a>'
    assert render.linked_number(None, "?x") == ""
    assert render.linked_text("98%", "?f=1") == '<a class="provenance" href="?f=1" target="_self">98%</a>'
    assert render.linked_text("", "?f=1") == ""


def test_highlight_marks_the_stated_figure() -> None:
    assert render.highlight("预算<100>万元。", "<100>万元") == "预算<mark>&lt;100&gt;万元</mark>。"
    assert render.highlight("预算100万元。", "") == "预算100万元。"


def test_every_label_has_both_languages_and_every_key_the_app_uses_exists() -> None:
    labels = i18n.labels()
    assert all(entry["zh"] and entry["en"] for entry in labels.values())
    keys = [line.split(",", 1)[0] for line in i18n.LABELS_CSV.read_text(encoding="utf-8").splitlines()[1:]]
    assert len(keys) == len(set(keys)) == len(labels)
    source = APP.read_text(encoding="utf-8")
    used = set(re.findall(r'text\(\s*"([a-z_.]+)"', source))
    assert used and used <= set(labels), used - set(labels)
    from dashboard import app

    for page in app.RENDERERS:
        assert f"page.{page}" in labels
    assert set(app.PAGES) < set(app.RENDERERS)
    for status in ("ok", "partial", "failed"):
        assert f"status.{status}" in labels
    assert i18n.text("refreshed", "en", at="t", n=3) == "Refreshed at t (3 reports)"


def test_serve_listens_on_loopback_without_telemetry_on_the_configured_port() -> None:
    from dashboard import serve

    assert serve.port_from_env({}) == 8501
    assert serve.port_from_env({"GOVPERF_DASHBOARD_PORT": "9000"}) == 9000
    for bad in ("abc", "0", "70000", "-1"):
        with pytest.raises(SystemExit, match="GOVPERF_DASHBOARD_PORT must be a port number"):
            serve.port_from_env({"GOVPERF_DASHBOARD_PORT": bad})
    argv = serve.command(9000)
    assert argv[5:10] == [
        "--server.address=127.0.0.1",
        "--server.port=9000",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=viewer",
    ]
    assert Path(argv[4]) == APP


def test_filters_round_trip_through_the_url_and_narrow_every_panel(con) -> None:
    filters = queries.Filters.from_params({"province": "广东省", "year": "2022,2023,x", "page": "overview"})
    assert filters == queries.Filters(province=("广东省",), year=(2022, 2023))
    assert filters.to_params() == {"province": "广东省", "year": "2022,2023"}
    assert queries.Filters.from_params(filters.to_params()) == filters
    years = records(queries.department_years(con, "zh", filters))
    assert {(r["department_key"], r["fiscal_year"]) for r in years} == {("d1", 2022), ("d1", 2023)}
    assert {r["parse_status"]: r["reports"] for r in records(queries.reports_by_status(con, filters))} == {"ok": 2}
    by_level = records(queries.reports_by(con, "admin_level", "zh", queries.Filters(level=("county",))))
    assert {(r["code"], r["parse_status"]) for r in by_level} == {("county", "ok"), ("county", "partial")}
    assert [r["department_key"] for r in records(queries.departments(con, filters))] == ["d1"]


def test_provinces_are_sorted_and_carry_their_gb_t_2260_code(con) -> None:
    rows = records(queries.provinces(con))
    assert [(r["province"], r["department_years"]) for r in rows] == [("甲省", 3), ("广东省", 2)]
    assert rows[1]["area_code"] == "440000" and rows[0]["area_code"] is None  # 甲省 is no real province
    assert queries.province_codes()["北京市"] == "110000"


def test_budget_aggregates_use_comparable_rows_only(tmp_path: Path, raw_dir: Path) -> None:
    path = make_warehouse(
        tmp_path / "cmp.duckdb",
        raw_dir,
        "ALTER TABLE marts.mart_department_year ADD COLUMN comparable BOOLEAN;"
        "UPDATE marts.mart_department_year SET comparable = budget_total_wan_yuan IS NOT NULL"
        " AND spend_total_wan_yuan IS NOT NULL AND report_id <> 'r5';",
    )
    with queries.open_warehouse(path) as con:
        assert [r["fiscal_year"] for r in records(queries.budget_vs_spend(con))] == [2022, 2023, 2024]
        totals = {(r["province"], r["fiscal_year"]): r for r in records(queries.budget_totals(con))}
        county_2023 = totals[("甲省", 2023)]  # only spend stated: not summed, not a 262 % rate
        assert (county_2023["comparable_count"], county_2023["department_years"]) == (0, 1)
        assert county_2023["execution_rate_pct"] is None and county_2023["spend_total_wan_yuan"] is None
        assert totals[("甲省", 2025)]["comparable_count"] == 0  # both stated but not comparable
        assert totals[("广东省", 2022)]["execution_rate_pct"] == pytest.approx(89.96)


def test_department_trend_has_change_on_the_previous_year_and_rank_among_peers(con) -> None:
    rows = records(queries.department_trend(con, "d2"))
    assert [r["fiscal_year"] for r in rows] == [2023, 2024, 2025]
    assert rows[0]["score_total_change"] is None and rows[0]["previous_year"] is None
    assert rows[1]["score_total_change"] == pytest.approx(3.0) and rows[1]["previous_year"] == 2023
    assert rows[2]["spend_total_change"] == pytest.approx(-9.0)
    assert (rows[0]["score_rank"], rows[0]["peer_count"]) == (1, 1)
    gz = records(queries.department_trend(con, "d1"))
    assert gz[0]["budget_total_fact_id"] is None  # an older mart without fact ids: NULL, not an error


def test_indicator_completion_needs_the_mart_columns(con, tmp_path: Path, raw_dir: Path) -> None:
    assert queries.indicator_completion(con).note == (
        "marts.mart_department_year has no column indicator_assessed_count, indicator_met_count, indicators_met_pct"
    )
    path = make_warehouse(
        tmp_path / "done.duckdb",
        raw_dir,
        "ALTER TABLE marts.mart_department_year ADD COLUMN indicator_assessed_count BIGINT DEFAULT 0;"
        "ALTER TABLE marts.mart_department_year ADD COLUMN indicator_met_count BIGINT DEFAULT 0;"
        "ALTER TABLE marts.mart_department_year ADD COLUMN indicators_met_pct DECIMAL(9,4);"
        "UPDATE marts.mart_department_year SET indicator_assessed_count = 1, indicator_met_count = 1,"
        " indicators_met_pct = 100 WHERE report_id = 'r1';",
    )
    with queries.open_warehouse(path) as con2:
        assert [(r["report_id"], r["indicators_met_pct"]) for r in records(queries.indicator_completion(con2))] == [
            ("r1", 100.0)
        ]


def test_refresh_time_is_local_with_its_zone() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8), "CST")
    assert render.local_time(dt.datetime(2026, 1, 2, 3, 4, 5, 678), shanghai) == "2026-01-02 11:04:05 CST (UTC+08:00)"


def test_reasons_are_chinese_and_codes_have_labels() -> None:
    from dashboard import app

    for reason in (
        "empty file",
        "unsupported file type .tsv",
        "duplicate of a b.txt",
        "file exceeds 20 MB limit",
        "no department name in the title, form fields or body; add it to manifest.csv; no budget, revenue or spend"
        " figure found",
        "conflicting spend total: stated as 75, 676.47; left NULL, check the report",
        "parse exceeded 120 s",
        "symlink to a file outside the raw dir; not followed (copy the file in instead)",
    ):
        zh = i18n.reason(reason, "zh")
        english = zh.replace(".tsv", "").replace("manifest.csv", "").replace("b.txt", "")
        assert re.search("[a-z]{4,}", english) is None, zh
        assert i18n.reason(reason, "en") == reason
    for level in app.LEVELS:
        assert i18n.has_label(f"level.{level}")
    from dagster_project.quality.spec import load_checks

    for check in load_checks():
        assert i18n.has_label(f"check.{check.name}") and i18n.has_label(f"check_description.{check.name}")
        assert i18n.has_label(f"table.{check.target_model}")
