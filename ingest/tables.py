"""One table reader over the cells of a normalised report.

A report's tables reach the parser in three shapes, all read here as one stream of ``Cell``s:

* pipe tables, one row per line (``| 总额 | 238.93 | 251.89 |``), including tables a PDF or web page
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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from ingest.segment import Line
from ingest.vocabulary import key_of, wordings

# A value cell: a number (thousands commas allowed) with an optional % or comparator, or a blank
# placeholder: "238.93", "100.00%", "1,234.5", "≥ 95%", "/", "-", "" (an empty cell).
_VALUE_CELL = re.compile(
    r"""^(?:
        (?:[≥≤=<>]\s*)?-?\d[\d,]*(?:\.\d+)?\s*%?   # a number, maybe with comparator and percent
      | [/\-—]                                    # a placeholder for "not applicable"
      | )$""",
    re.VERBOSE,
)
# A plain number: "238.93", "1,234.5", "0".
_NUMBER = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^-?\d+(?:\.\d+)?$")
# Two or more numbers separated by spaces (or only by the % of the one before, as normalisation leaves
# "99.0% 9.9"), as a flattened table row leaves them: "0 0 0 10 0 0", "1,310 99.0%9.9".
_RUN_NUMBER = r"\d[\d,]{0,24}(?:\.\d{1,12})?%?"  # bounded: ",1,1,1…" is not scanned from every digit
_VALUE_RUN = re.compile(rf"(?<![\d.]){_RUN_NUMBER}(?:(?:[ \t]+|(?<=%)){_RUN_NUMBER})+(?![\d.])")
# A cheap test for a possible value run: a digit, then a space or %, then a digit.
_MAYBE_RUN = re.compile(r"\d(?:[ \t]+|%)\d")
# A unit stated in a header or corner cell: "年度预算数(万元)", "项目资金(万元)", "单位:万元".
UNIT_IN_CELL = re.compile(r"\((?P<unit>亿元|万元|元)\)|单位\s*:\s*(?P<unit2>亿元|万元|元)")
# What a header cell may carry around its wording: a unit, "(%)" or "(分)", a leading year.
_HEADER_DECORATION = re.compile(r"\((?:亿元|万元|元|分)\)|^(?:19|20)\d{2}年度?")
# What a field label may carry: a trailing colon, "(盖章)", "(分)".
_FIELD_DECORATION = re.compile(r"\((?:盖章|分|万元)\)|[::]$")
# Text columns take any cell (a reason written in words), not only values.
_TEXT_COLUMNS = frozenset({"reason", "level1", "level2", "level3", "nature", "measure_unit"})
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
    """Cells of a line with | separators; a leading or trailing | closes no cell."""
    pieces, pos = [], 0
    for piece in text.split("|"):
        pieces.append((piece, pos))
        pos += len(piece) + 1
    if text.lstrip().startswith("|"):
        pieces = pieces[1:]
    if text.rstrip().endswith("|"):
        pieces = pieces[:-1]
    out = []
    for piece, offset in pieces:
        stripped = piece.strip()
        lead = len(piece) - len(piece.lstrip())
        out.append(Cell(stripped, start + offset + lead, start + offset + lead + len(stripped)))
    return out


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


def _unit(cells: list[Cell], header_start: int) -> str | None:
    """The money unit stated in a header cell or in the two cells before the header run."""
    for cell in cells[max(0, header_start - 2):header_start + 12]:
        match = UNIT_IN_CELL.search(cell.text)
        if match:
            return match.group("unit") or match.group("unit2")
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
            tables.append(Table(columns, headers, tuple(rows), _unit(cells, i), headers[0].start,
                                max(last.end, headers[-1].end)))
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
