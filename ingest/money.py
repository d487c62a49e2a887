"""Money figures (budget, revenue, spend) and budget-execution rates, each with its source sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ingest import patterns as P
from ingest.segment import SENTENCE_REACH_BEFORE, clause_start, line_start, sentence_span

_UNIT_TO_WAN = {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)}
_LABELS = [(side, item, re.compile(rf"(?=({pattern}))")) for side, item, pattern in P.MONEY_LABELS]
_WINDOW = 40
# How far after a figure a qualifier ("以上", "左右") is looked for (the text after it is not copied).
_QUALIFIER_REACH = 16


@dataclass(frozen=True)
class Issue:
    """Something unclear found while reading, reported as a parse issue."""

    code: str
    severity: str
    message: str
    snippet: str
    start: int


@dataclass(frozen=True)
class MoneyFact:
    """One stated money figure, in 万元."""

    side: str
    item: str
    fund_scope: str
    amount_wan_yuan: Decimal
    unit: str
    amount_text: str
    start: int
    end: int


@dataclass(frozen=True)
class Measure:
    """A stated rate or head count."""

    measure: str
    value: Decimal
    unit: str
    start: int
    end: int


def parse_number(number: str) -> tuple[Decimal, bool]:
    """A printed number as a Decimal; the flag says its thousands separators were misplaced (31,08.53)."""
    integer = number.split(".")[0]
    groups = integer.split(",")
    misplaced = len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]))
    return Decimal(number.replace(",", "")), misplaced


def to_wan_yuan(value: Decimal, unit: str) -> Decimal:
    """Convert an amount in 元 / 万元 / 亿元 to 万元, exactly."""
    return value * _UNIT_TO_WAN[unit]


def _label_before(text: str, start: int, floor: int) -> tuple[str, str, int, int] | None:
    """The money label nearest before ``start`` (longest when several end at the same place)."""
    lo = max(floor, start - _WINDOW)
    window = text[lo:start]
    best: tuple[int, int, str, str] | None = None
    for side, item, pattern in _LABELS:
        for match in pattern.finditer(window):
            label = match.group(1)
            label_end = match.start() + len(label)
            gap = window[label_end:]
            if not P.LABEL_GAP.match(gap) or P.GAP_BREAKERS.search(gap):
                continue
            key = (label_end, len(label))
            if best is None or key > best[:2]:
                best = (label_end, len(label), side, item)
    if best is None:
        return None
    label_end, length, side, item = best
    return side, item, lo + label_end - length, lo + label_end


def _fund_scope(text: str, sentence_start: int, label_start: int, label_end: int) -> str:
    """The fund scope named in the label, else the last one named earlier in the same sentence."""
    own = text[label_start:label_end]
    for scope, pattern in P.FUND_SCOPES:
        if pattern.search(own):
            return scope
    prefix = text[sentence_start:label_start]
    best, where = "all_funds", -1
    for scope, pattern in P.FUND_SCOPES:
        for match in pattern.finditer(prefix):
            if match.start() > where:
                best, where = scope, match.start()
    return best


def _in_table(text: str, pos: int) -> bool:
    return text.startswith("|", line_start(text, pos))


def extract_money(text: str, report_type: str = "department_overall") -> tuple[list[MoneyFact], list[Issue]]:
    """Every labelled money figure of the prose, with its side, item and fund scope.

    In a department report a figure said of a project is not the department's; in a project
    report it is the report's own."""
    facts: list[MoneyFact] = []
    issues: list[Issue] = []
    parent: tuple[str, int] | None = None
    for match in P.AMOUNT.finditer(text):
        if _in_table(text, match.start()) or P.AMOUNT_QUALIFIER_AFTER.match(
                text[match.end():match.end() + _QUALIFIER_REACH]):
            continue
        s_start, s_end = sentence_span(text, match.start())
        found = _label_before(text, match.start(), s_start)
        if found is None:
            continue
        side, item, label_start, label_end = found
        subject = text[clause_start(text, label_start, s_start):label_start]
        foreign = P.FOREIGN_SUBJECT.search(subject) and report_type != "project"
        if foreign or P.RECEIVED_FUNDS.search(subject):
            continue
        if _is_budget_breakdown(text, side, item, parent, match.start()):
            continue
        parent = (side, match.start())
        value, misplaced = parse_number(match.group("number"))
        if misplaced:
            issues.append(Issue("misplaced_thousands_separator", "warn",
                                f"amount {match.group('number')} has misplaced thousands separators; "
                                f"read as {value}", text[s_start:s_end], match.start()))
        facts.append(MoneyFact(
            side=side, item=item,
            fund_scope=_fund_scope(text, s_start, label_start, label_end),
            amount_wan_yuan=to_wan_yuan(value, match.group("unit")),
            unit=match.group("unit"), amount_text=match.group(0),
            start=s_start, end=s_end,
        ))
    return _resolve_budget_items(facts + extract_money_tables(text)), issues


def _is_budget_breakdown(text: str, side: str, item: str, parent: tuple[str, int] | None, pos: int) -> bool:
    """基本支出/项目支出 listed under a budget figure ("预算安排 X 万元,其中基本支出 Y 万元") are
    parts of the budget, not spend."""
    if item not in ("basic", "project") or parent is None or parent[0] != "budget":
        return False
    if pos - parent[1] > SENTENCE_REACH_BEFORE:
        return False
    between = text[parent[1]:pos]
    return "其中" in between and "\n" not in between and "。" not in between


def _resolve_budget_items(facts: list[MoneyFact]) -> list[MoneyFact]:
    """年初预算 is the ``total`` when the report states no adjusted budget in that scope."""
    scopes_with_total = {f.fund_scope for f in facts if f.side == "budget" and f.item == "total"}
    out = []
    for fact in facts:
        if fact.side == "budget" and fact.item == "initial" and fact.fund_scope not in scopes_with_total:
            fact = MoneyFact(**{**fact.__dict__, "item": "total"})
        out.append(fact)
    return out


