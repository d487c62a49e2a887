"""Read-only queries behind the dashboard: small functions from a DuckDB connection to a ``Panel``.

Every panel names the tables and columns it needs; when the published warehouse lacks one (an older
warehouse, or a contract column not built yet) the panel is empty and carries a note saying what is
missing, instead of failing the page. Optional provenance columns (``source_page``,
``source_locator``) are selected when present and NULL otherwise.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

MARTS = "marts"
DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "ingest" / "data" / "divisions.csv.gz"
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


# Global filters: URL parameter → column of mart_department_year (also of dim_department / fct_report).
FILTER_COLUMNS = {"province": "province", "level": "admin_level", "year": "fiscal_year", "type": "department_type"}


@dataclass(frozen=True)
class Filters:
    """The dashboard's global filters (province, level, year, department type); empty means all."""

    province: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    type: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Filters:
        """Filters from URL parameters (comma-separated values); years that are not numbers are ignored."""

        def values(key: str) -> tuple[str, ...]:
            return tuple(v for v in str(params.get(key) or "").split(",") if v)

        years = tuple(int(v) for v in values("year") if v.isdigit())
        return cls(values("province"), values("level"), years, values("type"))

    def to_params(self) -> dict[str, str]:
        """The URL parameters of the filters that are set."""
        chosen = {key: getattr(self, key) for key in FILTER_COLUMNS}
        return {key: ",".join(str(v) for v in values) for key, values in chosen.items() if values}

    def clause(self, columns: Mapping[str, str] | None = None) -> tuple[str, list[object]]:
        """A SQL condition and its parameters; ``columns`` maps a filter to its column expression."""
        columns = {**FILTER_COLUMNS, **(columns or {})}
        parts, params = [], []
        for key, column in columns.items():
            values = getattr(self, key)
            if values:
                parts.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        return (" AND ".join(parts) or "TRUE"), params


NO_FILTERS = Filters()
# The columns of fct_report joined with dim_department (alias departments) that the filters apply to.
REPORT_FILTER_COLUMNS = {
    "province": "departments.province",
    "level": "departments.admin_level",
    "year": "reports.fiscal_year",
    "type": "departments.department_type",
}


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


_REPORTS_JOINED = (
    "FROM marts.fct_report AS reports LEFT JOIN marts.dim_department AS departments USING (department_key)"
)
_REPORTS_NEED = {
    "fct_report": ["department_key", "fiscal_year", "parse_status"],
    "dim_department": ["department_key", "province", "admin_level", "department_type"],
}


