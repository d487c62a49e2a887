"""``govperf export``: every format written from a tiny warehouse and read back (fast)."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from dagster_project.cli.main import main
from dagster_project.warehouse import export

AMOUNTS = [Decimal("18485.900000"), Decimal("12345678901234.123456"), Decimal("0.000001"), None]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        """
        CREATE SCHEMA marts;
        CREATE SCHEMA ops;
        CREATE TABLE ops.refresh_log (run_id VARCHAR);
        CREATE TABLE marts.fct_budget (report_id VARCHAR, item VARCHAR, amount_wan_yuan DECIMAL(20,6),
            is_primary BOOLEAN, fiscal_year INTEGER, ingested_at TIMESTAMP);
        COMMENT ON TABLE marts.fct_budget IS '预算数 (budget facts)';
        COMMENT ON COLUMN marts.fct_budget.amount_wan_yuan IS 'Amount (金额), 万元';
        CREATE TABLE marts.dim_level (admin_level VARCHAR, level_name_zh VARCHAR);
        INSERT INTO marts.dim_level VALUES ('province', '省级'), ('county', '县级');
        CREATE VIEW marts.v_levels AS SELECT * FROM marts.dim_level;
        """
    )
    rows = [
        ("r1", "total", AMOUNTS[0], True, 2023, dt.datetime(2026, 1, 2, 3, 4, 5)),
        ("r2", "total", AMOUNTS[1], False, 2024, None),
        ("r3", '初始,"预算"', AMOUNTS[2], None, None, None),
        ("r4", "other", AMOUNTS[3], True, 2023, None),
    ]
    con.executemany("INSERT INTO marts.fct_budget VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.close()
    return path


def test_csv_has_a_bom_and_exact_decimals(warehouse: Path, tmp_path: Path) -> None:
    [path] = export.export_tables(warehouse, "csv", tmp_path / "out", ["marts.fct_budget"], labels="en")
    assert path.name == "fct_budget.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [Decimal(r["amount_wan_yuan"]) if r["amount_wan_yuan"] else None for r in rows] == AMOUNTS
    assert [r["amount_wan_yuan"] for r in rows] == ["18485.9", "12345678901234.123456", "0.000001", ""]
    assert rows[0]["ingested_at"] == "2026-01-02 03:04:05"
    assert [r["is_primary"] for r in rows] == ["true", "false", "", "true"]
    assert rows[2]["item"] == '初始,"预算"'


def test_default_exports_every_table_and_view_of_the_marts_only(warehouse: Path, tmp_path: Path) -> None:
    written = export.export_tables(warehouse, "csv", tmp_path / "out")
    assert [p.name for p in written] == ["fct_budget.csv", "dim_level.csv", "v_levels.csv"]


def test_parquet_keeps_decimal_types_and_values(warehouse: Path, tmp_path: Path) -> None:
    [path] = export.export_tables(warehouse, "parquet", tmp_path / "out", ["fct_budget"])
    con = duckdb.connect()
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{path}')").fetchall())
    assert types["amount_wan_yuan"] == "DECIMAL(20,6)"
    assert [r[0] for r in con.execute(f"SELECT amount_wan_yuan FROM '{path}'").fetchall()] == AMOUNTS


def test_xlsx_has_a_sheet_per_table_comments_as_header_notes_and_exact_values(warehouse: Path, tmp_path: Path) -> None:
    [path] = export.export_tables(warehouse, "xlsx", tmp_path / "out", ["fct_budget", "dim_level"], labels="en")
    book = load_workbook(path)
    assert book.sheetnames == ["fct_budget", "dim_level"]
    sheet = book["fct_budget"]
    header = [c.value for c in sheet[1]]
    assert header == ["report_id", "item", "amount_wan_yuan", "is_primary", "fiscal_year", "ingested_at"]
    amount = sheet.cell(row=1, column=3)
    assert amount.comment is not None and amount.comment.text == "Amount (金额), 万元"
    assert sheet.cell(row=1, column=1).comment is None
    values = [sheet.cell(row=r, column=3).value for r in range(2, 6)]
    assert [Decimal(str(v)) if v is not None else None for v in values] == AMOUNTS
    assert isinstance(values[0], float) and isinstance(values[1], str)  # a double cannot hold the second
    assert sheet.cell(row=2, column=6).value == dt.datetime(2026, 1, 2, 3, 4, 5)
    assert [c.value for c in book["dim_level"][2]] == ["province", "省级"]


def test_unknown_tables_and_formats_are_clear_errors(warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no table fct_nope in schema marts; tables: dim_level, fct_budget"):
        export.export_tables(warehouse, "csv", tmp_path, ["fct_nope"])
    with pytest.raises(ValueError, match="format must be one of csv, parquet, xlsx"):
        export.export_tables(warehouse, "json", tmp_path)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        export.export_tables(tmp_path / "missing.duckdb", "csv", tmp_path)


def test_internal_schemas_are_not_exportable(warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no table ops\.refresh_log in schema marts"):
        export.export_tables(warehouse, "csv", tmp_path, ["ops.refresh_log"])


def test_export_reads_while_another_reader_holds_the_file(warehouse: Path, tmp_path: Path) -> None:
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert export.export_tables(warehouse, "parquet", tmp_path / "out", ["dim_level"])
    finally:
        reader.close()


def test_sheet_names_fit_excel_and_stay_unique() -> None:
    long = "x" * 40
    names = export.sheet_names([long, long + "y", "short"])
    assert names == {long: "x" * 31, long + "y": "x" * 29 + "~2", "short": "short"}


def test_xlsx_value_keeps_exactness() -> None:
    assert export.xlsx_value(Decimal("98.70")) == 98.7
    assert export.xlsx_value(Decimal("99999999999999.999999")) == "99999999999999.999999"


def test_cli_export(warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    assert (
        main(["export", "--format", "csv", "--warehouse", str(warehouse), "--out", str(out), "--table", "dim_level"])
        == 0
    )
    assert capsys.readouterr().out.strip() == str(out / "dim_level.csv")
    assert main(["export", "--format", "xlsx", "--warehouse", str(warehouse), "--out", str(out), "--table", "x"]) == 2
    assert "no table x" in capsys.readouterr().err


# OWASP's CSV-injection triggers, each as the start of a project or indicator name.
HOSTILE = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", '=HYPERLINK("http://x")']


@pytest.fixture
def hostile_warehouse(tmp_path: Path) -> Path:
    """Marts whose text cells start with formula triggers, beside negative numbers and a seed row '=100%'."""
    path = tmp_path / "hostile.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        """
        CREATE SCHEMA marts;
        CREATE TABLE marts.fct_project (project_name VARCHAR, indicator_name VARCHAR,
            budget_adjusted_wan_yuan DECIMAL(20,6), execution_rate_pct DECIMAL(9,4), staff INTEGER);
        COMMENT ON COLUMN marts.fct_project.project_name IS 'Project name as written (项目名称).';
        COMMENT ON COLUMN marts.fct_project.budget_adjusted_wan_yuan IS 'Adjusted budget (全年预算数), 万元.';
        COMMENT ON COLUMN marts.fct_project.execution_rate_pct IS 'Execution rate (预算执行率), %.';
        CREATE TABLE marts.indicator_comparators (key VARCHAR, wording VARCHAR, example VARCHAR);
        INSERT INTO marts.indicator_comparators VALUES ('=', '=', '=100%'), ('≥', '不低于', '不低于90%');
        """
    )
    con.executemany(
        "INSERT INTO marts.fct_project VALUES (?, ?, ?, ?, ?)",
        [(name, name, Decimal("-12.5"), Decimal("-3.25"), -7) for name in HOSTILE],
    )
    con.close()
    return path


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/"))


def test_csv_neutralises_formula_text_and_keeps_numbers(hostile_warehouse: Path, tmp_path: Path) -> None:
    written = export.export_tables(hostile_warehouse, "csv", tmp_path / "out", labels="en")
    by_name = {p.stem: p for p in written}
    with by_name["fct_project"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["project_name"] for r in rows] == ["'" + name for name in HOSTILE]
    assert [r["indicator_name"] for r in rows] == ["'" + name for name in HOSTILE]
    assert {(r["budget_adjusted_wan_yuan"], r["execution_rate_pct"], r["staff"]) for r in rows} == {
        ("-12.5", "-3.25", "-7")
    }
    with by_name["indicator_comparators"].open(encoding="utf-8-sig", newline="") as handle:
        seeds = list(csv.reader(handle))
    assert seeds[1] == ["'=", "'=", "'=100%"] and seeds[2] == ["≥", "不低于", "不低于90%"]


def test_xlsx_writes_formula_text_as_quoted_text_and_numbers_as_numbers(
    hostile_warehouse: Path, tmp_path: Path
) -> None:
    [path] = export.export_tables(hostile_warehouse, "xlsx", tmp_path / "out")
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml, "no cell of any sheet is a formula"
    book = load_workbook(path)
    sheet = book["fct_project"]
    names = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in names] == HOSTILE  # the exact text, shown as typed
    assert all(c.data_type == "s" and c.quotePrefix for c in names)
    amounts = [sheet.cell(row=r, column=3) for r in range(2, 2 + len(HOSTILE))]
    assert all(c.value == -12.5 and c.data_type == "n" for c in amounts)
    seeds = book["indicator_comparators"]
    assert seeds.cell(row=2, column=3).value == "=100%" and seeds.cell(row=2, column=3).quotePrefix
    assert not seeds.cell(row=3, column=3).quotePrefix


def test_parquet_keeps_hostile_text_exact(hostile_warehouse: Path, tmp_path: Path) -> None:
    [path] = export.export_tables(hostile_warehouse, "parquet", tmp_path / "out", ["fct_project"])
    names = [r[0] for r in duckdb.connect().execute(f"SELECT project_name FROM '{path}'").fetchall()]
    assert names == HOSTILE  # a typed format: text is text to every Parquet reader


def test_xlsx_is_ready_to_hand_on(hostile_warehouse: Path, warehouse: Path, tmp_path: Path) -> None:
    [path] = export.export_tables(hostile_warehouse, "xlsx", tmp_path / "out")
    sheet = load_workbook(path)["fct_project"]
    header = [c.value for c in sheet[1]]
    assert header == ["项目名称", "indicator_name", "全年预算数（万元）", "预算执行率（%）", "staff"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:E{len(HOSTILE) + 1}"
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=4).number_format == "0.00"
    assert sheet.cell(row=2, column=5).number_format == "General"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDE"]
    assert widths[0] >= export.display_width("+cmd|' /C calc'!A0") and widths[2] >= export.display_width(
        "全年预算数（万元）"
    )
    assert all(export.MIN_WIDTH <= w <= export.MAX_WIDTH for w in widths)
    [english] = export.export_tables(hostile_warehouse, "xlsx", tmp_path / "en", labels="en")
    assert [c.value for c in load_workbook(english)["fct_project"][1]][:3] == [
        "project_name",
        "indicator_name",
        "budget_adjusted_wan_yuan",
    ]


def test_workbook_puts_the_marts_first() -> None:
    tables = [
        "refresh_log",
        "dim_year",
        "fct_budget",
        "quality_checks",
        "mart_report",
        "mart_department_year",
        "indicator_comparators",
        "fct_report",
        "mart_project_year",
    ]
    assert export.reading_order(tables) == [
        "mart_department_year",
        "mart_report",
        "mart_project_year",
        "fct_budget",
        "fct_report",
        "dim_year",
        "quality_checks",
        "indicator_comparators",
        "refresh_log",
    ]


@pytest.mark.parametrize(
    ("column", "description", "label"),
    [
        (
            "budget_total_wan_yuan",
            "Total budget after in-year adjustments (全年预算数), all funds, 万元.",
            "全年预算数（万元）",
        ),
        (
            "execution_rate_pct",
            "Budget execution rate (预算执行率), %: the stated rate (执行率/支出率).",
            "预算执行率（%）",
        ),
        ("item", "total (全年预算数 after in-year adjustments), revenue_total (本年收入/收入总额) (项目).", "项目"),
        ("fund_scope", "all_funds unless scoped: general_public_budget (一般公共预算) (资金范围).", "资金范围"),
        ("quality_status", "pass, warn or fail (质量状态): the worst severity (error → fail).", "质量状态"),
        ("rating_zh", "Display label of rating (等级名称) 优秀 / 中等（合格/一般）, from dim_rating.", "等级名称"),
        ("run_id", None, "run_id"),
        ("note", "An English description only.", "note"),
    ],
)
def test_column_label_is_the_chinese_term_of_the_dbt_description(column: str, description: str, label: str) -> None:
    assert export.column_label(column, description, "zh") == label
    assert export.column_label(column, description, "en") == column


def test_headers_shared_by_two_columns_name_their_column() -> None:
    comments = {"a_is_derived": "True when derived (推算).", "b_is_derived": "True when derived (推算)."}
    assert export.headers(["a_is_derived", "b_is_derived"], comments, "zh") == [
        "推算 [a_is_derived]",
        "推算 [b_is_derived]",
    ]


def test_cli_export_requires_a_format_and_takes_labels(hostile_warehouse: Path, tmp_path: Path) -> None:
    govperf = str(Path(sys.executable).with_name("govperf"))
    missing = subprocess.run([govperf, "export", "--warehouse", str(hostile_warehouse)], capture_output=True, text=True)
    assert missing.returncode == 2 and "--format" in missing.stderr
    done = subprocess.run(
        [
            govperf,
            "export",
            "--format",
            "xlsx",
            "--labels",
            "en",
            "--warehouse",
            str(hostile_warehouse),
            "--out",
            str(tmp_path / "cli"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "cli" / export.WORKBOOK_NAME)
    assert load_workbook(tmp_path / "cli" / export.WORKBOOK_NAME).sheetnames == ["fct_project", "indicator_comparators"]
