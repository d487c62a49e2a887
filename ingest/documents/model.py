"""The document model every reader produces: pages of blocks, each block with its provenance.

Modelled on docling-core's ``DoclingDocument`` (items with a ``prov`` of page number and bounding
box; tables as a grid of cells with spans expanded), kept to what the parser needs.

* ``page`` is a 1-based page number as a string (PDF, image), a sheet name (spreadsheet), or None
  where the format has no pages (DOCX, HTML).
* ``locator`` says where on the page: ``bbox(x0,y0,x1,y1)`` in PDF points with the origin at the
  bottom-left corner (PDF user space), a cell range such as ``C5:H5``, or ``para 12`` / ``table 2 row 5``
  for formats with neither.
* OCR blocks carry the recogniser's ``confidence`` (0..1) and ``low_confidence`` when under the
  reader's threshold; everything else has ``confidence`` None.
* A table row's ``cell_provs`` place each of its cells (a merged cell's place repeated in every position
  it covers): a box for PDF and scans, a cell or merged range (``C5``, ``C5:C8``) for spreadsheets,
  ``table N row R col C`` for DOCX and HTML, ``line N col C`` for text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "table"]


@dataclass(frozen=True)
class Provenance:
    """Where a block or table row sits in the original file."""

    page: str | None
    locator: str | None
    confidence: float | None = None
    low_confidence: bool = False


@dataclass(frozen=True)
class TableRow:
    """One table row: cell texts with merged cells expanded (a merged value repeats in every cell), where
    the row is, and where each cell is (empty when the reader cannot place cells one by one)."""

    cells: tuple[str, ...]
    prov: Provenance
    cell_provs: tuple[Provenance, ...] = ()


@dataclass(frozen=True)
class Block:
    """A heading or paragraph (``text``, lines separated by ``\\n``) or a table (``rows``)."""

    kind: BlockKind
    prov: Provenance
    text: str = ""
    rows: tuple[TableRow, ...] = ()


@dataclass(frozen=True)
class Page:
    """One page (or sheet) and its blocks in reading order."""

    label: str | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """A whole file: its pages, the reader that produced it and what that reader noticed."""

    kind: str
    pages: tuple[Page, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def single_value(cells: tuple[str, ...]) -> str | None:
    """The one value a row holds when all its non-empty cells hold the same text (a merged title row)."""
    distinct = {" ".join(c.split()) for c in cells} - {""}
    return distinct.pop() if len(distinct) == 1 else None


def table_blocks(rows: tuple[TableRow, ...] | list[TableRow], prov: Provenance) -> list[Block]:
    """A table's blocks: the rows as one table block, except leading and trailing rows that hold a single
    value (a title, the year under it, a ``单位:万元`` line, a note merged across the width), which become
    paragraphs before and after it, so a form's title reads the same whether or not it sits in the table."""
    rows = list(rows)
    first, last = 0, len(rows)
    while first < last and single_value(rows[first].cells) is not None:
        first += 1
    while last > first and single_value(rows[last - 1].cells) is not None:
        last -= 1

    def paragraph(row: TableRow) -> Block:
        return Block("paragraph", row.prov, single_value(row.cells) or "")

    blocks = [paragraph(row) for row in rows[:first]]
    if first < last:
        blocks.append(Block("table", prov, rows=tuple(rows[first:last])))
    return blocks + [paragraph(row) for row in rows[last:]]


def bbox_locator(x0: float, y0: float, x1: float, y1: float) -> str:
    """``bbox(x0,y0,x1,y1)`` rounded to whole points."""
    return f"bbox({round(x0)},{round(y0)},{round(x1)},{round(y1)})"


@dataclass(frozen=True)
class Span:
    """Characters ``[start, end)`` of the normalised text that came from the place ``prov``."""

    start: int
    end: int
    prov: Provenance
