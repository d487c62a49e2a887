"""The asset graph: raw files → staging tables → dbt (one build) → Great Expectations → publish.

Every asset takes the ``refresh_lock`` resource, so a run holds the refresh lock from its first step
to its last (the resource is set up once per run). Data crosses each boundary once: Python writes
staging tables, dbt builds the marts, Great Expectations validates them and stores its results in a
table that the quality views read at query time, and the publish step copies the marts out.
"""

from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl
from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
    multi_asset,
)
from dagster_dbt import DagsterDbtTranslator, DbtProject, dbt_assets

from dagster_project.defs.markdown import md_code, md_table
from dagster_project.defs.project import load_dbt_project
from dagster_project.defs.resources import (
    PROGRESS,
    DbtInProcessResource,
    EngineResource,
    GovperfResource,
    GreatExpectationsResource,
    RefreshLockResource,
)
from dagster_project.warehouse import changes
from dagster_project.warehouse.build_db import (
    BATCH_SIZE,
    RAW_REPORTS_COLUMNS,
    batches,
    build_connection,
    compact_removed,
    connect_build,
    drop_orphan_staging_rows,
    duckdb_type,
    fetch_one,
    pending_inputs,
    pending_report_ids,
    record_refresh,
    replace_staging,
    restore_refresh_log,
    sync_raw_reports,
    transaction,
)
from dagster_project.warehouse.publish import checkpoint_and_close, internal_path, publish, publish_directory
from ingest import schema
from ingest.files.raw import scan_raw_dir
from ingest.parse import ReportInput, parse_reports
from ingest.runtime.pool import Limits

RAW_REPORTS_KEY = AssetKey(["raw", "raw_reports"])
QUALITY_RESULTS_KEY = AssetKey(["quality", "great_expectations"])
_KNOWN_REPORTS = "SELECT report_id FROM raw.raw_reports WHERE NOT is_removed AND duplicate_of IS NULL"
"""Reports already in the warehouse: the copy among identical files that stays canonical."""
STAGING_KEYS = [AssetKey(["raw", table]) for table in schema.STAGING_TABLES]

dbt_project = load_dbt_project()


def table_schema(columns: Mapping[str, pl.DataType]) -> TableSchema:
    """A Dagster column schema from a polars schema of ``ingest.schema``."""
    return TableSchema(columns=[TableColumn(name, duckdb_type(dtype)) for name, dtype in columns.items()])


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

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """The model's yml description alone (no padding with raw SQL)."""
        return dbt_resource_props.get("description") or dbt_resource_props["name"]


TRANSLATOR = GovperfDbtTranslator()


@asset(
    key=RAW_REPORTS_KEY,
    group_name="ingest",
    kinds={"python", "duckdb"},
    owners=["team:govperf"],
    description="Every file under the raw dir (raw.raw_reports): name, hash, kind, why it cannot be read.",
    metadata={"dagster/column_schema": table_schema(RAW_REPORTS_COLUMNS)},
)
def raw_reports(
    context: AssetExecutionContext, govperf: GovperfResource, engine: EngineResource, refresh_lock: RefreshLockResource
) -> MaterializeResult:
    """Scan the raw dir and bring ``raw.raw_reports`` in step; only new or changed files are decoded."""
    settings = govperf.settings
    cursor = changes.current_cursor(settings, changes.latest_hashes(settings))
    changes.write_pending_cursor(settings, cursor)
    with (
        build_connection(settings.build_db, context.log.warning, settings.lock_wait_seconds) as con,
        engine.active(),
    ):
        known = {rid for (rid,) in con.execute(_KNOWN_REPORTS).fetchall()}
        files = scan_raw_dir(
            settings.raw_dir,
            settings.max_file_bytes,
            known_report_ids=known,
            known_hashes=changes.known_hashes(cursor),
            max_scan_bytes=settings.max_scan_bytes,
        )
        result = sync_raw_reports(
            con,
            files,
            ocr_cache_dir=settings.build_dir / "ocr-cache",
            read_limits=settings.read_limits,
            on_progress=lambda done, total: context.log.info(f"{PROGRESS}read {done} of {total} documents"),
        )
        unreadable = con.execute(
            "SELECT source_file, failure_reason FROM raw.raw_reports "
            "WHERE NOT is_removed AND failure_reason IS NOT NULL ORDER BY source_file"
        ).fetchall()
        present = fetch_one(con, "SELECT count(*) FROM raw.raw_reports WHERE NOT is_removed")[0]
    context.log.info(
        f"{PROGRESS}scanned {result.seen} files: {len(result.ingested)} new or changed, "
        f"{len(result.unchanged)} unchanged, {len(result.removed)} removed"
    )
    return MaterializeResult(
        metadata={
            "dagster/row_count": present,
            "files_seen": result.seen,
            "files_ingested": len(result.ingested),
            "files_unchanged": len(result.unchanged),
            "files_removed": len(result.removed),
            "not_parseable": MetadataValue.md(
                md_table(["file", "reason"], [(md_code(n), r) for n, r in unreadable]) if unreadable else "none"
            ),
        }
    )


