"""One table reader over the cells of a normalised report.

A report's tables reach the parser in three shapes, all read here as one stream of ``Cell``s:

* pipe tables, one row per line (``| 总额 | 312.46 | 327.15 |``), including tables a PDF or web page
  flattened to one cell per line with a trailing ``|`` (normalisation joins those lines, the pipes
  stay the cell boundaries);
* one cell per line with no separator at all (``人员编制`` / ``21`` / ``实有人数`` / ``21``);
* cells run together on one line, where a DOCX or PDF export glued the header words and left the
  numbers as space-separated runs (``年初预算数全年预算数全年执行数 年度资金总额:0 0 0`` …): such a
  line is cut at every vocabulary wording and around every run of two or more numbers.

On that stream:

* ``read_tables(text, lines)`` finds every run of column headers of the ``table_columns`` vocabulary
  (``ingest/vocab/table_columns.csv``) and pairs it with the value runs that follow: each row is a
  label cell followed by one value cell per column (``Table.cell(row_label, column_key)``); a header
  run followed directly by values is a one-row table with the empty label. Indicator tables
  (一级/二级/三级指标 …) are positional: one cell per column, the first cell is the row label.
* ``field_value(cells, key)`` reads a form field of the ``form_fields`` vocabulary: the value in the
  same cell after ``:``, or in the next non-empty cell.

Everything keeps its offsets in the normalised text, so every fact read from a table has a source.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from ingest.documents.grids import CELL_UNIT, Grid, GridCell, line_above, pipe_cells, pipe_grids
from ingest.text.segment import Line
from ingest.vocab.vocabulary import entries, key_of, wordings

# A value cell: a number (thousands commas allowed) with an optional % or comparator, or a blank
# placeholder: "312.46", "100.00%", "1,234.5", "≥ 95%", "/", "-", "" (an empty cell).
_VALUE_CELL = re.compile(
    r"""^(?:
        (?:[≥≤=<>]\s*)?-?\d[\d,]*(?:\.\d+)?\s*%?   # a number, maybe with comparator and percent
      | [/\-—]                                    # a placeholder for "not applicable"
      | )$""",
    re.VERBOSE,
)
# A plain number: "312.46", "1,234.5", "0".
_NUMBER = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^-?\d+(?:\.\d+)?$")
# Two or more numbers separated by spaces (or only by the % of the one before, as normalisation leaves
# "99.0% 9.9"), as a flattened table row leaves them: "0 0 0 10 0 0", "1,310 99.0%9.9".
_RUN_NUMBER = r"\d[\d,]{0,24}(?:\.\d{1,12})?%?"  # bounded: ",1,1,1…" is not scanned from every digit
_VALUE_RUN = re.compile(rf"(?<![\d.]){_RUN_NUMBER}(?:(?:[ \t]+|(?<=%)){_RUN_NUMBER})+(?![\d.])")
# A cheap test for a possible value run: a digit, then a space or %, then a digit.
_MAYBE_RUN = re.compile(r"\d(?:[ \t]+|%)\d")
# A unit stated in a header or corner cell: "年度预算数(万元)", "项目资金(万元)", "单位:万元".
UNIT_IN_CELL = re.compile(r"\((?P<unit>亿元|万元|元)\)|单位\s*:\s*(?P<unit2>亿元|万元|元)")
# What a header cell may carry around its wording: a unit, points "(分)" / "(10分)", a leading year.
_HEADER_DECORATION = re.compile(r"\((?:亿元|万元|元|\d{0,3}(?:\.\d+)?分)\)|^(?:19|20)\d{2}年度?")
# What a field label may carry: a trailing colon, "(盖章)", "(分)".
_FIELD_DECORATION = re.compile(r"\((?:盖章|分|万元)\)|[::]$")
# Text columns take any cell (a reason written in words), not only values.
_TEXT_COLUMNS = frozenset({"reason", "criteria", "level1", "level2", "level3", "nature", "measure_unit"})
_MAX_LABEL = 24
# No header or field label is longer (with its decoration) than this.
_MAX_HEADER = 20
# Rows that close a table's body: "合计", "总计", "总分".
_END_ROWS = frozenset({"合计", "总计", "总分"})


@dataclass(frozen=True)
class Cell:
    """One cell: its stripped text and its offsets in the normalised text."""

    text: str
    start: int
    end: int

    @property
    def is_value(self) -> bool:
        """A number, a percentage, a placeholder or an empty cell."""
        return _VALUE_CELL.match(self.text) is not None

    @property
    def number(self) -> Decimal | None:
        """The cell as a plain number (thousands commas removed), else None."""
        if not _NUMBER.match(self.text):
            return None
        try:
            return Decimal(self.text.replace(",", ""))
        except InvalidOperation:
            return None

    @property
    def percent(self) -> Decimal | None:
        """The cell as a percentage ("100.00%"), else None."""
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", self.text)
        return Decimal(match.group(1)) if match else None


@dataclass(frozen=True)
class Row:
    """A row label and its cells, one per column of the table (None where the row stops early)."""

    label: Cell
    values: tuple[Cell | None, ...]


@dataclass(frozen=True)
class Table:
    """Column keys (vocabulary ``table_columns``), the header cells and the rows under them."""

    columns: tuple[str, ...]
    headers: tuple[Cell, ...]
    rows: tuple[Row, ...]
    unit: str | None
    start: int
    end: int
    corner: Cell | None = None
    unit_cell: Cell | None = None

    def row(self, label: str | re.Pattern[str]) -> Row | None:
        """The first row whose label (without "其中:" and a trailing colon) matches ``label``."""
        for row in self.rows:
            bare = row_label(row.label.text)
            if (bare == label) if isinstance(label, str) else label.search(bare):
                return row
        return None

    def value(self, row: Row, column_key: str) -> Cell | None:
        """The cell of ``row`` under the first column with key ``column_key``."""
        return row.values[self.columns.index(column_key)] if column_key in self.columns else None

    def cell(self, label: str | re.Pattern[str], column_key: str) -> Cell | None:
        """The cell of row ``label`` under the first column with key ``column_key``."""
        row = self.row(label)
        if row is None or column_key not in self.columns:
            return None
        return row.values[self.columns.index(column_key)]


def row_label(text: str) -> str:
    """A row label without "其中:" and a trailing colon: "其中:财政资金" → "财政资金"."""
    return re.sub(r"^其中\s*:?", "", text).rstrip(": ").strip()


def column_key(text: str) -> str | None:
    """The canonical column of a header cell: "全年预算数(万元)" → ``budget_adjusted``."""
    if not text or len(text) > _MAX_HEADER:
        return None
    return _column_key(text)


def field_key(text: str) -> str | None:
    """The canonical form field of a label cell: "实施单位(盖章)" → ``implementing_unit``."""
    if not text or len(text) > _MAX_HEADER:
        return None
    return _field_key(text)


# The form and table readers ask about the same short cells many times per report (each field a
# pass over the cells): the answers are pure functions of the text, kept for the commonest ones.
@lru_cache(maxsize=1 << 16)
def _column_key(text: str) -> str | None:
    return key_of("table_columns", _HEADER_DECORATION.sub("", text).strip())


@lru_cache(maxsize=1 << 16)
def _field_key(text: str) -> str | None:
    return key_of("form_fields", _FIELD_DECORATION.sub("", text).strip())


def _vocabulary_pattern() -> re.Pattern[str]:
    words = sorted({w for _, w in wordings("table_columns")} | {w for _, w in wordings("form_fields")},
                   key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(re.escape(w) for w in words)})(?:\((?:亿元|万元|元|分|%|盖章)\))?")


_VOCAB_PATTERN = VOCABULARY_PATTERN = _vocabulary_pattern()


def _split_glued(text: str, start: int) -> list[Cell]:
    """Cut a line with no separators at vocabulary wordings and around runs of numbers."""
    runs = _VALUE_RUN.finditer(text) if _MAYBE_RUN.search(text) else ()
    cuts: list[tuple[int, int]] = [(m.start(), m.end()) for m in runs]
    if len(_VOCAB_PATTERN.findall(text)) >= 2:
        cuts += [(m.start(), m.end()) for m in _VOCAB_PATTERN.finditer(text)
                 if not any(a <= m.start() < b for a, b in cuts)]
    if not cuts:
        return [Cell(text.strip(), start, start + len(text))]
    out: list[Cell] = []
    pos = 0
    for a, b in sorted(cuts):
        if a < pos:
            continue
        if text[pos:a].strip():
            out.append(Cell(text[pos:a].strip(), start + pos, start + a))
        piece = text[a:b]
        if _VALUE_RUN.fullmatch(piece):
            for m in re.finditer(_RUN_NUMBER, piece):
                out.append(Cell(m.group(0), start + a + m.start(), start + a + m.end()))
        else:
            out.append(Cell(piece, start + a, start + b))
        pos = b
    if text[pos:].strip():
        out.append(Cell(text[pos:].strip(), start + pos, start + len(text)))
    return out


def _split_pipes(text: str, start: int) -> list[Cell]:
    """Cells of a line with | separators, as a pipe row's grid cells (``grids.pipe_cells``)."""
    return [Cell(cell.text, cell.start, cell.end) for cell in pipe_cells(text, start)]


