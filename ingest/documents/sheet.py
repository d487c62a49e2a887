"""Spreadsheet reader (python-calamine): .xlsx, .xlsm, .xls and .ods, one page per sheet.

calamine (Rust) reads every spreadsheet format in one fast, dependency-free wheel, including the
old binary .xls that openpyxl cannot. Merged ranges are expanded (the top-left value repeated in
every cell); each row is a table row whose locator is its cell range (``A5:H5``), each cell placed by
its reference (``C5``) or merged range (``C5:C8``).

calamine gives values, not formats: a rate stored as the fraction 0.9833 and shown as ``98.33%`` would
read as 0.9833. The cells with a percent number format are found from the styles (openpyxl for
.xlsx/.xlsm, xlrd for .xls) and read as the sheet shows them.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import python_calamine

from ingest.documents.limits import DocumentError, Limits
from ingest.documents.model import Block, Document, Page, Provenance, TableRow, table_blocks
from ingest.documents.ziplimit import check_package

ZIP_KINDS = frozenset({".xlsx", ".xlsm", ".ods"})
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
# A cell reference in SpreadsheetML: <c r="AB12" ...>.
_CELL_REF = re.compile(rb"""
    <c \s [^>]{0,128}? \b r="  # a cell element's reference attribute (bounded: no run-away scan)
    (?P<col> [A-Z]{1,3})       # column letters
    (?P<row> [0-9]{1,7})       # row number
""", re.X)


def column_name(index: int) -> str:
    """0-based column index to spreadsheet letters: 0 → A, 27 → AB."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


# A percent number format and its decimals: "0%", "0.00%", "#,##0.0%".
_PERCENT_FORMAT = re.compile(r"0(?:\.(?P<decimals>0+))?%")
Percents = dict[str, dict[tuple[int, int], int]]
"""Per sheet name, the 0-based (row, column) of every cell with a percent format and its decimals."""


def _decimals(number_format: str | None) -> int | None:
    match = _PERCENT_FORMAT.search(number_format or "")
    return len(match.group("decimals") or "") if match else None


def _percent_cells(data: bytes, suffix: str) -> Percents:
    """The cells a workbook formats as percentages (only those matter: calamine reads the rest)."""
    out: Percents = {}
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in workbook.worksheets:
                found = out.setdefault(sheet.title, {})
                for row in sheet.iter_rows():
                    for cell in row:
                        if isinstance(getattr(cell, "value", None), (int, float)):
                            decimals = _decimals(cell.number_format)
                            if decimals is not None:
                                found[(cell.row - 1, cell.column - 1)] = decimals
        finally:
            workbook.close()
    elif suffix == ".xls":
        import xlrd

        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
        try:
            for index in range(book.nsheets):
                sheet = book.sheet_by_index(index)
                found = out.setdefault(sheet.name, {})
                for r in range(sheet.nrows):
                    for c, cell in enumerate(sheet.row(r)):
                        if cell.ctype == xlrd.XL_CELL_NUMBER:
                            fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key)
                            decimals = _decimals(fmt.format_str if fmt else None)
                            if decimals is not None:
                                found[(r, c)] = decimals
                book.unload_sheet(index)
        finally:
            book.release_resources()
    return out


