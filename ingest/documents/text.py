"""Plain text (.txt/.md) in the document model: lines as paragraphs, runs of pipe rows as tables.

A run of lines that open with ``|`` is a table, one row per line, cells split at ``|`` (a markdown
separator row ``|---|:--:|`` is dropped); rows are padded to the widest. A value a converter repeated
in every cell a merged cell covered stays repeated, as the other readers expand merges. Locators are
1-based line numbers: ``line N`` for a paragraph or row, ``line N col C`` for a cell. A form flattened
to one cell per line (as PDF-to-text tools leave a ruled table) is rebuilt into a table by a form
reader the caller passes (``ingest.facts.tables.flat_tables``, which knows the form vocabulary: its
header runs say how many cells a row has, its row labels where rows end); each cell keeps its line
(``line N``). The document then notes where it was rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from ingest.documents.model import Block, Document, Page, Provenance, TableRow, table_blocks
from ingest.text.normalise import clean_texts, simplified


class FlatForm(Protocol):
    """A form flattened to one cell per line, rebuilt into rows: each cell its text and the index of
    the line it came from (None for a cell the flattening left empty); it spans lines ``[first, end)``."""

    @property
    def first(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def rows(self) -> Sequence[Sequence[tuple[str, int | None]]]: ...


FlatFormReader = Callable[[Sequence[str]], Sequence[FlatForm]]
"""Finds the flattened forms in lines of text (cleaned, in simplified script)."""

# A markdown rule line between header and body: "| --- | :---: |" (a run of spaces entered where it begins).
_SEPARATOR = re.compile(r"\|?(?<!\s)\s*+:?-{3,}+:?\s*+(?:\|\s*+:?-{3,}+:?\s*+)*+\|?")


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


def _flat_table(table: FlatForm, numbers: list[int], cleaned: list[str], number: int) -> Block:
    """A rebuilt flattened table as a table block: each cell placed at its line."""
    rows = []
    for row in table.rows:
        first = next(numbers[k] for _, k in row if k is not None)
        provs = tuple(Provenance(None, f"line {numbers[k] if k is not None else first}") for _, k in row)
        rows.append(TableRow(tuple(cleaned[k] if k is not None else "" for _, k in row),
                             Provenance(None, f"line {first}"), provs))
    return Block("table", Provenance(None, f"table {number}"), rows=tuple(rows))


def _flattened(lines: list[str], flat_forms: FlatFormReader) -> dict[int, tuple[int, FlatForm, list[int], list[str]]]:
    """The forms flattened to one cell per line, by the index of their first line: (index after their
    last line, the table, the 1-based number and the cleaned text of each of the lines it indexes)."""
    found: dict[int, tuple[int, FlatForm, list[int], list[str]]] = {}
    segment: list[int] = []
    for n, line in enumerate([*lines, "|"]):
        if not line.lstrip().startswith("|"):
            if line.strip():
                segment.append(n)
            continue
        if segment:
            cleaned = clean_texts([lines[k] for k in segment])
            for table in flat_forms([simplified(c) for c in cleaned]):
                numbers = [k + 1 for k in segment]
                found[segment[table.first]] = (segment[table.end - 1] + 1, table, numbers, cleaned)
            segment = []
    return found


def read_text(text: str, flat_forms: FlatFormReader | None = None) -> Document:
    """A text file's lines as paragraph blocks, its pipe tables and (given a reader of them) the forms
    flattened in it as table blocks, in order."""
    blocks: list[Block] = []
    pending: list[tuple[int, str]] = []
    n_tables = 0
    lines = text.splitlines()
    flat = _flattened(lines, flat_forms) if flat_forms is not None else {}
    notes: list[str] = []
    skip = 0
    for n, line in enumerate([*lines, ""], start=1):
        if n - 1 < skip:
            continue
        if n - 1 in flat:
            end, table, numbers, cleaned = flat[n - 1]
            n_tables += 1
            blocks.append(_flat_table(table, numbers, cleaned, n_tables))
            notes.append(f"table flattened to one cell per line rebuilt (lines {n}–{end})")
            skip = end
            continue
        if line.lstrip().startswith("|"):
            pending.append((n, line))
            continue
        if pending:
            n_tables += 1
            blocks.extend(_table(pending, n_tables))
            pending = []
        if line.strip():
            blocks.append(Block("paragraph", Provenance(None, f"line {n}"), line.strip()))
    return Document("text", (Page(None, tuple(blocks)),), tuple(notes))
