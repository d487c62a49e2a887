"""Decoded text to normalised text: half-width forms, no page footers or markdown, one paragraph a line.

Two passes: ``clean_texts`` does the whole-text work over a batch at once, vectorised in polars
(half-width forms, LF line ends, pinyin a mirror site inserted after characters, footers and
markdown out, spaces next to Chinese gone);
``join_paragraphs`` then walks each cleaned text's lines once, joining broken lines.
``normalise`` is both, for one text. Every offset the parser publishes indexes the normalised text,
which is stored with the report. ``simplified`` maps traditional characters one for one onto
simplified ones: the parser matches on that view, so offsets stay those of the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib import resources

import polars as pl

from ingest.vocab import patterns as P

# Full-width ASCII forms and odd spaces to half-width: "２０２３年，执行率９９．５％" → "2023年,执行率99.5%".
_FULLWIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({"\u3000": " ", "\uFE6A": "%", "\u00A0": " ", "\u2002": " ", "\u2003": " ", "\u200B": "",
                   "\uFEFF": "", "\u2009": " "})
# A run of spaces next to Chinese or punctuation is dropped, "2023 年度" → "2023年度", "99.26% ," →
# "99.26%,": first the runs after one, then those before one (in one pass, "2022 年 12 月" would
# keep the space after "年", taken by the match " 年"); the character is group 1, kept.
_CJK_OR_PUNCT = rf"[{P.CJK}。、“”‘’《》〔〕【】「」…—·,.;:!?()%]"
_SPACES_AFTER = rf"({_CJK_OR_PUNCT})[ \t]+"
_SPACES_BEFORE = rf"[ \t]+({_CJK_OR_PUNCT})"
# Any other run of two or more becomes one space (a single space or tab stays).
_SPACE_RUN = r"[ \t]{2,}"
_SENTENCE_FINAL = "。!?！？"
_CONTINUES = ",、(“《-"

_ENUMERATOR = re.compile("|".join(f"(?:{p.pattern[1:]})" for p in P.ENUM_STYLES.values()), re.ASCII)
_HEADING_MARK = "\x01"
# How much of a long paragraph's head and tail ``_joins`` looks at, and the longest title keyword.
_PROBE = 100
_KEYWORD_SPAN = 16
_CELL_EDGE = re.compile(r"(?<![ \t])[ \t]*\|[ \t]*")  # entered once per run of spaces


def _cleaned(text: pl.Expr) -> pl.Expr:
    """The whole-text clean-up as one polars expression; each step is a rule of ``ingest.vocab.patterns``
    (whose line patterns expect the "\n" put in front here and taken off at the end)."""
    return (
        (pl.lit("\n") + text.str.replace_many(list(_FULLWIDTH), list(_FULLWIDTH.values())))
        .str.replace_all("\r\n?", "\n")
        .str.replace_all(P.INSERTED_PINYIN, "${1}")
        .str.replace_all(P.PAGE_FOOTER_LINE, "\n")
        .str.replace_all(P.MD_TABLE_RULE_LINE, "\n")
        .str.replace_all(P.MD_HEADING_LINE, "\n" + _HEADING_MARK)
        .str.replace_all(P.MD_BULLET_LINE, "\n${1}")
        .str.replace_all(P.MD_EMPHASIS, "")
        .str.replace_all(P.LINE_EDGE_SPACE, "\n")
        .str.strip_chars_end(" \t")
        .str.replace_all(_SPACES_AFTER, "${1}")
        .str.replace_all(_SPACES_BEFORE, "${1}")
        .str.replace_all(_SPACE_RUN, " ")
        .str.slice(1)
    )


def clean_texts(texts: Sequence[str]) -> list[str]:
    """The whole-text pass over a batch of decoded texts, at once: full-width forms and ideographic
    spaces half-width, LF line ends, page footers, table rules and markdown decoration out (a
    markdown heading keeps a marker at its line start), spaces at line edges and next to Chinese gone."""
    frame = pl.DataFrame({"text": pl.Series(list(texts), dtype=pl.String)})
    return frame.select(_cleaned(pl.col("text"))).to_series().to_list()


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
    the text itself when short, else its head and tail (the tests look at the ends and the length).
    The tests read ``view``, the line in simplified characters (``simplified``); the text keeps ``line``."""

    def __init__(self, line: str, heading: bool, view: str) -> None:
        self.pieces, self.heading, self.last_line = [line], heading, view
        self.length, self.head, self.tail = len(view), view[:_PROBE], view[-_PROBE:]
        self.title_keyword = P.TITLE_KEYWORDS.search(view) is not None
        self._view = [view]

    def add(self, line: str, view: str) -> None:
        """Append a continuation line: no space, except between two Latin words."""
        last = self.tail[-1]
        glue = " " if last.isascii() and last.isalpha() and line[0].isascii() and line[0].isalpha() else ""
        seam = self.tail[-_KEYWORD_SPAN:] + glue + view[:_KEYWORD_SPAN]
        self.title_keyword = self.title_keyword or bool(P.TITLE_KEYWORDS.search(seam) or P.TITLE_KEYWORDS.search(view))
        self.pieces += [glue, line]
        self._view += [glue, view]
        self.length += len(glue) + len(view)
        if len(self.head) < _PROBE:
            self.head = (self.head + glue + view)[:_PROBE]
        self.tail = (self.tail + glue + view)[-_PROBE:]
        self.last_line = view

    @property
    def probe(self) -> str:
        return "".join(self._view) if self.length <= 2 * _PROBE else self.head + self.tail

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


