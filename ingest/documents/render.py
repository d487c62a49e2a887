"""A document as the text the parser reads, with spans mapping that text back to the file.

Paragraphs render as their lines; a table row with two or more distinct cells renders as a markdown
pipe row (``| a | b |``), which both the parser's table reading and ``normalise`` understand; a row
whose cells all hold one value (a merged title row) renders as a plain line. The text returned is
already normalised (``normalise(text) == text``), so parser offsets index it directly, and every
span indexes that same text.
"""

from __future__ import annotations

from ingest.documents.model import Block, Document, Provenance, Span
from ingest.normalise import normalise


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


def _units(block: Block) -> list[tuple[str, Provenance]]:
    """A block's physical lines, each with its provenance (a table row keeps its own)."""
    if block.kind == "table":
        return [(table_row_line(row.cells), row.prov) for row in block.rows]
    return [(line, block.prov) for line in block.text.split("\n")]


def render(document: Document) -> tuple[str, list[Span]]:
    """The document's normalised text and the spans of it each block or table row produced.

    Blocks are laid out one line per paragraph line or table row, blank lines between blocks, and
    normalised as a whole (so a paragraph broken across pages is joined as in a text file); each
    physical line, normalised on its own, is then found in order in the result: normalising only
    drops characters and joins lines, so every surviving line is a substring, in order.
    """
    units = [unit for page in document.pages for block in page.blocks for unit in _units(block)]
    raw = "\n".join(line for line, _ in units)
    text = normalise(raw)
    spans: list[Span] = []
    cursor = 0
    for line, prov in units:
        piece = normalise(line)
        if not piece:
            continue
        pos = text.find(piece, cursor)
        if pos < 0:
            continue
        spans.append(Span(pos, pos + len(piece), prov))
        cursor = pos + len(piece)
    return text, spans
