"""Projects a report states: 项目支出绩效自评表 blocks and the project of a narrative project report.

A project form block starts at a 项目名称 field and runs to the next one (a department report may
list several projects, each a form). From the block: name and code (``51000021R000000019951-工资性支出``
is code + name), 主管部门 / 实施单位, the total row of its budget table (年初预算数 / 全年(调整后)预算数 /
全年执行数 / 执行率) read by ``ingest.facts.forms``, and its total score and rating. A project report
without a form states one project: its name is the title's name after the department, its figures
the report's own (when a key is stated with different values, that figure is left out).

Nothing here is ever a department figure: projects go to ``raw.project_facts`` only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from ingest.facts.forms import budget_lines, form_field_name, table_scores
from ingest.facts.money import Issue, Measure, MoneyFact
from ingest.facts.scores import ScoreFact, extract_scores
from ingest.facts.tables import Cell, Section, field_key, field_value
from ingest.vocab import patterns as P
from ingest.vocab.vocabulary import wordings

# A project code before the name, as budget systems print it: "51000021R000000019951-工资性支出".
_CODE_AND_NAME = re.compile(
    r"""^(?P<code>[0-9A-Z]{8,32})   # the budget system's project code (digits and capitals)
        \s*[-—_]\s*                 # a dash between code and name
        (?P<name>\S.*)$             # the project's name
    """,
    re.VERBOSE,
)

# What a title says around "项目" when it names no project: "关于", a year, "各", "部门", "项目".
_GENERIC_PROJECT_WORDS = re.compile(r"关于|(?:19|20)\d{2}年度?|各|部门|预算|项目|[ -:的]")


@dataclass(frozen=True)
class ProjectFact:
    """One project stated in a report, figures in 万元 (None where not stated plainly)."""

    seq: int
    project_name: str | None
    project_code: str | None
    supervising_department: str | None
    implementing_unit: str | None
    budget_initial: Decimal | None
    budget_adjusted: Decimal | None
    spend: Decimal | None
    execution_rate_pct: Decimal | None
    score_total: Decimal | None
    rating: str | None
    start: int
    end: int
    block_start: int
    block_end: int


def split_code(value: str) -> tuple[str | None, str]:
    """Project code and name of a 项目名称 value: "51000021R000000019951-工资性支出" → code, 工资性支出."""
    match = _CODE_AND_NAME.match(value.strip())
    if match and re.search(r"\d", match.group("code")):
        return match.group("code"), match.group("name").strip()
    return None, value.strip()


@cache
def _project_name_labels() -> tuple[str, ...]:
    return tuple(w for k, w in wordings("form_fields") if k == "project_name")


def _block_starts(cells: Sequence[Cell]) -> list[int]:
    """Indices of the cells that open a project form (a 项目名称 field label, alone or with its value)."""
    labels = _project_name_labels()
    return [i for i, cell in enumerate(cells) if any(w in cell.text for w in labels)
            and (field_key(cell.text) == "project_name" or field_key(cell.text.split(":")[0]) == "project_name")]


def _in_block(sections: Sequence[Section], start: int, end: int) -> list[Section]:
    return [s for s in sections if start <= s.start < end]


def _block_figures(text: str, sections: Sequence[Section], start: int, end: int) -> tuple[dict, list[Issue]]:
    """Figures of the one total row of the block's money blocks (none when there is not exactly one)."""
    lines = [ln for ln in budget_lines(_in_block(sections, start, end)) if ln.is_total]
    if len(lines) != 1:
        return {}, []
    total = lines[0]
    figures = [total.budget_initial, total.budget_adjusted, total.spend]
    if all(f is None or f == 0 for f in figures):
        return {}, [Issue("project_total_row_zero", "warn",
                          f"the total row '{total.label}' of a project form is empty or all zeros; "
                          "no project figures read from it", text[total.start:total.end], total.start)]
    return {"budget_initial": total.budget_initial, "budget_adjusted": total.budget_adjusted,
            "spend": total.spend, "execution_rate_pct": total.execution_rate_pct,
            "start": total.start, "end": total.end}, []


