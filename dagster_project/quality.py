"""Great Expectations (GX 1.x) invariants on the built marts, their storage and their Data Docs.

The pipeline's quality step, :func:`validate_build` (run in a worker process, see
:mod:`dagster_project.quality_worker`), runs :func:`run_quality_suite` after the dbt build, stores the
outcomes with :func:`write_quality_results` in ``raw.quality_results`` (read at query time by the
quality views ``quality_issues``, ``quality_checks`` and ``mart_department_year.quality_status``) and
renders them with :func:`write_data_docs`.

Every check is one SQL query over the phase-1 tables (DuckDB does the arithmetic on exact decimals)
whose rows are validated by one GX expectation on a pandas frame. Arithmetic checks compare a
``deviation`` with a ``tolerance`` that follows the precision the report printed: half a unit of the
last printed decimal of every operand (``*_tol`` / ``tolerance`` columns of the intermediate models).
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
import polars as pl
from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from dagster_project.quality_worker import QualitySummary
from dagster_project.warehouse.build_db import QUALITY_RESULTS, connect_build, fetch_one
from dagster_project.warehouse.escape import escape_html, escape_tree

FIRST_FISCAL_YEAR = 2000
GROWTH_WORDS = ("增长", "增幅", "提高", "增速")
_ROW_COLUMNS = ["report_id", "observed", "expected"]
_RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": _ROW_COLUMNS}


@dataclass(frozen=True)
class FailingRow:
    """One row that broke a check: the report, what it states and what the invariant requires."""

    report_id: str | None
    observed: str
    expected: str


@dataclass(frozen=True)
class CheckOutcome:
    """Result of one check over all reports."""

    check_name: str
    target_model: str
    severity: str
    passed: bool
    description: str
    element_count: int
    unexpected_count: int
    failing_rows: tuple[FailingRow, ...]
    result: ExpectationValidationResult | None = field(default=None, compare=False, repr=False)

    @property
    def failing_report_ids(self) -> list[str]:
        """Distinct report ids of the failing rows, sorted."""
        return sorted({row.report_id for row in self.failing_rows if row.report_id})


@dataclass(frozen=True)
class _Check:
    name: str
    target_model: str
    severity: str
    description: str
    sql: str
    expectation: Callable[[], gxe.Expectation]


def _num(expr: str) -> str:
    """SQL rendering a number as printed: no trailing zeros after the decimal point."""
    text = f"cast({expr} as varchar)"
    return f"(case when {text} like '%.%' then rtrim(rtrim({text}, '0'), '.') else {text} end)"


def _within_tolerance() -> gxe.Expectation:
    """``deviation <= tolerance``; a row where either is NULL is not about this check and is skipped."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="tolerance", column_B="deviation", or_equal=True, ignore_row_if="either_value_is_missing"
    )


_GROWTH_NAME = "regexp_matches(indicator_name, '" + "|".join(GROWTH_WORDS) + "')"
_SCOPE = "intermediate.int_money_by_scope"


