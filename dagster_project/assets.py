"""The asset graph: raw files → staging tables → dbt (two phases around the quality suite) → publish."""

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import Any

import polars as pl
from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from dagster_project.project import load_dbt_project
from dagster_project.resources import GovperfResource
from ingest import schema
from ingest.parse import ReportInput, parse_reports
from ingest.raw import scan_raw_dir
from ingest.warehouse import (
    BATCH_SIZE,
    RefreshLock,
    batches,
    build_connection,
    checkpoint_and_close,
    connect_build,
    drop_orphan_staging_rows,
    fetch_one,
    pending_inputs,
    pending_report_ids,
    publish,
    record_dbt_tests,
    record_refresh,
    replace_staging,
    sync_raw_reports,
    transaction,
)

RAW_REPORTS_KEY = AssetKey(["raw", "raw_reports"])
QUALITY_RESULTS_KEY = AssetKey(["raw", "quality_results"])
STAGING_KEYS = [AssetKey(["raw", table]) for table in schema.STAGING_TABLES]
POST_QUALITY = "tag:post_quality"

REFRESH_LOCK_TIMEOUT = 3600.0
_RUN_LOCKS: dict[str, RefreshLock] = {}

dbt_project = load_dbt_project()


def release_run_lock(run_id: str) -> None:
    """Release the refresh lock a run took in its ingest step (no-op when it holds none)."""
    lock = _RUN_LOCKS.pop(run_id, None)
    if lock is not None:
        lock.release()


