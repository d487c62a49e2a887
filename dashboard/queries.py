"""Read-only queries behind the dashboard: small functions from a DuckDB connection to a ``Panel``.

Every panel names the tables and columns it needs; when the published warehouse lacks one (an older
warehouse, or a contract column not built yet) the panel is empty and carries a note saying what is
missing, instead of failing the page. Optional provenance columns (``source_page``,
``source_locator``) are selected when present and NULL otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

MARTS = "marts"
OPTIONAL_PROVENANCE = ("source_page", "source_locator")

# Fact tables whose rows carry one number and its source: (table, kind, item column, value column).
FACT_SOURCES: tuple[tuple[str, str, str, str], ...] = (
    ("fct_budget", "budget", "item", "amount_wan_yuan"),
    ("fct_spend", "spend", "item", "amount_wan_yuan"),
    ("fct_scores", "score", "score_item", "score"),
    ("fct_measures", "measure", "measure", "measure_value"),
    ("fct_indicators", "indicator", "indicator_name", "actual_value"),
)


@dataclass(frozen=True)
class Panel:
    """A query result for one dashboard panel; ``note`` says why it is empty when data is missing."""

    frame: pd.DataFrame
    note: str | None = None

    @property
    def empty(self) -> bool:
        return self.frame.empty


@contextmanager
def open_warehouse(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the published warehouse read-only for one request and close it afterwards.

    Holding no connection between requests means a refresh's atomic rename is never blocked and the
    next request reads the newly published file.
    """
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def columns_of(con: duckdb.DuckDBPyConnection, table: str, schema: str = MARTS) -> set[str]:
    """Column names of ``schema.table`` (tables and views); empty when it does not exist."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchall()
    return {row[0] for row in rows}


def missing_note(con: duckdb.DuckDBPyConnection, needs: Mapping[str, Sequence[str]], schema: str = MARTS) -> str | None:
    """A note naming the first missing table or columns of ``needs`` ({table: columns}), else None."""
    for table, needed in needs.items():
        present = columns_of(con, table, schema)
        if not present:
            return f"{schema}.{table} is not in this warehouse"
        absent = [c for c in needed if c not in present]
        if absent:
            return f"{schema}.{table} has no column {', '.join(absent)}"
    return None


def run(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    needs: Mapping[str, Sequence[str]],
    params: Sequence[object] = (),
) -> Panel:
    """Run ``sql`` when every table/column in ``needs`` exists, else an empty panel with a note."""
    note = missing_note(con, needs)
    if note is not None:
        return Panel(pd.DataFrame(), note)
    return Panel(con.execute(sql, list(params)).df())


def label_column(con: duckdb.DuckDBPyConnection, table: str, code: str, lang: str) -> str:
    """The display column for a code: ``<code>_zh`` in Chinese when the mart has it, else the code."""
    label = f"{code}_zh"
    return label if lang == "zh" and label in columns_of(con, table) else code


def optional_columns(con: duckdb.DuckDBPyConnection, table: str, names: Sequence[str], alias: str = "") -> str:
    """``alias.name`` for each name the table has, ``NULL AS name`` for the others (comma-joined)."""
    present = columns_of(con, table)
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{n}" if n in present else f"NULL AS {n}" for n in names)


# --- overview -------------------------------------------------------------------------------------


def reports_by_status(con: duckdb.DuckDBPyConnection) -> Panel:
    """Number of reports per parse status (ok / partial / failed)."""
    return run(
        con,
        "SELECT parse_status, count(*) AS reports FROM marts.fct_report GROUP BY parse_status ORDER BY parse_status",
        {"fct_report": ["parse_status"]},
    )


def reports_by(con: duckdb.DuckDBPyConnection, dimension: str, lang: str = "zh") -> Panel:
    """Reports per ``province``, ``admin_level`` or ``fiscal_year`` and parse status (unknown as NULL)."""
    if dimension == "fiscal_year":
        return run(
            con,
            "SELECT fiscal_year AS category, parse_status, count(*) AS reports FROM marts.fct_report "
            "GROUP BY ALL ORDER BY category NULLS LAST, parse_status",
            {"fct_report": ["fiscal_year", "parse_status"]},
        )
    if dimension not in ("province", "admin_level"):
        raise ValueError(f"unknown dimension {dimension!r}")
    label = label_column(con, "dim_department", dimension, lang)
    return run(
        con,
        f"SELECT departments.{label} AS category, reports.parse_status, count(*) AS reports "
        "FROM marts.fct_report AS reports "
        "LEFT JOIN marts.dim_department AS departments USING (department_key) "
        "GROUP BY ALL ORDER BY category NULLS LAST, parse_status",
        {"fct_report": ["department_key", "parse_status"], "dim_department": ["department_key", dimension]},
    )


# --- scores and execution rates -------------------------------------------------------------------


def department_years(con: duckdb.DuckDBPyConnection, lang: str = "zh") -> Panel:
    """mart_department_year with display labels for level and type (codes where no label column)."""
    level = label_column(con, "mart_department_year", "admin_level", lang)
    kind = label_column(con, "mart_department_year", "department_type", lang)
    return run(
        con,
        f"SELECT department_key, department_name, {level} AS level, {kind} AS type, province, city, county, "
        "fiscal_year, report_id, source_file, budget_total_wan_yuan, spend_total_wan_yuan, execution_rate_pct, "
        "score_total, rating, indicator_count, quality_status "
        "FROM marts.mart_department_year ORDER BY fiscal_year, department_name",
        {"mart_department_year": ["department_key", "fiscal_year", "score_total", "execution_rate_pct"]},
    )


def outliers(con: duckdb.DuckDBPyConnection, column: str) -> Panel:
    """Department-years whose ``column`` lies outside 1.5 IQR of the quartiles (Tukey's fences)."""
    if column not in ("score_total", "execution_rate_pct"):
        raise ValueError(f"outliers are defined for score_total and execution_rate_pct, not {column!r}")
    return run(
        con,
        f"""
        WITH fences AS (
            SELECT quantile_cont({column}, 0.25) AS q1, quantile_cont({column}, 0.75) AS q3
            FROM marts.mart_department_year
        )
        SELECT department_name, fiscal_year, {column} AS value, report_id,
            fences.q1 - 1.5 * (fences.q3 - fences.q1) AS lower_fence,
            fences.q3 + 1.5 * (fences.q3 - fences.q1) AS upper_fence
        FROM marts.mart_department_year, fences
        WHERE {column} < fences.q1 - 1.5 * (fences.q3 - fences.q1)
           OR {column} > fences.q3 + 1.5 * (fences.q3 - fences.q1)
        ORDER BY value
        """,
        {"mart_department_year": [column, "department_name", "fiscal_year"]},
    )


# --- budget vs spend ------------------------------------------------------------------------------


def budget_vs_spend(con: duckdb.DuckDBPyConnection) -> Panel:
    """Department-years that state both a budget and a spend total, with spend − budget."""
    return run(
        con,
        "SELECT department_name, fiscal_year, budget_total_wan_yuan, spend_total_wan_yuan, "
        "spend_total_wan_yuan - budget_total_wan_yuan AS difference_wan_yuan, execution_rate_pct, report_id "
        "FROM marts.mart_department_year "
        "WHERE budget_total_wan_yuan IS NOT NULL AND spend_total_wan_yuan IS NOT NULL "
        "ORDER BY fiscal_year, department_name",
        {"mart_department_year": ["budget_total_wan_yuan", "spend_total_wan_yuan", "execution_rate_pct"]},
    )


def projects(con: duckdb.DuckDBPyConnection) -> Panel:
    """Projects with their budgets, spend and execution rate (``fct_project``)."""
    return run(
        con,
        "SELECT project_name, project_code, fiscal_year, budget_adjusted_wan_yuan, spend_wan_yuan, "
        "execution_rate_pct, score_total, report_id FROM marts.fct_project ORDER BY fiscal_year, project_name",
        {
            "fct_project": [
                "project_name",
                "project_code",
                "fiscal_year",
                "budget_adjusted_wan_yuan",
                "spend_wan_yuan",
                "execution_rate_pct",
                "score_total",
            ]
        },
    )


# --- indicators -----------------------------------------------------------------------------------


def indicators_met(con: duckdb.DuckDBPyConnection) -> Panel:
    """Indicators per fiscal year and ``is_met`` (met / not met / not stated)."""
    return run(
        con,
        "SELECT fiscal_year, is_met, count(*) AS indicators FROM marts.fct_indicators "
        "GROUP BY ALL ORDER BY fiscal_year NULLS LAST, is_met NULLS LAST",
        {"fct_indicators": ["fiscal_year", "is_met"]},
    )


def indicators(con: duckdb.DuckDBPyConnection) -> Panel:
    """Every stated indicator with its department, target and result."""
    return run(
        con,
        "SELECT departments.department_name, indicators.fiscal_year, indicators.indicator_name, "
        "indicators.target_text, indicators.actual_text, indicators.fact_id, indicators.report_id "
        "FROM marts.fct_indicators AS indicators LEFT JOIN marts.dim_department AS departments "
        "USING (department_key) ORDER BY departments.department_name, indicators.fiscal_year, indicators.source_start",
        {
            "fct_indicators": ["department_key", "indicator_name", "target_text", "actual_text", "fact_id"],
            "dim_department": ["department_key", "department_name"],
        },
    )


def indicators_not_met(con: duckdb.DuckDBPyConnection) -> Panel:
    """Indicators stated as not met, with their target, result and source."""
    return run(
        con,
        "SELECT indicator_name, fiscal_year, target_text, actual_text, fact_id, report_id, source_text "
        "FROM marts.fct_indicators WHERE is_met = false ORDER BY fiscal_year, indicator_name",
        {"fct_indicators": ["is_met", "target_text", "actual_text", "source_text"]},
    )


# --- department page ------------------------------------------------------------------------------


def departments(con: duckdb.DuckDBPyConnection) -> Panel:
    """Departments with at least one department-year, by name."""
    return run(
        con,
        "SELECT DISTINCT department_key, department_name FROM marts.mart_department_year ORDER BY department_name",
        {"mart_department_year": ["department_key", "department_name"]},
    )


def department_trend(con: duckdb.DuckDBPyConnection, department_key: str) -> Panel:
    """One department's headline figures by fiscal year."""
    return run(
        con,
        "SELECT fiscal_year, report_id, source_file, budget_total_wan_yuan, spend_total_wan_yuan, "
        "execution_rate_pct, execution_rate_source, score_total, rating, indicator_count "
        "FROM marts.mart_department_year WHERE department_key = ? ORDER BY fiscal_year",
        {"mart_department_year": ["department_key", "fiscal_year", "score_total", "execution_rate_pct"]},
        [department_key],
    )


def _fact_selects(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One SELECT per existing fact table, projected to the common provenance shape."""
    selects = []
    for table, kind, item, value in FACT_SOURCES:
        present = columns_of(con, table)
        if not {item, value, "fact_id", "report_id", "source_text", "source_start", "source_end"} <= present:
            continue
        selects.append(
            f"SELECT '{kind}' AS kind, fact_id, report_id, fiscal_year, department_key, {item} AS item, "
            f"CAST({value} AS DECIMAL(20, 6)) AS value, source_text, source_start, source_end, "
            f"{optional_columns(con, table, ('amount_text', *OPTIONAL_PROVENANCE))} FROM {MARTS}.{table}"
        )
    return selects


def facts(
    con: duckdb.DuckDBPyConnection,
    *,
    department_key: str | None = None,
    report_id: str | None = None,
    fact_id: str | None = None,
    value: object | None = None,
) -> Panel:
    """Stated facts (one number each) with their source, filtered by department, report, fact or value."""
    selects = _fact_selects(con)
    if not selects:
        return Panel(pd.DataFrame(), "no fact table with provenance is in this warehouse")
    filters = {"department_key": department_key, "report_id": report_id, "fact_id": fact_id, "value": value}
    used = {k: v for k, v in filters.items() if v is not None}
    where = " AND ".join(f"{k} = CAST(? AS DECIMAL(20, 6))" if k == "value" else f"{k} = ?" for k in used)
    sql = f"SELECT * FROM ({' UNION ALL '.join(selects)})" + (f" WHERE {where}" if where else "")
    sql += " ORDER BY fiscal_year, report_id, source_start, kind, item"
    return Panel(con.execute(sql, [str(v) if k == "value" else v for k, v in used.items()]).df())


def report(con: duckdb.DuckDBPyConnection, report_id: str) -> Panel:
    """One report's file, title and status (``fct_report``)."""
    return run(
        con,
        "SELECT report_id, source_file, title, report_type, parse_status, status_reason, fiscal_year "
        "FROM marts.fct_report WHERE report_id = ?",
        {"fct_report": ["report_id", "source_file", "parse_status"]},
        [report_id],
    )


def raw_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The raw dir of the last refresh (``marts.refresh_log``), None when not recorded."""
    if "raw_dir" not in columns_of(con, "refresh_log", "marts"):
        return None
    row = con.execute("SELECT raw_dir FROM marts.refresh_log ORDER BY refreshed_at DESC LIMIT 1").fetchone()
    return Path(row[0]) if row and row[0] else None


def last_refresh(con: duckdb.DuckDBPyConnection) -> tuple[object, int] | None:
    """(refreshed_at, reports_present) of the last refresh, None when not recorded."""
    if not {"refreshed_at", "reports_present"} <= columns_of(con, "refresh_log", "marts"):
        return None
    row = con.execute(
        "SELECT refreshed_at, reports_present FROM marts.refresh_log ORDER BY refreshed_at DESC LIMIT 1"
    ).fetchone()
    return (row[0], row[1]) if row else None


def original_file(raw: Path | None, source_file: str) -> Path | None:
    """The original file ``source_file`` under ``raw`` when it exists there; never a path outside it."""
    if raw is None:
        return None
    root = raw.resolve()
    candidate = (root / source_file).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


# --- data quality ---------------------------------------------------------------------------------


def problem_reports(con: duckdb.DuckDBPyConnection) -> Panel:
    """Reports that failed or parsed partially, with the reason."""
    return run(
        con,
        "SELECT source_file, parse_status, status_reason, report_type, fiscal_year, report_id "
        "FROM marts.fct_report WHERE parse_status <> 'ok' ORDER BY parse_status, source_file",
        {"fct_report": ["source_file", "parse_status", "status_reason"]},
    )


def quality_violations(con: duckdb.DuckDBPyConnection) -> Panel:
    """Invariant violations (failed quality checks per report) with the offending values."""
    return run(
        con,
        "SELECT issues.severity, issues.check_name, issues.target_model, reports.source_file, issues.fiscal_year, "
        "issues.observed, issues.expected, issues.description, issues.report_id "
        "FROM marts.quality_issues AS issues LEFT JOIN marts.fct_report AS reports USING (report_id) "
        "ORDER BY issues.severity, issues.check_name, reports.source_file",
        {
            "quality_issues": ["severity", "check_name", "observed", "expected", "report_id"],
            "fct_report": ["report_id", "source_file"],
        },
    )


def reports_without_header(con: duckdb.DuckDBPyConnection) -> Panel:
    """Reports kept in ``mart_report`` whose department or fiscal year could not be read."""
    return run(
        con,
        "SELECT source_file, report_type, parse_status, department_name, fiscal_year, budget_total_wan_yuan, "
        "spend_total_wan_yuan, score_total, report_id FROM marts.mart_report "
        "WHERE department_key IS NULL OR fiscal_year IS NULL ORDER BY source_file",
        {
            "mart_report": [
                "source_file",
                "report_type",
                "parse_status",
                "department_key",
                "department_name",
                "fiscal_year",
                "budget_total_wan_yuan",
                "spend_total_wan_yuan",
                "score_total",
            ]
        },
    )


def quality_checks(con: duckdb.DuckDBPyConnection) -> Panel:
    """Every quality check of the last refresh with its result and counts."""
    return run(
        con,
        "SELECT passed, severity, check_name, target_model, element_count, unexpected_count, description "
        "FROM marts.quality_checks ORDER BY passed, severity, check_name",
        {"quality_checks": ["passed", "check_name"]},
    )


def parse_issues(con: duckdb.DuckDBPyConnection) -> Panel:
    """Parse issues (figures left NULL and why), with the report file."""
    return run(
        con,
        "SELECT issues.severity, issues.issue_code, issues.message, issues.snippet, reports.source_file, "
        "issues.report_id FROM marts.fct_parse_issues AS issues LEFT JOIN marts.fct_report AS reports "
        "USING (report_id) ORDER BY issues.severity, reports.source_file, issues.source_start",
        {"fct_parse_issues": ["severity", "issue_code", "message"], "fct_report": ["report_id", "source_file"]},
    )