def _cell_text(value: object, percent: int | None = None) -> str:
    """A value as the sheet shows it: a whole float without its point, a percent-formatted fraction as
    a percentage with the format's decimals (0.9833 in ``0.00%`` → ``98.33%``)."""
    if percent is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{(Decimal(repr(value)) * 100).quantize(Decimal(1).scaleb(-percent))}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def check_xlsx_extent(data: bytes, max_cells: int) -> None:
    """Refuse an .xlsx/.xlsm whose worksheet spans more than ``max_cells`` cells, judged from the
    cell references in its XML before calamine (which allocates the whole range) opens it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not _WORKSHEET.fullmatch(name):
                continue
            rows, cols = [], []
            for m in _CELL_REF.finditer(archive.read(name)):
                rows.append(int(m["row"]))
                cols.append(_column_number(m["col"]))
            if rows and (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1) > max_cells:
                raise DocumentError(f"worksheet {name.rsplit('/', 1)[-1]} spans rows {min(rows)}–{max(rows)} and "
                                    f"{max(cols) - min(cols) + 1} columns, over the {max_cells}-cell limit")


def _expand(grid: list[list[str]], merged: list, start: tuple[int, int], max_cells: int) -> dict[tuple[int, int], str]:
    """Copy each merged range's top-left value into every cell it covers (in place); at most
    ``max_cells`` cells are added in all (a hostile merge over a whole sheet cannot blow up the grid).
    Returns the merged range (``C5:C8``) of every covered cell, by 0-based grid position."""
    budget = max_cells
    ranges: dict[tuple[int, int], str] = {}
    for (r0, c0), (r1, c1) in merged:
        ref = f"{column_name(c0)}{r0 + 1}:{column_name(c1)}{r1 + 1}"
        r0, r1, c0, c1 = r0 - start[0], r1 - start[0], c0 - start[1], c1 - start[1]
        r1 = min(r1, len(grid) - 1)
        if not (0 <= r0 < len(grid)) or c0 < 0 or c1 < c0:
            continue
        budget -= (r1 - r0 + 1) * (c1 - c0 + 1)
        if budget < 0:
            raise DocumentError(f"merged cells expand to more than {max_cells} cells, over the cell limit")
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, r1 + 1):
            grid[r].extend([""] * (c1 + 1 - len(grid[r])))
            for c in range(c0, c1 + 1):
                grid[r][c] = value
                ranges[(r, c)] = ref
    return ranges


def _sheet_blocks(sheet: python_calamine.CalamineSheet, limits: Limits,
                  percents: dict[tuple[int, int], int]) -> list[Block]:
    """A sheet's used rows as one table over the columns any row uses (so cells stay in their columns),
    leading and trailing single-valued rows (title, year, unit line) as paragraphs; each row's locator is
    the range of its filled cells, each cell's its own reference or merged range."""
    if sheet.height * sheet.width > limits.max_sheet_cells:
        raise DocumentError(f"sheet {sheet.name!r} spans {sheet.height}×{sheet.width} cells, over the "
                            f"{limits.max_sheet_cells}-cell limit")
    start = sheet.start or (0, 0)
    grid = [[_cell_text(v, percents.get((start[0] + r, start[1] + c))) for c, v in enumerate(row)]
            for r, row in enumerate(sheet.to_python(skip_empty_area=False))]
    merged = _expand(grid, sheet.merged_cell_ranges or [], start, limits.max_sheet_cells)
    filled = {r: [c for c, value in enumerate(cells) if value] for r, cells in enumerate(grid)}
    filled = {r: cols for r, cols in filled.items() if cols}
    if not filled:
        return []
    lo, hi = min(cols[0] for cols in filled.values()), max(cols[-1] for cols in filled.values())
    rows = []
    for r, cols in filled.items():
        row_no = start[0] + r + 1
        ref = f"{column_name(start[1] + cols[0])}{row_no}:{column_name(start[1] + cols[-1])}{row_no}"
        cells = grid[r] + [""] * (hi + 1 - len(grid[r]))
        provs = tuple(Provenance(sheet.name, merged.get((r, c)) or f"{column_name(start[1] + c)}{row_no}")
                      for c in range(lo, hi + 1))
        rows.append(TableRow(tuple(cells[lo:hi + 1]), Provenance(sheet.name, ref), provs))
    return table_blocks(rows, Provenance(sheet.name, None))


def read_sheet(data: bytes, suffix: str, *, limits: Limits) -> Document:
    """Every sheet as a table (its title rows as paragraphs), rows with their cell ranges."""
    if suffix in ZIP_KINDS:
        check_package(data, limits.max_unzipped_bytes, suffix[1:].upper())
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx_extent(data, limits.max_sheet_cells)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        percents = _percent_cells(data, suffix)
        pages = []
        for name in workbook.sheet_names:
            pages.append(Page(name, tuple(_sheet_blocks(workbook.get_sheet_by_name(name), limits,
                                                        percents.get(name, {})))))
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(f"corrupt or unreadable spreadsheet ({type(exc).__name__}: {exc})") from exc
    return Document("sheet", tuple(pages))
