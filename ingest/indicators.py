"""Performance indicators (绩效指标): target vs actual, from numbered prose items and from tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ingest import patterns as P
from ingest.segment import Line, Section, enumerator_style, items, lines_of
from ingest.tables import Table, read_tables

_COMPARATORS = {"≥", "≤", ">=", "<=", ">", "<", "不低于", "不少于", "不高于", "大于", "小于"}
_INDICATOR_SECTIONS = {"effectiveness", "self_evaluation"}
_NUMBER_CELL = re.compile(
    r"(?:(?P<op>≥|≤|>=|<=|>|<|不低于|不少于)\s*)?(?<![\d.])(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>%|[^\d\s.]{1,3})?",
    re.ASCII,
)


@dataclass(frozen=True)
class Indicator:
    """A stated indicator with its target and result."""

    name: str
    target_text: str | None
    actual_text: str | None
    target_value: Decimal | None
    actual_value: Decimal | None
    unit: str | None
    start: int
    end: int
    level1: str | None = None
    level2: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _value_text(match: re.Match[str]) -> str:
    op = match.group("op") or ""
    op = op if op in _COMPARATORS else ""
    unit = match.groupdict().get("unit") or "%"
    return f"{op}{match.group('value')}{unit}"


def _name_and_body(text: str, start: int, end: int) -> tuple[str, int] | None:
    """An item's indicator name (after its number, up to : or 。) and where its body starts."""
    line = text[start:end]
    style = enumerator_style(line)
    if style is None:
        return None
    marker = P.ENUM_STYLES[style].match(line)
    assert marker is not None
    rest = line[marker.end():]
    stop = re.search(r"[:。\n]", rest)
    if stop is None or stop.start() > 40:
        return None
    name = rest[: stop.start()].strip()
    return name, start + marker.end() + stop.end()


def _prose_values(body: str) -> tuple[re.Match[str] | None, re.Match[str] | None, str | None]:
    """Target and actual figures of an item body: the first after a target cue, the last after a result cue."""
    target = actual = None
    target_cue, actual_cue = P.TARGET_CUE.search(body), P.ACTUAL_CUE.search(body)
    actual_from = actual_cue.end() if actual_cue else 0
    if target_cue:
        target_zone = body[target_cue.end(): actual_cue.start() if actual_cue and actual_cue.start() > target_cue.end()
                           else len(body)]
        target = P.PERCENT.search(target_zone)
        if not actual_cue and target:
            actual_from = target_cue.end() + target.end()
    result_zone = body[actual_from:]
    found = list(P.PERCENT.finditer(result_zone))
    if actual_cue and found:
        actual = found[-1]
    elif found and len({m.group("value") for m in found}) == 1:
        actual = found[0]
    return target, actual, "%" if (target or actual) else None


def prose_indicators(text: str, sections: list[Section]) -> list[Indicator]:
    """Numbered items naming an indicator in the performance sections, with their stated figures."""
    out: list[Indicator] = []
    seen: set[int] = set()
    for section in sections:
        if section.kind not in _INDICATOR_SECTIONS:
            continue
        for start, end in items(text, section.body_start, section.end):
            if start in seen:
                continue
            seen.add(start)
            parsed = _name_and_body(text, start, end)
            if parsed is None:
                continue
            name, body_start = parsed
            body = text[body_start:end]
            if not P.INDICATOR_NAME.search(name) or any(enumerator_style(ln.text) for ln in lines_of(body)[1:]):
                continue
            target, actual, unit = _prose_values(body)
            if target is None and actual is None:
                continue
            out.append(Indicator(
                name=name,
                target_text=_value_text(target) if target else None,
                actual_text=_value_text(actual) if actual else None,
                target_value=Decimal(target.group("value")) if target else None,
                actual_value=Decimal(actual.group("value")) if actual else None,
                unit=unit, start=start, end=end,
            ))
    return out


