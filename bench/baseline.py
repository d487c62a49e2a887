"""The naive baseline: a plain-Python loop over decoded reports, one ``re`` search per headline field.

It extracts only nine headline fields (fiscal year, department name, budget total, spend total, basic
and project spend, execution rate, total score, rating), with no normalisation, provenance, sections,
indicators, findings or conflict checks; amounts are converted to 万元. It is the yardstick for the
parser's speed (``parse rate / baseline rate``), not a second parser: it misses many layouts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_NUM = r"(\d[\d,]*(?:\.\d+)?)\s*(万元|亿元|元)"
FIELDS = (
    "fiscal_year",
    "department_name",
    "budget_total",
    "spend_total",
    "spend_basic",
    "spend_project",
    "execution_rate",
    "score_total",
    "rating",
)
_TITLE = re.compile(
    r"((?:19|20)\d{2})\s*年度?\s*([\u4e00-\u9fff（）()]{3,40}?)(?:部门整体支出|整体支出|项目支出|部门)?绩效(?:自评|评价)"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度")
_DEPT_FIELD = re.compile(r"(?:部门|单位)(?:（单位）|\(单位\))?名称[:：]\s*(\S{3,40})")
_BUDGET = re.compile(r"(?:全年预算数|调整后预算数|年度预算数|年度预算|预算数)\s*(?:为|是|:|：)?\s*" + _NUM)
_SPEND = re.compile(
    r"(?:全年支出|全年累计(?:实际)?支出|实际支出|支出总额|执行数|本年支出|支出合计)\s*(?:为|:|：)?\s*" + _NUM
)
_BASIC = re.compile(r"基本支出\s*(?:为|:|：)?\s*" + _NUM)
_PROJECT = re.compile(r"项目支出\s*(?:为|:|：)?\s*" + _NUM)
_RATE = re.compile(r"(?:预算执行率|执行率|支出进度|完成预算的)\s*(?:为|达到|达|:|：)?\s*(\d+(?:\.\d+)?)\s*[%％]")
_SCORE = re.compile(r"(?:自评得分|得分|评分|综合得分)\s*(?:为|:|：)?\s*(\d+(?:\.\d+)?)\s*分")
_RATING = re.compile(r"(?:评级|等级|等次)\s*(?:为|:|：)?\s*[“\"]?([优良中差])")
_TO_WAN = {"万元": Decimal(1), "亿元": Decimal(10000), "元": Decimal("0.0001")}


@dataclass(frozen=True)
class Headline:
    """The nine fields the baseline extracts (None when not found)."""

    fiscal_year: int | None
    department_name: str | None
    budget_total: Decimal | None
    spend_total: Decimal | None
    spend_basic: Decimal | None
    spend_project: Decimal | None
    execution_rate: Decimal | None
    score_total: Decimal | None
    rating: str | None


def _wan(match: re.Match[str] | None) -> Decimal | None:
    if match is None:
        return None
    try:
        return Decimal(match.group(1).replace(",", "")) * _TO_WAN[match.group(2)]
    except InvalidOperation:
        return None


def _dec(match: re.Match[str] | None) -> Decimal | None:
    return Decimal(match.group(1)) if match else None


def extract_headline(text: str) -> Headline:
    """The nine headline fields of one decoded report."""
    title = _TITLE.search(text)
    if title:
        year: int | None = int(title.group(1))
        dept: str | None = title.group(2)
    else:
        found = _YEAR.search(text)
        year = int(found.group(1)) if found else None
        field = _DEPT_FIELD.search(text)
        dept = field.group(1) if field else None
    rating = _RATING.search(text)
    return Headline(
        fiscal_year=year,
        department_name=dept,
        budget_total=_wan(_BUDGET.search(text)),
        spend_total=_wan(_SPEND.search(text)),
        spend_basic=_wan(_BASIC.search(text)),
        spend_project=_wan(_PROJECT.search(text)),
        execution_rate=_dec(_RATE.search(text)),
        score_total=_dec(_SCORE.search(text)),
        rating=rating.group(1) if rating else None,
    )


def run_baseline(texts: Iterable[str]) -> list[Headline]:
    """The baseline over many decoded reports: a plain per-report loop in this process."""
    return [extract_headline(text) for text in texts]


@dataclass(frozen=True)
class BaselineResult:
    """Throughput of the baseline and how many reports it found each field in."""

    reports: int
    seconds: float
    found: dict[str, int]

    @property
    def reports_per_s(self) -> float:
        """Reports per second."""
        return self.reports / self.seconds if self.seconds else float("inf")


def measure(texts: Sequence[str], repeat: int = 1) -> BaselineResult:
    """Time the baseline over ``texts`` (best of ``repeat`` runs)."""
    best = float("inf")
    results: list[Headline] = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        results = run_baseline(texts)
        best = min(best, time.perf_counter() - start)
    found = {name: sum(getattr(r, name) is not None for r in results) for name in FIELDS}
    return BaselineResult(len(texts), best, found)
