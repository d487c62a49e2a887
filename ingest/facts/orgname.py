"""Whether a piece of text is an organisation's name, by grammar.

A department name is an optional prefix (中共 / 政协 / 共青团 …) and place (resolved in the gazetteer),
a body, and an organisation suffix from ``ingest/vocab/org_suffixes.csv`` (局, 委员会, 人民政府,
街道办事处, 学校, 医院, 中心, 党校, 联合会 …). It holds Chinese characters and brackets only: no
digits, dates, field labels, field punctuation (``:`` ``|``), verbs, report wordings or pronouns
(``ingest/vocab/name_noise.csv``), and its brackets close. An evaluation firm (会计师事务所,
有限公司) is an organisation but never the department a report is about.

``check`` says why a candidate is not a name, so that the header can drop it with a parse issue
quoting it; the form readers and the header both ask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ingest.vocab import patterns as P
from ingest.vocab.gazetteer import resolve
from ingest.vocab.vocabulary import wordings

# What a name may be written with: Chinese characters, brackets and the middle dot.
_NAME_CHARS = re.compile(rf"^[{P.CJK}()·]+$")
_MIN_LEN, _MAX_LEN = 3, 40
# One-character suffixes that may end a name inside running text (see ``_cut_points``).
_SAFE_ONE_CHARACTER_ENDS = frozenset("局厅院")


@dataclass(frozen=True)
class Verdict:
    """A candidate read as a name: ``name`` when it is one (qualifiers and glued leading words
    taken off), else ``None`` and ``problem`` saying why, in words."""

    candidate: str
    name: str | None
    problem: str | None = None


@cache
def _suffixes(kind: str | None = None, exclude: str | None = None) -> tuple[str, ...]:
    return tuple(w for k, w in wordings("org_suffixes") if (kind is None or k == kind) and k != exclude)


@cache
def _noise(kind: str) -> tuple[str, ...]:
    return tuple(w for k, w in wordings("name_noise") if k == kind)


@cache
def _suffix_end() -> re.Pattern[str]:
    """An organisation suffix at the end of a name (firms excluded), longest wording first."""
    return re.compile("(?:" + "|".join(map(re.escape, _suffixes(exclude="firm"))) + ")$")


@cache
def _firm_end() -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(map(re.escape, _suffixes("firm"))) + r")(?:\([{P.CJK}]*\))?$")


@cache
def _cut_points() -> re.Pattern[str]:
    """Where a department name may end inside "department + project name": every suffix of two or
    more characters, and of the one-character ones only those that open no common word: 局, 厅,
    院 (社 opens 社会, 所 所有, 处 处理, 站 站点, 队 队伍, 委 委员会 …:
    "某市人力资源和社会保障局" is no 某市人力资源和社)."""
    words = [w for w in _suffixes(exclude="firm") if len(w) > 1 or w in _SAFE_ONE_CHARACTER_ENDS]
    return re.compile("(?:" + "|".join(map(re.escape, words)) + ")")


@cache
def _office_after() -> re.Pattern[str]:
    """An office that continues a name just cut (某县人民政府 + 办公室)."""
    return re.compile("^(?:" + "|".join(map(re.escape, _suffixes("office"))) + ")")


def _strip_qualifiers(text: str) -> str:
    """Take off what a form writes around a name: spaces, a field colon, 本级 / (盖章) / (公章)."""
    text = text.strip(" \t:,;、")
    previous = None
    while previous != text:
        previous = text
        text = P.NAME_QUALIFIER_TAIL.sub("", text).strip(" \t:,;、")
    return text


def _strip_leading(text: str) -> str:
    """Take off words glued before a name (a web page's navigation, 关于 / 印发 / 公开) down to the
    placed name they hide ("网站首页信息公开某县中医医院" → "某县中医医院"); a name that only holds such
    a word keeps it ("政务公开办公室")."""
    leading = _noise("leading")
    rests = [text]
    while word := next((w for w in leading if rests[-1].startswith(w)), None):
        rests.append(rests[-1][len(word):])
    names = [rest for rest in rests if _problem(rest) is None]
    placed = [rest for rest in names if resolve(rest).admin_level is not None or P.NAME_PREFIX.match(rest)]
    return placed[-1] if placed else (names[0] if names else text)


def _problem(name: str) -> str | None:
    """Why ``name`` (already stripped) is not an organisation name; None when it is one."""
    if P.NAME_PRONOUN.search(name):
        return "is a pronoun or holds one (我 / 本 / 该 …): the unit is named elsewhere"
    if len(name) < _MIN_LEN:
        return "too short for an organisation name"
    if len(name) > _MAX_LEN:
        return f"longer than {_MAX_LEN} characters"
    if re.search(r"\d|〇", name):
        return "holds digits or a date"
    if not _NAME_CHARS.match(name):
        bad = next(ch for ch in name if not _NAME_CHARS.match(ch))
        return f"holds {bad!r}, which no name is written with (a field's punctuation or another field)"
    if P.NAME_DATE_TAIL.match(name):
        return "opens with the tail of a year or date"
    for kind, what in (("pronoun", "a pronoun"), ("sentence", "a verb or sentence word"),
                       ("report_kind", "a report wording"), ("field_label", "a field label")):
        word = next((w for w in _noise(kind) if w in name), None)
        if word:
            return f"holds {what} ({word})"
    if name.count("(") != name.count(")") or name.find(")") < name.find("("):
        return "has a bracket that does not close"
    if _firm_end().search(name):
        return "names an evaluation firm, not a department"
    if not _suffix_end().search(re.sub(r"\([^()]*\)$", "", name)):  # 某办公室(某局): the part before the bracket
        return "does not end in an organisation suffix (局, 委员会, 中心, 医院 …)"
    return None


@cache
def _branch_end() -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(map(re.escape, _suffixes("branch"))) + ")$")


def glued_at(name: str) -> int | None:
    """Where a second, placed organisation name starts inside ``name`` when two are glued
    ("某市财政局某市教育局" → 5). One name: a branch named under its parent ("某市规划和自然资源局某区分局"),
    a township's office under its district's government ("某区人民政府某某街道办事处")."""
    for match in _cut_points().finditer(name):
        head, tail = name[:match.end()], name[match.end():]
        if not tail or _branch_end().search(tail) or _problem(head) or _problem(tail):
            continue
        if resolve(head).admin_level is None:  # "共青团" + 某市委员会: a prefix, not a name of its own
            continue
        place = resolve(tail)
        if place.admin_level == "township" and head.endswith("人民政府"):
            continue
        if place.admin_level is not None:
            return match.end()
    return None


def check(candidate: str) -> Verdict:
    """The candidate as an organisation name, or why it is not one."""
    text = _strip_leading(_strip_qualifiers(candidate))
    problem = _problem(text)
    if problem is None and (cut := glued_at(text)) is not None:
        problem = f"holds two organisation names glued together ({text[:cut]} | {text[cut:]})"
    return Verdict(candidate, None if problem else text, problem)


def is_name(candidate: str) -> bool:
    """Whether ``candidate`` is an organisation name (after qualifiers and leading words)."""
    return check(candidate).name is not None


def is_firm(candidate: str) -> bool:
    """An evaluation firm's name: "某某会计师事务所", "某某咨询有限公司"."""
    text = _strip_qualifiers(candidate)
    return bool(_NAME_CHARS.match(text)) and bool(_firm_end().search(text))


@cache
def _firm_name() -> re.Pattern[str]:
    return re.compile(rf"[{P.CJK}]{{2,30}}?(?:" + "|".join(map(re.escape, _suffixes("firm"))) + ")")


def names_firm(text: str) -> bool:
    """Whether the text names an evaluation firm ("湖南某某会计师事务所有限公司", "某某咨询有限公司")."""
    return _firm_name().search(text) is not None


def name_at_start(span: str) -> Verdict:
    """The name a span opens with, as titles and report sentences write it: an optional year, the
    name, then a year or the report's kind ("2021年度某县财政局部门整体支出…" → 某县财政局)."""
    text = P.NAME_LEADING_YEAR.sub("", span.strip())
    cut = P.NAME_STOP.search(text)
    end = cut.start() if cut else len(text)
    if text.count("(", 0, end) > text.count(")", 0, end) and (close := text.find(")", end)) >= 0:
        end = close + 1  # a stop word inside brackets: the name runs to the closing one
    verdict = check(text[:end])
    cut = glued_at(_strip_leading(_strip_qualifiers(text[:end]))) if verdict.name is None else None
    if cut is not None:  # something glued before the name (a page's 来源:某局): the name is the last one
        return check(_strip_leading(_strip_qualifiers(text[:end]))[cut:])
    return verdict


def department_of_project(text: str) -> str | None:
    """The department that opens "department + project name" ("某县财政局财政事务工作经费项目" →
    某县财政局): the shortest opening that is a name, with an office that directly continues it."""
    text = P.NAME_LEADING_YEAR.sub("", text.strip())
    for match in _cut_points().finditer(text):
        head = text[:match.end()]
        if is_name(head):
            office = _office_after().match(text[match.end():])
            longer = head + office.group(0) if office else head
            return check(longer).name or check(head).name
    return None
