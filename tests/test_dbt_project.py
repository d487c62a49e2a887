"""The dbt project on a small hand-written staging fixture: one build, contract columns, mart values."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.quality import suite
from dagster_project.warehouse import dbt_runner as project
from dagster_project.warehouse.build_db import QUALITY_RESULTS
from ingest import schema

REPO = Path(__file__).resolve().parents[1]
DBT_DIR = REPO / "dbt"

RAW_TABLES: dict[str, dict] = {
    "raw_reports": schema.RAW_REPORTS,
    **schema.STAGING_TABLES,
    "quality_results": QUALITY_RESULTS,
}

T0 = dt.datetime(2025, 3, 1, 9, 0)
T1 = dt.datetime(2025, 3, 2, 9, 0)


def write_raw_tables(db_path: Path, rows: dict[str, list[dict]]) -> None:
    """Create every ``raw`` staging table in ``db_path`` from rows typed by ``ingest.schema``."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for table, columns in RAW_TABLES.items():
            con.register("staging_frame", schema.frame(rows.get(table, []), columns).to_arrow())
            con.execute(f"CREATE OR REPLACE TABLE raw.{table} AS SELECT * FROM staging_frame")
            con.unregister("staging_frame")
    finally:
        con.close()


# dbt parses the whole project again whenever its profile changes, and the profile holds the database
# path: fixtures build with a relative path from the database's directory, so every build reuses one
# parse (dbt's partial_parse.msgpack, kept here; dbt checks it against the files and re-parses if stale).
PARSE_CACHE = DBT_DIR / "target" / "tests_partial_parse.msgpack"


def run_dbt(db_path: Path, *args: str) -> None:
    """``dbt build <args>`` in process against ``db_path`` (target dir beside it); fails the test when dbt fails."""
    target = db_path.parent / "dbt"
    target.mkdir(parents=True, exist_ok=True)
    if PARSE_CACHE.exists():
        shutil.copyfile(PARSE_CACHE, target / "partial_parse.msgpack")
    with contextlib.chdir(db_path.parent):
        result = project.run_dbt(["build", *args, "--target-path", str(target), "--log-path", str(target)], DBT_DIR,
                                 build_db=db_path.name)
    results = result.result or []
    broken = [f"{r.node.unique_id}: {r.status} {r.message}" for r in results if r.status in ("error", "fail")]
    assert result.success and not broken, f"{result.exception}\n" + "\n".join(broken)
    PARSE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    staged = PARSE_CACHE.with_name(f"{PARSE_CACHE.name}.{os.getpid()}")
    shutil.copyfile(target / "partial_parse.msgpack", staged)
    os.replace(staged, PARSE_CACHE)


def raw_report(report_id: str, source_file: str, ingested_at: dt.datetime = T0, **extra: object) -> dict:
    """A ``raw.raw_reports`` row of a decoded text file."""
    row = {
        "report_id": report_id,
        "source_file": source_file,
        "content_sha256": report_id.ljust(64, "0"),
        "size_bytes": 1000,
        "file_kind": "text",
        "encoding": "utf-8",
        "ingested_at": ingested_at,
    }
    return {**row, **extra}


def header(report_id: str, name: str | None, year: int | None, **extra: object) -> dict:
    """A ``raw.report_headers`` row of a parsed department-overall report."""
    row = {
        "report_id": report_id,
        "title": f"{year}年度{name}部门整体支出绩效自评报告" if name else None,
        "report_type": "department_overall",
        "fiscal_year": year,
        "department_name": name,
        "department_type": "government_office",
        "province": "广东省",
        "city": "广州市",
        "header_source": "title",
        "parse_status": "ok",
        "text_chars": 5000,
    }
    return {**row, **extra}


def money(report_id: str, side: str, item: str, amount: str, scope: str = "all_funds", start: int = 0) -> dict:
    """A ``raw.money_facts`` row printed in 万元."""
    return {
        "report_id": report_id,
        "side": side,
        "item": item,
        "fund_scope": scope,
        "amount_wan_yuan": Decimal(amount),
        "unit": "万元",
        "amount_text": amount,
        "source_text": f"{item} {amount}万元",
        "source_start": start,
        "source_end": start + 20,
    }


def measure(report_id: str, name: str, value: str, unit: str = "%", start: int = 0) -> dict:
    """A ``raw.measure_facts`` row."""
    return {"report_id": report_id, "measure": name, "value": Decimal(value), "unit": unit, "source_start": start}


