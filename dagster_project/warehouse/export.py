"""Export warehouse tables as files analysts hand on: CSV (Excel), xlsx, Parquet.

- CSV: one file per table, UTF-8 with a byte-order mark so Excel on Chinese Windows shows the
  characters; decimals as their exact digits without padding (``1234.5``), NULL as an empty field.
- xlsx: one workbook, the marts first (``mart_department_year`` leads), then facts, dimensions,
  quality views and the rest; a bold, frozen header with a filter, columns fitted to their content,
  ``#,##0.00`` on 万元 columns and ``0.00`` on % columns; each header cell carries the column's
  comment (from the dbt descriptions) as a note. A decimal is a number when a spreadsheet number (a
  double) holds it exactly, else text with the exact digits.
- Parquet: one file per table through DuckDB, decimals stay DECIMAL, column names as in the warehouse.

Headers of CSV and xlsx are the dbt column labels in Chinese (``labels="zh"``: the Chinese term of
the column's description, see :func:`column_label`) or the warehouse's column names (``"en"``).

Text a spreadsheet would run as a formula (a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return, as OWASP lists for CSV injection) never becomes one: in CSV it gets a leading
apostrophe, in xlsx it is written as a text cell with Excel's quote prefix (shown exactly as stored,
never evaluated, also after editing). Numbers stay numbers.

The warehouse is opened read-only and closed afterwards, so an export never blocks a refresh.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb

Format = Literal["csv", "parquet", "xlsx"]
Labels = Literal["zh", "en"]
FORMATS: tuple[Format, ...] = ("csv", "parquet", "xlsx")
LABELS: tuple[Labels, ...] = ("zh", "en")
EXPORT_SCHEMA = "marts"
WORKBOOK_NAME = "govperf.xlsx"
XLSX_MAX_ROWS = 1_048_576  # rows of one sheet, header included
SHEET_NAME_MAX = 31
BATCH_ROWS = 10_000
# Tables in the order an analyst reads them: the marts, then facts, dimensions, quality, the rest.
LEADING_TABLES = ("mart_department_year", "mart_report", "mart_project_year")
PREFIX_ORDER = ("mart_", "fct_", "dim_", "quality_")
# OWASP (CSV injection): a cell starting with one of these is a formula to Excel, LibreOffice, Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT, PERCENT_FORMAT = "#,##0.00", "0.00"
UNIT_SUFFIXES = {"_wan_yuan": "万元", "_pct": "%"}
WIDTH_SAMPLE_ROWS = 1_000
MIN_WIDTH, MAX_WIDTH = 6, 60

# The Chinese term of a dbt description, written in parentheses after the English words
# ("Total budget after in-year adjustments (全年预算数), all funds, 万元").
_TERM = re.compile(
    r"""\(
        ( [\u4e00-\u9fff] [\u4e00-\u9fff/、（）]* )   # CJK words, alternatives split by / or 、
    \)""",
    re.VERBOSE,
)
# Where a description's first clause ends: the first , ; : or full stop outside parentheses.
_CLAUSE_END = re.compile(r"[,;:]|\.(?:\s|$)")


def available_tables(con: duckdb.DuckDBPyConnection, schema: str = EXPORT_SCHEMA) -> list[str]:
    """Tables and views of ``schema``, by name."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? "
        "UNION SELECT view_name FROM duckdb_views() WHERE schema_name = ? AND NOT internal ORDER BY 1",
        [schema, schema],
    ).fetchall()
    return [row[0] for row in rows]


def reading_order(tables: Iterable[str]) -> list[str]:
    """``tables`` with the marts first (LEADING_TABLES in that order), then by PREFIX_ORDER, then by name."""

    def key(name: str) -> tuple[int, int, str]:
        if name in LEADING_TABLES:
            return (0, LEADING_TABLES.index(name), name)
        rank = next((i for i, prefix in enumerate(PREFIX_ORDER) if name.startswith(prefix)), len(PREFIX_ORDER))
        return (1 + rank, 0, name)

    return sorted(tables, key=key)


def resolve_tables(requested: Sequence[str] | None, available: Sequence[str], schema: str = EXPORT_SCHEMA) -> list[str]:
    """The tables to export: all of ``available`` in reading order when none are requested, else the
    requested ones in the order given; ``schema.`` prefixes allowed.

    Raises ValueError naming the unknown tables and the ones that exist.
    """
    if not requested:
        return reading_order(available)
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


def _outside_parentheses(text: str) -> Iterator[tuple[int, str]]:
    depth = 0
    for at, char in enumerate(text):
        depth += char in "(（"
        depth -= char in ")）" and depth > 0
        if depth == 0:
            yield at, char


