"""Python and SQL read the same vocabularies: every code the parser can emit has its label row in dbt."""

from __future__ import annotations

import ast
import csv
import re
from decimal import Decimal
from pathlib import Path

from ingest.facts.money import to_wan_yuan
from ingest.parse import ReportInput, parse_report
from ingest.vocab import patterns as P
from ingest.vocab.vocabulary import entries, rows

SEEDS = Path(__file__).resolve().parents[1] / "dbt" / "seeds"


def _seed_keys(name: str, column: str) -> set[str]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as fh:
        return {row[column] for row in csv.DictReader(fh)}


def test_every_department_type_the_parser_emits_has_a_label() -> None:
    emitted = {key for key, _ in entries("department_types")} | {"other"}
    assert emitted == _seed_keys("dim_department_type", "department_type")


def test_every_rating_the_parser_emits_has_a_label() -> None:
    assert {key for key, _ in entries("rating")} == _seed_keys("dim_rating", "rating")


ISSUE_CODE = re.compile(r"[a-z]+(?:_[a-z]+)*")
INGEST = Path(__file__).resolve().parents[1] / "ingest"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "raw"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
# Reports made here that trip the parser's checks: nothing stated; one budget, score and rate stated twice.
CRAFTED = (
    "部门整体支出绩效自评报告\n一、基本情况\n我单位主要职责是服务。\n",
    "2023年度某县财政局部门整体支出绩效自评报告\n全年预算数100万元，全年预算数120万元。支出总额90万元。\n"
    "自评得分95分，自评得分96分。执行率90%，执行率91%。预算数1,00,0万元。\n",
)


def _issue_code_patterns() -> list[str]:
    """A regex per code written at an ``Issue(...)`` call in ingest/: literals as is, f-string fields as words."""
    patterns = []
    for path in sorted(INGEST.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Issue" and node.args):
                continue
            code = node.args[0]
            if isinstance(code, ast.Constant):
                patterns.append(re.escape(code.value))
            elif isinstance(code, ast.JoinedStr):
                patterns.append(
                    "".join(re.escape(p.value) if isinstance(p, ast.Constant) else "[a-z_]+" for p in code.values)
                )
    return patterns


def _emitted_codes() -> set[str]:
    """Codes the parser emits on the samples, the shared development corpus (when present) and CRAFTED."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))] if CORPUS.is_dir() else []
    texts += CRAFTED
    return {
        issue["code"]
        for n, text in enumerate(texts)
        for issue in parse_report(ReportInput(f"r{n}", f"{n}.txt", text)).rows["parse_issues"]
    }


def test_every_issue_code_the_parser_emits_is_a_code_with_a_label() -> None:
    labelled = _seed_keys("dim_parse_issue", "issue_code")
    emitted = _emitted_codes()
    assert {"missing_money_figures", "missing_fiscal_year", "conflicting_figures"} <= emitted
    assert [code for code in sorted(emitted) if not ISSUE_CODE.fullmatch(code)] == []
    assert emitted - labelled == set()


def test_every_issue_code_written_in_the_parser_has_a_label_and_every_label_a_code() -> None:
    labelled = _seed_keys("dim_parse_issue", "issue_code")
    patterns = _issue_code_patterns()
    assert len(patterns) >= 8
    assert [p for p in patterns if not any(re.fullmatch(p, code) for code in labelled)] == []
    written = set(patterns) | {re.escape(code) for code in _emitted_codes()}
    assert [code for code in sorted(labelled) if not any(re.fullmatch(p, code) for p in written)] == []
    assert all(ISSUE_CODE.fullmatch(code) for code in labelled)


def test_every_unit_an_amount_is_read_in_converts_by_the_unit_vocabulary() -> None:
    """Parser and dbt size units from ``vocab/dbt/money_units.csv``: it has every unit the amount pattern reads."""
    units = {row["wording"]: Decimal(row["wan_yuan_per_unit"]) for row in rows("dbt/money_units")}
    read = {match.group("unit") for match in P.AMOUNT.finditer("支出 5,000元,预算 1520.36万元,总额 1.2亿元")}
    assert read == set(units)
    assert {unit: to_wan_yuan(Decimal(1), unit) for unit in read} == units
