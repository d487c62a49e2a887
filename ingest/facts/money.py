"""Money figures (budget, revenue, spend) and budget-execution rates, each with its source sentence."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ingest.documents.grids import Grid, GridCell
from ingest.facts.tables import column_key
from ingest.text.segment import SENTENCE_REACH_BEFORE, clause_start, line_start, sentence_span
from ingest.vocab import patterns as P
from ingest.vocab.vocabulary import rows

# Size of one printed unit in 万元, from the vocabulary dbt reads too (int_money_facts' tolerances).
_UNIT_TO_WAN = {row["wording"]: Decimal(row["wan_yuan_per_unit"]) for row in rows("dbt/money_units")}
_LABELS = [(side, item, re.compile(rf"(?=({pattern}))")) for side, item, pattern in P.MONEY_LABELS]
_WINDOW = 40
# Column keys of a form's money block (年初预算数 / 全年预算数 / 全年执行数), read by ``ingest.facts.forms``.
_FORM_MONEY_COLUMNS = frozenset({"budget_initial", "budget_adjusted", "spend"})
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
    """A printed number as a Decimal; the flag says its thousands separators were misplaced (42,07.61)."""
    integer = number.split(".")[0]
    groups = integer.split(",")
    misplaced = len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]))
    return Decimal(number.replace(",", "")), misplaced


def to_wan_yuan(value: Decimal, unit: str) -> Decimal:
    """Convert an amount in a unit of ``vocab/dbt/money_units.csv`` (元 / 万元 / 亿元) to 万元, exactly."""
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


def last_match(pattern: re.Pattern[str], text: str, start: int, end: int) -> re.Match[str] | None:
    """The last match of ``pattern`` in ``text[start:end]``, if any."""
    found = deque(pattern.finditer(text, start, end), maxlen=1)
    return found[0] if found else None


def carried_subject(text: str, s_start: int, c_start: int, pos: int) -> bool:
    """Whether a project or sub-unit that an earlier clause of the sentence states a figure of is still
    the subject at ``pos`` (``P.FOREIGN_CARRY``): no clause since names the department again."""
    last = last_match(P.FOREIGN_CARRY, text, s_start, c_start)
    if last is None or not P.FIGURE.search(text, last.end(), c_start):
        return False
    return not P.OWN_SUBJECT.search(text, last.end(), pos)


def other_period(text: str, s_start: int, c_start: int, pos: int, fiscal_year: int | None) -> bool:
    """Whether a figure at ``pos`` is another period's or a plan's: words of its clause ("上年",
    "计划", "较…"), or the last year its sentence names before it is not the fiscal year ("2023年预算安排"
    in a 2022 report; "2022年全年预算数…,全年累计支出…" names 2022 for both figures)."""
    if P.OTHER_PERIOD.search(text, c_start, pos):
        return True
    if fiscal_year is None:
        return False
    last = last_match(P.SENTENCE_YEAR, text, s_start, pos)
    return last is not None and int(last.group("year")) != fiscal_year


# The figures a bare spend word may follow in its sentence (``P.PAIRED_SPEND``), and how far apart.
_PAIR_AFTER = frozenset({("budget", "total"), ("budget", "initial"), ("budget", "revenue_total")})
_PAIR_REACH = 24


def extract_money(text: str, report_type: str = "department_overall",
                  tables: Sequence[MoneyFact] = (),
                  fiscal_year: int | None = None) -> tuple[list[MoneyFact], list[Issue]]:
    """Every labelled money figure of the prose, with its side, item and fund scope, and the
    ``tables``' money label figures (``money_grid_facts``): 年初预算 is the total where neither
    states an adjusted budget.

    In a department report a figure said of a project or a sub-unit is not the department's; in a
    project report it is the report's own. A figure of another year (``fiscal_year`` known) or of a
    plan is nobody's headline. A bare 支出 right after a budget or revenue figure of the same sentence
    is the spend total."""
    facts: list[MoneyFact] = []
    issues: list[Issue] = []
    parent: tuple[str, str, int] | None = None  # side, item, amount start
    previous: tuple[str, str, int, int] | None = None  # side, item, sentence start, amount end
    own_report = report_type == "project"
    for match in P.AMOUNT.finditer(text):
        if _in_table(text, match.start()) or P.AMOUNT_QUALIFIER_AFTER.match(
                text[match.end():match.end() + _QUALIFIER_REACH]):
            continue
        s_start, s_end = sentence_span(text, match.start())
        found = _label_before(text, match.start(), s_start)
        if found is None:
            found = _paired_spend(text, match.start(), s_start, previous)
        if found is None:
            continue
        side, item, label_start, label_end = found
        c_start = clause_start(text, label_start, s_start)
        subject = text[c_start:label_start]
        foreign = not own_report and (P.FOREIGN_SUBJECT.search(subject)
                                      or carried_subject(text, s_start, c_start, label_start))
        received = (P.BUDGET_CHANGE if side == "budget" and item in ("total", "initial") else P.RECEIVED_FUNDS)
        if (foreign or received.search(subject)
                or other_period(text, s_start, c_start, label_start, fiscal_year)):
            continue
        scope = _fund_scope(text, s_start, label_start, label_end)
        if _is_part(text, side, item, scope, parent, match.start()):
            continue
        parent = (side, item, match.start())
        previous = (side, item, s_start, match.end())
        value, misplaced = parse_number(match.group("number"))
        if misplaced:
            issues.append(Issue("misplaced_thousands_separator", "warn",
                                f"amount {match.group('number')} has misplaced thousands separators; "
                                f"read as {value}", text[s_start:s_end], match.start()))
        facts.append(MoneyFact(
            side=side, item=item,
            fund_scope=scope,
            amount_wan_yuan=to_wan_yuan(value, match.group("unit")),
            unit=match.group("unit"), amount_text=match.group(0),
            start=s_start, end=s_end,
        ))
    return resolve_budget_items(facts + list(tables)), issues


def _paired_spend(text: str, start: int, s_start: int,
                  previous: tuple[str, str, int, int] | None) -> tuple[str, str, int, int] | None:
    """A bare spend word right after the budget or revenue figure before it in the same sentence:
    "全年预算数 620.35 万元,支出 612.80 万元" → spend total, the words between as its label."""
    if previous is None or previous[2] != s_start or previous[:2] not in _PAIR_AFTER:
        return None
    between = previous[3]
    if start - between > _PAIR_REACH or not P.PAIRED_SPEND.match(text, between, start):
        return None
    while text[between] in ",、; ":
        between += 1
    return "spend", "total", between, start


def _is_part(text: str, side: str, item: str, scope: str, parent: tuple[str, str, int] | None, pos: int) -> bool:
    """A figure listed under another of its sentence after 其中 is a part of it, never a total:
    基本支出/项目支出 under a budget figure ("预算安排 X 万元,其中基本支出 Y 万元" are budget parts, not
    spend); an all-funds total under a total of its side ("全年预算数 X 万元,其中财政预算资金 Y 万元")."""
    if parent is None or pos - parent[2] > SENTENCE_REACH_BEFORE:
        return False
    budget_part = item in ("basic", "project") and parent[0] == "budget"
    total_part = (item, scope) == ("total", "all_funds") and parent[:2] == (side, "total")
    if not (budget_part or total_part):
        return False
    between = text[parent[2]:pos]
    return "其中" in between and "\n" not in between and "。" not in between


def resolve_budget_items(facts: list[MoneyFact]) -> list[MoneyFact]:
    """年初预算 is the ``total`` when the report states no adjusted budget in that scope."""
    scopes_with_total = {f.fund_scope for f in facts if f.side == "budget" and f.item == "total"}
    out = []
    for fact in facts:
        if fact.side == "budget" and fact.item == "initial" and fact.fund_scope not in scopes_with_total:
            fact = MoneyFact(**{**fact.__dict__, "item": "total"})
        out.append(fact)
    return out


def extract_rates(text: str, report_type: str = "department_overall",
                  fiscal_year: int | None = None) -> list[Measure]:
    """Stated budget-execution, payment and carry-over rates of the year (not goals, not periods, not
    another year's; in a department report not a project's or a part's), and spend stated as a share
    of the budget."""
    out: list[Measure] = []
    own_report = report_type == "project"
    for match in P.EXECUTION_RATE.finditer(text):
        if _in_table(text, match.start()):
            continue
        s_start, s_end = sentence_span(text, match.start())
        c_start = clause_start(text, match.start(), s_start)
        before = text[c_start:match.start()]
        label = match.group("label")
        if (P.RATE_NOT_RESULT.search(match.group("gap")) or P.RATE_GAP_BREAKERS.search(match.group("gap"))
                or P.RATE_NOT_RESULT.search(before)
                or P.RATE_PARTIAL_PERIOD.search(before + label)
                or P.RATE_QUALIFIER_AFTER.match(text[match.end():match.end() + _QUALIFIER_REACH])
                or other_period(text, s_start, c_start, match.start(), fiscal_year)
                or (not own_report and carried_subject(text, s_start, c_start, match.start()))):
            continue
        measure = "payment_rate_pct" if "支付" in label else "execution_rate_pct"
        out.append(Measure(measure, Decimal(match.group("value")), "%", s_start, s_end))
    if "占" in text:
        out.extend(_shares_of_budget(text, own_report))
    for match in P.CARRYOVER_RATE.finditer(text):
        s_start, s_end = sentence_span(text, match.start())
        out.append(Measure("carryover_rate_pct", Decimal(match.group("value")), "%", s_start, s_end))
    return out


def _shares_of_budget(text: str, own_report: bool) -> list[Measure]:
    """"全年支出 326.8 万元,占全年预算数 330 万元的 99.03%": the execution rate, when the amount just
    before it (same clause) is the spend total."""
    out = []
    for match in P.SHARE_OF_BUDGET.finditer(text):
        s_start, s_end = sentence_span(text, match.start())
        c_start = clause_start(text, match.start(), s_start)
        if c_start == match.start() and c_start > s_start:
            c_start = clause_start(text, c_start - 1, s_start)  # "支出 X 万元,占预算的 Y%"
        spend = last_match(P.AMOUNT, text, c_start, match.start())
        if spend is None or text[spend.end():match.start()].strip(", "):
            continue
        label = _label_before(text, spend.start(), c_start)
        subject = text[c_start:label[2]] if label else ""
        foreign = not own_report and (P.FOREIGN_SUBJECT.search(subject)
                                      or carried_subject(text, s_start, c_start, match.start()))
        if label is None or label[:2] != ("spend", "total") or foreign or P.RATE_PARTIAL_PERIOD.search(subject):
            continue
        out.append(Measure("execution_rate_pct", Decimal(match.group("value")), "%", s_start, s_end))
    return out


def extract_staff(text: str) -> list[Measure]:
    """Head counts (编制数, 在职人员, 离退休人员) of the department (not of its sub-units or region),
    and the number of internal units."""
    out = []
    last, last_end = None, 0
    for match in P.STAFF.finditer(text):
        if text.endswith(P.STAFF_NOT_AFTER, 0, match.start()):
            continue
        s_start, s_end = sentence_span(text, match.start())
        subject = text[clause_start(text, match.start(), s_start):match.start()]
        if P.FOREIGN_STAFF.search(subject):
            continue
        measure = P.STAFF_MEASURES[match.group("label")]
        if measure == "staff_authorized_kind":
            if len(P.STAFF_POST_KIND.findall(text, s_start, s_end)) > 1:
                continue
            measure = "staff_authorized"
        if last == (measure, s_start) and "其中" in text[last_end:match.start()]:
            continue  # "实有 19 名,其中在编在岗人员 17 名": a part of the count before
        last, last_end = (measure, s_start), match.end()
        value = Decimal(match.group("value").replace(",", ""))
        out.append(Measure(measure, value, "人", s_start, s_end))
    if "内设" in text:
        for match in P.INTERNAL_UNITS.finditer(text):
            s_start, s_end = sentence_span(text, match.start())
            out.append(Measure("internal_units", Decimal(match.group("value")), "个", s_start, s_end))
    return out


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


def _grid_unit(cells: Sequence[GridCell], above: GridCell | None) -> str | None:
    for cell in [*cells, *([above] if above is not None else [])]:
        match = P.TABLE_UNIT.search(cell.text)
        if match:
            return match.group("unit") or match.group("cell_unit")
    return None


def _money_header(grid: Grid) -> int | None:
    """The first row naming a money label in a column (and stating no figure), if any."""
    for r, row in enumerate(grid.rows):
        if any(c.number is not None or c.percent is not None for c in row):
            return None
        if any(column_key(c.text) in _FORM_MONEY_COLUMNS for c in row):
            return None  # a form's money block: read by ``ingest.facts.forms``
        if any(_column_label(c.text) for c in row[1:]):
            return r
    return None


def money_grid_facts(grids: Sequence[Grid]) -> tuple[list[MoneyFact], list[Measure]]:
    """Money figures and execution rates of tables whose columns are money labels (预算数 / 支出数 /
    决算数, unit in a header or the caption) and whose rows are fund scopes (合计 / 一般公共预算 …) or
    spend kinds (基本支出 / 项目支出); the rate under an 执行率 column of the total row."""
    facts: list[MoneyFact] = []
    rates: list[Measure] = []
    for grid in grids:
        h = _money_header(grid)
        if h is None:
            continue
        header = grid.rows[h]
        columns = {k: _column_label(c.text) for k, c in enumerate(header)}
        unit = _grid_unit(header, grid.above)
        for row in grid.rows[h + 1:]:
            scoped = _row_scope(row[0].text)
            if scoped is None:
                continue
            scope, row_item = scoped
            start, end = row[0].start, max(c.end for c in row)
            for k, label in columns.items():
                cell = row[k]
                if label is None or unit is None or not P.TABLE_PLAIN_NUMBER.match(cell.text):
                    continue
                side, item = label
                if row_item is not None:
                    if side != "spend":
                        continue
                    item = row_item
                value, _ = parse_number(cell.text)
                facts.append(MoneyFact(side, item, scope, to_wan_yuan(value, unit), unit, cell.text, start, end))
            if (scope, row_item) == ("all_funds", None):
                for k, head in enumerate(header):
                    value = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", row[k].text, re.ASCII)
                    if P.TABLE_RATE_HEADER.fullmatch(head.text) and value:
                        rates.append(Measure("execution_rate_pct", Decimal(value.group(1)), "%", start, end))
    return facts, rates
