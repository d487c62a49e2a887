"""PDF reader: the text layer with pypdfium2, page by page; pages without one go to OCR.

pypdfium2 binds PDFium (Chrome's PDF engine): fast, tolerant of broken files, gives every
character's box, and renders pages for OCR, all in one wheel with no system dependency.
"""

from __future__ import annotations

from pathlib import Path
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.documents import ocr
from ingest.documents.limits import DocumentError, Limits
from ingest.documents.model import Block, Document, Page, Provenance, bbox_locator

# A page is OCR'd only when it holds an image and its text layer has fewer non-space characters than
# this (a scan with, at most, a stamped page number); any other page is read from its text layer.
MIN_TEXT_CHARS = 20
_PARAGRAPH_GAP = 0.9
_INDENT = 1.2

Line = tuple[str, tuple[float, float, float, float]]  # text, (x0, y0, x1, y1) in points, y up


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc).lower()
        if "password" in reason:
            raise DocumentError("encrypted PDF (password required); publish an unprotected copy") from exc
        raise DocumentError(f"corrupt or unreadable PDF ({exc})") from exc


def _text_lines(page: pdfium.PdfPage) -> list[Line]:
    """The text layer as lines, each with the union box of its visible characters."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        lines: list[Line] = []
        current, boxes = [], []
        for index, ch in enumerate(text[:count]):
            if ch in "\r\n":
                if current:
                    lines.append(("".join(current), _union(boxes)))
                current, boxes = [], []
                continue
            current.append(ch)
            if not ch.isspace():
                boxes.append(textpage.get_charbox(index))
        if current and boxes:
            lines.append(("".join(current), _union(boxes)))
        return [(t.strip(), b) for t, b in lines if t.strip() and b != (0.0, 0.0, 0.0, 0.0)]
    finally:
        textpage.close()


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    if not boxes:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def text_paragraphs(lines: list[Line], label: str) -> list[Block]:
    """Text-layer lines grouped into paragraphs: a new one after a wide gap or at an indented line."""
    if not lines:
        return []
    height = median(b[3] - b[1] for _, b in lines) or 1.0
    margin = min(b[0] for _, b in lines)
    groups: list[list[Line]] = []
    for line in lines:
        if groups:
            prev_box = groups[-1][-1][1]
            gap = prev_box[1] - line[1][3]
            if -height < gap <= _PARAGRAPH_GAP * height and line[1][0] - margin < _INDENT * height:
                groups[-1].append(line)
                continue
        groups.append([line])
    return [Block("paragraph", Provenance(label, bbox_locator(*_union([b for _, b in g]))),
                  "\n".join(t for t, _ in g)) for g in groups]


def _is_scan(page: pdfium.PdfPage, lines: list[Line]) -> bool:
    """An image on the page and (almost) no text layer."""
    if sum(len(t.replace(" ", "")) for t, _ in lines) >= MIN_TEXT_CHARS:
        return False
    return next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2), None) is not None


def _ocr_page(page: pdfium.PdfPage, label: str, height: float, cache_dir: Path | None,
              limits: Limits) -> list[Block]:
    image = page.render(scale=limits.ocr_dpi / 72).to_pil()
    lines = ocr.ocr_lines(image, cache_dir)
    return ocr.paragraphs(lines, label, height, limits.ocr_dpi, limits.low_confidence)


def read_pdf(data: bytes, *, cache_dir: Path | None, limits: Limits) -> Document:
    """Every page from its text layer, or by OCR when it has none (scanned)."""
    pdf = _open(data)
    try:
        n_pages = len(pdf)
        if n_pages > limits.max_pages:
            raise DocumentError(f"PDF has {n_pages} pages, over the {limits.max_pages}-page limit")
        pages, notes = [], []
        for index in range(n_pages):
            page = pdf[index]
            try:
                width, height = page.get_size()
                if max(width, height) > limits.max_page_side_pt:
                    raise DocumentError(f"page {index + 1} is {width:.0f}×{height:.0f} pt, over the "
                                        f"{limits.max_page_side_pt:.0f} pt page-size limit")
                label = str(index + 1)
                lines = _text_lines(page)
                if not _is_scan(page, lines):
                    blocks = text_paragraphs(lines, label)
                elif limits.ocr:
                    blocks = _ocr_page(page, label, height, cache_dir, limits)
                    notes.append(f"page {label} OCR'd")
                else:
                    blocks = text_paragraphs(lines, label)
                    notes.append(f"page {label} has no text layer and OCR is off")
                pages.append(Page(label, tuple(blocks)))
            finally:
                page.close()
        return Document("pdf", tuple(pages), tuple(notes))
    finally:
        pdf.close()
