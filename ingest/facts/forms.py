"""Readers for the standard self-evaluation forms, on the resolved sections of the table reader.

The forms are described once, as data: column headers in ``ingest/vocab/table_columns.csv``, row
labels in ``ingest/vocab/table_rows.csv`` (key ``<what>.<item>``: ``money.total``,
``money.fiscal_appropriation``, ``score.total``, ``score.performance_effectiveness``,
``rating.total`` …), form fields in ``form_fields.csv``. The readers here only pair them:

* money block of 部门整体支出绩效自评表 / 项目支出绩效自评表 / the Sichuan form (年初预算数 / 全年预算数
  / 全年执行数 / 执行率, under a block label such as 项目资金(万元)): ``budget_lines`` (one line per
  known row: the total or a fund part, in 万元, the unit resolved from header, block label,
  a unit row or the caption); ``department_form_money`` turns the department form's total row and
  parts into money facts and its execution rate;
* total score, its maximum and the rating (总分 | 100 | 88.60: 分值 before 得分; 自评等级 | 良) and
  the 履职效能 / 管理效率 parts of scoring tables: ``table_scores``;
* head counts of the basic-data table (编制数 | 实际在职人数) and of form fields: ``form_staff``;
* 自评总分 / 自评得分 fields: ``form_score``; 部门名称 / 实施单位 / 主管部门 fields:
  ``form_departments`` (also read by ``ingest.facts.header``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from ingest.documents.grids import GridCell
from ingest.facts import orgname
from ingest.facts.money import Issue, Measure, MoneyFact, to_wan_yuan
from ingest.facts.scores import ScoreFact
from ingest.facts.tables import Cell, Section, field_value, row_cells, row_label
from ingest.vocab import patterns as P
from ingest.vocab.vocabulary import entries

# A field value that is a score: "97.6", "90分" (not "3." opening a numbered sentence).
_SCORE_VALUE = re.compile(r"^(?P<value>\d{1,3}(?:\.\d{1,2})?)(?![\d.、,])(?:\s*分)?")
# A field value that is a head count: "21", "45人", "38 名".
_STAFF_VALUE = re.compile(r"^(?P<value>\d{1,6})\s*(?:人|名)?$")
# A department written in a form field: an optional unit code ("219001-"), the name, and a
# qualifier that is not part of the name ("本级", "部门", "(盖章)"): "219-某县某镇人民政府".
_FIELD_NAME = re.compile(
    rf"""^(?:\d{{2,}}\s*-\s*)?                 # unit code of the budget system
        (?P<name>[{P.CJK}()]{{3,40}}?)          # the official name
        (?:本级|部门|\(盖章\))?$                 # qualifier after the name
    """,
    re.VERBOSE,
)
_DEPARTMENT_FIELDS = ("department", "implementing_unit", "supervising_department")
# What a row label may carry besides its wording: a unit or points in brackets, "其中:", a colon.
_LABEL_DECORATION = re.compile(r"\((?:亿元|万元|元|\d{0,3}(?:\.\d+)?分)\)|^其中\s*:?|[::]$")
_MONEY_COLUMNS = ("budget_initial", "budget_adjusted", "spend")


@cache
def _row_vocabulary() -> dict[str, dict[str, str]]:
    """``table_rows.csv`` as {what: {wording: item}}: ``money`` / ``score`` / ``rating`` rows."""
    out: dict[str, dict[str, str]] = {}
    for key, wording in entries("table_rows"):
        what, _, item = key.partition(".")
        out.setdefault(what, {}).setdefault(wording, item)
    return out


def row_key(what: str, label: str) -> str | None:
    """The item a row label names in vocabulary part ``what``: ("money", "其中:当年财政拨款") →
    ``fiscal_appropriation``; ("score", "总分") → ``total``."""
    bare = _LABEL_DECORATION.sub("", label.strip()).strip()
    return _row_vocabulary().get(what, {}).get(bare)


@dataclass(frozen=True)
class BudgetLine:
    """One known row of a form's money block, in 万元 (None where the cell is empty or not a number)."""

    label: str
    item: str
    is_total: bool
    budget_initial: Decimal | None
    budget_adjusted: Decimal | None
    spend: Decimal | None
    execution_rate_pct: Decimal | None
    unit: str
    start: int
    end: int
    printed: tuple[tuple[str, str], ...] = ()
    fund_scope: str = "all_funds"
    block: int = 0

    def printed_text(self, column: str) -> str:
        """The figure of ``column`` as printed in its cell."""
        return dict(self.printed).get(column, "")


