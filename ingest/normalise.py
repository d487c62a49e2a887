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


_FULLWIDTH_RUN = re.compile("[\uFF01-\uFF5E\u3000\uFE6A\u00A0\u2002\u2003\u200B\uFEFF\u2009]+")
_ENUMERATOR = re.compile("|".join(f"(?:{p.pattern[1:]})" for p in P.ENUM_STYLES.values()))
_HEADING_MARK = "\x01"
_LINE_EDGE_SPACE = re.compile(r"^[ \t]+|[ \t]+$", re.M)
_SPACE_RUN = re.compile(r"[ \t]{2,}")
_CELL_EDGE = re.compile(r"[ \t]*\|[ \t]*")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms and ideographic spaces to their half-width forms."""
    return _FULLWIDTH_RUN.sub(lambda m: m.group(0).translate(_FULLWIDTH), text)


def _clean(text: str) -> str:
    """Whole-text clean-up: footers and table rules out, markdown decoration off (a markdown
    heading keeps a marker at its line start), spaces next to Chinese and at line edges gone."""
    text = P.PAGE_FOOTER_LINE.sub("", text)
    text = P.MD_TABLE_RULE_LINE.sub("", text)
    text = P.MD_HEADING_LINE.sub(_HEADING_MARK, text)
    text = P.MD_BULLET_LINE.sub("", text)
    text = P.MD_EMPHASIS.sub("", text)
    text = _LINE_EDGE_SPACE.sub("", text)
    text = _SPACE_NEAR_CJK.sub("", text)
    return _SPACE_RUN.sub(" ", text)


def _table_row(line: str) -> str:
    """A markdown table row in one canonical spacing: "| a | b |"."""
    return _CELL_EDGE.sub(" | ", line).strip()


def starts_with_enumerator(line: str) -> bool:
    """True when a line opens with a section/item number in any common style."""
    return _ENUMERATOR.match(line) is not None


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
    text = _clean(to_halfwidth(text).replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = [(line[1:].lstrip(), True) if line.startswith(_HEADING_MARK)
               else (_table_row(line) if line.startswith("|") else line, False)
               for line in text.split("\n")]
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