def extract_rates(text: str) -> list[Measure]:
    """Stated budget-execution, payment and carry-over rates of the year (not goals, not periods)."""
    out: list[Measure] = []
    for match in P.EXECUTION_RATE.finditer(text):
        if _in_table(text, match.start()):
            continue
        s_start, s_end = sentence_span(text, match.start())
        before = text[clause_start(text, match.start(), s_start):match.start()]
        label = match.group("label")
        if (P.RATE_NOT_RESULT.search(match.group("gap")) or P.RATE_GAP_BREAKERS.search(match.group("gap"))
                or P.RATE_NOT_RESULT.search(before)
                or P.RATE_PARTIAL_PERIOD.search(before + label)
                or P.RATE_QUALIFIER_AFTER.match(text[match.end():match.end() + _QUALIFIER_REACH])):
            continue
        measure = "payment_rate_pct" if "支付" in label else "execution_rate_pct"
        out.append(Measure(measure, Decimal(match.group("value")), "%", s_start, s_end))
    for match in P.CARRYOVER_RATE.finditer(text):
        s_start, s_end = sentence_span(text, match.start())
        out.append(Measure("carryover_rate_pct", Decimal(match.group("value")), "%", s_start, s_end))
    return out


def extract_staff(text: str) -> list[Measure]:
    """Head counts (编制数, 在职人员, 离退休人员) and the number of internal units."""
    out = []
    for measure, pattern, words in P.STAFF:
        if not any(word in text for word in words):
            continue
        for match in pattern.finditer(text):
            if P.RATE_NOT_RESULT.search(match.group("gap")):
                continue
            s_start, s_end = sentence_span(text, match.start())
            unit = "个" if measure == "internal_units" else "人"
            out.append(Measure(measure, Decimal(match.group("value")), unit, s_start, s_end))
    return out


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _column_label(cell: str) -> tuple[str, str] | None:
    """(side, item) when a header cell is exactly a money label: "全年预算数(万元)" → budget/total."""
    bare = re.sub(r"\((?:亿元|万元|元)\)", "", cell).strip()
    for side, item, pattern in P.MONEY_LABELS:
        if re.fullmatch(rf"(?:全年|年度|本年|累计|实际)?(?:{pattern})", bare):
            return side, item
    return None


def _row_scope(label: str) -> tuple[str, str | None] | None:
    """Fund scope (and spend item) of a table row: 合计 → all funds, 一般公共预算… → its scope,
    基本支出 / 项目支出 → that spend item; None for any other row."""
    if not label or P.TABLE_TOTAL_ROW.match(label):
        return "all_funds", None
    for scope, pattern in P.FUND_SCOPES:
        if pattern.match(label.removeprefix("其中:").removeprefix("其中")):
            return scope, None
    for item, word in (("basic", "基本支出"), ("project", "项目支出")):
        if label.removeprefix("其中:").removeprefix("其中") == word:
            return "all_funds", item
    return None


def _table_unit(header: list[str], above: list[str]) -> str | None:
    for text in [*header, *above]:
        match = P.TABLE_UNIT.search(text)
        if match:
            return match.group("unit") or match.group("cell_unit")
    return None


def extract_money_tables(text: str) -> list[MoneyFact]:
    """Money figures of markdown tables with a stated unit: columns named by money labels, rows by
    fund scope (合计 / 一般公共预算 …) or spend kind (基本支出 / 项目支出)."""
    facts: list[MoneyFact] = []
    lines = text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    i = 0
    while i < len(lines):
        if not P.MD_TABLE_ROW.match(lines[i]):
            i += 1
            continue
        start = i
        while i < len(lines) and P.MD_TABLE_ROW.match(lines[i]):
            i += 1
        header = _cells(lines[start])
        unit = _table_unit(header, lines[max(0, start - 2):start])
        columns = {k: _column_label(c) for k, c in enumerate(header)}
        if unit is None or not any(columns.values()):
            continue
        for row in range(start + 1, i):
            cells = _cells(lines[row])
            scoped = _row_scope(cells[0]) if cells else None
            if scoped is None:
                continue
            scope, row_item = scoped
            for k, label in columns.items():
                if label is None or k >= len(cells) or not P.TABLE_PLAIN_NUMBER.match(cells[k]):
                    continue
                side, item = label
                if row_item is not None:
                    if side != "spend":
                        continue
                    item = row_item
                value, _ = parse_number(cells[k])
                facts.append(MoneyFact(side, item, scope, to_wan_yuan(value, unit), unit, f"{cells[k]}{unit}",
                                       offsets[row], offsets[row] + len(lines[row])))
    return facts


def extract_table_rates(text: str) -> list[Measure]:
    """The execution rate of a money table's total row ("| 合计 | … | 91.65% |" under "执行率")."""
    out: list[Measure] = []
    pos = 0
    header: list[str] | None = None
    for line in text.split("\n"):
        if not P.MD_TABLE_ROW.match(line):
            header = None
        elif header is None:
            header = _cells(line)
        else:
            cells = _cells(line)
            scoped = _row_scope(cells[0]) if cells and cells[0] else None
            if scoped == ("all_funds", None):
                for k, cell in enumerate(header):
                    if k < len(cells) and P.TABLE_RATE_HEADER.fullmatch(cell):
                        value = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", cells[k], re.ASCII)
                        if value:
                            out.append(Measure("execution_rate_pct", Decimal(value.group(1)), "%",
                                               pos, pos + len(line)))
        pos += len(line) + 1
    return out