def _cell_value(cell: str) -> tuple[Decimal | None, str | None]:
    match = _NUMBER_CELL.fullmatch(cell.strip())
    if not match:
        return None, None
    try:
        return Decimal(match.group("value")), match.group("unit")
    except InvalidOperation:
        return None, None


def _decimal(cell: str | None) -> Decimal | None:
    if cell is None:
        return None
    try:
        return Decimal(cell.strip()) if re.fullmatch(r"\d+(?:\.\d+)?", cell.strip(), re.ASCII) else None
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class _Columns:
    name: int
    target: int | None
    actual: int | None
    weight: int | None
    score: int | None
    level1: int | None
    level2: int | None


def _columns(header: list[str]) -> _Columns | None:
    """Which column holds what, from a header row; None when it is not an indicator table."""
    def find(pattern: re.Pattern[str]) -> int | None:
        return next((i for i, cell in enumerate(header) if pattern.search(cell.strip())), None)

    name = find(P.TABLE_NAME_HEADER)
    if name is None:
        name = next((i for i, c in enumerate(header) if c.strip() == "三级指标"), None)
    target, actual = find(P.TABLE_TARGET_HEADER), find(P.TABLE_ACTUAL_HEADER)
    if actual is not None and actual == target:
        actual = next((i for i, c in enumerate(header) if i != target and P.TABLE_ACTUAL_HEADER.search(c)), None)
    if name is None or (target is None and actual is None):
        return None
    level3 = next((i for i, c in enumerate(header) if c.strip() == "三级指标"), None)
    return _Columns(level3 if level3 is not None else name, target, actual, find(P.TABLE_WEIGHT_HEADER),
                    find(P.TABLE_SCORE_HEADER), find(P.TABLE_LEVEL1_HEADER), find(P.TABLE_LEVEL2_HEADER))


def _rows_to_indicators(rows: list[tuple[list[str], int, int]], cols: _Columns) -> list[Indicator]:
    """Table rows (cells, start, end) to indicators; merged level cells carry down."""
    out = []
    level1 = level2 = None
    for cells, start, end in rows:
        def cell(i: int | None, cells: list[str] = cells) -> str | None:
            return cells[i].strip() if i is not None and i < len(cells) and cells[i].strip() else None

        level1 = cell(cols.level1) or level1
        level2 = cell(cols.level2) or level2
        name = cell(cols.name)
        if not name or _decimal(name) is not None or name in {"合计", "总计", "总分"}:
            continue
        target_text, actual_text = cell(cols.target), cell(cols.actual)
        target_value, target_unit = _cell_value(target_text or "")
        actual_value, actual_unit = _cell_value(actual_text or "")
        unit = target_unit or actual_unit
        if "%" in (target_unit, actual_unit):
            unit = "%"
        out.append(Indicator(name, target_text, actual_text, target_value, actual_value, unit, start, end,
                             level1=level1, level2=level2,
                             weight=_decimal(cell(cols.weight)), score=_decimal(cell(cols.score))))
    return out


def pipe_table_indicators(text: str, lines: list[Line]) -> list[Indicator]:
    """Indicators from markdown pipe tables with an indicator-name and a target or actual column."""
    out: list[Indicator] = []
    i = 0
    while i < len(lines):
        if not P.MD_TABLE_ROW.match(lines[i].text):
            i += 1
            continue
        block = []
        while i < len(lines) and P.MD_TABLE_ROW.match(lines[i].text):
            block.append(lines[i])
            i += 1
        header = [c for c in block[0].text.strip().strip("|").split("|")]
        cols = _columns(header)
        if cols is None:
            continue
        rows = [([c for c in ln.text.strip().strip("|").split("|")], ln.start, ln.end) for ln in block[1:]]
        out.extend(_rows_to_indicators(rows, cols))
    return out


