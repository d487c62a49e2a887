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
    """One table row: cell texts with merged cells expanded (a merged value repeats in every cell)."""

    cells: tuple[str, ...]
    prov: Provenance


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


def bbox_locator(x0: float, y0: float, x1: float, y1: float) -> str:
    """``bbox(x0,y0,x1,y1)`` rounded to whole points."""
    return f"bbox({round(x0)},{round(y0)},{round(x1)},{round(y1)})"


@dataclass(frozen=True)
class Span:
    """Characters ``[start, end)`` of the normalised text that came from the place ``prov``."""

    start: int
    end: int
    prov: Provenance
