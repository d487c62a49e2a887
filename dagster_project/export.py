"""Export warehouse tables as files analysts open elsewhere: CSV (Excel), xlsx, Parquet.

- CSV: one file per table, UTF-8 with a byte-order mark so Excel on Chinese Windows shows the
  characters; decimals written as their exact digits, NULL as an empty field.
- xlsx: one workbook, one sheet per table; each header cell carries the column's comment (from the
  dbt descriptions) as a cell note. A decimal is written as a number when a spreadsheet number
  (a double) holds it exactly, else as text with the exact digits.
- Parquet: one file per table through DuckDB, decimals stay DECIMAL.

The warehouse is opened read-only and closed afterwards, so an export never blocks a refresh.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb

Format = Literal["csv", "parquet", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "parquet", "xlsx")
EXPORT_SCHEMA = "marts"
WORKBOOK_NAME = "govperf.xlsx"
XLSX_MAX_ROWS = 1_048_576  # rows of one sheet, header included
SHEET_NAME_MAX = 31
BATCH_ROWS = 10_000


def available_tables(con: duckdb.DuckDBPyConnection, schema: str = EXPORT_SCHEMA) -> list[str]:
    """Tables and views of ``schema``, by name."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? "
        "UNION SELECT view_name FROM duckdb_views() WHERE schema_name = ? AND NOT internal ORDER BY 1",
        [schema, schema],
    ).fetchall()
    return [row[0] for row in rows]


def resolve_tables(requested: Sequence[str] | None, available: Sequence[str], schema: str = EXPORT_SCHEMA) -> list[str]:
    """The tables to export: all of ``available`` when none are requested; ``schema.`` prefixes allowed.

    Raises ValueError naming the unknown tables and the ones that exist.
    """
    if not requested:
        return list(available)
    names = [name.removeprefix(f"{schema}.") for name in requested]
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ValueError(f"no table {', '.join(unknown)} in schema {schema}; tables: {', '.join(available)}")
    return list(dict.fromkeys(names))


def column_comments(con: duckdb.DuckDBPyConnection, table: str, schema: str = EXPORT_SCHEMA) -> dict[str, str]:
    """{column: comment} for the columns of ``schema.table`` that have one."""
    rows = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? AND comment IS NOT NULL AND comment <> ''",
        [schema, table],
    ).fetchall()
    return dict(rows)


def _quoted(schema: str, table: str) -> str:
    return f'"{schema}"."{table.replace(chr(34), chr(34) * 2)}"'


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    cursor = con.execute(f"SELECT * FROM {relation}")
    header = [d[0] for d in cursor.description]

    def batches() -> Iterator[tuple[Any, ...]]:
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield from batch

    return header, batches()


def csv_field(value: Any) -> str:
    """A value as CSV text: exact decimal digits, ISO dates, lower-case booleans, '' for NULL."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def xlsx_value(value: Any) -> Any:
    """A value a spreadsheet cell holds without loss: a Decimal a double cannot hold exactly becomes text."""
    if isinstance(value, Decimal):
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, bool | int | float | str | dt.datetime | dt.date | dt.time) or value is None:
        return value
    return str(value)


def sheet_names(tables: Sequence[str]) -> dict[str, str]:
    """{table: sheet name}: names cut to Excel's 31 characters, made unique with a numeric suffix."""
    names: dict[str, str] = {}
    for table in tables:
        name, n = table[:SHEET_NAME_MAX], 1
        while name in names.values():
            n += 1
            suffix = f"~{n}"
            name = table[: SHEET_NAME_MAX - len(suffix)] + suffix
        names[table] = name
    return names


def _write_csv(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> None:
    header, rows = _rows(con, relation)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([csv_field(v) for v in row] for row in rows)


def _write_parquet(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> None:
    target = str(path).replace("'", "''")
    con.execute(f"COPY (SELECT * FROM {relation}) TO '{target}' (FORMAT parquet)")


def _write_xlsx(con: duckdb.DuckDBPyConnection, tables: Sequence[str], schema: str, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment

    for table in tables:
        (count,) = con.execute(f"SELECT count(*) FROM {_quoted(schema, table)}").fetchone()
        if count + 1 > XLSX_MAX_ROWS:
            raise ValueError(f"{schema}.{table} has {count} rows, more than a sheet holds; export it as csv or parquet")
    book = Workbook(write_only=True)
    for table, name in sheet_names(tables).items():
        sheet = book.create_sheet(name)
        comments = column_comments(con, table, schema)
        header, rows = _rows(con, _quoted(schema, table))
        cells = []
        for column in header:
            cell = WriteOnlyCell(sheet, value=column)
            if column in comments:
                cell.comment = Comment(comments[column], "govperf")
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append([xlsx_value(v) for v in row])
    book.save(path)


def export_tables(
    warehouse: Path,
    fmt: Format,
    out_dir: Path,
    tables: list[str] | None = None,
    schema: str = EXPORT_SCHEMA,
) -> list[Path]:
    """Write ``tables`` (default: every table of ``schema``) of ``warehouse`` as ``fmt`` files in ``out_dir``.

    Returns the files written: one per table for csv and parquet, one workbook for xlsx.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        chosen = resolve_tables(tables, available_tables(con, schema), schema)
        if fmt == "xlsx":
            path = out_dir / WORKBOOK_NAME
            _write_xlsx(con, chosen, schema, path)
            return [path]
        written = []
        for table in chosen:
            path = out_dir / f"{table}.{fmt}"
            (_write_csv if fmt == "csv" else _write_parquet)(con, _quoted(schema, table), path)
            written.append(path)
        return written


def add_export_command(sub: argparse._SubParsersAction) -> None:
    """Register ``govperf export --format csv|parquet|xlsx [--out DIR] [--table T ...] [--warehouse PATH]``."""
    export = sub.add_parser("export", help="write the marts as csv, parquet or xlsx files (read-only)")
    export.add_argument("--format", choices=FORMATS, required=True, help="file format")
    export.add_argument("--out", type=Path, default=Path("data/export"), help="output dir (default data/export)")
    export.add_argument("--table", action="append", help="a table of the marts schema (repeatable; default all)")
    export.add_argument(
        "--warehouse", type=Path, help="published file (default $GOVPERF_WAREHOUSE or data/warehouse.duckdb)"
    )
    export.set_defaults(func=run_export_command)


def run_export_command(args: argparse.Namespace) -> int:
    """The ``govperf export`` subcommand: 0 when written, 2 for an unknown table or a missing warehouse."""
    from dagster_project.settings import Settings

    warehouse = Settings.resolve(warehouse=args.warehouse).warehouse
    try:
        written = export_tables(warehouse, args.format, args.out, args.table)
    except (ValueError, FileNotFoundError) as exc:
        print(f"govperf export: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