def score(report_id: str, item: str, value: str, **extra: object) -> dict:
    """A stated ``raw.score_facts`` row."""
    return {"report_id": report_id, "score_item": item, "score": Decimal(value), "is_derived": False, **extra}


def indicator(report_id: str, name: str, actual: str, target: str | None = None, unit: str = "%") -> dict:
    """A ``raw.indicator_facts`` row."""
    return {
        "report_id": report_id,
        "indicator_name": name,
        "actual_value": Decimal(actual),
        "target_value": Decimal(target) if target is not None else None,
        "unit": unit,
        "actual_text": f"{actual}{unit}",
        "source_start": len(name),
    }


HAIZHU = "广州市海珠区人民政府办公室"
HAIZHU_FINANCE = "广州市海珠区财政局"
FIXTURE: dict[str, list[dict]] = {
    "raw_reports": [
        raw_report("hz_v1", "001_haizhu.txt"),
        raw_report("hz_v2", "001_haizhu_v2.txt", T1),
        raw_report("gz", "000_guangzhou.txt"),
        raw_report("gd", "003_guangdong.txt"),
        raw_report("py", "002_panyu.txt"),
        raw_report("empty", "005_empty.txt", encoding=None, decode_error="empty file"),
        raw_report("scan", "006_scan.pdf", file_kind="unsupported", encoding=None),
        raw_report("proj", "007_haizhu_finance_project.txt"),
        raw_report("nodept", "008_no_department.txt"),
    ],
    "report_headers": [
        header("hz_v1", HAIZHU, 2023, admin_level="county", county="海珠区"),
        header("hz_v2", HAIZHU, 2023, admin_level="county", county="海珠区"),
        header("gz", "广州市人民政府办公厅", 2023, admin_level="prefecture"),
        header("gd", "广东省人民政府办公厅", 2024, city=None, header_source="body"),
        header(
            "py",
            "中国共产党广州市番禺区委员会办公室",
            2023,
            admin_level="county",
            county="番禺区",
            department_type="party_committee_office",
        ),
        {"report_id": "empty", "report_type": "other", "parse_status": "failed", "status_reason": "empty file"},
        header("proj", HAIZHU_FINANCE, 2023, admin_level="county", county="海珠区", report_type="project",
               department_type="finance_bureau"),
        header("nodept", None, None, report_type="department_overall", parse_status="partial",
               status_reason="no department name", province=None, city=None),
    ],
    "money_facts": [
        money("hz_v1", "budget", "total", "3000"),
        money("hz_v1", "spend", "total", "2900"),
        money("hz_v2", "budget", "total", "3089.8"),
        money("hz_v2", "spend", "total", "3089.8"),
        money("hz_v2", "budget", "revenue_total", "3089.8"),
        money("gz", "spend", "total", "30266.62", scope="general_public_budget"),
        money("gd", "budget", "total", "26000", start=900),
        money("gd", "budget", "total", "25000", start=100),
        money("gd", "spend", "total", "24066.41", start=200),
        money("gd", "budget", "revenue_total", "25681.19", start=300),
        money("gd", "budget", "carryover_begin", "3108.53", start=400),
        money("gd", "budget", "carryover_end", "4723.32", start=500),
        money("py", "budget", "total", "2000"),
        money("py", "spend", "total", "2100.5"),
        money("py", "spend", "basic", "1900.2"),
        money("py", "spend", "project", "200.3"),
        money("empty", "spend", "total", "1"),
        money("proj", "budget", "total", "850"),
        money("proj", "spend", "total", "800"),
        money("nodept", "spend", "basic", "70"),
        money("nodept", "spend", "project", "30.5"),
    ],
    "measure_facts": [
        measure("hz_v2", "execution_rate_pct", "100"),
        measure("hz_v2", "staff_in_service", "39", unit="人"),
        measure("gz", "payment_rate_pct", "99.5"),
        measure("py", "staff_retired", "13", unit="人"),
        measure("py", "staff_retired", "13", unit="人", start=40),
        measure("gz", "staff_in_service", "52", unit="人", start=10),
        measure("gz", "staff_in_service", "50", unit="人", start=30),
    ],
    "score_facts": [
        score("hz_v1", "total", "95"),
        score("hz_v1", "total", "95", source_start=80),
        score("hz_v2", "total", "99", rating="优"),
        score("gz", "total", "98.98"),
        score("gd", "performance_effectiveness", "50", max_score=Decimal(50)),
        score("gd", "management_efficiency", "47.41", max_score=Decimal(50)),
        score("py", "total", "97.8", rating="优"),
        score("proj", "total", "88", rating="良"),
        score("nodept", "total", "90"),
    ],
    "indicator_facts": [
        indicator("hz_v2", "部门预算资金支出率", "100"),
        indicator("hz_v2", "收文处理率", "100", target="95"),
        indicator("py", "“三公”经费控制情况", "100"),
        {**indicator("proj", "设备完好率", "97", target="95"), "target_text": "≥95%", "comparator": ">=",
         "target_unit": "%", "actual_unit": "%"},
    ],
    "project_facts": [
        {"report_id": "proj", "project_seq": 1, "project_name": "智慧财政运维", "project_code": "44010523A0001",
         "supervising_department": HAIZHU_FINANCE, "budget_initial_wan_yuan": Decimal("900"),
         "budget_adjusted_wan_yuan": Decimal("850"), "spend_wan_yuan": Decimal("800"), "score_total": Decimal("88"),
         "rating": "良", "source_text": "总额 900 850 800", "source_start": 5, "source_end": 20,
         "block_start": 0, "block_end": 500},
    ],
    "findings": [
        {"report_id": "py", "kind": "problem", "seq": 1, "text": "预算执行率有待提高", "source_start": 10},
    ],
    "parse_issues": [
        {"report_id": "gd", "code": "header_from_body", "severity": "info", "message": "no title line"},
    ],
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """The fixture built as the pipeline does: one dbt build, then the GX suite (the quality views read it)."""
    db_path = tmp_path_factory.mktemp("dbt") / "build.duckdb"
    write_raw_tables(db_path, FIXTURE)
    con = duckdb.connect(str(db_path))
    suite.write_quality_results(con, [])
    con.close()
    run_dbt(db_path)
    con = duckdb.connect(str(db_path))
    suite.write_quality_results(con, suite.run_quality_suite(con))
    con.close()
    con = duckdb.connect(str(db_path), read_only=True)
    yield con
    con.close()


def mart_row(con: duckdb.DuckDBPyConnection, department_name: str) -> dict:
    """The mart_department_year row of a department as a dict."""
    cursor = con.execute("SELECT * FROM marts.mart_department_year WHERE department_name = ?", [department_name])
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(columns, rows[0], strict=True))


