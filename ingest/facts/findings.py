"""Findings: duties (部门职能), problems (存在的主要问题), improvement measures (改进措施)."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.text.segment import Section, items

_KINDS = {"duties": "duty", "problems": "problem", "measures": "measure"}


@dataclass(frozen=True)
class Finding:
    """One enumerated item of a findings section."""

    kind: str
    seq: int
    text: str
    start: int
    end: int


def _outermost(sections: list[Section], kind: str) -> list[Section]:
    """Sections of ``kind`` not nested inside another section of the same kind (sections are in
    text order and nest or are disjoint, so only the last one chosen can hold the next)."""
    chosen: list[Section] = []
    for section in sections:
        if section.kind != kind:
            continue
        if chosen and chosen[-1].start <= section.start and section.end <= chosen[-1].end:
            continue
        chosen.append(section)
    return chosen


def extract_findings(text: str, sections: list[Section]) -> list[Finding]:
    """Items of the duties, problems and measures sections, numbered per kind from 1."""
    out: list[Finding] = []
    for section_kind, kind in _KINDS.items():
        seq = 0
        for section in _outermost(sections, section_kind):
            for start, end in items(text, section.body_start, section.end):
                body = text[start:end].strip()
                if not body:
                    continue
                seq += 1
                out.append(Finding(kind, seq, body, start, end))
    return out