def cells_of(lines: Iterable[Line]) -> list[Cell]:
    """The cell stream of a text: pipe cells, glued lines cut at vocabulary, else a line per cell."""
    out: list[Cell] = []
    for line in lines:
        if not line.text.strip():
            continue
        if "|" in line.text:
            out.extend(_split_pipes(line.text, line.start))
        else:
            out.extend(_split_glued(line.text, line.start))
    return out


def _header_run(cells: list[Cell], i: int) -> int:
    """Length of the run of column-header cells starting at ``i`` (not counting a corner cell)."""
    j = i
    while j < len(cells) and column_key(cells[j].text) not in (None, "corner"):
        j += 1
    return j - i


def _label_like(cell: Cell) -> bool:
    return (bool(cell.text) and not cell.is_value and len(cell.text) <= _MAX_LABEL
            and not re.search(r"[。;]", cell.text) and column_key(cell.text) is None)


def _take_row(cells: list[Cell], i: int, columns: tuple[str, ...]) -> tuple[tuple[Cell | None, ...], int]:
    """The cells of one row starting at ``i``: values, and any cell under a text column."""
    values: list[Cell | None] = []
    while i < len(cells) and len(values) < len(columns):
        cell = cells[i]
        text_column = columns[len(values)] in _TEXT_COLUMNS
        if not (cell.is_value or (text_column and not _label_like(cell))):
            break
        values.append(cell)
        i += 1
    if not any(v is not None and v.text and columns[k] not in _TEXT_COLUMNS for k, v in enumerate(values)):
        return (), i
    return tuple(values) + (None,) * (len(columns) - len(values)), i


