"""Plain text (.txt/.md) in the document model: lines as paragraphs, runs of pipe rows as tables.

A run of lines that open with ``|`` is a table, one row per line, cells split at ``|`` (a markdown
separator row ``|---|:--:|`` is dropped); rows are padded to the widest. A value a converter repeated
in every cell a merged cell covered stays repeated, as the other readers expand merges. Locators are
1-based line numbers: ``line N`` for a paragraph or row, ``line N col C`` for a cell. A table flattened
to one cell per line is not rebuilt here: without the ruling, only a reader that knows the form's
header vocabulary can tell where its rows end.
"""

from __future__ import annotations

import re

from ingest.documents.model import Block, Document, Page, Provenance, TableRow, table_blocks

_SEPARATOR = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [cell.strip() for cell in inner.split("|")]


def _table(rows: list[tuple[int, str]], number: int) -> list[Block]:
    cells = [(n, _cells(line)) for n, line in rows if not _SEPARATOR.fullmatch(line.strip())]
    width = max((len(c) for _, c in cells), default=0)
    table_rows = [TableRow(tuple(c + [""] * (width - len(c))), Provenance(None, f"line {n}"),
                           tuple(Provenance(None, f"line {n} col {col}") for col in range(1, width + 1)))
                  for n, c in cells]
    return table_blocks(table_rows, Provenance(None, f"table {number}"))


def read_text(text: str) -> Document:
    """A text file's lines as paragraph blocks and its pipe tables as table blocks, in order."""
    blocks: list[Block] = []
    pending: list[tuple[int, str]] = []
    n_tables = 0
    for n, line in enumerate([*text.splitlines(), ""], start=1):
        if line.lstrip().startswith("|"):
            pending.append((n, line))
            continue
        if pending:
            n_tables += 1
            blocks.extend(_table(pending, n_tables))
            pending = []
        if line.strip():
            blocks.append(Block("paragraph", Provenance(None, f"line {n}"), line.strip()))
    return Document("text", (Page(None, tuple(blocks)),))
