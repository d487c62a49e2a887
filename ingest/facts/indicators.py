"""Performance indicators (绩效指标): target vs actual, from numbered prose items and from tables.

Each indicator carries the comparator its target states (``>=``, ``<=``, ``=``), read through the
vocabulary ``ingest/vocab/dbt/indicator_comparators.csv`` (which dbt reads too): a wording before the
target (≥, 不低于, 达到, 控制在, =) or after it (以上, 以内), or a comparator column of the form
(指标性质). Where none is stated, ``assumed_comparator`` is the direction the target is read in
(``>=``; ``<=`` under a cost indicator, 成本指标), so ``is_met`` can still be decided, flagged as assumed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from ingest.facts.tables import Section as TableSection
from ingest.facts.tables import row_label
from ingest.text.segment import Section, enumerator_style, items, lines_of
from ingest.vocab import patterns as P
from ingest.vocab.vocabulary import rows

_COMPARATORS = {"≥", "≤", ">=", "<=", ">", "<", "不低于", "不少于", "不高于", "大于", "小于"}
_INDICATOR_SECTIONS = {"effectiveness", "self_evaluation"}
# Rows that close an indicator table: "合计", "总计", "总分".
_END_ROWS = frozenset({"合计", "总计", "总分"})
# Level names of cost indicators, whose unsigned targets are ceilings: "成本指标", "经济成本指标".
_COST_LEVEL = re.compile(r"成本")
# A unit that makes a figure a date, not a quantity: "2023年12月底前", "6月30日前".
_DATE_UNIT = re.compile(r"[月日]|底|前|^年$")


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
    comparator: str | None = None
    assumed_comparator: str | None = None
    target_unit: str | None = None
    actual_unit: str | None = None


@cache
def _comparator_wordings() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(wording, key) pairs written before and after a target, longest first."""
    before, after = [], []
    for row in rows("dbt/indicator_comparators"):
        (after if row["position"] == "after" else before).append((row["wording"], row["key"]))
    return (tuple(sorted(before, key=lambda p: -len(p[0]))), tuple(sorted(after, key=lambda p: -len(p[0]))))


def comparator_before(text: str) -> str | None:
    """The comparator a target's leading text ends with: "不低于" → ``>=``, "预期达" → ``>=``."""
    stripped = text.rstrip()
    return next((key for wording, key in _comparator_wordings()[0] if stripped.endswith(wording)), None)


def comparator_after(text: str) -> str | None:
    """The comparator a target's trailing text opens with: "以上" → ``>=``, "以内" → ``<=``."""
    stripped = text.lstrip()
    return next((key for wording, key in _comparator_wordings()[1] if stripped.startswith(wording)), None)


def comparator_cell(text: str) -> str | None:
    """The comparator a comparator column states (指标性质): "≥" → ``>=``, "=" → ``=``."""
    stripped = text.strip()
    return next((key for wording, key in _comparator_wordings()[0] if stripped == wording), None)


def _assumed(comparator: str | None, levels: Sequence[str | None]) -> str | None:
    """The direction an unsigned target is read in: a ceiling under a cost indicator, else a floor."""
    if comparator is not None:
        return None
    return "<=" if any(level and _COST_LEVEL.search(level) for level in levels) else ">="


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
        zone_end = actual_cue.start() if actual_cue and actual_cue.start() > target_cue.end() else len(body)
        target = P.PERCENT.search(body, target_cue.end(), zone_end)
        if not actual_cue and target:
            actual_from = target.end()
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
            comparator = _prose_comparator(body, target) if target else None
            out.append(Indicator(
                name=name,
                target_text=_value_text(target) if target else None,
                actual_text=_value_text(actual) if actual else None,
                target_value=Decimal(target.group("value")) if target else None,
                actual_value=Decimal(actual.group("value")) if actual else None,
                unit=unit, start=start, end=end, comparator=comparator,
                assumed_comparator=_assumed(comparator, (name,)) if target else None,
                target_unit="%" if target else None, actual_unit="%" if actual else None,
            ))
    return out


def _prose_comparator(body: str, target: re.Match[str]) -> str | None:
    """The comparator of a prose target: its own wording ("不低于95%", "达到95%", "控制在5%") or the
    words right after it ("95%以上")."""
    return (comparator_before(body[max(0, target.start("value") - 8):target.start("value")])
            or comparator_after(body[target.end():target.end() + 4]))


