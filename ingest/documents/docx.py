"""DOCX reader (python-docx): body paragraphs and tables in document order.

python-docx is the maintained reference reader of WordprocessingML; ``Document.iter_inner_content``
yields paragraphs and tables in the order they appear, and a merged table cell is returned once
per grid position it covers (merged cells expanded). DOCX has no fixed pages: ``page`` is None and
the locator is ``para N`` (1-based among body paragraphs) or ``table N row R``.
"""

from __future__ import annotations

import io

import docx
from docx.table import Table

from ingest.documents.limits import DocumentError, Limits
from ingest.documents.model import Block, Document, Page, Provenance, TableRow, table_blocks
from ingest.documents.ziplimit import check_package


def _is_heading(paragraph: docx.text.paragraph.Paragraph) -> bool:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    return name.startswith(("Heading", "Title"))


def _table(table: Table, number: int) -> list[Block]:
    rows = []
    for r, row in enumerate(table.rows, start=1):
        cells = row.cells
        provs = tuple(Provenance(None, f"table {number} row {r} col {c}") for c in range(1, len(cells) + 1))
        rows.append(TableRow(tuple(cell.text for cell in cells), Provenance(None, f"table {number} row {r}"), provs))
    return table_blocks(rows, Provenance(None, f"table {number}"))


def read_docx(data: bytes, *, limits: Limits) -> Document:
    """The body of a .docx as heading, paragraph and table blocks in document order."""
    check_package(data, limits.max_unzipped_bytes, "DOCX")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise DocumentError(f"corrupt DOCX ({type(exc).__name__}: {exc})") from exc
    blocks: list[Block] = []
    n_para = n_table = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            n_table += 1
            blocks.extend(_table(item, n_table))
            continue
        n_para += 1
        if item.text.strip():
            kind = "heading" if _is_heading(item) else "paragraph"
            blocks.append(Block(kind, Provenance(None, f"para {n_para}"), item.text))
    return Document("docx", (Page(None, tuple(blocks)),))
