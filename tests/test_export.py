"""``govperf export``: every format written from a tiny warehouse and read back (fast)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from dagster_project import export
from dagster_project.cli import main

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
    [path] = export.export_tables(warehouse, "csv", tmp_path / "out", ["marts.fct_budget"])
    assert path.name == "fct_budget.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [Decimal(r["amount_wan_yuan"]) if r["amount_wan_yuan"] else None for r in rows] == AMOUNTS
    assert rows[0]["ingested_at"] == "2026-01-02 03:04:05"
    assert [r["is_primary"] for r in rows] == ["true", "false", "", "true"]
    assert rows[2]["item"] == '初始,"预算"'


def test_default_exports_every_table_and_view_of_the_marts_only(warehouse: Path, tmp_path: Path) -> None:
    written = export.export_tables(warehouse, "csv", tmp_path / "out")
    assert sorted(p.name for p in written) == ["dim_level.csv", "fct_budget.csv", "v_levels.csv"]


def test_parquet_keeps_decimal_types_and_values(warehouse: Path, tmp_path: Path) -> None:
    [path] = export.export_tables(warehouse, "parquet", tmp_path / "out", ["fct_budget"])
    con = duckdb.connect()
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{path}')").fetchall())
    assert types["amount_wan_yuan"] == "DECIMAL(20,6)"
    assert [r[0] for r in con.execute(f"SELECT amount_wan_yuan FROM '{path}'").fetchall()] == AMOUNTS


def test_xlsx_has_a_sheet_per_table_comments_as_header_notes_and_exact_values(warehouse: Path, tmp_path: Path) -> None:
    [path] = export.export_tables(warehouse, "xlsx", tmp_path / "out", ["fct_budget", "dim_level"])
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