def _parse(inputs: list[ReportInput], limits: Limits, context: AssetExecutionContext) -> dict[str, pl.DataFrame]:
    """Parse a batch under ``limits``; if the parser raises, parse one by one so one bad report fails alone."""
    try:
        return parse_reports(inputs, limits=limits)
    except Exception:
        context.log.exception("parser failed on the batch; parsing reports one by one")
    parts = []
    for item in inputs:
        try:
            parts.append(parse_reports([item], limits=limits))
        except Exception as exc:
            context.log.warning(f"parser failed on {item.source_file}: {exc!r}")
            failed = ReportInput(item.report_id, item.source_file, None, f"parser error: {exc}", item.manifest)
            parts.append(parse_reports([failed], limits=limits))
    return {
        table: pl.concat([part.get(table, schema.empty_frame(cols)) for part in parts], how="diagonal_relaxed")
        if parts
        else schema.empty_frame(cols)
        for table, cols in schema.STAGING_TABLES.items()
    }


def _write_staging_batch(con: Any, frames: dict[str, pl.DataFrame], batch: list[str]) -> dict[str, int]:
    """One batch's staging rows, replaced in one transaction; rows written per table."""
    with transaction(con):
        return replace_staging(con, frames, batch)


def _add(counts: dict[str, int], more: Mapping[str, int]) -> None:
    for table, rows in more.items():
        counts[table] += rows


@multi_asset(
    specs=[
        AssetSpec(
            key,
            group_name="staging",
            deps=[RAW_REPORTS_KEY],
            kinds={"python", "polars", "duckdb"},
            owners=["team:govperf"],
            description=f"Parser output raw.{key.path[-1]}",
            metadata={"dagster/column_schema": table_schema(schema.STAGING_TABLES[key.path[-1]])},
        )
        for key in STAGING_KEYS
    ],
    can_subset=False,
)
def staging(
    context: AssetExecutionContext, govperf: GovperfResource, engine: EngineResource, refresh_lock: RefreshLockResource
) -> Iterator[MaterializeResult]:
    """Parse every report not parsed since it changed and replace its staging rows.

    Reports are read and parsed ``BATCH_SIZE`` at a time and each batch is committed on its own, so
    memory stays flat and a killed refresh keeps the batches it finished. A batch is written by a
    second thread (on its own cursor) while the next one is read and parsed.
    """
    settings = govperf.settings
    counts = dict.fromkeys(schema.STAGING_TABLES, 0)
    with (
        build_connection(settings.build_db, context.log.warning, settings.lock_wait_seconds) as con,
        ThreadPoolExecutor(1, "staging-writer") as writer,
        engine.active(),
    ):
        cursor = con.cursor()
        pending = pending_report_ids(con)
        done = 0
        writing: Future[dict[str, int]] | None = None
        for batch in batches(pending, BATCH_SIZE):
            frames = _parse(pending_inputs(con, batch), settings.parse_limits, context)
            if writing is not None:
                _add(counts, writing.result())
            writing = writer.submit(_write_staging_batch, cursor, frames, batch)
            done += len(batch)
            context.log.info(f"{PROGRESS}parsed {done} of {len(pending)} reports")
        if writing is not None:
            _add(counts, writing.result())
        cursor.close()
        with transaction(con):
            drop_orphan_staging_rows(con)
        totals = {table: fetch_one(con, f"SELECT count(*) FROM raw.{table}")[0] for table in schema.STAGING_TABLES}
    for key in STAGING_KEYS:
        table = key.path[-1]
        yield MaterializeResult(
            asset_key=key,
            metadata={
                "dagster/row_count": totals[table],
                "reports_parsed": len(pending),
                "rows_written": counts[table],
            },
        )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_models",
)
def dbt_models(
    context: AssetExecutionContext,
    dbt: DbtInProcessResource,
    great_expectations: GreatExpectationsResource,
    refresh_lock: RefreshLockResource,
) -> Iterator[Any]:
    """One in-process ``dbt build`` of seeds, staging, intermediate and marts (tests as asset checks),
    while the quality step's worker imports Great Expectations."""
    great_expectations.prepare()
    yield from dbt.build(context)


