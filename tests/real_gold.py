"""Scoring of ``../shared/corpus/real_gold.json`` (real public reports), shared by the slow warehouse
test (``tests/test_real_gold.py``) and a fast parser-level harness to iterate with::

    uv run --frozen python -m tests.real_gold          # parse the real corpus, print misses and wrongs

A field is *right* when the warehouse value equals the gold (``any_of``: any listed reading), a
*miss* when the warehouse holds NULL where the gold has a value, and *wrong* otherwise.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
# The shared development set next to the checkout (../shared, or ../../shared from a worktree). The
# project keeps no copy of it: where it is absent the tests that read it skip.
_SHARED = next((p for p in (_ROOT.parent / "shared" / "corpus", _ROOT.parents[1] / "shared" / "corpus")
                if (p / "real_gold.json").exists()), None)
AVAILABLE = _SHARED is not None
CORPUS_DIR = _SHARED / "real" if _SHARED else _ROOT.parent / "shared" / "corpus" / "real"
GOLD_PATH = _SHARED / "real_gold.json" if _SHARED else CORPUS_DIR.parent / "real_gold.json"
NOT_MART_FIELDS = {"indicators", "problems", "notes"}


def load_gold() -> dict[str, dict[str, Any]]:
    """Gold values per source file (empty when the development set is absent)."""
    if not AVAILABLE:
        return {}
    return json.loads(GOLD_PATH.read_text(encoding="utf-8"))["reports"]


def same(expected: Any, actual: Any) -> bool:
    """Gold comparison: ``any_of`` alternatives, NULL only equals NULL, numbers compared exactly."""
    if isinstance(expected, dict) and "any_of" in expected:
        return any(same(option, actual) for option in expected["any_of"])
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return Decimal(str(expected)) == Decimal(str(actual))
    return expected == actual


def _accepts_null(expected: Any) -> bool:
    return same(expected, None)


@dataclass
class Score:
    """Fields right, missed (NULL where gold has a value) and wrong (a different value)."""

    total: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)
    wrongs: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0

    def summary(self) -> str:
        return (f"real gold accuracy: {self.right}/{self.total} = {self.accuracy:.4f}; "
                f"{len(self.misses)} missed, {len(self.wrongs)} wrong")


def score(gold: dict[str, dict[str, Any]], rows: dict[str, dict[str, Any] | None]) -> Score:
    """Score warehouse rows (per source file; None when the warehouse holds no row) against gold."""
    result = Score()
    for source_file, report in sorted(gold.items()):
        row = rows.get(source_file) or {}
        for name, expected in report.items():
            if name in NOT_MART_FIELDS:
                continue
            result.total += 1
            actual = row.get(name)
            if same(expected, actual):
                result.right += 1
            elif actual is None and not _accepts_null(expected):
                result.misses.append(f"{source_file}.{name}: expected {expected!r}, warehouse has NULL")
            else:
                result.wrongs.append(f"{source_file}.{name}: expected {expected!r}, warehouse has {actual!r}")
    return result


# ---------------------------------------------------------------- fast parser-level harness


def _primary(values: list[tuple[int, Any]]) -> Any:
    """The marts' primary value: the first stated, none when the report states different values."""
    distinct = {v for _, v in values if v is not None}
    if len(distinct) != 1:
        return None
    return min(values, key=lambda pair: pair[0])[1]


_FIGURES = ("budget_total_wan_yuan", "spend_total_wan_yuan", "basic_spend_wan_yuan", "project_spend_wan_yuan",
            "revenue_total_wan_yuan", "execution_rate_pct", "score_total", "score_performance_effectiveness",
            "score_management_efficiency", "rating", "staff_authorized", "staff_in_service", "staff_retired")