def reports_by_status(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> Panel:
    """Number of reports per parse status (ok / partial / failed); with filters, of the reports they match."""
    if filters == NO_FILTERS:
        return run(
            con,
            "SELECT parse_status, count(*) AS reports FROM marts.fct_report GROUP BY ALL ORDER BY parse_status",
            {"fct_report": ["parse_status"]},
        )
    where, params = filters.clause(REPORT_FILTER_COLUMNS)
    return run(
        con,
        f"SELECT reports.parse_status, count(*) AS reports {_REPORTS_JOINED} WHERE {where} "
        "GROUP BY ALL ORDER BY parse_status",
        _REPORTS_NEED,
        params,
    )


def reports_by(
    con: duckdb.DuckDBPyConnection, dimension: str, lang: str = "zh", filters: Filters = NO_FILTERS
) -> Panel:
    """Reports per ``province``, ``admin_level`` or ``fiscal_year`` and parse status (unknown as NULL);
    ``code`` keeps the category's code (admin_level) for fixed colours and links."""
    if dimension not in ("province", "admin_level", "fiscal_year"):
        raise ValueError(f"unknown dimension {dimension!r}")
    where, params = filters.clause(REPORT_FILTER_COLUMNS)
    if dimension == "fiscal_year":
        category = code = "reports.fiscal_year"
    else:
        category = f"departments.{label_column(con, 'dim_department', dimension, lang)}"
        code = f"departments.{dimension}"
    return run(
        con,
        f"SELECT {category} AS category, {code} AS code, reports.parse_status, count(*) AS reports "
        f"{_REPORTS_JOINED} WHERE {where} GROUP BY ALL ORDER BY category NULLS LAST, parse_status",
        _REPORTS_NEED,
        params,
    )


@cache
def province_codes() -> dict[str, str]:
    """{province name: GB/T 2260 area code} from the gazetteer (ingest/data/divisions.csv.gz)."""
    with gzip.open(DIVISIONS_CSV, "rt", encoding="utf-8") as handle:
        return {row["name"]: row["code"] for row in csv.DictReader(handle) if row["level"] == "province"}


def provinces(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> Panel:
    """Department-years per province with its GB/T 2260 code, mean score and execution rate, most first."""
    where, params = filters.clause()
    panel = run(
        con,
        "SELECT province, count(*) AS department_years, avg(score_total) AS score_mean, "
        "avg(execution_rate_pct) AS execution_rate_mean FROM marts.mart_department_year "
        f"WHERE {where} GROUP BY province ORDER BY department_years DESC, province NULLS LAST",
        {"mart_department_year": ["province", "score_total", "execution_rate_pct"]},
        params,
    )
    if panel.note or panel.empty:
        return panel
    codes = province_codes()
    frame = panel.frame.assign(area_code=panel.frame["province"].map(lambda p: codes.get(p) if p else None))
    return Panel(frame[["area_code", "province", "department_years", "score_mean", "execution_rate_mean"]])


def type_labels(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """{department_type: {"zh": name, "en": name}} from the seed dim_department_type (empty when absent)."""
    if missing_note(con, {"dim_department_type": ["department_type", "type_name_zh", "type_name_en"]}):
        return {}
    rows = con.execute("SELECT department_type, type_name_zh, type_name_en FROM marts.dim_department_type").fetchall()
    return {code: {"zh": zh or code, "en": en or code} for code, zh, en in rows}


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[object]]:
    """The values each global filter can take in this warehouse (codes; labels come from the app)."""
    if missing_note(con, {"mart_department_year": list(FILTER_COLUMNS.values())}):
        return {key: [] for key in FILTER_COLUMNS}
    return {
        key: [
            row[0]
            for row in con.execute(
                f"SELECT DISTINCT {column} FROM marts.mart_department_year WHERE {column} IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        for key, column in FILTER_COLUMNS.items()
    }


# --- scores and execution rates -------------------------------------------------------------------


def department_years(con: duckdb.DuckDBPyConnection, lang: str = "zh", filters: Filters = NO_FILTERS) -> Panel:
    """mart_department_year with display labels for level and type (codes where no label column), the
    level code (``admin_level``) for fixed colours, and comparable / indicators_met_pct where built."""
    level = label_column(con, "mart_department_year", "admin_level", lang)
    kind = label_column(con, "mart_department_year", "department_type", lang)
    extra = optional_columns(con, "mart_department_year", ("comparable", "indicators_met_pct"))
    where, params = filters.clause()
    return run(
        con,
        f"SELECT department_key, department_name, {level} AS level, admin_level, {kind} AS type, province, city, "
        "county, fiscal_year, report_id, source_file, budget_total_wan_yuan, spend_total_wan_yuan, "
        f"execution_rate_pct, score_total, rating, indicator_count, quality_status, {extra} "
        f"FROM marts.mart_department_year WHERE {where} ORDER BY fiscal_year, department_name",
        {"mart_department_year": ["department_key", "fiscal_year", "score_total", "execution_rate_pct"]},
        params,
    )


def outliers(con: duckdb.DuckDBPyConnection, column: str, filters: Filters = NO_FILTERS) -> Panel:
    """Department-years whose ``column`` lies outside 1.5 IQR of the quartiles (Tukey's fences)."""
    if column not in ("score_total", "execution_rate_pct"):
        raise ValueError(f"outliers are defined for score_total and execution_rate_pct, not {column!r}")
    where, params = filters.clause()
    return run(
        con,
        f"""
        WITH years AS (SELECT * FROM marts.mart_department_year WHERE {where}),
        fences AS (
            SELECT quantile_cont({column}, 0.25) AS q1, quantile_cont({column}, 0.75) AS q3 FROM years
        )
        SELECT department_key, department_name, fiscal_year, {column} AS value, report_id,
            fences.q1 - 1.5 * (fences.q3 - fences.q1) AS lower_fence,
            fences.q3 + 1.5 * (fences.q3 - fences.q1) AS upper_fence
        FROM years, fences
        WHERE {column} < fences.q1 - 1.5 * (fences.q3 - fences.q1)
           OR {column} > fences.q3 + 1.5 * (fences.q3 - fences.q1)
        ORDER BY value
        """,
        {"mart_department_year": [column, "department_name", "fiscal_year"]},
        params,
    )


# --- budget vs spend ------------------------------------------------------------------------------


def _comparable(con: duckdb.DuckDBPyConnection) -> str:
    """The condition for a department-year whose spend/budget is meaningful: ``comparable`` where the
    mart has it, else (an older warehouse) both figures stated."""
    if "comparable" in columns_of(con, "mart_department_year"):
        return "comparable"
    return "budget_total_wan_yuan IS NOT NULL AND spend_total_wan_yuan IS NOT NULL"


def budget_vs_spend(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS, lang: str = "zh") -> Panel:
    """Comparable department-years (budget and spend of one fund scope), with spend − budget."""
    where, params = filters.clause()
    level = label_column(con, "mart_department_year", "admin_level", lang)
    return run(
        con,
        f"SELECT department_key, department_name, {level} AS level, admin_level, fiscal_year, budget_total_wan_yuan, "
        "spend_total_wan_yuan, spend_total_wan_yuan - budget_total_wan_yuan AS difference_wan_yuan, "
        "execution_rate_pct, report_id FROM marts.mart_department_year "
        f"WHERE {_comparable(con)} AND {where} ORDER BY fiscal_year, department_name",
        {"mart_department_year": ["budget_total_wan_yuan", "spend_total_wan_yuan", "execution_rate_pct"]},
        params,
    )


def budget_totals(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS, lang: str = "zh") -> Panel:
    """Spend and budget summed per province, level and year over comparable department-years only, with
    spend / budget x 100 and how many department-years of the group were comparable."""
    where, params = filters.clause()
    level = label_column(con, "mart_department_year", "admin_level", lang)
    comparable = _comparable(con)
    return run(
        con,
        f"SELECT province, {level} AS level, fiscal_year, "
        f"count(*) FILTER (WHERE {comparable}) AS comparable_count, count(*) AS department_years, "
        f"sum(budget_total_wan_yuan) FILTER (WHERE {comparable}) AS budget_total_wan_yuan, "
        f"sum(spend_total_wan_yuan) FILTER (WHERE {comparable}) AS spend_total_wan_yuan, "
        f"round(sum(spend_total_wan_yuan) FILTER (WHERE {comparable}) * 100 "
        f"/ nullif(sum(budget_total_wan_yuan) FILTER (WHERE {comparable}), 0), 2) AS execution_rate_pct "
        f"FROM marts.mart_department_year WHERE {where} GROUP BY ALL ORDER BY province, level, fiscal_year",
        {"mart_department_year": ["province", "admin_level", "budget_total_wan_yuan", "spend_total_wan_yuan"]},
        params,
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


_INDICATORS_JOINED = (
    "FROM marts.fct_indicators AS indicators LEFT JOIN marts.dim_department AS departments USING (department_key)"
)
_INDICATOR_FILTER_COLUMNS = {**REPORT_FILTER_COLUMNS, "year": "indicators.fiscal_year"}


def indicators_met(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> Panel:
    """Indicators per fiscal year and ``is_met`` (met / not met / not assessable)."""
    where, params = filters.clause(_INDICATOR_FILTER_COLUMNS)
    return run(
        con,
        f"SELECT indicators.fiscal_year, indicators.is_met, count(*) AS indicators {_INDICATORS_JOINED} "
        f"WHERE {where} GROUP BY ALL ORDER BY fiscal_year NULLS LAST, is_met NULLS LAST",
        {"fct_indicators": ["fiscal_year", "is_met"], "dim_department": ["department_key"]},
        params,
    )


def indicator_completion(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> Panel:
    """Completion per department-year: indicators stated, assessable, met, and indicators_met_pct."""
    where, params = filters.clause()
    return run(
        con,
        "SELECT department_key, department_name, fiscal_year, indicator_count, indicator_assessed_count, "
        "indicator_met_count, indicators_met_pct, report_id FROM marts.mart_department_year "
        f"WHERE indicator_count > 0 AND {where} ORDER BY indicators_met_pct NULLS LAST, department_name, fiscal_year",
        {
            "mart_department_year": [
                "indicator_count",
                "indicator_assessed_count",
                "indicator_met_count",
                "indicators_met_pct",
            ]
        },
        params,
    )


def indicators(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> Panel:
    """Every stated indicator with its department, target, result and is_met (NULL where not built)."""
    where, params = filters.clause(_INDICATOR_FILTER_COLUMNS)
    is_met = optional_columns(con, "fct_indicators", ("is_met",), "indicators")
    return run(
        con,
        "SELECT indicators.department_key, departments.department_name, indicators.fiscal_year, "
        "indicators.indicator_name, indicators.target_text, indicators.actual_text, "
        f"{is_met}, indicators.fact_id, indicators.report_id {_INDICATORS_JOINED} WHERE {where} "
        "ORDER BY departments.department_name, indicators.fiscal_year, indicators.source_start",
        {
            "fct_indicators": ["department_key", "indicator_name", "target_text", "actual_text", "fact_id"],
            "dim_department": ["department_key", "department_name"],
        },
        params,
    )


def indicators_not_met(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> Panel:
    """Indicators whose actual misses the target (is_met false), with their target, result and source."""
    where, params = filters.clause(_INDICATOR_FILTER_COLUMNS)
    return run(
        con,
        "SELECT indicators.indicator_name, departments.department_name, indicators.fiscal_year, "
        "indicators.target_text, indicators.actual_text, indicators.fact_id, indicators.report_id, "
        f"indicators.source_text {_INDICATORS_JOINED} WHERE indicators.is_met = false AND {where} "
        "ORDER BY indicators.fiscal_year, indicators.indicator_name",
        {
            "fct_indicators": ["is_met", "target_text", "actual_text", "source_text"],
            "dim_department": ["department_key", "department_name"],
        },
        params,
    )


# --- department page ------------------------------------------------------------------------------


def departments(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> Panel:
    """Departments with at least one department-year (matching the filters), by name."""
    where, params = filters.clause()
    return run(
        con,
        "SELECT DISTINCT department_key, department_name FROM marts.mart_department_year "
        f"WHERE {where} ORDER BY department_name",
        {"mart_department_year": ["department_key", "department_name"]},
        params,
    )


# The headline figures of the department page and the fact each was read from (mart columns).
HEADLINE_FACTS = {
    "budget_total_wan_yuan": "budget_total_fact_id",
    "spend_total_wan_yuan": "spend_total_fact_id",
    "execution_rate_pct": "execution_rate_fact_id",
    "score_total": "score_total_fact_id",
}


def department_trend(con: duckdb.DuckDBPyConnection, department_key: str) -> Panel:
    """One department's headline figures by fiscal year, the fact each was read from, the change on
    the department's previous year (``*_change``), and its rank by score and by execution rate among
    its peers: the department-years of the same administrative level and fiscal year."""
    optional = optional_columns(
        con, "mart_department_year", (*HEADLINE_FACTS.values(), "comparable", "indicators_met_pct")
    )
    return run(
        con,
        f"""
        WITH years AS (
            SELECT *,
                count(*) OVER peers AS peer_count,
                rank() OVER (PARTITION BY admin_level, fiscal_year ORDER BY score_total DESC NULLS LAST)
                    AS score_rank,
                rank() OVER (PARTITION BY admin_level, fiscal_year ORDER BY execution_rate_pct DESC NULLS LAST)
                    AS execution_rate_rank
            FROM marts.mart_department_year
            WINDOW peers AS (PARTITION BY admin_level, fiscal_year)
        )
        SELECT fiscal_year, report_id, source_file, budget_total_wan_yuan, spend_total_wan_yuan,
            execution_rate_pct, execution_rate_source, score_total, rating, indicator_count, {optional},
            spend_total_wan_yuan - lag(spend_total_wan_yuan) OVER history AS spend_total_change,
            score_total - lag(score_total) OVER history AS score_total_change,
            execution_rate_pct - lag(execution_rate_pct) OVER history AS execution_rate_change,
            lag(fiscal_year) OVER history AS previous_year,
            CASE WHEN score_total IS NOT NULL THEN score_rank END AS score_rank,
            CASE WHEN execution_rate_pct IS NOT NULL THEN execution_rate_rank END AS execution_rate_rank,
            peer_count
        FROM years WHERE department_key = ?
        WINDOW history AS (ORDER BY fiscal_year)
        ORDER BY fiscal_year
        """,
        {"mart_department_year": ["department_key", "fiscal_year", "score_total", "execution_rate_pct"]},
        [department_key],
    )


def department(con: duckdb.DuckDBPyConnection, department_key: str, lang: str = "zh") -> Panel:
    """One department's name, type, level and region (its latest department-year)."""
    level = label_column(con, "mart_department_year", "admin_level", lang)
    kind = label_column(con, "mart_department_year", "department_type", lang)
    return run(
        con,
        f"SELECT department_name, {level} AS level, {kind} AS type, province, city, county "
        "FROM marts.mart_department_year WHERE department_key = ? ORDER BY fiscal_year DESC LIMIT 1",
        {"mart_department_year": ["department_key", "department_name", "province"]},
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
            f"{'fund_scope' if 'fund_scope' in present else 'NULL'} AS fund_scope, "
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
        "SELECT issues.severity, issues.issue_code, "
        f"{optional_columns(con, 'fct_parse_issues', ('issue_code_zh',), 'issues')}, issues.message, "
        "issues.snippet, reports.source_file, "
        "issues.report_id FROM marts.fct_parse_issues AS issues LEFT JOIN marts.fct_report AS reports "
        "USING (report_id) ORDER BY issues.severity, reports.source_file, issues.source_start",
        {"fct_parse_issues": ["severity", "issue_code", "message"], "fct_report": ["report_id", "source_file"]},
    )


def data_dictionary(con: duckdb.DuckDBPyConnection) -> Panel:
    """Every table and column of the marts with its type and description (the dbt docs' comments)."""
    return Panel(
        con.execute(
            "SELECT columns.table_name, tables.comment AS table_comment, columns.column_name, columns.data_type, "
            "columns.comment FROM duckdb_columns() AS columns LEFT JOIN ("
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts' "
            "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'marts') AS tables "
            "USING (table_name) WHERE columns.schema_name = 'marts' "
            "ORDER BY columns.table_name, columns.column_index"
        ).df()
    )