@asset(
    key=QUALITY_RESULTS_KEY,
    group_name="quality",
    deps=list(dbt_models.keys),
    kinds={"python", "great_expectations"},
    owners=["team:govperf"],
    description="Great Expectations results on the marts (raw.quality_results), read by the quality views.",
)
def quality_results(
    context: AssetExecutionContext,
    govperf: GovperfResource,
    great_expectations: GreatExpectationsResource,
    refresh_lock: RefreshLockResource,
) -> MaterializeResult:
    """Run the Great Expectations suite on the built marts, store the outcomes, render the Data Docs."""
    settings = govperf.settings
    summary = great_expectations.validate(context, settings.build_db, settings.build_dir / "quality")
    context.log.info(f"{PROGRESS}{summary.checks} quality checks, {summary.failing} failing")
    return MaterializeResult(
        metadata={"dagster/row_count": summary.checks, "checks_failing": summary.failing, "data_docs": summary.docs}
    )


@asset(
    key=AssetKey("published_warehouse"),
    group_name="publish",
    deps=[*dbt_models.keys, QUALITY_RESULTS_KEY],
    kinds={"duckdb"},
    owners=["team:govperf"],
    description="The warehouse file analysts read (schema marts, DuckDB 1.x storage), replaced atomically.",
)
def published_warehouse(
    context: AssetExecutionContext, govperf: GovperfResource, refresh_lock: RefreshLockResource
) -> MaterializeResult:
    """Record the refresh, checkpoint the build database, publish it and its Data Docs, move the cursor."""
    settings = govperf.settings
    con = connect_build(settings.build_db, settings.lock_wait_seconds, context.log.warning)
    try:
        restore_refresh_log(con, internal_path(settings.warehouse))
        compacted = compact_removed(con)
        record_refresh(con, context.run.run_id, settings.raw_dir)
        by_status = dict(
            con.execute("SELECT parse_status, count(*) FROM marts.fct_report GROUP BY ALL ORDER BY 1").fetchall()
        )
    finally:
        checkpoint_and_close(con)
    publish(settings.build_db, settings.warehouse, settings.storage_version)
    publish_directory(settings.build_dir / "quality", settings.quality_dir)
    changes.commit_pending_cursor(settings)
    context.log.info(f"published {settings.warehouse}")
    return MaterializeResult(
        metadata={
            "dagster/row_count": sum(by_status.values()),
            "path": MetadataValue.path(str(settings.warehouse)),
            "size_bytes": settings.warehouse.stat().st_size,
            "removed_records_compacted": compacted,
            **{f"reports_{status}": count for status, count in by_status.items()},
        }
    )
