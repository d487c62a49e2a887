"""Great Expectations (GX 1.x) on the invariant models of the dbt build, the outcomes' storage and Data Docs.

The pipeline's quality step, :func:`validate_build` (run in a worker process, see
:mod:`dagster_project.quality.worker`), runs :func:`run_quality_suite` after the dbt build, stores the
outcomes with :func:`write_quality_results` in ``raw.quality_results`` (read at query time by the
quality views ``quality_issues``, ``quality_checks`` and ``mart_department_year.quality_status``) and
renders them with :func:`write_data_docs`.

Every check is a dbt model (``dbt/models/quality``: DuckDB does the arithmetic on exact decimals)
whose rows are validated by the one GX expectation its meta names (:mod:`dagster_project.quality.spec`).
Arithmetic checks compare a ``deviation`` with a ``tolerance`` that follows the precision the report
printed: half a unit of the last printed decimal of every operand.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import great_expectations as gx
import polars as pl
from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from great_expectations.expectations.registry import get_expectation_impl

from dagster_project.quality.spec import QualityCheck, QualitySummary, load_checks
from dagster_project.warehouse.build_db import QUALITY_RESULTS, connect_build, fetch_one
from dagster_project.warehouse.escape import escape_html, escape_tree

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


def run_quality_suite(
    con: duckdb.DuckDBPyConnection, checks: Sequence[QualityCheck] | None = None
) -> list[CheckOutcome]:
    """Validate every check's rows in ``con`` (built by dbt) with its expectation; one outcome per check.

    ``checks`` default to those the dbt project declares (:func:`dagster_project.quality.spec.load_checks`).
    """
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("govperf_marts")
    outcomes = []
    for check in load_checks() if checks is None else checks:
        frame = con.execute(f"SELECT * FROM {check.relation}").df().reset_index(drop=True)
        batch = (
            source.add_dataframe_asset(check.name)
            .add_batch_definition_whole_dataframe(check.name)
            .get_batch(batch_parameters={"dataframe": frame})
        )
        expectation = get_expectation_impl(check.expectation)(**check.kwargs)
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
    """The quality step: run the suite on the build database's invariant models, store the outcomes in
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