def _checks(current_year: int) -> list[_Check]:
    """The invariants of issue 4, as SQL over the phase-1 tables plus one GX expectation each."""
    return [
        _Check(
            "spend_within_budget",
            "fct_spend",
            "warn",
            "Total spend does not exceed the total budget (all funds, same report), within printing precision. "
            "A breach can be legitimate (e.g. spending carried-over funds), hence a warning.",
            f"""
            select report_id,
                'spend_total ' || {_num("spend_total_wan_yuan")} || ' > budget_total '
                    || {_num("budget_total_wan_yuan")} || ' 万元 (all_funds)' as observed,
                'spend_total <= budget_total + ' || {_num("spend_total_tol + budget_total_tol")} as expected,
                cast(spend_total_wan_yuan - budget_total_wan_yuan as double) as deviation,
                cast(spend_total_tol + budget_total_tol as double) as tolerance
            from {_SCOPE}
            where fund_scope = 'all_funds'
                and spend_total_wan_yuan is not null and budget_total_wan_yuan is not null
            """,
            _within_tolerance,
        ),
        _Check(
            "spend_parts_sum_to_total",
            "fct_spend",
            "error",
            "Basic + project spend (基本支出 + 项目支出) equals total spend in the same fund scope, within the "
            "printing precision of the three figures.",
            f"""
            select report_id,
                'basic ' || {_num("spend_basic_wan_yuan")} || ' + project ' || {_num("spend_project_wan_yuan")}
                    || ' = ' || {_num("spend_basic_wan_yuan + spend_project_wan_yuan")} || ' vs total '
                    || {_num("spend_total_wan_yuan")} || ' 万元 (' || fund_scope || ')' as observed,
                '|basic + project - total| <= ' || {_num("spend_basic_tol + spend_project_tol + spend_total_tol")}
                    as expected,
                cast(abs(spend_basic_wan_yuan + spend_project_wan_yuan - spend_total_wan_yuan) as double)
                    as deviation,
                cast(spend_basic_tol + spend_project_tol + spend_total_tol as double) as tolerance
            from {_SCOPE}
            where spend_basic_wan_yuan is not null and spend_project_wan_yuan is not null
                and spend_total_wan_yuan is not null
            """,
            _within_tolerance,
        ),
        _Check(
            "revenue_parts_sum_to_total",
            "fct_budget",
            "error",
            "Fiscal appropriation + other revenue (财政拨款收入 + 其他收入) equals total revenue (本年收入) in "
            "the same fund scope where all three are stated, within printing precision.",
            f"""
            select report_id,
                'fiscal_appropriation ' || {_num("fiscal_appropriation_revenue_wan_yuan")} || ' + other '
                    || {_num("other_revenue_wan_yuan")} || ' vs revenue_total '
                    || {_num("revenue_total_wan_yuan")} || ' 万元 (' || fund_scope || ')' as observed,
                '|parts - revenue_total| <= '
                    || {_num("fiscal_appropriation_revenue_tol + other_revenue_tol + revenue_total_tol")}
                    as expected,
                cast(abs(fiscal_appropriation_revenue_wan_yuan + other_revenue_wan_yuan
                    - revenue_total_wan_yuan) as double) as deviation,
                cast(fiscal_appropriation_revenue_tol + other_revenue_tol + revenue_total_tol as double)
                    as tolerance
            from {_SCOPE}
            where fiscal_appropriation_revenue_wan_yuan is not null and other_revenue_wan_yuan is not null
                and revenue_total_wan_yuan is not null
            """,
            _within_tolerance,
        ),
        _Check(
            "carryover_identity",
            "fct_budget",
            "error",
            "Carry-over identity in one fund scope: 年初结转和结余 + 本年收入 - 本年支出 = 年末结转和结余, "
            "within the printing precision of the four figures.",
            f"""
            select report_id,
                'begin ' || {_num("carryover_begin_wan_yuan")} || ' + revenue ' || {_num("revenue_total_wan_yuan")}
                    || ' - spend ' || {_num("spend_total_wan_yuan")} || ' = '
                    || {_num("carryover_begin_wan_yuan + revenue_total_wan_yuan - spend_total_wan_yuan")}
                    || ' vs end ' || {_num("carryover_end_wan_yuan")} || ' 万元 (' || fund_scope || ')'
                    as observed,
                '|begin + revenue - spend - end| <= '
                    || {_num("carryover_begin_tol + revenue_total_tol + spend_total_tol + carryover_end_tol")}
                    as expected,
                cast(abs(carryover_begin_wan_yuan + revenue_total_wan_yuan - spend_total_wan_yuan
                    - carryover_end_wan_yuan) as double) as deviation,
                cast(carryover_begin_tol + revenue_total_tol + spend_total_tol + carryover_end_tol as double)
                    as tolerance
            from {_SCOPE}
            where carryover_begin_wan_yuan is not null and revenue_total_wan_yuan is not null
                and spend_total_wan_yuan is not null and carryover_end_wan_yuan is not null
            """,
            _within_tolerance,
        ),
        _Check(
            "execution_rate_matches_spend",
            "mart_department_year",
            "warn",
            "A stated execution rate (执行率/支出率/支出进度) is spend / budget x 100 of one fund scope, within "
            "the printed precision of the rate plus the error the printed precision of spend and budget "
            "propagates. A warning: reports sometimes state a rate over another base (e.g. an average).",
            f"""
            select figures.report_id,
                'stated ' || {_num("rates.measure_value")} || '%, spend / budget = '
                    || {_num("scope.spend_total_wan_yuan")} || ' / ' || {_num("scope.budget_total_wan_yuan")}
                    || ' 万元 (' || scope.fund_scope || ')' as observed,
                {_num("round(scope.spend_total_wan_yuan * 100 / scope.budget_total_wan_yuan, 4)")} || '%' as expected,
                abs(rates.measure_value - scope.spend_total_wan_yuan * 100 / scope.budget_total_wan_yuan)
                    as deviation,
                cast(rates.tolerance as double)
                    + 100 * (scope.spend_total_tol / scope.budget_total_wan_yuan
                        + scope.spend_total_wan_yuan * scope.budget_total_tol
                            / (scope.budget_total_wan_yuan * scope.budget_total_wan_yuan)) as tolerance
            from intermediate.int_report_figures as figures
            inner join intermediate.int_measure_facts as rates
                on figures.report_id = rates.report_id
                and rates.measure = 'execution_rate_pct' and rates.is_primary
            inner join {_SCOPE} as scope
                on figures.report_id = scope.report_id and figures.computed_rate_scope = scope.fund_scope
            """,
            _within_tolerance,
        ),
        _Check(
            "score_in_range",
            "fct_scores",
            "error",
            "Every score lies between 0 and its stated maximum (满分), 100 when none is stated.",
            f"""
            select report_id,
                score_item || ' ' || {_num("score")} as observed,
                'between 0 and ' || {_num("coalesce(max_score, 100)")} as expected,
                cast(greatest(0 - score, score - coalesce(max_score, 100)) as double) as deviation,
                0.0 as tolerance
            from intermediate.int_score_facts
            where score is not null
            """,
            _within_tolerance,
        ),
        _Check(
            "score_parts_sum_to_total",
            "fct_scores",
            "error",
            "A stated total score equals the sum of its stated first-level parts (履职效能 + 管理效率) when all "
            "parts of the framework are stated, within printing precision.",
            f"""
            with parts as (
                select report_id, sum(score) as part_sum, sum(tolerance) as part_tol, count(*) as part_count,
                    string_agg(score_item || ' ' || {_num("score")}, ' + ' order by score_item) as part_text
                from intermediate.int_score_facts
                where is_primary and not is_derived and indicator_level = 1 and score is not null
                group by report_id
            )
            select totals.report_id,
                'total ' || {_num("totals.score")} || ' vs ' || parts.part_text || ' = '
                    || {_num("parts.part_sum")} as observed,
                '|total - sum of parts| <= ' || {_num("totals.tolerance + parts.part_tol")} as expected,
                cast(abs(totals.score - parts.part_sum) as double) as deviation,
                cast(totals.tolerance + parts.part_tol as double) as tolerance
            from intermediate.int_score_facts as totals
            inner join parts on totals.report_id = parts.report_id
            where totals.score_item = 'total' and totals.is_primary and not totals.is_derived
                and totals.score is not null
                and parts.part_count = (select count(*) from marts.dim_indicator where indicator_level = 1)
            """,
            _within_tolerance,
        ),
        _Check(
            "fiscal_year_in_range",
            "fct_report",
            "error",
            f"The fiscal year lies between {FIRST_FISCAL_YEAR} and the current year.",
            f"""
            select report_id, fiscal_year,
                'fiscal_year ' || fiscal_year as observed,
                'between {FIRST_FISCAL_YEAR} and {current_year}' as expected
            from marts.fct_report
            where fiscal_year is not null
            """,
            lambda: gxe.ExpectColumnValuesToBeBetween(
                column="fiscal_year", min_value=FIRST_FISCAL_YEAR, max_value=current_year
            ),
        ),
        _Check(
            "report_has_department_and_year",
            "fct_report",
            "error",
            "Every report has a department and a fiscal year, or is partial/failed with a stated reason "
            "(status_reason or a parse issue).",
            """
            select reports.report_id,
                case
                    when reports.department_key is not null and reports.fiscal_year is not null then 'complete'
                    when reports.parse_status in ('partial', 'failed')
                        and (reports.status_reason is not null
                             or exists (select 1 from marts.fct_parse_issues as issues
                                        where issues.report_id = reports.report_id))
                        then 'explained'
                    else 'unexplained'
                end as header_state,
                reports.parse_status || ' report, department '
                    || case when reports.department_key is null then 'missing' else 'present' end
                    || ', fiscal_year ' || coalesce(cast(reports.fiscal_year as varchar), 'missing')
                    || ', reason ' || coalesce(reports.status_reason, 'none') as observed,
                'department and year, or partial/failed with a reason' as expected
            from marts.fct_report as reports
            """,
            lambda: gxe.ExpectColumnValuesToBeInSet(column="header_state", value_set=["complete", "explained"]),
        ),
        _Check(
            "indicator_values_non_negative",
            "fct_indicators",
            "error",
            "Indicator targets and actual values are not negative (growth indicators excepted: "
            + ", ".join(GROWTH_WORDS)
            + ").",
            f"""
            select report_id, value,
                indicator_name || ' ' || which || ' ' || {_num("value")} || coalesce(unit, '') as observed,
                '>= 0' as expected
            from (
                select report_id, indicator_name, unit, 'target' as which, target_value as value
                from intermediate.int_indicator_facts
                union all
                select report_id, indicator_name, unit, 'actual', actual_value
                from intermediate.int_indicator_facts
            )
            where value is not null and not {_GROWTH_NAME}
            """,
            lambda: gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0),
        ),
        _Check(
            "indicator_percentages_in_range",
            "fct_indicators",
            "warn",
            "Percentage indicators (unit %) lie within 0-100 unless the name says growth ("
            + ", ".join(GROWTH_WORDS)
            + "). A warning: completion rates above 100% can be legitimate.",
            f"""
            select report_id, value,
                indicator_name || ' ' || which || ' ' || {_num("value")} || '%' as observed,
                'between 0 and 100' as expected
            from (
                select report_id, indicator_name, unit, 'target' as which, target_value as value
                from intermediate.int_indicator_facts
                union all
                select report_id, indicator_name, unit, 'actual', actual_value
                from intermediate.int_indicator_facts
            )
            where value is not null and unit = '%' and not {_GROWTH_NAME}
            """,
            lambda: gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100),
        ),
    ]


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    frame = con.execute(sql).df().reset_index(drop=True)
    for column in ("value", "fiscal_year", "deviation", "tolerance"):
        if column in frame:
            frame[column] = frame[column].astype("float64")
    return frame


