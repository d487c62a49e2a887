"""Pages of paragraphs and ruled tables (from a text layer or a scan) into the document model.

A table that runs over a page break is one table: when a page's last table is continued by the next
page's first table (same columns; only short lines such as page numbers between them), the header rows
the next page repeats are dropped and a block label merged down at the foot of the first page carries on
into the empty cells below it. Rows are then expanded (a merged cell's text and place repeated in every
position it covers) and leading or trailing single-valued rows (a title inside the ruling) become
paragraphs, as every reader does (``model.table_blocks``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.documents.grid import GridCell, RuledTable, expand
from ingest.documents.model import Block, Page, Provenance, TableRow, bbox_locator, table_blocks

# Lines this short (page numbers, running heads) between a table and its continuation are ignored.
_SHORT_LINE = 12
# Column positions of a table and its continuation agree within this many points.
_COLUMN_TOL = 3.0


@dataclass(frozen=True)
class PageTable:
    """A ruled table found on a page, in points with ``y`` down from the top of the page."""

    table: RuledTable
    page: str
    height: float
    low_confidence: float = 0.0


PageItem = Block | PageTable


def _top(item: PageItem, height: float) -> float:
    if isinstance(item, PageTable):
        return item.table.ys[0]
    locator = item.prov.locator or ""
    if locator.startswith("bbox("):
        return height - float(locator[5:-1].split(",")[3])
    return 0.0


def in_reading_order(paragraphs: list[Block], tables: list[PageTable], height: float) -> list[PageItem]:
    """A page's paragraphs and tables sorted top to bottom."""
    items: list[PageItem] = [*paragraphs, *tables]
    return sorted(items, key=lambda item: _top(item, height))


@dataclass
class _Pos:
    """One grid position of an expanded table: its text, where it is, and the cell it belongs to."""

    text: str
    prov: Provenance
    cell: tuple[str, int, int]  # page, row, col of the covering cell
    merged_down: bool  # the covering cell spans more than one row


def _rows(item: PageTable) -> list[list[_Pos]]:
    h = item.height

    def pos(cell: GridCell) -> _Pos:
        x0, top, x1, bottom = cell.box
        low = cell.confidence is not None and cell.confidence < item.low_confidence
        prov = Provenance(item.page, bbox_locator(x0, h - bottom, x1, h - top),
                          None if cell.confidence is None else round(cell.confidence, 4), low)
        return _Pos(cell.text, prov, (item.page, cell.row, cell.col), cell.rowspan > 1)

    return [[pos(cell) for cell in row] for row in expand(item.table)]


@dataclass
class _Table:
    """A table being assembled, possibly from parts on several pages."""

    xs: tuple[float, ...]
    rows: list[list[_Pos]]
    row_provs: list[Provenance]
    prov: Provenance


def _start(item: PageTable) -> _Table:
    t, h = item.table, item.height
    provs = [Provenance(item.page, bbox_locator(t.xs[0], h - t.ys[r + 1], t.xs[-1], h - t.ys[r]))
             for r in range(t.n_rows)]
    x0, top, x1, bottom = t.box
    return _Table(t.xs, _rows(item), provs, Provenance(item.page, bbox_locator(x0, h - bottom, x1, h - top)))


def _has(xs: tuple[float, ...], x: float) -> bool:
    return any(abs(x - y) <= _COLUMN_TOL for y in xs)


def _columns_continue(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Same outer edges, and one part's column lines all among the other's (a page may lack a line that
    only rows on the other page draw)."""
    if abs(a[0] - b[0]) > _COLUMN_TOL or abs(a[-1] - b[-1]) > _COLUMN_TOL:
        return False
    return all(_has(b, x) for x in a) or all(_has(a, x) for x in b)


def _regrid(rows: list[list[_Pos]], xs: tuple[float, ...], union: tuple[float, ...]) -> list[list[_Pos]]:
    """Rows over the columns ``xs`` spread over the finer columns ``union``: a cell crossing a line it
    did not draw covers both columns, like any merged cell."""
    source = [max(i for i in range(len(xs) - 1) if xs[i] <= (union[j] + union[j + 1]) / 2 + _COLUMN_TOL)
              for j in range(len(union) - 1)]
    return [[row[i] for i in source] for row in rows]


def _continue(table: _Table, item: PageTable) -> None:
    """Append the next page's part: repeated header rows dropped, cut block labels carried on."""
    part = _start(item)
    union = tuple(sorted(table.xs + tuple(x for x in part.xs if not _has(table.xs, x))))
    if union != table.xs:
        table.rows = _regrid(table.rows, table.xs, union)
    part.rows = _regrid(part.rows, part.xs, union)
    table.xs = union
    texts = [[p.text for p in row] for row in table.rows]
    repeated = 0
    while repeated < len(part.rows) - 1 and repeated < len(texts) and \
            [p.text for p in part.rows[repeated]] == texts[repeated]:
        repeated += 1
    rows, provs = part.rows[repeated:], part.row_provs[repeated:]
    last = table.rows[-1]
    for c, above in enumerate(last):
        if not above.merged_down or not rows or rows[0][c].text:
            continue
        cut = rows[0][c].cell
        for row in rows:
            if row[c].cell != cut:
                break
            row[c] = _Pos(above.text, above.prov, above.cell, True)
    table.rows.extend(rows)
    table.row_provs.extend(provs)


def _only_short_lines(items: list[PageItem]) -> bool:
    return all(isinstance(i, Block) and len(i.text.replace("\n", "")) <= _SHORT_LINE for i in items)


def _blocks(table: _Table) -> list[Block]:
    rows = [TableRow(tuple(p.text for p in row), prov, tuple(p.prov for p in row))
            for row, prov in zip(table.rows, table.row_provs, strict=True) if any(p.text for p in row)]
    return table_blocks(rows, table.prov)


def assemble(pages: list[tuple[str, list[PageItem]]]) -> list[Page]:
    """Pages of items (in reading order) as model pages; a table continued on the next page is read as
    one table, placed on the page where it starts."""
    out: list[tuple[str, list[Block | _Table]]] = []
    open_table: _Table | None = None
    for label, items in pages:
        blocks: list[Block | _Table] = []
        tables = [i for i, item in enumerate(items) if isinstance(item, PageTable)]
        for i, item in enumerate(items):
            if isinstance(item, Block):
                blocks.append(item)
                continue
            if open_table is not None and i == tables[0] and _only_short_lines(items[:i]) \
                    and _columns_continue(open_table.xs, item.table.xs):
                _continue(open_table, item)
            else:
                open_table = _start(item)
                blocks.append(open_table)
            if i != tables[-1] or not _only_short_lines(items[i + 1:]):
                open_table = None
        if not tables:
            open_table = None
        out.append((label, blocks))
    return [Page(label, tuple(b for item in blocks for b in (_blocks(item) if isinstance(item, _Table) else [item])))
            for label, blocks in out]