def chinese_term(description: str | None) -> str | None:
    """The Chinese term a dbt description gives its column: the first parenthesised CJK term of the
    first clause, else the last one of the description (e.g. '… (资金范围).' after a list of values)."""
    if not description:
        return None
    end = next(
        (at for at, _ in _outside_parentheses(description) if _CLAUSE_END.match(description, at)),
        len(description),
    )
    first = _TERM.search(description, 0, end)
    if first:
        return first.group(1)
    terms = _TERM.findall(description)
    return terms[-1] if terms else None


def column_label(column: str, description: str | None, labels: Labels) -> str:
    """A header for ``column``: its Chinese term with the unit (全年预算数（万元）) for ``zh``, when the
    description has one; else, and for ``en``, the column name."""
    term = chinese_term(description) if labels == "zh" else None
    if term is None:
        return column
    unit = next((u for suffix, u in UNIT_SUFFIXES.items() if column.endswith(suffix)), None)
    return f"{term}（{unit}）" if unit and unit not in term else term


def headers(columns: Sequence[str], comments: Mapping[str, str], labels: Labels) -> list[str]:
    """Headers of ``columns``; a label two columns would share names its column (项目 [item])."""
    found = [column_label(c, comments.get(c), labels) for c in columns]
    return [f"{label} [{c}]" if found.count(label) > 1 else label for c, label in zip(columns, found, strict=True)]


def _quoted(schema: str, table: str) -> str:
    return f'"{schema}"."{table.replace(chr(34), chr(34) * 2)}"'


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    cursor = con.execute(f"SELECT * FROM {relation}")
    header = [d[0] for d in cursor.description]

    def batches() -> Iterator[tuple[Any, ...]]:
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield from batch

    return header, batches()


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would read as a formula (starts with one of FORMULA_TRIGGERS)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula (OWASP)."""
    return "'" + text if is_formula_like(text) else text


def decimal_text(value: Decimal) -> str:
    """A decimal's exact digits without padding zeros or exponent: 1234.500000 → 1234.5, 100.0 → 100."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def csv_field(value: Any) -> str:
    """A value as CSV text: exact unpadded decimals, ISO dates, lower-case booleans, '' for NULL, and
    formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value) if isinstance(value, int | float) else neutralise(str(value))


def xlsx_value(value: Any) -> Any:
    """A value a spreadsheet cell holds without loss: a Decimal a double cannot hold exactly becomes text."""
    if isinstance(value, Decimal):
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else decimal_text(value)
    if isinstance(value, bool | int | float | str | dt.datetime | dt.date | dt.time) or value is None:
        return value
    return str(value)


def number_format(column: str) -> str | None:
    """The display format of a column by its unit suffix: ``#,##0.00`` for 万元, ``0.00`` for %."""
    if column.endswith("_wan_yuan"):
        return MONEY_FORMAT
    if column.endswith("_pct"):
        return PERCENT_FORMAT
    return None


def display_width(value: object) -> int:
    """Characters a value takes in a spreadsheet column: East Asian wide characters count twice."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_widths(header: Sequence[str], rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> list[float]:
    """Widths fitting the header and the sampled rows (money and % as formatted), within MIN/MAX_WIDTH."""
    widths = []
    for i, column in enumerate(columns):
        fmt = number_format(column)
        shown = [f"{v:,.2f}" if fmt and isinstance(v, int | float | Decimal) else v for v in (r[i] for r in rows)]
        wide = max([display_width(header[i]) + 2, *(display_width(v) for v in shown)])  # +2: the filter button
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, wide + 1))))
    return widths


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


def write_csv(handle: io.TextIOBase, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a header and rows as CSV (values through :func:`csv_field`); headers are neutralised too."""
    writer = csv.writer(handle)
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([csv_field(v) for v in row] for row in rows)