# A figure as a form states a target or a result: a comparator wording, the number, its unit and a
# trailing wording: "≥95%", "不低于90%", "95%以上", "≤3起", "=100", "620人次", "1,200".
_FIGURE = re.compile(
    r"""^(?P<before>[^\d\-]{0,6}?)\s*
        (?P<value>-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)\s*
        (?P<unit>%|‰|[^\d\s%‰.,]{1,4}?)?\s*
        (?P<after>以上|及以上|以内|以下|及以下)?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Figure:
    """A target or result cell read as a number with unit and comparator (None where not stated)."""

    value: Decimal | None
    unit: str | None
    comparator: str | None


def read_figure(text: str | None) -> Figure:
    """"≥95%" → (95, %, >=); "95%以上" → (95, %, >=); "≤3起" → (3, 起, <=); "完成" → nothing. A figure
    with words before it that are no comparator ("约95%"), or that is a date, is no figure."""
    match = _FIGURE.match((text or "").strip())
    if not match:
        return Figure(None, None, None)
    before = match.group("before").strip()
    comparator = comparator_before(before) if before else None
    unit = match.group("unit")
    if (before and comparator is None) or (unit and _DATE_UNIT.search(unit)):
        return Figure(None, None, None)
    try:
        value = Decimal(match.group("value").replace(",", ""))
    except InvalidOperation:
        return Figure(None, None, None)
    return Figure(value, unit, comparator or (comparator_after(match.group("after") or "")))


def _number(cell: str | None) -> Decimal | None:
    if cell is None or not re.fullmatch(r"\d+(?:\.\d+)?", cell.strip(), re.ASCII):
        return None
    return Decimal(cell.strip())


def _unit_of(target: Figure, actual: Figure, stated: str | None) -> str | None:
    units = {u for u in (stated, target.unit, actual.unit) if u}
    if "%" in units:
        return "%"
    return stated or target.unit or actual.unit


def table_indicators(tables: Sequence[TableSection]) -> list[Indicator]:
    """Indicators of every section with an indicator-name column (三级指标 / 指标名称) and a target or
    result column: one per row, the first- and second-level names carried down over merged cells,
    the comparator from the target's wording or a comparator column (指标性质), the unit from the
    figures or a unit column (度量单位); rows up to 合计 / 总计 / 总分."""
    out: list[Indicator] = []
    for section in tables:
        keys = set(section.keys)
        if "level3" not in keys or not keys & {"target", "actual"}:
            continue
        level1 = level2 = None
        for r in section.body:
            def cell(key: str, r: int = r, section: TableSection = section) -> str | None:
                found = section.value(r, key)
                return found.text if found is not None and found.text and not found.is_blank else None

            first = next((c for c in section.grid.rows[r] if c.text), None)
            if first is not None and row_label(first.text) in _END_ROWS:
                break
            level1, level2 = cell("level1") or level1, cell("level2") or level2
            name = cell("level3")
            if not name or _number(name) is not None or name in (level1, level2):
                continue
            target_text, actual_text, stated_unit = cell("target"), cell("actual"), cell("measure_unit")
            target, actual = read_figure(target_text), read_figure(actual_text)
            nature = cell("nature")
            comparator = target.comparator or (comparator_cell(nature) if nature else None)
            unit = _unit_of(target, actual, stated_unit)
            op = nature if nature and comparator_cell(nature) and not target.comparator else ""
            cells = [c for c in section.grid.rows[r] if c.text]
            out.append(Indicator(
                name, f"{op}{target_text}{stated_unit or ''}" if target_text else None, actual_text,
                target.value, actual.value, unit, cells[0].start, cells[-1].end, level1=level1, level2=level2,
                weight=_number(cell("weight")), score=_number(cell("score")),
                comparator=comparator, assumed_comparator=_assumed(comparator, (level1, level2)),
                target_unit=target.unit or stated_unit, actual_unit=actual.unit or stated_unit))
    return out


def extract_indicators(text: str, sections: list[Section], tables: Sequence[TableSection]) -> list[Indicator]:
    """All indicators: numbered items of the performance sections and rows of indicator tables."""
    return prose_indicators(text, sections) + table_indicators(tables)