def _unit(cells: list[Cell], header_start: int) -> tuple[str, Cell] | None:
    """The money unit stated in a header cell or in the two cells before the header run, and that cell."""
    for cell in cells[max(0, header_start - 2):header_start + 12]:
        match = UNIT_IN_CELL.search(cell.text)
        if match:
            return match.group("unit") or match.group("unit2"), cell
    return None


def _read_rows(cells: list[Cell], i: int, columns: tuple[str, ...]) -> tuple[list[Row], int]:
    rows: list[Row] = []
    while i < len(cells):
        while i < len(cells) and not cells[i].text and not rows:
            i += 1
        if i >= len(cells):
            break
        if not rows and cells[i].is_value:
            label = Cell("", cells[i].start, cells[i].start)
            values, j = _take_row(cells, i, columns)
        elif _label_like(cells[i]):
            label = cells[i]
            values, j = _take_row(cells, i + 1, columns)
        else:
            break
        if not values:
            break
        rows.append(Row(label, values))
        i = j
        while i < len(cells) and not cells[i].text:
            i += 1
    return rows, i


def _row_fit(chunk: list[Cell], columns: tuple[str, ...]) -> int:
    """How well cells fit a positional row: -1 when the name is not text or a weight or score cell is
    not a value; else one point for a non-empty first cell and for each cell of a value column
    (指标值, 完成值, 权重, 得分) that is a value, so a row read one cell off scores lower."""
    name = chunk[columns.index("level3")]
    if not _label_like(name) or not all(chunk[k].is_value for k, key in enumerate(columns)
                                        if key in ("weight", "score")):
        return -1
    return bool(chunk[0].text) + sum(chunk[k].is_value and bool(chunk[k].text) for k, key in enumerate(columns)
                                     if key in ("target", "actual", "weight", "score"))


def _positional_row(cells: list[Cell], i: int, columns: tuple[str, ...]) -> int | None:
    """Where the next row of a positional table starts: at ``i``, or after up to two stray empty
    cells a merged cell left (the start whose cells fit the columns best), or None: no row there."""
    best: tuple[int, int] | None = None
    for skip in range(3):
        start = i + skip
        chunk = cells[start:start + len(columns)]
        if len(chunk) < len(columns) or any(c.text for c in cells[i:start]):
            break
        if row_label(chunk[0].text) in _END_ROWS:
            break
        fit = _row_fit(chunk, columns)
        if fit >= 0 and (best is None or fit > best[0]):
            best = (fit, start)
    return best[1] if best else None


def _read_positional_rows(cells: list[Cell], i: int, columns: tuple[str, ...]) -> tuple[list[Row], int]:
    """Rows of a table whose leading columns are text (一级/二级/三级指标 …): ``len(columns)`` cells each."""
    rows: list[Row] = []
    while True:
        start = _positional_row(cells, i, columns)
        if start is None:
            return rows, i
        chunk = tuple(cells[start:start + len(columns)])
        rows.append(Row(chunk[0], chunk))
        i = start + len(columns)


def read_tables(text: str, lines: list[Line], cells: list[Cell] | None = None) -> list[Table]:
    """Every table of the text: a run of two or more column headers and the rows that follow it.

    A table whose columns include 三级指标 is positional (every row has one cell per column, the
    row label is its first cell); any other table has a label cell and then the values. Pass
    ``cells`` when the caller already has ``cells_of(lines)``."""
    cells = cells if cells is not None else cells_of(lines)
    tables: list[Table] = []
    i = 0
    while i < len(cells):
        width = _header_run(cells, i)
        if width < 2:
            i += 1
            continue
        headers = tuple(cells[i:i + width])
        columns = tuple(column_key(c.text) or "" for c in headers)
        reader = _read_positional_rows if "level3" in columns else _read_rows
        rows, end = reader(cells, i + width, columns)
        if rows:
            last = rows[-1].values[-1] or rows[-1].label
            unit = _unit(cells, i)
            corner = cells[i - 1] if i > 0 and column_key(cells[i - 1].text) == "corner" else None
            tables.append(Table(columns, headers, tuple(rows), unit[0] if unit else None, headers[0].start,
                                max(last.end, headers[-1].end), corner, unit[1] if unit else None))
        i = max(end, i + width)
    return tables


