"""OCR of page images with RapidOCR 1.4.4 (PP-OCRv4 Chinese models shipped in its wheels; no network).

The recogniser runs on CUDA (``rapidocr-onnxruntime`` with onnxruntime's CUDA provider, from
``onnxruntime-gpu``) when this process sees an NVIDIA GPU, else on the CPU with OpenVINO
(``rapidocr-openvino``: the same models at half the CPU time of onnxruntime, measured by
``bench.ocr`` at equal facts); chosen at run time, once per process (:func:`device`). Recognised
text lines are rebuilt into paragraphs from their boxes; results are cached by the hash of the
image (and the device) so an unchanged scan is never OCR'd twice.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from statistics import median
from typing import Any

from ingest.documents.model import Block, Provenance, bbox_locator

_CACHE_VERSION = "rapidocr-1.4.4-v3"
# Lines whose vertical gap exceeds this share of the line height start a new paragraph.
_PARAGRAPH_GAP = 0.9
# A line whose left edge is this many line heights right of the page's text margin starts a paragraph.
_INDENT = 1.2
CUDA_PROVIDER = "CUDAExecutionProvider"


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

    result, _ = _engine()(np.asarray(image.convert("RGB")))
    lines = []
    for quad, text, score in result or []:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        lines.append(OcrLine(text, (min(xs), min(ys), max(xs), max(ys)), float(score)))
    return lines


def ocr_lines(image: Any, cache_dir: Path | None) -> list[OcrLine]:
    """The text lines of a PIL image, from ``cache_dir`` when this exact image was OCR'd before."""
    version = f"{_CACHE_VERSION}:{device()}:{image.size}:{image.mode}"
    key = hashlib.sha256(version.encode() + image.tobytes()).hexdigest()
    path = cache_dir / f"{key}.json" if cache_dir is not None else None
    if path is not None and path.is_file():
        return [OcrLine(t, tuple(b), s) for t, b, s in json.loads(path.read_text(encoding="utf-8"))]
    lines = _recognise(image)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([[x.text, x.box, x.score] for x in lines], ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    return lines


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
