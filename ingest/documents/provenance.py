"""From a character range of the normalised text to where it sits in the original file.

A fact's range can cover several spans (a sentence broken across lines, a table row and its
header); the fact is placed on the page of its first span, with the locators of that page's spans
merged: boxes into their union, cell ranges of one sheet into the covering range, anything else
listed. Spans travel as compact JSON (``raw.raw_texts.spans_json``).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

from ingest.documents.model import Provenance, Span, bbox_locator

_BBOX = re.compile(r"bbox\((-?\d+),(-?\d+),(-?\d+),(-?\d+)\)")
_CELL_RANGE = re.compile(r"(?P<c0>[A-Z]{1,3})(?P<r0>\d{1,7}):(?P<c1>[A-Z]{1,3})(?P<r1>\d{1,7})")


@dataclass(frozen=True)
class Located:
    """Where a fact is: ``page`` and ``locator`` (None when unknown) and whether OCR was unsure."""

    page: str | None
    locator: str | None
    low_confidence: bool
    confidence: float | None


def spans_to_json(spans: tuple[Span, ...] | list[Span] | None) -> str | None:
    """Spans as compact JSON rows ``[start, end, page, locator, confidence, low]``."""
    if spans is None:
        return None
    rows = [[s.start, s.end, s.prov.page, s.prov.locator, s.prov.confidence, s.prov.low_confidence]
            for s in spans]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def spans_from_json(text: str | None) -> tuple[Span, ...] | None:
    """The inverse of :func:`spans_to_json`."""
    if not text:
        return None
    return tuple(Span(start, end, Provenance(page, locator, conf, bool(low)))
                 for start, end, page, locator, conf, low in json.loads(text))


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def merge_locators(locators: list[str]) -> str | None:
    """Boxes → their union; cell ranges → the covering range; otherwise the distinct ones, joined."""
    distinct = list(dict.fromkeys(x for x in locators if x))
    if len(distinct) <= 1:
        return distinct[0] if distinct else None
    boxes = [_BBOX.fullmatch(x) for x in distinct]
    if all(boxes):
        coords = [[int(v) for v in m.groups()] for m in boxes if m]
        return bbox_locator(min(c[0] for c in coords), min(c[1] for c in coords),
                            max(c[2] for c in coords), max(c[3] for c in coords))
    cells = [_CELL_RANGE.fullmatch(x) for x in distinct]
    if all(cells):
        cols = [_column_number(m[k]) for m in cells if m for k in ("c0", "c1")]
        rows = [int(m[k]) for m in cells if m for k in ("r0", "r1")]
        return f"{_column_letters(min(cols))}{min(rows)}:{_column_letters(max(cols))}{max(rows)}"
    return "; ".join(distinct)


def locate(spans: tuple[Span, ...], start: int, end: int) -> Located:
    """Where the characters ``[start, end)`` came from (spans sorted by start, not overlapping)."""
    first = bisect.bisect_right(spans, start, key=lambda s: s.end)
    hits = []
    for span in spans[first:]:
        if span.start >= max(end, start + 1):
            break
        if span.end > start:
            hits.append(span)
    if not hits:
        return Located(None, None, False, None)
    page = hits[0].prov.page
    on_page = [s for s in hits if s.prov.page == page]
    scores = [s.prov.confidence for s in hits if s.prov.confidence is not None]
    return Located(page, merge_locators([s.prov.locator or "" for s in on_page]),
                   any(s.prov.low_confidence for s in hits), min(scores) if scores else None)
