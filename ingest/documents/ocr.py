"""OCR of page images with RapidOCR 1.4.4 (PP-OCRv4 Chinese models shipped in its wheels; no network).

The recogniser runs on CUDA (``rapidocr-onnxruntime`` with onnxruntime's CUDA provider, from
``onnxruntime-gpu``) when this process sees an NVIDIA GPU, else on the CPU with OpenVINO
(``rapidocr-openvino``: the same models at a lower CPU cost than onnxruntime at equal facts, as
``python -m bench.ocr`` measures); chosen at run time, once per process (:func:`device`).

Ruled tables are found first (OpenCV: long horizontal and vertical strokes, then ``grid.find_tables``);
each recognised box goes to the cell holding its centre (the rulings keep the detector from running
text across a cell border), and a cell with ink but no box (a lone ``/`` or ``≥``) is recognised on its
own, its rulings erased. The other text lines are rebuilt into
paragraphs from their boxes. Results are cached by the hash of the image OCR'd (and the device), so an
unchanged scan is never OCR'd twice.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from statistics import median
from typing import Any

from ingest.documents import grid, layout
from ingest.documents.model import Block, Provenance, bbox_locator

_CACHE_VERSION = "rapidocr-1.4.4-v4"
# Lines whose vertical gap exceeds this share of the line height start a new paragraph.
_PARAGRAPH_GAP = 0.9
# A line whose left edge is this many line heights right of the page's text margin starts a paragraph.
_INDENT = 1.2
CUDA_PROVIDER = "CUDAExecutionProvider"
# A ruling is a dark run longer than any character stroke: a quarter inch across, 0.15 inch down (a
# one-line table row is about a quarter inch high); rulings this close (points) are one line.
_RULE_ACROSS_IN = 0.25
_RULE_DOWN_IN = 0.15
_RULING_TOL_PT = 2.0
# A cell's ink recognised on its own is kept only above this score (a speck is not text).
_MIN_CROP_SCORE = 0.8


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: text, box in pixels (x0, top, x1, bottom) and recogniser score."""

    text: str
    box: tuple[float, float, float, float]
    score: float