def _rate(section: Section, r: int) -> Decimal | None:
    column = section.column("execution_rate")
    if column is None:
        return None
    cell = section.cell(r, column.index)
    if cell.percent is not None:
        return cell.percent
    return cell.number if column.percent else None


def budget_lines(sections: Sequence[Section]) -> list[BudgetLine]:
    """Every known row (``table_rows.csv`` ``money.*``) of every money block whose unit is stated
    somewhere (header, block label, unit row, caption); a block without a unit is not read."""
    out = []
    for block, section in enumerate(sections):
        columns = [c for c in (section.column(k) for k in _MONEY_COLUMNS) if c is not None]
        if not columns:
            continue
        for r in section.body:
            label = section.label(r)
            item, scope = row_key("money", label), "all_funds"
            if item is None:
                scope = next((k for k, pattern in P.FUND_SCOPES if pattern.match(label)), "")
                item = "total" if scope else None
            if item is None:
                continue
            figures: dict[str, Decimal | None] = dict.fromkeys(_MONEY_COLUMNS)
            printed, units = [], set()
            for column in columns:
                cell = section.cell(r, column.index)
                unit = section.unit_of(r, column)
                if cell.number is None or unit is None:
                    continue
                figures[column.key or ""] = to_wan_yuan(cell.number, unit)
                printed.append((column.key or "", cell.text))
                units.add(unit)
            if not printed:
                continue
            labels = section.labels(r)
            cells = [section.cell(r, c.index) for c in columns]
            start = min(([labels[0].start] if labels else []) + [c.start for c in cells])
            end = max(c.end for c in cells + [section.cell(r, c.index) for c in section.columns
                                             if c.key == "execution_rate"])
            out.append(BudgetLine(row_label(labels[-1].text) if labels else "", item,
                                  item == "total" and scope == "all_funds",
                                  figures["budget_initial"], figures["budget_adjusted"], figures["spend"],
                                  _rate(section, r), units.pop() if len(units) == 1 else "", start, end,
                                  tuple(printed), scope, block))
    return out


def _zero_filled(line: BudgetLine) -> bool:
    figures = [line.budget_initial, line.budget_adjusted, line.spend]
    return all(f is None or f == 0 for f in figures)


def _line_facts(text: str, line: BudgetLine) -> list[MoneyFact]:
    """Money facts of one budget line: the total row gives the contract's items (``initial`` =
    年初预算数, ``total`` = 全年/调整后预算数, spend ``total`` = 全年执行数); a part row gives its
    item on each side (the adjusted budget, else the only one stated)."""
    source = text[line.start:line.end]
    unit = line.unit or "万元"
    out = []
    if line.item == "total":
        pairs = [("budget", "initial", "budget_initial"), ("budget", "total", "budget_adjusted"),
                 ("spend", "total", "spend")]
    else:
        budget = "budget_adjusted" if line.budget_adjusted is not None else "budget_initial"
        pairs = [("budget", line.item, budget), ("spend", line.item, "spend")]
    for side, item, column in pairs:
        value = getattr(line, column)
        if value is not None:
            out.append(MoneyFact(side, item, line.fund_scope, value, unit, line.printed_text(column) or source[:60],
                                 line.start, line.end))
    if line.item == "total" and line.budget_adjusted is None and line.budget_initial is not None:
        out = [MoneyFact(f.side, "total", f.fund_scope, f.amount_wan_yuan, f.unit, f.amount_text, f.start, f.end)
               if (f.side, f.item) == ("budget", "initial") else f for f in out]
    return out