class GovperfDbtTranslator(DagsterDbtTranslator):
    """dbt models grouped by their layer folder (staging / intermediate / marts); seeds as ``seeds``.

    dbt tests become non-blocking asset checks: a failing test is reported, never stops the publish.
    """

    def get_asset_check_spec(
        self,
        asset_spec: AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> AssetCheckSpec | None:
        """The default check spec of a dbt test, made non-blocking."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=spec.description,
            additional_deps=spec.additional_deps,
            metadata=spec.metadata,
            blocking=False,
        )

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """Group of a dbt node: its folder under ``models/``, or ``seeds``."""
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


TRANSLATOR = GovperfDbtTranslator()


@asset(key=RAW_REPORTS_KEY, group_name="ingest", description="Every file under the raw dir (raw.raw_reports).")
def raw_reports(context: AssetExecutionContext, govperf: GovperfResource) -> MaterializeResult:
    """Scan the raw dir and bring ``raw.raw_reports`` in step; only new or changed files are decoded."""
    settings = govperf.settings
    if context.run.run_id not in _RUN_LOCKS:
        _RUN_LOCKS[context.run.run_id] = RefreshLock(settings.build_dir, REFRESH_LOCK_TIMEOUT)
    files = scan_raw_dir(settings.raw_dir, settings.max_file_bytes)
    with build_connection(settings.build_db) as con:
        result = sync_raw_reports(con, files)
        unreadable = con.execute(
            "SELECT source_file, failure_reason FROM raw.raw_reports "
            "WHERE NOT is_removed AND failure_reason IS NOT NULL ORDER BY source_file"
        ).fetchall()
    context.log.info(
        f"{result.seen} files: {len(result.ingested)} new or changed, {len(result.unchanged)} unchanged, "
        f"{len(result.removed)} removed"
    )
    return MaterializeResult(
        metadata={
            "files_seen": result.seen,
            "files_ingested": len(result.ingested),
            "files_unchanged": len(result.unchanged),
            "files_removed": len(result.removed),
            "not_parseable": MetadataValue.md("\n".join(f"- `{n}`: {r}" for n, r in unreadable) or "none"),
        }
    )


def _parse(inputs: list[ReportInput], context: AssetExecutionContext) -> dict[str, pl.DataFrame]:
    """Parse a batch; if the parser raises, parse one by one so one bad report fails alone."""
    try:
        return parse_reports(inputs)
    except Exception:
        context.log.exception("parser failed on the batch; parsing reports one by one")
    parts = []
    for item in inputs:
        try:
            parts.append(parse_reports([item]))
        except Exception as exc:
            context.log.warning(f"parser failed on {item.source_file}: {exc!r}")
            failed = ReportInput(item.report_id, item.source_file, None, f"parser error: {exc}", item.manifest)
            parts.append(parse_reports([failed]))
    return {
        table: pl.concat([part.get(table, schema.empty_frame(cols)) for part in parts], how="diagonal_relaxed")
        if parts
        else schema.empty_frame(cols)
        for table, cols in schema.STAGING_TABLES.items()
    }


@multi_asset(
    specs=[
        AssetSpec(key, group_name="staging", deps=[RAW_REPORTS_KEY], description=f"Parser output raw.{key.path[-1]}")
        for key in STAGING_KEYS
    ],
    can_subset=False,
)
def staging(context: AssetExecutionContext, govperf: GovperfResource) -> Iterator[MaterializeResult]:
    """Parse every report not parsed since it changed and replace its staging rows.

    Reports are read and parsed ``BATCH_SIZE`` at a time (memory stays flat), all in one transaction.
    """
    counts = dict.fromkeys(schema.STAGING_TABLES, 0)
    with build_connection(govperf.settings.build_db) as con:
        pending = pending_report_ids(con)
        with transaction(con):
            for batch in batches(pending, BATCH_SIZE):
                frames = _parse(pending_inputs(con, batch), context)
                for table, rows in replace_staging(con, frames, batch).items():
                    counts[table] += rows
            drop_orphan_staging_rows(con)
        totals = {table: fetch_one(con, f"SELECT count(*) FROM raw.{table}")[0] for table in schema.STAGING_TABLES}
    context.log.info(f"parsed {len(pending)} reports")
    for key in STAGING_KEYS:
        table = key.path[-1]
        yield MaterializeResult(
            asset_key=key,
            metadata={
                "reports_parsed": len(pending),
                "rows_written": counts[table],
                "rows_total": totals[table],
            },
        )


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Environment variables set for the block (dbt's profile reads the build DB path from one)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _dbt_build(context: AssetExecutionContext, dbt: DbtCliResource, govperf: GovperfResource) -> Iterator[Any]:
    """``dbt build`` of the context's selection against the build database.

    Failing dbt tests are reported as failed asset checks; a model or seed that errors (or is
    skipped because of it) fails the step, so an incomplete warehouse is never published.
    """
    settings = govperf.settings
    target = settings.build_dir / "dbt"  # one target for both phases: partial parsing is reused
    with _environ(GOVPERF_BUILD_DB=str(settings.build_db)):
        invocation = dbt.cli(["build"], context=context, target_path=target, raise_on_error=False)
    yield from invocation.stream()
    results = invocation.get_artifact("run_results.json").get("results", [])
    with build_connection(settings.build_db) as con:
        record_dbt_tests(con, context.op_execution_context.op.name, results)
    broken = [
        f"{r['unique_id']}: {r['status']} {r.get('message') or ''}".strip()
        for r in results
        if not r["unique_id"].startswith(("test.", "unit_test.")) and r["status"] not in ("success", "pass")
    ]
    if broken:
        raise Failure("dbt could not build every model:\n" + "\n".join(broken))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=POST_QUALITY,
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_models",
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, govperf: GovperfResource) -> Iterator[Any]:
    """dbt phase 1: seeds, staging, intermediate and marts that do not need the quality results."""
    yield from _dbt_build(context, dbt, govperf)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=POST_QUALITY,
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_post_quality_models",
)
def dbt_post_quality_models(
    context: AssetExecutionContext, dbt: DbtCliResource, govperf: GovperfResource
) -> Iterator[Any]:
    """dbt phase 2: models tagged ``post_quality`` (quality issues, mart_department_year)."""
    yield from _dbt_build(context, dbt, govperf)


@asset(
    key=QUALITY_RESULTS_KEY,
    group_name="quality",
    deps=list(dbt_models.keys),
    description="Great Expectations results on the marts (raw.quality_results) and Data Docs.",
)
def quality_results(context: AssetExecutionContext, govperf: GovperfResource) -> MaterializeResult:
    """Run the Great Expectations suite on the phase-1 marts and store the outcomes."""
    from dagster_project import quality

    settings = govperf.settings
    con = connect_build(settings.build_db)
    try:
        outcomes = quality.run_quality_suite(con)
        quality.write_quality_results(con, outcomes)
        checks = fetch_one(
            con,
            "SELECT count(*), count(*) FILTER (WHERE NOT passed) FROM raw.quality_results WHERE row_kind = 'summary'",
        )
    finally:
        con.close()
    docs = quality.write_data_docs(outcomes, settings.quality_dir)
    context.log.info(f"{checks[0]} quality checks, {checks[1]} failing")
    return MaterializeResult(
        metadata={
            "checks": checks[0],
            "checks_failing": checks[1],
            "data_docs": str(docs or settings.quality_dir),
        }
    )


@asset(
    key=AssetKey("published_warehouse"),
    group_name="publish",
    deps=[*dbt_models.keys, *dbt_post_quality_models.keys, QUALITY_RESULTS_KEY],
    description="The warehouse file analysts read, replaced atomically by the finished build.",
)
def published_warehouse(context: AssetExecutionContext, govperf: GovperfResource) -> MaterializeResult:
    """Record the refresh, checkpoint the build database and publish it with one atomic rename."""
    settings = govperf.settings
    con = connect_build(settings.build_db)
    try:
        record_refresh(con, context.run.run_id, settings.raw_dir)
        by_status = dict(
            con.execute("SELECT parse_status, count(*) FROM marts.fct_report GROUP BY ALL ORDER BY 1").fetchall()
        )
    finally:
        checkpoint_and_close(con)
    try:
        publish(settings.build_db, settings.warehouse)
    finally:
        release_run_lock(context.run.run_id)
    context.log.info(f"published {settings.warehouse}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(settings.warehouse)),
            "size_bytes": settings.warehouse.stat().st_size,
            **{f"reports_{status}": count for status, count in by_status.items()},
        }
    )