def _gpu_count() -> int:
    """NVIDIA GPUs the CUDA driver shows this process (``CUDA_VISIBLE_DEVICES`` applies); 0 without a driver."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return 0
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return 0
    return count.value


@cache
def device() -> str:
    """Where this process OCRs: ``cuda`` (a GPU and onnxruntime's CUDA provider) or ``cpu``."""
    import onnxruntime

    return "cuda" if CUDA_PROVIDER in onnxruntime.get_available_providers() and _gpu_count() else "cpu"


INFERENCE_THREADS = 1
"""Threads of one recogniser. One: documents are read one per worker process and a worker per core
(locally, or a task per CPU on a cluster), and the thread count changes the floating-point sums, so
with a fixed count a page gives the same boxes and scores on any engine (and any node of one CPU
type)."""


@cache
def _engine() -> Any:
    if device() == "cuda":
        from rapidocr_onnxruntime import RapidOCR

        return RapidOCR(det_use_cuda=True, cls_use_cuda=True, rec_use_cuda=True)
    from rapidocr_openvino import RapidOCR

    return RapidOCR(inference_num_threads=INFERENCE_THREADS)


def runtime() -> str:
    """What the recogniser runs on: ``CUDAExecutionProvider`` (onnxruntime) or ``openvino-CPU``."""
    engine = _engine()
    if device() == "cuda":
        providers = {engine.text_det.infer.session.get_providers()[0],
                     engine.text_rec.session.session.get_providers()[0]}
        return providers.pop() if len(providers) == 1 else "mixed: " + ", ".join(sorted(providers))
    return "openvino-CPU"


def _recognise(image: Any) -> list[OcrLine]:
    import numpy as np

    # Pages are rendered upright: the angle classifier only ever turns short cells upside down (≥99% → %66).
    result, _ = _engine()(np.asarray(image.convert("RGB")), use_cls=False)
    lines = []
    for quad, text, score in result or []:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        lines.append(OcrLine(text, (min(xs), min(ys), max(xs), max(ys)), float(score)))
    return lines


@contextmanager
def recognised_by(recognise: Callable[[Any], list[OcrLine]]) -> Iterator[None]:
    """Within the block, pages are OCR'd by ``recognise`` (another engine or setting, as ``bench.ocr``
    compares them at equal facts). Read without a cache dir: the cache does not know the recogniser."""
    global _recognise
    saved = _recognise
    _recognise = recognise
    try:
        yield
    finally:
        _recognise = saved


def _recognise_line(image: Any) -> list[OcrLine]:
    """One line of text filling the whole image (no detection): the box is the image."""
    import numpy as np

    result, _ = _engine()(np.asarray(image.convert("RGB")), use_det=False, use_cls=False, use_rec=True)
    return [OcrLine(text, (0.0, 0.0, float(image.width), float(image.height)), float(score))
            for text, score in result or [] if text.strip()]


def _cached(kind: str, image: Any, cache_dir: Path | None, recognise: Any) -> list[OcrLine]:
    version = f"{_CACHE_VERSION}:{device()}:{kind}:{image.size}:{image.mode}"
    key = hashlib.sha256(version.encode() + image.tobytes()).hexdigest()
    path = cache_dir / f"{key}.json" if cache_dir is not None else None
    if path is not None and path.is_file():
        return [OcrLine(t, tuple(b), s) for t, b, s in json.loads(path.read_text(encoding="utf-8"))]
    lines = recognise(image)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([[x.text, x.box, x.score] for x in lines], ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    return lines


def ocr_lines(image: Any, cache_dir: Path | None) -> list[OcrLine]:
    """The text lines of a PIL image, from ``cache_dir`` when this exact image was OCR'd before."""
    return _cached("page", image, cache_dir, _recognise)


def ocr_crop(image: Any, cache_dir: Path | None) -> list[OcrLine]:
    """The text of a small image holding one line (a cell's ink the detector passed over), cached."""
    return _cached("line", image, cache_dir, _recognise_line)


def _rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Boxes grouped into visual rows (vertical centres within half a line height), left to right."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda x: (x.box[1] + x.box[3]) / 2):
        centre = (line.box[1] + line.box[3]) / 2
        if rows:
            last = rows[-1][-1]
            if abs(centre - (last.box[1] + last.box[3]) / 2) < (last.box[3] - last.box[1]) / 2:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda x: x.box[0]) for row in rows]


def _merge(row: list[OcrLine]) -> OcrLine:
    """A visual row as one line: pieces joined by a space, outer box, lowest score."""
    box = (min(x.box[0] for x in row), min(x.box[1] for x in row),
           max(x.box[2] for x in row), max(x.box[3] for x in row))
    return OcrLine(" ".join(x.text for x in row), box, min(x.score for x in row))


def paragraphs(lines: list[OcrLine], page: str, page_height_pt: float, dpi: int,
               low_confidence: float) -> list[Block]:
    """Paragraph blocks rebuilt from OCR lines: a new paragraph after a wide vertical gap or at an
    indented line; each block's bbox is in PDF points and its confidence the lowest line score."""
    merged = [_merge(row) for row in _rows(lines)]
    if not merged:
        return []
    height = median(x.box[3] - x.box[1] for x in merged)
    margin = min(x.box[0] for x in merged)
    groups: list[list[OcrLine]] = []
    for line in merged:
        if groups:
            prev = groups[-1][-1]
            gap = line.box[1] - prev.box[3]
            if gap <= _PARAGRAPH_GAP * height and line.box[0] - margin < _INDENT * height:
                groups[-1].append(line)
                continue
        groups.append([line])
    scale = 72.0 / dpi
    blocks = []
    for group in groups:
        x0, top = min(x.box[0] for x in group), min(x.box[1] for x in group)
        x1, bottom = max(x.box[2] for x in group), max(x.box[3] for x in group)
        score = min(x.score for x in group)
        prov = Provenance(page, bbox_locator(x0 * scale, page_height_pt - bottom * scale,
                                             x1 * scale, page_height_pt - top * scale),
                          round(score, 4), score < low_confidence)
        blocks.append(Block("paragraph", prov, "\n".join(x.text for x in group)))
    return blocks



