"""PDF reader: the text layer with pypdfium2, page by page; pages without one go to OCR.

pypdfium2 binds PDFium (Chrome's PDF engine): fast, tolerant of broken files, gives every
character's box, and renders pages for OCR, all in one wheel with no system dependency.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.documents import grid, layout, ocr
from ingest.documents.limits import DocumentError, Limits
from ingest.documents.model import Block, Document, Provenance, bbox_locator

# A page is OCR'd only when it holds an image and its text layer has fewer non-space characters than
# this (a scan with, at most, a stamped page number); any other page is read from its text layer.
MIN_TEXT_CHARS = 20
_PARAGRAPH_GAP = 0.9
_INDENT = 1.2

Line = tuple[str, tuple[float, float, float, float]]  # text, (x0, y0, x1, y1) in points, y up
Char = tuple[str, tuple[float, float, float, float] | None]  # a character and its box (None: no box)
# Rulings closer than this (points) are one line; a filled rectangle this thin is a ruling.
_RULING_TOL = 2.0
_THIN = 3.0
# A page drawing more path segments than this is a drawing (a map, a chart), not searched for tables.
MAX_PATH_SEGMENTS = 10_000


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc).lower()
        if "password" in reason:
            raise DocumentError("encrypted PDF (password required); publish an unprotected copy") from exc
        raise DocumentError(f"corrupt or unreadable PDF ({exc})") from exc


def _chars(page: pdfium.PdfPage) -> list[Char]:
    """The text layer's characters in reading order with their boxes (spaces and breaks have none)."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        return [(ch, None if ch.isspace() else textpage.get_charbox(index)) for index, ch in enumerate(text[:count])]
    finally:
        textpage.close()


def _text_lines(chars: list[Char]) -> list[Line]:
    """Characters as lines, each with the union box of its visible characters."""
    lines: list[Line] = []
    current: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    for ch, box in chars:
        if ch in "\r\n":
            if current:
                lines.append(("".join(current), _union(boxes)))
            current, boxes = [], []
            continue
        current.append(ch)
        if box is not None:
            boxes.append(box)
    if current and boxes:
        lines.append(("".join(current), _union(boxes)))
    return [(t.strip(), b) for t, b in lines if t.strip() and b != (0.0, 0.0, 0.0, 0.0)]


