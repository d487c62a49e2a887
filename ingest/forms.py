"""Readers for the standard self-evaluation forms, on the table reader (``ingest.tables``).

* budget block of 部门整体支出绩效自评表 / 项目支出绩效自评表 (年初预算数 / 全年预算数 / 全年执行数 /
  执行率 / 分值 / 得分): ``budget_lines`` (one line per row: total or fund part);
  ``department_form_money`` turns the total row of a department form into money facts;
* 部门整体支出绩效评价基础数据表 and 基本概况 forms (编制数 / 实际在职人数, 人员编制 / 实有人数):
  ``form_staff``;
* 自评总分 / 自评得分 fields: ``form_score``;
* 部门名称 / 单位名称 / 实施单位 / 主管部门 fields: ``form_department``.

Column and field names come from ``ingest/vocab/table_columns.csv`` and ``form_fields.csv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ingest import orgname
from ingest import patterns as P
from ingest.money import Issue, Measure, MoneyFact, to_wan_yuan
from ingest.scores import ScoreFact
from ingest.tables import Cell, Row, Table, field_value, row_label

# Row labels of a money block's total row: "总额", "合计", "年度资金总额:", "资金总额".
_TOTAL_ROW = re.compile(r"^(?:总额|合计|总计|年度资金总额|资金总额|预算资金总额|部门预算总额)$")
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


@dataclass(frozen=True)
class BudgetLine:
    """One row of a form's budget block, in 万元 (None where the cell is empty or not a number)."""

    label: str
    is_total: bool
    budget_initial: Decimal | None
    budget_adjusted: Decimal | None
    spend: Decimal | None
    execution_rate_pct: Decimal | None
    unit: str
    start: int
    end: int


def _amount(table: Table, cell: Cell | None) -> Decimal | None:
    if cell is None or cell.number is None or table.unit is None:
        return None
    return to_wan_yuan(cell.number, table.unit)


def _budget_line(table: Table, row: Row) -> BudgetLine:
    def cell(key: str) -> Cell | None:
        return table.value(row, key)

    rate = cell("execution_rate")
    label = row_label(row.label.text)
    return BudgetLine(
        label, bool(_TOTAL_ROW.match(label)),
        _amount(table, cell("budget_initial")), _amount(table, cell("budget_adjusted")),
        _amount(table, cell("spend")), rate.percent if rate else None, table.unit or "",
        row.label.start, max((v.end for v in row.values if v is not None), default=row.label.end))


def budget_lines(tables: list[Table]) -> list[BudgetLine]:
    """Rows of every budget block with a stated unit (a block without a unit is not read)."""
    out = []
    for table in tables:
        if table.unit is None or not {"budget_initial", "budget_adjusted", "spend"} & set(table.columns):
            continue
        for row in table.rows:
            out.append(_budget_line(table, row))
    return out


def _zero_filled(line: BudgetLine) -> bool:
    figures = [line.budget_initial, line.budget_adjusted, line.spend]
    return all(f is None or f == 0 for f in figures)


def department_form_money(text: str, lines: list[BudgetLine]) -> tuple[list[MoneyFact], list[Measure], list[Issue]]:
    """Money facts and the execution rate of a department form's total row.

    A total row left at zero while a part row states money is mis-filled: nothing is read from it
    and a parse issue says so."""
    facts: list[MoneyFact] = []
    measures: list[Measure] = []
    issues: list[Issue] = []
    totals = [ln for ln in lines if ln.is_total]
    if len(totals) != 1:
        return facts, measures, issues
    total = totals[0]
    if _zero_filled(total) and any(not _zero_filled(ln) for ln in lines if not ln.is_total):
        issues.append(Issue("form_total_row_zero", "warn",
                            f"the total row '{total.label}' of the budget form is all zeros while a part "
                            "row states money; no total read from the form", text[total.start:total.end],
                            total.start))
        return facts, measures, issues
    source = text[total.start:total.end]
    for side, item, value in (("budget", "initial", total.budget_initial),
                              ("budget", "total", total.budget_adjusted),
                              ("spend", "total", total.spend)):
        if value is not None:
            facts.append(MoneyFact(side, item, "all_funds", value, total.unit, source[:60],
                                   total.start, total.end))
    if total.execution_rate_pct is not None:
        measures.append(Measure("execution_rate_pct", total.execution_rate_pct, "%", total.start, total.end))
    return facts, measures, issues


def form_staff(cells: list[Cell], tables: list[Table]) -> list[Measure]:
    """Head counts stated in form fields (人员编制 | 21) or a basic-data table (编制数 | 实际在职人数)."""
    out = []
    for key in ("staff_authorized", "staff_in_service"):
        cell = field_value(cells, key)
        match = _STAFF_VALUE.match(cell.text) if cell else None
        if cell and match:
            out.append(Measure(key, Decimal(match.group("value")), "人", cell.start, cell.end))
            continue
        for table in tables:
            if key in table.columns and len(table.rows) == 1:
                value = table.rows[0].values[table.columns.index(key)]
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
    where; a value that is not an organisation name (``ingest.orgname``) is none."""
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
