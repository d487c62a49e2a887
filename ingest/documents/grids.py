"""The parser's 2-D table model: a grid of cells, each placed in the normalised report text.

Every table the parser reads becomes a ``Grid`` (rows of ``GridCell``), whatever the format:

* a table block of the document model (DOCX, spreadsheets, HTML, PDF tables): ``document_grids``
  takes the reader's cells as they are (merged cells expanded by repeating the value) and places
  each in the rendered text (``ingest.documents.render.render_placed``); a cell's provenance is its
  own (``TableRow.cell_provs``) where the reader gives one, else its row's;
* a pipe table of a text report (``| a | b |`` lines): ``pipe_grids``;
* a table flattened into text (one cell per line, cells glued on a line): ``ingest.facts.tables.flat_grids``,
  only where a run of known column headers and rows of values under it make the grid certain.

A cell's ``text`` is exactly ``report_text[start:end]`` (a cell that could not be placed on its own
gets its row's range, ``text`` still the cell's). Grids travel from the document reader to the parser
as compact JSON (``grids_to_json`` / ``grids_from_json``), beside the text's spans.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ingest.documents.model import Document, Provenance, Span
from ingest.documents.render import Placed
from ingest.text.segment import Line

# Cells that mean "nothing here": empty, "/", "-", "—", "无" (unused cells of a form).
_BLANK = frozenset({"", "/", "／", "-", "--", "—", "——", "无", "\\"})
# A plain number: "312.46", "1,234.5", "-3".
_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?", re.ASCII)
# A percentage: "95%", "99.5 %"; a run of digits is entered only where it begins.
_PERCENT = re.compile(r"(?<![\d.])(?P<value>-?\d++(?:\.\d++)?)\s*+%", re.ASCII)
# A pipe row of a text report: "| 总额 | 312.46 |".
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
# A markdown rule line between header and body: "| --- | :---: |".
_RULE_ROW = re.compile(r"^\s*+\|?(?:\s*+:?-{2,}+:?\s*+\|)+\s*+:?-*+:?\s*+\|?\s*+$")  # possessive: linear
# The line above a table is its caption only when short (单位:万元, (2021年度), 表1 …); a unit line
# is looked for this many lines up.
_MAX_CAPTION = 80
_CAPTION_LINES = 3
# A money unit stated in a cell or caption: "年度预算数(万元)", "项目资金(万元)", "单位:万元", "(单位:元)".
CELL_UNIT = re.compile(r"\((?P<u1>亿元|万元|元)\)|(?:金额)?单位\s*:\s*(?P<u2>亿元|万元|元)")


@dataclass(frozen=True)
class GridCell:
    """One cell: its text, its offsets in the normalised report text, and where it sits in the file."""

    text: str
    start: int
    end: int
    page: str | None = None
    locator: str | None = None

    @property
    def is_blank(self) -> bool:
        """Empty, or a placeholder of an unused cell ("/", "-", "—", "无")."""
        return self.text.strip() in _BLANK

    @property
    def number(self) -> Decimal | None:
        """The cell as a plain number (thousands commas removed), else None."""
        text = self.text.strip()
        if not _NUMBER.fullmatch(text):
            return None
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None

    @property
    def percent(self) -> Decimal | None:
        """The cell as a percentage ("98.33%"), else None."""
        match = _PERCENT.fullmatch(self.text.strip())
        return Decimal(match.group("value")) if match else None


@dataclass(frozen=True)
class Grid:
    """A table as rows of cells of equal length (short rows padded with blank cells); ``widths`` are
    the cells each row really had (a pipe row of a text report may state fewer than its header);
    ``above`` is the caption or the line just above the table (``单位:万元``), if short."""

    rows: tuple[tuple[GridCell, ...], ...]
    widths: tuple[int, ...]
    above: GridCell | None = None
    origin: str = "text"

    def with_text(self, view: Callable[[str], str]) -> Grid:
        """The grid with every cell's text seen through ``view`` (one character for one, offsets kept)."""
        def seen(c: GridCell) -> GridCell:
            return GridCell(view(c.text), c.start, c.end, c.page, c.locator)

        return Grid(tuple(tuple(seen(c) for c in row) for row in self.rows), self.widths,
                    seen(self.above) if self.above else None, self.origin)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    @property
    def start(self) -> int:
        return min((c.start for row in self.rows for c in row if c.text), default=0)

    @property
    def end(self) -> int:
        return max((c.end for row in self.rows for c in row if c.text), default=0)


def _padded(rows: list[list[GridCell]]) -> tuple[tuple[tuple[GridCell, ...], ...], tuple[int, ...]]:
    width = max((len(r) for r in rows), default=0)
    out = []
    for row in rows:
        end = row[-1].end if row else 0
        out.append(tuple(row) + tuple(GridCell("", end, end, row[-1].page if row else None,
                                               row[-1].locator if row else None)
                                      for _ in range(width - len(row))))
    return tuple(out), tuple(len(r) for r in rows)


def _short_lines_above(text: str, start: int, limit: int) -> list[GridCell]:
    """Up to ``limit`` non-empty lines just above offset ``start``, nearest first, while each is short
    enough to be a caption and is no table row."""
    out: list[GridCell] = []
    end = text.rfind("\n", 0, start)
    while end > 0 and len(out) < limit:
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        if line.strip():
            if len(line) > _MAX_CAPTION or line.lstrip().startswith("|"):
                break
            out.append(GridCell(line, begin, end))
        end = begin - 1
    return out