def department_form_money(text: str, lines: list[BudgetLine]) -> tuple[list[MoneyFact], list[Measure], list[Issue]]:
    """Money facts and the execution rate of a department form's money block: its total row (one,
    or several stating the same figures), the fund-scope rows (一般公共预算 …) and the part rows.

    A total row left at zero while a part row states money is mis-filled: nothing is read from it
    and a parse issue says so."""
    facts: list[MoneyFact] = []
    measures: list[Measure] = []
    issues: list[Issue] = []
    totals = [ln for ln in lines if ln.is_total]
    if len({(t.budget_initial, t.budget_adjusted, t.spend) for t in totals}) != 1:
        return facts, measures, issues
    total = totals[0]
    parts = [ln for ln in lines if not ln.is_total and ln.block == total.block]
    if _zero_filled(total) and any(not _zero_filled(ln) for ln in parts):
        issues.append(Issue("form_total_row_zero", "warn",
                            f"the total row '{total.label}' of the budget form is all zeros while a part "
                            "row states money; no total read from the form", text[total.start:total.end],
                            total.start))
        return facts, measures, issues
    facts += _line_facts(text, total)
    for part in parts:
        if part.item in ("basic", "project") or not _zero_filled(part):
            facts += _line_facts(text, part)
    if total.execution_rate_pct is not None:
        measures.append(Measure("execution_rate_pct", total.execution_rate_pct, "%", total.start, total.end))
    return facts, measures, issues


# ---------------------------------------------------------------- scores and rating


@dataclass(frozen=True)
class TableScores:
    """What the forms' score rows state: the total (with its maximum), the rating, the parts."""

    total: ScoreFact | None
    rating: tuple[str, int, int] | None
    parts: tuple[ScoreFact, ...]


def _first_label(section: Section, r: int) -> GridCell | None:
    return next((c for c in row_cells(section.grid, r) if c.text and not c.is_blank), None)


def _numbers_after(section: Section, r: int, label: GridCell) -> list[GridCell]:
    return [c for c in row_cells(section.grid, r) if c.start >= label.end and c.number is not None]


def _total_row(section: Section, r: int, label: GridCell) -> tuple[Decimal | None, Decimal | None, int] | None:
    """(score, maximum, end) of a total row: by column when the row has every cell (merged label
    cells repeated), else its figures in header order: 分值 (the maximum) comes before 得分."""
    score_col, weight_col = section.column("score"), section.column("weight")
    grid = section.grid
    if score_col is not None and grid.widths[r] == grid.width:
        score = section.cell(r, score_col.index)
        weight = section.cell(r, weight_col.index) if weight_col is not None else None
        if score.number is not None:
            maximum = weight.number if weight is not None and weight.number is not None else None
            return score.number, maximum, score.end
        return None
    figures = _numbers_after(section, r, label)
    weight_first = weight_col is None or score_col is None or weight_col.index < score_col.index
    if len(figures) == 2 and weight_first:
        return figures[1].number, figures[0].number, figures[1].end
    if len(figures) == 1 and score_col is not None:
        return figures[0].number, None, figures[0].end
    return None


def _plausible(score: Decimal | None, maximum: Decimal | None) -> bool:
    if score is None or score < 0:
        return False
    return score <= maximum if maximum is not None else score <= 100


def _rating_of(section: Section, r: int, label: GridCell) -> tuple[str, int, int] | None:
    value = next((c for c in row_cells(section.grid, r) if c.start >= label.end and c.text
                  and not c.is_blank and c.text != label.text), None)
    if value is None:
        return None
    word = re.sub(r"\(.*\)$", "", value.text.strip().strip("“”\"'")).strip()
    rating = P.RATING_MAP.get(word)
    return (rating, label.start, value.end) if rating else None


def _subtotal_part(section: Section, r: int) -> ScoreFact | None:
    """The part a subtotal row closes (履职效能(50分) | … | 小计 | 50 | / | 45.5): the part named by the
    first label of the row (the block label merged down its rows), its score and maximum by column."""
    cells = [c for c in row_cells(section.grid, r) if c.text and not c.is_blank]
    subtotal = next((c for c in cells if row_key("score", c.text) == "subtotal"), None)
    if subtotal is None or not cells or cells[0] is subtotal:
        return None
    item = row_key("score", cells[0].text)
    score_col, weight_col = section.column("score"), section.column("weight")
    if item in (None, "total", "subtotal") or score_col is None or section.grid.widths[r] != section.grid.width:
        return None
    score, weight = section.cell(r, score_col.index), section.cell(r, weight_col.index) if weight_col else None
    maximum = weight.number if weight is not None else None
    if not _plausible(score.number, maximum):
        return None
    return ScoreFact(item, score.number, maximum, None, False, subtotal.start, score.end)


