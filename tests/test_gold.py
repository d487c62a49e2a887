"""The warehouse built by the real pipeline (ingest → polars → dbt → GX) holds the gold values of
``../shared/gold/seeds.json`` for the five sample reports, field by field."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

GOLD_PATHS = [
    Path(__file__).resolve().parents[1] / ".." / "shared" / "gold" / "seeds.json",
    Path(__file__).with_name("gold_seeds.json"),
]
GOLD_PATH = next(p for p in GOLD_PATHS if p.exists())
GOLD = json.loads(GOLD_PATH.read_text(encoding="utf-8"))["reports"]
NOT_MART_FIELDS = {"indicators", "problems", "notes"}


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict) and "any_of" in expected:
        return any(_same(option, actual) for option in expected["any_of"])
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return Decimal(str(expected)) == Decimal(str(actual))
    return expected == actual


def _squash(name: str) -> str:
    return re.sub(r"\s+", "", name)


@pytest.fixture(scope="module")
def marts(sample_warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    yield con
    con.close()


def _mart_row(con: duckdb.DuckDBPyConnection, source_file: str) -> dict[str, Any]:
    cur = con.execute("select * from marts.mart_department_year where source_file = ?", [source_file])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, f"{source_file}: expected one mart row, found {len(rows)}"
    return dict(zip(names, rows[0], strict=True))


def _field_cases() -> list[tuple[str, str]]:
    return [(f, k) for f, report in GOLD.items() for k in report if k not in NOT_MART_FIELDS]


@pytest.mark.parametrize(("source_file", "field"), _field_cases())
def test_mart_field_matches_gold(marts, source_file, field):
    row = _mart_row(marts, source_file)
    assert _same(GOLD[source_file][field], row[field]), (
        f"{source_file}.{field}: expected {GOLD[source_file][field]!r}, warehouse has {row[field]!r}")


@pytest.mark.parametrize("source_file", sorted(GOLD))
def test_indicators_match_gold(marts, source_file):
    rows = marts.execute(
        """select i.indicator_name, i.target_value, i.actual_value, i.unit
           from marts.fct_indicators i join marts.fct_report r using (report_id)
           where r.source_file = ?""", [source_file]).fetchall()
    got = {_squash(n): {"target_value": t, "actual_value": a, "unit": u} for n, t, a, u in rows}
    for want in GOLD[source_file]["indicators"]:
        name = _squash(want["indicator_name"])
        assert name in got, f"{source_file}: indicator {name} missing"
        for key, value in want.items():
            if key != "indicator_name":
                assert _same(value, got[name][key]), f"{source_file}.{name}.{key}"


@pytest.mark.parametrize("source_file", sorted(GOLD))
def test_problem_count_matches_gold(marts, source_file):
    expected = GOLD[source_file]["problems"]
    count = marts.execute(
        """select count(*) from marts.fct_findings f join marts.fct_report r using (report_id)
           where r.source_file = ? and f.finding_kind = 'problem'""", [source_file]).fetchone()[0]
    assert count == (expected or 0)


def test_gold_accuracy_is_one(marts):
    """All gold fields at once, so a run reports the accuracy figure."""
    total = right = 0
    wrong = []
    for source_file, report in GOLD.items():
        row = _mart_row(marts, source_file)
        for field, expected in report.items():
            if field in NOT_MART_FIELDS:
                continue
            total += 1
            if _same(expected, row[field]):
                right += 1
            else:
                wrong.append(f"{source_file}.{field}: {expected!r} != {row[field]!r}")
    print(f"gold accuracy: {right}/{total} = {right / total:.4f}")
    assert not wrong, "\n".join(wrong)
