"""A document as the text the parser reads, with spans mapping that text back to the file.

Paragraphs render as their lines; a table row with two or more distinct cells renders as a markdown
pipe row (``| a | b |``), which both the parser's table reading and ``normalise`` understand; a row
whose cells all hold one value (a merged title row) renders as a plain line. The text returned is
already normalised (``normalise(text) == text``), so parser offsets index it directly, and every
span indexes that same text. ``render_placed`` also says where each paragraph line and table row landed,
so the table reader can place every cell of a table block in that text (``ingest.documents.grids``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ingest.documents.model import Block, Document, Provenance, Span
from ingest.text.normalise import normalise


def _cell(text: str) -> str:
    """A cell's text on one line, with no character that would split a pipe row."""
    return " ".join(text.replace("|", "/").split())


def table_row_line(cells: tuple[str, ...]) -> str:
    """A row as one line: a pipe row, or the single value of a row that holds only one."""
    values = [_cell(c) for c in cells]
    distinct = {v for v in values if v}
    if not distinct:
        return ""
    if len(distinct) == 1:
        return distinct.pop()
    return "| " + " | ".join(values) + " |"


@dataclass(frozen=True)
class Unit:
    """One physical line of a block: a paragraph line or a table row (``row`` its index)."""

    line: str
    prov: Provenance
    block: Block
    row: int | None


@dataclass(frozen=True)
class Placed:
    """A unit and the characters ``[start, end)`` of the normalised text it became."""

    unit: Unit
    start: int
    end: int


def _units(block: Block) -> list[Unit]:
    """A block's physical lines, each with its provenance (a table row keeps its own)."""
    if block.kind == "table":
        return [Unit(table_row_line(row.cells), row.prov, block, r) for r, row in enumerate(block.rows)]
    return [Unit(line, block.prov, block, None) for line in block.text.split("\n")]


def _place(units: list[Unit], text: str) -> Iterator[Placed]:
    """Each unit's place in ``text``: normalising only drops characters and joins lines, so every
    surviving line, normalised on its own, is a substring of the text, in order."""
    cursor = 0
    for unit in units:
        piece = normalise(unit.line)
        if not piece:
            continue
        pos = text.find(piece, cursor)
        if pos < 0:
            continue
        yield Placed(unit, pos, pos + len(piece))
        cursor = pos + len(piece)


# Normalising joins lines by a line width it measures on the text, so joining may let a second pass
# join more: the text is normalised until it no longer changes (each pass only joins lines).
_MAX_PASSES = 8


def _layout(document: Document) -> tuple[str, list[Unit]]:
    units = [unit for page in document.pages for block in page.blocks for unit in _units(block)]
    text = normalise("\n".join(unit.line for unit in units))
    for _ in range(_MAX_PASSES):
        again = normalise(text)
        if again == text:
            break
        text = again
    return text, units


def render_placed(document: Document) -> tuple[str, list[Span], list[Placed]]:
    """``render``, plus where every paragraph line and table row landed in the text."""
    text, units = _layout(document)
    placed = list(_place(units, text))
    return text, [Span(p.start, p.end, p.unit.prov) for p in placed], placed


def render(document: Document) -> tuple[str, list[Span]]:
    """The document's normalised text and the spans of it each block or table row produced.

    Blocks are laid out one line per paragraph line or table row, blank lines between blocks, and
    normalised as a whole (so a paragraph broken across pages is joined as in a text file).
    """
    text, spans, _ = render_placed(document)
    return text, spans