def _one_total(totals: list[ScoreFact]) -> ScoreFact | None:
    """The total score among the total rows: the one value they state, else the one with the largest
    stated maximum (总分 | 100 over the indicators' 合计 | 90), else none."""
    if len({t.score for t in totals}) == 1:
        return totals[0]
    if not totals or any(t.max_score is None for t in totals):
        return None
    top = max(t.max_score for t in totals if t.max_score is not None)
    best = [t for t in totals if t.max_score == top]
    return best[0] if len({t.score for t in best}) == 1 else None


def table_scores(sections: Sequence[Section]) -> TableScores:
    """The total score (总分 / 合计 row of a section with a 得分 column), the rating (自评等级 / 评价等级
    row of any table) and the parts of scoring tables: 履职效能 / 管理效率 rows, or the 小计 row closing
    a part's block. Points in a header or label ("(10分)") are maxima, never read as scores."""
    totals: list[ScoreFact] = []
    parts: list[ScoreFact] = []
    rating = None
    for section in sections:
        scored = section.column("score") is not None
        for r in section.body:
            label = _first_label(section, r)
            if label is None:
                continue
            if rating is None and row_key("rating", label.text):
                rating = _rating_of(section, r, label)
            if not scored:
                continue
            if part := _subtotal_part(section, r):
                parts.append(part)
                continue
            item = row_key("score", label.text)
            if item is None:
                continue
            found = _total_row(section, r, label)
            if found is None or not _plausible(found[0], found[1]):
                continue
            score, maximum, end = found
            if item == "total":
                totals.append(ScoreFact("total", score, maximum, None, False, label.start, end))
            elif all(c.text in (label.text, "") or c.is_blank or c.number is not None
                     for c in row_cells(section.grid, r)):
                parts.append(ScoreFact(item, score, maximum, None, False, label.start, end))
    return TableScores(_one_total(totals), rating, tuple(parts))


# ---------------------------------------------------------------- staff and fields


def form_staff(cells: list[Cell], sections: Sequence[Section]) -> list[Measure]:
    """Head counts stated in form fields (人员编制 | 21) or a basic-data table (编制数 | 实际在职人数): the
    whole number in the row right under the header."""
    out = []
    for key in ("staff_authorized", "staff_in_service"):
        cell = field_value(cells, key)
        match = _STAFF_VALUE.match(cell.text) if cell else None
        if cell and match:
            out.append(Measure(key, Decimal(match.group("value")), "人", cell.start, cell.end))
            continue
        for section in sections:
            column = section.column(key)
            value = section.cell(section.body[0], column.index) if column is not None and section.body else None
            if value is not None and value.number is not None and value.number == int(value.number):
                out.append(Measure(key, value.number, "人", value.start, value.end))
                break
    return out


def form_score(cells: list[Cell]) -> ScoreFact | None:
    """The total score of a form field: "自评总分(分) | 97.6", "自评得分:90分"."""
    cell = field_value(cells, "score_total")
    match = _SCORE_VALUE.match(cell.text) if cell else None
    if cell is None or match is None:
        return None
    return ScoreFact("total", Decimal(match.group("value")), None, None, False, cell.start,
                     cell.start + match.end())


def form_field_name(cells: list[Cell], key: str) -> tuple[str, int] | None:
    """The organisation name of form field ``key`` (e.g. 主管部门) without unit code or qualifier, with
    where; a value that is not an organisation name (``ingest.facts.orgname``) is none."""
    cell = field_value(cells, key)
    match = _FIELD_NAME.match(cell.text) if cell else None
    name = orgname.check(match.group("name")).name if cell and match else None
    if cell and match and name:
        return name, cell.start + match.start("name")
    return None


def form_departments(cells: list[Cell]) -> list[tuple[str, int]]:
    """The organisation names a form states, in the order 部门/单位名称, 实施单位, 主管部门, with where."""
    return [found for key in _DEPARTMENT_FIELDS if (found := form_field_name(cells, key))]


def form_department(cells: list[Cell]) -> tuple[str, int] | None:
    """The first organisation name a form states (see ``form_departments``)."""
    found = form_departments(cells)
    return found[0] if found else None