def join_paragraphs(cleaned: str) -> str:
    """A text from ``clean_texts`` with one paragraph a line: broken lines joined, table rows in one
    spacing, blank lines dropped."""
    lines = [(line[1:].lstrip(), True) if line.startswith(_HEADING_MARK)
             else (_table_row(line) if line.startswith("|") else line, False)
             for line in cleaned.split("\n")]
    width = _line_width([line for line, _ in lines])
    paragraphs: list[str] = []
    current: _Paragraph | None = None
    for line, is_heading in lines:
        if not line:
            continue
        view = simplified(line)
        if current and not is_heading and _joins(current, view, width):
            current.add(line, view)
            continue
        if current:
            paragraphs.append(current.text())
        current = _Paragraph(line, is_heading, view)
    if current:
        paragraphs.append(current.text())
    return "\n".join(paragraphs)


@cache
def _simplified_table() -> dict[int, str]:
    """Traditional character → simplified character, one for one, from the character table that
    ``opencc-python-reimplemented`` ships (``TSCharacters.txt``). A character that is also written
    in simplified script (乾, 於, 著: the table lists it among its own readings) is left as it is."""
    table: dict[int, str] = {}
    with resources.files("opencc").joinpath("dictionary", "TSCharacters.txt").open(encoding="utf-8") as fh:
        for line in fh:
            traditional, _, readings = line.rstrip("\n").partition("\t")
            first = readings.split(" ")[0]
            if len(traditional) == 1 and len(first) == 1 and traditional not in readings.split(" "):
                table[ord(traditional)] = first
    return table


@cache
def _traditional_characters() -> frozenset[str]:
    return frozenset(map(chr, _simplified_table()))


def simplified(text: str) -> str:
    """The text in simplified characters, one character for one (same length, so every offset into
    it is an offset into ``text``): the view the parser matches on, "部門整體支出績效" → "部门整体支出绩效".
    A text with no traditional character is returned as it is (a set of its characters, no
    per-character work in Python)."""
    if _traditional_characters().isdisjoint(set(text)):
        return text
    return text.translate(_simplified_table())


def normalise(text: str) -> str:
    """Normalise one decoded report: ``clean_texts`` then ``join_paragraphs``."""
    return join_paragraphs(clean_texts([text])[0])
