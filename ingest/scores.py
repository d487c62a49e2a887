"""Self-evaluation scores (total and stated parts), the rating, and deduction reasons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ingest import patterns as P
from ingest.segment import clause_start, line_start, sentence_span

_PART_NAMES = "|".join(sorted(P.SCORE_PARTS, key=len, reverse=True))
# "履职效能部分自评得分为 50 分", "预算管理 18 分(满分 20 分)", "管理效率指标得分:47.41分".
_PART_SCORE = re.compile(
    rf"(?P<part>{_PART_NAMES})(?:部分|指标|方面|类)?(?:自评)?(?:得分|评分|分数)?(?:为|是|:)?\s*"
    r"(?P<value>\d{1,3}(?:\.\d{1,2})?)\s*分",
    re.ASCII,
)


@dataclass(frozen=True)
class ScoreFact:
    """A stated (or derived) score."""

    score_item: str
    score: Decimal | None
    max_score: Decimal | None
    rating: str | None
    is_derived: bool
    start: int
    end: int


def _max_after(text: str, end: int, sentence_end: int) -> Decimal | None:
    """A 满分 stated right after a score: "18 分(满分 20 分)"."""
    match = P.MAX_SCORE.match(text, end, min(sentence_end, end + 12)) or P.MAX_SCORE.search(
        text[end:min(sentence_end, end + 12)])
    return Decimal(match.group("value")) if match else None


def _in_table(text: str, pos: int) -> bool:
    return text.startswith("|", line_start(text, pos))


def extract_part_scores(text: str) -> list[ScoreFact]:
    """Scores of named parts (履职效能, 管理效率, 预算管理 …)."""
    out = []
    for match in _PART_SCORE.finditer(text):
        if _in_table(text, match.start()):
            continue
        s_start, s_end = sentence_span(text, match.start())
        between = text[match.end("part"):match.start("value")]
        before = text[max(s_start, match.start() - 3):match.start()]
        if P.NOT_A_SCORE.search(between) or P.NOT_A_SCORE.search(before):
            continue
        out.append(ScoreFact(P.SCORE_PARTS[match.group("part")], Decimal(match.group("value")),
                             _max_after(text, match.end(), s_end), None, False, s_start, s_end))
    return out


def extract_total_scores(text: str) -> list[ScoreFact]:
    """Stated total self-evaluation scores: a score label with no part named in its clause."""
    out = []
    for match in P.SCORE.finditer(text):
        if _in_table(text, match.start()):
            continue
        s_start, s_end = sentence_span(text, match.start())
        clause = text[clause_start(text, match.start(), s_start):match.start()]
        if (P.NOT_A_SCORE.search(match.group("gap")) or P.NOT_A_SCORE.search(clause[-3:])
                or any(part in clause for part in P.SCORE_PARTS) or "指标" in clause):
            continue
        out.append(ScoreFact("total", Decimal(match.group("value")),
                             _max_after(text, match.end(), s_end), None, False, s_start, s_end))
    return out


def extract_rating(text: str) -> tuple[str, int, int] | None:
    """The stated rating (优/良/中/差) with its sentence, if the report states one."""
    for match in P.RATING.finditer(text):
        s_start, s_end = sentence_span(text, match.start())
        clause = text[clause_start(text, match.start(), s_start):match.start()]
        if "考核" in clause or "获评" in clause:
            continue
        return P.RATING_MAP[match.group("rating")], s_start, s_end
    return None


def extract_scores(text: str) -> list[ScoreFact]:
    """Total, parts and rating; a total derived from the standard parts when none is stated."""
    totals = extract_total_scores(text)
    parts = extract_part_scores(text)
    rating = extract_rating(text)
    if not totals:
        stated = {p.score_item: p for p in parts}
        if stated.keys() >= P.TOTAL_PARTS:
            used = [stated[k] for k in sorted(P.TOTAL_PARTS)]
            totals = [ScoreFact("total", sum((p.score for p in used), Decimal(0)), None, None, True,
                                min(p.start for p in used), max(p.end for p in used))]
    if rating and totals:
        first = totals[0]
        totals[0] = ScoreFact(first.score_item, first.score, first.max_score, rating[0], first.is_derived,
                              first.start, first.end)
    elif rating:
        totals = [ScoreFact("total", None, None, rating[0], False, rating[1], rating[2])]
    return totals + parts


def extract_deductions(text: str) -> list[tuple[str, int, int]]:
    """Stated reasons for lost points: "扣分原因主要是…"."""
    return [(m.group("reason").strip(" ,"), m.start("reason"), m.end("reason")) for m in P.DEDUCTION.finditer(text)]