def run_quality_suite(con: duckdb.DuckDBPyConnection, current_year: int | None = None) -> list[CheckOutcome]:
    """Run every invariant on the phase-1 tables of ``con``; one outcome per check.

    ``current_year`` (default: this year) bounds the fiscal-year check.
    """
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("govperf_marts")
    outcomes = []
    for check in _checks(current_year or dt.date.today().year):
        frame = _frame(con, check.sql)
        batch = (
            source.add_dataframe_asset(check.name)
            .add_batch_definition_whole_dataframe(check.name)
            .get_batch(batch_parameters={"dataframe": frame})
        )
        expectation = check.expectation()
        expectation.meta = {"check_name": check.name, "target_model": check.target_model, "severity": check.severity}
        result = batch.validate(expectation, result_format=_RESULT_FORMAT)
        rows = tuple(
            FailingRow(report_id=item["report_id"], observed=str(item["observed"]), expected=str(item["expected"]))
            for item in result.result.get("unexpected_index_list") or []
        )
        outcomes.append(
            CheckOutcome(
                check_name=check.name,
                target_model=check.target_model,
                severity=check.severity,
                passed=bool(result.success),
                description=check.description,
                element_count=int(result.result.get("element_count", len(frame))),
                unexpected_count=int(result.result.get("unexpected_count", len(rows))),
                failing_rows=rows,
                result=result,
            )
        )
    return outcomes