def flat_table_indicators(text: str, lines: list[Line]) -> list[Indicator]:
    """Indicators from tables flattened to one cell per line, found by a run of header cells."""
    out: list[Indicator] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and P.TABLE_HEADER_CELL.match(lines[j].text.strip()):
            j += 1
        if j - i < 3:
            i += 1
            continue
        header = [ln.text for ln in lines[i:j]]
        cols = _columns(header)
        width = len(header)
        i = j
        if cols is None:
            continue
        rows = []
        while i + width <= len(lines):
            chunk = lines[i:i + width]
            if any(len(ln.text) > 60 or enumerator_style(ln.text) for ln in chunk):
                break
            rows.append(([ln.text for ln in chunk], chunk[0].start, chunk[-1].end))
            i += width
        out.extend(_rows_to_indicators(rows, cols))
    return out


def table_total_score(text: str, lines: list[Line]) -> tuple[Decimal, int, int] | None:
    """The 合计 row's 得分 of an indicator table with an explicit score column."""
    header_line: Line | None = None
    for ln in lines:
        if not P.MD_TABLE_ROW.match(ln.text):
            header_line = None
            continue
        if header_line is None:
            header_line = ln
            continue
        cells = [c.strip() for c in ln.text.strip().strip("|").split("|")]
        if cells and cells[0] in {"合计", "总计", "总分"}:
            header = [c.strip() for c in header_line.text.strip().strip("|").split("|")]
            score_col = next((k for k, c in enumerate(header) if P.TABLE_SCORE_HEADER.match(c)), None)
            if score_col is not None and score_col < len(cells):
                value = _decimal(cells[score_col])
                if value is not None:
                    return value, ln.start, ln.end
    return None


def _table_header_above(lines: list[Line], row: Line) -> Line | None:
    idx = lines.index(row)
    while idx > 0 and P.MD_TABLE_ROW.match(lines[idx - 1].text):
        idx -= 1
    return lines[idx] if lines[idx] is not row else None


def _comparator(cell: str | None) -> str:
    return cell if cell in _COMPARATORS or cell == "=" else ""


def form_table_indicators(text: str, lines: list[Line], tables: list[Table] | None = None) -> list[Indicator]:
    """Indicators of the positional indicator tables the table reader finds (一级/二级/三级指标,
    指标性质, 指标值, 度量单位, 完成值, 权重, 得分): the layouts of project and department forms whose
    cells a PDF or web page left pipe-separated on one line."""
    out: list[Indicator] = []
    for table in tables if tables is not None else read_tables(text, lines):
        if "level3" not in table.columns:
            continue
        level1 = level2 = None
        for row in table.rows:
            def cell(key: str, row=row, table=table) -> str | None:
                value = table.value(row, key)
                return value.text if value is not None and value.text else None

            level1, level2 = cell("level1") or level1, cell("level2") or level2
            name = cell("level3")
            target, actual, unit_cell = cell("target"), cell("actual"), cell("measure_unit")
            target_value, target_unit = _cell_value(target or "")
            actual_value, actual_unit = _cell_value(actual or "")
            unit = unit_cell or target_unit or actual_unit
            op = _comparator(cell("nature"))
            end = max(v.end for v in row.values if v is not None)
            out.append(Indicator(
                name or "", f"{op}{target}{unit_cell or ''}" if target else None, actual,
                target_value, actual_value, unit, row.label.start, end, level1=level1, level2=level2,
                weight=_decimal(cell("weight")), score=_decimal(cell("score"))))
    return [ind for ind in out if ind.name]


def extract_indicators(text: str, lines: list[Line], sections: list[Section],
                       tables: list[Table] | None = None) -> list[Indicator]:
    """All indicators: prose items, pipe tables and flattened tables; the table reader's indicator
    tables (``tables`` when already read) where neither table reader above found one."""
    found = pipe_table_indicators(text, lines) + flat_table_indicators(text, lines)
    return prose_indicators(text, sections) + (found or form_table_indicators(text, lines, tables))
