"""The dashboard names only columns the marts' yml contracts declare: every ``{table: [columns]}`` a
panel needs (``queries.run`` / ``queries.missing_note``) is checked against the dbt manifest, so a
renamed or dropped mart column fails here, not on a page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.test_dbt_project import _yml_columns

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"


def _strings(node: ast.AST) -> list[str] | None:
    """The strings of a list or tuple literal of string constants, else None."""
    if isinstance(node, ast.List | ast.Tuple) and node.elts and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    return None


def needs_in(source: str, tables: set[str]) -> list[tuple[str, str, int]]:
    """(table, column, line) of every dict literal in ``source`` that maps a mart to column names."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            columns = _strings(value) if isinstance(key, ast.Constant) and key.value in tables else None
            out.extend((key.value, column, node.lineno) for column in columns or ())  # type: ignore[union-attr]
    return out


@pytest.fixture(scope="module")
def declared() -> dict[str, set[str]]:
    return {table: set(columns) for table, columns in _yml_columns().items()}


def test_the_check_sees_a_panels_needs() -> None:
    found = needs_in('run(con, "SELECT 1", {"fct_report": ["parse_status", "nope"]})', {"fct_report"})
    assert found == [("fct_report", "parse_status", 1), ("fct_report", "nope", 1)]


@pytest.mark.parametrize("module", ["queries.py"])
def test_every_column_the_dashboard_needs_is_declared_by_its_mart(module: str, declared: dict[str, set[str]]) -> None:
    needs = needs_in((DASHBOARD / module).read_text(encoding="utf-8"), set(declared))
    assert needs, f"dashboard/{module} names no mart columns the check can see"
    undeclared = [(table, column, line) for table, column, line in needs if column not in declared[table]]
    assert undeclared == []