def line_above(text: str, start: int) -> GridCell | None:
    """The caption of a table starting at offset ``start``: of the short lines just above it (a unit line
    may stand over the title and the year line of a form, ``单位:万元`` / title / ``(2021年度)``), the
    nearest that states a money unit, else the line just above."""
    lines = _short_lines_above(text, start, _CAPTION_LINES)
    return next((line for line in lines if CELL_UNIT.search(line.text)), lines[0] if lines else None)


# ---------------------------------------------------------------- document tables


def _cell_provs(row: object, n: int) -> tuple[Provenance, ...] | None:
    provs = getattr(row, "cell_provs", ()) or ()
    return tuple(provs) if len(provs) == n else None


def _placed_cells(texts: Sequence[str], piece: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Each cell of a rendered row placed in it: a pipe row is cut at its pipes (``render`` keeps
    none inside a cell), a row of one value gives every cell holding it that value's place; a row
    whose pipes do not match its cells (a full-width ｜ in a cell) gives every cell the row's range."""
    clean = [" ".join(t.split()) for t in texts]
    if not piece.startswith("|"):
        return [(piece, start, end) if c else ("", start, start) for c in clean]
    parts, pos = [], 1
    for part in piece[1:-1].split("|"):
        lead = len(part) - len(part.lstrip())
        stripped = part.strip()
        parts.append((stripped, start + pos + lead, start + pos + lead + len(stripped)))
        pos += len(part) + 1
    if len(parts) == len(clean):
        return parts
    return [(c, start, end) for c in clean]


def document_grids(document: Document, text: str, placed: Iterable[Placed]) -> tuple[Grid, ...]:
    """Every table block of the document as a grid placed in its rendered ``text``."""
    by_block: dict[int, list[Placed]] = {}
    order: list[int] = []
    for p in placed:
        if p.unit.row is None:
            continue
        key = id(p.unit.block)
        if key not in by_block:
            by_block[key] = []
            order.append(key)
        by_block[key].append(p)
    grids = []
    for key in order:
        rows: list[list[GridCell]] = []
        for p in by_block[key]:
            row = p.unit.block.rows[p.unit.row or 0]
            provs = _cell_provs(row, len(row.cells)) or (row.prov,) * len(row.cells)
            cells = _placed_cells(row.cells, text[p.start:p.end], p.start, p.end)
            rows.append([GridCell(t, s, e, prov.page, prov.locator)
                         for (t, s, e), prov in zip(cells, provs, strict=True)])
        grid_rows, widths = _padded(rows)
        first = by_block[key][0]
        grids.append(Grid(grid_rows, widths, line_above(text, first.start), "document"))
    return tuple(grids)


# ---------------------------------------------------------------- pipe tables of text reports


def pipe_cells(text: str, start: int) -> list[GridCell]:
    """Cells of a pipe row; a leading or trailing | closes no cell."""
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
        out.append(GridCell(stripped, start + offset + lead, start + offset + lead + len(stripped)))
    return out


def pipe_grids(text: str, lines: Sequence[Line], taken: Sequence[tuple[int, int]] = ()) -> list[Grid]:
    """Every run of two or more pipe rows (``| a | b |``) outside the ``taken`` ranges, as a grid."""
    grids: list[Grid] = []
    run: list[Line] = []

    def close() -> None:
        rows = [pipe_cells(ln.text, ln.start) for ln in run if not _RULE_ROW.match(ln.text)]
        if len(rows) >= 2:
            grid_rows, widths = _padded(rows)
            grids.append(Grid(grid_rows, widths, line_above(text, run[0].start), "pipe"))
        run.clear()

    for line in lines:
        if (line.text.lstrip().startswith("|") and _PIPE_ROW.match(line.text)
                and not any(a <= line.start < b for a, b in taken)):
            run.append(line)
        elif run:
            close()
    if run:
        close()
    return grids


# ---------------------------------------------------------------- transport


def grids_to_json(grids: Sequence[Grid] | None) -> str | None:
    """Grids as compact JSON: per grid its origin, caption and rows of [text, start, end, page, locator]."""
    if not grids:
        return None
    rows = [[g.origin, [g.above.text, g.above.start, g.above.end] if g.above else None,
             [[[c.text, c.start, c.end, c.page, c.locator] for c in row] for row in g.rows], list(g.widths)]
            for g in grids]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def grids_from_json(text: str | None) -> tuple[Grid, ...]:
    """The inverse of :func:`grids_to_json`."""
    if not text:
        return ()
    out = []
    for origin, above, rows, widths in json.loads(text):
        cells = tuple(tuple(GridCell(t, s, e, p, loc) for t, s, e, p, loc in row) for row in rows)
        out.append(Grid(cells, tuple(widths), GridCell(*above) if above else None, origin))
    return tuple(out)


def cell_spans(grids: Sequence[Grid], spans: Sequence[Span]) -> tuple[Span, ...]:
    """``spans`` with a table row's span replaced by its cells' spans where the reader gave cells a
    place of their own (``TableRow.cell_provs``), so a fact read from some cells is located at them."""
    cells = sorted({(c.start, c.end): c for grid in grids for row in grid.rows for c in row
                    if c.end > c.start}.values(), key=lambda c: c.start)
    out: list[Span] = []
    k = 0
    for span in spans:
        while k < len(cells) and cells[k].start < span.start:
            k += 1
        inside = []
        while k < len(cells) and cells[k].end <= span.end:
            inside.append(cells[k])
            k += 1
        if any((c.page, c.locator) != (span.prov.page, span.prov.locator) for c in inside):
            out.extend(Span(c.start, c.end, Provenance(c.page, c.locator, span.prov.confidence,
                                                       span.prov.low_confidence)) for c in inside)
        else:
            out.append(span)
    return tuple(out)