@cache
def _inline_field(key: str) -> re.Pattern[str]:
    """A field label of ``key`` and its value in one cell: "部门名称:某县某局", "自评得分(分):90"."""
    labels = "|".join(re.escape(w) for k, w in wordings("form_fields") if k == key)
    return re.compile(rf"(?:{labels})(?:\((?:盖章|分)\))?\s*:\s*(?P<value>\S.*)$")


def field_value(cells: list[Cell], key: str) -> Cell | None:
    """The value of the first form field ``key`` (vocabulary ``form_fields``) that has one:
    "主管部门 | 某县某局" (next non-empty cell) or "部门名称:某县某局" (same cell)."""
    inline = _inline_field(key)
    for i, cell in enumerate(cells):
        labelled = field_key(cell.text) == key
        if not labelled and ":" not in cell.text:
            continue  # neither the label nor an inline "label:value" (the pattern needs a ":")
        if i > 0 and column_key(cells[i - 1].text):
            continue  # a column header of a table ("| 分值 | 自评得分 |"), not a form field
        if labelled:
            nxt = next((c for c in cells[i + 1:i + 3] if c.text), None)
            if nxt is not None and field_key(nxt.text) is None and column_key(nxt.text) is None:
                value = nxt.text.lstrip(": ")
                return Cell(value, nxt.end - len(value), nxt.end) if value else None
            continue
        match = inline.match(cell.text)
        if match:
            return Cell(match.group("value").strip(), cell.start + match.start("value"), cell.end)
    return None


# ---------------------------------------------------------------- grids: flattened tables


def _grid_cell(cell: Cell | None, at: int) -> GridCell:
    return GridCell(cell.text, cell.start, cell.end) if cell is not None else GridCell("", at, at)


def flat_grids(text: str, tables: list[Table]) -> list[Grid]:
    """The tables of the cell stream (``read_tables``) as grids: a header row (the corner cell, if
    any, over the row labels) and one row per label and its values; a positional table as its
    header and its rows. Only a run of known column headers with value rows under it becomes one."""
    out = []
    for table in tables:
        positional = "level3" in table.columns
        header = [_grid_cell(c, c.start) for c in table.headers]
        if not positional:
            header.insert(0, _grid_cell(table.corner, table.start))
        rows = [header]
        for row in table.rows:
            at = row.label.end
            values = [_grid_cell(v, at) for v in row.values]
            rows.append(values if positional else [_grid_cell(row.label, row.label.start), *values])
        unit = table.unit_cell
        above = (GridCell(unit.text, unit.start, unit.end) if unit is not None and unit.end <= table.start
                 and unit is not table.corner else line_above(text, table.start))
        width = max(len(r) for r in rows)
        grid_rows = tuple(tuple(r) + tuple(GridCell("", r[-1].end, r[-1].end) for _ in range(width - len(r)))
                          for r in rows)
        out.append(Grid(grid_rows, tuple(len(r) for r in rows), above, "flat"))
    return out


# ---------------------------------------------------------------- grids: header resolution

# A cell that only states the unit of the table: "单位:万元", "(金额单位:元)".
_UNIT_ONLY = re.compile(r"^\(?(?:金额)?单位\s*:\s*(?:亿元|万元|元)\)?$")
# Points in a header or block label are a maximum: "预算执行情况(10分)", "绩效指标(90分)".
_POINTS = re.compile(r"\((?P<points>\d{1,3}(?:\.\d+)?)分\)", re.ASCII)


def cell_unit(text: str) -> str | None:
    """The money unit a cell states, if any: "项目资金(万元)" → 万元."""
    match = CELL_UNIT.search(text)
    return (match.group("u1") or match.group("u2")) if match else None


def cell_points(text: str) -> Decimal | None:
    """The points a header or label states as its maximum: "预算执行情况(10分)" → 10."""
    match = _POINTS.search(text)
    return Decimal(match.group("points")) if match else None


@dataclass(frozen=True)
class Column:
    """A column of a section: its vocabulary key (``table_columns``; None for a label column), its
    header cells top to bottom (a merged group header once), the money unit and the points its
    header states."""

    index: int
    key: str | None
    header: tuple[str, ...]
    unit: str | None
    max_points: Decimal | None
    percent: bool