def quality_results_frame(outcomes: Sequence[CheckOutcome], checked_at: dt.datetime) -> pl.DataFrame:
    """Outcomes as rows of ``raw.quality_results``: a summary row per check, a failure row per failing row."""
    rows = []
    for outcome in outcomes:
        common = {
            "check_name": outcome.check_name,
            "target_model": outcome.target_model,
            "severity": outcome.severity,
            "description": outcome.description,
            "element_count": outcome.element_count,
            "unexpected_count": outcome.unexpected_count,
            "checked_at": checked_at,
        }
        rows.append({"row_kind": "summary", "passed": outcome.passed, **common})
        rows.extend(
            {
                "row_kind": "failure",
                "passed": False,
                "report_id": row.report_id,
                "observed": row.observed,
                "expected": row.expected,
                **common,
            }
            for row in outcome.failing_rows
        )
    return pl.DataFrame(rows, schema=QUALITY_RESULTS)


def write_quality_results(con: duckdb.DuckDBPyConnection, outcomes: Sequence[CheckOutcome]) -> None:
    """Replace ``raw.quality_results`` with the outcomes of this run."""
    frame = quality_results_frame(outcomes, dt.datetime.now(dt.UTC).replace(tzinfo=None))
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.register("quality_results_frame", frame.to_arrow())
    try:
        con.execute("CREATE OR REPLACE TABLE raw.quality_results AS SELECT * FROM quality_results_frame")
    finally:
        con.unregister("quality_results_frame")