def _total_score(scores: Sequence[ScoreFact]) -> tuple[Decimal | None, str | None]:
    """The one stated total score and rating (None when absent or stated with different values)."""
    totals = [s for s in scores if s.score_item == "total" and not s.is_derived]
    values = {s.score for s in totals if s.score is not None}
    ratings = {s.rating for s in totals if s.rating}
    return (values.pop() if len(values) == 1 else None), (ratings.pop() if len(ratings) == 1 else None)


def project_blocks(cells: Sequence[Cell], text: str) -> list[tuple[int, int]]:
    """The ranges of the report's 项目支出绩效自评表 blocks (a 项目名称 field up to the next one)."""
    starts = _block_starts(cells)
    return [(cells[i].start, cells[starts[n + 1]].start if n + 1 < len(starts) else len(text))
            for n, i in enumerate(starts)]


def form_projects(text: str, cells: Sequence[Cell],
                  sections: Sequence[Section]) -> tuple[list[ProjectFact], list[Issue]]:
    """One project per 项目名称 form block: its fields, the total row of its money block, and its total
    score and rating (stated in the block's prose, else in its score rows)."""
    starts = _block_starts(cells)
    projects: list[ProjectFact] = []
    issues: list[Issue] = []
    for seq, i in enumerate(starts, start=1):
        following = starts[seq] if seq < len(starts) else len(cells)
        block = list(cells[i:following])
        block_start = block[0].start
        block_end = cells[following].start if following < len(cells) else len(text)
        name_cell = field_value(block, "project_name")
        if name_cell is None:
            continue
        code, name = split_code(name_cell.text)
        supervising = form_field_name(block, "supervising_department")
        implementing = form_field_name(block, "implementing_unit")
        figures, found = _block_figures(text, sections, block_start, block_end)
        issues += found
        score, rating = _total_score(extract_scores(text[block_start:block_end], "project"))
        stated = table_scores(_in_block(sections, block_start, block_end))
        if score is None and stated.total is not None:
            score = stated.total.score
        if rating is None and stated.rating is not None:
            rating = stated.rating[0]
        projects.append(ProjectFact(
            seq, name or None, code,
            supervising[0] if supervising else None, implementing[0] if implementing else None,
            figures.get("budget_initial"), figures.get("budget_adjusted"), figures.get("spend"),
            figures.get("execution_rate_pct"), score, rating,
            name_cell.start, figures.get("end", name_cell.end), block_start, block_end))
    return projects, issues


def _single(values: Sequence[Decimal | None]) -> Decimal | None:
    distinct = {v for v in values if v is not None}
    return distinct.pop() if len(distinct) == 1 else None


def report_project(title: str | None, title_start: int | None, department: str | None, text: str,
                   money: Sequence[MoneyFact], measures: Sequence[Measure],
                   scores: Sequence[ScoreFact]) -> ProjectFact | None:
    """The one project of a narrative project report: the title's name after the department, and the
    report's all-funds budget / spend figures, execution rate, total score and rating."""
    if not title or not department or title_start is None or department not in title:
        return None
    after = title[title.index(department) + len(department):]
    kind = P.REPORT_TYPE_PROJECT.search(after)
    if kind is None:
        return None
    # "智慧城管项目支出绩效自评报告": the 项目 that opens the report kind also ends the project's name.
    name = after[:kind.start() + (2 if after[kind.start():].startswith("项目") else 0)].strip(" -:的")
    if len(_GENERIC_PROJECT_WORDS.sub("", name)) < 2:
        return None  # "关于2023年度项目…": a report on all the department's projects, not one project

    def money_of(side: str, item: str) -> Decimal | None:
        return _single([f.amount_wan_yuan for f in money
                        if (f.side, f.item, f.fund_scope) == (side, item, "all_funds")])

    score, rating = _total_score(scores)
    code, name = split_code(name)
    return ProjectFact(
        1, name, code, department, None,
        money_of("budget", "initial"), money_of("budget", "total"), money_of("spend", "total"),
        _single([m.value for m in measures if m.measure == "execution_rate_pct"]), score, rating,
        title_start, title_start + len(title or ""), 0, len(text))