def ruled_tables(gray: Any, dpi: int) -> tuple[list[grid.RuledTable], Any, Any]:
    """Ruled tables on a greyscale page image (pixels, top-down), the page's ink and its rulings (masks)."""
    import cv2
    import numpy as np

    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 10)
    segments: list[grid.Segment] = []
    masks = []
    for horizontal, length in ((True, _RULE_ACROSS_IN), (False, _RULE_DOWN_IN)):
        size = (max(3, round(dpi * length)), 1) if horizontal else (1, max(3, round(dpi * length)))
        mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))
        masks.append(mask)
        _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for x, y, w, h, _ in stats[1:]:
            if horizontal:
                segments.append(grid.Segment(True, y + h / 2, float(x), float(x + w)))
            else:
                segments.append(grid.Segment(False, x + w / 2, float(y), float(y + h)))
    tables = grid.find_tables(segments, tol=_RULING_TOL_PT * dpi / 72)
    return tables, binary > 0, np.logical_or(*masks)


def _ink_box(ink: Any, box: grid.Box, margin: int) -> grid.Box | None:
    """The bounding box of the ink inside a cell (its rulings excluded), or None for a blank cell."""
    import numpy as np

    x0, y0, x1, y1 = (round(box[0]) + margin, round(box[1]) + margin, round(box[2]) - margin, round(box[3]) - margin)
    if x1 <= x0 or y1 <= y0:
        return None
    area = ink[y0:y1, x0:x1]
    if area.sum() < margin * margin:
        return None
    rows, cols = np.flatnonzero(area.any(axis=1)), np.flatnonzero(area.any(axis=0))
    return (x0 + cols[0], y0 + rows[0], x0 + cols[-1] + 1, y0 + rows[-1] + 1)


def page_items(image: Any, page: str, page_height_pt: float, dpi: int, cache_dir: Path | None,
               low_confidence: float) -> list[layout.PageItem]:
    """A scanned page as paragraphs and ruled tables (cells filled with the OCR boxes whose centre they
    hold; a cell with ink but no box is recognised on its own), top to bottom, in points."""
    import numpy as np
    from PIL import Image

    gray = np.asarray(image.convert("L"))
    tables, ink, rulings = ruled_tables(gray, dpi)
    if not tables:
        return list(paragraphs(ocr_lines(image, cache_dir), page, page_height_pt, dpi, low_confidence))
    clean = gray.copy()
    clean[rulings] = 255
    clean_image = Image.fromarray(clean)
    owners = [grid.expand(t) for t in tables]
    placed: dict[grid.GridCell, list[grid.Piece]] = {}
    runs: dict[int, list[OcrLine]] = {}
    tops = sorted(t.ys[0] for t in tables)
    for line in ocr_lines(image, cache_dir):
        x, y = (line.box[0] + line.box[2]) / 2, (line.box[1] + line.box[3]) / 2
        cell = next((c for t, o in zip(tables, owners, strict=True) if (c := grid.cell_at(t, o, x, y))), None)
        if cell is not None:
            placed.setdefault(cell, []).append(grid.Piece(line.text, line.box, line.score))
        else:
            runs.setdefault(sum(1 for top in tops if top < y), []).append(line)
    margin = max(2, round(dpi / 50))
    ink &= ~rulings
    for cell in (c for t in tables for c in t.cells if c not in placed):
        box = _ink_box(ink, cell.box, margin)
        if box is not None:
            pad = margin
            crop = clean_image.crop((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
            placed[cell] = [grid.Piece(x.text, box, x.score) for x in ocr_crop(crop, cache_dir)
                            if x.score >= _MIN_CROP_SCORE]
    found = [layout.PageTable(grid.scaled(grid.fill(t, placed), 72 / dpi), page, page_height_pt, low_confidence)
             for t in tables]
    paras = [b for key in sorted(runs) for b in paragraphs(runs[key], page, page_height_pt, dpi, low_confidence)]
    return layout.in_reading_order(paras, found, page_height_pt)