def write_data_docs(outcomes: Sequence[CheckOutcome], out_dir: Path | str) -> Path:
    """Render the outcomes as GX Data Docs under ``out_dir``; return the entry page (``index.html``).

    A GX file context in ``out_dir/gx`` stores one validation result per check (suite = check name,
    asset = target model) of this run only, and GX's site builder renders them to
    ``out_dir/gx/uncommitted/data_docs/local_site``; ``out_dir/index.html`` redirects there.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("validations", "data_docs"):
        shutil.rmtree(out_dir / "gx" / "uncommitted" / stale, ignore_errors=True)
    context = gx.get_context(mode="file", project_root_dir=str(out_dir))
    run_id = RunIdentifier(run_name="govperf_refresh", run_time=dt.datetime.now(dt.UTC))
    for outcome in outcomes:
        if outcome.result is None:
            continue
        shown = copy.deepcopy(outcome.result)
        shown.result = escape_tree(shown.result)
        suite_result = ExpectationSuiteValidationResult(
            success=outcome.passed,
            results=[shown],
            suite_name=outcome.check_name,
            statistics={
                "evaluated_expectations": 1,
                "successful_expectations": int(outcome.passed),
                "unsuccessful_expectations": int(not outcome.passed),
                "success_percent": 100.0 if outcome.passed else 0.0,
            },
            meta={
                "run_id": run_id,
                "active_batch_definition": {
                    "datasource_name": "govperf_marts",
                    "data_asset_name": outcome.target_model,
                    "batch_definition_name": outcome.check_name,
                },
                "batch_spec": {"data_asset_name": outcome.target_model},
                "severity": outcome.severity,
                "description": escape_html(outcome.description),
            },
        )
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=outcome.check_name),
            run_id=run_id,
            batch_identifier=outcome.target_model,
        )
        context.validation_results_store.set(key, suite_result)
    context.build_data_docs()
    site_index = out_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    entry = out_dir / "index.html"
    target = site_index.relative_to(out_dir).as_posix()
    entry.write_text(
        '<!doctype html><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={target}">'
        f'<title>govperf data quality</title><a href="{target}">Great Expectations Data Docs</a>\n',
        encoding="utf-8",
    )
    return entry


def validate_build(build_db: str, docs_dir: str) -> QualitySummary:
    """The quality step: run the suite on the build database's marts, store the outcomes in
    ``raw.quality_results`` and render the Data Docs under ``docs_dir``."""
    con = connect_build(Path(build_db))
    try:
        outcomes = run_quality_suite(con)
        write_quality_results(con, outcomes)
        counts = fetch_one(
            con,
            "SELECT count(*), count(*) FILTER (WHERE NOT passed) FROM raw.quality_results WHERE row_kind = 'summary'",
        )
    finally:
        con.close()
    docs = write_data_docs(outcomes, docs_dir)
    checks, failing = counts or (0, 0)
    return QualitySummary(checks, failing, str(docs))
