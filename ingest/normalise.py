"""Decoded text to normalised text: half-width forms, no page footers or markdown, one paragraph a line.

Every offset the parser publishes indexes the normalised text, which is stored with the report.
"""

from __future__ import annotations

import re

from ingest import patterns as P

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0xFE6A: 0x25, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x200B: None,
                   0xFEFF: None, 0x2009: 0x20})

_CJK_OR_PUNCT = re.compile(rf"[{P.CJK}。、“”‘’《》〔〕【】「」…—·,.;:!?()%]")
# A run of spaces; dropped when next to Chinese or punctuation: "2023 年度" → "2023年度",
# "99.84% ," → "99.84%,". (Each run is matched once: a lookaround per space would be quadratic.)
_SPACE_RUN_ANY = re.compile(r"[ \t]+")
_SENTENCE_FINAL = "。!?！？"
_CONTINUES = ",、(“《-"


_FULLWIDTH_RUN = re.compile("[\uFF01-\uFF5E\u3000\uFE6A\u00A0\u2002\u2003\u200B\uFEFF\u2009]+")
_ENUMERATOR = re.compile("|".join(f"(?:{p.pattern[1:]})" for p in P.ENUM_STYLES.values()), re.ASCII)
_HEADING_MARK = "\x01"
# How much of a long paragraph's head and tail ``_joins`` looks at, and the longest title keyword.
_PROBE = 100
_KEYWORD_SPAN = 16
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
    text = "\n".join(line.strip(" \t") for line in text.split("\n"))
    return _SPACE_RUN_ANY.sub(_space_run, text)


def _space_run(match: re.Match[str]) -> str:
    """A run of spaces: gone next to Chinese or punctuation, else one space (a single tab stays)."""
    text, start, end = match.string, match.start(), match.end()
    if (start > 0 and _CJK_OR_PUNCT.match(text, start - 1)) or _CJK_OR_PUNCT.match(text, end):
        return ""
    return " " if end - start > 1 else match.group(0)


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


class _Paragraph:
    """A paragraph being joined from physical lines, kept in pieces (re-concatenating a growing
    string per line is quadratic). ``probe`` stands for the text in every test ``_joins`` makes:
    the text itself when short, else its head and tail (the tests look at the ends and the length)."""

    def __init__(self, line: str, heading: bool) -> None:
        self.pieces, self.heading, self.last_line = [line], heading, line
        self.length, self.head, self.tail = len(line), line[:_PROBE], line[-_PROBE:]
        self.title_keyword = P.TITLE_KEYWORDS.search(line) is not None

    def add(self, line: str) -> None:
        """Append a continuation line: no space, except between two Latin words."""
        last = self.tail[-1]
        glue = " " if last.isascii() and last.isalpha() and line[0].isascii() and line[0].isalpha() else ""
        seam = self.tail[-_KEYWORD_SPAN:] + glue + line[:_KEYWORD_SPAN]
        self.title_keyword = self.title_keyword or bool(P.TITLE_KEYWORDS.search(seam) or P.TITLE_KEYWORDS.search(line))
        self.pieces += [glue, line]
        self.length += len(glue) + len(line)
        if len(self.head) < _PROBE:
            self.head = (self.head + glue + line)[:_PROBE]
        self.tail = (self.tail + glue + line)[-_PROBE:]
        self.last_line = line

    @property
    def probe(self) -> str:
        return self.text() if self.length <= 2 * _PROBE else self.head + self.tail

    def text(self) -> str:
        return "".join(self.pieces)


def _joins(prev: _Paragraph, nxt: str, width: int) -> bool:
    """Whether ``nxt`` continues the paragraph ``prev``."""
    if prev.heading or not nxt:
        return False
    probe = prev.probe
    if P.MD_TABLE_ROW.match(probe) or P.MD_TABLE_ROW.match(nxt) or P.ATTACHMENT.match(probe):
        return False
    if probe[-1] in _SENTENCE_FINAL or starts_with_enumerator(nxt) or P.FORM_FIELD_LINE.match(probe):
        return False
    if P.TITLE_KEYWORDS.search(nxt) and len(nxt) < 40 and not prev.title_keyword:
        return prev.length < 40
    if probe[-1] in _CONTINUES:
        return True
    full = width > 0 and len(prev.last_line) >= 0.9 * width
    return not _heading_like(probe) or (full and not prev.title_keyword)


def _heading_like(line: str) -> bool:
    """A heading, title or table cell: a report title, numbered and short, or short with no punctuation."""
    if P.TITLE_KEYWORDS.search(line) and len(line) <= 60 and not re.search(r"[,;。]", line):
        return True
    if starts_with_enumerator(line):
        return len(line) <= 40 and "。" not in line
    return len(line) <= 20 and not re.search(r"[,;:。、]", line)


def normalise(text: str) -> str:
    """Normalise a decoded report: half-width forms, LF, no footers/markdown, broken lines joined."""
    text = _clean(to_halfwidth(text).replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = [(line[1:].lstrip(), True) if line.startswith(_HEADING_MARK)
               else (_table_row(line) if line.startswith("|") else line, False)
               for line in text.split("\n")]
    width = _line_width([line for line, _ in cleaned])
    paragraphs: list[str] = []
    current: _Paragraph | None = None
    for line, is_heading in cleaned:
        if not line:
            continue
        if current and not is_heading and _joins(current, line, width):
            current.add(line)
            continue
        if current:
            paragraphs.append(current.text())
        current = _Paragraph(line, is_heading)
    if current:
        paragraphs.append(current.text())
    return "\n".join(paragraphs)
