"""DOCX reader (python-docx): body paragraphs and tables in document order.

python-docx is the maintained reference reader of WordprocessingML; ``Document.iter_inner_content``
yields paragraphs and tables in the order they appear, and a merged table cell is returned once
per grid position it covers (merged cells expanded). DOCX has no fixed pages: ``page`` is None and
the locator is ``para N`` (1-based among body paragraphs) or ``table N row R``.
"""

from __future__ import annotations

import io

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.table import Table

from ingest.documents.limits import DocumentError, Limits
from ingest.documents.model import Block, Document, Page, Provenance, TableRow, table_blocks
from ingest.documents.ziplimit import check_package


def _heading_styles(document: docx.document.Document) -> tuple[frozenset[str], bool]:
    """Ids of the paragraph styles named Heading…/Title…, and whether the default style is one.

    Read once per document: python-docx looks a paragraph's style up by scanning every style
    (milliseconds per paragraph, minutes for a long document)."""
    ids, default = set(), False
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        heading = (style.name or "").startswith(("Heading", "Title"))
        if heading:
            ids.add(style.style_id)
            default = default or bool(style.element.default)
    return frozenset(ids), default


def _is_heading(paragraph: docx.text.paragraph.Paragraph, headings: tuple[frozenset[str], bool]) -> bool:
    style_id = paragraph._p.style  # the pStyle value as written, or None for the default style
    return headings[1] if style_id is None else style_id in headings[0]


def _table(table: Table, number: int) -> list[Block]:
    rows = []
    for r, row in enumerate(table.rows, start=1):
        cells = row.cells
        provs = tuple(Provenance(None, f"table {number} row {r} col {c}") for c in range(1, len(cells) + 1))
        rows.append(TableRow(tuple(cell.text for cell in cells), Provenance(None, f"table {number} row {r}"), provs))
    return table_blocks(rows, Provenance(None, f"table {number}"))


def read_docx(data: bytes, *, limits: Limits) -> Document:
    """The body of a .docx as heading, paragraph and table blocks in document order."""
    check_package(data, limits.max_unzipped_bytes, "DOCX", limits.max_unzipped_xml_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise DocumentError(f"corrupt DOCX ({type(exc).__name__}: {exc})") from exc
    headings = _heading_styles(document)
    blocks: list[Block] = []
    n_para = n_table = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            n_table += 1
            blocks.extend(_table(item, n_table))
            continue
        n_para += 1
        if item.text.strip():
            kind = "heading" if _is_heading(item, headings) else "paragraph"
            blocks.append(Block(kind, Provenance(None, f"para {n_para}"), item.text))
    return Document("docx", (Page(None, tuple(blocks)),))
