"""Decoded text to normalised text: half-width forms, no page footers or markdown, one paragraph a line.

Every offset the parser publishes indexes the normalised text, which is stored with the report.
"""

from __future__ import annotations

import re

from ingest import patterns as P

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0xFE6A: 0x25, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x200B: None,
                   0xFEFF: None, 0x2009: 0x20})

_CJK_OR_PUNCT = rf"[{P.CJK}。、“”‘’《》〔〕【】「」…—·,.;:!?()%]"
# Spaces next to Chinese or punctuation: "2023 年度" → "2023年度", "99.84% ," → "99.84%,".
_SPACE_NEAR_CJK = re.compile(rf"(?<={_CJK_OR_PUNCT})[ \t]+|[ \t]+(?={_CJK_OR_PUNCT})")
_SENTENCE_FINAL = "。!?！？"
_CONTINUES = ",、(“《-"


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms and ideographic spaces to their half-width forms."""
    return text.translate(_FULLWIDTH)


def _clean_line(line: str) -> tuple[str, bool]:
    """Strip markdown decoration from one line; say whether it was a markdown heading."""
    is_heading = bool(P.MD_HEADING.match(line)) and not P.MD_TABLE_ROW.match(line)
    if P.MD_TABLE_ROW.match(line):
        return P.MD_EMPHASIS.sub("", line).strip(), False
    line = P.MD_HEADING.sub("", line)
    line = P.MD_BULLET.sub("", line)
    line = P.MD_EMPHASIS.sub("", line)
    line = _SPACE_NEAR_CJK.sub("", line.strip())
    line = re.sub(r"[ \t]{2,}", " ", line)
    return line, is_heading


def starts_with_enumerator(line: str) -> bool:
    """True when a line opens with a section/item number in any common style."""
    return any(p.match(line) for p in P.ENUM_STYLES.values())


def _line_width(lines: list[str]) -> int:
    """The typical full width of a line (80th percentile), to tell broken lines from short ones;
    0 (unknown) for a text of fewer than ten lines."""
    lengths = sorted(len(x) for x in lines if len(x) > 4)
    if len(lengths) < 10:
        return 0
    return lengths[min(len(lengths) - 1, int(len(lengths) * 0.8))]


def _joins(prev: str, prev_heading: bool, nxt: str, width: int, last_line: str) -> bool:
    """Whether ``nxt`` continues the paragraph ``prev``, whose last physical line was ``last_line``."""
    if prev_heading or not prev or not nxt:
        return False
    if P.MD_TABLE_ROW.match(prev) or P.MD_TABLE_ROW.match(nxt) or P.ATTACHMENT.match(prev):
        return False
    if prev[-1] in _SENTENCE_FINAL or starts_with_enumerator(nxt) or P.FORM_FIELD_LINE.match(prev):
        return False
    if P.TITLE_KEYWORDS.search(nxt) and len(nxt) < 40 and not P.TITLE_KEYWORDS.search(prev):
        return len(prev) < 40
    if prev[-1] in _CONTINUES:
        return True
    full = width > 0 and len(last_line) >= 0.9 * width
    return not _heading_like(prev) or (full and not P.TITLE_KEYWORDS.search(prev))


def _heading_like(line: str) -> bool:
    """A heading, title or table cell: a report title, numbered and short, or short with no punctuation."""
    if P.TITLE_KEYWORDS.search(line) and len(line) <= 60 and not re.search(r"[,;。]", line):
        return True
    if starts_with_enumerator(line):
        return len(line) <= 40 and "。" not in line
    return len(line) <= 20 and not re.search(r"[,;:。、]", line)


def _glue(prev: str, nxt: str) -> str:
    """Join two pieces of one paragraph: no space, except between two Latin words."""
    if prev[-1].isascii() and prev[-1].isalpha() and nxt[0].isascii() and nxt[0].isalpha():
        return prev + " " + nxt
    return prev + nxt


def normalise(text: str) -> str:
    """Normalise a decoded report: half-width forms, LF, no footers/markdown, broken lines joined."""
    text = to_halfwidth(text).replace("\r\n", "\n").replace("\r", "\n")
    cleaned: list[tuple[str, bool]] = []
    for raw in text.split("\n"):
        if P.PAGE_FOOTER.match(raw) or P.MD_TABLE_RULE.match(raw):
            continue
        cleaned.append(_clean_line(raw))
    width = _line_width([line for line, _ in cleaned])
    paragraphs: list[str] = []
    current, current_heading, last_line = "", False, ""
    for line, is_heading in cleaned:
        if not line:
            continue
        if current and not is_heading and _joins(current, current_heading, line, width, last_line):
            current, last_line = _glue(current, line), line
            continue
        if current:
            paragraphs.append(current)
        current, current_heading, last_line = line, is_heading, line
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs)
