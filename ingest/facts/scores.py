"""Self-evaluation scores (total and stated parts), the rating, and deduction reasons."""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from decimal import Decimal

from ingest.facts.money import carried_subject, other_period
from ingest.text.segment import clause_start, line_start, sentence_span
from ingest.vocab import patterns as P

_PART_NAMES = "|".join(sorted(P.SCORE_PARTS, key=len, reverse=True))
# "履职效能部分自评得分为 50 分", "预算管理 18 分(满分 20 分)", "管理效率指标得分:45.17分", "履职效能(60分)自评
# 得分 56 分" (the bracketed points are the part's maximum).
_PART_SCORE = re.compile(
    rf"""(?P<part>{_PART_NAMES})
        (?:\(\s*(?:满分|分值|权重)?\s*(?P<max>\d{{1,3}}(?:\.\d{{1,2}})?)\s*分\s*\))?
        (?:部分|指标|方面|类)?(?:自评)?(?:得分|评分|分数)?(?:为|是|:)?\s*
        (?P<value>\d{{1,3}}(?:\.\d{{1,2}})?)\s*分
    """,
    re.ASCII | re.VERBOSE,
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


def prose_score_at(text: str, pos: int) -> bool:
    """Whether the figure at ``pos`` is a score worded as prose ("自评得分 56 分"): read (or rejected)
    by the prose rules, never by a form field's."""
    start = max(line_start(text, pos), pos - 16)
    return any(m.start("value") == pos for m in P.SCORE.finditer(text, start, pos + 12))


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
        stated_max = match.group("max")
        out.append(ScoreFact(P.SCORE_PARTS[match.group("part")], Decimal(match.group("value")),
                             Decimal(stated_max) if stated_max else _max_after(text, match.end(), s_end),
                             None, False, s_start, s_end))
    return out


def _not_own(text: str, s_start: int, c_start: int, pos: int, report_type: str, fiscal_year: int | None) -> bool:
    """Whether the clause before ``pos`` makes a department report's score or rating someone else's: a
    project's, an average over projects, another year's (see ``P.FOREIGN_SCORE_CLAUSE``)."""
    if report_type == "project":
        return False
    return bool(P.FOREIGN_SCORE_CLAUSE.search(text, c_start, pos)
                or other_period(text, s_start, c_start, pos, fiscal_year)
                or carried_subject(text, s_start, c_start, pos))


def extract_total_scores(text: str, report_type: str = "department_overall",
                         fiscal_year: int | None = None) -> list[ScoreFact]:
    """Stated total self-evaluation scores: a score label with no part named in its clause (nor, for a
    bare 得分, an indicator, weight or part named earlier in its sentence); in a department report
    not a project's, an average's or another year's score."""
    out = []
    for match in P.SCORE.finditer(text):
        if _in_table(text, match.start()) or P.SCORE_QUALIFIER_AFTER.match(text, match.end()):
            continue
        s_start, s_end = sentence_span(text, match.start())
        c_start = clause_start(text, match.start(), s_start)
        clause = text[c_start:match.start()]
        weak = match.group("label") == P.WEAK_SCORE_LABEL
        context = text[s_start:match.start()] if weak else clause
        if (P.NOT_A_SCORE.search(match.group("gap")) or P.NOT_A_SCORE.search(clause[-3:])
                or any(part in context for part in P.SCORE_PARTS) or "指标" in clause
                or (weak and P.WEAK_SCORE_CONTEXT.search(context))
                or _not_own(text, s_start, c_start, match.start(), report_type, fiscal_year)):
            continue
        out.append(ScoreFact("total", Decimal(match.group("value")),
                             _max_after(text, match.end(), s_end), None, False, s_start, s_end))
    return out


def extract_rating(text: str, report_type: str = "department_overall",
                   fiscal_year: int | None = None) -> tuple[str, int, int] | None:
    """The stated rating (优/良/中/差) with its sentence, if the report states one (not an award, and in
    a department report not a project's or another year's)."""
    found = heapq.merge(*(((m.start(), m.group("rating")) for m in pattern.finditer(text))
                          for pattern in (P.RATING, P.RATING_BEFORE_KIND)))
    for start, rating in found:  # in text order, lazily: the first rating that is the report's
        s_start, s_end = sentence_span(text, start)
        c_start = clause_start(text, start, s_start)
        if (P.RATING_NOT_OWN.search(text, c_start, start)
                or _not_own(text, s_start, c_start, start, report_type, fiscal_year)):
            continue
        return P.RATING_MAP[rating], s_start, s_end
    return None


def extract_scores(text: str, report_type: str = "department_overall",
                   fiscal_year: int | None = None) -> list[ScoreFact]:
    """Total, parts and rating; a total derived from the standard parts when none is stated. The
    rating goes with the total stated in its sentence, else with the first."""
    totals = extract_total_scores(text, report_type, fiscal_year)
    parts = extract_part_scores(text)
    rating = extract_rating(text, report_type, fiscal_year)
    if not totals:
        stated = {p.score_item: p for p in parts}
        if stated.keys() >= P.TOTAL_PARTS:
            used = [stated[k] for k in sorted(P.TOTAL_PARTS)]
            totals = [ScoreFact("total", sum((p.score for p in used), Decimal(0)), None, None, True,
                                min(p.start for p in used), max(p.end for p in used))]
    if rating and totals:
        at = next((i for i, t in enumerate(totals) if t.start <= rating[1] < t.end), 0)
        total = totals[at]
        totals[at] = ScoreFact(total.score_item, total.score, total.max_score, rating[0], total.is_derived,
                               total.start, total.end)
    elif rating:
        totals = [ScoreFact("total", None, None, rating[0], False, rating[1], rating[2])]
    return totals + parts


def extract_deductions(text: str) -> list[tuple[str, int, int]]:
    """Stated reasons for lost points: "扣分原因主要是…"."""
    return [(m.group("reason").strip(" ,"), m.start("reason"), m.end("reason")) for m in P.DEDUCTION.finditer(text)]
