"""Structure of a normalised report: lines, sentences, headings, standard sections and list items."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ingest.vocab import patterns as P

_HEAD_END = re.compile(r"[。:]")
_SENTENCE_ENDS = "。!?;\n"
_CLAUSE_ENDS = "。!?;:\n"
# A fact's source sentence reaches at most this far before and after the figure it states: a
# "sentence" of a whole 2 MB line would be copied into every fact read from it.
SENTENCE_REACH_BEFORE = 180
SENTENCE_REACH_AFTER = 120


@dataclass(frozen=True)
class Line:
    """One paragraph line of the normalised text, with its offsets."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Heading:
    """A numbered heading: its style rank (1 = outermost), title and where its body starts."""

    line: Line
    style: str
    rank: int
    title: str
    body_start: int


@dataclass(frozen=True)
class Section:
    """A heading with everything up to the next heading of the same or an outer rank."""

    heading: Heading
    kind: str | None
    end: int

    @property
    def start(self) -> int:
        return self.heading.line.start

    @property
    def body_start(self) -> int:
        return self.heading.body_start


def lines_of(text: str) -> list[Line]:
    """Split normalised text into lines with offsets."""
    out, pos = [], 0
    for chunk in text.split("\n"):
        out.append(Line(pos, pos + len(chunk), chunk))
        pos += len(chunk) + 1
    return out


# Every style in one pattern, a named group each, in the order of ``ENUM_STYLES`` (the first that
# matches names the style): one match per line instead of one per style.
_ANY_STYLE = re.compile("|".join(f"(?P<{style}>{p.pattern[1:]})" for style, p in P.ENUM_STYLES.items()))


@lru_cache(maxsize=1024)
def enumerator_style(text: str) -> str | None:
    """The numbering style a line opens with (``cn``, ``paren_cn``, ``arabic`` …), if any."""
    match = _ANY_STYLE.match(text)
    return match.lastgroup if match else None


def sentence_span(text: str, pos: int) -> tuple[int, int]:
    """Offsets of the sentence around ``pos`` (ends at 。!?; or a line end, inclusive of 。), cut to
    ``SENTENCE_REACH_BEFORE`` characters before ``pos`` and ``SENTENCE_REACH_AFTER`` after it."""
    floor = max(0, pos - SENTENCE_REACH_BEFORE)
    ceiling = min(len(text), pos + SENTENCE_REACH_AFTER)
    start = max(floor, max(text.rfind(ch, floor, pos) for ch in _SENTENCE_ENDS) + 1)
    ends = [i for i in (text.find(ch, pos, ceiling) for ch in _SENTENCE_ENDS) if i >= 0]
    end = min(ends) if ends else ceiling
    if ends and end < len(text) and text[end] != "\n":
        end += 1
    return start, end


@lru_cache(maxsize=4)
def _line_starts(text: str) -> tuple[int, ...]:
    return (0, *(m.end() for m in re.finditer("\n", text)))


def line_start(text: str, pos: int) -> int:
    """Offset of the start of the line holding ``pos`` (indexed once per text, not scanned back)."""
    starts = _line_starts(text)
    return starts[bisect_right(starts, pos) - 1]


def clause_start(text: str, pos: int, floor: int = 0) -> int:
    """Start of the clause holding ``pos``: after the last 。;:, (not a thousands comma) before it
    (at most ``SENTENCE_REACH_BEFORE`` characters back)."""
    floor = max(floor, pos - SENTENCE_REACH_BEFORE)
    start = max(floor, max(text.rfind(ch, floor, pos) for ch in _CLAUSE_ENDS) + 1)
    comma = text.rfind(",", start, pos)
    while comma >= start:
        if not (comma > 0 and text[comma - 1].isdigit() and comma + 1 < len(text) and text[comma + 1].isdigit()):
            return comma + 1
        comma = text.rfind(",", start, comma)
    return start


def headings(lines: list[Line]) -> list[Heading]:
    """Numbered headings, ranked by the order in which their numbering styles first appear."""
    ranks: dict[str, int] = {}
    out = []
    for line in lines:
        style = enumerator_style(line.text)
        if style is None or style == "shi":
            continue
        marker = P.ENUM_STYLES[style].match(line.text)
        assert marker is not None
        rest = line.text[marker.end():]
        stop = _HEAD_END.search(rest)
        if stop is None:
            if len(rest) > 40:
                continue
            title, body_start = rest, line.end + 1
        else:
            if stop.start() > 25:
                continue
            title, body_start = rest[: stop.start()], line.start + marker.end() + stop.end()
        rank = ranks.setdefault(style, len(ranks) + 1)
        out.append(Heading(line, style, rank, title.strip(), body_start))
    return out


def classify(title: str) -> str | None:
    """The standard section a heading title names (``problems``, ``measures`` …), by meaning."""
    for kind, pattern in P.SECTION_KINDS:
        if pattern.search(title):
            return kind
    return None


def sections(text: str, lines: list[Line] | None = None) -> list[Section]:
    """Every heading as a section reaching to the next heading of the same or an outer rank."""
    found = headings(lines if lines is not None else lines_of(text))
    ends = [len(text)] * len(found)
    open_heads: list[int] = []
    for i, head in enumerate(found):
        while open_heads and found[open_heads[-1]].rank >= head.rank:
            ends[open_heads.pop()] = head.line.start
        open_heads.append(i)
    return [Section(head, classify(head.title), end) for head, end in zip(found, ends, strict=True)]


def items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Enumerated items of a body (numbered lines, inline 一是…二是…), else the whole body as one item."""
    body_lines = [ln for ln in lines_of(text[start:end]) if ln.text.strip()]
    body_lines = [Line(ln.start + start, ln.end + start, ln.text) for ln in body_lines]
    if not body_lines:
        return []
    by_style: dict[str, list[Line]] = {}
    for ln in body_lines:
        style = enumerator_style(ln.text)
        if style:
            by_style.setdefault(style, []).append(ln)
    chosen = next((s for s, lns in by_style.items() if len(lns) >= 2), None)
    if chosen:
        starts = [ln.start for ln in by_style[chosen]]
        bounds = [*starts[1:], body_lines[-1].end]
        return [(s, _rstrip(text, s, e)) for s, e in zip(starts, bounds, strict=True)]
    body = text[start:end]
    inline = list(P.INLINE_SHI.finditer(body))
    if len(inline) >= 2:
        starts = [start + m.start(1) for m in inline]
        bounds = [*starts[1:], _rstrip(text, start, end)]
        return [(s, _rstrip(text, s, e)) for s, e in zip(starts, bounds, strict=True)]
    return [(body_lines[0].start, body_lines[-1].end)]


def _rstrip(text: str, start: int, end: int) -> int:
    """Move ``end`` back over whitespace and separators so an item does not end on ; or a newline."""
    while end > start and text[end - 1] in " \n;,":
        end -= 1
    return end
