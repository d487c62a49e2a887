"""Image reader: a scan saved as PNG/JPEG/TIFF/BMP, one page per frame, read by OCR.

Pillow opens the image lazily, so its pixel count is checked before any pixel is decoded. Boxes are
given in points at the image's stated resolution (72 dpi when it states none).
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from ingest.documents import layout, ocr
from ingest.documents.limits import DocumentError, Limits
from ingest.documents.model import Document

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})


def read_image(data: bytes, *, cache_dir: Path | None, limits: Limits) -> Document:
    """Every frame of an image as one OCR'd page."""
    if not limits.ocr:
        raise DocumentError("image file and OCR is off")
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError) as exc:
        raise DocumentError(f"corrupt or unknown image (Pillow cannot identify it: {type(exc).__name__})") from exc
    pages: list[tuple[str, list[layout.PageItem]]] = []
    try:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if number > limits.max_pages:
                raise DocumentError(f"image has more than {limits.max_pages} frames (page limit)")
            if frame.width * frame.height > limits.max_image_pixels:
                raise DocumentError(f"image frame {number} is {frame.width}×{frame.height} pixels, over the "
                                    f"{limits.max_image_pixels}-pixel limit")
            dpi = round(float((frame.info.get("dpi") or (72, 72))[1])) or 72
            label = str(number)
            pages.append((label, ocr.page_items(frame.convert("RGB"), label, frame.height * 72 / dpi, dpi,
                                                cache_dir, limits.low_confidence)))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DocumentError(f"corrupt image ({exc})") from exc
    return Document("image", tuple(layout.assemble(pages)))