def _manifest() -> dict:
    return json.loads(project.ensure_dbt_manifest().read_text(encoding="utf-8"))


def _yml_columns() -> dict[str, dict[str, str | None]]:
    """Columns of every published model and seed as its yml declares them: {table: {column: data_type or None}}."""
    out: dict[str, dict[str, str | None]] = {}
    for node in _manifest()["nodes"].values():
        if node["resource_type"] not in ("model", "seed") or node["schema"] != "marts":
            continue
        types = node["config"].get("column_types") or {}
        columns = node["columns"].items()
        out[node["name"]] = {name: column.get("data_type") or types.get(name) for name, column in columns}
    return out


def _built_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return dict(con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = ?",
        [table],
    ).fetchall())


def _sql_type(data_type: str) -> str:
    return data_type.replace(" ", "").upper()


@pytest.mark.parametrize("table", sorted(_yml_columns()))
def test_built_marts_have_the_columns_and_types_their_yml_declares(
    warehouse: duckdb.DuckDBPyConnection, table: str
) -> None:
    declared = _yml_columns()[table]
    built = _built_columns(warehouse, table)
    assert declared and set(declared) <= set(built)
    assert {c: built[c] for c, t in declared.items() if t} == {c: _sql_type(t) for c, t in declared.items() if t}


def test_mart_report_has_the_columns_of_mart_department_year(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The contract: mart_report has the same columns as mart_department_year, plus its report-level ones."""
    department_year = _built_columns(warehouse, "mart_department_year")
    report = _built_columns(warehouse, "mart_report")
    assert {c: report.get(c) for c in department_year} == department_year
    assert {"report_type", "parse_status", "is_latest_version"} <= set(report)


def test_money_and_percentages_have_the_contract_types(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Every published ``*_wan_yuan`` column is DECIMAL(20,6) and every ``*_pct`` column DECIMAL(9,4)."""
    rows = [row for row in warehouse.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts'"
    ).fetchall() if row[1].endswith(("_wan_yuan", "_pct"))]
    assert len(rows) > 20
    wrong = [row for row in rows if row[2] != ("DECIMAL(20,6)" if row[1].endswith("_wan_yuan") else "DECIMAL(9,4)")]
    assert wrong == []


