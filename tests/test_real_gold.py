"""Real public reports (``../shared/corpus/real``; skipped where that development set is absent) against
``real_gold.json``: the published marts must read at least 90 % of the gold fields and state no
wrong value (a NULL where the gold has a value is a miss; a different value is wrong).

The warehouse is built once per session by the real refresh (ingest → polars → dbt → GX → publish)
on a temporary copy of the corpus. Reports with a department and year are read from
``marts.mart_department_year``; the others from ``marts.mart_report`` where the warehouse has it,
else their year, total score and rating from ``fct_report`` / ``fct_scores``.
A parser-level run of the same scoring (no dbt) keeps the fast tier honest too.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.cli.refresh import run_refresh
from dagster_project.warehouse.settings import Settings
from tests.real_gold import AVAILABLE, CORPUS_DIR, load_gold, parser_rows, score

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="../shared/corpus (the real development set) is absent")

GOLD = load_gold()
MIN_ACCURACY = 0.90


@pytest.fixture(scope="session")
def real_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse published from a copy of the real corpus."""
    raw = tmp_path_factory.mktemp("real_raw")
    for path in sorted(CORPUS_DIR.glob("*.txt")):
        shutil.copy(path, raw / path.name)
    warehouse = tmp_path_factory.mktemp("real_warehouse") / "warehouse.duckdb"
    outcome = run_refresh(Settings.resolve(raw_dir=raw, warehouse=warehouse))
    assert outcome.published, "\n".join(outcome.errors)
    return warehouse


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, dict[str, Any]]:
    cur = con.execute(f"select * from marts.{table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("source_file")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                       "and table_name = ?", [table]).fetchone()[0] == 1


def _fact_rows(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Until ``mart_report`` exists: a report's year from ``fct_report`` and its primary total score
    and rating from ``fct_scores`` (the fields the gold states for reports with no department)."""
    cur = con.execute(
        """select r.source_file, r.fiscal_year, s.score as score_total, s.rating
           from marts.fct_report r
           left join marts.fct_scores s
             on s.report_id = r.report_id and s.score_item = 'total' and s.is_primary""")
    return {f: {"fiscal_year": y, "score_total": t, "rating": g} for f, y, t, g in cur.fetchall()}


@pytest.fixture(scope="module")
def warehouse_rows(real_warehouse: Path) -> dict[str, dict[str, Any]]:
    con = duckdb.connect(str(real_warehouse), read_only=True)
    try:
        rows = _rows(con, "mart_report") if _has_table(con, "mart_report") else _fact_rows(con)
        rows.update(_rows(con, "mart_department_year"))
        statuses = dict(con.execute("select source_file, parse_status from marts.fct_report").fetchall())
    finally:
        con.close()
    for source_file, row in rows.items():
        row.setdefault("parse_status", statuses.get(source_file))
    return {name: rows.get(name, {"parse_status": statuses.get(name)}) for name in statuses}


@pytest.mark.slow
def test_real_gold_accuracy_and_no_wrong_value(warehouse_rows):
    result = score(GOLD, warehouse_rows)
    print(result.summary())
    print("\n".join(result.misses))
    assert not result.wrongs, "\n".join(result.wrongs)
    assert result.accuracy >= MIN_ACCURACY, result.summary() + "\n" + "\n".join(result.misses)


@pytest.mark.slow
def test_no_genuine_report_is_rejected(warehouse_rows):
    """Every report of the development set is a genuine report: none ends ``failed``."""
    failed = [name for name, row in warehouse_rows.items() if row.get("parse_status") == "failed"]
    assert not failed


def test_parser_level_real_gold():
    """The fast harness (parser only, headline figures chosen like the marts) meets the same bar."""
    rows = parser_rows()
    result = score(GOLD, rows)
    assert not [name for name, row in rows.items() if row.get("parse_status") == "failed"]
    assert not result.wrongs, "\n".join(result.wrongs)
    assert result.accuracy >= MIN_ACCURACY, result.summary() + "\n" + "\n".join(result.misses)