def add_sheet(
    book: Any,
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    row_count: int,
    header: Sequence[str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> None:
    """Append a sheet to a write-only openpyxl ``book``: bold frozen header with a filter over the
    ``row_count`` rows, widths fitted to the first rows, number formats by column unit, formula-like
    text as quote-prefixed text. ``header`` (default ``columns``) is shown; ``notes`` {column: text}
    become header notes."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header = list(header or columns)
    notes = notes or {}
    sheet = book.create_sheet(name)
    iterator = iter(rows)
    first = [row for _, row in zip(range(WIDTH_SAMPLE_ROWS), iterator, strict=False)]
    for i, width in enumerate(column_widths(header, first, columns), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{row_count + 1}"
    bold = Font(bold=True)
    cells = []
    for column, title in zip(columns, header, strict=True):
        cell = _text_cell(WriteOnlyCell(sheet), title)
        cell.font = bold
        if column in notes:
            cell.comment = Comment(notes[column], "govperf")
        cells.append(cell)
    sheet.append(cells)
    formats = [number_format(c) for c in columns]

    def cell(value: Any, fmt: str | None) -> Any:
        value = xlsx_value(value)
        if isinstance(value, str):
            return _text_cell(WriteOnlyCell(sheet), value)
        if fmt and isinstance(value, int | float) and not isinstance(value, bool):
            made = WriteOnlyCell(sheet, value=value)
            made.number_format = fmt
            return made
        return value

    for row in first:
        sheet.append([cell(v, f) for v, f in zip(row, formats, strict=True)])
    for row in iterator:
        sheet.append([cell(v, f) for v, f in zip(row, formats, strict=True)])


def _text_cell(cell: Any, text: str) -> Any:
    """``cell`` holding ``text`` as text: formula-like text gets Excel's quote prefix, never type formula."""
    cell.value = text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def _write_csv(con: duckdb.DuckDBPyConnection, schema: str, table: str, path: Path, labels: Labels) -> None:
    comments = column_comments(con, table, schema)  # before _rows: a new query ends the open result
    columns, rows = _rows(con, _quoted(schema, table))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        write_csv(handle, headers(columns, comments, labels), rows)


def _write_parquet(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> None:
    target = str(path).replace("'", "''")
    con.execute(f"COPY (SELECT * FROM {relation}) TO '{target}' (FORMAT parquet)")


def _write_xlsx(con: duckdb.DuckDBPyConnection, tables: Sequence[str], schema: str, path: Path, labels: Labels) -> None:
    from openpyxl import Workbook

    counts = {}
    for table in tables:
        (count,) = con.execute(f"SELECT count(*) FROM {_quoted(schema, table)}").fetchone()
        if count + 1 > XLSX_MAX_ROWS:
            raise ValueError(f"{schema}.{table} has {count} rows, more than a sheet holds; export it as csv or parquet")
        counts[table] = count
    book = Workbook(write_only=True)
    for table, name in sheet_names(tables).items():
        comments = column_comments(con, table, schema)
        columns, rows = _rows(con, _quoted(schema, table))
        add_sheet(book, name, columns, rows, counts[table], headers(columns, comments, labels), comments)
    book.save(path)


def export_tables(
    warehouse: Path,
    fmt: Format,
    out_dir: Path,
    tables: list[str] | None = None,
    schema: str = EXPORT_SCHEMA,
    labels: Labels = "zh",
) -> list[Path]:
    """Write ``tables`` (default: every table of ``schema``, marts first) of ``warehouse`` as ``fmt``
    files in ``out_dir``, with ``labels`` headers (csv, xlsx).

    Returns the files written: one per table for csv and parquet, one workbook for xlsx.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if labels not in LABELS:
        raise ValueError(f"labels must be one of {', '.join(LABELS)}, not {labels!r}")
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        chosen = resolve_tables(tables, available_tables(con, schema), schema)
        if fmt == "xlsx":
            path = out_dir / WORKBOOK_NAME
            _write_xlsx(con, chosen, schema, path, labels)
            return [path]
        written = []
        for table in chosen:
            path = out_dir / f"{table}.{fmt}"
            if fmt == "csv":
                _write_csv(con, schema, table, path, labels)
            else:
                _write_parquet(con, _quoted(schema, table), path)
            written.append(path)
        return written


def add_export_command(sub: argparse._SubParsersAction) -> None:
    """Register ``govperf export --format csv|parquet|xlsx [--labels zh|en] [--out DIR] [--table T ...]
    [--warehouse PATH]``."""
    export = sub.add_parser("export", help="write the marts as csv, parquet or xlsx files (read-only)")
    export.add_argument("--format", choices=FORMATS, required=True, help="file format (required)")
    export.add_argument(
        "--labels",
        choices=LABELS,
        default="zh",
        help="csv/xlsx headers: zh = the Chinese column labels (default), en = the column names",
    )
    export.add_argument("--out", type=Path, default=Path("data/export"), help="output dir (default data/export)")
    export.add_argument("--table", action="append", help="a table of the marts schema (repeatable; default all)")
    export.add_argument(
        "--warehouse", type=Path, help="published file (default $GOVPERF_WAREHOUSE or data/warehouse.duckdb)"
    )
    export.set_defaults(func=run_export_command)


def run_export_command(args: argparse.Namespace) -> int:
    """The ``govperf export`` subcommand: 0 when written, 2 for an unknown table or a missing warehouse."""
    from dagster_project.warehouse.settings import Settings

    warehouse = Settings.resolve(warehouse=args.warehouse).warehouse
    try:
        written = export_tables(warehouse, args.format, args.out, args.table, labels=args.labels)
    except (ValueError, FileNotFoundError) as exc:
        print(f"govperf export: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