# The shared warehouse contract next to the checkout (../shared, or ../../shared from a worktree).
CONTRACT_MD = next((p for p in (REPO.parent / "shared" / "CONTRACT.md", REPO.parents[1] / "shared" / "CONTRACT.md")
                    if p.exists()), REPO.parent / "shared" / "CONTRACT.md")
_NAMES = re.compile(r"`([a-z_][a-z0-9_]*)`")


def contract_tables(text: str) -> dict[str, set[str]]:
    """{table: columns} of the warehouse contract's column tables: a table's names are the quoted names of the
    heading or the paragraph before it (before a dash); a row's first cell names one or more columns."""
    tables: dict[str, set[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("## "):
            current = []
        elif line.startswith("### ") or (line.startswith("`") and " — " in line):
            current = _NAMES.findall(line.split(" — ")[0])
        elif line.startswith("| `") and current:
            for name in current:
                tables.setdefault(name, set()).update(_NAMES.findall(line.split("|")[1]))
    return tables


def test_the_yml_contracts_declare_every_column_of_the_warehouse_contract() -> None:
    if not CONTRACT_MD.exists():
        pytest.skip("no ../shared/CONTRACT.md")
    contract = contract_tables(CONTRACT_MD.read_text(encoding="utf-8"))
    assert {"fct_budget", "fct_spend", "mart_department_year", "fct_project", "dim_level"} <= set(contract)
    declared = _yml_columns()
    missing = {table: sorted(columns - set(declared.get(table, {}))) for table, columns in contract.items()}
    assert {table: columns for table, columns in missing.items() if columns} == {}


def test_layers_point_one_way() -> None:
    """staging reads sources; intermediate staging, intermediate and seeds; marts anything below them; quality
    (the invariants Great Expectations checks) intermediate and marts. No intermediate model reads a mart."""
    manifest = json.loads(project.ensure_dbt_manifest().read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    layer = {uid: node["fqn"][1] if node["resource_type"] == "model" else node["resource_type"]
             for uid, node in nodes.items()}
    allowed = {"staging": {"source"}, "intermediate": {"staging", "intermediate", "seed"},
               "marts": {"staging", "intermediate", "marts", "seed"}, "quality": {"intermediate", "marts", "seed"}}
    reads = {(node["name"], layer.get(parent, "source")) for uid, node in nodes.items() if layer[uid] in allowed
             for parent in node["depends_on"]["nodes"] if layer.get(parent, "source") not in allowed[layer[uid]]}
    assert reads == set()


def test_models_land_in_exact_schema_names(warehouse: duckdb.DuckDBPyConnection) -> None:
    schemas = {
        name: schema_name
        for schema_name, name in warehouse.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
    }
    assert schemas["stg_money_facts"] == "staging"
    assert schemas["int_report_figures"] == "intermediate"
    assert schemas["mart_department_year"] == "marts"
    assert schemas["dim_indicator"] == "marts"


def test_every_file_is_a_report_and_failed_ones_contribute_no_facts(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    reports = {
        row[0]: row[1:]
        for row in warehouse.execute(
            "SELECT report_id, parse_status, status_reason, department_key, fiscal_year FROM marts.fct_report"
        ).fetchall()
    }
    assert set(reports) == {"hz_v1", "hz_v2", "gz", "gd", "py", "empty", "scan", "proj", "nodept"}
    assert reports["empty"] == ("failed", "empty file", None, None)
    assert reports["scan"][0] == "failed" and "unsupported" in reports["scan"][1]
    facts = warehouse.execute(
        "SELECT count(*) FROM (SELECT report_id FROM marts.fct_spend UNION ALL "
        "SELECT report_id FROM marts.fct_budget) WHERE report_id IN ('empty', 'scan')"
    ).fetchone()
    assert facts == (0,)


def test_one_department_key_per_department_and_dimension_rows(warehouse: duckdb.DuckDBPyConnection) -> None:
    keys = dict(
        warehouse.execute(
            "SELECT report_id, department_key FROM marts.fct_report WHERE department_key IS NOT NULL"
        ).fetchall()
    )
    assert keys["hz_v1"] == keys["hz_v2"]
    assert len(set(keys.values())) == 5
    departments = warehouse.execute(
        "SELECT department_name, department_type, admin_level, city, county FROM marts.dim_department "
        "ORDER BY department_name"
    ).fetchall()
    assert ("广东省人民政府办公厅", "government_office", "province", None, None) in departments
    assert ("中国共产党广州市番禺区委员会办公室", "party_committee_office", "county", "广州市", "番禺区") in departments
    assert warehouse.execute("SELECT list(fiscal_year ORDER BY fiscal_year) FROM marts.dim_year").fetchone() == (
        [2023, 2024],
    )


def test_latest_report_wins(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = mart_row(warehouse, HAIZHU)
    assert (row["report_id"], row["source_file"]) == ("hz_v2", "001_haizhu_v2.txt")
    assert row["budget_total_wan_yuan"] == Decimal("3089.8")
    assert row["score_total"] == Decimal("99") and row["rating"] == "优"
    assert row["execution_rate_pct"] == Decimal("100")
    assert row["staff_in_service"] == 39
    assert warehouse.execute("SELECT count(*) FROM marts.mart_department_year").fetchone() == (5,)


def test_general_public_budget_spend_and_payment_rate_fallback(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = mart_row(warehouse, "广州市人民政府办公厅")
    assert row["budget_total_wan_yuan"] is None
    assert row["spend_total_wan_yuan"] == Decimal("30266.62")
    assert row["execution_rate_pct"] == Decimal("99.5")
    assert row["admin_level"] == "prefecture" and row["county"] is None


def test_conflicting_figures_stay_null_and_derived_score(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = mart_row(warehouse, "广东省人民政府办公厅")
    assert row["budget_total_wan_yuan"] is None
    assert row["execution_rate_pct"] is None
    assert (row["score_total"], row["score_performance_effectiveness"], row["score_management_efficiency"]) == (
        Decimal("97.41"),
        Decimal("50"),
        Decimal("47.41"),
    )
    assert row["revenue_total_wan_yuan"] == Decimal("25681.19")
    derived = warehouse.execute(
        "SELECT score, is_derived FROM marts.fct_scores WHERE report_id = 'gd' AND score_item = 'total'"
    ).fetchall()
    assert derived == [(Decimal("97.41"), True)]
    budgets = warehouse.execute(
        "SELECT amount_wan_yuan, is_primary FROM marts.fct_budget WHERE report_id = 'gd' AND item = 'total' "
        "ORDER BY source_start"
    ).fetchall()
    assert budgets == [(Decimal("25000"), False), (Decimal("26000"), False)]


@pytest.mark.parametrize(("table", "key"), [
    ("fct_budget", "item = 'total' AND fund_scope = 'all_funds'"),
    ("fct_measures", "measure IN ('staff_in_service', 'staff_retired')"),
    ("fct_scores", "score_item = 'total'"),
])
def test_one_primary_rule_for_every_kind_of_fact(warehouse: duckdb.DuckDBPyConnection, table: str, key: str) -> None:
    """Per report and key the first fact by position is primary; none is where the report states two values."""
    rows = warehouse.execute(
        f"SELECT report_id, is_primary, count(DISTINCT {_VALUE[table]}) OVER (PARTITION BY report_id, {_KEY[table]}) "
        f"AS values_stated, row_number() OVER (PARTITION BY report_id, {_KEY[table]} ORDER BY source_start) AS seq "
        f"FROM marts.{table} WHERE {key}"
    ).fetchall()
    assert rows and any(seq > 1 for *_, seq in rows), "the fixture states some key twice"
    assert all(is_primary == (seq == 1 and values == 1) for _, is_primary, values, seq in rows), rows


_KEY = {"fct_budget": "item, fund_scope", "fct_measures": "measure", "fct_scores": "score_item"}
_VALUE = {"fct_budget": "amount_wan_yuan", "fct_measures": "measure_value", "fct_scores": "score"}


def test_execution_rate_computed_when_not_stated(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = mart_row(warehouse, "中国共产党广州市番禺区委员会办公室")
    assert row["execution_rate_pct"] == Decimal("105.0250")


def test_quality_status_is_worst_severity(warehouse: duckdb.DuckDBPyConnection) -> None:
    panyu = mart_row(warehouse, "中国共产党广州市番禺区委员会办公室")
    assert (panyu["spend_total_wan_yuan"], panyu["budget_total_wan_yuan"]) == (Decimal("2100.5"), Decimal("2000"))
    assert panyu["quality_status"] == "warn"
    assert mart_row(warehouse, HAIZHU)["quality_status"] == "pass"
    issues = warehouse.execute("SELECT report_id, check_name, severity FROM marts.quality_issues").fetchall()
    assert issues == [("py", "spend_within_budget", "warn")]


def test_indicator_framework_and_mapping(warehouse: duckdb.DuckDBPyConnection) -> None:
    levels = warehouse.execute(
        "SELECT indicator_level, count(*), count(parent_key) FROM marts.dim_indicator GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert levels == [(1, 2, 0), (2, 7, 7), (3, 25, 25)]
    parent = warehouse.execute(
        "SELECT p.indicator_name_zh FROM marts.dim_indicator c JOIN marts.dim_indicator p "
        "ON c.parent_key = p.indicator_key WHERE c.indicator_name_zh = '固定资产利用率'"
    ).fetchone()
    assert parent == ("资产管理",)
    mapped = dict(warehouse.execute("SELECT indicator_name, indicator_key FROM marts.fct_indicators").fetchall())
    assert mapped == {
        "部门预算资金支出率": "budget_expenditure_rate",
        "收文处理率": None,
        "“三公”经费控制情况": "three_public_expenses_control",
        "设备完好率": None,
    }
    parts = dict(
        warehouse.execute("SELECT score_item, indicator_key FROM marts.fct_scores WHERE report_id = 'gd'").fetchall()
    )
    assert parts == {
        "performance_effectiveness": "performance_effectiveness",
        "management_efficiency": "management_efficiency",
        "total": None,
    }


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[dict]:
    cursor = con.execute(sql, list(params))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_project_report_states_a_project_never_department_figures(warehouse: duckdb.DuckDBPyConnection) -> None:
    (project,) = _rows(warehouse, "SELECT * FROM marts.fct_project")
    assert (project["report_id"], project["project_name"], project["project_code"], project["fiscal_year"],
            project["budget_initial_wan_yuan"], project["budget_adjusted_wan_yuan"], project["spend_wan_yuan"],
            project["score_total"], project["rating"]) == (
        "proj", "智慧财政运维", "44010523A0001", 2023, Decimal("900"), Decimal("850"), Decimal("800"),
        Decimal("88"), "良")
    assert project["execution_rate_pct"] == Decimal("94.1176") and project["execution_rate_is_derived"]
    department = mart_row(warehouse, HAIZHU_FINANCE)
    assert project["department_key"] == department["department_key"]
    assert (department["budget_total_wan_yuan"], department["spend_total_wan_yuan"],
            department["score_total"], department["execution_rate_pct"]) == (None, None, None, None)
    (year_row,) = _rows(warehouse, "SELECT * FROM marts.mart_project_year")
    assert (year_row["project_key"], year_row["department_name"], year_row["admin_level"],
            year_row["indicator_count"]) == (project["project_key"], HAIZHU_FINANCE, "county", 1)
    (ind,) = _rows(warehouse, "SELECT * FROM marts.fct_indicators WHERE report_id = 'proj'")
    assert (ind["project_key"], ind["comparator"], ind["is_met"], ind["is_met_derived"], ind["is_met_assumed"]) == (
        project["project_key"], ">=", True, True, False)


def test_mart_report_keeps_every_report_that_is_not_failed(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = {r["report_id"]: r for r in _rows(warehouse, "SELECT * FROM marts.mart_report")}
    assert set(rows) == {"hz_v1", "hz_v2", "gz", "gd", "py", "proj", "nodept"}
    nodept = rows["nodept"]
    assert (nodept["department_key"], nodept["fiscal_year"], nodept["parse_status"], nodept["score_total"],
            nodept["is_latest_version"]) == (None, None, "partial", Decimal("90"), False)
    assert (nodept["spend_total_wan_yuan"], nodept["spend_total_is_derived"]) == (Decimal("100.5"), True)
    assert (rows["hz_v1"]["is_latest_version"], rows["hz_v2"]["is_latest_version"]) == (False, True)
    assert rows["py"]["spend_total_is_derived"] is False
    assert (rows["py"]["quality_status"], rows["gz"]["quality_status"]) == ("warn", "pass"), "read at query time"
    latest = {r["report_id"]: r for r in _rows(warehouse, "SELECT * FROM marts.mart_department_year")}
    for report_id, row in latest.items():
        for column in ("budget_total_wan_yuan", "spend_total_wan_yuan", "score_total", "rating"):
            assert rows[report_id][column] == row[column]


def test_marts_carry_table_and_column_comments_with_the_chinese_term(warehouse: duckdb.DuckDBPyConnection) -> None:
    """persist_docs writes the yml descriptions as DuckDB comments that BI tools show."""
    cjk = "[\u4e00-\u9fff]"
    bare_tables = warehouse.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
        "AND NOT regexp_matches(coalesce(comment, ''), ?)",
        [cjk],
    ).fetchall()
    bare_columns = warehouse.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND NOT regexp_matches(coalesce(comment, ''), ?)",
        [cjk],
    ).fetchall()
    assert bare_tables == [] and bare_columns == []
    (described,) = warehouse.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = 'mart_department_year' "
        "AND column_name = 'budget_total_wan_yuan'"
    ).fetchone()
    assert "全年预算数" in described


def test_marts_carry_display_labels_from_the_label_seeds(warehouse: duckdb.DuckDBPyConnection) -> None:
    """admin_level_zh / department_type_zh / rating_zh equal the seeds' labels, so charts need no join."""
    rows = warehouse.execute(
        """
        SELECT mart.admin_level, mart.admin_level_zh, levels.level_name_zh,
            mart.department_type_zh, coalesce(types.type_name_zh, mart.department_type),
            mart.rating, mart.rating_zh, ratings.rating_name_zh
        FROM marts.mart_department_year AS mart
        LEFT JOIN marts.dim_level AS levels USING (admin_level)
        LEFT JOIN marts.dim_department_type AS types USING (department_type)
        LEFT JOIN marts.dim_rating AS ratings USING (rating)
        """
    ).fetchall()
    assert rows
    for level, level_zh, seed_level, type_zh, seed_type, rating, rating_zh, seed_rating in rows:
        assert level_zh == seed_level and (level is None or level_zh is not None)
        assert type_zh == seed_type
        assert rating_zh == seed_rating and (rating is None or rating_zh is not None)
    labels = warehouse.execute("SELECT admin_level_zh, department_type_zh FROM marts.dim_department").fetchall()
    assert labels and all(type_zh for _, type_zh in labels)


def test_wide_column_test_names_the_rule_each_bad_row_breaks(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """``valid_columns`` (one test per model) catches a NULL, an unknown code, a repeated key and an orphan."""
    (db_file,) = warehouse.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchone()
    compiled = next((Path(db_file).parent / "dbt" / "compiled").rglob("valid_columns_fct_budget_*.sql"))
    copy = tmp_path / Path(db_file).name
    copy.write_bytes(Path(db_file).read_bytes())
    con = duckdb.connect(str(copy))
    try:
        assert con.execute(compiled.read_text()).fetchall() == [], "the fixture itself is clean"
        for change in ("'bad_null' AS fact_id, NULL AS item", "'bad_code' AS fact_id, 'invented' AS fund_scope",
                       "'bad_orphan' AS fact_id, 'no_such_report' AS report_id"):
            con.execute(f"INSERT INTO marts.fct_budget SELECT * REPLACE ({change}) FROM marts.fct_budget LIMIT 1")
        (repeated,) = con.execute("SELECT min(fact_id) FROM marts.fct_budget WHERE fact_id NOT LIKE 'bad%'").fetchone()
        con.execute("INSERT INTO marts.fct_budget SELECT * FROM marts.fct_budget WHERE fact_id = ?", [repeated])
        broken = con.execute(f"SELECT fact_id, broken_rule FROM ({compiled.read_text()}) ORDER BY ALL").fetchall()
    finally:
        con.close()
    assert sorted(broken) == sorted([
        ("bad_code", "accepted_values:fund_scope"),
        ("bad_null", "not_null:item"),
        ("bad_orphan", "references:report_id"),
        (repeated, "unique:fact_id"),
        (repeated, "unique:fact_id"),
    ])