@dataclass(frozen=True)
class Section:
    """A header band of a grid (one or more header rows: a group header over its columns) and the
    rows under it up to the next band. The first ``stub`` columns hold the row labels (a block
    label merged down the rows, then the row's own label); ``unit`` is the money unit stated for
    the whole block: in a label over the row labels, a unit row of the table, or the caption."""

    grid: Grid
    header_rows: tuple[int, ...]
    columns: tuple[Column, ...]
    stub: int
    body: tuple[int, ...]
    unit: str | None
    max_points: Decimal | None
    row_labels: tuple[tuple[GridCell, ...], ...]

    @property
    def keys(self) -> tuple[str | None, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def start(self) -> int:
        """Where the section's header band starts in the report text."""
        return min((c.start for r in self.header_rows for c in self.grid.rows[r] if c.text), default=0)

    def cell(self, r: int, c: int) -> GridCell:
        return self.grid.rows[r][c]

    def column(self, key: str) -> Column | None:
        """The first column with vocabulary key ``key``."""
        return next((c for c in self.columns if c.key == key), None)

    def labels(self, r: int) -> tuple[GridCell, ...]:
        """The distinct label cells of body row ``r``, outermost first (a blank block label carried
        down from the row above)."""
        return self.row_labels[r - self.body[0]]  # the body is a run of rows

    def label(self, r: int) -> str:
        """The innermost label of body row ``r`` without "其中:" and a trailing colon."""
        labels = self.labels(r)
        return row_label(labels[-1].text) if labels else ""

    def value(self, r: int, key: str) -> GridCell | None:
        """The cell of body row ``r`` under the first column with key ``key``."""
        column = self.column(key)
        return self.grid.rows[r][column.index] if column is not None else None

    def unit_of(self, r: int, column: Column) -> str | None:
        """The money unit of a value: its column's header, else a label of its row, else the block's."""
        if column.unit:
            return column.unit
        for cell in self.labels(r):
            if unit := cell_unit(cell.text):
                return unit
        return self.unit


@lru_cache(maxsize=1 << 16)
def _header_key(text: str) -> str | None:
    return column_key(text.strip())


def _keys(row: tuple[GridCell, ...]) -> list[str | None]:
    return [_header_key(c.text) if c.text and len(c.text) <= _MAX_HEADER + 8 else None for c in row]


def _has_values(row: tuple[GridCell, ...]) -> bool:
    return any(c.number is not None or c.percent is not None for c in row)


def _is_header_row(row: tuple[GridCell, ...], keys: list[str | None]) -> bool:
    """Two or more distinct column keys and no figure: "项目资金(万元) | 年初预算数 | 全年预算数 | …"."""
    return len({k for k in keys if k and k != "corner"}) >= 2 and not _has_values(row)


def _is_band_row(row: tuple[GridCell, ...], keys: list[str | None]) -> bool:
    """A row that may stand in a header band: some key (a group header such as 年度预算数(万元)
    counts), no figure."""
    return any(keys) and not _has_values(row)


def _distinct(cells: list[GridCell]) -> tuple[GridCell, ...]:
    out: list[GridCell] = []
    for cell in cells:
        if cell.text and not cell.is_blank and all(cell.text != o.text for o in out):
            out.append(cell)
    return tuple(out)


def _columns(grid: Grid, band: list[int], keys: list[list[str | None]]) -> tuple[Column, ...]:
    columns = []
    for c in range(grid.width):
        cells = _distinct([grid.rows[r][c] for r in band])
        found = [keys[r][c] for r in band if keys[r][c]]
        key = next((k for k in reversed(found) if k != "corner"), "corner" if found else None)
        units = [u for cell in cells if (u := cell_unit(cell.text))]
        points = [p for cell in cells if (p := cell_points(cell.text)) is not None]
        columns.append(Column(c, key, tuple(cell.text for cell in cells), units[-1] if units else None,
                              points[-1] if points else None, any("%" in cell.text for cell in cells)))
    return tuple(columns)


def _row_labels(grid: Grid, body: list[int], stub: int) -> tuple[tuple[GridCell, ...], ...]:
    """Each body row's label cells; a blank outer label is carried down from the row above."""
    out = []
    carried: list[GridCell | None] = [None] * stub
    for r in body:
        row = grid.rows[r]
        for c in range(stub):
            cell = row[c]
            if cell.text and not cell.is_blank:
                carried[c] = cell
            elif c == stub - 1:
                carried[c] = None
        out.append(_distinct([cell for cell in carried if cell is not None]))
    return tuple(out)


def _section_unit(grid: Grid, band: list[int], stub: int, floor: int) -> str | None:
    """A unit stated for the block: in a label cell over the row labels, in a unit row of the
    table above the band, or in the caption above the table."""
    for r in band:
        for cell in grid.rows[r][:max(stub, 1)]:
            if unit := cell_unit(cell.text):
                return unit
    for r in range(band[0] - 1, floor - 1, -1):
        for cell in grid.rows[r]:
            if _UNIT_ONLY.match(cell.text.strip()):
                return cell_unit(cell.text)
    return cell_unit(grid.above.text) if grid.above is not None else None


def sections(grid: Grid) -> list[Section]:
    """The header bands of a grid and the rows under each (see ``Section``)."""
    keys = [_keys(row) for row in grid.rows]
    heads = [r for r, row in enumerate(grid.rows) if _is_header_row(row, keys[r])]
    bands: list[list[int]] = []
    for r in heads:
        if bands and r <= bands[-1][-1] + 1:
            if r == bands[-1][-1] + 1:
                bands[-1].append(r)
            continue
        top = r
        floor = bands[-1][-1] + 1 if bands else 0
        while top - 1 >= floor and _is_band_row(grid.rows[top - 1], keys[top - 1]):
            top -= 1
        band = list(range(top, r + 1))
        while band[-1] + 1 < len(grid.rows) and band[-1] + 1 not in heads and _is_band_row(
                grid.rows[band[-1] + 1], keys[band[-1] + 1]):
            band.append(band[-1] + 1)
        bands.append(band)
    out = []
    for n, band in enumerate(bands):
        end = bands[n + 1][0] if n + 1 < len(bands) else len(grid.rows)
        body = list(range(band[-1] + 1, end))
        columns = _columns(grid, band, keys)
        stub = next((c.index for c in columns if c.key not in (None, "corner")), 0)
        floor = bands[n - 1][-1] + 1 if n else 0
        points = [p for r in band for cell in grid.rows[r][:max(stub, 1)] if (p := cell_points(cell.text))]
        out.append(Section(grid, tuple(band), columns, stub, tuple(body),
                           _section_unit(grid, band, stub, floor), points[0] if points else None,
                           _row_labels(grid, body, stub)))
    return out


def row_cells(grid: Grid, r: int) -> list[GridCell]:
    """The cells row ``r`` really states (padding of a short pipe row left out), merged repeats once."""
    out: list[GridCell] = []
    for cell in grid.rows[r][:grid.widths[r]]:
        if out and cell.text and cell.text == out[-1].text and cell.start == out[-1].start:
            continue
        out.append(cell)
    return out


# ---------------------------------------------------------------- every table of a report


def _inside(pos: int, ranges: list[tuple[int, int]]) -> bool:
    """Whether ``pos`` lies in one of the sorted, non-overlapping ``ranges``."""
    k = bisect.bisect_right(ranges, (pos, float("inf"))) - 1
    return k >= 0 and ranges[k][0] <= pos < ranges[k][1]


def _row_stream(grid: Grid) -> list[Cell]:
    """A document table's cells in reading order, a merged value once per row."""
    out: list[Cell] = []
    for row in grid.rows:
        previous = None
        for cell in row:
            if cell.text and cell.text != previous:
                out.append(Cell(cell.text, cell.start, cell.end))
            previous = cell.text or previous
    return out


def report_tables(text: str, lines: list[Line], documents: Sequence[Grid] = ()) -> tuple[list[Cell], list[Grid]]:
    """The report's cell stream (form fields are read from it) and every table as a grid: the
    document's own tables (``documents``, placed in ``text``), the pipe tables of the text, and the
    tables flattened into the text that the header vocabulary reads with certainty (a flattened table
    inside a pipe table is read there unless the pipe table resolves no header)."""
    taken = sorted((g.start, g.end + 1) for g in documents if g.rows)
    free = [ln for ln in lines if not _inside(ln.start, taken)] if taken else lines
    cells = cells_of(free)
    if documents:
        cells = sorted(cells + [c for g in documents for c in _row_stream(g)], key=lambda c: c.start)
    pipes = pipe_grids(text, lines, taken)
    claimed = sorted(taken + [(g.start, g.end + 1) for g in pipes
                              if any(_is_header_row(row, _keys(row)) for row in g.rows)])
    flats = [g for g in flat_grids(text, read_tables(text, lines, cells))
             if not _inside(g.start, claimed)]
    return cells, [*documents, *pipes, *flats]


# ---------------------------------------------------------------- flattened forms rebuilt into rows

# The leading columns of an indicator table whose merged cells a flattened row leaves out.
_LEAD_COLUMNS = frozenset({"level1", "level2"})
# Columns whose cells are figures in every indicator or score row (the anchor of a flattened row).
_FIGURE_COLUMNS = frozenset({"weight", "score"})
# Between two sections of one flattened form (the goal rows, a table the vocabulary does not know)
# at most this many cells, none longer than a cell: a longer line is prose.
_MAX_LOOSE_CELLS = 60
_MAX_CELL_CHARS = 120
# The name of a first- or second-level indicator: "产出指标", "社会效益指标", "满意度指标(10分)".
_LEVEL_NAME = re.compile(r"指标$")
# A target or result cell is short: "≥95%", "2021年12月底前"; a nature or unit cell shorter: "定性", "人次".
_MAX_SHORT_CELL = 40
_MAX_UNIT_CELL = 4


@dataclass(frozen=True)
class FlatTable:
    """A form flattened to one cell per line, rebuilt into rows: each cell is its text and the index
    of the line it came from (None for a cell the flattening left empty); a merged cell repeats in
    every position it covers (a block label down its rows, a total label across). The table spans
    lines ``[first, end)`` of the lines it was read from."""

    first: int
    end: int
    rows: tuple[tuple[tuple[str, int | None], ...], ...]


@cache
def _total_row_words() -> dict[str, str]:
    """Labels of total and rating rows (``table_rows.csv`` keys ``score.total`` and ``rating.*``)."""
    out: dict[str, str] = {}
    for key, wording in entries("table_rows"):
        what = key.partition(".")[0]
        if key == "score.total" or what == "rating":
            out.setdefault(wording, what)
    return out


def _row_word(text: str) -> str | None:
    """``score`` or ``rating`` when a cell is the label of a total or rating row: "总分", "合计", "自评等级"."""
    if len(text) > _MAX_HEADER:
        return None
    return _total_row_words().get(_HEADER_DECORATION.sub("", row_label(text)).strip())


def _next_run(cells: list[Cell], i: int) -> int | None:
    """Where the next run of two or more column headers starts, at or after ``i``."""
    while i < len(cells):
        width = _header_run(cells, i)
        if width >= 2:
            return i
        i += max(width, 1)
    return None


def _band_start(cells: list[Cell], run: int, floor: int) -> int:
    """Where a section's header band starts: corner cells (a block label, a group header) before the
    run, or one label cell just before it that is not a field's value (a block label the vocabulary
    does not know, 财政供养人员情况)."""
    start = run
    while start > floor and column_key(cells[start - 1].text) == "corner":
        start -= 1
    if start == run and start > floor and _block_label(cells[start - 1]) \
            and (start - 1 == floor or field_key(cells[start - 2].text) is None):
        start -= 1
    return start


def _block_label(cell: Cell) -> bool:
    """A label that may head a block of rows: no field label, no figure beside its unit or points (not the
    year line ``(2021年度)``), not a table's title (…表)."""
    bare = _HEADER_DECORATION.sub("", cell.text)
    return (_label_like(cell) and field_key(cell.text) is None and not re.search(r"\d", bare)
            and not bare.endswith("表"))


def _region_start(cells: list[Cell], band: int, floor: int) -> int:
    """The first cell of a flattened form: its fields (label, value) just before the first band."""
    start = band
    while start - 2 >= floor and field_key(cells[start - 2].text) and not cells[start - 1].is_value \
            and field_key(cells[start - 1].text) is None and column_key(cells[start - 1].text) is None:
        start -= 2
    return start


def _fits(cell: Cell, key: str) -> bool:
    """Whether a cell can stand under a column of an indicator or score table."""
    text = cell.text
    if key in _LEAD_COLUMNS or key == "level3":  # a name may be a column's wording too (预算执行率)
        return bool(text) and len(text) <= _MAX_SHORT_CELL and not cell.is_value and not re.search(r"[。;]", text)
    if key in _FIGURE_COLUMNS:
        return cell.number is not None
    if key in ("reason", "criteria") and _LEVEL_NAME.search(_HEADER_DECORATION.sub("", text)):
        return False  # the next row's 二级指标 (质量指标), its own reason left empty
    if key in ("nature", "measure_unit"):  # "≥", "定性"; "人次", "%", "/"
        return len(text) <= _MAX_UNIT_CELL and not re.search(r"\d", text)
    if key in ("target", "actual"):
        return len(text) <= _MAX_SHORT_CELL and column_key(text) is None and _row_word(text) is None
    return len(text) <= _MAX_CELL_CHARS and column_key(text) is None


def _positional_options(keys: tuple[str, ...]) -> list[tuple[int, int]]:
    """(lead cells left out, trailing text cells left out) a flattened row may have."""
    lead = 0
    while lead < len(keys) and keys[lead] in _LEAD_COLUMNS:
        lead += 1
    trailing = (0, 1) if keys[-1] in _TEXT_COLUMNS else (0,)
    return [(m, t) for m in range(lead + 1) for t in trailing]


def _row_at(cells: list[Cell], i: int, keys: tuple[str, ...], m: int, t: int) -> bool:
    chunk = cells[i:i + len(keys) - m - t]
    return len(chunk) == len(keys) - m - t and all(_fits(c, k) for c, k in zip(chunk, keys[m:len(keys) - t],
                                                                            strict=True))


def _flat_positional_rows(cells: list[Cell], i: int, keys: tuple[str, ...]) -> tuple[list[list[Cell | None]], int]:
    """Rows of an indicator or score table flattened to one cell per line: each row is the columns
    after the merged lead cells it leaves out (carried down from the row above) and perhaps without an
    empty trailing reason; of the ways a row fits, the one after which the next row fits too."""
    options = _positional_options(keys)
    rows: list[list[Cell | None]] = []
    while i < len(cells) and _row_word(cells[i].text) is None:
        fitting = [(m, t) for m, t in options if (m == 0 or rows) and _row_at(cells, i, keys, m, t)]
        if not fitting:
            break

        def next_fits(option: tuple[int, int], at: int = i) -> bool:
            j = at + len(keys) - option[0] - option[1]
            return j >= len(cells) or _row_word(cells[j].text) is not None or any(
                _row_at(cells, j, keys, m, t) for m, t in options)

        m, t = max(fitting, key=lambda o: (next_fits(o), -o[1], -o[0]))
        width = len(keys) - m - t
        carried: list[Cell | None] = list(rows[-1][:m]) if rows else [None] * m
        rows.append([*carried, *cells[i:i + width], *([None] * t)])
        i += width
    return rows, i


def _end_rows(cells: list[Cell], i: int, keys: tuple[str, ...]) -> tuple[list[list[Cell | None]], int]:
    """Total and rating rows after a section (总分 | 100 | 88.60 | /, 自评等级 | 良): the label merged
    across the left, the figures ending under the section's last figure column (得分), a placeholder
    after them under the text column that follows (a reason); the rating in the last column."""
    columns = ("", *keys)  # the first column holds the block label
    last = max((k for k, key in enumerate(columns) if key and key not in _TEXT_COLUMNS), default=len(columns) - 1)
    rows: list[list[Cell | None]] = []
    while i < len(cells) and (what := _row_word(cells[i].text)):
        label, j = cells[i], i + 1
        if what == "rating":
            j += 1 if j < len(cells) and len(cells[j].text) <= 4 else 0
            rows.append([label] * (len(columns) - (j - i - 1)) + cells[i + 1:j])
            i = j
            continue
        while j < len(cells) and j - i < len(columns) and cells[j].is_value:
            j += 1
        values = cells[i + 1:j]
        figures = len(values)
        while figures and values[figures - 1].number is None:
            figures -= 1
        tail = values[figures:][:len(columns) - 1 - last]
        row: list[Cell | None] = [label] * (last + 1 - figures) + values[:figures] + tail
        rows.append(row + [None] * (len(columns) - len(row)))
        i = j
    return rows, i


def _section_rows(cells: list[Cell], band: int, run: int) -> tuple[list[list[Cell | None]], int]:
    """A section of a flattened form: its header rows (a block label in the first column, group
    headers over the columns), body rows and total rows."""
    width = _header_run(cells, run)
    headers = cells[run:run + width]
    keys = tuple(column_key(c.text) or "" for c in headers)
    block, groups = (cells[band], cells[band + 1:run]) if band < run else (None, [])
    rows: list[list[Cell | None]] = [[block, *([g] * width)] for g in groups]
    rows.append([block, *headers])
    if "level3" in keys:
        body, i = _flat_positional_rows(cells, run + width, keys)
        rows += [[block, *row] for row in body]
    else:
        found, i = _read_rows(cells, run + width, keys)
        rows += [[row.label if row.label.text else block, *row.values] for row in found]
        if not found:
            return [], run + width
    ends, i = _end_rows(cells, i, keys)
    return rows + ends, i


def flat_tables(lines: Sequence[str]) -> list[FlatTable]:
    """The forms flattened to one cell per line in ``lines`` (each line one cell, already normalised),
    rebuilt into rows with the form vocabulary: a run of two or more column headers (``table_columns``)
    opens a section, with the fields (``form_fields``: label, value) and block label before it; its rows
    are a label and one value per column, or, in an indicator or score table, one cell per column
    with the merged cells left out carried down; total and rating rows close it. Sections of one form
    follow each other with at most a few short cells between them (the goal rows)."""
    cells = [Cell(text.strip(), n, n) for n, text in enumerate(lines)]
    out: list[FlatTable] = []
    floor = 0
    run = _next_run(cells, 0)
    while run is not None:
        band = _band_start(cells, run, floor)
        first = _region_start(cells, band, floor)
        rows: list[list[Cell | None]] = [[cells[k], cells[k + 1]] for k in range(first, band, 2)]
        end, found = band, 0
        while run is not None:
            section, after = _section_rows(cells, band, run)
            if not section:
                break
            rows += [[cells[k]] for k in range(end, band)] + section
            end, found = after, found + 1
            run = _next_run(cells, end)
            if run is None or run - end > _MAX_LOOSE_CELLS or any(
                    len(c.text) > _MAX_CELL_CHARS for c in cells[end:run]):
                break
            band = _band_start(cells, run, end)
        if found:
            width = max(len(r) for r in rows)
            out.append(FlatTable(first, end, tuple(
                tuple((c.text, c.start) if c is not None else ("", None) for c in r) + (("", None),) * (width - len(r))
                for r in rows)))
            floor = end
        else:
            floor = run + 1
        run = _next_run(cells, floor)
    return out