def _mart_like(header: dict[str, Any], money: list[dict], measures: list[dict], scores: list[dict]) -> dict:
    """The headline figures as ``int_report_figures`` chooses them (a close Python mirror for speed)."""
    by_key: dict[tuple, list[tuple[int, Any]]] = defaultdict(list)
    for m in money:
        by_key[(m["side"], m["item"], m["fund_scope"])].append((m["source_start"], m["amount_wan_yuan"]))
    fig = {k: _primary(v) for k, v in by_key.items()}

    def scoped(side: str, item: str) -> Any:
        value = fig.get((side, item, "all_funds"))
        return value if value is not None else fig.get((side, item, "general_public_budget"))

    budget = fig.get(("budget", "total", "all_funds"))
    if budget is None:
        others = [v for (s, i, f), v in fig.items() if s == "budget" and i == "total" and f != "all_funds"
                  and v is not None]
        budget = others[0] if len(others) == 1 else None
    stated: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    for m in measures:
        stated[m["measure"]].append((m["source_start"], m["value"]))
    meas = {k: _primary(v) for k, v in stated.items()}
    rate = meas.get("execution_rate_pct") or meas.get("payment_rate_pct")
    if rate is None:
        for scope in ("all_funds", "general_public_budget"):
            b, s = fig.get(("budget", "total", scope)), fig.get(("spend", "total", scope))
            if b and s is not None:
                rate = round(s * 100 / b, 4)
                break
    score_rows: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    ratings = []
    for s in scores:
        score_rows[s["score_item"]].append((s["source_start"] or 0, s["score"]))
        if s["score_item"] == "total" and s["rating"]:
            ratings.append(s["rating"])
    spend = scoped("spend", "total")
    if spend is None:
        for scope in ("all_funds", "general_public_budget"):
            basic, project = fig.get(("spend", "basic", scope)), fig.get(("spend", "project", scope))
            if basic is not None and project is not None:
                spend = basic + project
                break
    known = header["department_name"] is not None
    row = {
        "fiscal_year": header["fiscal_year"],
        "department_name": header["department_name"],
        "department_type": (header["department_type"] or "other") if known else None,
        "admin_level": header["admin_level"] if known else None,
        "province": header["province"], "city": header["city"], "county": header["county"],
        "budget_total_wan_yuan": budget,
        "spend_total_wan_yuan": spend,
        "basic_spend_wan_yuan": scoped("spend", "basic"),
        "project_spend_wan_yuan": scoped("spend", "project"),
        "revenue_total_wan_yuan": scoped("budget", "revenue_total"),
        "execution_rate_pct": rate,
        "score_total": _primary(score_rows.get("total", [])),
        "score_performance_effectiveness": _primary(score_rows.get("performance_effectiveness", [])),
        "score_management_efficiency": _primary(score_rows.get("management_efficiency", [])),
        "rating": max(ratings) if ratings else None,
        "staff_authorized": meas.get("staff_authorized"),
        "staff_in_service": meas.get("staff_in_service"),
        "staff_retired": meas.get("staff_retired"),
        "parse_status": header["parse_status"],
        "status_reason": header["status_reason"],
    }
    if header["report_type"] == "project":  # a project's figures are never the department's
        row.update(dict.fromkeys(_FIGURES))
    return row


def parser_rows(corpus_dir: Path = CORPUS_DIR) -> dict[str, dict[str, Any]]:
    """Parse every report of the real corpus (no dbt) and choose headline figures like the marts."""
    from ingest.documents.decode import decode_bytes
    from ingest.parse import ReportInput, parse_reports

    inputs = []
    for path in sorted(corpus_dir.glob("*.txt")):
        decoded = decode_bytes(path.read_bytes())
        inputs.append(ReportInput(path.name, path.name, decoded.text, decoded.error))
    frames = parse_reports(inputs, workers=1)
    out = {}
    for header in frames["report_headers"].to_dicts():
        rid = header["report_id"]
        if header["parse_status"] == "failed":
            out[rid] = {"parse_status": "failed", "status_reason": header["status_reason"]}
            continue
        out[rid] = _mart_like(
            header,
            frames["money_facts"].filter(report_id=rid).to_dicts(),
            frames["measure_facts"].filter(report_id=rid).to_dicts(),
            frames["score_facts"].filter(report_id=rid).to_dicts(),
        )
    return out


def main() -> None:
    """Print the parser-level score of the real corpus with every miss and wrong value."""
    rows = parser_rows()
    result = score(load_gold(), rows)
    for name, row in sorted(rows.items()):
        if row.get("parse_status") != "ok":
            print(f"{name}: {row.get('parse_status')}: {row.get('status_reason')}")
    for line in result.wrongs:
        print("WRONG", line)
    for line in result.misses:
        print("miss ", line)
    print(result.summary())


if __name__ == "__main__":
    main()