def _rulings(page: pdfium.PdfPage, height: float) -> list[grid.Segment]:
    """Horizontal and vertical lines drawn on the page, top-down: the straight pieces of stroked paths
    and filled rectangles thin enough to be a line (how word processors export table borders)."""
    out: list[grid.Segment] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    x, y = ctypes.c_float(), ctypes.c_float()
    n_segments = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4):
        matrix, container = obj.get_matrix(), obj.container
        while container is not None:
            matrix = matrix.multiply(container.get_matrix())
            container = container.container
        pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke)
        count = pdfium_c.FPDFPath_CountSegments(obj)
        n_segments += count
        if n_segments > MAX_PATH_SEGMENTS:
            raise _TooManyPaths
        points, pieces = [], []
        start = None
        for i in range(count):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
            point = matrix.on_point(x.value, y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_LINETO and points:
                pieces.append((points[-1], point))
            elif kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = point
            points.append(point)
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                pieces.append((point, start))
        if stroke.value:
            out.extend(s for a, b in pieces if (s := _axis_segment(a, b, height)) is not None)
        elif fill.value and points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            if y1 - y0 <= _THIN < x1 - x0:
                out.append(grid.Segment(True, height - (y0 + y1) / 2, x0, x1))
            elif x1 - x0 <= _THIN < y1 - y0:
                out.append(grid.Segment(False, (x0 + x1) / 2, height - y1, height - y0))
    return out


class _TooManyPaths(Exception):
    """The page draws more path segments than tables ever need."""


def _axis_segment(a: tuple[float, float], b: tuple[float, float], height: float) -> grid.Segment | None:
    if abs(a[1] - b[1]) < 0.5 and abs(a[0] - b[0]) >= 0.5:
        return grid.Segment(True, height - a[1], min(a[0], b[0]), max(a[0], b[0]))
    if abs(a[0] - b[0]) < 0.5 and abs(a[1] - b[1]) >= 0.5:
        return grid.Segment(False, a[0], height - max(a[1], b[1]), height - min(a[1], b[1]))
    return None


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


def _table_cells(chars: list[Char], tables: list[grid.RuledTable],
                 height: float) -> tuple[list[Char], list[grid.RuledTable]]:
    """Characters inside a ruled table placed in its cells (words kept together, wrapped lines joined);
    the characters outside every table, in their order, for the paragraphs."""
    owners = [grid.expand(t) for t in tables]
    placed: dict[grid.GridCell, list[grid.Piece]] = {}
    outside: list[Char] = []
    word: list[tuple[str, tuple[float, float, float, float]]] = []
    word_cell: grid.GridCell | None = None

    def flush() -> None:
        nonlocal word, word_cell
        if word and word_cell is not None:
            x0, y0, x1, y1 = _union([b for _, b in word])
            piece = grid.Piece("".join(c for c, _ in word), (x0, height - y1, x1, height - y0))
            placed.setdefault(word_cell, []).append(piece)
        word, word_cell = [], None

    for ch, box in chars:
        cell = None
        if box is not None:
            x, y = (box[0] + box[2]) / 2, height - (box[1] + box[3]) / 2
            cell = next((c for t, o in zip(tables, owners, strict=True) if (c := grid.cell_at(t, o, x, y))), None)
        if cell is None or box is None:
            flush()
            if cell is None:
                outside.append((ch, box))
            continue
        if cell is not word_cell:
            flush()
            word_cell = cell
        word.append((ch, box))
    flush()
    return outside, [grid.fill(t, placed) for t in tables]


def _text_page(page: pdfium.PdfPage, label: str, height: float, notes: list[str]) -> tuple[list[layout.PageItem], int]:
    """A page read from its text layer: ruled tables as cells, the rest as paragraphs, top to bottom;
    and the number of visible characters (a scan has almost none)."""
    chars = _chars(page)
    visible = sum(1 for _, box in chars if box is not None)
    try:
        tables = grid.find_tables(_rulings(page, height), _RULING_TOL) if visible else []
    except _TooManyPaths:
        tables = []
        notes.append(f"page {label} draws over {MAX_PATH_SEGMENTS} path segments: not searched for tables")
    if not tables:
        return list(text_paragraphs(_text_lines(chars), label)), visible
    outside, filled = _table_cells(chars, tables, height)
    found = [layout.PageTable(t, label, height) for t in filled]
    return layout.in_reading_order(_runs_as_paragraphs(outside, filled, label, height), found, height), visible


def _runs_as_paragraphs(chars: list[Char], tables: list[grid.RuledTable], label: str, height: float) -> list[Block]:
    """Paragraphs of the text around tables, built separately above, between and below them."""
    tops = sorted(t.ys[0] for t in tables)
    runs: dict[int, list[Line]] = {}
    for line in _text_lines(chars):
        centre = height - (line[1][1] + line[1][3]) / 2
        runs.setdefault(sum(1 for top in tops if top < centre), []).append(line)
    return [block for key in sorted(runs) for block in text_paragraphs(runs[key], label)]


def _is_scan(page: pdfium.PdfPage, visible: int) -> bool:
    """An image on the page and (almost) no text layer."""
    if visible >= MIN_TEXT_CHARS:
        return False
    return next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2), None) is not None


def read_pdf(data: bytes, *, cache_dir: Path | None, limits: Limits) -> Document:
    """Every page from its text layer, or by OCR when it has none (scanned); ruled tables as cells, one
    table across page breaks."""
    pdf = _open(data)
    try:
        n_pages = len(pdf)
        if n_pages > limits.max_pages:
            raise DocumentError(f"PDF has {n_pages} pages, over the {limits.max_pages}-page limit")
        pages: list[tuple[str, list[layout.PageItem]]] = []
        notes: list[str] = []
        for index in range(n_pages):
            page = pdf[index]
            try:
                width, height = page.get_size()
                if max(width, height) > limits.max_page_side_pt:
                    raise DocumentError(f"page {index + 1} is {width:.0f}×{height:.0f} pt, over the "
                                        f"{limits.max_page_side_pt:.0f} pt page-size limit")
                label = str(index + 1)
                items, visible = _text_page(page, label, height, notes)
                if _is_scan(page, visible):
                    if limits.ocr:
                        image = page.render(scale=limits.ocr_dpi / 72).to_pil()
                        items = ocr.page_items(image, label, height, limits.ocr_dpi, cache_dir, limits.low_confidence)
                        notes.append(f"page {label} OCR'd")
                    else:
                        notes.append(f"page {label} has no text layer and OCR is off")
                pages.append((label, items))
            finally:
                page.close()
        return Document("pdf", tuple(layout.assemble(pages)), tuple(notes))
    finally:
        pdf.close()
